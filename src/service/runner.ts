import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { MessageChannel } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { RefmasterError } from '../errors.js'
import type { ServiceConfig } from './config.js'
import type { DataPaths } from './files.js'
import type { JobStore, VersionRecord } from './job-store.js'
import type { WorkerResult, WorkerTask } from './worker.js'

/** Progress is written to the database at most this often per version (ms); events stream every step. */
const PROGRESS_WRITE_INTERVAL_MS = 500
/** Worker threads stay alive this long without work (ms), so a burst of jobs does not pay their start-up. */
const WORKER_IDLE_TIMEOUT_MS = 60_000

const WORKER_FILE = new URL('./worker.js', import.meta.url).href

/**
 * Runs queued versions in worker threads, at most `workerConcurrency` at once, oldest first. The database
 * is the queue: a version is claimed by marking it running, so a restart finds exactly what was
 * interrupted. Emits `update` with a job id whenever that job's state or progress changes.
 */
export class JobRunner extends EventEmitter {
  private readonly renderPool: Piscina
  private readonly probePool: Piscina
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>()
  private stopping = false

  constructor(
    private readonly store: JobStore,
    private readonly paths: DataPaths,
    private readonly config: ServiceConfig,
  ) {
    super()
    this.renderPool = new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: config.workerConcurrency, idleTimeout: WORKER_IDLE_TIMEOUT_MS })
    // Upload checks get their own thread so that they never wait behind long renders.
    this.probePool = new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: 1, idleTimeout: WORKER_IDLE_TIMEOUT_MS })
  }

  /** Requeues what a previous process left running, then starts work. */
  start(): void {
    for (const { jobId, n } of this.store.requeueInterrupted()) rmSync(this.paths.partialVersion(jobId, n), { recursive: true, force: true })
    this.pump()
  }

  /** Number of versions being rendered now. */
  get activeCount(): number {
    return this.running.size
  }

  /** Starts queued versions while there is a free slot. */
  pump(): void {
    while (!this.stopping && this.running.size < this.config.workerConcurrency) {
      const version = this.store.claimNext()
      if (!version) return
      this.emit('update', version.jobId)
      const controller = new AbortController()
      const done = this.execute(version, controller.signal).finally(() => {
        this.running.delete(key(version.jobId, version.n))
        this.emit('update', version.jobId)
        this.pump()
      })
      this.running.set(key(version.jobId, version.n), { controller, done })
    }
  }

  private async execute(version: VersionRecord, signal: AbortSignal): Promise<void> {
    const job = this.store.get(version.jobId)
    if (!job) return
    const { port1, port2 } = new MessageChannel()
    let lastWrite = 0
    port1.on('message', ({ fraction, stage }: { fraction: number; stage: string }) => {
      const now = Date.now()
      if (now - lastWrite >= PROGRESS_WRITE_INTERVAL_MS || fraction >= 1) {
        lastWrite = now
        this.store.setProgress(version.jobId, version.n, fraction, stage)
      }
      this.emit('update', version.jobId, { n: version.n, fraction, stage })
    })
    const task: WorkerTask = { kind: 'render', jobDir: this.paths.job(version.jobId), n: version.n, request: job.request, strengths: version.strengths, progress: port2 }
    try {
      const result: WorkerResult = await this.renderPool.run(task, { transferList: [port2], signal })
      if (result.ok) this.store.finish(version.jobId, version.n, { state: 'done', report: result.report! })
      else this.store.finish(version.jobId, version.n, { state: 'failed', ...result.error })
    } catch (error) {
      rmSync(this.paths.partialVersion(version.jobId, version.n), { recursive: true, force: true })
      if (signal.aborted) return // cancelled (the store says so already) or shutting down (requeued at the next start)
      const message = error instanceof Error ? error.message : String(error)
      this.store.finish(version.jobId, version.n, { state: 'failed', code: 'INTERNAL', message: `the worker rendering this job stopped: ${message}` })
    } finally {
      port1.close()
    }
  }

  /** Decodes an upload in a worker thread; throws the RefmasterError that names its problem. */
  async probe(path: string, what: string, mustHaveSound: boolean): Promise<void> {
    const result: WorkerResult = await this.probePool.run({ kind: 'probe', path, what, maxDurationSeconds: this.config.maxDurationSeconds, mustHaveSound } satisfies WorkerTask)
    if (!result.ok) throw new RefmasterError(result.error.code, result.error.message)
  }

  /** Cancels a job's queued and running versions; resolves when its workers have stopped. */
  async cancel(jobId: string): Promise<void> {
    const running = this.store.cancelUnfinished(jobId)
    await Promise.all(
      running.map((n) => {
        const entry = this.running.get(key(jobId, n))
        entry?.controller.abort()
        return entry?.done
      }),
    )
    this.emit('update', jobId)
  }

  /**
   * Stops taking work and waits up to `graceSeconds` for running versions; those still running are
   * stopped and stay "running" in the database, so the next start renders them again.
   */
  async stop(graceSeconds: number): Promise<void> {
    this.stopping = true
    const all = Promise.all([...this.running.values()].map((entry) => entry.done))
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceSeconds * 1000)))])
    clearTimeout(timer)
    if (timedOut) {
      // Interrupted versions go back to the queue for the next start, exactly as after a crash.
      for (const entry of this.running.values()) entry.controller.abort()
      await all
    }
    await Promise.all([this.renderPool.destroy(), this.probePool.destroy()])
  }
}

function key(jobId: string, n: number): string {
  return `${jobId}/${n}`
}
