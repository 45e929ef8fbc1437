/**
 * `refmaster train`: builds the self-supervised examples from a reference library (one sub-folder of
 * audio files per genre), splits it by track into training and held-out tracks, trains the settings
 * network, compares its masters with the analytic path's on the held-out tracks, and writes the model
 * folder (model.json, weights.bin, card.json). Deterministic for a given seed.
 */
import { availableParallelism } from 'node:os'
import { basename, extname, join } from 'node:path'
import { readdirSync, statSync } from 'node:fs'
import { Piscina } from 'piscina'
import { checkAudioFile } from '../src/audio/decode.js'
import { RefmasterError, throwIfFailed, type FailedResult } from '../src/errors.js'
import { loadModel, networkArtifacts, saveModel, type ModelCard } from '../src/model/model-io.js'
import { buildNetwork, DEFAULT_ARCHITECTURE, DEFAULT_TRAIN_OPTIONS, ensembleOf, seededRandom, trainNetwork, type Rows } from '../src/model/network.js'
import { INPUT_SIZE, OUTPUTS, SCHEMA_FINGERPRINT, STAGE_INPUT_SIZE } from '../src/model/schema.js'
import { loadTf } from '../src/model/tf.js'
import { cachedExample, storeExample } from './cache.js'
import { summarise, type HeldOutReport } from './report.js'
import type { EvaluatedNetwork, Evaluation } from './evaluate.js'
import { exampleRows, isCurrent, type Example, type ExampleAnalyses, type SynthesisTask } from './synthesis.js'
import type { TrainingWorkerTask } from './synth-worker.js'

/** Audio files the library may hold. */
const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.mp3', '.ogg', '.opus', '.aif', '.aiff'])

/** Defaults of a training run (sized for the 10-minute budget on 2 cores: DESIGN/issue 5). */
export const TRAIN_DEFAULTS = {
  seed: 1,
  drawsPerTrack: 24,
  heldOutDraws: 8,
  segmentSeconds: 8,
  heldOutShare: 0.2,
  epochs: DEFAULT_TRAIN_OPTIONS.epochs,
  /** Networks trained with different seeds and averaged (ensembleOf): less variance than one. */
  ensembleSize: 3,
  /**
   * Times each S = identity example appears in the training rows: the evaluation protocol's own case (an
   * already mastered track, un-mastered) is the one refmaster meets; the random masterings S teach the
   * rest of the mapping.
   */
  identityRepeats: 2,
}

/** What to train on and where to write the model. */
export interface TrainRequest {
  /** A library folder with one sub-folder per genre; or give `tracks`. */
  referencesDir?: string
  /** The tracks to train on (the reference library's, for example), instead of `referencesDir`. */
  tracks?: LibraryTrack[]
  /** A previous model's folder: it is scored on the same held-out examples (card.heldOut.previous). */
  compareWith?: string
  outDir: string
  seed?: number
  drawsPerTrack?: number
  heldOutDraws?: number
  segmentSeconds?: number
  heldOutShare?: number
  /** Hold out one fold of a K-fold split instead of `heldOutShare` (cross-validation: README). */
  fold?: Fold
  epochs?: number
  ensembleSize?: number
  identityRepeats?: number
  /** Folders directly under referencesDir to leave out. */
  exclude?: string[]
  /** Worker threads for synthesis and evaluation; 0 runs everything in this thread. Default: the cores. */
  workers?: number
  /** Where examples are cached between runs; undefined = no cache. */
  cacheDir?: string
  onProgress?: (event: TrainProgress) => void
}

/** Progress events: a stage with a fraction done, and per-epoch losses. */
export type TrainProgress =
  | { stage: 'synthesis' | 'evaluation'; done: number; total: number }
  | { stage: 'training'; network: number; networks: number; epoch: number; epochs: number; loss: number; heldOutLoss: number }

/** Where each stage sits on a run's progress bar (0..1): synthesis is the long part, training and evaluation share the rest. */
const STAGE_SPAN: Record<TrainProgress['stage'], [number, number]> = { synthesis: [0, 0.6], training: [0.6, 0.8], evaluation: [0.8, 1] }

/** The share of a run done at `event` (the bar of `refmaster train`, and the service's progress). */
export function trainProgressFraction(event: TrainProgress): number {
  const [start, end] = STAGE_SPAN[event.stage]
  const done = event.stage === 'training' ? (event.network - 1 + event.epoch / event.epochs) / event.networks : event.done / Math.max(1, event.total)
  return start + (end - start) * done
}

/** A track of the library. */
export interface LibraryTrack {
  genre: string
  path: string
}

/** The library's tracks, by genre folder, sorted. */
export function listLibrary(dir: string, exclude: readonly string[] = []): LibraryTrack[] {
  let genres: string[]
  try {
    genres = readdirSync(dir).filter((name) => !exclude.includes(name) && statSync(join(dir, name)).isDirectory()).sort()
  } catch {
    throw new RefmasterError('FILE_NOT_FOUND', `cannot read the reference library '${dir}'`)
  }
  const tracks = genres.flatMap((genre) =>
    readdirSync(join(dir, genre))
      .filter((name) => AUDIO_EXTENSIONS.has(extname(name).toLowerCase()))
      .sort()
      .map((name) => ({ genre, path: join(dir, genre, name) })),
  )
  if (tracks.length < 2) throw new RefmasterError('USAGE', `the reference library '${dir}' needs at least 2 audio files in genre sub-folders, found ${tracks.length}`)
  return tracks
}

/** One fold of a K-fold split: the tracks dealt to fold `index` (0-based) of `count` are held out. */
export interface Fold {
  index: number
  count: number
}

/**
 * Splits tracks into training and held-out ones, per genre (at least one of each where a genre has two
 * tracks): a `share` of each genre, or, with `fold`, the genre's tracks dealt to that fold (each genre is
 * shuffled with the seed, and the genres dealt in turn round the folds: the folds of one seed hold every
 * track out once, and their sizes differ by one at most).
 */
export function splitByTrack(tracks: LibraryTrack[], share: number, seed: number, fold?: Fold): { train: LibraryTrack[]; heldOut: LibraryTrack[] } {
  const random = seededRandom(seed ^ 0x0b5e55ed)
  const train: LibraryTrack[] = []
  const heldOut: LibraryTrack[] = []
  let dealt = 0
  for (const genre of [...new Set(tracks.map((t) => t.genre))]) {
    const members = tracks.filter((t) => t.genre === genre)
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[members[i], members[j]] = [members[j], members[i]]
    }
    if (fold) {
      for (const track of members) (dealt++ % fold.count === fold.index ? heldOut : train).push(track)
      continue
    }
    const count = members.length < 2 ? 0 : Math.max(1, Math.round(members.length * share))
    heldOut.push(...members.slice(0, count))
    train.push(...members.slice(count))
  }
  if (heldOut.length === 0) heldOut.push(train.pop() as LibraryTrack)
  return { train, heldOut }
}

/** Runs worker jobs on a pool (or in this thread for workers = 0); results in job order, each also handed to `onResult` as it arrives. */
async function runJobs<T>(jobs: TrainingWorkerTask[], workers: number, onResult: (index: number, result: T, done: number) => void): Promise<T[]> {
  let done = 0
  const tick = (index: number, result: T | FailedResult) => {
    const value = throwIfFailed(result)
    onResult(index, value, ++done)
    return value
  }
  if (workers === 0) {
    const { default: run } = await import('./synth-worker.js')
    const results: T[] = []
    for (const [i, job] of jobs.entries()) results.push(tick(i, (await run(job)) as T | FailedResult))
    return results
  }
  const pool = new Piscina({ filename: new URL('./synth-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers })
  try {
    return await Promise.all(jobs.map((job, i) => pool.run(job).then((r: T | FailedResult) => tick(i, r))))
  } finally {
    await pool.destroy()
  }
}

/** Synthesises (or reads from the cache) the examples of `tasks`; each new one is cached as soon as it is made. */
async function examplesOf(tasks: SynthesisTask[], request: TrainRequest, workers: number, onDone: (done: number) => void): Promise<ExampleAnalyses[]> {
  // An example whose loudness-stage levels belong to other analytic settings is made again.
  const cached = tasks.map((task) => {
    const example = request.cacheDir ? cachedExample(request.cacheDir, task) : undefined
    return example && isCurrent(example) ? example : undefined
  })
  const missing = tasks.filter((_, i) => !cached[i])
  const already = tasks.length - missing.length
  onDone(already)
  const made = await runJobs<ExampleAnalyses>(missing.map((task) => ({ kind: 'synthesise', task })), workers, (index, example, done) => {
    if (request.cacheDir) storeExample(request.cacheDir, missing[index], example)
    onDone(already + done)
  })
  let next = 0
  return tasks.map((_, i) => cached[i] ?? made[next++])
}

/** Trains a model from the library in `request.referencesDir` and writes it to `request.outDir`. */
export async function trainModel(request: TrainRequest): Promise<ModelCard> {
  const started = performance.now()
  const seed = request.seed ?? TRAIN_DEFAULTS.seed
  const draws = request.drawsPerTrack ?? TRAIN_DEFAULTS.drawsPerTrack
  const heldOutDraws = request.heldOutDraws ?? TRAIN_DEFAULTS.heldOutDraws
  const segmentSeconds = request.segmentSeconds ?? TRAIN_DEFAULTS.segmentSeconds
  const epochs = request.epochs ?? TRAIN_DEFAULTS.epochs
  const workers = request.workers ?? availableParallelism()
  const progress = request.onProgress ?? (() => {})
  const library = request.tracks ?? listLibrary(request.referencesDir ?? '.', request.exclude)
  if (library.length < 2) throw new RefmasterError('USAGE', `training needs at least 2 tracks, got ${library.length}`)
  const fold = request.fold
  if (fold && !(Number.isInteger(fold.count) && fold.count >= 2 && Number.isInteger(fold.index) && fold.index >= 0 && fold.index < fold.count)) {
    throw new RefmasterError('INVALID_PARAMETER', `a fold is I/K with K >= 2 and 0 <= I < K, got ${fold.index}/${fold.count}`)
  }
  const split = splitByTrack(library, request.heldOutShare ?? TRAIN_DEFAULTS.heldOutShare, seed, fold)
  if (fold && (split.train.length === 0 || split.heldOut.length === 0)) throw new RefmasterError('USAGE', `fold ${fold.index}/${fold.count} leaves no ${split.train.length === 0 ? 'training' : 'held-out'} track`)
  // an empty or foreign file stops the run before any work, named (a damaged stream, when it is decoded)
  for (const { path } of library) await checkAudioFile(path)
  const tasksOf = (tracks: LibraryTrack[], count: number): SynthesisTask[] =>
    tracks.flatMap((track) => Array.from({ length: count }, (_, draw) => ({ trackPath: track.path, seed, draw, segmentSeconds })))
  const trainTasks = tasksOf(split.train, draws)
  const heldOutTasks = tasksOf(split.heldOut, heldOutDraws)
  const allTasks = [...trainTasks, ...heldOutTasks]

  const analyses = await examplesOf(allTasks, request, workers, (done) => progress({ stage: 'synthesis', done, total: allTasks.length }))
  const examples = analyses.map(exampleRows)
  const synthesisSeconds = (performance.now() - started) / 1000
  const trainExamples = examples.slice(0, trainTasks.length)
  const heldOutExamples = examples.slice(trainTasks.length)
  const rows = (list: Example[]): Rows => ({ x: list.map((e) => Float32Array.from(e.features)), s: list.map((e) => Float32Array.from(e.stageFeatures)), y: list.map((e) => Float32Array.from(e.labels)) })
  const identityRepeats = request.identityRepeats ?? TRAIN_DEFAULTS.identityRepeats
  const trainRows = rows(trainExamples.flatMap((e, i) => Array.from({ length: analyses[i].identity ? identityRepeats : 1 }, () => e)))

  const { tf, backend } = await loadTf()
  const ensembleSize = request.ensembleSize ?? TRAIN_DEFAULTS.ensembleSize
  const members = []
  let losses = { loss: NaN, heldOutLoss: NaN }
  for (let k = 0; k < ensembleSize; k++) {
    // member k's seed; member 0 is the run's own seed
    const memberSeed = seed + 100 * k
    const member = buildNetwork(tf, memberSeed)
    losses = await trainNetwork(tf, member, trainRows, rows(heldOutExamples), {
      seed: memberSeed,
      epochs,
      batchSize: DEFAULT_TRAIN_OPTIONS.batchSize,
      learningRate: DEFAULT_TRAIN_OPTIONS.learningRate,
      onEpoch: (epoch, loss, heldOutLoss) => progress({ stage: 'training', network: k + 1, networks: ensembleSize, epoch, epochs, loss, heldOutLoss }),
    })
    members.push(member)
  }
  const network = ensembleOf(tf, members)
  const trainingSeconds = (performance.now() - started) / 1000 - synthesisSeconds

  // The workers master each held-out example as `refmaster master --settings model` does (./evaluate.ts).
  const model: EvaluatedNetwork = { key: `${seed}:${started}`, artifacts: await networkArtifacts(network) }
  const previous = request.compareWith ? await loadModel(request.compareWith) : undefined
  const evaluations = await runJobs<Evaluation>(
    heldOutTasks.map((task) => ({ kind: 'evaluate', task, model, ...(previous && { previous: { dir: previous.dir } }) })),
    workers,
    (_, __, done) => progress({ stage: 'evaluation', done, total: heldOutTasks.length }),
  )
  previous?.network.dispose()
  const heldOut: HeldOutReport = summarise(evaluations)
  const card: ModelCard = {
    name: basename(request.outDir),
    schemaFingerprint: SCHEMA_FINGERPRINT,
    createdAt: new Date().toISOString(),
    seed,
    ...(fold && { fold }),
    backend,
    trainingTracks: split.train.map((t) => `${t.genre}/${basename(t.path)}`),
    heldOutTracks: split.heldOut.map((t) => `${t.genre}/${basename(t.path)}`),
    network: { inputs: INPUT_SIZE, stageInputs: STAGE_INPUT_SIZE, hidden: [...DEFAULT_ARCHITECTURE.hidden], dropoutRate: DEFAULT_ARCHITECTURE.dropoutRate, ensembleSize, outputs: OUTPUTS.map((o) => o.name) },
    synthesis: { drawsPerTrack: draws, heldOutDraws, segmentSeconds, trainingExamples: trainExamples.length, heldOutExamples: heldOutExamples.length },
    training: { epochs, identityRepeats, trainingRows: trainRows.x.length, finalLoss: losses.loss, finalHeldOutLoss: losses.heldOutLoss },
    seconds: { synthesis: round(synthesisSeconds), training: round(trainingSeconds), evaluation: round((performance.now() - started) / 1000 - synthesisSeconds - trainingSeconds), total: round((performance.now() - started) / 1000) },
    heldOut,
    ...(previous && { comparedWith: previous.card.name }),
  }
  await saveModel(request.outDir, network, card)
  network.dispose()
  if (members.length > 1) for (const member of members) member.dispose()
  return card
}

const round = (value: number) => Math.round(value * 10) / 10
