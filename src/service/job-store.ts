import type Database from 'better-sqlite3'
import type { OutputFormat } from '../audio/formats.js'
import type { Strengths } from '../chain/strengths.js'
import type { ErrorCode } from '../errors.js'
import type { MasterReport } from '../master.js'
import { jsonReplacer } from '../analysis/to-json.js'

/** What a job was asked to do; file paths are relative to the job's folder, never a client's name. */
export interface JobRequest {
  mix: { name: string; file: string }
  references: Array<{ name: string; file: string; weight: number }>
  /** Playback target; null: "reference" with references, else "streaming". */
  target: string | null
  formats: OutputFormat[]
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

interface VersionRow {
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
  created_at: number
  finished_at: number | null
}

function versionOf(row: VersionRow): VersionRecord {
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
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  }
}

/** Jobs and their versions in SQLite; every state change is one statement or one transaction. */
export class JobStore {
  constructor(private readonly db: Database.Database) {}

  /** Creates a job with its first version, queued. */
  create(id: string, request: JobRequest, strengths: Partial<Strengths>, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO jobs (id, created_at, request) VALUES (?, ?, ?)').run(id, now, JSON.stringify(request))
      this.db.prepare("INSERT INTO versions (job_id, n, strengths, state, created_at) VALUES (?, 1, ?, 'queued', ?)").run(id, JSON.stringify(strengths), now)
    })()
  }

  /** Queues a new version with other strengths; returns its number. */
  addVersion(jobId: string, strengths: Partial<Strengths>, now = Date.now()): number {
    return this.db.transaction(() => {
      const n = (this.db.prepare('SELECT MAX(n) FROM versions WHERE job_id = ?').pluck().get(jobId) as number) + 1
      this.db.prepare("INSERT INTO versions (job_id, n, strengths, state, created_at) VALUES (?, ?, ?, 'queued', ?)").run(jobId, n, JSON.stringify(strengths), now)
      return n
    })()
  }

  get(id: string): JobRecord | null {
    const job = this.db.prepare('SELECT id, created_at, request FROM jobs WHERE id = ?').get(id) as { id: string; created_at: number; request: string } | undefined
    if (!job) return null
    const rows = this.db.prepare('SELECT * FROM versions WHERE job_id = ? ORDER BY n').all(id) as VersionRow[]
    return { id: job.id, createdAt: job.created_at, request: JSON.parse(job.request), versions: rows.map(versionOf) }
  }

  /** Marks the oldest queued version running (one transaction, so two dispatchers never take the same one). */
  claimNext(): VersionRecord | null {
    return this.db.transaction(() => {
      const row = this.db.prepare("SELECT * FROM versions WHERE state = 'queued' ORDER BY created_at, job_id, n LIMIT 1").get() as VersionRow | undefined
      if (!row) return null
      this.db.prepare("UPDATE versions SET state = 'running', attempts = attempts + 1, stage = 'starting' WHERE job_id = ? AND n = ?").run(row.job_id, row.n)
      return versionOf({ ...row, state: 'running', attempts: row.attempts + 1, stage: 'starting' })
    })()
  }

  setProgress(jobId: string, n: number, progress: number, stage: string): void {
    this.db.prepare("UPDATE versions SET progress = ?, stage = ? WHERE job_id = ? AND n = ? AND state = 'running'").run(progress, stage, jobId, n)
  }

  finish(jobId: string, n: number, outcome: { state: 'done'; report: MasterReport } | { state: 'failed'; code: ErrorCode; message: string } | { state: 'cancelled' }, now = Date.now()): void {
    const report = outcome.state === 'done' ? JSON.stringify(outcome.report, jsonReplacer) : null
    const code = outcome.state === 'failed' ? outcome.code : null
    const message = outcome.state === 'failed' ? outcome.message : null
    const stage = outcome.state === 'done' ? 'done' : outcome.state
    this.db
      .prepare('UPDATE versions SET state = ?, report = ?, error_code = ?, error_message = ?, finished_at = ?, stage = ?, progress = CASE WHEN ? THEN 1 ELSE progress END WHERE job_id = ? AND n = ?')
      .run(outcome.state, report, code, message, now, stage, outcome.state === 'done' ? 1 : 0, jobId, n)
  }

  /** Cancels the job's queued or running versions; returns those that were running (to stop their workers). */
  cancelUnfinished(jobId: string, now = Date.now()): number[] {
    return this.db.transaction(() => {
      const running = this.db.prepare("SELECT n FROM versions WHERE job_id = ? AND state = 'running'").pluck().all(jobId) as number[]
      this.db.prepare("UPDATE versions SET state = 'cancelled', stage = 'cancelled', finished_at = ? WHERE job_id = ? AND state IN ('queued', 'running')").run(now, jobId)
      return running
    })()
  }

  delete(jobId: string): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(jobId)
  }

  /** After a crash: versions left running are queued again (their partial output is discarded by the runner). */
  requeueInterrupted(): Array<{ jobId: string; n: number }> {
    return this.db.transaction(() => {
      const rows = this.db.prepare("SELECT job_id AS jobId, n FROM versions WHERE state = 'running'").all() as Array<{ jobId: string; n: number }>
      this.db.prepare("UPDATE versions SET state = 'queued', progress = 0, stage = 'waiting (resumed after a restart)' WHERE state = 'running'").run()
      return rows
    })()
  }

  countQueued(): number {
    return this.db.prepare("SELECT COUNT(*) FROM versions WHERE state = 'queued'").pluck().get() as number
  }

  /** Jobs with nothing queued or running whose last version finished before `cutoff` (ms since the epoch). */
  expiredJobIds(cutoff: number): string[] {
    return this.db
      .prepare("SELECT job_id FROM versions GROUP BY job_id HAVING SUM(state IN ('queued', 'running')) = 0 AND MAX(COALESCE(finished_at, created_at)) < ?")
      .pluck()
      .all(cutoff) as string[]
  }
}
