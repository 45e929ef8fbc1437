import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './paths.js'

/** The built `refmaster` command (npm ci builds it). */
export const REFMASTER_BIN = join(REPO_ROOT, 'bin', 'refmaster.js')

/** A `refmaster serve` or `refmaster worker` process, started as a user starts it. */
export interface RefmasterProcess {
  /** The API's URL (empty for a worker). */
  url: string
  dataDir: string
  child: ChildProcess
  output: () => string
  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  stop: () => Promise<number | null>
  /** SIGKILL, as a crash. */
  kill: () => Promise<void>
}

const READY = { serve: /listening on (http:\/\/\S+)/, worker: /(ready) \(/ }

/** Starts `refmaster <command>` with `env` on an ephemeral port and waits until it is ready. */
export async function startRefmaster(command: 'serve' | 'worker', env: Record<string, string>, dataDir: string): Promise<RefmasterProcess> {
  const child = spawn(process.execPath, [REFMASTER_BIN, command], { env: { ...process.env, PORT: '0', DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${output}`)), 60_000)
    child.stdout!.on('data', () => {
      const match = READY[command].exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] === 'ready' ? '' : match[1])
      }
    })
    exited.then((code) => reject(new Error(`${command} exited with ${code}: ${output}`)))
  })
  return {
    url,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}
