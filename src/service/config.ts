import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { RefmasterError } from '../errors.js'

/** The service's settings, each from an environment variable with an embedded default (README "Service"). */
export interface ServiceConfig {
  host: string
  port: number
  dataDir: string
  /** Bearer token guarding the API (null: open). */
  apiToken: string | null
  maxUploadBytes: number
  maxDurationSeconds: number
  maxReferences: number
  /** Masters rendered at once, each in its own worker thread. */
  workerConcurrency: number
  /** Jobs waiting at most; more get 429. */
  maxQueuedJobs: number
  /** Requests per client per minute (a token bucket with this burst); mutating requests count 5. */
  rateLimitPerMinute: number
  retentionHours: number
  /** How long SIGTERM waits for running jobs before it leaves them to the next start. */
  shutdownGraceSeconds: number
  /** Express "trust proxy": set when a reverse proxy supplies X-Forwarded-For. */
  trustProxy: boolean
  /** Scale-out: jobs go to a BullMQ queue on this Redis, rendered by `refmaster worker` processes. */
  redisUrl: string | null
  /** Scale-out: jobs are stored in this PostgreSQL database instead of SQLite. */
  databaseUrl: string | null
  /** The user's reference library (genres): REFMASTER_LIBRARY, else DATA_DIR/library. */
  libraryDir: string
  /** Scale-out: a worker's lock on a job lasts this long; a worker that stops renewing it (dead) loses the job to another after about twice this. */
  workerLockSeconds: number
}

/** Defaults: issue 6 (512 MB uploads, 20-minute audio); one core is left to the API where there are several. */
export const SERVICE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  maxUploadMb: 512,
  maxDurationMinutes: 20,
  maxReferences: 8,
  workerConcurrency: Math.max(1, availableParallelism() - 1),
  maxQueuedJobs: 50,
  rateLimitPerMinute: 600,
  retentionHours: 24 * 7,
  shutdownGraceSeconds: 20,
  /** BullMQ's default lock duration. */
  workerLockSeconds: 30,
} as const

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, integer = true): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new RefmasterError('INVALID_PARAMETER', `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got '${text}'`)
  }
  return value
}

/** Reads the configuration from `env` (process.env by default); a bad value is a clear error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const d = SERVICE_DEFAULTS
  return {
    host: env.HOST || d.host,
    port: numberFrom(env, 'PORT', d.port, 0),
    dataDir: resolve(env.DATA_DIR || d.dataDir),
    apiToken: env.REFMASTER_API_TOKEN || null,
    maxUploadBytes: Math.round(numberFrom(env, 'MAX_UPLOAD_MB', d.maxUploadMb, 0.001, false) * 1024 * 1024),
    maxDurationSeconds: numberFrom(env, 'MAX_DURATION_MINUTES', d.maxDurationMinutes, 0.01, false) * 60,
    maxReferences: numberFrom(env, 'MAX_REFERENCES', d.maxReferences, 1),
    workerConcurrency: numberFrom(env, 'WORKER_CONCURRENCY', d.workerConcurrency, 1),
    maxQueuedJobs: numberFrom(env, 'MAX_QUEUED_JOBS', d.maxQueuedJobs, 1),
    rateLimitPerMinute: numberFrom(env, 'RATE_LIMIT_PER_MINUTE', d.rateLimitPerMinute, 1),
    retentionHours: numberFrom(env, 'RETENTION_HOURS', d.retentionHours, 0, false),
    shutdownGraceSeconds: numberFrom(env, 'SHUTDOWN_GRACE_SECONDS', d.shutdownGraceSeconds, 0, false),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    libraryDir: resolve(env.REFMASTER_LIBRARY || join(env.DATA_DIR || d.dataDir, 'library')),
    redisUrl: env.REDIS_URL || null,
    databaseUrl: env.DATABASE_URL || null,
    workerLockSeconds: numberFrom(env, 'WORKER_LOCK_SECONDS', d.workerLockSeconds, 1, false),
  }
}
