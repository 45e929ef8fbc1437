import { Worker, type Job } from 'bullmq'
import type { ServiceConfig } from './config.js'
import { PROBE_QUEUE, redisConnection, RENDER_QUEUE } from './bull-queue.js'
import { ThreadPool } from './execute.js'
import { dataPaths, prepareDataDir } from './files.js'
import { openJobStore } from './stores.js'

/** How often a running render checks the store for a cancellation (ms). */
const CANCEL_POLL_MS = 1000

export interface RunningWorker {
  /** Drains: takes no new work, lets running renders finish, then closes. */
  close(): Promise<void>
}

/**
 * `refmaster worker`: takes versions from the BullMQ queue and renders them in worker threads, at most
 * `workerConcurrency` at once. Delivery is at least once, so processing is idempotent: a version is
 * claimed in the store before it is rendered (one that is done, failed or cancelled is skipped), each
 * attempt writes its own partial folder, and only the attempt the store holds can record an outcome.
 */
export async function startWorker(config: ServiceConfig, log: (line: string) => void): Promise<RunningWorker> {
  const paths = dataPaths(config.dataDir)
  prepareDataDir(paths, { keepUploads: true })
  const store = await openJobStore(config, paths)
  const pool = new ThreadPool(config.workerConcurrency)
  const connection = redisConnection(config.redisUrl!)
  const lockDuration = config.workerLockSeconds * 1000

  const renders = new Worker(
    RENDER_QUEUE,
    async (job: Job<{ jobId: string; n: number }>) => {
      const { jobId, n } = job.data
      // A re-delivered version (its worker died, or Redis lost the lock) is taken over.
      const version = await store.claim(jobId, n, true)
      if (!version) return { skipped: 'already finished or cancelled' }
      log(`rendering ${jobId} version ${n} (attempt ${version.attempts})`)
      const controller = new AbortController()
      const watcher = setInterval(async () => {
        const current = (await store.get(jobId).catch(() => null))?.versions.find((v) => v.n === n)
        if (!current || current.state !== 'running' || current.attempts !== version.attempts) controller.abort()
      }, CANCEL_POLL_MS)
      try {
        await pool.execute(store, paths, config.libraryDir, version, controller.signal, (update) => void job.updateProgress(update as unknown as object).catch(() => {}))
      } finally {
        clearInterval(watcher)
      }
      return { rendered: true }
    },
    { connection, concurrency: config.workerConcurrency, lockDuration, stalledInterval: lockDuration, maxStalledCount: 5 },
  )
  const probes = new Worker(
    PROBE_QUEUE,
    async (job) => (job.name === 'library-add' ? pool.libraryAdd(job.data.userDir, job.data.request) : pool.probe(job.data.path, job.data.what, job.data.maxDurationSeconds, job.data.mustHaveSound)),
    { connection, concurrency: 1 },
  )
  renders.on('error', (error) => log(`queue: ${error.message}`))
  probes.on('error', (error) => log(`queue: ${error.message}`))
  await Promise.all([renders.waitUntilReady(), probes.waitUntilReady()])

  return {
    async close() {
      await Promise.all([renders.close(), probes.close()])
      await pool.destroy()
      await store.close()
    },
  }
}
