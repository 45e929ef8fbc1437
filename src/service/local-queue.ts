import { EventEmitter } from 'node:events'
import type { ServiceConfig } from './config.js'
import { throwIfFailed } from '../errors.js'
import { ThreadPool, timedOut } from './execute.js'
import { removePartials, type DataPaths } from './files.js'
import type { JobStore } from './job-store.js'
import type { AddTrackRequest } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'
import type { JobQueue } from './queue.js'

/**
 * The embedded queue: the job store is the queue. Versions are claimed oldest first by marking them
 * running, at most `workerConcurrency` at once, and rendered in this process's worker threads; a
 * restart finds exactly what was interrupted (still marked running) and queues it again.
 */
export class LocalQueue extends EventEmitter implements JobQueue {
  private readonly pool: ThreadPool
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>()
  private stopping = false
  private pumping = false
  private pumpAgain = false

  constructor(
    private readonly store: JobStore,
    private readonly paths: DataPaths,
    private readonly config: ServiceConfig,
  ) {
    super()
    this.setMaxListeners(0)
    this.pool = new ThreadPool(config.workerConcurrency)
  }

  async start(): Promise<void> {
    for (const { jobId, n } of await this.store.requeueRunning()) removePartials(this.paths.job(jobId), n)
    await this.pump()
  }

  async submit(): Promise<void> {
    await this.pump()
  }

  /** Starts queued versions while there is a free slot. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true // a submit during a pass: look again when the pass ends
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        await this.fillSlots()
      } while (this.pumpAgain)
    } finally {
      this.pumping = false
    }
  }

  private async fillSlots(): Promise<void> {
    while (!this.stopping && this.running.size < this.config.workerConcurrency) {
      const version = await this.store.claimNext()
      if (!version) return
      const key = `${version.jobId}/${version.n}`
      this.emit('update', version.jobId)
      const controller = new AbortController()
      const done = this.pool
        .execute(this.store, this.paths, this.config.libraryDir, version, controller.signal, (update) => this.emit('update', version.jobId, update))
        .finally(() => {
          this.running.delete(key)
          this.emit('update', version.jobId)
          void this.pump()
        })
      this.running.set(key, { controller, done })
    }
  }

  async probe(path: string, what: string, mustHaveSound: boolean): Promise<void> {
    throwIfFailed(await this.pool.probe(path, what, this.config.maxDurationSeconds, mustHaveSound))
  }

  async libraryAdd(request: AddTrackRequest): Promise<LibraryTrack> {
    const result = await this.pool.libraryAdd(this.config.libraryDir, request)
    throwIfFailed(result)
    return result.ok ? result.track! : (undefined as never)
  }

  async cancel(jobId: string): Promise<void> {
    const running = await this.store.cancelUnfinished(jobId)
    await Promise.all(
      running.map((n) => {
        const entry = this.running.get(`${jobId}/${n}`)
        entry?.controller.abort()
        return entry?.done
      }),
    )
    this.emit('update', jobId)
  }

  async depth(): Promise<number> {
    return (await this.store.counts()).queued
  }

  async ready(): Promise<void> {}

  async stop(graceSeconds: number): Promise<void> {
    this.stopping = true
    const all = Promise.all([...this.running.values()].map((entry) => entry.done))
    if (await timedOut(all, graceSeconds)) {
      // Interrupted versions stay "running" in the store: the next start queues them again, as after a crash.
      for (const entry of this.running.values()) entry.controller.abort()
      await all
    }
    await this.pool.destroy()
  }
}
