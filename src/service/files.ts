import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Bytes of randomness in a job id: 128 bits, unguessable (RFC 4122's bar for random identifiers). */
const ID_BYTES = 16

/** A new unguessable id (base64url, 22 characters). */
export function newId(): string {
  return randomBytes(ID_BYTES).toString('base64url')
}

/** Job ids are exactly what `newId` makes: anything else is refused before it can reach a path. */
export function isId(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text)
}

/** Where everything lives under DATA_DIR. */
export function dataPaths(dataDir: string) {
  return {
    database: join(dataDir, 'refmaster.db'),
    uploads: join(dataDir, 'uploads'),
    jobs: join(dataDir, 'jobs'),
    job: (jobId: string) => join(dataDir, 'jobs', jobId),
    version: (jobId: string, n: number) => join(dataDir, 'jobs', jobId, `v${n}`),
    /** A version is written here and renamed to its own folder when every file is complete. */
    partialVersion: (jobId: string, n: number) => join(dataDir, 'jobs', jobId, `v${n}.partial`),
  }
}
export type DataPaths = ReturnType<typeof dataPaths>

/** Writes a file atomically: a temporary sibling, then a rename (a reader sees the old file or the new one). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    writeFileSync(temporary, data)
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

/** Creates the data folders; clears uploads left by a process that died mid-request. */
export function prepareDataDir(paths: DataPaths): void {
  rmSync(paths.uploads, { recursive: true, force: true })
  mkdirSync(paths.uploads, { recursive: true })
  mkdirSync(paths.jobs, { recursive: true })
}
