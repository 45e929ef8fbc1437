import type { Command } from 'commander'
import { loadConfig } from '../service/config.js'
import { startService } from '../service/server.js'

/** Registers `refmaster serve`: the HTTP API and the page, configured from the environment (README). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API and the web page (settings from the environment: PORT, DATA_DIR, ...; see the README)')
    .action(async () => {
      const config = loadConfig()
      const log = (line: string) => process.stdout.write(`refmaster serve: ${line}\n`)
      const service = await startService(config, log)
      log(`listening on ${service.url} (data in ${config.dataDir}, ${config.workerConcurrency} worker${config.workerConcurrency === 1 ? '' : 's'}${config.apiToken ? ', bearer token required' : ''})`)
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log(`${signal}: finishing running jobs (up to ${config.shutdownGraceSeconds} s), then stopping`)
          service.close().then(resolve, resolve)
        }
        process.once('SIGTERM', () => shutdown('SIGTERM'))
        process.once('SIGINT', () => shutdown('SIGINT'))
      })
      log('stopped')
    })
}
