import type { ServiceConfig } from './config.js'
import type { DataPaths } from './files.js'
import type { JobStore } from './job-store.js'
import { PostgresJobStore } from './postgres-store.js'
import { SqliteJobStore } from './sqlite-store.js'

/** The job store the configuration names: PostgreSQL with DATABASE_URL, else SQLite under DATA_DIR. */
export async function openJobStore(config: ServiceConfig, paths: DataPaths): Promise<JobStore> {
  return config.databaseUrl ? PostgresJobStore.open(config.databaseUrl) : new SqliteJobStore(paths.database)
}
