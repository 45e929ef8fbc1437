/**
 * The model's contract, declared once (STYLE.md "The model's contract is declared once"; DESIGN.md "The
 * model"): the ordered input features (./features.ts), the ordered outputs, each pointing at a
 * processor's own parameter spec, their [0, 1] encodings, and a fingerprint of all of it. Training and
 * inference import this file; a saved model records the fingerprint, and a model with another one is
 * refused (./model-io.ts).
 *
 * The outputs are what the analytic path finds hard to read off the analyses: the loudness the goal has
 * (not the reference's: a reference is another section of music), the true-peak ceiling of the limiter
 * (which decides the master's PLR), per-band compression ratios, per-band side gains, and broad low/high
 * shelves on top of the analytic matching EQ. Loudness and ceiling are residuals on top of the analytic
 * settings; the rest are absolute values of their parameters.
 */
import { createHash } from 'node:crypto'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import type { ChainSettings } from '../chain/settings.js'
import type { TargetProfile } from '../chain/target-profile.js'
import { profileOf } from '../chain/target-profile.js'
import { LOUDNESS_STAGE_PARAMS } from '../dsp/loudness-target.js'
import { COMPRESSOR_BAND_PARAMS } from '../dsp/multiband-compressor.js'
import { denormalise, normalise, type ParamSpec } from '../dsp/params.js'
import { SIDE_BAND_PARAMS } from '../dsp/stereo-width.js'
import { TONAL_EQ_PARAMS } from '../dsp/tonal-eq.js'
import { TRUE_PEAK_LIMITER_PARAMS } from '../dsp/true-peak-limiter.js'
import { RefmasterError } from '../errors.js'
import { DYNAMICS_BAND_COUNT, FEATURES, type FeatureSpec } from './features.js'

/** Bump when the meaning of a feature or output changes without its declaration changing. */
export const SCHEMA_VERSION = 1

/** How an output's value maps onto [0, 1]. */
export type OutputEncoding =
  /** u = normalise(spec, value). */
  | { kind: 'absolute' }
  /**
   * Relative to a prior p: u = 0.5 + (normalise(value) - normalise(p)) / (2 span), so u = 0.5 keeps the
   * prior and the extremes move it by `span` of the parameter's normalised range. The prior is the
   * analytic setting, or (`targetTruePeak`) the target's true peak, bounded by the analytic setting: a
   * ceiling there gives the master the target's PLR when the limiter works.
   */
  | { kind: 'residual'; span: number; around: 'analytic' | 'targetTruePeak' }

/** One output: where it goes in ChainSettings, the spec of that parameter, its encoding and loss weight. */
export interface OutputSpec {
  name: string
  path: readonly (string | number)[]
  spec: ParamSpec
  encoding: OutputEncoding
  /** Weight in the training loss (the loudness and ceiling decide most of the metrics). */
  lossWeight: number
}

const bands = Array.from({ length: DYNAMICS_BAND_COUNT }, (_, b) => b)

/** The ordered outputs. */
export const OUTPUTS: readonly OutputSpec[] = [
  // +-12 LU around the reference's loudness (the analytic target): 0.2 of the 60 LU range
  { name: 'loudness.targetLufs', path: ['loudness', 'targetLufs'], spec: LOUDNESS_STAGE_PARAMS.targetLufs, encoding: { kind: 'residual', span: 0.2, around: 'analytic' }, lossWeight: 8 },
  // +-6 dB around the target's true peak (at most the playback ceiling): the whole range of the spec
  { name: 'limiter.ceilingDbtp', path: ['limiter', 'ceilingDbtp'], spec: TRUE_PEAK_LIMITER_PARAMS.ceilingDbtp, encoding: { kind: 'residual', span: 1, around: 'targetTruePeak' }, lossWeight: 3 },
  ...bands.map((b) => ({ name: `compressor.bands.${b}.ratio`, path: ['compressor', 'bands', b, 'ratio'], spec: COMPRESSOR_BAND_PARAMS.ratio, encoding: { kind: 'absolute' as const }, lossWeight: 1 })),
  ...bands.map((b) => ({ name: `width.bands.${b}.sideGainDb`, path: ['width', 'bands', b, 'sideGainDb'], spec: SIDE_BAND_PARAMS.sideGainDb, encoding: { kind: 'absolute' as const }, lossWeight: 1 })),
  { name: 'tonalEq.lowShelfGainDb', path: ['tonalEq', 'lowShelfGainDb'], spec: TONAL_EQ_PARAMS.lowShelfGainDb, encoding: { kind: 'absolute' }, lossWeight: 1 },
  { name: 'tonalEq.highShelfGainDb', path: ['tonalEq', 'highShelfGainDb'], spec: TONAL_EQ_PARAMS.highShelfGainDb, encoding: { kind: 'absolute' }, lossWeight: 1 },
]

/** Number of inputs and outputs. */
export const INPUT_SIZE = FEATURES.length
export const OUTPUT_SIZE = OUTPUTS.length

/** The schema as plain data (what the fingerprint hashes; also written into model cards). */
export function schemaDescription(): { version: number; inputs: FeatureSpec[]; outputs: Array<Omit<OutputSpec, 'spec'> & { spec: Omit<ParamSpec, 'description'> }> } {
  return {
    version: SCHEMA_VERSION,
    inputs: FEATURES.map(({ name, unit, min, max }) => ({ name, unit, min, max })),
    outputs: OUTPUTS.map(({ name, path, spec, encoding, lossWeight }) => ({
      name, path, encoding, lossWeight, spec: { unit: spec.unit, min: spec.min, max: spec.max, default: spec.default, neutral: spec.neutral, scale: spec.scale },
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

/** The input vector of a mix and a target, each feature mapped onto [0, 1] by its range (clamped). */
export function encodeFeatures(mix: TrackAnalysis, target: TargetProfile): Float32Array {
  const sources = { mix, mixProfile: profileOf(mix), target }
  const vector = new Float32Array(FEATURES.length)
  FEATURES.forEach((feature, i) => {
    const value = feature.read(sources)
    const u = (value - feature.min) / (feature.max - feature.min)
    vector[i] = Number.isFinite(u) ? Math.min(1, Math.max(0, u)) : 0.5
  })
  return vector
}

type Settable = Record<string | number, unknown>

/** The number at `path` in `settings`. */
export function readPath(settings: ChainSettings, path: readonly (string | number)[]): number {
  let node: unknown = settings
  for (const key of path) node = (node as Settable)[key]
  if (typeof node !== 'number') throw new RefmasterError('INTERNAL', `chain settings have no number at ${path.join('.')}`)
  return node
}

function writePath(settings: ChainSettings, path: readonly (string | number)[], value: number): void {
  let node = settings as unknown as Settable
  for (const key of path.slice(0, -1)) node = node[key] as Settable
  node[path[path.length - 1]] = value
}

/** The prior of a residual output: the analytic value `analytic`, or the target's true peak bounded by it. */
export function priorOf(output: OutputSpec, analytic: number, target: Pick<TargetProfile, 'truePeakDbtp'>): number {
  if (output.encoding.kind !== 'residual' || output.encoding.around === 'analytic') return analytic
  const peak = Number.isFinite(target.truePeakDbtp) ? target.truePeakDbtp : analytic
  return Math.min(analytic, Math.max(output.spec.min, peak))
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
  return denormalise(output.spec, normalise(output.spec, prior) + 2 * output.encoding.span * (t - 0.5))
}

/** The label vector of `settings`, relative to the analytic `base` settings and the `target`. */
export function encodeOutputs(settings: ChainSettings, base: ChainSettings, target: Pick<TargetProfile, 'truePeakDbtp'>): Float32Array {
  return Float32Array.from(OUTPUTS.map((output) => encodeOutput(output, readPath(settings, output.path), priorOf(output, readPath(base, output.path), target))))
}

/** Writes decoded outputs into a deep copy of `base` (the analytic settings) and returns it. */
export function decodeOutputs(u: ArrayLike<number>, base: ChainSettings, target: Pick<TargetProfile, 'truePeakDbtp'>): ChainSettings {
  if (u.length !== OUTPUTS.length) throw new RefmasterError('INTERNAL', `the model gave ${u.length} outputs, the schema has ${OUTPUTS.length}`)
  const settings = structuredClone(base)
  OUTPUTS.forEach((output, i) => writePath(settings, output.path, decodeOutput(output, u[i], priorOf(output, readPath(base, output.path), target))))
  return settings
}
