import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
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
    models: join(dataDir, 'models'),
    /** A trained model's folder (model.json, weights.bin, card.json); a run writes `<id>.partial-<attempt>` first. */
    model: (id: string) => join(dataDir, 'models', id),
    /** Synthesised training examples, kept between runs (training/cache.ts). */
    trainingCache: join(dataDir, 'cache', 'training'),
  }
}
export type DataPaths = ReturnType<typeof dataPaths>

/** Folder name of one attempt at rendering version `n` (attempts never share a folder). */
export function partialName(n: number, attempt: number): string {
  return `v${n}.partial-${attempt}`
}

/** Removes every partial folder of version `n` (attempts that died before renaming theirs). */
export function removePartials(jobDir: string, n: number): void {
  if (!existsSync(jobDir)) return
  for (const name of readdirSync(jobDir)) if (name.startsWith(`v${n}.partial-`)) rmSync(join(jobDir, name), { recursive: true, force: true })
}

/**
 * Creates the data folders. An API process clears uploads left by one that died mid-request; a worker
 * process (`keepUploads`), sharing the folder with running API processes, leaves them alone.
 */
export function prepareDataDir(paths: DataPaths, { keepUploads = false } = {}): void {
  if (!keepUploads) rmSync(paths.uploads, { recursive: true, force: true })
  mkdirSync(paths.uploads, { recursive: true })
  mkdirSync(paths.jobs, { recursive: true })
  mkdirSync(paths.models, { recursive: true })
}
