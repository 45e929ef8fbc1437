import { readFile, writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { decodeFile } from '../audio/decode.js'
import { decodeFileOnWorker } from '../audio/decode-on-worker.js'
import type { Audio } from '../audio/audio.js'
import { formatFromExtension, isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../audio/formats.js'
import { writeAudioFile } from '../audio/encode.js'
import { resample } from '../audio/resample.js'
import { jsonReplacer } from '../analysis/to-json.js'
import { PLAYBACK_TARGETS } from '../chain/playback-targets.js'
import { CHAIN_SETTINGS_VERSION, type ChainSettings } from '../chain/settings.js'
import { RefmasterError } from '../errors.js'
import { openLibrary } from '../library/library.js'
import { masterTrack, type GenreInput, type ReferenceInput } from '../master.js'
import { defaultModelDir, defaultSettingsSource, SETTINGS_SOURCES, type SettingsSource } from '../model/default-model.js'
import { loadModel } from '../model/model-io.js'
import { createProgressBar } from './progress.js'

interface MasterOptions {
  reference?: string[]
  genre?: string[]
  target?: string
  output: string
  eqStrength?: string
  dynamicsStrength?: string
  widthStrength?: string
  intensity?: string
  format?: string
  sampleRate?: string
  report?: string
  saveRecipe?: string
  recipe?: string
  settings?: SettingsSource
  model?: string
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Splits "path:weight" (a trailing `:number`) into path and weight; no suffix means weight 1. */
export function parseWeighted(spec: string, what: string): { name: string; weight: number } {
  const match = /^(.*):([^:/\\]+)$/.exec(spec)
  if (match && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(match[2])) {
    const weight = Number(match[2])
    if (!(weight > 0)) throw new RefmasterError('INVALID_PARAMETER', `${what} weight must be > 0, got ${match[2]} in '${spec}'`)
    return { name: match[1], weight }
  }
  return { name: spec, weight: 1 }
}

function strength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new RefmasterError('INVALID_PARAMETER', `--${name} must be within [0, 1], got ${value}`)
  }
  return number
}

/** Registers `refmaster master`. */
export function registerMaster(program: Command): void {
  program
    .command('master')
    .description('master a mix toward one or more references, for a playback target')
    .argument('<mix>', 'the mix to master (WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus)')
    .option('--reference <ref[:weight]>', 'reference track; repeat for a weighted blend (weights are normalised)', collect)
    .option('--genre <genre[:weight]>', 'genre profile from the reference library (`refmaster genres`); repeat for a weighted blend', collect)
    .addOption(new Option('--target <name>', 'playback target (default: reference with references, else streaming)').choices(PLAYBACK_TARGETS.map((t) => t.name)))
    .requiredOption('-o, --output <file>', 'where to write the master')
    .option('--eq-strength <x>', 'tonal correction strength, 0..1 (default 1)')
    .option('--dynamics-strength <x>', 'compression strength, 0..1 (default 1)')
    .option('--width-strength <x>', 'stereo-width strength, 0..1 (default 1)')
    .option('--intensity <x>', 'overall intensity, 0..1 (default 1)')
    .addOption(new Option('--format <format>', 'output format (wins over the extension of -o)').choices([...OUTPUT_FORMATS]))
    .option('--sample-rate <hz>', "output sample rate (default: the mix's)")
    .option('--report <file>', 'write the report as JSON')
    .addOption(new Option('--save-recipe <file>', 'write the settings as a recipe (JSON)').conflicts('recipe'))
    .option('--recipe <file>', 'render with exactly the settings of a recipe')
    .addOption(new Option('--settings <source>', 'where the settings come from: the trained model or the analytic matcher (default: the shipped model when it beats the analytic path, else analytic)').choices([...SETTINGS_SOURCES]))
    .option('--model <dir>', 'the trained model to use (a models/NAME folder; implies --settings model)')
    .action(async (mixPath: string, options: MasterOptions) => runMaster(mixPath, options))
}

async function runMaster(mixPath: string, options: MasterOptions): Promise<void> {
  if (options.reference?.length && options.genre?.length) throw new RefmasterError('USAGE', 'give --reference or --genre, not both')
  if ((options.reference?.length || options.genre?.length) && options.recipe) throw new RefmasterError('USAGE', '--recipe renders saved settings: give it without --reference or --genre')
  const format: OutputFormat = options.format && isOutputFormat(options.format) ? options.format : formatFromExtension(options.output)
  const outputRateHz = options.sampleRate === undefined ? undefined : Number(options.sampleRate)
  if (outputRateHz !== undefined && !(Number.isInteger(outputRateHz) && outputRateHz >= 8000 && outputRateHz <= 384000)) {
    throw new RefmasterError('INVALID_PARAMETER', `--sample-rate must be an integer within [8000, 384000] Hz, got ${options.sampleRate}`)
  }
  const strengths = {
    eq: strength(options.eqStrength, 'eq-strength'),
    dynamics: strength(options.dynamicsStrength, 'dynamics-strength'),
    width: strength(options.widthStrength, 'width-strength'),
    intensity: strength(options.intensity, 'intensity'),
  }
  const recipe = options.recipe ? await readRecipe(options.recipe) : undefined
  const genres = options.genre?.length ? genreInputs(options.genre) : undefined
  if (!recipe && !options.reference?.length && !genres && !options.target) {
    throw new RefmasterError('USAGE', 'give --reference (or --genre), or a --target, or a --recipe')
  }

  if (options.settings === 'analytic' && options.model) throw new RefmasterError('USAGE', '--model needs --settings model (or no --settings)')
  let settingsSource: SettingsSource = options.settings ?? (options.model ? 'model' : 'analytic')
  if (!options.settings && !options.model && !recipe) {
    const choice = defaultSettingsSource()
    settingsSource = choice.source
    if (choice.note) process.stderr.write(`refmaster: note: ${choice.note}\n`)
  }
  const model = settingsSource === 'model' && !recipe ? await loadModel(options.model ?? defaultModelDir()) : undefined

  const progress = createProgressBar('master')
  progress.update(0, 'decoding')
  const referenceSpecs = (options.reference ?? []).map((spec) => parseWeighted(spec, '--reference'))
  // The references are decoded on worker threads while this one decodes the mix; the mix's errors come first.
  const decodedReferences = Promise.allSettled(referenceSpecs.map(({ name }) => decodeFileOnWorker(name)))
  let mix: Audio
  try {
    mix = await decodeFile(mixPath)
  } finally {
    await decodedReferences
  }
  const references: ReferenceInput[] = (await decodedReferences).map((outcome, r) => {
    if (outcome.status === 'rejected') throw outcome.reason
    return { ...referenceSpecs[r], audio: outcome.value }
  })
  const definedStrengths = Object.fromEntries(Object.entries(strengths).filter(([, v]) => v !== undefined))
  const result = await masterTrack(
    // The mix was decoded for this master alone: the render may write into its arrays.
    { mixName: mixPath, mix, references, genres, target: options.target, strengths: definedStrengths, recipe, settingsSource, model, consumeMix: true },
    (fraction, stage) => progress.update(0.1 + 0.8 * fraction, stage),
  )
  progress.update(0.9, 'writing')
  const output = outputRateHz && outputRateHz !== result.audio.sampleRateHz ? resample(result.audio, outputRateHz) : result.audio
  await writeAudioFile(options.output, output, format)
  if (options.report) await writeFile(options.report, JSON.stringify(result.report, jsonReplacer, 2) + '\n')
  if (options.saveRecipe) await writeFile(options.saveRecipe, JSON.stringify({ recipeVersion: CHAIN_SETTINGS_VERSION, settings: result.report.settings }, null, 2) + '\n')
  progress.done()
  for (const warning of result.report.warnings) process.stderr.write(`refmaster: warning: ${warning}\n`)
  const after = result.report.measurements.after
  const failed = result.report.deliveryCheck.filter((line) => !line.pass)
  process.stdout.write(
    `${options.output}: ${after.integratedLufs.toFixed(1)} LUFS, ${after.truePeakDbtp.toFixed(1)} dBTP, LRA ${Number.isFinite(after.loudnessRangeLu) ? after.loudnessRangeLu.toFixed(1) : '--'} LU` +
      ` (target ${result.report.target.name}: ${result.report.target.resolvedLufs.toFixed(1)} LUFS, ceiling ${result.report.target.truePeakCeilingDbtp} dBTP); delivery check ${failed.length === 0 ? 'passed' : `FAILED: ${failed.map((l) => l.check).join('; ')}`}\n`,
  )
}

/** The genre profiles `--genre G[:WEIGHT]` names, from the reference library (built-in plus the user's). */
function genreInputs(specs: string[]): GenreInput[] {
  const library = openLibrary()
  return specs.map((spec) => {
    const { name, weight } = parseWeighted(spec, '--genre')
    const genre = library.genre(name)
    return { name: genre.name, weight, profile: genre.profile, summary: genre.summary }
  })
}

async function readRecipe(path: string): Promise<ChainSettings> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new RefmasterError('FILE_NOT_FOUND', `cannot read recipe '${path}'`)
  }
  let parsed: { recipeVersion?: number; settings?: ChainSettings }
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new RefmasterError('INVALID_PARAMETER', `recipe '${path}' is not valid JSON: ${(error as Error).message}`)
  }
  if (parsed.recipeVersion !== CHAIN_SETTINGS_VERSION || !parsed.settings) {
    throw new RefmasterError('INVALID_PARAMETER', `recipe '${path}' is not a refmaster recipe of version ${CHAIN_SETTINGS_VERSION}`)
  }
  return parsed.settings
}
