/**
 * Runs training runs (issue 6 "Training runs") one at a time per API process, each in a child process
 * `refmaster train --library --progress-json`: a run can be cancelled by killing it, its worker threads
 * and memory go with it, and a crash in training cannot take the API down. Progress reaches the store
 * (and so every API process) as the child reports it; the heartbeat lets another process, or this one
 * after a restart, take over a run whose process died. The model is written to a partial folder and
 * renamed into DATA_DIR/models/<id> when complete.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.js'
import { readCard } from '../model/model-io.js'
import { SCHEMA_FINGERPRINT } from '../model/schema.js'
import { compareMeans, type HeldOutReport } from '../../training/report.js'
import { trainProgressFraction, type TrainProgress } from '../../training/train.js'
import type { ServiceConfig } from './config.js'
import type { DataPaths } from './files.js'
import type { JobStore } from './job-store.js'
import type { TrainingRecord } from './model-store.js'
import { modelDirOf, ANALYTIC_ID } from './settings-source.js'

/** The heartbeat is beaten at least this often while a run trains (ms)... */
export const TRAINING_HEARTBEAT_MS = 10_000
/** ...and a run whose heartbeat is older than this lost its process (ms): six missed beats. */
export const TRAINING_STALE_MS = 60_000
/** Progress is written to the store at most this often (ms), besides every change of stage. */
const PROGRESS_WRITE_MS = 1000
/** Queued runs are looked for this often (ms), besides when one is started here. */
const TRAINING_POLL_MS = 5000
/** The CLI of this package, from dist/src/service. */
const CLI_PATH = join(import.meta.dirname, '..', '..', '..', 'bin', 'refmaster.js')

/** A progress event in words, with its fraction of the run and the numbers the page plots. */
export function describeTrainProgress(event: TrainProgress): { fraction: number; stage: string; detail: Record<string, number> | null } {
  const fraction = trainProgressFraction(event)
  if (event.stage === 'training') {
    const { network, networks, epoch, epochs, loss, heldOutLoss } = event
    const which = networks > 1 ? ` network ${network} of ${networks},` : ''
    return { fraction, stage: `training${which} epoch ${epoch} of ${epochs}`, detail: { network, networks, epoch, epochs, loss, heldOutLoss } }
  }
  const what = event.stage === 'synthesis' ? 'making training examples' : 'scoring held-out masters'
  return { fraction, stage: `${what}: ${event.done} of ${event.total}`, detail: null }
}

/**
 * What the store keeps of a finished run: the card's held-out summary without the per-example rows,
 * and the comparison with the settings that were active when it started (its baseline).
 */
export function trainingSummary(card: Record<string, unknown>, baseline: string): Record<string, unknown> {
  const { perExample: _rows, previous, ...heldOut } = card.heldOut as HeldOutReport
  const comparison = previous ?? compareMeans(heldOut.all.examples, heldOut.all.analytic, heldOut.all.model)
  // Against a model baseline, only the scores of that model on the same examples compare.
  const usable = previous !== undefined || baseline === ANALYTIC_ID
  return {
    heldOut,
    trainingTracks: (card.trainingTracks as string[]).length,
    heldOutTracks: card.heldOutTracks,
    seconds: card.seconds,
    comparison: usable ? { baseline, ...comparison } : null,
  }
}

/** The error the child printed last (`refmaster: error [CODE]: message`), or a description of its end. */
function childError(stderr: string[], code: number | null, signal: NodeJS.Signals | null): { code: ErrorCode; message: string } {
  for (const line of [...stderr].reverse()) {
    const match = /^refmaster: error \[([A-Z_]+)\]: (.*)$/.exec(line)
    if (match && match[1] in ERROR_CATALOGUE) return { code: match[1] as ErrorCode, message: match[2] }
  }
  const last = stderr.filter((line) => line.trim() !== '').pop()
  return { code: 'TRAINING_FAILED', message: `training stopped (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}` }
}

export class TrainingRunner {
  private current: { id: string; child: ChildProcess } | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false
  /** In the embedded mode this process is the only one: any run left running before it started is dead. */
  private readonly startedAt = Date.now()

  constructor(
    private readonly store: JobStore,
    private readonly paths: DataPaths,
    private readonly config: ServiceConfig,
    private readonly log: (line: string) => void = () => {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), TRAINING_POLL_MS)
    this.timer.unref()
    this.kick()
  }

  /** Looks for a run to take now (after a run is queued). */
  kick(): void {
    if (this.current || this.stopped) return
    const staleBefore = this.config.redisUrl ? Date.now() - TRAINING_STALE_MS : this.startedAt
    this.store
      .claimTraining(staleBefore)
      .then((run) => run && this.run(run))
      .catch((error) => this.log(`training: ${error instanceof Error ? error.message : String(error)}`))
  }

  /** Kills the run `id` if this process runs it (after the store marked it cancelled). */
  cancel(id: string): void {
    if (this.current?.id === id) this.current.child.kill('SIGTERM')
  }

  /** Stops the runner; a run in progress is killed and stays `running`, to be taken up again after a restart. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    const current = this.current
    if (!current) return
    const exited = new Promise((resolve) => current.child.once('exit', resolve))
    current.child.kill('SIGTERM')
    await exited
  }

  private async run(run: TrainingRecord): Promise<void> {
    const { id, request, attempts: attempt } = run
    const partial = `${this.paths.model(id)}.partial-${attempt}`
    // Earlier attempts' partial folders (their process died) go too.
    for (const name of readdirSync(this.paths.models)) if (name.startsWith(`${id}.partial-`)) rmSync(join(this.paths.models, name), { recursive: true, force: true })
    const baselineDir = modelDirOf(request.baseline, this.paths.models)
    const comparable = baselineDir !== null && existsSync(baselineDir) && readCard(baselineDir).schemaFingerprint === SCHEMA_FINGERPRINT
    const args = [
      CLI_PATH, 'train', '--library', '--out', partial, '--progress-json',
      '--seed', String(request.seed), '--epochs', String(request.epochs), '--draws', String(request.drawsPerTrack),
      '--held-out-draws', String(request.heldOutDraws), '--segment-seconds', String(request.segmentSeconds),
      // One core stays free for the API and the renders.
      '--workers', String(Math.max(1, availableParallelism() - 1)),
      '--cache', this.paths.trainingCache,
      ...(request.genres ?? []).flatMap((genre) => ['--genre', genre]),
      ...(comparable ? ['--compare-with', baselineDir] : []),
    ]
    const child = spawn(process.execPath, args, { env: { ...process.env, REFMASTER_LIBRARY: this.config.libraryDir }, stdio: ['ignore', 'pipe', 'pipe'] })
    this.current = { id, child }
    this.log(`training ${id} (attempt ${attempt}) started`)

    let last = { fraction: 0, stage: 'starting', detail: null as Record<string, number> | null }
    let lastWrite = 0
    let lastStage = ''
    const write = () => {
      lastWrite = Date.now()
      this.store
        .trainingProgress(id, attempt, last.fraction, last.stage, last.detail)
        .then((owned) => owned || child.kill('SIGTERM'))
        .catch(() => {})
    }
    const heartbeat = setInterval(write, TRAINING_HEARTBEAT_MS)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let event: TrainProgress
      try {
        event = JSON.parse(line) as TrainProgress
      } catch {
        return
      }
      last = describeTrainProgress(event)
      if (event.stage !== lastStage || Date.now() - lastWrite >= PROGRESS_WRITE_MS) write()
      lastStage = event.stage
    })
    const stderr: string[] = []
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line)
      if (stderr.length > 50) stderr.shift()
    })
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])))
    clearInterval(heartbeat)
    this.current = null
    try {
      if (this.stopped && code !== 0) return // shutting down: the run stays running and is taken up again
      if (code === 0) {
        const summary = trainingSummary(readCard(partial), request.baseline)
        const final = this.paths.model(id)
        rmSync(final, { recursive: true, force: true })
        renameSync(partial, final)
        if (!(await this.store.finishTraining(id, attempt, { state: 'done', summary }))) rmSync(final, { recursive: true, force: true })
        this.log(`training ${id} done`)
      } else {
        const error = childError(stderr, code, signal)
        const finished = await this.store.finishTraining(id, attempt, { state: 'failed', ...error })
        if (finished) this.log(`training ${id} failed: ${error.message}`)
      }
    } catch (error) {
      await this.store.finishTraining(id, attempt, { state: 'failed', code: 'TRAINING_FAILED', message: error instanceof Error ? error.message : String(error) }).catch(() => {})
    } finally {
      rmSync(partial, { recursive: true, force: true })
      this.kick()
    }
  }
}
