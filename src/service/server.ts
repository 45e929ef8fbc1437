import type { Server } from 'node:http'
import { rmSync } from 'node:fs'
import { createApp } from './app.js'
import type { ServiceConfig } from './config.js'
import { openDatabase } from './db.js'
import { dataPaths, prepareDataDir } from './files.js'
import { JobStore } from './job-store.js'
import { JobRunner } from './runner.js'

/** How often expired jobs are looked for (ms). */
const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000

export interface RunningService {
  server: Server
  url: string
  /** Stops accepting requests, lets running jobs finish (up to the grace time), closes the database. */
  close(): Promise<void>
}

/** Starts the service: database, job runner (resuming interrupted jobs), retention sweep and HTTP listener. */
export async function startService(config: ServiceConfig, log: (line: string) => void = () => {}): Promise<RunningService> {
  const paths = dataPaths(config.dataDir)
  prepareDataDir(paths)
  const db = openDatabase(paths.database)
  const store = new JobStore(db)
  const runner = new JobRunner(store, paths, config)
  runner.setMaxListeners(0)

  const sweep = () => {
    for (const id of store.expiredJobIds(Date.now() - config.retentionHours * 3600 * 1000)) {
      store.delete(id)
      rmSync(paths.job(id), { recursive: true, force: true })
      log(`removed job ${id} (older than ${config.retentionHours} h)`)
    }
  }
  sweep()
  const sweeper = setInterval(sweep, RETENTION_SWEEP_INTERVAL_MS)
  sweeper.unref()

  runner.start()
  const app = createApp({ config, paths, store, runner })
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
        await runner.stop(config.shutdownGraceSeconds)
        server.closeAllConnections() // event streams stay open otherwise
        await stopped
        db.close()
      })()
      return closing
    },
  }
}
