import type { Command } from 'commander'
import { RefmasterError } from '../errors.js'
import { loadConfig } from '../service/config.js'
import { startService } from '../service/server.js'
import { startWorker } from '../service/worker-process.js'

/** Waits for SIGTERM or SIGINT, then runs `stop`. */
function onSignal(log: (line: string) => void, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`${signal}: ${what}`)
      stop().then(resolve, (error) => {
        log(`while stopping: ${error instanceof Error ? error.message : String(error)}`)
        resolve()
      })
    }
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('SIGINT', () => shutdown('SIGINT'))
  })
}

/** Registers `refmaster serve` (the API and the page) and `refmaster worker` (scale-out renders). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web page (settings from the environment: PORT, DATA_DIR, REDIS_URL, DATABASE_URL, ...; see the README)')
    .action(async () => {
      const config = loadConfig()
      const log = (line: string) => process.stdout.write(`refmaster serve: ${line}\n`)
      const service = await startService(config, log)
      const mode = config.redisUrl ? 'jobs go to the Redis queue (run refmaster worker)' : `${config.workerConcurrency} worker thread${config.workerConcurrency === 1 ? '' : 's'}`
      log(`listening on ${service.url} (data in ${config.dataDir}, ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}, ${mode}${config.apiToken ? ', bearer token required' : ''})`)
      await onSignal(log, `finishing running jobs (up to ${config.shutdownGraceSeconds} s), then stopping`, () => service.close())
      log('stopped')
    })
  program
    .command('worker')
    .description('render jobs from the Redis queue (REDIS_URL; DATABASE_URL and DATA_DIR shared with the API processes)')
    .action(async () => {
      const config = loadConfig()
      if (!config.redisUrl) throw new RefmasterError('USAGE', 'refmaster worker takes jobs from a queue: set REDIS_URL (and DATABASE_URL, DATA_DIR as for the API processes)')
      const log = (line: string) => process.stdout.write(`refmaster worker ${process.pid}: ${line}\n`)
      const worker = await startWorker(config, log)
      log(`ready (${config.workerConcurrency} at once, data in ${config.dataDir}, ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'})`)
      await onSignal(log, 'draining: running renders finish, no new ones start', () => worker.close())
      log('stopped')
    })
}
