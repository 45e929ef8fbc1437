import Database from 'better-sqlite3'

/** Schema migrations, applied in order once each (the `schema_migrations` table records them). */
export const MIGRATIONS: readonly string[] = [
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
]

/** Opens (creating if needed) the service's SQLite database in WAL mode and brings its schema up to date. */
export function openDatabase(path: string): Database.Database {
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
  MIGRATIONS.forEach((sql, index) => {
    if (!applied.has(index + 1)) apply(index + 1, sql)
  })
  return db
}
