/**
 * The settings models over HTTP (issue 6 "Training runs"): list the sources (the analytic matcher, the
 * shipped model, trained ones), start a training run on the reference library, follow it, cancel or
 * delete it, and activate a model. A model is activated only when its held-out scores are no worse
 * than those of the settings it replaces (issue 5: the retrained model is measured against the
 * previous one before it is used), unless the request insists with `force`.
 */
import { existsSync, rmSync } from 'node:fs'
import express, { type Router } from 'express'
import { RefmasterError } from '../errors.js'
import type { Library } from '../library/library.js'
import { defaultModelDir } from '../model/default-model.js'
import { readCard, type ModelCard } from '../model/model-io.js'
import { SCHEMA_FINGERPRINT } from '../model/schema.js'
import { compareMeans, GATE_METRICS } from '../../training/report.js'
import { TRAIN_DEFAULTS } from '../../training/train.js'
import { isId, newId, type DataPaths } from './files.js'
import type { JobStore } from './job-store.js'
import type { TrainingRecord, TrainingRequest } from './model-store.js'
import { ANALYTIC_ID, BUILT_IN_MODEL_ID, initialActiveSource } from './settings-source.js'
import { trainingSummary, type TrainingRunner } from './training-runner.js'

/** Limits of a training request: a run must stay a bounded job on a shared machine. */
const TRAIN_LIMITS = {
  seed: [0, 2 ** 31 - 1],
  epochs: [1, 2000],
  drawsPerTrack: [1, 64],
  heldOutDraws: [1, 64],
  segmentSeconds: [3, 60],
} as const
const MAX_NAME_LENGTH = 80

type Comparison = ReturnType<typeof compareMeans> & { baseline: string }

/** The active settings source: the one chosen through the API, else the CLI's default. */
export async function activeSource(store: JobStore): Promise<string> {
  return (await store.activeModel()) ?? initialActiveSource()
}

/** The shipped model's card and summary, read once: its files are part of the package. */
let shipped: { card: ModelCard; summary: Record<string, unknown> } | null | undefined

function builtInViews(active: string) {
  if (shipped === undefined) {
    const dir = defaultModelDir()
    const card = existsSync(dir) ? readCard(dir) : null
    shipped = card && { card, summary: trainingSummary(card, ANALYTIC_ID) }
  }
  return [
    { id: ANALYTIC_ID, name: 'analytic matcher', kind: 'analytic', state: 'done', active: active === ANALYTIC_ID, heldOut: null, comparison: null },
    ...(shipped
      ? [{
          id: BUILT_IN_MODEL_ID,
          name: 'shipped model (models/default)',
          kind: 'built-in',
          state: shipped.card.schemaFingerprint === SCHEMA_FINGERPRINT ? 'done' : 'incompatible',
          active: active === BUILT_IN_MODEL_ID,
          createdAt: shipped.card.createdAt,
          heldOut: shipped.summary.heldOut,
          comparison: shipped.summary.comparison as Comparison | null,
        }]
      : []),
  ]
}

function trainedView(run: TrainingRecord, active: string) {
  return {
    id: run.id,
    name: run.request.name,
    kind: 'trained',
    state: run.state,
    active: active === run.id,
    progress: run.progress,
    stage: run.stage,
    detail: run.detail,
    error: run.error,
    request: run.request,
    createdAt: new Date(run.createdAt).toISOString(),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    heldOut: run.summary?.heldOut ?? null,
    comparison: (run.summary?.comparison as Comparison | null | undefined) ?? null,
    seconds: run.summary?.seconds ?? null,
  }
}

function integerField(body: Record<string, unknown>, key: keyof typeof TRAIN_LIMITS, fallback: number): number {
  const raw = body[key]
  if (raw === undefined || raw === null || raw === '') return fallback
  const value = Number(raw)
  const [min, max] = TRAIN_LIMITS[key]
  if (!(Number.isInteger(value) && value >= min && value <= max)) throw new RefmasterError('INVALID_PARAMETER', `${key} must be an integer within [${min}, ${max}], got '${String(raw)}'`)
  return value
}

/**
 * Why the model `view` may not replace the active source without force, in words; null if it may. The
 * views carry it, so that the page asks the user with the server's own reason.
 */
export function activationRefusal(view: { id: string; name: string; comparison: Comparison | null }, active: string): string | null {
  const { id, name, comparison } = view
  if (id === ANALYTIC_ID || id === active) return null // the baseline every model is measured against; or nothing changes
  if (!comparison) return `model "${name}" has no held-out comparison with the active settings '${active}'`
  if (comparison.baseline !== active) return `model "${name}" was measured against '${comparison.baseline}', but '${active}' is active now`
  const worse = GATE_METRICS.filter((m) => comparison.model[m] > comparison.previous[m])
  if (worse.length > 0) {
    return `model "${name}" is worse than '${active}' on held-out tracks: ${worse.map((m) => `${m} ${comparison.model[m].toFixed(3)} vs ${comparison.previous[m].toFixed(3)}`).join(', ')}`
  }
  return null
}

/** A view with its activation refusal (see activationRefusal). */
const withRefusal = <V extends { id: string; name: string; comparison: Comparison | null }>(view: V, active: string) => ({ ...view, refusal: activationRefusal(view, active) })

/** Registers /models routes on the API router. */
export function registerModelRoutes(api: Router, context: { store: JobStore; paths: DataPaths; library: Library; runner: TrainingRunner }): void {
  const { store, paths, library, runner } = context
  const trainedOr404 = async (id: string): Promise<TrainingRecord> => {
    const run = isId(id) ? await store.getTraining(id) : null
    if (!run) throw new RefmasterError('NOT_FOUND', `no model '${id}'`)
    return run
  }
  const viewOf = async (id: string) => {
    const active = await activeSource(store)
    return withRefusal(builtInViews(active).find((m) => m.id === id) ?? trainedView(await trainedOr404(id), active), active)
  }

  api.get('/models', async (_req, res) => {
    const active = await activeSource(store)
    const views = [...builtInViews(active), ...(await store.listTrainings()).map((run) => trainedView(run, active))]
    res.json({ active, models: views.map((view) => withRefusal(view, active)) })
  })

  api.post('/models', express.json({ limit: '4kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    if (typeof body !== 'object' || Array.isArray(body)) throw new RefmasterError('USAGE', 'send the training request as a JSON object')
    const busy = (await store.listTrainings()).find((run) => run.state === 'queued' || run.state === 'running')
    if (busy) throw new RefmasterError('CONFLICT', `training run '${busy.request.name}' (${busy.id}) is ${busy.state}: wait for it or cancel it (DELETE /api/models/${busy.id})`)
    const name = body.name === undefined || body.name === '' ? `model ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` : String(body.name).trim().slice(0, MAX_NAME_LENGTH)
    const known = library.genres().map((g) => g.name)
    const genres = body.genres === undefined || body.genres === null ? null : (Array.isArray(body.genres) ? body.genres : [body.genres]).map((g) => String(g).toLowerCase())
    for (const genre of genres ?? []) {
      if (!known.includes(genre)) throw new RefmasterError('UNKNOWN_GENRE', `no genre '${genre}' in the reference library; genres: ${known.join(', ')}`)
    }
    const trackCount = library.list().filter((t) => !genres || genres.includes(t.genre)).length
    if (trackCount < 2) throw new RefmasterError('USAGE', `training needs at least 2 tracks in the chosen genres, found ${trackCount}`)
    const request: TrainingRequest = {
      name,
      seed: integerField(body, 'seed', TRAIN_DEFAULTS.seed),
      epochs: integerField(body, 'epochs', TRAIN_DEFAULTS.epochs),
      drawsPerTrack: integerField(body, 'drawsPerTrack', TRAIN_DEFAULTS.drawsPerTrack),
      heldOutDraws: integerField(body, 'heldOutDraws', TRAIN_DEFAULTS.heldOutDraws),
      segmentSeconds: integerField(body, 'segmentSeconds', TRAIN_DEFAULTS.segmentSeconds),
      genres,
      baseline: await activeSource(store),
    }
    const id = newId()
    await store.createTraining(id, request)
    runner.kick()
    res.status(202).location(`/api/models/${id}`).json({ id, url: `/api/models/${id}` })
  })

  api.get('/models/:id', async (req, res) => {
    res.json(await viewOf(req.params.id))
  })

  api.delete('/models/:id', async (req, res) => {
    const id = req.params.id
    if (id === ANALYTIC_ID || id === BUILT_IN_MODEL_ID) throw new RefmasterError('CONFLICT', `'${id}' is built in and cannot be deleted`)
    const run = await trainedOr404(id)
    if (await store.cancelTraining(id)) {
      runner.cancel(id)
      res.json(await viewOf(id))
      return
    }
    if ((await activeSource(store)) === id) throw new RefmasterError('CONFLICT', `model '${run.request.name}' is active: activate another one before deleting it`)
    await store.deleteTraining(id)
    rmSync(paths.model(id), { recursive: true, force: true })
    res.status(204).end()
  })

  api.post('/models/:id/activate', express.json({ limit: '1kb' }), async (req, res) => {
    const id = req.params.id
    const force = ((req.body ?? {}) as { force?: unknown }).force === true
    const view = await viewOf(id)
    if (view.state !== 'done') throw new RefmasterError('CONFLICT', `model '${id}' is ${view.state}: only a finished model with this refmaster's schema (${SCHEMA_FINGERPRINT}) can be activated`)
    if (view.refusal && !force) throw new RefmasterError('CONFLICT', `${view.refusal}; send {"force": true} to activate it anyway`)
    if (!view.active) await store.setActiveModel(id)
    res.json({ active: id, model: await viewOf(id) })
  })
}
