import { OUTPUT_FORMATS } from '../audio/formats.js'
import { ERROR_CATALOGUE } from '../errors.js'

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'job id (from POST /api/jobs)' }
const modelParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: "'analytic', 'default' (the shipped model) or a trained model's id" }
const versionParam = { name: 'n', in: 'path', required: true, schema: { type: 'integer', minimum: 1 }, description: 'version number (1 is the first render)' }
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } })
const json = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } })
const strengthProperties = {
  eqStrength: { type: 'number', minimum: 0, maximum: 1, default: 1 },
  dynamicsStrength: { type: 'number', minimum: 0, maximum: 1, default: 1 },
  widthStrength: { type: 'number', minimum: 0, maximum: 1, default: 1 },
  intensity: { type: 'number', minimum: 0, maximum: 1, default: 1 },
}

/** The HTTP API, documented (served at /api/openapi.json; tests check it against the real routes). */
export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'refmaster', version: '0.1.0', description: 'Reference-matching mastering as a service. With REFMASTER_API_TOKEN set, every /api route needs "Authorization: Bearer <token>" (or ?access_token= for links and event streams).' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) }, message: { type: 'string' } } } },
      },
      Job: {
        type: 'object',
        required: ['id', 'state', 'progress', 'stage', 'error', 'report', 'downloads', 'versions'],
        properties: {
          id: { type: 'string' },
          state: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
          version: { type: 'integer', description: 'the latest version' },
          progress: { type: 'number', minimum: 0, maximum: 1 },
          stage: { type: 'string', description: 'what the job is doing, in words' },
          error: { oneOf: [{ type: 'null' }, { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }] },
          report: { description: 'the report of the latest finished version (see `refmaster master --report`)' },
          downloads: { type: 'object', additionalProperties: { type: 'string' }, description: 'format -> URL of the latest finished version' },
          versions: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, state: { type: 'string' }, strengths: { type: 'object' }, downloads: { type: 'object' }, previews: { type: 'object' }, view: { type: ['string', 'null'] } } } },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { summary: 'liveness (answers from memory)', security: [], responses: { 200: json('alive') } } },
    '/readyz': { get: { summary: 'readiness: the job store and the queue answer; with the queue counts', security: [], responses: { 200: json('ready'), 503: json('a dependency is unreachable') } } },
    '/metrics': { get: { summary: 'Prometheus metrics: queue depth, versions by state, render durations, failures', security: [], responses: { 200: { description: 'text/plain; version=0.0.4' } } } },
    '/api/openapi.json': { get: { summary: 'this document', responses: { 200: json('OpenAPI 3.1') } } },
    '/api/targets': { get: { summary: 'playback targets (loudness, true-peak ceiling, source) and the playback systems the report simulates', responses: { 200: json('targets') } } },
    '/api/genres': { get: { summary: 'genre profiles of the reference library (name, track count, loudness and tonal summary)', responses: { 200: json('genres') } } },
    '/api/library': {
      get: { summary: 'the reference library: built-in and user tracks, each with its genre, source, licence and attribution', responses: { 200: json('tracks') } },
      post: {
        summary: 'file a track in the user library under a genre (an existing one or a new name); it is analysed once and the genre profiles are rebuilt',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: { type: 'object', required: ['file', 'genre'], properties: { file: { type: 'string', format: 'binary' }, genre: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }, title: { type: 'string' }, artist: { type: 'string' }, licence: { type: 'string' }, source: { type: 'string' } } },
            },
          },
        },
        responses: { 201: json('the track'), 400: error('missing field, bad genre name'), 413: error('too large'), 415: error('not audio'), 422: error('corrupt, silent, too short or too low a sample rate') },
      },
    },
    '/api/library/{id}': {
      delete: { summary: "remove a track (a user track's files are deleted; a built-in one is hidden); the genre profiles are rebuilt", parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('the removed track'), 404: error('no such track') } },
    },
    '/api/library/{id}/audio': {
      get: { summary: "the track's audio, to listen to", parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'the audio file' }, 404: error('no such track') } },
    },
    '/api/jobs': {
      post: {
        summary: 'start a mastering job; the files are checked (decodable, within the limits) before the answer',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['mix'],
                properties: {
                  mix: { type: 'string', format: 'binary' },
                  reference: { type: 'array', items: { type: 'string', format: 'binary' } },
                  referenceWeight: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, description: 'one per reference, in the same order; normalised' },
                  genre: { type: 'array', items: { type: 'string' }, description: 'genre names (GET /api/genres) instead of references; repeat for a blend' },
                  genreWeight: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, description: 'one per genre, in the same order; normalised' },
                  target: { type: 'string', description: 'playback target name (GET /api/targets); default reference with references, else streaming' },
                  format: { type: 'array', items: { type: 'string', enum: [...OUTPUT_FORMATS] }, description: 'default wav24' },
                  ...strengthProperties,
                },
              },
            },
          },
        },
        responses: {
          202: json('accepted', { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' } } }),
          400: error('malformed request or parameter'),
          401: error('missing or wrong token'),
          413: error('a file is over the upload size limit'),
          415: error('a file is not in a format refmaster decodes'),
          422: error('a file is corrupt, truncated, silent, or over the duration limit'),
          429: error('rate limit or queue full (see Retry-After)'),
        },
      },
    },
    '/api/jobs/{id}': {
      get: { summary: 'state, progress, report, downloads and versions', parameters: [idParam], responses: { 200: json('the job', { $ref: '#/components/schemas/Job' }), 404: error('no such job') } },
      delete: { summary: 'cancel a queued or running job, or delete a finished one with its files', parameters: [idParam], responses: { 200: json('cancelled: the job'), 204: { description: 'deleted' }, 404: error('no such job') } },
    },
    '/api/jobs/{id}/events': {
      get: { summary: 'server-sent events: `progress` (state, progress, stage) and `job` (the whole job); ends when the job ends', parameters: [idParam], responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } }, 404: error('no such job') } },
    },
    '/api/jobs/{id}/render': {
      post: {
        summary: 'render a new version with other strengths, without analysing again',
        parameters: [idParam],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: strengthProperties } } } },
        responses: { 202: json('queued', { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' } } }), 404: error('no such job'), 409: error('no finished version yet, or one already rendering') },
      },
    },
    '/api/jobs/{id}/versions/{n}/files/{format}': {
      get: { summary: 'download the master of a version', parameters: [idParam, versionParam, { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: [...OUTPUT_FORMATS] } }], responses: { 200: { description: 'the audio file' }, 404: error('no such job, version or format'), 409: error('version not done') } },
    },
    '/api/jobs/{id}/versions/{n}/previews/{kind}': {
      get: {
        summary: 'loudness-matched 16-bit WAV preview (the louder ones are turned down to the quietest; nothing is made louder)',
        parameters: [idParam, versionParam, { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['mix', 'master', 'reference'] } }],
        responses: { 200: { description: 'audio/wav (supports Range)' }, 404: error('no such preview'), 409: error('version not done') },
      },
    },
    '/api/models': {
      get: { summary: 'the settings sources: the analytic matcher, the shipped model and trained ones, with training progress, held-out metrics and which one is active', responses: { 200: json('{ active, models }') } },
      post: {
        summary: 'start a training run on the reference library (one at a time); the new model is scored on held-out tracks against the settings active now',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  name: { type: 'string', maxLength: 80 },
                  genres: { type: 'array', items: { type: 'string' }, description: 'train on these genres of the library only (default all)' },
                  seed: { type: 'integer', minimum: 0, default: 1 },
                  epochs: { type: 'integer', minimum: 1, maximum: 2000 },
                  drawsPerTrack: { type: 'integer', minimum: 1, maximum: 64 },
                  heldOutDraws: { type: 'integer', minimum: 1, maximum: 64 },
                  segmentSeconds: { type: 'integer', minimum: 3, maximum: 60 },
                },
              },
            },
          },
        },
        responses: { 202: json('queued', { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' } } }), 400: error('bad parameter or unknown genre'), 409: error('a training run is already queued or running') },
      },
    },
    '/api/models/{id}': {
      get: { summary: 'one settings source: state, progress (stage in words, epoch and losses), held-out metrics and the comparison with its baseline', parameters: [modelParam], responses: { 200: json('the model'), 404: error('no such model') } },
      delete: { summary: 'cancel a queued or running training run, or delete a finished model (not the active one, not a built-in)', parameters: [modelParam], responses: { 200: json('cancelled: the run'), 204: { description: 'deleted' }, 404: error('no such model'), 409: error('active or built in') } },
    },
    '/api/models/{id}/activate': {
      post: {
        summary: 'use this settings source for new jobs; refused (409) when its held-out scores are worse than the active one\'s on mrstft, d_plr_db, tbe_db or d_lufs, unless force is true',
        parameters: [modelParam],
        requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { force: { type: 'boolean', default: false } } } } } },
        responses: { 200: json('{ active, model }'), 404: error('no such model'), 409: error('not finished, incompatible, or not better than the active settings') },
      },
    },
    '/api/jobs/{id}/versions/{n}/view': {
      get: { summary: 'what a page draws: preview level and gains, waveform peaks, and the report (spectra, meters, settings with reasons)', parameters: [idParam, versionParam], responses: { 200: json('view data'), 404: error('no such job or version'), 409: error('version not done') } },
    },
  },
} as const
