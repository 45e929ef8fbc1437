import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
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
    /** A version's attempt is written here and renamed to `v<n>` when every file is complete. */
    partialVersion: (jobId: string, n: number, attempt: number) => join(dataDir, 'jobs', jobId, partialName(n, attempt)),
  }
}
export type DataPaths = ReturnType<typeof dataPaths>

/** Folder name of one attempt at rendering version `n` (attempts never share a folder). */
export function partialName(n: number, attempt: number): string {
  return `v${n}.partial-${attempt}`
}

/** Removes the partial folders of version `n` left by attempts other than `keepAttempt`. */
export function removePartials(jobDir: string, n: number, keepAttempt?: number): void {
  if (!existsSync(jobDir)) return
  for (const name of readdirSync(jobDir)) {
    if (name.startsWith(`v${n}.partial-`) && name !== (keepAttempt === undefined ? '' : partialName(n, keepAttempt))) rmSync(join(jobDir, name), { recursive: true, force: true })
  }
}

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

/**
 * Creates the data folders. An API process clears uploads left by one that died mid-request; a worker
 * process (`keepUploads`), sharing the folder with running API processes, leaves them alone.
 */
export function prepareDataDir(paths: DataPaths, { keepUploads = false } = {}): void {
  if (!keepUploads) rmSync(paths.uploads, { recursive: true, force: true })
  mkdirSync(paths.uploads, { recursive: true })
  mkdirSync(paths.jobs, { recursive: true })
}
