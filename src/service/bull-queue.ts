import { EventEmitter } from 'node:events'
import { Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq'
import { Redis } from 'ioredis'
import { RefmasterError, throwIfFailed } from '../errors.js'
import type { ServiceConfig } from './config.js'
import { timedOut } from './execute.js'
import type { JobStore } from './job-store.js'
import type { AddTrackRequest } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'
import type { JobQueue, ProgressUpdate } from './queue.js'
import type { WorkerResult } from './worker.js'

export const RENDER_QUEUE = 'refmaster-render'
export const PROBE_QUEUE = 'refmaster-probe'

/**
 * Delivery of a render: retried with exponential back-off (a worker's crash is a stall, which BullMQ
 * re-delivers by itself; these attempts cover failures thrown by the worker). Finished entries are
 * kept for an hour so that a duplicate submit within that time is a no-op.
 */
export const RENDER_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 24 * 3600 },
}
/** How long a submit waits for Redis before leaving the job to the reconciler (ms): the API stays responsive. */
const SUBMIT_WAIT_MS = 2000
/** How long an upload check may wait for a worker (ms). */
const PROBE_TIMEOUT_MS = 120_000
/** The reconciler re-submits versions unfinished for this long (ms)... */
const RECONCILE_AGE_MS = 30_000
/** ...looking this often (ms). Re-submitting is idempotent: the BullMQ job id is the version's. */
const RECONCILE_INTERVAL_MS = 15_000

/** The BullMQ job id of a version (BullMQ ids may not contain ':'). */
export function renderJobId(jobId: string, n: number): string {
  return `${jobId}.${n}`
}

export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  }
}

/**
 * The API side of the scaled-out queue: versions go to BullMQ on Redis, `refmaster worker` processes
 * render them, and their progress comes back as BullMQ queue events. The job store stays the record:
 * a version it holds as queued or running is (re-)submitted until it ends, so a job the API accepted is
 * never lost, even if Redis loses recent writes or is down when the job is accepted.
 */
export class BullQueue extends EventEmitter implements JobQueue {
  private readonly renders: Queue
  private readonly probes: Queue
  private readonly renderEvents: QueueEvents
  private readonly probeEvents: QueueEvents
  private readonly pinger: Redis
  private reconciler: NodeJS.Timeout | null = null

  constructor(
    private readonly store: JobStore,
    private readonly config: ServiceConfig,
    private readonly log: (line: string) => void,
  ) {
    super()
    this.setMaxListeners(0)
    const connection = redisConnection(config.redisUrl!)
    this.renders = new Queue(RENDER_QUEUE, { connection })
    this.probes = new Queue(PROBE_QUEUE, { connection })
    this.renderEvents = new QueueEvents(RENDER_QUEUE, { connection })
    this.probeEvents = new QueueEvents(PROBE_QUEUE, { connection })
    // They reconnect by themselves; /readyz reports the outage.
    this.renders.on('error', () => {})
    this.probes.on('error', () => {})
    this.renderEvents.on('error', () => {})
    this.probeEvents.on('error', () => {})
    this.pinger = new Redis(config.redisUrl!, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
    this.pinger.on('error', () => {})
  }

  async start(): Promise<void> {
    const jobOf = (bullId: string) => bullId.slice(0, bullId.lastIndexOf('.'))
    this.renderEvents.on('progress', ({ jobId, data }) => this.emit('update', jobOf(jobId), data as unknown as ProgressUpdate))
    this.renderEvents.on('active', ({ jobId }) => this.emit('update', jobOf(jobId)))
    this.renderEvents.on('completed', ({ jobId }) => this.emit('update', jobOf(jobId)))
    this.renderEvents.on('failed', ({ jobId }) => this.emit('update', jobOf(jobId)))
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_INTERVAL_MS)
    this.reconciler.unref()
  }

  /** Re-submits what the store holds as unfinished for a while (lost by Redis, or accepted while it was down). */
  private async reconcile(): Promise<void> {
    try {
      for (const { jobId, n } of await this.store.unfinishedOlderThan(RECONCILE_AGE_MS)) await this.renders.add('render', { jobId, n }, { ...RENDER_JOB_OPTIONS, jobId: renderJobId(jobId, n) })
    } catch (error) {
      this.log(`reconcile: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  async submit(jobId: string, n: number): Promise<void> {
    const added = this.renders.add('render', { jobId, n }, { ...RENDER_JOB_OPTIONS, jobId: renderJobId(jobId, n) })
    added.catch((error) => this.log(`submit ${jobId}: ${error instanceof Error ? error.message : String(error)} (the reconciler will deliver it)`))
    await timedOut(added, SUBMIT_WAIT_MS / 1000)
  }

  async probe(path: string, what: string, mustHaveSound: boolean): Promise<void> {
    await this.onWorker('probe', { path, what, maxDurationSeconds: this.config.maxDurationSeconds, mustHaveSound }, `checking ${what}`)
  }

  /** Runs a short task (upload check, library filing) on a worker and waits for its result; throws its failure. */
  private async onWorker(name: 'probe' | 'library-add', data: object, what: string): Promise<WorkerResult> {
    const work = (async () => {
      const job = await this.probes.add(name, data, { removeOnComplete: true, removeOnFail: true })
      return (await job.waitUntilFinished(this.probeEvents, PROBE_TIMEOUT_MS)) as WorkerResult
    })()
    work.catch(() => {})
    let timer: NodeJS.Timeout | undefined
    const result = await Promise.race([work, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS)))]).finally(() => clearTimeout(timer))
    if (result === null) throw new RefmasterError('UNAVAILABLE', `no worker finished ${what} within ${PROBE_TIMEOUT_MS / 1000} s: are 'refmaster worker' processes running, and is Redis up?`)
    throwIfFailed(result)
    return result
  }

  async libraryAdd(request: AddTrackRequest): Promise<LibraryTrack> {
    const result = await this.onWorker('library-add', { userDir: this.config.libraryDir, request }, `filing ${request.file}`)
    return result.ok ? result.track! : (undefined as never)
  }

  async cancel(jobId: string): Promise<void> {
    const job = await this.store.get(jobId)
    await this.store.cancelUnfinished(jobId)
    // Waiting entries are removed; a running one is stopped by its worker, which watches the store.
    for (const version of job?.versions ?? []) await this.renders.remove(renderJobId(jobId, version.n)).catch(() => 0)
    this.emit('update', jobId)
  }

  async depth(): Promise<number> {
    return this.renders.getJobCountByTypes('waiting', 'delayed', 'prioritized')
  }

  async ready(): Promise<void> {
    if (this.pinger.status === 'wait' || this.pinger.status === 'end') await this.pinger.connect().catch(() => {})
    const ping = this.pinger.ping()
    ping.catch(() => {})
    if (await timedOut(ping, 2)) throw new Error('Redis does not answer within 2 s')
    await ping
  }

  async stop(): Promise<void> {
    if (this.reconciler) clearInterval(this.reconciler)
    this.pinger.disconnect()
    await Promise.allSettled([this.renderEvents.close(), this.probeEvents.close(), this.renders.close(), this.probes.close()])
  }
}
