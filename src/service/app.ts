import { timingSafeEqual } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import express, { type NextFunction, type Request, type Response } from 'express'
import { isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../audio/formats.js'
import { PLAYBACK_TARGETS } from '../chain/playback-targets.js'
import { PLAYBACK_SYSTEMS } from '../report/translation.js'
import { STRENGTH_PARAMS, type Strengths } from '../chain/strengths.js'
import { RefmasterError, toRefmasterError } from '../errors.js'
import type { ServiceConfig } from './config.js'
import { isId, newId, type DataPaths } from './files.js'
import { TERMINAL_STATES, type JobRecord, type JobRequest, type JobStore, type VersionRecord } from './job-store.js'
import type { Library } from '../library/library.js'
import { OPENAPI } from './openapi.js'
import { RateLimiter } from './rate-limit.js'
import { MOUNTS } from './routes.js'
import { FORMAT_EXTENSIONS, masterFileName, PREVIEW_KINDS, previewFileName, type PreviewInfo, type PreviewKind, type VersionView } from './render-task.js'
import type { JobQueue, ProgressUpdate } from './queue.js'
import { prometheusMetrics } from './metrics.js'
import { activeSource, registerModelRoutes } from './model-routes.js'
import { registerLibraryRoutes } from './library-routes.js'
import { asList, displayName, uploadHandlers } from './uploads.js'
import type { TrainingRunner } from './training-runner.js'

/** Multipart form fields that carry strengths, and the strength each sets. */
const STRENGTH_FIELDS = { eqStrength: 'eq', dynamicsStrength: 'dynamics', widthStrength: 'width', intensity: 'intensity' } as const
/** Seconds a client is told to wait when the queue is full (about one 4-minute master on this hardware). */
const QUEUE_FULL_RETRY_SECONDS = 30
/** An event stream also reads the job from the store this often (ms). */
const SSE_POLL_MS = 2000
/** SSE comment sent this often (ms) so proxies keep the stream open. */
const SSE_HEARTBEAT_MS = 15_000
/** The repository (or installed package) root, from dist/src/service. */
const PACKAGE_ROOT = join(import.meta.dirname, '..', '..', '..')
/** The page's static files (issue 7): plain ES modules, no build step. */
const WEB_DIR = join(PACKAGE_ROOT, 'src', 'web')
/** Browser libraries the page imports, served from node_modules (npm ci installs them; no CDN). */
const VENDOR_FILES: Readonly<Record<string, string>> = {
  'wavesurfer.esm.js': join(PACKAGE_ROOT, 'node_modules', 'wavesurfer.js', 'dist', 'wavesurfer.esm.js'),
  'uPlot.esm.js': join(PACKAGE_ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.esm.js'),
  'uPlot.min.css': join(PACKAGE_ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'),
}

export interface AppContext {
  config: ServiceConfig
  paths: DataPaths
  store: JobStore
  queue: JobQueue
  library: Library
  runner: TrainingRunner
}

function strengthsFrom(body: Record<string, unknown>): Partial<Strengths> {
  const strengths: Partial<Strengths> = {}
  for (const [field, key] of Object.entries(STRENGTH_FIELDS)) {
    const raw = body[field]
    if (raw === undefined || raw === '') continue
    const text = Array.isArray(raw) ? raw[raw.length - 1] : raw
    const value = Number(text)
    const spec = STRENGTH_PARAMS[key]
    if (!Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new RefmasterError('INVALID_PARAMETER', `${field} must be a number within [${spec.min}, ${spec.max}], got '${String(text)}'`)
    }
    strengths[key] = value
  }
  return strengths
}

function weightsFrom(values: string[], count: number, field: string): number[] {
  if (values.length > count) throw new RefmasterError('INVALID_PARAMETER', `${values.length} ${field} values for ${count} files: give at most one per file, in the same order`)
  return Array.from({ length: count }, (_, i) => {
    if (values[i] === undefined || values[i] === '') return 1
    const weight = Number(values[i])
    if (!(Number.isFinite(weight) && weight > 0)) throw new RefmasterError('INVALID_PARAMETER', `${field} must be a number > 0, got '${values[i]}'`)
    return weight
  })
}

/** The JSON a client sees for a job. */
export function jobView(job: JobRecord, base = `/api/jobs/${job.id}`) {
  const latest = job.versions[job.versions.length - 1]
  const latestDone = [...job.versions].reverse().find((v) => v.state === 'done')
  const downloads = (v: VersionRecord | undefined) =>
    v?.state === 'done' ? Object.fromEntries(job.request.formats.map((f) => [f, `${base}/versions/${v.n}/files/${f}`])) : {}
  return {
    id: job.id,
    createdAt: new Date(job.createdAt).toISOString(),
    mix: { name: job.request.mix.name },
    references: job.request.references.map((r) => ({ name: r.name, weight: r.weight })),
    genres: job.request.genres ?? [],
    target: job.request.target,
    formats: job.request.formats,
    state: latest.state,
    version: latest.n,
    progress: latest.progress,
    stage: latest.stage,
    error: latest.error,
    report: latestDone?.report ?? null,
    downloads: downloads(latestDone),
    versions: job.versions.map((v) => ({
      id: v.n,
      state: v.state,
      strengths: v.strengths,
      error: v.error,
      downloads: downloads(v),
      view: v.state === 'done' ? `${base}/versions/${v.n}/view` : null,
      previews: v.state === 'done' ? Object.fromEntries(PREVIEW_KINDS.filter((k) => k !== 'reference' || job.request.references.length > 0).map((k) => [k, `${base}/versions/${v.n}/previews/${k}`])) : {},
    })),
  }
}

function sendError(res: Response, error: RefmasterError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  res.set(extraHeaders).status(error.httpStatus).json({ error: { code: error.code, message: error.message } })
}

/** Builds the express application: the API under /api, /healthz, and the page's static files. */
export function createApp(context: AppContext): express.Express {
  const { config, paths, store, queue, library, runner } = context
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', config.trustProxy)
  const limiter = new RateLimiter(config.rateLimitPerMinute)
  setInterval(() => limiter.prune(), 60_000).unref()

  // Liveness: answers from memory, touching no dependency.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) })
  })
  // Readiness: the job store and the queue answer.
  app.get('/readyz', async (_req, res) => {
    try {
      const [counts] = await Promise.all([store.counts(), queue.ready()])
      res.json({ status: 'ready', ...counts })
    } catch (error) {
      res.status(503).json({ status: 'unavailable', error: { code: 'UNAVAILABLE', message: error instanceof Error ? error.message : String(error) } })
    }
  })
  app.get('/metrics', async (_req, res) => {
    res.type('text/plain; version=0.0.4').send(await prometheusMetrics(store, queue))
  })

  const api = express.Router()
  app.use('/api', api)
  MOUNTS.set(api, '/api')

  api.use((req, res, next) => {
    if (config.apiToken) {
      const header = req.get('authorization') ?? ''
      const given = header.startsWith('Bearer ') ? header.slice(7) : typeof req.query.access_token === 'string' ? req.query.access_token : ''
      const expected = Buffer.from(config.apiToken)
      const actual = Buffer.from(given)
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
        sendError(res, new RefmasterError('UNAUTHORIZED', 'this API needs a bearer token: send "Authorization: Bearer <REFMASTER_API_TOKEN>"'), { 'WWW-Authenticate': 'Bearer' })
        return
      }
    }
    const waitSeconds = limiter.take(req.ip ?? 'unknown')
    if (waitSeconds > 0) {
      sendError(res, new RefmasterError('RATE_LIMITED', `more than ${config.rateLimitPerMinute} requests a minute from this client: retry in ${waitSeconds} s`), { 'Retry-After': String(waitSeconds) })
      return
    }
    next()
  })

  api.get('/openapi.json', (_req, res) => {
    res.json(OPENAPI)
  })
  api.get('/targets', (_req, res) => {
    // The simulated playback systems ride along: the page's "listen as" uses the report's own curves.
    res.json({ targets: PLAYBACK_TARGETS, systems: PLAYBACK_SYSTEMS })
  })
  registerLibraryRoutes(api, { config, paths, queue, library })

  const upload = uploadHandlers(paths.uploads, config.maxUploadBytes, { files: 1 + config.maxReferences }, (parser) =>
    parser.fields([
      { name: 'mix', maxCount: 1 },
      { name: 'reference', maxCount: config.maxReferences },
    ]),
  )

  api.post(
    '/jobs',
    async (req, res, next) => {
      if ((await store.counts()).queued >= config.maxQueuedJobs) {
        // The body is left to node to drain, so that the client reads this answer instead of a reset.
        sendError(res, new RefmasterError('QUEUE_FULL', `${config.maxQueuedJobs} jobs are already waiting: retry in ${QUEUE_FULL_RETRY_SECONDS} s`), { 'Retry-After': String(QUEUE_FULL_RETRY_SECONDS) })
        return
      }
      next()
    },
    ...upload,
    async (req, res) => {
      const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>
      const body = (req.body ?? {}) as Record<string, unknown>
      const mix = files.mix?.[0]
      if (!mix) throw new RefmasterError('USAGE', "the form needs a file field 'mix' (multipart/form-data)")
      const referenceFiles = files.reference ?? []
      const genreNames = asList(body.genre).filter((name) => name !== '')
      if (genreNames.length > 0 && referenceFiles.length > 0) throw new RefmasterError('USAGE', "aim at references or at genres, not both: give 'reference' files or 'genre' names")
      for (const name of genreNames) library.genre(name) // UNKNOWN_GENRE lists the genres there are
      const genreWeights = weightsFrom(asList(body.genreWeight), genreNames.length, 'genreWeight')
      const genres = genreNames.map((name, i) => ({ name, weight: genreWeights[i] }))
      const weights = weightsFrom(asList(body.referenceWeight), referenceFiles.length, 'referenceWeight')
      const target = asList(body.target).pop() || null
      if (target !== null && !PLAYBACK_TARGETS.some((t) => t.name === target)) {
        throw new RefmasterError('INVALID_PARAMETER', `unknown target '${target}'; use one of ${PLAYBACK_TARGETS.map((t) => t.name).join(', ')}`)
      }
      if (referenceFiles.length === 0 && (target === 'reference' || (target === null && genres.length === 0))) {
        throw new RefmasterError('USAGE', "give a 'reference' file, or a 'genre', or a 'target' other than 'reference'")
      }
      const formatList = asList(body.format)
      for (const format of formatList) {
        if (!isOutputFormat(format)) throw new RefmasterError('INVALID_PARAMETER', `unknown format '${format}'; use one of ${OUTPUT_FORMATS.join(', ')}`)
      }
      const formats = formatList.length > 0 ? ([...new Set(formatList)] as OutputFormat[]) : (['wav24'] as OutputFormat[])
      const strengths = strengthsFrom(body)

      const mixName = displayName(mix.originalname, 'mix')
      await queue.probe(mix.path, `mix '${mixName}'`, true)
      const references = referenceFiles.map((file, i) => ({ name: displayName(file.originalname, `reference ${i + 1}`), file: `inputs/reference-${i}`, weight: weights[i] }))
      for (const [i, file] of referenceFiles.entries()) await queue.probe(file.path, `reference '${references[i].name}'`, false)

      const id = newId()
      const jobDir = paths.job(id)
      mkdirSync(join(jobDir, 'inputs'), { recursive: true })
      renameSync(mix.path, join(jobDir, 'inputs', 'mix'))
      referenceFiles.forEach((file, i) => renameSync(file.path, join(jobDir, references[i].file)))
      const request: JobRequest = { mix: { name: mixName, file: 'inputs/mix' }, references, genres, target, formats, settings: await activeSource(store) }
      await store.create(id, request, strengths)
      await queue.submit(id, 1)
      res.status(202).location(`/api/jobs/${id}`).json({ id, url: `/api/jobs/${id}` })
    },
  )

  const jobOr404 = async (id: string): Promise<JobRecord> => {
    const job = isId(id) ? await store.get(id) : null
    if (!job) throw new RefmasterError('NOT_FOUND', `no job '${id}' (it may have been deleted, or removed after the retention time)`)
    return job
  }
  const versionOr404 = (job: JobRecord, text: string): VersionRecord => {
    const version = job.versions.find((v) => String(v.n) === text)
    if (!version) throw new RefmasterError('NOT_FOUND', `job '${job.id}' has no version '${text}' (versions 1-${job.versions.length})`)
    if (version.state !== 'done') throw new RefmasterError('CONFLICT', `version ${version.n} of job '${job.id}' is ${version.state}, not done`)
    return version
  }

  api.get('/jobs/:id', async (req, res) => {
    res.json(jobView(await jobOr404(req.params.id)))
  })

  api.delete('/jobs/:id', async (req, res) => {
    const job = await jobOr404(req.params.id)
    const latest = job.versions[job.versions.length - 1]
    if (!TERMINAL_STATES.includes(latest.state)) {
      await queue.cancel(job.id)
      res.json(jobView(await jobOr404(job.id)))
      return
    }
    await store.delete(job.id)
    rmSync(paths.job(job.id), { recursive: true, force: true })
    res.status(204).end()
  })

  api.post('/jobs/:id/render', express.json({ limit: '4kb' }), express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const job = await jobOr404(req.params.id)
    if (!job.versions.some((v) => v.state === 'done')) throw new RefmasterError('CONFLICT', `job '${job.id}' has no finished master yet: re-render once the first version is done`)
    if (!TERMINAL_STATES.includes(job.versions[job.versions.length - 1].state)) throw new RefmasterError('CONFLICT', `job '${job.id}' is already rendering a version: wait for it or cancel it`)
    if ((await store.counts()).queued >= config.maxQueuedJobs) {
      sendError(res, new RefmasterError('QUEUE_FULL', `${config.maxQueuedJobs} jobs are already waiting: retry in ${QUEUE_FULL_RETRY_SECONDS} s`), { 'Retry-After': String(QUEUE_FULL_RETRY_SECONDS) })
      return
    }
    const strengths = strengthsFrom((req.body ?? {}) as Record<string, unknown>)
    const n = await store.addVersion(job.id, strengths)
    await queue.submit(job.id, n)
    res.status(202).json({ id: job.id, version: n, url: `/api/jobs/${job.id}` })
  })

  api.get('/jobs/:id/versions/:n/files/:format', async (req, res) => {
    const job = await jobOr404(req.params.id)
    const version = versionOr404(job, req.params.n)
    const format = req.params.format
    if (!isOutputFormat(format) || !job.request.formats.includes(format)) {
      throw new RefmasterError('NOT_FOUND', `job '${job.id}' was not rendered as '${format}' (formats: ${job.request.formats.join(', ')})`)
    }
    const stem = job.request.mix.name.replace(/\.[^.]*$/, '')
    res.download(join(paths.version(job.id, version.n), masterFileName(format)), `${stem}-master-v${version.n}.${FORMAT_EXTENSIONS[format]}`)
  })

  api.get('/jobs/:id/versions/:n/previews/:kind', async (req, res) => {
    const job = await jobOr404(req.params.id)
    const version = versionOr404(job, req.params.n)
    const kind = req.params.kind as PreviewKind
    if (!PREVIEW_KINDS.includes(kind) || (kind === 'reference' && job.request.references.length === 0)) {
      throw new RefmasterError('NOT_FOUND', `no preview '${kind}' (previews: mix, master${job.request.references.length > 0 ? ', reference' : ''})`)
    }
    const folder = kind === 'master' ? paths.version(job.id, version.n) : paths.job(job.id)
    res.type('audio/wav').sendFile(join(folder, previewFileName(kind)))
  })

  api.get('/jobs/:id/versions/:n/view', async (req, res) => {
    const job = await jobOr404(req.params.id)
    const version = versionOr404(job, req.params.n)
    const previews = JSON.parse(readFileSync(join(paths.job(job.id), 'previews.json'), 'utf8')) as PreviewInfo
    const view = JSON.parse(readFileSync(join(paths.version(job.id, version.n), 'view.json'), 'utf8')) as VersionView
    res.json({ ...previews, ...view, report: version.report })
  })

  api.get('/jobs/:id/events', async (req, res) => {
    const job = await jobOr404(req.params.id)
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    let lastSent = ''
    const onUpdate = async (jobId: string, progress?: ProgressUpdate) => {
      if (jobId !== job.id || res.writableEnded) return
      if (progress) {
        send('progress', { id: jobId, state: 'running', version: progress.n, progress: progress.fraction, stage: progress.stage })
        return
      }
      const current = await store.get(jobId)
      if (res.writableEnded) return
      if (!current) {
        send('deleted', { id: jobId })
        res.end()
        return
      }
      const view = jobView(current)
      const key = `${view.version}/${view.state}/${view.stage}`
      if (key === lastSent) return
      lastSent = key
      send('job', view)
      if (TERMINAL_STATES.includes(view.state)) res.end()
    }
    const listener = (jobId: string, progress?: ProgressUpdate) => void onUpdate(jobId, progress).catch(() => res.end())
    // Events can be missed (a worker elsewhere, a queue outage): the store is read now and then as well.
    const poll = setInterval(() => listener(job.id), SSE_POLL_MS)
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), SSE_HEARTBEAT_MS)
    queue.on('update', listener)
    res.on('close', () => {
      clearInterval(poll)
      clearInterval(heartbeat)
      queue.off('update', listener)
    })
    listener(job.id)
  })

  registerModelRoutes(api, { store, paths, library, runner })

  api.use((req, _res) => {
    throw new RefmasterError('NOT_FOUND', `no API route ${req.method} ${req.path}`)
  })

  app.get('/vendor/:file', (req, res) => {
    const path = VENDOR_FILES[req.params.file]
    if (!path) throw new RefmasterError('NOT_FOUND', `no vendor file '${req.params.file}'`)
    res.sendFile(path)
  })
  app.use(express.static(WEB_DIR, { index: 'index.html', extensions: ['html'] }))

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const failure = httpError(error)
    if (failure.code === 'INTERNAL') process.stderr.write(`refmaster serve: ${req.method} ${req.originalUrl}: ${error instanceof Error ? error.stack : String(error)}\n`)
    // A refused upload may still be arriving: close the connection rather than read the rest.
    if (!req.complete) res.set('Connection', 'close')
    sendError(res, failure.code === 'INTERNAL' ? new RefmasterError('INTERNAL', 'internal error (the server log has the details)') : failure)
  })
  return app
}

/** Maps express's errors (bad JSON, missing files) to the catalogue; anything unknown becomes INTERNAL. */
function httpError(error: unknown): RefmasterError {
  if (error instanceof RefmasterError) return error
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode
  if (status === 404) return new RefmasterError('NOT_FOUND', 'the file is no longer there (deleted or expired)')
  if (status === 413) return new RefmasterError('TOO_LARGE', 'the request body is larger than allowed')
  if (status !== undefined && status >= 400 && status < 500) return new RefmasterError('USAGE', `malformed request: ${(error as Error).message}`)
  return toRefmasterError(error)
}
