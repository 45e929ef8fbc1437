/**
 * Multiband compression (DESIGN.md "The chain", 4): 3 or 4 bands on the Linkwitz-Riley crossovers of
 * ./crossover.ts, each with a feed-forward, stereo-linked compressor designed after D. Giannoulis,
 * M. Massberg and J. D. Reiss, "Digital Dynamic Range Compressor Design - A Tutorial and Analysis",
 * JAES 60(6), 2012 (equation numbers below are the paper's):
 *   level       x_G = 20 log10 max(|L|, |R|)                  (peak, linked: one gain for both channels)
 *   gain comp.  y_G from x_G with threshold T, ratio R and a quadratic soft knee of width W, eq. (4)
 *   detector    x_L = x_G - y_G smoothed in the log domain after the gain computer (the paper's
 *               recommended placement, eq. (23), fig. 7c) by the smooth branching peak detector, eq. (16):
 *               y_L[n] = a_A y_L[n-1] + (1 - a_A) x_L[n] if x_L[n] > y_L[n-1], else the same with a_R,
 *               a = exp(-1 / (tau fs)), eq. (7), so a step reaches 1 - 1/e of its final value after tau.
 *               The level is taken as the peak of every 16 frames and the detector stepped over them
 *               at once (exact for an input held that long); see DETECTOR_STEP_FRAMES.
 *   gain        c = makeup - y_L (dB), applied to the band of both channels, interpolated between steps.
 */
import type { Audio } from '../audio/audio.js'
import { RefmasterError } from '../errors.js'
import { dbToGain, gainToDb } from '../units/db.js'
import { DEFAULT_CROSSOVERS_HZ, validateCrossovers } from './crossover.js'
import { zeroPhaseBands } from './zero-phase-split.js'
import { defaultParams, defineParams, neutralParams, validateParams, type ParamValues } from './params.js'

/** One band's compressor. ratio = 1 with makeupDb = 0 leaves the band alone. */
export const COMPRESSOR_BAND_PARAMS = defineParams({
  thresholdDb: {
    unit: 'dBFS', min: -60, max: 0, default: -18, neutral: 0, scale: 'linear',
    description: 'peak level of the band (max of |L|, |R|) above which the gain comes down',
  },
  ratio: { unit: 'ratio', min: 1, max: 20, default: 2, neutral: 1, scale: 'log', description: 'input dB per output dB above the threshold; 1 = no compression' },
  attackMs: { unit: 'ms', min: 0.1, max: 200, default: 10, neutral: 10, scale: 'log', description: 'time for the gain reduction to reach 1 - 1/e of a rise' },
  releaseMs: { unit: 'ms', min: 5, max: 2000, default: 150, neutral: 150, scale: 'log', description: 'time for the gain reduction to fall by 1 - 1/e' },
  kneeDb: { unit: 'dB', min: 0, max: 24, default: 6, neutral: 6, scale: 'linear', description: 'width of the soft knee centred on the threshold; 0 = hard knee' },
  makeupDb: { unit: 'dB', min: -12, max: 12, default: 0, neutral: 0, scale: 'linear', description: 'gain added to the band after compression' },
})

/** Values of COMPRESSOR_BAND_PARAMS: one band. */
export type CompressorBandParams = ParamValues<typeof COMPRESSOR_BAND_PARAMS>

/** The multiband compressor: crossovers (2 or 3, ascending) and one band table per band (crossovers + 1). */
export interface MultibandCompressorParams {
  crossoversHz: readonly number[]
  bands: readonly CompressorBandParams[]
}

/** Default crossovers (DEFAULT_CROSSOVERS_HZ) with the default band on each of the 4 bands. */
export function defaultMultibandCompressorParams(): MultibandCompressorParams {
  return { crossoversHz: [...DEFAULT_CROSSOVERS_HZ], bands: Array.from({ length: DEFAULT_CROSSOVERS_HZ.length + 1 }, () => defaultParams(COMPRESSOR_BAND_PARAMS)) }
}

/** Default crossovers with neutral bands: the identity. */
export function neutralMultibandCompressorParams(): MultibandCompressorParams {
  return { crossoversHz: [...DEFAULT_CROSSOVERS_HZ], bands: Array.from({ length: DEFAULT_CROSSOVERS_HZ.length + 1 }, () => neutralParams(COMPRESSOR_BAND_PARAMS)) }
}

/** Checks crossovers and every band (INVALID_PARAMETER naming e.g. `multibandCompressor.bands[2].ratio`). */
export function validateMultibandCompressorParams(params: MultibandCompressorParams, sampleRateHz: number): MultibandCompressorParams {
  validateCrossovers(params.crossoversHz, 'multibandCompressor', sampleRateHz)
  if (!Array.isArray(params.bands) || params.bands.length !== params.crossoversHz.length + 1) {
    throw new RefmasterError('INVALID_PARAMETER', `multibandCompressor.bands must hold crossoversHz.length + 1 = ${params.crossoversHz.length + 1} bands, got ${params.bands?.length}`)
  }
  params.bands.forEach((band, i) => validateParams(COMPRESSOR_BAND_PARAMS, band, `multibandCompressor.bands[${i}]`))
  return params
}

/** The gain reduction x_L = x_G - y_G of the gain computer, eq. (4) (dB, >= 0). */
function gainReductionDb(inputDb: number, thresholdDb: number, slope: number, kneeDb: number): number {
  const over = inputDb - thresholdDb
  const halfKnee = kneeDb / 2
  if (over >= halfKnee) return slope * over
  if (over > -halfKnee) return (slope * (over + halfKnee) * (over + halfKnee)) / (2 * kneeDb)
  return 0
}

/**
 * The static curve: the gain in dB (makeup included) that a band applies in steady state to a signal whose
 * peak level is `inputDb` dBFS, eq. (4): 0 below T - W/2, (1/R - 1)(x - T + W/2)^2 / (2W) in the knee,
 * (1/R - 1)(x - T) above T + W/2; plus makeupDb. Used by the tests and by the analytic matcher.
 */
export function staticGainDb(inputDb: number, band: CompressorBandParams): number {
  return band.makeupDb - gainReductionDb(inputDb, band.thresholdDb, 1 - 1 / band.ratio, band.kneeDb)
}

/**
 * Lookup tables of the sample loop (constants, never written). Math.log and Math.exp cost about 10 ns each
 * in V8 on the project's machine, once per sample and band; with these tables the whole compressor ran
 * about a third faster (measured on 4 bands of stereo noise).
 * dB -> gain: 32 steps per dB with linear interpolation, relative error < 2e-6 (< 2e-5 dB), up to 144 dB.
 */
const GAIN_TABLE_STEPS_PER_DB = 32
const GAIN_TABLE_MAX_DB = 144
const REDUCTION_GAIN_TABLE = Float64Array.from({ length: GAIN_TABLE_MAX_DB * GAIN_TABLE_STEPS_PER_DB + 1 }, (_, i) => dbToGain(-i / GAIN_TABLE_STEPS_PER_DB))
/** log2 of the mantissa m in [1, 2] at 1024 steps: linear interpolation errs by < 2e-7 octave (1e-6 dB). */
const LOG2_STEPS = 1024
const LOG2_MANTISSA_TABLE = Float64Array.from({ length: LOG2_STEPS + 1 }, (_, j) => Math.log2(1 + j / LOG2_STEPS))
const INVERSE_POWERS_OF_TWO = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e)
/** Levels are scaled by 2^20 / (knee start) and truncated to 32-bit integers: 2^-20 relative resolution (1e-5 dB). */
const LEVEL_FRACTION_BITS = 20
const MAX_UINT31 = 2 ** 31
const DB_PER_OCTAVE = gainToDb(2)
/**
 * Frames per detector step (0.36 ms at 44.1 kHz, below the shortest attack the analytic path uses by an
 * order of magnitude): the level is the peak over the step, the gain is interpolated across it. Per
 * sample, the detector's recursion (one long dependency chain) and the level's logarithm cost about 14 ns
 * per frame and band, 0.6 s for 4 bands of 4 stereo minutes; per step, about a fifth of that.
 */
const DETECTOR_STEP_FRAMES = 16

/** One band's detector, computed before the sample loop. */
interface Detector {
  kneeDb: number
  /** 1 / (2 W), or 0 for a hard knee. */
  inverseTwiceKnee: number
  /** 1 - 1/R: the gain reduction per dB above the knee. */
  slope: number
  /** 2^20 / (linear level of the knee start T - W/2); 0 when the ratio is 1 (no level needs measuring). */
  levelScale: number
  attackCoefficient: number
  releaseCoefficient: number
  /** The coefficients over DETECTOR_STEP_FRAMES samples: a^step. */
  stepAttackCoefficient: number
  stepReleaseCoefficient: number
  makeupLinear: number
}

function detector(band: CompressorBandParams, sampleRateHz: number): Detector {
  const slope = 1 - 1 / band.ratio
  // eq. (7): a = exp(-1 / (tau fs))
  const attackCoefficient = Math.exp(-1000 / (band.attackMs * sampleRateHz))
  const releaseCoefficient = Math.exp(-1000 / (band.releaseMs * sampleRateHz))
  return {
    kneeDb: band.kneeDb,
    inverseTwiceKnee: band.kneeDb > 0 ? 1 / (2 * band.kneeDb) : 0,
    slope,
    levelScale: slope === 0 ? 0 : 2 ** LEVEL_FRACTION_BITS / dbToGain(band.thresholdDb - band.kneeDb / 2),
    attackCoefficient,
    releaseCoefficient,
    stepAttackCoefficient: attackCoefficient ** DETECTOR_STEP_FRAMES,
    stepReleaseCoefficient: releaseCoefficient ** DETECTOR_STEP_FRAMES,
    makeupLinear: dbToGain(band.makeupDb),
  }
}

/** dB -> linear gain of a smoothed gain reduction y (dB, >= 0) through the table. */
function reductionGain(y: number, makeupLinear: number): number {
  const position = y * GAIN_TABLE_STEPS_PER_DB
  const table = REDUCTION_GAIN_TABLE
  if (position < table.length - 1) {
    const i = position | 0
    return makeupLinear * (table[i] + (position - i) * (table[i + 1] - table[i]))
  }
  return makeupLinear * dbToGain(-y)
}

/**
 * Compresses one band (`band`: one or two channels, stereo-linked) into `output`, written when `first`,
 * else added. The level is read per DETECTOR_STEP_FRAMES frames (their peak) and the detector steps once
 * per such run, exactly as eq. (16) would over that many samples of a constant input (the branch cannot
 * change while the input is constant: y_L moves towards it without passing it); the gain is interpolated
 * linearly in between.
 */
function compressBand(band: readonly Float32Array[], d: Detector, output: readonly Float32Array[], first: boolean): void {
  const { kneeDb, inverseTwiceKnee, slope, levelScale, stepAttackCoefficient, stepReleaseCoefficient, attackCoefficient, releaseCoefficient, makeupLinear } = d
  const a = band[0]
  const b = band.length > 1 ? band[1] : band[0]
  const outA = output[0]
  const outB = output.length > 1 ? output[1] : undefined
  const length = a.length
  let y = 0
  let gain = reductionGain(y, makeupLinear)
  for (let start = 0; start < length; start += DETECTOR_STEP_FRAMES) {
    const end = Math.min(length, start + DETECTOR_STEP_FRAMES)
    let peak = 0
    for (let n = start; n < end; n++) peak = Math.max(peak, Math.abs(a[n]), Math.abs(b[n]))
    // u = x_G - (T - W/2) = 20 log10(peak / kneeStart), from q = 2^20 peak / kneeStart (at least 1):
    // floor(log2 q) from the leading zeros of its integer part, the rest from the mantissa table
    const q = Math.max(peak * levelScale, 1)
    let u: number
    if (q < MAX_UINT31) {
      const i = q | 0
      const exponent = 31 - Math.clz32(i)
      const position = (i * INVERSE_POWERS_OF_TWO[exponent] - 1) * LOG2_STEPS
      const j = position | 0
      u = DB_PER_OCTAVE * (exponent - LEVEL_FRACTION_BITS + LOG2_MANTISSA_TABLE[j] + (position - j) * (LOG2_MANTISSA_TABLE[j + 1] - LOG2_MANTISSA_TABLE[j]))
    } else {
      u = gainToDb(q) - DB_PER_OCTAVE * LEVEL_FRACTION_BITS
    }
    // eq. (4) in terms of u: x_L = (1 - 1/R) (min(max(u, 0), W)^2 / (2W) + max(u - W, 0))
    const inKnee = Math.min(Math.max(u, 0), kneeDb)
    const x = slope * (inKnee * inKnee * inverseTwiceKnee + Math.max(u - kneeDb, 0))
    // eq. (16) over `frames` samples of x: y_L = x + (y_L - x) a^frames, a = a_A rising, else a_R
    const frames = end - start
    const decay = frames === DETECTOR_STEP_FRAMES ? (x > y ? stepAttackCoefficient : stepReleaseCoefficient) : (x > y ? attackCoefficient : releaseCoefficient) ** frames
    y = x + (y - x) * decay
    const endGain = reductionGain(y, makeupLinear)
    const perFrame = (endGain - gain) / frames
    const from = gain - perFrame * (start - 1)
    if (outB && first) {
      for (let n = start; n < end; n++) {
        const g = from + perFrame * n
        outA[n] = g * a[n]
        outB[n] = g * b[n]
      }
    } else if (outB) {
      for (let n = start; n < end; n++) {
        const g = from + perFrame * n
        outA[n] += g * a[n]
        outB[n] += g * b[n]
      }
    } else if (first) {
      for (let n = start; n < end; n++) outA[n] = (from + perFrame * n) * a[n]
    } else {
      for (let n = start; n < end; n++) outA[n] += (from + perFrame * n) * a[n]
    }
    gain = endGain
  }
}

function isNeutral(band: CompressorBandParams): boolean {
  return band.ratio === 1 && band.makeupDb === 0
}

/**
 * Splits (or not, for one band) with zero-phase LR4 bands, compresses each band and sums into `output`
 * (new arrays, or the input's own: the split copies the input before anything is written); the shared
 * engine of both exports. Bands are taken one at a time (their detectors are independent), which keeps
 * one band in memory, and zero phase keeps the output sample-aligned with the input. A neutral band is
 * added as it is.
 */
function compress(audio: Audio, crossoversHz: readonly number[], bands: readonly CompressorBandParams[], output?: Float32Array[], scratch?: readonly Float32Array[]): Audio {
  const { sampleRateHz } = audio
  const length = audio.channels[0].length
  const outputs = output ?? audio.channels.map(() => new Float32Array(length))
  const bandSignals = crossoversHz.length > 0 ? zeroPhaseBands(audio.channels, crossoversHz, sampleRateHz, scratch) : [audio.channels][Symbol.iterator]()
  let b = 0
  for (const bandChannels of bandSignals) {
    // the first band is written, the others added (no pass to clear the output, which may be the input)
    const first = b === 0
    if (isNeutral(bands[b])) {
      bandChannels.forEach((band, c) => {
        const out = outputs[c]
        if (first) out.set(band)
        else for (let n = 0; n < length; n++) out[n] += band[n]
      })
    } else {
      compressBand(bandChannels, detector(bands[b], sampleRateHz), outputs, first)
    }
    b++
  }
  return { channels: outputs, sampleRateHz }
}

/**
 * Wideband version: the compressor one band of the multiband runs, on the whole signal (no split).
 * Neutral (ratio 1, makeup 0) returns a copy. Stereo-linked; mono works. `output` as for the multiband.
 */
export function applyCompressor(audio: Audio, band: CompressorBandParams, output?: Float32Array[]): Audio {
  validateParams(COMPRESSOR_BAND_PARAMS, band, 'compressor')
  if (isNeutral(band)) return copyInto(audio, output)
  return compress(audio, [], [band], output)
}

/** The input unchanged, in `output` (which may be the input's own arrays) or in new arrays. */
function copyInto(audio: Audio, output?: Float32Array[]): Audio {
  const channels = output ?? audio.channels.map((c) => new Float32Array(c.length))
  channels.forEach((channel, c) => channel !== audio.channels[c] && channel.set(audio.channels[c]))
  return { channels, sampleRateHz: audio.sampleRateHz }
}

/**
 * Splits each channel into zero-phase LR4 bands (they sum back to the input exactly, in phase with it),
 * compresses each band with its own table (one gain per band for both channels) and sums.
 * All bands neutral returns a copy of the input (no split, no all-pass). `output` may be the input's own
 * arrays (it works in place); without it, new arrays are made and the input is not modified. `scratch`
 * (two arrays per channel, as long as the input; overwritten) spares the split the memory it needs.
 */
export function applyMultibandCompressor(audio: Audio, params: MultibandCompressorParams, output?: Float32Array[], scratch?: readonly Float32Array[]): Audio {
  validateMultibandCompressorParams(params, audio.sampleRateHz)
  if (params.bands.every(isNeutral)) return copyInto(audio, output)
  return compress(audio, params.crossoversHz, params.bands, output, scratch)
}
