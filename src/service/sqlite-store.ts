import Database from 'better-sqlite3'
import type { Strengths } from '../chain/strengths.js'
import { outcomeColumns, versionOf, type JobRecord, type JobRequest, type JobStore, type VersionOutcome, type VersionRecord, type VersionRow } from './job-store.js'
import { ACTIVE_MODEL_KEY, trainingMigration, trainingOf, type TrainingOutcome, type TrainingRecord, type TrainingRequest, type TrainingRow } from './model-store.js'

/** Schema migrations, applied in order once each (the `schema_migrations` table records them). */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     request TEXT NOT NULL
   );
   CREATE TABLE versions (
     job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     n INTEGER NOT NULL,
     strengths TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
     progress REAL NOT NULL DEFAULT 0,
     stage TEXT NOT NULL DEFAULT 'waiting',
     error_code TEXT,
     error_message TEXT,
     report TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     finished_at INTEGER,
     PRIMARY KEY (job_id, n)
   );
   CREATE INDEX versions_by_state ON versions(state, created_at);`,
  `ALTER TABLE versions ADD COLUMN started_at INTEGER;
   CREATE INDEX versions_by_finish ON versions(finished_at);`,
  trainingMigration({ time: 'INTEGER', real: 'REAL' }),
]

/** Opens (creating if needed) an SQLite database in WAL mode and brings its schema up to date. */
export function openSqlite(path: string): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
  const apply = db.transaction((version: number, sql: string) => {
    db.exec(sql)
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now())
  })
  SQLITE_MIGRATIONS.forEach((sql, index) => {
    if (!applied.has(index + 1)) apply(index + 1, sql)
  })
  return db
}

/** The embedded job store: one SQLite file under DATA_DIR (synchronous inside, async at the interface). */
export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database

  constructor(path: string) {
    this.db = openSqlite(path)
  }

  async create(id: string, request: JobRequest, strengths: Partial<Strengths>): Promise<void> {
    const now = Date.now()
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO jobs (id, created_at, request) VALUES (?, ?, ?)').run(id, now, JSON.stringify(request))
      this.db.prepare("INSERT INTO versions (job_id, n, strengths, state, created_at) VALUES (?, 1, ?, 'queued', ?)").run(id, JSON.stringify(strengths), now)
    })()
  }

  async addVersion(jobId: string, strengths: Partial<Strengths>): Promise<number> {
    return this.db.transaction(() => {
      const n = (this.db.prepare('SELECT MAX(n) FROM versions WHERE job_id = ?').pluck().get(jobId) as number) + 1
      this.db.prepare("INSERT INTO versions (job_id, n, strengths, state, created_at) VALUES (?, ?, ?, 'queued', ?)").run(jobId, n, JSON.stringify(strengths), Date.now())
      return n
    })()
  }

  async get(id: string): Promise<JobRecord | null> {
    const job = this.db.prepare('SELECT id, created_at, request FROM jobs WHERE id = ?').get(id) as { id: string; created_at: number; request: string } | undefined
    if (!job) return null
    const rows = this.db.prepare('SELECT * FROM versions WHERE job_id = ? ORDER BY n').all(id) as VersionRow[]
    return { id: job.id, createdAt: job.created_at, request: JSON.parse(job.request), versions: rows.map(versionOf) }
  }

  async claim(jobId: string, n: number, takeOver = false): Promise<VersionRecord | null> {
    const row = this.db
      .prepare(`UPDATE versions SET state = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, started_at = unixepoch('subsec') * 1000 WHERE job_id = ? AND n = ? AND state IN ('queued'${takeOver ? ", 'running'" : ''}) RETURNING *`)
      .get(jobId, n) as VersionRow | undefined
    return row ? versionOf(row) : null
  }

  async claimNext(): Promise<VersionRecord | null> {
    const row = this.db
      .prepare("UPDATE versions SET state = 'running', attempts = attempts + 1, stage = 'starting', started_at = unixepoch('subsec') * 1000 WHERE rowid = (SELECT rowid FROM versions WHERE state = 'queued' ORDER BY created_at, job_id, n LIMIT 1) RETURNING *")
      .get() as VersionRow | undefined
    return row ? versionOf(row) : null
  }

  async setProgress(jobId: string, n: number, progress: number, stage: string): Promise<void> {
    this.db.prepare("UPDATE versions SET progress = ?, stage = ? WHERE job_id = ? AND n = ? AND state = 'running'").run(progress, stage, jobId, n)
  }

  async finish(jobId: string, n: number, attempt: number, outcome: VersionOutcome): Promise<boolean> {
    const { report, code, message, progress } = outcomeColumns(outcome)
    const result = this.db
      .prepare("UPDATE versions SET state = ?, report = ?, error_code = ?, error_message = ?, finished_at = ?, stage = ?, progress = COALESCE(?, progress) WHERE job_id = ? AND n = ? AND state = 'running' AND attempts = ?")
      .run(outcome.state, report, code, message, Date.now(), outcome.state, progress, jobId, n, attempt)
    return result.changes === 1
  }

  async cancelUnfinished(jobId: string): Promise<number[]> {
    return this.db.transaction(() => {
      const running = this.db.prepare("SELECT n FROM versions WHERE job_id = ? AND state = 'running'").pluck().all(jobId) as number[]
      this.db.prepare("UPDATE versions SET state = 'cancelled', stage = 'cancelled', finished_at = ? WHERE job_id = ? AND state IN ('queued', 'running')").run(Date.now(), jobId)
      return running
    })()
  }

  async delete(jobId: string): Promise<void> {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(jobId)
  }

  async requeueRunning(): Promise<Array<{ jobId: string; n: number }>> {
    return this.db
      .prepare("UPDATE versions SET state = 'queued', progress = 0, stage = 'waiting (resumed after a restart)' WHERE state = 'running' RETURNING job_id AS jobId, n")
      .all() as Array<{ jobId: string; n: number }>
  }

  async unfinishedOlderThan(ageMs: number): Promise<Array<{ jobId: string; n: number }>> {
    return this.db.prepare("SELECT job_id AS jobId, n FROM versions WHERE state IN ('queued', 'running') AND created_at < ? ORDER BY created_at").all(Date.now() - ageMs) as Array<{ jobId: string; n: number }>
  }

  async counts(): Promise<{ queued: number; running: number }> {
    const row = this.db.prepare("SELECT SUM(state = 'queued') AS queued, SUM(state = 'running') AS running FROM versions").get() as { queued: number | null; running: number | null }
    return { queued: row.queued ?? 0, running: row.running ?? 0 }
  }

  async recentDurations(since: number): Promise<Array<{ state: 'done' | 'failed'; seconds: number }>> {
    return this.db
      .prepare("SELECT state, (finished_at - started_at) / 1000.0 AS seconds FROM versions WHERE finished_at >= ? AND started_at IS NOT NULL AND state IN ('done', 'failed')")
      .all(since) as Array<{ state: 'done' | 'failed'; seconds: number }>
  }

  async expiredJobIds(cutoff: number): Promise<string[]> {
    return this.db
      .prepare("SELECT job_id FROM versions GROUP BY job_id HAVING SUM(state IN ('queued', 'running')) = 0 AND MAX(COALESCE(finished_at, created_at)) < ?")
      .pluck()
      .all(cutoff) as string[]
  }

  async createTraining(id: string, request: TrainingRequest): Promise<void> {
    this.db.prepare("INSERT INTO trainings (id, request, state, created_at) VALUES (?, ?, 'queued', ?)").run(id, JSON.stringify(request), Date.now())
  }

  async getTraining(id: string): Promise<TrainingRecord | null> {
    const row = this.db.prepare('SELECT * FROM trainings WHERE id = ?').get(id) as TrainingRow | undefined
    return row ? trainingOf(row) : null
  }

  async listTrainings(): Promise<TrainingRecord[]> {
    return (this.db.prepare('SELECT * FROM trainings ORDER BY created_at DESC, id').all() as TrainingRow[]).map(trainingOf)
  }

  async claimTraining(staleBefore: number): Promise<TrainingRecord | null> {
    const row = this.db
      .prepare(
        `UPDATE trainings SET state = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, detail = NULL, heartbeat_at = ?
         WHERE id = (SELECT id FROM trainings WHERE state = 'queued' OR (state = 'running' AND COALESCE(heartbeat_at, 0) < ?) ORDER BY created_at LIMIT 1) RETURNING *`,
      )
      .get(Date.now(), staleBefore) as TrainingRow | undefined
    return row ? trainingOf(row) : null
  }

  async trainingProgress(id: string, attempt: number, progress: number, stage: string, detail: Record<string, number> | null): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE trainings SET progress = ?, stage = ?, detail = ?, heartbeat_at = ? WHERE id = ? AND state = 'running' AND attempts = ?")
      .run(progress, stage, detail && JSON.stringify(detail), Date.now(), id, attempt)
    return result.changes === 1
  }

  async finishTraining(id: string, attempt: number, outcome: TrainingOutcome): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE trainings SET state = ?, stage = ?, summary = ?, error_code = ?, error_message = ?, progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END, finished_at = ? WHERE id = ? AND state = 'running' AND attempts = ?")
      .run(outcome.state, outcome.state, outcome.state === 'done' ? JSON.stringify(outcome.summary) : null, outcome.state === 'failed' ? outcome.code : null, outcome.state === 'failed' ? outcome.message : null, outcome.state, Date.now(), id, attempt)
    return result.changes === 1
  }

  async cancelTraining(id: string): Promise<boolean> {
    const result = this.db.prepare("UPDATE trainings SET state = 'cancelled', stage = 'cancelled', finished_at = ? WHERE id = ? AND state IN ('queued', 'running')").run(Date.now(), id)
    return result.changes === 1
  }

  async deleteTraining(id: string): Promise<void> {
    this.db.prepare('DELETE FROM trainings WHERE id = ?').run(id)
  }

  async activeModel(): Promise<string | null> {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(ACTIVE_MODEL_KEY) as string | undefined) ?? null
  }

  async setActiveModel(id: string): Promise<void> {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(ACTIVE_MODEL_KEY, id)
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
