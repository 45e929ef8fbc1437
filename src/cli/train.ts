import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { RefmasterError } from '../errors.js'
import { formatHeldOut } from '../../training/report.js'
import { trainModel, TRAIN_DEFAULTS, type TrainProgress } from '../../training/train.js'
import { createProgressBar } from './progress.js'

interface TrainOptions {
  references: string
  out: string
  seed?: string
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
    .description('train the settings model on a reference library (one sub-folder of audio files per genre)')
    .requiredOption('--references <dir>', 'the reference library')
    .requiredOption('--out <dir>', 'where to write the model (models/NAME)')
    .option('--seed <n>', `random seed (default ${TRAIN_DEFAULTS.seed}); the same seed gives the same model`)
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

async function runTrain(options: TrainOptions): Promise<void> {
  const segmentSeconds = options.segmentSeconds === undefined ? TRAIN_DEFAULTS.segmentSeconds : Number(options.segmentSeconds)
  if (!(segmentSeconds >= 3 && segmentSeconds <= 60)) throw new RefmasterError('INVALID_PARAMETER', `--segment-seconds must be within [3, 60] s, got ${options.segmentSeconds}`)
  const bar = createProgressBar('train')
  const logLine = !process.stderr.isTTY
  let lastLogged = -1
  let lastStage = ''
  const onProgress = (event: TrainProgress) => {
    if (event.stage === 'training') {
      const text = `network ${event.network}/${event.networks} epoch ${event.epoch}/${event.epochs} loss ${event.loss.toFixed(5)} held-out loss ${event.heldOutLoss.toFixed(5)}`
      const done = (event.network - 1 + event.epoch / event.epochs) / event.networks
      bar.update(0.6 + 0.2 * done, text)
      const decile = Math.floor(10 * done)
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
      const base = event.stage === 'synthesis' ? 0 : 0.8
      const share = event.stage === 'synthesis' ? 0.6 : 0.2
      bar.update(base + (share * event.done) / Math.max(1, event.total), `${event.stage} ${event.done}/${event.total}`)
    }
  }
  const card = await trainModel({
    referencesDir: options.references,
    outDir: options.out,
    seed: integer(options.seed, 'seed', 0, TRAIN_DEFAULTS.seed),
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
  const heldOut = card.heldOut as Parameters<typeof formatHeldOut>[0]
  process.stdout.write(`${options.out}: trained on ${card.trainingTracks.length} tracks, held out ${card.heldOutTracks.length}, in ${(card.seconds as { total: number }).total} s\n\n${formatHeldOut(heldOut)}\n`)
}
