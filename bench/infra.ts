import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Debian's PostgreSQL server binaries (the newest installed major version), or null. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
  return versions.length ? join(root, versions[0], 'bin') : null
}

const REDIS_SERVER = '/usr/bin/redis-server'

/** Why the scale-out tests cannot run here (null when Redis and PostgreSQL are installed). */
export function missingInfrastructure(): string | null {
  const missing = [existsSync(REDIS_SERVER) ? null : 'redis-server', postgresBin() ? null : 'postgresql'].filter(Boolean)
  return missing.length ? `not installed: ${missing.join(', ')} (.ci/run installs them from Debian)` : null
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk
      if (pattern.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}: ${output}`)))
  })
}

export interface RedisServer {
  url: string
  /** SIGKILL, as a crash. */
  kill(): Promise<void>
  /** Starts again on the same port and data folder (the append-only file brings the data back). */
  start(): Promise<void>
}

/** A Redis server on loopback with the append-only file on and fsync on every write (as the README sets it up). */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-redis-'))
  const port = await freePort()
  let child: ChildProcess
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] })
    await waitForOutput(child, /Ready to accept connections/, 'redis-server')
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async kill() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
  }
}

export interface PostgresServer {
  url: string
  stop(): Promise<void>
}

/** A PostgreSQL cluster of its own in a temporary folder, on loopback, with a `refmaster` database. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin()!
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-pg-'))
  const port = await freePort()
  // PostgreSQL refuses to run as root: as root, run it as the postgres user Debian's package creates.
  const asRoot = process.getuid?.() === 0
  const command = (program: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args])
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  execFileSync(...command('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']), { stdio: 'ignore' })
  const [program, args] = command('postgres', ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'])
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  await waitForOutput(child, /ready to accept connections/, 'postgres')
  execFileSync(...command('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'refmaster']))
  return {
    url: `postgres://postgres@127.0.0.1:${port}/refmaster`,
    async stop() {
      // runuser does not pass signals on: pg_ctl stops the server itself.
      const exited = new Promise((resolve) => child.once('exit', resolve))
      execFileSync(...command('pg_ctl', ['-D', join(dir, 'data'), 'stop', '-m', 'fast']), { stdio: 'ignore' })
      await exited
    },
  }
}
