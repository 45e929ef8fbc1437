import type { EventEmitter } from 'node:events'
import type { AddTrackRequest } from '../library/library.js'
import type { LibraryTrack } from '../library/manifest.js'

/** A progress report of a running version (streamed to the page; stored less often). */
export interface ProgressUpdate {
  n: number
  fraction: number
  stage: string
}

/**
 * How jobs reach the CPU: in-process worker threads (embedded), or a BullMQ queue on Redis served by
 * `refmaster worker` processes (scaled out). The API talks only to this. Emits `update` (jobId,
 * progress?) when a job's progress or state changes.
 */
export interface JobQueue extends EventEmitter {
  /** Starts delivering (embedded: resumes what a dead process left running). */
  start(): Promise<void>
  /** Hands a queued version (already in the job store) to the workers. */
  submit(jobId: string, n: number): Promise<void>
  /** Decodes an upload on a worker; throws the RefmasterError that names its problem. */
  probe(path: string, what: string, mustHaveSound: boolean): Promise<void>
  /** Files an uploaded track in the user's reference library on a worker; throws what names its problem. */
  libraryAdd(request: AddTrackRequest): Promise<LibraryTrack>
  /** Cancels the job's queued and running versions (the store records it); resolves when work has stopped. */
  cancel(jobId: string): Promise<void>
  /** Versions waiting in the queue itself (for /metrics). */
  depth(): Promise<number>
  /** Throws when a dependency (Redis) is unreachable (for /readyz). */
  ready(): Promise<void>
  /** Stops taking work; running work gets `graceSeconds`, then is left for the next start. */
  stop(graceSeconds: number): Promise<void>
}
