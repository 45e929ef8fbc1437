import { jsonReplacer } from '../analysis/to-json.js'
import type { OutputFormat } from '../audio/formats.js'
import type { Strengths } from '../chain/strengths.js'
import type { ErrorCode } from '../errors.js'
import type { MasterReport } from '../master.js'
import type { ModelStore } from './model-store.js'

/** What a job was asked to do; file paths are relative to the job's folder, never a client's name. */
export interface JobRequest {
  mix: { name: string; file: string }
  references: Array<{ name: string; file: string; weight: number }>
  /** Genre targets (from the reference library) instead of references; absent in jobs made before genres. */
  genres?: Array<{ name: string; weight: number }>
  /** Playback target; null: "reference" with references, else "streaming". */
  target: string | null
  formats: OutputFormat[]
  /** The settings source chosen when the job was made ('analytic', 'default' or a trained model's id); absent in older jobs: analytic. */
  settings?: string
}

export type VersionState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'
export const TERMINAL_STATES: readonly VersionState[] = ['done', 'failed', 'cancelled']

/** One rendering of a job with its strengths: version 1 analyses and masters, later ones re-render. */
export interface VersionRecord {
  jobId: string
  n: number
  strengths: Partial<Strengths>
  state: VersionState
  progress: number
  stage: string
  error: { code: ErrorCode; message: string } | null
  report: MasterReport | null
  attempts: number
  createdAt: number
  finishedAt: number | null
}

export interface JobRecord {
  id: string
  createdAt: number
  request: JobRequest
  versions: VersionRecord[]
}

export type VersionOutcome = { state: 'done'; report: MasterReport } | { state: 'failed'; code: ErrorCode; message: string } | { state: 'cancelled' }

/**
 * Where jobs and their versions live (SQLite embedded, PostgreSQL scaled out). Every state change is
 * one statement or one transaction, and the state machine is enforced in the statements: a version is
 * claimed only while queued and finished only while running, so a retried delivery cannot finish twice.
 */
export interface JobStore extends ModelStore {
  /** Creates a job with its first version, queued. */
  create(id: string, request: JobRequest, strengths: Partial<Strengths>): Promise<void>
  /** Queues a new version with other strengths; returns its number. */
  addVersion(jobId: string, strengths: Partial<Strengths>): Promise<number>
  get(id: string): Promise<JobRecord | null>
  /**
   * Marks that version running if it is queued (or, with `takeOver`, also if it is running: a queue
   * re-delivering the work of a worker that died); null otherwise (done, failed, cancelled, or taken).
   */
  claim(jobId: string, n: number, takeOver?: boolean): Promise<VersionRecord | null>
  /** Claims the oldest queued version (the embedded queue's dispatcher). */
  claimNext(): Promise<VersionRecord | null>
  setProgress(jobId: string, n: number, progress: number, stage: string): Promise<void>
  /**
   * Records the outcome of attempt `attempt` of a running version; false if the version is no longer
   * running under that attempt (cancelled meanwhile, finished, or taken over after its worker was lost).
   */
  finish(jobId: string, n: number, attempt: number, outcome: VersionOutcome): Promise<boolean>
  /** Cancels the job's queued and running versions; returns the numbers of those that were running. */
  cancelUnfinished(jobId: string): Promise<number[]>
  delete(jobId: string): Promise<void>
  /** Puts versions left running by a dead process back in the queue; returns them. */
  requeueRunning(): Promise<Array<{ jobId: string; n: number }>>
  /** Versions queued (waiting), and running. */
  counts(): Promise<{ queued: number; running: number }>
  /** Render times (s, start to finish) of versions finished since `since` (ms since the epoch), by outcome. */
  recentDurations(since: number): Promise<Array<{ state: 'done' | 'failed'; seconds: number }>>
  /** Versions queued or running since before `ageMs` ago (for re-delivery when a queue lost them). */
  unfinishedOlderThan(ageMs: number): Promise<Array<{ jobId: string; n: number }>>
  /** Jobs with nothing queued or running whose last version finished before `cutoff` (ms since the epoch). */
  expiredJobIds(cutoff: number): Promise<string[]>
  close(): Promise<void>
}

/** Row shape shared by both stores (snake_case columns). */
export interface VersionRow {
  job_id: string
  n: number
  strengths: string
  state: VersionState
  progress: number
  stage: string
  error_code: ErrorCode | null
  error_message: string | null
  report: string | null
  attempts: number
  created_at: number | string
  finished_at: number | string | null
}

export function versionOf(row: VersionRow): VersionRecord {
  return {
    jobId: row.job_id,
    n: row.n,
    strengths: JSON.parse(row.strengths),
    state: row.state,
    progress: row.progress,
    stage: row.stage,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    report: row.report ? JSON.parse(row.report) : null,
    attempts: row.attempts,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  }
}

/** The columns an outcome sets (shared by both stores). */
export function outcomeColumns(outcome: VersionOutcome) {
  return {
    report: outcome.state === 'done' ? JSON.stringify(outcome.report, jsonReplacer) : null,
    code: outcome.state === 'failed' ? outcome.code : null,
    message: outcome.state === 'failed' ? outcome.message : null,
    progress: outcome.state === 'done' ? 1 : null,
  }
}
