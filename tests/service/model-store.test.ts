/**
 * The training-run half of the job store (model-store.ts), the same contract on both databases: a real
 * SQLite file, and a real PostgreSQL server when one is installed (`.ci/run` installs it).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missingInfrastructure, startPostgres, type PostgresServer } from '../../bench/infra.js'
import type { JobStore } from '../../src/service/job-store.js'
import type { TrainingRequest } from '../../src/service/model-store.js'
import { PostgresJobStore } from '../../src/service/postgres-store.js'
import { SqliteJobStore } from '../../src/service/sqlite-store.js'

const REQUEST: TrainingRequest = { name: 'run', seed: 1, epochs: 3, drawsPerTrack: 1, heldOutDraws: 1, segmentSeconds: 4, genres: ['rock'], baseline: 'analytic' }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function contract(open: () => Promise<JobStore>) {
  let store: JobStore
  beforeAll(async () => {
    store = await open()
  })
  afterAll(async () => {
    await store?.close()
  })

  it('claims queued runs oldest first, one claim each', async () => {
    await store.createTraining('first', { ...REQUEST, name: 'first' })
    await sleep(5)
    await store.createTraining('second', { ...REQUEST, name: 'second' })
    const claimed = await store.claimTraining(0)
    expect(claimed).toMatchObject({ id: 'first', state: 'running', attempts: 1, request: { ...REQUEST, name: 'first' } })
    expect((await store.claimTraining(0))?.id).toBe('second')
    expect(await store.claimTraining(0)).toBeNull()
    expect((await store.listTrainings()).map((r) => r.id)).toEqual(['second', 'first'])
  })

  it('lets only the attempt that holds a run record progress and finish it; a stale run is taken over', async () => {
    expect(await store.trainingProgress('first', 1, 0.5, 'training: epoch 2 of 3', { epoch: 2, loss: 0.1 })).toBe(true)
    expect(await store.getTraining('first')).toMatchObject({ progress: 0.5, stage: 'training: epoch 2 of 3', detail: { epoch: 2, loss: 0.1 } })
    // A heartbeat older than `staleBefore`: the run's process is taken for dead and the run claimed again.
    const retaken = await store.claimTraining(Date.now() + 1000)
    expect(retaken).toMatchObject({ id: 'first', attempts: 2, progress: 0, detail: null })
    expect(await store.trainingProgress('first', 1, 0.9, 'late', null)).toBe(false)
    expect(await store.finishTraining('first', 1, { state: 'done', summary: {} })).toBe(false)
    expect(await store.finishTraining('first', 2, { state: 'done', summary: { heldOut: { examples: 3 } } })).toBe(true)
    expect(await store.getTraining('first')).toMatchObject({ state: 'done', progress: 1, summary: { heldOut: { examples: 3 } }, error: null })
    expect(await store.finishTraining('first', 2, { state: 'failed', code: 'TRAINING_FAILED', message: 'again' })).toBe(false)
  })

  it('cancels an unfinished run (its owner loses it), records failures, deletes runs', async () => {
    expect(await store.cancelTraining('second')).toBe(true)
    expect(await store.cancelTraining('second')).toBe(false)
    expect(await store.trainingProgress('second', 1, 0.2, 'x', null)).toBe(false)
    expect((await store.getTraining('second'))?.state).toBe('cancelled')
    await store.createTraining('third', REQUEST)
    const third = (await store.claimTraining(0))!
    expect(await store.finishTraining('third', third.attempts, { state: 'failed', code: 'TRAINING_FAILED', message: 'the child died' })).toBe(true)
    expect(await store.getTraining('third')).toMatchObject({ state: 'failed', error: { code: 'TRAINING_FAILED', message: 'the child died' } })
    await store.deleteTraining('third')
    expect(await store.getTraining('third')).toBeNull()
  })

  it('keeps the active model', async () => {
    expect(await store.activeModel()).toBeNull()
    await store.setActiveModel('first')
    await store.setActiveModel('analytic')
    expect(await store.activeModel()).toBe('analytic')
  })
}

describe('training runs in SQLite', () => {
  contract(async () => new SqliteJobStore(join(mkdtempSync(join(tmpdir(), 'refmaster-store-')), 'refmaster.db')))
})

const missing = missingInfrastructure()
if (missing) console.warn(`skipping the PostgreSQL store test: ${missing}`)
describe.skipIf(missing !== null)('training runs in PostgreSQL', () => {
  let postgres: PostgresServer
  contract(async () => {
    postgres = await startPostgres()
    return PostgresJobStore.open(postgres.url)
  })
  afterAll(async () => {
    await postgres?.stop()
  })
})
