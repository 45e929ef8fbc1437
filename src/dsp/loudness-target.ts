/**
 * The loudness stage (DESIGN.md "The chain", step 7): the input gain is searched so that the integrated
 * loudness (ITU-R BS.1770-4, our meter) of the true-peak-limited master lands on the target within
 * LOUDNESS_TOLERANCE_LU, with its true peak at or below the ceiling. Once the limiter works, each dB of
 * input gain gives less than a dB of loudness, so the search is a safeguarded secant on
 * f(gain) = loudness(limit(gain x)) - target, which rises monotonically with the gain: first on a coarse
 * estimate of f that costs milliseconds, then on exact trials, of which one usually suffices.
 *
 * Peak gain reduction grows one for one with the gain once the highest true peak passes the ceiling: it
 * is (input true peak + gain) - (ceiling - GAIN_TARGET_MARGIN_DB) exactly, since the limiter's gain meets
 * the required gain at the largest peak. So the gain that spends `maxLimiterReductionDb` is known in
 * advance; a target beyond it is reported as unreachable rather than met by wrecking the dynamics.
 */
import { assertProcessable, frameCount, type Audio } from '../audio/audio.js'
import { measureLoudness, type LoudnessMeasurement } from '../analysis/loudness/index.js'
import { ABSOLUTE_GATE_LUFS, kWeightedChunks, kWeightedTicks, loudnessFromTicks, type ChunkEnergies, type TickEnergies } from '../analysis/loudness/meter.js'
import { RefmasterError } from '../errors.js'
import type { EnvelopeHelper } from './envelope-helper.js'
import { dbToGain, gainToDb } from '../units/db.js'
import { defaultParams, defineParams, validateParams } from './params.js'
import {
  GAIN_TARGET_MARGIN_DB, TRUE_PEAK_LIMITER_PARAMS, VERIFY_MARGIN_DB, coarseGainCurve, limitTruePeak, limiterGainCurve, truePeakEnvelope,
  type TruePeakEnvelope, type TruePeakLimiterParams, type TruePeakLimiterResult,
} from './true-peak-limiter.js'

/** DESIGN.md "The chain", step 7: the final integrated loudness lands on the target within 0.1 LU. */
export const LOUDNESS_TOLERANCE_LU = 0.1
/** The search stops this close to the target: a third of the tolerance, for the eval's meter to agree. */
const SEARCH_TOLERANCE_LU = 0.03
/** Limiter + meter runs the search may spend (secant steps converge in 2-4 on music). */
const MAX_SEARCH_ITERATIONS = 12
/** The coarse estimate's search stops this close to the target (the estimate itself is off by more, see coarseLoudness). */
const ESTIMATE_TOLERANCE_LU = 0.005
/** Estimates the coarse search may spend (each ~ a few ms on 4 minutes of audio). */
const MAX_ESTIMATE_ITERATIONS = 30
/** Frames per chunk of the coarse estimate (0.36 ms at 44.1 kHz; 32 doubles its error on heavily limited music, 8 halves it). */
const ESTIMATE_CHUNK_FRAMES = 16
/** Gain step of the estimate's slope at its solution (dB). */
const SLOPE_STEP_DB = 0.1
/** Least dB of loudness per dB of gain the secant assumes (the true slope is in (0, 1]). */
const MIN_SLOPE_LU_PER_DB = 0.05
/** Rounding allowed between the limiter's verified bound and the meter's FFT reading (dB; observed: < 1e-5). */
const METER_ROUNDING_DB = 0.001
/**
 * Default for `maxLimiterReductionDb`: 6 dB of peak gain reduction is about the distance between a
 * moderately dynamic master (PLR 14-15 dB) and a loud modern one (PLR 8-9 dB); a single limiter stage
 * pushed further flattens transients audibly. src/chain/settings.ts uses this value.
 */
export const DEFAULT_MAX_LIMITER_REDUCTION_DB = 6
/** Accepted loudness targets (LUFS): from film dialogue levels to beyond the loudest releases. */
export const TARGET_LUFS_RANGE = { min: -60, max: 0 } as const
/** Accepted `maxLimiterReductionDb` (dB). */
export const MAX_LIMITER_REDUCTION_RANGE_DB = { min: 0, max: 24 } as const

/** What `fitLoudness` needs. */
export interface FitLoudnessOptions {
  /** Integrated loudness of the master (LUFS, ITU-R BS.1770-4). */
  targetLufs: number
  /** Highest true peak of the master (dBTP); overrides `limiter.ceilingDbtp`. */
  ceilingDbtp: number
  /** Most peak gain reduction the limiter may spend on the target (dB); default DEFAULT_MAX_LIMITER_REDUCTION_DB. */
  maxLimiterReductionDb?: number
  /** The limiter's other parameters (look-ahead, release); defaults otherwise. */
  limiter?: Partial<TruePeakLimiterParams>
  /** Channel arrays (not the input's) the master is written into instead of new ones. */
  output?: Float32Array[]
  /** A second thread for the true-peak envelope (started with the render, see EnvelopeHelper). */
  envelopeHelper?: EnvelopeHelper
  /**
   * Chooses the target and ceiling from the input's own levels (the meter's reading of what the chain
   * delivers to this stage), replacing `targetLufs` and `ceilingDbtp`; the result reports what was used.
   */
  resolveTarget?: (input: { integratedLufs: number; truePeakDbtp: number }) => { targetLufs: number; ceilingDbtp: number }
}

/** The master and what the loudness stage did to reach it. */
export interface LoudnessFit {
  audio: Audio
  /** The target and ceiling the stage aimed at (as given, or as `resolveTarget` chose them). */
  targetLufs: number
  ceilingDbtp: number
  /** Gain applied before the limiter (dB). */
  inputGainDb: number
  /** Integrated loudness of the master (LUFS, our BS.1770 meter). */
  achievedLufs: number
  /** True peak of the master (dBTP, our meter: the eval's interpolator); <= the ceiling. */
  truePeakDbtp: number
  /** Largest gain reduction the limiter applied (dB). */
  maxGainReductionDb: number
  /** The meter's full measurement of `audio` (callers reuse it instead of measuring again). */
  measurement: LoudnessMeasurement
  /** Whether the target was met within LOUDNESS_TOLERANCE_LU. */
  reachable: boolean
  /** Limiter gain curves the search computed and measured (after its coarse estimate found where to start). */
  exactTrials: number
  /** Why the target was missed, or what else the caller should know; empty when all went to plan. */
  warnings: string[]
}

/** One trial of the search: an input gain and how far its master landed from the target (LU). */
interface Point {
  gainDb: number
  errorLu: number
}

/** A trial measured without rendering it: the K-weighted tick energies of the limiter's first gain curve. */
interface Trial extends Point {
  ticks: TickEnergies
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : String(value))

function checkRange(value: number, range: { min: number; max: number }, name: string, unit: string): void {
  if (!(Number.isFinite(value) && value >= range.min && value <= range.max)) {
    throw new RefmasterError('INVALID_PARAMETER', `${name} must be within [${range.min}, ${range.max}] ${unit}, got ${value}`)
  }
}

/** Largest value of a true-peak envelope, ringing included: the true peak of its audio (linear). */
function envelopePeak({ frames, before, after }: TruePeakEnvelope): number {
  let peak = 0
  for (const values of [before, frames, after]) for (let n = 0; n < values.length; n++) if (values[n] > peak) peak = values[n]
  return peak
}

/**
 * Gain-searches and true-peak-limits `audio` to `targetLufs` (within LOUDNESS_TOLERANCE_LU) under
 * `ceilingDbtp`. If that needs more than `maxLimiterReductionDb` of peak gain reduction, returns the master
 * at the gain that spends exactly that much, with reachable = false and a warning saying by how much and
 * why. Silent or near-silent input (integrated loudness -Infinity, i.e. below the -70 LUFS absolute gate)
 * gets no gain at all: only the limiter, which leaves it unchanged unless a peak exceeds the ceiling.
 *
 * The search runs twice. First on `coarseLoudness`, an estimate from the limiter's gain per 16-frame chunk
 * (milliseconds a trial), then on exact trials from where the estimate lands, with its slope there: the
 * first lands within SEARCH_TOLERANCE_LU or close enough that the second does.
 * An exact trial is measured without rendering it: the limiter's first gain curve is computed and the
 * meter K-weights the gained input directly (`SampleGain`), which are the very samples the limiter writes
 * wherever it needs no correction. Only the chosen gain is rendered and measured in full.
 */
export function fitLoudness(audio: Audio, options: FitLoudnessOptions): LoudnessFit {
  assertProcessable(audio, 'loudness stage input')
  const frames = frameCount(audio)
  const output = options.output ?? audio.channels.map(() => new Float32Array(frames))
  const chunks = kWeightedChunks(audio, ESTIMATE_CHUNK_FRAMES)
  const inputLufs = loudnessFromTicks(chunks.ticks).integratedLufs
  // The envelope lives in the output's last channel and the trials' gain curves in its first (the limiter
  // reads both before it writes there); the envelope's maximum is the input's true peak.
  const envelope = options.envelopeHelper?.envelope(audio, output[output.length - 1]) ?? truePeakEnvelope(audio, 0, output[output.length - 1])
  const inputTruePeakDbtp = gainToDb(envelopePeak(envelope))
  if (options.resolveTarget) options = { ...options, ...options.resolveTarget({ integratedLufs: inputLufs, truePeakDbtp: inputTruePeakDbtp }) }
  const { targetLufs, ceilingDbtp } = options
  const maxReductionDb = options.maxLimiterReductionDb ?? DEFAULT_MAX_LIMITER_REDUCTION_DB
  checkRange(targetLufs, TARGET_LUFS_RANGE, 'targetLufs', 'LUFS')
  checkRange(maxReductionDb, MAX_LIMITER_REDUCTION_RANGE_DB, 'maxLimiterReductionDb', 'dB')
  const params = validateParams(TRUE_PEAK_LIMITER_PARAMS, { ...defaultParams(TRUE_PEAK_LIMITER_PARAMS), ...options.limiter, ceilingDbtp }, 'limiter')
  const warnings: string[] = []
  const gainStorage = output.length > 1 ? output[0] : new Float32Array(frames)
  const render = (gainDb: number): { limited: TruePeakLimiterResult; measured: LoudnessMeasurement; errorLu: number } => {
    const limited = limitTruePeak(audio, params, { inputGainDb: gainDb, envelope, output })
    return { limited, ...meterCheck(limited, ceilingDbtp, targetLufs, warnings, undefined, options.envelopeHelper) }
  }

  if (!(inputLufs > ABSOLUTE_GATE_LUFS)) {
    const rendered = render(0)
    warnings.push(
      `input is silent or nearly so (integrated loudness ${fmt(inputLufs)} LUFS, at or below the ${ABSOLUTE_GATE_LUFS} LUFS ` +
        `absolute gate of ITU-R BS.1770-4): left at its level instead of amplifying noise to ${targetLufs} LUFS`,
    )
    return result({ gainDb: 0, ...rendered }, false, warnings, options, 0)
  }

  // The gain at which the limiter's peak reduction reaches the allowance (module comment).
  const maxGainDb = maxReductionDb + ceilingDbtp - GAIN_TARGET_MARGIN_DB - inputTruePeakDbtp
  let storedCurveGainDb: number | undefined // the trial gain whose curve gainStorage holds
  let exactTrials = 0
  const evaluate = (gainDb: number): Trial => {
    exactTrials++
    const curve = limiterGainCurve(envelope, params, audio.sampleRateHz, gainDb, gainStorage)
    storedCurveGainDb = gainDb
    const ticks = kWeightedTicks(audio, { curve, scale: dbToGain(gainDb) })
    return { gainDb, ticks, errorLu: loudnessFromTicks(ticks).integratedLufs - targetLufs }
  }
  const finish = (trial: Trial, reachable: boolean): LoudnessFit => {
    const firstGainCurve = storedCurveGainDb === trial.gainDb ? gainStorage : undefined
    const limited = limitTruePeak(audio, params, { inputGainDb: trial.gainDb, envelope, output, firstGainCurve })
    // A first-pass render is exactly what the trial measured: only the peaks remain to be measured.
    const ticks = limited.passes === 1 && limited.safetyTrimDb === 0 ? trial.ticks : undefined
    const rendered = { limited, ...meterCheck(limited, ceilingDbtp, targetLufs, warnings, ticks, options.envelopeHelper) }
    if (!reachable) {
      const inputPlrDb = inputTruePeakDbtp - inputLufs
      const targetPlrDb = ceilingDbtp - targetLufs
      warnings.push(
        `target ${targetLufs} LUFS is not reachable under a ${ceilingDbtp} dBTP ceiling with at most ${maxReductionDb} dB of ` +
          `limiter gain reduction: the master reaches ${fmt(rendered.measured.integratedLufs, 2)} LUFS, ${fmt(-rendered.errorLu, 2)} LU short. ` +
          `The input's peak-to-loudness ratio is ${fmt(inputPlrDb)} dB and the target allows ${fmt(targetPlrDb)} dB; closing the gap would ` +
          `take more peak reduction than the allowance (raise maxLimiterReductionDb, or compress before the limiter)`,
      )
    }
    return result({ gainDb: trial.gainDb, ...rendered }, reachable && Math.abs(rendered.errorLu) <= LOUDNESS_TOLERANCE_LU, warnings, options, exactTrials)
  }

  // First on the coarse estimate (cheap), then on exact trials starting where the estimate lands, with
  // its slope there: the first exact trial is usually within the tolerance already.
  const estimate = coarseLoudness(chunks, envelope, params, audio.sampleRateHz)
  const estimateError = (gainDb: number): Point => ({ gainDb, errorLu: estimate(gainDb) - targetLufs })
  const coarse = secantSearch(estimateError, Math.min(targetLufs - inputLufs, maxGainDb), maxGainDb, ESTIMATE_TOLERANCE_LU, MAX_ESTIMATE_ITERATIONS, 1)
  const startDb = coarse.best.gainDb
  const slope = (estimateError(startDb).errorLu - estimateError(startDb - SLOPE_STEP_DB).errorLu) / SLOPE_STEP_DB
  const search = secantSearch(evaluate, startDb, maxGainDb, SEARCH_TOLERANCE_LU, MAX_SEARCH_ITERATIONS, slope)
  if (search.stop === 'exhausted') warnings.push(`loudness search stopped after ${MAX_SEARCH_ITERATIONS} trials ${fmt(search.best.errorLu, 2)} LU from the ${targetLufs} LUFS target`)
  return finish(search.best, search.stop === 'converged' || (search.stop === 'exhausted' && Math.abs(search.best.errorLu) <= LOUDNESS_TOLERANCE_LU))
}

/** How a search ended: on the target, at the largest gain allowed while still short, or out of trials. */
interface SearchResult<T extends Point> {
  /** The trial closest to the target (the last one unless out of trials). */
  best: T
  stop: 'converged' | 'at most gain' | 'exhausted'
}

/**
 * Safeguarded secant on f(gain) = loudness - target, which rises monotonically with the gain: the first
 * step assumes `firstSlope` (LU per dB), later ones the secant, kept within (MIN_SLOPE_LU_PER_DB, 1] and
 * inside the bracket of trials below and above the target (bisecting when a step would leave it).
 */
function secantSearch<T extends Point>(evaluate: (gainDb: number) => T, startDb: number, maxGainDb: number, toleranceLu: number, maxIterations: number, firstSlope: number): SearchResult<T> {
  let gainDb = Math.min(startDb, maxGainDb)
  let below: Point | undefined // highest trial under the target
  let above: Point | undefined // lowest trial over it
  let previous: Point | undefined
  let best: T | undefined
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const trial = evaluate(gainDb)
    if (best === undefined || Math.abs(trial.errorLu) < Math.abs(best.errorLu)) best = trial
    if (Math.abs(trial.errorLu) <= toleranceLu) return { best: trial, stop: 'converged' }
    if (trial.errorLu < 0) {
      if (trial.gainDb >= maxGainDb) return { best: trial, stop: 'at most gain' }
      below = trial
    } else {
      above = trial
    }
    const secant = previous ? (trial.errorLu - previous.errorLu) / (trial.gainDb - previous.gainDb) : firstSlope
    const slope = Number.isFinite(secant) ? Math.min(1, Math.max(MIN_SLOPE_LU_PER_DB, secant)) : 1
    let next = Math.min(maxGainDb, trial.gainDb - trial.errorLu / slope)
    if (below && above && !(next > below.gainDb && next < above.gainDb)) next = (below.gainDb + above.gainDb) / 2
    previous = trial
    gainDb = next
  }
  return { best: best as T, stop: 'exhausted' }
}

/**
 * A coarse estimate of the integrated loudness (LUFS) of the limiter's output for an input gain (dB): the
 * limiter's `coarseGainCurve` per chunk of the meter's `ChunkEnergies` of the input, each chunk's
 * K-weighted energy scaled by its gain squared (a gain that varies slowly against the K-filter's memory
 * commutes with it), summed into ticks and gated as the meter does. A few ms per call on 4 minutes; off
 * by at most 0.01 LU + 0.03 LU per LU of limiting on the dev set's music (typically a tenth of that), in
 * either direction (tests/dsp/loudness-target.test.ts).
 */
export function coarseLoudness(chunks: ChunkEnergies, envelope: TruePeakEnvelope, params: TruePeakLimiterParams, sampleRateHz: number): (gainDb: number) => number {
  const { chunkBoundaries, chunkEnergy, tickFirstChunk, ticks } = chunks
  const gainCurve = coarseGainCurve(envelope, chunkBoundaries, params, sampleRateHz)
  const gains = new Float32Array(chunkEnergy.length)
  const energy = new Float64Array(ticks.energy.length)
  return (gainDb) => {
    gainCurve(gainDb, gains)
    const scale = dbToGain(2 * gainDb)
    for (let i = 0; i < energy.length; i++) {
      let sum = 0
      for (let j = tickFirstChunk[i]; j < tickFirstChunk[i + 1]; j++) sum += gains[j] * gains[j] * chunkEnergy[j]
      energy[i] = sum * scale
    }
    return loudnessFromTicks({ boundaries: ticks.boundaries, energy }).integratedLufs
  }
}

/**
 * Measures the limiter's output with the meter (BS.1770 loudness and true peak); `ticks` are its
 * K-weighted energies when already known; `helper` measures half the channels' peaks. The limiter guarantees the ceiling by construction; should the
 * meter ever disagree, the output is trimmed (a uniform gain, which scales the true peak exactly) and a
 * warning says so, so the promise holds even then.
 */
function meterCheck(limited: TruePeakLimiterResult, ceilingDbtp: number, targetLufs: number, warnings: string[], ticks?: TickEnergies, helper?: EnvelopeHelper): { measured: LoudnessMeasurement; errorLu: number } {
  let measured = measureLoudness(limited.audio, ticks, helper?.peaks(limited.audio.channels))
  if (measured.truePeakDbtp > ceilingDbtp - VERIFY_MARGIN_DB + METER_ROUNDING_DB) {
    const trim = dbToGain(ceilingDbtp - GAIN_TARGET_MARGIN_DB - measured.truePeakDbtp)
    for (const channel of limited.audio.channels) for (let n = 0; n < channel.length; n++) channel[n] *= trim
    warnings.push(`limiter output measured ${fmt(measured.truePeakDbtp, 3)} dBTP against a ${ceilingDbtp} dBTP ceiling: trimmed by ${fmt(-gainToDb(trim), 3)} dB`)
    measured = measureLoudness(limited.audio)
  }
  return { measured, errorLu: measured.integratedLufs - targetLufs }
}

function result(trial: { gainDb: number; limited: TruePeakLimiterResult; measured: LoudnessMeasurement }, reachable: boolean, warnings: string[], options: FitLoudnessOptions, exactTrials: number): LoudnessFit {
  const { limited, measured, gainDb } = trial
  return {
    audio: limited.audio,
    targetLufs: options.targetLufs,
    ceilingDbtp: options.ceilingDbtp,
    inputGainDb: gainDb,
    achievedLufs: measured.integratedLufs,
    truePeakDbtp: measured.truePeakDbtp,
    maxGainReductionDb: limited.maxGainReductionDb,
    measurement: measured,
    reachable,
    exactTrials,
    warnings,
  }
}

/**
 * The loudness stage's own parameters as a spec table (the ranges above), so that recipes, the CLI and
 * the model's outputs (src/model/schema.ts) read one declaration.
 */
export const LOUDNESS_STAGE_PARAMS = defineParams({
  targetLufs: {
    unit: 'LUFS', min: TARGET_LUFS_RANGE.min, max: TARGET_LUFS_RANGE.max, default: -14, neutral: -14, scale: 'linear',
    description: 'integrated loudness of the master (ITU-R BS.1770-4)',
  },
  maxLimiterReductionDb: {
    unit: 'dB', min: MAX_LIMITER_REDUCTION_RANGE_DB.min, max: MAX_LIMITER_REDUCTION_RANGE_DB.max, default: DEFAULT_MAX_LIMITER_REDUCTION_DB, neutral: 0, scale: 'linear',
    description: 'most peak gain reduction the limiter may spend to reach the target',
  },
})
