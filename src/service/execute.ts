import { rmSync } from 'node:fs'
import { MessageChannel } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { DataPaths } from './files.js'
import type { JobStore, VersionRecord } from './job-store.js'
import type { ProgressUpdate } from './queue.js'
import type { AddTrackRequest } from '../library/library.js'
import type { WorkerResult, WorkerTask } from './worker.js'

/** Progress is written to the job store at most this often per version (ms); events stream every step. */
const PROGRESS_WRITE_INTERVAL_MS = 500
/** Worker threads stay alive this long without work (ms), so a burst of jobs does not pay their start-up. */
const WORKER_IDLE_TIMEOUT_MS = 60_000
const WORKER_FILE = new URL('./worker.js', import.meta.url).href

/**
 * The worker threads that do all CPU work: renders (at most `concurrency` at once) and upload checks
 * (a thread of their own, so that they never wait behind long renders).
 */
export class ThreadPool {
  private readonly renders: Piscina
  private readonly probes: Piscina

  constructor(concurrency: number) {
    this.renders = new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: concurrency, idleTimeout: WORKER_IDLE_TIMEOUT_MS })
    this.probes = new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: 1, idleTimeout: WORKER_IDLE_TIMEOUT_MS })
  }

  async probe(path: string, what: string, maxDurationSeconds: number, mustHaveSound: boolean): Promise<WorkerResult> {
    return this.probes.run({ kind: 'probe', path, what, maxDurationSeconds, mustHaveSound } satisfies WorkerTask)
  }

  /** Files a track in the user's library on the checks' thread (its analysis takes a second or so). */
  async libraryAdd(userDir: string, request: AddTrackRequest): Promise<WorkerResult> {
    return this.probes.run({ kind: 'library-add', userDir, request } satisfies WorkerTask)
  }

  /**
   * Renders a claimed version in a thread and records its outcome in the store. An abort (cancel,
   * shutdown) stops the thread and records nothing: the store already says cancelled, or the version
   * stays running and is delivered again.
   */
  async execute(store: JobStore, paths: DataPaths, libraryDir: string, version: VersionRecord, signal: AbortSignal, onProgress: (update: ProgressUpdate) => void): Promise<void> {
    const job = await store.get(version.jobId)
    if (!job) return
    const { port1, port2 } = new MessageChannel()
    let lastWrite = 0
    port1.on('message', ({ fraction, stage }: { fraction: number; stage: string }) => {
      const now = Date.now()
      if (now - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
        lastWrite = now
        store.setProgress(version.jobId, version.n, fraction, stage).catch(() => {})
      }
      onProgress({ n: version.n, fraction, stage })
    })
    const task: WorkerTask = { kind: 'render', jobDir: paths.job(version.jobId), n: version.n, attempt: version.attempts, libraryDir, modelsDir: paths.models, request: job.request, strengths: version.strengths, progress: port2 }
    try {
      const result: WorkerResult = await this.renders.run(task, { transferList: [port2], signal })
      if (result.ok) await store.finish(version.jobId, version.n, version.attempts, { state: 'done', report: result.report! })
      else await store.finish(version.jobId, version.n, version.attempts, { state: 'failed', ...result.error })
    } catch (error) {
      rmSync(paths.partialVersion(version.jobId, version.n, version.attempts), { recursive: true, force: true })
      if (signal.aborted) return
      const message = error instanceof Error ? error.message : String(error)
      await store.finish(version.jobId, version.n, version.attempts, { state: 'failed', code: 'INTERNAL', message: `the worker rendering this job stopped: ${message}` })
    } finally {
      port1.close()
    }
  }

  async destroy(): Promise<void> {
    await Promise.all([this.renders.destroy(), this.probes.destroy()])
  }
}

/** Waits for `work`, at most `seconds`; resolves true when it timed out. */
export async function timedOut(work: Promise<unknown>, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const result = await Promise.race([work.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), seconds * 1000)))])
  clearTimeout(timer)
  return result
}
