/**
 * The one error catalogue of refmaster. Every error the product reports on purpose is a
 * `RefmasterError` with one of these codes; the CLI maps the code to an exit status and the HTTP layer
 * to a response status, both from this table, so the two surfaces never disagree.
 */
export const ERROR_CATALOGUE = {
  USAGE: { exitCode: 2, httpStatus: 400, summary: 'the command or request is malformed' },
  INVALID_PARAMETER: { exitCode: 2, httpStatus: 400, summary: 'a parameter is out of range or of the wrong type' },
  FILE_NOT_FOUND: { exitCode: 3, httpStatus: 404, summary: 'the file does not exist or cannot be read' },
  UNSUPPORTED_FORMAT: { exitCode: 4, httpStatus: 415, summary: 'the file is not in an audio format refmaster decodes' },
  CORRUPT_FILE: { exitCode: 5, httpStatus: 422, summary: 'the file is damaged and cannot be decoded' },
  TRUNCATED_FILE: { exitCode: 5, httpStatus: 422, summary: 'the file ends before its own header says it should' },
  EMPTY_FILE: { exitCode: 5, httpStatus: 422, summary: 'the file holds no audio samples' },
  TOO_MANY_CHANNELS: { exitCode: 6, httpStatus: 422, summary: 'the audio has more than two channels' },
  SILENT_AUDIO: { exitCode: 8, httpStatus: 422, summary: 'the audio is silent or nearly so: there is nothing to master' },
  TOO_LONG: { exitCode: 9, httpStatus: 422, summary: 'the audio is longer than the duration limit' },
  TOO_LARGE: { exitCode: 9, httpStatus: 413, summary: 'the upload is larger than the size limit' },
  NOT_FOUND: { exitCode: 3, httpStatus: 404, summary: 'no such job, version or file' },
  CONFLICT: { exitCode: 2, httpStatus: 409, summary: 'the request does not fit the current state of the job' },
  UNAUTHORIZED: { exitCode: 2, httpStatus: 401, summary: 'a valid bearer token is required' },
  RATE_LIMITED: { exitCode: 2, httpStatus: 429, summary: 'too many requests from this client: retry later' },
  QUEUE_FULL: { exitCode: 2, httpStatus: 429, summary: 'too many jobs are waiting: retry later' },
  UNAVAILABLE: { exitCode: 1, httpStatus: 503, summary: 'a service refmaster depends on (queue, database) is not reachable: retry later' },
  UNKNOWN_GENRE: { exitCode: 2, httpStatus: 400, summary: 'no genre of that name in the reference library' },
  UNKNOWN_TRACK: { exitCode: 2, httpStatus: 404, summary: 'no track of that id in the reference library' },
  MODEL_INCOMPATIBLE: { exitCode: 10, httpStatus: 500, summary: 'the settings model was trained for another schema or is damaged' },
  TRAINING_FAILED: { exitCode: 1, httpStatus: 500, summary: 'a training run stopped before it made a model' },
  ENCODE_FAILED: { exitCode: 7, httpStatus: 500, summary: 'the output file could not be written' },
  INTERNAL: { exitCode: 1, httpStatus: 500, summary: 'an unexpected internal error' },
} as const

/** A code from the error catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE

/** An expected, explained failure: `message` names the problem, the value and the allowed range. */
export class RefmasterError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RefmasterError'
    this.code = code
  }
  /** Process exit status for the CLI. */
  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exitCode
  }
  /** Response status for the HTTP API. */
  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus
  }
}

/** Wraps anything thrown into a `RefmasterError` (unknown failures become INTERNAL). */
export function toRefmasterError(error: unknown): RefmasterError {
  if (error instanceof RefmasterError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new RefmasterError('INTERNAL', message, { cause: error })
}

/** A worker thread's failed job, as plain data: a thrown RefmasterError loses its code crossing the thread boundary. */
export interface FailedResult {
  ok: false
  error: { code: ErrorCode; message: string }
}

/** `error` as a worker thread's result (`FailedResult`). */
export function failedResult(error: unknown): FailedResult {
  const { code, message } = toRefmasterError(error)
  return { ok: false, error: { code, message } }
}

/** A worker thread's result, or the RefmasterError its failure names thrown. */
export function throwIfFailed<T>(result: T | FailedResult): T {
  const failure = result as Partial<FailedResult> | null
  if (typeof failure === 'object' && failure !== null && failure.ok === false && failure.error) throw new RefmasterError(failure.error.code, failure.error.message)
  return result as T
}
