import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeAudio, decodeFile } from '../../src/audio/decode.js'
import { correlation, devExcerpts, writeClips } from '../../bench/clips.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { missingInfrastructure, startPostgres, startRedis, type PostgresServer, type RedisServer } from '../../bench/infra.js'
import { form, startServer, startWorkerProcess, waitForJob, type ServerProcess } from '../helpers/server.js'

const missing = missingInfrastructure()
if (missing) console.warn(`scale-out tests SKIPPED: ${missing}`)

const CLIP_SECONDS = 8
const JOBS = 30
const LONG_MIX = join(DEV_AUDIO, 'full', 'electronic-thebeastofinsanity.ogg')
const JOB_TIMEOUT_MS = 600_000

describe.skipIf(missing !== null)('scale-out: two API processes, three workers, Redis (BullMQ) and PostgreSQL', () => {
  let redis: RedisServer
  let postgres: PostgresServer
  let apis: ServerProcess[] = []
  let workers: ServerProcess[] = []
  const dataDir = mkdtempSync(join(tmpdir(), 'refmaster-scaled-'))
  const clipsDir = mkdtempSync(join(tmpdir(), 'refmaster-clips-'))
  const clips: Array<{ path: string; audio: Audio }> = []
  let reference = ''
  let env: Record<string, string>

  beforeAll(async () => {
    ;[redis, postgres] = await Promise.all([startRedis(), startPostgres()])
    // The test polls 30 jobs at once from one client: the per-client rate limit (600 a minute) is not what it tests.
    env = { REDIS_URL: redis.url, DATABASE_URL: postgres.url, WORKER_CONCURRENCY: '1', WORKER_LOCK_SECONDS: '4', RATE_LIMIT_PER_MINUTE: '1000000' }
    apis = await Promise.all([startServer(env, dataDir), startServer(env, dataDir)])
    workers = await Promise.all([0, 1, 2].map(() => startWorkerProcess(env, dataDir)))
    clips.push(...(await writeClips(clipsDir, JOBS, CLIP_SECONDS)))
    reference = devExcerpts()[0]
  }, 300_000)

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => (p.child.exitCode === null ? p.stop() : null)))
    await redis?.kill()
    await postgres?.stop()
  }, 120_000)

  const submit = async (api: ServerProcess, mix: string) => {
    const response = await fetch(`${api.url}/api/jobs`, { method: 'POST', body: form([['mix', mix], ['reference', reference]], [['format', 'wav24']]) })
    expect(response.status).toBe(202)
    return (await response.json()).id as string
  }
  const renderings = (id: string) => workers.map((w) => (w.output().match(new RegExp(`rendering ${id} version 1 `, 'g')) ?? []).length)

  it('renders 30 jobs submitted through both APIs, each once, each master from its own mix', async () => {
    const ids = await Promise.all(clips.map((clip, i) => submit(apis[i % 2], clip.path)))
    const jobs = await Promise.all(ids.map((id, i) => waitForJob(apis[(i + 1) % 2].url, id, undefined, JOB_TIMEOUT_MS)))
    expect(jobs.map((job) => job.state)).toEqual(ids.map(() => 'done'))
    for (const [i, job] of jobs.entries()) {
      const download = await fetch(`${apis[i % 2].url}${job.downloads.wav24}`)
      if (!download.ok) throw new Error(`job ${ids[i]}: GET ${job.downloads.wav24} gave ${download.status} ${await download.text()}`)
      const master = await decodeAudio(new Uint8Array(await download.arrayBuffer()))
      expect(master.channels[0].length).toBe(clips[i].audio.channels[0].length)
      const scores = clips.map((clip) => correlation(master, clip.audio))
      expect(scores.indexOf(Math.max(...scores))).toBe(i)
      expect(renderings(ids[i]).reduce((a, b) => a + b, 0)).toBe(1)
    }
    // The work was shared: every worker rendered some of it.
    expect(workers.map((w) => (w.output().match(/rendering /g) ?? []).length).every((count) => count > 0)).toBe(true)
    const metrics = await (await fetch(`${apis[0].url}/metrics`)).text()
    expect(metrics).toMatch(/refmaster_job_duration_seconds_count (\d+)/)
    expect(Number(/refmaster_job_duration_seconds_count (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(JOBS)
  }, JOB_TIMEOUT_MS)

  it('retries the job of a worker killed mid-render on another worker: one result, one set of files', async () => {
    const id = await submit(apis[0], LONG_MIX)
    await waitForJob(apis[0].url, id, (job) => job.state === 'running' && job.progress > 0.1, JOB_TIMEOUT_MS)
    const victim = workers.findIndex((w) => w.output().includes(`rendering ${id} version 1`))
    expect(victim).toBeGreaterThanOrEqual(0)
    await workers[victim].kill()
    const job = await waitForJob(apis[1].url, id, undefined, JOB_TIMEOUT_MS)
    expect(job.state).toBe('done')
    expect(job.versions).toHaveLength(1)
    const survivors = workers.filter((_, i) => i !== victim)
    expect(survivors.some((w) => w.output().includes(`rendering ${id} version 1 (attempt 2)`))).toBe(true)
    expect(readdirSync(join(dataDir, 'jobs', id)).filter((name) => name.startsWith('v')).sort()).toEqual(['v1'])
    const master = await decodeAudio(new Uint8Array(await (await fetch(`${apis[1].url}${job.downloads.wav24}`)).arrayBuffer()))
    expect(master.channels[0].length).toBe((await decodeFile(LONG_MIX)).channels[0].length)
    workers[victim] = await startWorkerProcess(env, dataDir)
  }, JOB_TIMEOUT_MS)

  it('loses no accepted job when Redis is killed (SIGKILL) mid-run and restarted', async () => {
    const before = await Promise.all(clips.slice(0, 6).map((clip, i) => submit(apis[i % 2], clip.path)))
    await waitForJob(apis[0].url, before[0], (job) => job.state !== 'queued', JOB_TIMEOUT_MS)
    await redis.kill()
    expect((await fetch(`${apis[0].url}/readyz`)).status).toBe(503)
    // Accepted while Redis is down: the upload check waits for it to come back.
    const during = submit(apis[1], clips[6].path)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    await redis.start()
    const ids = [...before, await during]
    const jobs = await Promise.all(ids.map((id) => waitForJob(apis[0].url, id, undefined, JOB_TIMEOUT_MS)))
    expect(jobs.map((job) => job.state)).toEqual(ids.map(() => 'done'))
    expect((await fetch(`${apis[0].url}/readyz`)).status).toBe(200)
    for (const id of ids) expect(readdirSync(join(dataDir, 'jobs', id)).filter((name) => name.startsWith('v'))).toEqual(['v1'])
  }, JOB_TIMEOUT_MS)
})
