/**
 * A lock on the user library folder, for changes made by several processes at once (API processes on a
 * shared DATA_DIR, the CLI beside a running service): a folder made with mkdir, which fails when it
 * exists, so exactly one process holds it. The changes it guards take milliseconds (re-read the
 * manifest, copy one file, write two small files); a lock left by a process that died holding it is
 * broken once it is older than LOCK_STALE_MS.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { RefmasterError } from '../errors.js'

const LOCK_NAME = '.lock'
/** A lock this old was left by a dead process (a change holds it for milliseconds). */
const LOCK_STALE_MS = 30_000
/** How long to wait for the lock before giving up, and how long to sleep between tries (ms). */
const LOCK_WAIT_MS = 10_000
const LOCK_RETRY_MS = 10

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Runs `change` while holding the lock on `dir` (created if needed). */
export function withLibraryLock<T>(dir: string, change: () => T): T {
  mkdirSync(dir, { recursive: true })
  const lock = join(dir, LOCK_NAME)
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let age = 0
      try {
        age = Date.now() - statSync(lock).mtimeMs
      } catch {
        continue // released meanwhile
      }
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new RefmasterError('UNAVAILABLE', `the library '${dir}' stays locked by another process (${lock}): retry, or remove the folder if no refmaster is running`)
      else Atomics.wait(sleeper, 0, 0, LOCK_RETRY_MS)
    }
  }
  try {
    return change()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
