import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { startRefmaster, type RefmasterProcess } from '../../bench/processes.js'

export type ServerProcess = RefmasterProcess

/** Starts the built server with `env` on top of an ephemeral port and a fresh (or the given) data folder. */
export async function startServer(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'refmaster-service-'))): Promise<ServerProcess> {
  return startRefmaster('serve', env, dataDir)
}

/** Starts `refmaster worker` (scale-out) with `env`. */
export async function startWorkerProcess(env: Record<string, string>, dataDir: string): Promise<ServerProcess> {
  return startRefmaster('worker', env, dataDir)
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
    const response = await fetch(`${base}/api/jobs/${id}`, { headers })
    // a rate-limited poll waits as a client would; any other error is the test's failure, not "not done yet"
    if (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      continue
    }
    if (!response.ok) throw new Error(`GET /api/jobs/${id} gave ${response.status} ${await response.text()}`)
    const job = await response.json()
    if (done(job)) return job
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} (${job.stage}) after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
