/**
 * The model's contract, declared once (STYLE.md "The model's contract is declared once"; DESIGN.md "The
 * model"): the ordered input features (./features.ts), the ordered outputs, each pointing at a
 * processor's own parameter spec, their [0, 1] encodings, and a fingerprint of all of it. Training and
 * inference import this file; a saved model records the fingerprint, and a model with another one is
 * refused (./model-io.ts).
 *
 * The outputs are corrections of the analytic settings (residuals: an output of 0.5 keeps the analytic
 * value, so an untrained network masters exactly as the analytic path does, and the model moves only
 * where it has learned to). What they correct is what the analytic path finds hard to read off the
 * analyses: the levels of the reference that the loudness match reads (src/chain/loudness-match.ts: its
 * level, which sets the master's loudness, and its PLR, which sets the master's peak-to-loudness ratio,
 * both as the goal's own before the playback ceiling; the goal is another section of music than the
 * reference), per-band compression ratios, the strength of the analytic matching EQ (how far the
 * reference's spectrum is the goal's), and broad low/high shelves on top of it. The width stays the
 * analytic path's.
 */
import { createHash } from 'node:crypto'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import type { ChainSettings } from '../chain/settings.js'
import type { TargetProfile } from '../chain/target-profile.js'
import { profileOf } from '../chain/target-profile.js'
import { LOUDNESS_STAGE_PARAMS } from '../dsp/loudness-target.js'
import { COMPRESSOR_BAND_PARAMS } from '../dsp/multiband-compressor.js'
import { denormalise, normalise, type ParamSpec } from '../dsp/params.js'
import { TONAL_EQ_PARAMS } from '../dsp/tonal-eq.js'
import { RefmasterError } from '../errors.js'
import { matchLoudness, type LevelSummary } from '../chain/loudness-match.js'
import { MATCHING_EQ_PARAMS } from '../dsp/matching-eq.js'
import { DYNAMICS_BAND_COUNT, FEATURES, STAGE_FEATURES, type FeatureSpec } from './features.js'

/** Bump when the meaning of a feature or output changes without its declaration changing. */
export const SCHEMA_VERSION = 6

/** How an output's value maps onto [0, 1]. */
export type OutputEncoding =
  /** u = normalise(spec, value). */
  | { kind: 'absolute' }
  /**
   * Relative to the analytic setting p: u = 0.5 + (normalise(value) - normalise(p)) / (2 span), so u = 0.5
   * keeps the analytic value and the extremes move it by `span` of the parameter's normalised range.
   */
  | { kind: 'residual'; span: number; around: 'analytic' }

/** One output: where it goes in ChainSettings, the spec of that parameter, its encoding and loss weight. */
export interface OutputSpec {
  name: string
  path: readonly (string | number)[]
  spec: ParamSpec
  encoding: OutputEncoding
  /** Weight in the training loss (the loudness and ceiling decide most of the metrics). */
  lossWeight: number
  /**
   * Whether the output is predicted from the stage features too (./features.ts STAGE_FEATURES: what the
   * chain delivers to its loudness stage), i.e. once the stages before the loudness stage have run. Only
   * outputs the loudness stage reads may: the others decide what it is delivered. These come first.
   */
  readsStageInput: boolean
}

const bands = Array.from({ length: DYNAMICS_BAND_COUNT }, (_, b) => b)

/**
 * The PLR of the reference that the loudness match reads (ChainSettings.loudness.reference.plrDb, dB): a
 * level summary, not a processor's parameter, so its range is declared here. A sine has 3 dB; an
 * unprocessed recording rarely more than 30.
 */
export const REFERENCE_PLR_SPEC: ParamSpec = { unit: 'dB', min: 0, max: 40, default: 12, neutral: 12, scale: 'linear', description: "the reference's peak-to-loudness ratio as the loudness match reads it" }

/** Paths of the reference levels the loudness match reads (present with playback target "reference" only). */
export const REFERENCE_LEVEL_PATH = ['loudness', 'reference', 'integratedLufs'] as const
export const REFERENCE_PLR_PATH = ['loudness', 'reference', 'plrDb'] as const

const residual = (span: number): OutputEncoding => ({ kind: 'residual', span, around: 'analytic' })

/** The ordered outputs. */
export const OUTPUTS: readonly OutputSpec[] = [
  // The reference's level as the loudness match reads it (its true peak moves with it: ../model/predict.ts):
  // +-9 LU, 0.15 of the 60 LU range. The match's target follows it one for one.
  { name: 'loudness.reference.integratedLufs', path: REFERENCE_LEVEL_PATH, spec: LOUDNESS_STAGE_PARAMS.targetLufs, encoding: residual(0.15), lossWeight: 8, readsStageInput: true },
  // The reference's PLR: +-15 dB, of which the match's aimed PLR follows its share (referencePlrTrust).
  { name: 'loudness.reference.plrDb', path: REFERENCE_PLR_PATH, spec: REFERENCE_PLR_SPEC, encoding: residual(0.375), lossWeight: 4, readsStageInput: true },
  // ratio (log scale): up to 20^0.3 = 2.5 times the analytic ratio, or down to 1
  ...bands.map((b) => ({ name: `compressor.bands.${b}.ratio`, path: ['compressor', 'bands', b, 'ratio'], spec: COMPRESSOR_BAND_PARAMS.ratio, encoding: residual(0.3), lossWeight: 1, readsStageInput: false })),
  // No side gains: corrections of the analytic width learned from the examples made the held-out masters'
  // side/mid ratio worse (12 draws per track: -10.8 % against -5.8 % without them; 24 draws: -10.6 % against -1.5 %).
  // How much of the analytic matching EQ curve to apply (its strength, 0..1): how far the reference's
  // spectrum is the goal's. The whole range: the extremes move the analytic strength by +-1.
  { name: 'matchingEq.strength', path: ['matchingEq', 'strength'], spec: MATCHING_EQ_PARAMS.strength, encoding: residual(1), lossWeight: 2, readsStageInput: false },
  // +-6 dB of shelf on top of the scaled matching EQ (whose own shelves are 0)
  { name: 'tonalEq.lowShelfGainDb', path: ['tonalEq', 'lowShelfGainDb'], spec: TONAL_EQ_PARAMS.lowShelfGainDb, encoding: residual(0.25), lossWeight: 1, readsStageInput: false },
  { name: 'tonalEq.highShelfGainDb', path: ['tonalEq', 'highShelfGainDb'], spec: TONAL_EQ_PARAMS.highShelfGainDb, encoding: residual(0.25), lossWeight: 1, readsStageInput: false },
]

/** Number of inputs, stage inputs and outputs, and of the outputs that read the stage inputs (the first ones). */
export const INPUT_SIZE = FEATURES.length
export const STAGE_INPUT_SIZE = STAGE_FEATURES.length
export const OUTPUT_SIZE = OUTPUTS.length
export const STAGE_OUTPUT_COUNT = OUTPUTS.filter((o) => o.readsStageInput).length
if (OUTPUTS.some((o, i) => o.readsStageInput !== i < STAGE_OUTPUT_COUNT)) throw new RefmasterError('INTERNAL', 'the outputs that read the stage inputs must come first')

/** The schema as plain data (what the fingerprint hashes; also written into model cards). */
export function schemaDescription(): { version: number; inputs: FeatureSpec[]; stageInputs: FeatureSpec[]; outputs: Array<Omit<OutputSpec, 'spec'> & { spec: Omit<ParamSpec, 'description'> }> } {
  return {
    version: SCHEMA_VERSION,
    inputs: FEATURES.map(({ name, unit, min, max }) => ({ name, unit, min, max })),
    stageInputs: STAGE_FEATURES.map(({ name, unit, min, max }) => ({ name, unit, min, max })),
    outputs: OUTPUTS.map(({ name, path, spec, encoding, lossWeight, readsStageInput }) => ({
      name, path, encoding, lossWeight, readsStageInput, spec: { unit: spec.unit, min: spec.min, max: spec.max, default: spec.default, neutral: spec.neutral, scale: spec.scale },
    })),
  }
}

/** SHA-256 (first 16 hex digits) of the schema description: saved with every model. */
export const SCHEMA_FINGERPRINT: string = createHash('sha256').update(JSON.stringify(schemaDescription())).digest('hex').slice(0, 16)

/** Refuses a model made for another schema, naming both fingerprints. */
export function assertFingerprint(modelFingerprint: string, modelName: string): void {
  if (modelFingerprint !== SCHEMA_FINGERPRINT) {
    throw new RefmasterError(
      'MODEL_INCOMPATIBLE',
      `model '${modelName}' was trained for schema ${modelFingerprint}, but this refmaster's schema is ${SCHEMA_FINGERPRINT}: retrain it with \`refmaster train\``,
    )
  }
}

/** `value` mapped onto [0, 1] by the feature's range (clamped; 0.5 where it is not a number). */
function encodeFeature(feature: FeatureSpec, value: number): number {
  const u = (value - feature.min) / (feature.max - feature.min)
  return Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : 0.5
}

/** The input vector of a mix and a target, each feature mapped onto [0, 1] by its range (clamped). */
export function encodeFeatures(mix: TrackAnalysis, target: TargetProfile): Float32Array {
  const sources = { mix, mixProfile: profileOf(mix), target }
  return Float32Array.from(FEATURES, (feature) => encodeFeature(feature, feature.read(sources)))
}

/**
 * The stage input vector: the levels the chain delivers to its loudness stage, read against the mix and
 * the target, and what the analytic loudness match aims at for them (`settings`: the analytic settings,
 * whose ceiling and reference trust the match reads; without a reference to match, the target's levels).
 */
export function encodeStageFeatures(stageInput: LevelSummary, mix: TrackAnalysis, target: TargetProfile, settings: ChainSettings): Float32Array {
  const ceilingDbtp = settings.limiter.ceilingDbtp
  const referenceTrust = settings.loudness.referenceTrust ?? 0
  const match = matchLoudness(stageInput, settings.loudness.reference ?? target, ceilingDbtp, referenceTrust)
  const sources = { stageInput, mixProfile: profileOf(mix), target, match, ceilingDbtp, referenceTrust }
  return Float32Array.from(STAGE_FEATURES, (feature) => encodeFeature(feature, feature.read(sources)))
}

type Settable = Record<string | number, unknown>

/** The number at `path` in `settings`. */
export function readPath(settings: ChainSettings, path: readonly (string | number)[]): number {
  let node: unknown = settings
  for (const key of path) node = (node as Settable)[key]
  if (typeof node !== 'number') throw new RefmasterError('INTERNAL', `chain settings have no number at ${path.join('.')}`)
  return node
}

/** Whether `settings` has a number at `path` (the reference levels exist only when matching a reference). */
export function hasPath(settings: ChainSettings, path: readonly (string | number)[]): boolean {
  let node: unknown = settings
  for (const key of path) {
    if (node === undefined || node === null) return false
    node = (node as Settable)[key]
  }
  return typeof node === 'number'
}

function writePath(settings: ChainSettings, path: readonly (string | number)[], value: number): void {
  let node = settings as unknown as Settable
  for (const key of path.slice(0, -1)) node = node[key] as Settable
  node[path[path.length - 1]] = value
}

/** Encodes one output's value onto [0, 1] (`prior` matters for residual outputs only). */
export function encodeOutput(output: OutputSpec, value: number, prior: number): number {
  const n = normalise(output.spec, value)
  if (output.encoding.kind === 'absolute') return n
  return Math.min(1, Math.max(0, 0.5 + (n - normalise(output.spec, prior)) / (2 * output.encoding.span)))
}

/** Decodes one output from [0, 1] to its parameter's unit (clamped to the spec's range). */
export function decodeOutput(output: OutputSpec, u: number, prior: number): number {
  const t = Math.min(1, Math.max(0, u))
  if (output.encoding.kind === 'absolute') return denormalise(output.spec, t)
  const shift = 2 * output.encoding.span * (t - 0.5)
  // no shift is the analytic value itself, bit for bit (not its round trip through the encoding)
  return shift === 0 ? prior : denormalise(output.spec, normalise(output.spec, prior) + shift)
}

/** The label vector of `settings`, relative to the analytic `base` settings (0.5 where `base` lacks the output). */
export function encodeOutputs(settings: ChainSettings, base: ChainSettings): Float32Array {
  return Float32Array.from(OUTPUTS.map((output) => (hasPath(base, output.path) ? encodeOutput(output, readPath(settings, output.path), readPath(base, output.path)) : 0.5)))
}

/**
 * Writes decoded outputs into a deep copy of `base` (the analytic settings) and returns it. Outputs that
 * `base` lacks (the reference levels, without a reference to match) are left out.
 */
export function decodeOutputs(u: ArrayLike<number>, base: ChainSettings): ChainSettings {
  if (u.length !== OUTPUTS.length) throw new RefmasterError('INTERNAL', `the model gave ${u.length} outputs, the schema has ${OUTPUTS.length}`)
  const settings = structuredClone(base)
  OUTPUTS.forEach((output, i) => {
    if (hasPath(base, output.path)) writePath(settings, output.path, decodeOutput(output, u[i], readPath(base, output.path)))
  })
  return settings
}
