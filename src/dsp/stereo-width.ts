/**
 * Stereo image (DESIGN.md "The chain", 5): a gain on the side signal S = (L - R)/2 per band, on the
 * Linkwitz-Riley bands of ./crossover.ts, and an optional mono-below frequency (a LR4 high-pass on S).
 *
 * Phase: the mid M = (L + R)/2 keeps its magnitude but receives the same all-passes that the band split
 * gives S (M goes through the same splitter and its bands are summed with unit gain). Left untouched, M
 * would sit out of phase with the filtered S: a hard-panned source (M = S) would then leak into the other
 * channel and lose level near every crossover, and a 100 Hz mono-below would smear panning for three
 * octaves above it. Aligned this way, the processor is an all-pass on L and R plus the intended side gains.
 */
import type { Audio } from '../audio/audio.js'
import { RefmasterError } from '../errors.js'
import { dbToGain } from '../units/db.js'
import { DEFAULT_CROSSOVERS_HZ, validateCrossovers } from './crossover.js'
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
 * Arrays `applyStereoWidth` may use instead of new ones: `output` for the result (the input's own arrays
 * are allowed: in place) and up to two channel-length `scratch` arrays for the band splits.
 */
export interface StereoWidthArrays {
  output?: Float32Array[]
  scratch?: Float32Array[]
}

/**
 * Applies side gains per band and the mono-below high-pass to stereo audio. Mono input, and neutral
 * parameters (all side gains 0 dB, monoBelowHz = 20), return a copy of the input. The input is not modified
 * (unless `arrays.output` are its own).
 */
export function applyStereoWidth(audio: Audio, params: StereoWidthParams, arrays: StereoWidthArrays = {}): Audio {
  const { sampleRateHz } = audio
  validateStereoWidthParams(params, sampleRateHz)
  const monoBelow = params.monoBelowHz !== MONO_BELOW_OFF_HZ
  const bandGains = params.bands.some((band) => band.sideGainDb !== 0)
  const output = arrays.output ?? audio.channels.map((c) => new Float32Array(c.length))
  if (audio.channels.length < 2 || (!monoBelow && !bandGains)) {
    audio.channels.forEach((input, c) => output[c] !== input && output[c].set(input))
    return { channels: output, sampleRateHz }
  }

  const [left, right] = audio.channels
  const length = left.length
  const scratch = (index: number): Float32Array => arrays.scratch?.[index] ?? new Float32Array(length)
  const [mid, side] = output
  for (let n = 0; n < length; n++) {
    const l = left[n], r = right[n]
    mid[n] = 0.5 * (l + r)
    side[n] = 0.5 * (l - r)
  }
  // Zero-phase splits (./zero-phase-split.ts): the side keeps its alignment with the mid, so panning and
  // the image stay intact at every frequency, and the mid is left exactly as it is.
  const low = scratch(0)
  if (monoBelow) {
    zeroPhaseLowBand(side, params.monoBelowHz, sampleRateHz, low)
    for (let n = 0; n < length; n++) side[n] -= low[n]
  }
  let shaped = side
  if (bandGains) {
    // The bands of the side, lowest first: each low band is split off the residual (kept in `side`).
    const sideGains = params.bands.map((band) => dbToGain(band.sideGainDb))
    shaped = scratch(1).fill(0)
    params.crossoversHz.forEach((cutoffHz, b) => {
      zeroPhaseLowBand(side, cutoffHz, sampleRateHz, low)
      const gain = sideGains[b]
      for (let n = 0; n < length; n++) {
        side[n] -= low[n]
        shaped[n] += gain * low[n]
      }
    })
    const gain = sideGains[params.crossoversHz.length]
    for (let n = 0; n < length; n++) shaped[n] += gain * side[n]
  }
  for (let n = 0; n < length; n++) {
    const m = mid[n], s = shaped[n]
    output[0][n] = m + s
    output[1][n] = m - s
  }
  return { channels: output, sampleRateHz }
}
