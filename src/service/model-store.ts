import type { ErrorCode } from '../errors.js'

/** What a training run was asked to do (issue 6 "Training runs"; the fields of `refmaster train`). */
export interface TrainingRequest {
  name: string
  seed: number
  epochs: number
  drawsPerTrack: number
  heldOutDraws: number
  segmentSeconds: number
  /** Genres of the library to train on; null: all of them. */
  genres: string[] | null
  /** The settings source in use when the run started ('analytic', 'default' or a model id): the new model is measured against it. */
  baseline: string
}

export type TrainingState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

/** A training run and, once done, the model it made (same id; its files are DATA_DIR/models/<id>). */
export interface TrainingRecord {
  id: string
  request: TrainingRequest
  state: TrainingState
  progress: number
  stage: string
  /** The last progress event's numbers (epoch, loss, held-out loss), for the page's plot. */
  detail: Record<string, number> | null
  error: { code: ErrorCode; message: string } | null
  /** Held-out summary and the comparison with the baseline (see training-runner.ts), once done. */
  summary: Record<string, unknown> | null
  attempts: number
  createdAt: number
  finishedAt: number | null
}

export type TrainingOutcome = { state: 'done'; summary: Record<string, unknown> } | { state: 'failed'; code: ErrorCode; message: string }

/**
 * Training runs and the active model, beside the jobs in the same database. A run is claimed by one
 * process at a time; that process beats a heartbeat while it trains, and a run whose heartbeat stops
 * (its process died) is claimed again. Updates name the attempt, so a run taken over cannot be
 * finished by the process that lost it.
 */
export interface ModelStore {
  createTraining(id: string, request: TrainingRequest): Promise<void>
  getTraining(id: string): Promise<TrainingRecord | null>
  /** Newest first. */
  listTrainings(): Promise<TrainingRecord[]>
  /** Claims the oldest queued run, or a running one whose heartbeat is older than `staleBefore` (ms since the epoch). */
  claimTraining(staleBefore: number): Promise<TrainingRecord | null>
  /** Records progress and beats the heartbeat; false if the attempt no longer owns the run (cancelled or taken over). */
  trainingProgress(id: string, attempt: number, progress: number, stage: string, detail: Record<string, number> | null): Promise<boolean>
  finishTraining(id: string, attempt: number, outcome: TrainingOutcome): Promise<boolean>
  /** Cancels a queued or running run; false if it was neither. */
  cancelTraining(id: string): Promise<boolean>
  deleteTraining(id: string): Promise<void>
  /** The active settings source ('analytic', 'default' or a model id), or null when never chosen. */
  activeModel(): Promise<string | null>
  setActiveModel(id: string): Promise<void>
}

/** Row shape shared by both stores. */
export interface TrainingRow {
  id: string
  request: string
  state: TrainingState
  progress: number
  stage: string
  detail: string | null
  error_code: ErrorCode | null
  error_message: string | null
  summary: string | null
  attempts: number
  created_at: number | string
  finished_at: number | string | null
}

export function trainingOf(row: TrainingRow): TrainingRecord {
  return {
    id: row.id,
    request: JSON.parse(row.request),
    state: row.state,
    progress: row.progress,
    stage: row.stage,
    detail: row.detail ? JSON.parse(row.detail) : null,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    summary: row.summary ? JSON.parse(row.summary) : null,
    attempts: row.attempts,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  }
}

/** The key under which the active model is kept in the `settings` table. */
export const ACTIVE_MODEL_KEY = 'active_model'

/** The training table, the same in both databases but for types (TEXT/INTEGER vs BIGINT/DOUBLE PRECISION). */
export function trainingMigration(types: { time: string; real: string }): string {
  return `CREATE TABLE trainings (
     id TEXT PRIMARY KEY,
     request TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
     progress ${types.real} NOT NULL DEFAULT 0,
     stage TEXT NOT NULL DEFAULT 'waiting',
     detail TEXT,
     error_code TEXT,
     error_message TEXT,
     summary TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     heartbeat_at ${types.time},
     created_at ${types.time} NOT NULL,
     finished_at ${types.time}
   );
   CREATE INDEX trainings_by_state ON trainings(state, created_at);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`
}
