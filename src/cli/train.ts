import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { RefmasterError } from '../errors.js'
import { formatHeldOut } from '../../training/report.js'
import { trainModel, trainProgressFraction, TRAIN_DEFAULTS, type Fold, type LibraryTrack, type TrainProgress } from '../../training/train.js'
import { openLibrary } from '../library/library.js'
import { DEFAULT_USER_LIBRARY_DIR, LIBRARY_ENV } from '../library/paths.js'
import { createProgressBar } from './progress.js'

interface TrainOptions {
  references?: string
  library?: boolean
  genre?: string[]
  compareWith?: string
  progressJson?: boolean
  out: string
  seed?: string
  fold?: string
  draws?: string
  heldOutDraws?: string
  segmentSeconds?: string
  epochs?: string
  exclude?: string[]
  workers?: string
  cache?: string | false
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** The default example cache: $XDG_CACHE_HOME/refmaster/training (or ~/.cache/...). */
export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'refmaster', 'training')
}

/** `--fold I/K` as a Fold (trainModel checks the range). */
function parseFold(value: string | undefined): Fold | undefined {
  if (value === undefined) return undefined
  const match = /^(\d+)\/(\d+)$/.exec(value)
  if (!match) throw new RefmasterError('INVALID_PARAMETER', `--fold must be I/K (for example 0/5), got ${value}`)
  return { index: Number(match[1]), count: Number(match[2]) }
}

function integer(value: string | undefined, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!(Number.isInteger(number) && number >= min)) throw new RefmasterError('INVALID_PARAMETER', `--${name} must be an integer >= ${min}, got ${value}`)
  return number
}

/** Registers `refmaster train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the settings model on a folder of references (one sub-folder of audio files per genre) or on the reference library')
    .option('--references <dir>', 'a folder with one sub-folder of audio files per genre')
    .option('--library', `train on the reference library: the built-in tracks and the user's ($${LIBRARY_ENV} or ./${DEFAULT_USER_LIBRARY_DIR})`)
    .option('--genre <name>', 'with --library: train on this genre only (repeatable)', collect)
    .option('--compare-with <dir>', 'a previous model: score it on the same held-out examples (the card then says which is better)')
    .option('--progress-json', 'write progress as JSON lines on stdout (for the service), not a bar')
    .requiredOption('--out <dir>', 'where to write the model (models/NAME)')
    .option('--seed <n>', `random seed (default ${TRAIN_DEFAULTS.seed}); the same seed gives the same model`)
    .option('--fold <i/k>', 'hold out fold I (0-based) of a K-fold split by track instead of a fifth of each genre (cross-validation)')
    .option('--draws <n>', `random settings drawn per training track (default ${TRAIN_DEFAULTS.drawsPerTrack})`)
    .option('--held-out-draws <n>', `draws per held-out track (default ${TRAIN_DEFAULTS.heldOutDraws})`)
    .option('--segment-seconds <s>', `length of the sections cut from the tracks (default ${TRAIN_DEFAULTS.segmentSeconds})`)
    .option('--epochs <n>', `training epochs (default ${TRAIN_DEFAULTS.epochs})`)
    .option('--exclude <folder>', 'a sub-folder of the library to leave out (repeatable)', collect)
    .option('--workers <n>', 'worker threads for synthesis (default: the cores; 0 = none)')
    .option('--cache <dir>', `example cache (default ${defaultCacheDir()})`)
    .option('--no-cache', 'synthesise every example again')
    .action(async (options: TrainOptions) => runTrain(options))
}

/** How often a child run checks that the process that started it is still there (ms). */
const PARENT_CHECK_MS = 1000

/**
 * A run started by the service (--progress-json) ends when the service does, even when it is killed
 * outright (SIGKILL leaves children running): the service takes the run up again when it restarts.
 */
function exitWithParent(): void {
  const parent = process.ppid
  setInterval(() => process.ppid !== parent && process.exit(1), PARENT_CHECK_MS).unref()
  process.stdout.on('error', () => process.exit(1))
}

/** The tracks of the reference library, optionally only some genres. */
function libraryTracks(genres: string[] | undefined): LibraryTrack[] {
  const wanted = genres?.map((g) => g.toLowerCase())
  const all = openLibrary().list()
  for (const genre of wanted ?? []) {
    if (!all.some((t) => t.genre === genre)) throw new RefmasterError('UNKNOWN_GENRE', `no genre '${genre}' in the reference library; genres: ${[...new Set(all.map((t) => t.genre))].join(', ')}`)
  }
  return all.filter((t) => !wanted || wanted.includes(t.genre)).map((t) => ({ genre: t.genre, path: t.audioPath }))
}

async function runTrain(options: TrainOptions): Promise<void> {
  if (Boolean(options.references) === Boolean(options.library)) throw new RefmasterError('USAGE', 'give either --references DIR or --library')
  if (options.genre && !options.library) throw new RefmasterError('USAGE', '--genre needs --library (with --references, leave folders out with --exclude)')
  const segmentSeconds = options.segmentSeconds === undefined ? TRAIN_DEFAULTS.segmentSeconds : Number(options.segmentSeconds)
  if (!(segmentSeconds >= 3 && segmentSeconds <= 60)) throw new RefmasterError('INVALID_PARAMETER', `--segment-seconds must be within [3, 60] s, got ${options.segmentSeconds}`)
  const json = options.progressJson === true
  if (json) exitWithParent()
  const bar = createProgressBar('train')
  const logLine = !json && !process.stderr.isTTY
  let lastLogged = -1
  let lastStage = ''
  const onProgress = (event: TrainProgress) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(event)}\n`)
      return
    }
    if (event.stage === 'training') {
      const text = `network ${event.network}/${event.networks} epoch ${event.epoch}/${event.epochs} loss ${event.loss.toFixed(5)} held-out loss ${event.heldOutLoss.toFixed(5)}`
      bar.update(trainProgressFraction(event), text)
      const decile = Math.floor((10 * (event.network - 1 + event.epoch / event.epochs)) / event.networks)
      if (logLine && decile !== lastLogged) {
        lastLogged = decile
        process.stderr.write(`train: ${text}\n`)
      }
    } else {
      const decile = Math.floor((10 * event.done) / Math.max(1, event.total))
      if (logLine && `${event.stage}${decile}` !== lastStage) {
        lastStage = `${event.stage}${decile}`
        process.stderr.write(`train: ${event.stage} ${event.done}/${event.total}\n`)
      }
      bar.update(trainProgressFraction(event), `${event.stage} ${event.done}/${event.total}`)
    }
  }
  const card = await trainModel({
    referencesDir: options.references,
    tracks: options.library ? libraryTracks(options.genre) : undefined,
    compareWith: options.compareWith,
    outDir: options.out,
    seed: integer(options.seed, 'seed', 0, TRAIN_DEFAULTS.seed),
    fold: parseFold(options.fold),
    drawsPerTrack: integer(options.draws, 'draws', 1, TRAIN_DEFAULTS.drawsPerTrack),
    heldOutDraws: integer(options.heldOutDraws, 'held-out-draws', 1, TRAIN_DEFAULTS.heldOutDraws),
    segmentSeconds,
    epochs: integer(options.epochs, 'epochs', 1, TRAIN_DEFAULTS.epochs),
    exclude: options.exclude,
    workers: options.workers === undefined ? undefined : integer(options.workers, 'workers', 0, 0),
    cacheDir: options.cache === false ? undefined : (options.cache ?? defaultCacheDir()),
    onProgress,
  })
  bar.done()
  if (json) return
  const heldOut = card.heldOut as Parameters<typeof formatHeldOut>[0]
  process.stdout.write(`${options.out}: trained on ${card.trainingTracks.length} tracks, held out ${card.heldOutTracks.length}, in ${(card.seconds as { total: number }).total} s\n\n${formatHeldOut(heldOut)}\n`)
}
