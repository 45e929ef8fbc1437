/**
 * Stereo image (DESIGN.md "The chain", 5): a gain on the side signal S = (L - R)/2 per band, on the
 * Linkwitz-Riley bands of ./crossover.ts, and an optional mono-below frequency (a LR4 high-pass on S).
 *
 * Phase: the side's bands are zero-phase (./zero-phase-split.ts: LR4 magnitudes, no delay), so the side
 * stays aligned with the untouched mid M = (L + R)/2 at every frequency: a hard-panned source (M = S) keeps
 * its L/R balance near every crossover, and a mono-below does not smear panning above it. The processor
 * is linear and time-invariant on S, so it runs as one zero-phase FIR (`sideKernel`) by FFT convolution.
 */
import type { Audio } from '../audio/audio.js'
import { RefmasterError } from '../errors.js'
import { dbToGain } from '../units/db.js'
import { DEFAULT_CROSSOVERS_HZ, validateCrossovers } from './crossover.js'
import { filterMidSide } from './matching-eq.js'
import { zeroPhaseLowBand } from './zero-phase-split.js'
import { defaultParams, defineParams, neutralParams, validateParams, type ParamValues } from './params.js'

/** Whole-image parameters. monoBelowHz at its minimum (20 Hz) is off. */
export const STEREO_WIDTH_PARAMS = defineParams({
  monoBelowHz: {
    unit: 'Hz', min: 20, max: 300, default: 20, neutral: 20, scale: 'log',
    description: 'side removed below this frequency (LR4 high-pass on S: -6 dB there, 24 dB/octave); 20 = off',
  },
})

/** One band's side gain. */
export const SIDE_BAND_PARAMS = defineParams({
  sideGainDb: { unit: 'dB', min: -12, max: 6, default: 0, neutral: 0, scale: 'linear', description: 'gain of the side signal (L - R)/2 in this band; mid untouched' },
})

/** Values of SIDE_BAND_PARAMS: one band. */
export type SideBandParams = ParamValues<typeof SIDE_BAND_PARAMS>

/** Stereo width: monoBelowHz, crossovers (2 or 3, ascending) and one side gain per band (crossovers + 1). */
export type StereoWidthParams = ParamValues<typeof STEREO_WIDTH_PARAMS> & {
  crossoversHz: readonly number[]
  bands: readonly SideBandParams[]
}

/** The monoBelowHz value that switches the mono-below filter off. */
export const MONO_BELOW_OFF_HZ = STEREO_WIDTH_PARAMS.monoBelowHz.min

/** Default crossovers (DEFAULT_CROSSOVERS_HZ), default bands: the identity. */
export function defaultStereoWidthParams(): StereoWidthParams {
  const bands = Array.from({ length: DEFAULT_CROSSOVERS_HZ.length + 1 }, () => defaultParams(SIDE_BAND_PARAMS))
  return { ...defaultParams(STEREO_WIDTH_PARAMS), crossoversHz: [...DEFAULT_CROSSOVERS_HZ], bands }
}

/** Default crossovers, neutral bands: the identity. */
export function neutralStereoWidthParams(): StereoWidthParams {
  const bands = Array.from({ length: DEFAULT_CROSSOVERS_HZ.length + 1 }, () => neutralParams(SIDE_BAND_PARAMS))
  return { ...neutralParams(STEREO_WIDTH_PARAMS), crossoversHz: [...DEFAULT_CROSSOVERS_HZ], bands }
}

/** Checks monoBelowHz, the crossovers and every band (INVALID_PARAMETER naming e.g. `stereoWidth.bands[1].sideGainDb`). */
export function validateStereoWidthParams(params: StereoWidthParams, sampleRateHz: number): StereoWidthParams {
  validateParams(STEREO_WIDTH_PARAMS, { monoBelowHz: params.monoBelowHz }, 'stereoWidth')
  validateCrossovers(params.crossoversHz, 'stereoWidth', sampleRateHz)
  if (!Array.isArray(params.bands) || params.bands.length !== params.crossoversHz.length + 1) {
    throw new RefmasterError('INVALID_PARAMETER', `stereoWidth.bands must hold crossoversHz.length + 1 = ${params.crossoversHz.length + 1} bands, got ${params.bands?.length}`)
  }
  params.bands.forEach((band, i) => validateParams(SIDE_BAND_PARAMS, band, `stereoWidth.bands[${i}]`))
  return params
}

/**
 * The side's filter decays this far (relative to its largest tap) before the kernel is cut: below float32
 * resolution, so cutting changes nothing audible (a -140 dB tail).
 */
const KERNEL_TAIL_RATIO = 1e-7
/**
 * Half-length of the buffer the side's impulse response is taken in, in time constants of the slowest
 * filter (2nd-order Butterworth at the lowest corner: envelope exp(-t / tau), tau = 1 / (zeta 2 pi f),
 * zeta = 1/sqrt(2)); the forward-backward pair and the t exp(-t / tau) terms of repeated poles have decayed
 * far below KERNEL_TAIL_RATIO by then.
 */
const KERNEL_HALF_LENGTH_TIME_CONSTANTS = 40
const BUTTERWORTH_DAMPING = Math.SQRT1_2

/**
 * The side processing, in place: mono-below high-pass, then the side gain of each zero-phase band (the
 * bands of ./zero-phase-split.ts, lowest first, each split off the residual).
 */
function shapeSideInPlace(side: Float32Array, params: StereoWidthParams, sampleRateHz: number): void {
  const length = side.length
  if (params.monoBelowHz !== MONO_BELOW_OFF_HZ) {
    const low = zeroPhaseLowBand(side, params.monoBelowHz, sampleRateHz)
    for (let n = 0; n < length; n++) side[n] -= low[n]
  }
  if (params.bands.every((band) => band.sideGainDb === 0)) return
  const sideGains = params.bands.map((band) => dbToGain(band.sideGainDb))
  const shaped = new Float32Array(length)
  params.crossoversHz.forEach((cutoffHz, b) => {
    const low = zeroPhaseLowBand(side, cutoffHz, sampleRateHz)
    for (let n = 0; n < length; n++) {
      side[n] -= low[n]
      shaped[n] += sideGains[b] * low[n]
    }
  })
  const top = sideGains[params.crossoversHz.length]
  for (let n = 0; n < length; n++) side[n] = shaped[n] + top * side[n]
}

/**
 * The side processing as one zero-phase FIR: its impulse response, taken in a buffer long enough for every
 * filter to decay, its tails below KERNEL_TAIL_RATIO cut (symmetric, odd length). Every stage of it is
 * linear and time-invariant, so one FFT convolution does the work of the band splits' recursions at a
 * fraction of the cost, and is exactly zero-phase up to the signal's ends too.
 */
export function sideKernel(params: StereoWidthParams, sampleRateHz: number): Float32Array {
  const corners = [...params.crossoversHz, ...(params.monoBelowHz !== MONO_BELOW_OFF_HZ ? [params.monoBelowHz] : [])]
  const timeConstantFrames = sampleRateHz / (BUTTERWORTH_DAMPING * 2 * Math.PI * Math.min(...corners))
  const half = Math.ceil(KERNEL_HALF_LENGTH_TIME_CONSTANTS * timeConstantFrames)
  const response = new Float32Array(2 * half + 1)
  response[half] = 1
  shapeSideInPlace(response, params, sampleRateHz)
  let peak = 0
  for (const value of response) peak = Math.max(peak, Math.abs(value))
  let reach = half
  while (reach > 0 && Math.abs(response[half - reach]) < KERNEL_TAIL_RATIO * peak && Math.abs(response[half + reach]) < KERNEL_TAIL_RATIO * peak) reach--
  return response.slice(half - reach, half + reach + 1)
}

/**
 * Applies side gains per band and the mono-below high-pass to stereo audio. Mono input, and neutral
 * parameters (all side gains 0 dB, monoBelowHz = 20), return a copy of the input. The result is written
 * into `output` when given (channel arrays of the input's length; they may be the input's own); the input
 * is not modified otherwise.
 */
export function applyStereoWidth(audio: Audio, params: StereoWidthParams, output?: Float32Array[]): Audio {
  const { sampleRateHz } = audio
  validateStereoWidthParams(params, sampleRateHz)
  const out = output ?? audio.channels.map((c) => new Float32Array(c.length))
  if (audio.channels.length < 2 || (params.monoBelowHz === MONO_BELOW_OFF_HZ && params.bands.every((band) => band.sideGainDb === 0))) {
    audio.channels.forEach((input, c) => out[c] !== input && out[c].set(input))
    return { channels: out, sampleRateHz }
  }
  // Zero phase: the side keeps its alignment with the mid, so panning and the image stay intact at every
  // frequency, and the mid is left exactly as it is.
  filterMidSide(audio.channels, null, sideKernel(params, sampleRateHz), out)
  return { channels: out, sampleRateHz }
}
