import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { BIN } from './cli.js'

/** A `refmaster serve` process on an ephemeral port, as a user starts it. */
export interface ServerProcess {
  url: string
  dataDir: string
  child: ChildProcess
  output: () => string
  /** SIGTERM, then waits for the exit; resolves to the exit code. */
  stop: () => Promise<number | null>
  kill: () => Promise<void>
}

/** Starts the built server with `env` on top of an ephemeral port and a fresh (or the given) data folder. */
export async function startServer(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'refmaster-service-'))): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: '0', DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000)
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    exited.then((code) => reject(new Error(`server exited with ${code}: ${output}`)))
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

/** A multipart form with files from disk: [field, path] pairs and plain fields. */
export function form(files: Array<[string, string]>, fields: Array<[string, string]> = []): FormData {
  const data = new FormData()
  for (const [field, path] of files) data.append(field, new Blob([readFileSync(path)]), basename(path))
  for (const [field, value] of fields) data.append(field, value)
  return data
}

/** Reads a server-sent event stream to its end; returns the events in order. */
export async function readEvents(url: string, init: RequestInit = {}): Promise<Array<{ event: string; data: any }>> {
  const response = await fetch(url, init)
  if (!response.ok) throw new Error(`events: HTTP ${response.status}`)
  const text = await response.text()
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n')
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) }
    })
}

/** Polls a job until `done(job)` holds (or the timeout passes). */
export async function waitForJob(base: string, id: string, done: (job: any) => boolean = (job) => ['done', 'failed', 'cancelled'].includes(job.state), timeoutMs = 120_000, headers: Record<string, string> = {}): Promise<any> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const job = await (await fetch(`${base}/api/jobs/${id}`, { headers })).json()
    if (done(job)) return job
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} (${job.stage}) after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
