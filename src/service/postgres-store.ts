import pg from 'pg'
import type { Strengths } from '../chain/strengths.js'
import { outcomeColumns, versionOf, type JobRecord, type JobRequest, type JobStore, type VersionOutcome, type VersionRecord, type VersionRow } from './job-store.js'
import { ACTIVE_MODEL_KEY, trainingMigration, trainingOf, type TrainingOutcome, type TrainingRecord, type TrainingRequest, type TrainingRow } from './model-store.js'

/** Schema migrations, applied in order once each under an advisory lock (several processes start at once). */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     created_at BIGINT NOT NULL,
     request TEXT NOT NULL
   );
   CREATE TABLE versions (
     job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
     n INTEGER NOT NULL,
     strengths TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
     progress DOUBLE PRECISION NOT NULL DEFAULT 0,
     stage TEXT NOT NULL DEFAULT 'waiting',
     error_code TEXT,
     error_message TEXT,
     report TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL,
     finished_at BIGINT,
     started_at BIGINT,
     PRIMARY KEY (job_id, n)
   );
   CREATE INDEX versions_by_state ON versions(state, created_at);
   CREATE INDEX versions_by_finish ON versions(finished_at);`,
  trainingMigration({ time: 'BIGINT', real: 'DOUBLE PRECISION' }),
]
/** Key of the advisory lock that serialises migrations (any constant shared by all processes). */
const MIGRATION_LOCK_KEY = 0x7265666d // "refm"
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint'

/** The scaled-out job store: PostgreSQL (DATABASE_URL), shared by every API and worker process. */
export class PostgresJobStore implements JobStore {
  private readonly pool: pg.Pool

  private constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 10 })
    this.pool.on('error', () => {}) // an idle client's lost connection: the next query reconnects
  }

  /** Connects and brings the schema up to date. */
  static async open(url: string): Promise<PostgresJobStore> {
    const store = new PostgresJobStore(url)
    const client = await store.pool.connect()
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)')
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((row) => row.version as number))
      for (const [index, sql] of POSTGRES_MIGRATIONS.entries()) {
        if (applied.has(index + 1)) continue
        await client.query('BEGIN')
        await client.query(sql)
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [index + 1, Date.now()])
        await client.query('COMMIT')
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
      client.release()
    }
    return store
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  async create(id: string, request: JobRequest, strengths: Partial<Strengths>): Promise<void> {
    const now = Date.now()
    await this.transaction(async (client) => {
      await client.query('INSERT INTO jobs (id, created_at, request) VALUES ($1, $2, $3)', [id, now, JSON.stringify(request)])
      await client.query("INSERT INTO versions (job_id, n, strengths, state, created_at) VALUES ($1, 1, $2, 'queued', $3)", [id, JSON.stringify(strengths), now])
    })
  }

  async addVersion(jobId: string, strengths: Partial<Strengths>): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT id FROM jobs WHERE id = $1 FOR UPDATE', [jobId])
      const { rows } = await client.query(
        "INSERT INTO versions (job_id, n, strengths, state, created_at) SELECT $1, MAX(n) + 1, $2, 'queued', $3 FROM versions WHERE job_id = $1 RETURNING n",
        [jobId, JSON.stringify(strengths), Date.now()],
      )
      return rows[0].n as number
    })
  }

  async get(id: string): Promise<JobRecord | null> {
    const job = (await this.pool.query('SELECT id, created_at, request FROM jobs WHERE id = $1', [id])).rows[0]
    if (!job) return null
    const rows = (await this.pool.query('SELECT * FROM versions WHERE job_id = $1 ORDER BY n', [id])).rows as VersionRow[]
    return { id: job.id, createdAt: Number(job.created_at), request: JSON.parse(job.request), versions: rows.map(versionOf) }
  }

  async claim(jobId: string, n: number, takeOver = false): Promise<VersionRecord | null> {
    const states = takeOver ? ['queued', 'running'] : ['queued']
    const { rows } = await this.pool.query(
      `UPDATE versions SET state = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, started_at = ${NOW_MS} WHERE job_id = $1 AND n = $2 AND state = ANY($3) RETURNING *`,
      [jobId, n, states],
    )
    return rows[0] ? versionOf(rows[0]) : null
  }

  async claimNext(): Promise<VersionRecord | null> {
    const { rows } = await this.pool.query(
      `UPDATE versions SET state = 'running', attempts = attempts + 1, stage = 'starting', started_at = ${NOW_MS}
       WHERE (job_id, n) = (SELECT job_id, n FROM versions WHERE state = 'queued' ORDER BY created_at, job_id, n LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`,
    )
    return rows[0] ? versionOf(rows[0]) : null
  }

  async setProgress(jobId: string, n: number, progress: number, stage: string): Promise<void> {
    await this.pool.query("UPDATE versions SET progress = $1, stage = $2 WHERE job_id = $3 AND n = $4 AND state = 'running'", [progress, stage, jobId, n])
  }

  async finish(jobId: string, n: number, attempt: number, outcome: VersionOutcome): Promise<boolean> {
    const { report, code, message, progress } = outcomeColumns(outcome)
    const result = await this.pool.query(
      "UPDATE versions SET state = $1, report = $2, error_code = $3, error_message = $4, finished_at = $5, stage = $1, progress = COALESCE($6, progress) WHERE job_id = $7 AND n = $8 AND state = 'running' AND attempts = $9",
      [outcome.state, report, code, message, Date.now(), progress, jobId, n, attempt],
    )
    return result.rowCount === 1
  }

  async cancelUnfinished(jobId: string): Promise<number[]> {
    const { rows } = await this.pool.query(
      `UPDATE versions v SET state = 'cancelled', stage = 'cancelled', finished_at = $2
       FROM (SELECT job_id, n, state AS old_state FROM versions WHERE job_id = $1 AND state IN ('queued', 'running') FOR UPDATE) old
       WHERE v.job_id = old.job_id AND v.n = old.n RETURNING v.n, old.old_state`,
      [jobId, Date.now()],
    )
    return rows.filter((row) => row.old_state === 'running').map((row) => row.n as number)
  }

  async delete(jobId: string): Promise<void> {
    await this.pool.query('DELETE FROM jobs WHERE id = $1', [jobId])
  }

  async requeueRunning(): Promise<Array<{ jobId: string; n: number }>> {
    const { rows } = await this.pool.query("UPDATE versions SET state = 'queued', progress = 0, stage = 'waiting (resumed after a restart)' WHERE state = 'running' RETURNING job_id, n")
    return rows.map((row) => ({ jobId: row.job_id, n: row.n }))
  }

  /** Versions queued or running for longer than `ageMs` (the scaled queue re-delivers them if Redis lost them). */
  async unfinishedOlderThan(ageMs: number): Promise<Array<{ jobId: string; n: number }>> {
    const { rows } = await this.pool.query("SELECT job_id, n FROM versions WHERE state IN ('queued', 'running') AND created_at < $1 ORDER BY created_at", [Date.now() - ageMs])
    return rows.map((row) => ({ jobId: row.job_id, n: row.n }))
  }

  async counts(): Promise<{ queued: number; running: number }> {
    const { rows } = await this.pool.query("SELECT COUNT(*) FILTER (WHERE state = 'queued') AS queued, COUNT(*) FILTER (WHERE state = 'running') AS running FROM versions")
    return { queued: Number(rows[0].queued), running: Number(rows[0].running) }
  }

  async recentDurations(since: number): Promise<Array<{ state: 'done' | 'failed'; seconds: number }>> {
    const { rows } = await this.pool.query(
      "SELECT state, (finished_at - started_at) / 1000.0 AS seconds FROM versions WHERE finished_at >= $1 AND started_at IS NOT NULL AND state IN ('done', 'failed')",
      [since],
    )
    return rows.map((row) => ({ state: row.state, seconds: Number(row.seconds) }))
  }

  async expiredJobIds(cutoff: number): Promise<string[]> {
    const { rows } = await this.pool.query(
      "SELECT job_id FROM versions GROUP BY job_id HAVING COUNT(*) FILTER (WHERE state IN ('queued', 'running')) = 0 AND MAX(COALESCE(finished_at, created_at)) < $1",
      [cutoff],
    )
    return rows.map((row) => row.job_id as string)
  }

  async createTraining(id: string, request: TrainingRequest): Promise<void> {
    await this.pool.query("INSERT INTO trainings (id, request, state, created_at) VALUES ($1, $2, 'queued', $3)", [id, JSON.stringify(request), Date.now()])
  }

  async getTraining(id: string): Promise<TrainingRecord | null> {
    const row = (await this.pool.query('SELECT * FROM trainings WHERE id = $1', [id])).rows[0] as TrainingRow | undefined
    return row ? trainingOf(row) : null
  }

  async listTrainings(): Promise<TrainingRecord[]> {
    return ((await this.pool.query('SELECT * FROM trainings ORDER BY created_at DESC, id')).rows as TrainingRow[]).map(trainingOf)
  }

  async claimTraining(staleBefore: number): Promise<TrainingRecord | null> {
    const { rows } = await this.pool.query(
      `UPDATE trainings SET state = 'running', attempts = attempts + 1, stage = 'starting', progress = 0, detail = NULL, heartbeat_at = ${NOW_MS}
       WHERE id = (SELECT id FROM trainings WHERE state = 'queued' OR (state = 'running' AND COALESCE(heartbeat_at, 0) < $1) ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *`,
      [staleBefore],
    )
    return rows[0] ? trainingOf(rows[0]) : null
  }

  async trainingProgress(id: string, attempt: number, progress: number, stage: string, detail: Record<string, number> | null): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE trainings SET progress = $1, stage = $2, detail = $3, heartbeat_at = ${NOW_MS} WHERE id = $4 AND state = 'running' AND attempts = $5`,
      [progress, stage, detail && JSON.stringify(detail), id, attempt],
    )
    return result.rowCount === 1
  }

  async finishTraining(id: string, attempt: number, outcome: TrainingOutcome): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE trainings SET state = $1, stage = $1, summary = $2, error_code = $3, error_message = $4, progress = CASE WHEN $1 = 'done' THEN 1 ELSE progress END, finished_at = $5 WHERE id = $6 AND state = 'running' AND attempts = $7",
      [outcome.state, outcome.state === 'done' ? JSON.stringify(outcome.summary) : null, outcome.state === 'failed' ? outcome.code : null, outcome.state === 'failed' ? outcome.message : null, Date.now(), id, attempt],
    )
    return result.rowCount === 1
  }

  async cancelTraining(id: string): Promise<boolean> {
    const result = await this.pool.query("UPDATE trainings SET state = 'cancelled', stage = 'cancelled', finished_at = $1 WHERE id = $2 AND state IN ('queued', 'running')", [Date.now(), id])
    return result.rowCount === 1
  }

  async deleteTraining(id: string): Promise<void> {
    await this.pool.query('DELETE FROM trainings WHERE id = $1', [id])
  }

  async activeModel(): Promise<string | null> {
    const { rows } = await this.pool.query('SELECT value FROM settings WHERE key = $1', [ACTIVE_MODEL_KEY])
    return rows[0]?.value ?? null
  }

  async setActiveModel(id: string): Promise<void> {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [ACTIVE_MODEL_KEY, id])
  }

  async close(): Promise<void> {
    await this.pool.end()
  }
}
