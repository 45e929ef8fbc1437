import type { Server } from 'node:http'
import { rmSync } from 'node:fs'
import { openLibrary } from '../library/library.js'
import { createApp } from './app.js'
import { BullQueue } from './bull-queue.js'
import type { ServiceConfig } from './config.js'
import { dataPaths, prepareDataDir } from './files.js'
import { LocalQueue } from './local-queue.js'
import type { JobQueue } from './queue.js'
import { openJobStore } from './stores.js'
import { TrainingRunner } from './training-runner.js'

/** How often expired jobs are looked for (ms). */
const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000

export interface RunningService {
  server: Server
  url: string
  /** Stops accepting requests, lets running jobs finish (up to the grace time), closes the store. */
  close(): Promise<void>
}

/**
 * Starts the service: job store, queue (embedded worker threads, or BullMQ with REDIS_URL, where this
 * process renders nothing), training runner (child processes), retention sweep and HTTP listener.
 */
export async function startService(config: ServiceConfig, log: (line: string) => void = () => {}): Promise<RunningService> {
  const paths = dataPaths(config.dataDir)
  prepareDataDir(paths)
  const store = await openJobStore(config, paths)
  const queue: JobQueue = config.redisUrl ? new BullQueue(store, config, log) : new LocalQueue(store, paths, config)

  const sweep = async () => {
    try {
      for (const id of await store.expiredJobIds(Date.now() - config.retentionHours * 3600 * 1000)) {
        await store.delete(id)
        rmSync(paths.job(id), { recursive: true, force: true })
        log(`removed job ${id} (older than ${config.retentionHours} h)`)
      }
    } catch (error) {
      log(`retention sweep: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  await sweep()
  const sweeper = setInterval(() => void sweep(), RETENTION_SWEEP_INTERVAL_MS)
  sweeper.unref()

  await queue.start()
  const runner = new TrainingRunner(store, paths, config, log)
  runner.start()
  const app = createApp({ config, paths, store, queue, runner, library: openLibrary({ userDir: config.libraryDir }) })
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(listening)))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`

  let closing: Promise<void> | null = null
  return {
    server,
    url,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper)
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        await Promise.all([queue.stop(config.shutdownGraceSeconds), runner.stop()])
        server.closeAllConnections() // event streams stay open otherwise
        await stopped
        await store.close()
      })()
      return closing
    },
  }
}
