/**
 * Subsonic high-pass and DC removal, the first stage of the chain (DESIGN.md "The chain", 1).
 */
import type { Audio } from '../audio/audio.js'
import { highPassCoefficients } from './biquad.js'
import { defineParams, validateParams, type ParamValues } from './params.js'
import { forwardBackwardChannelsInPlace } from './zero-phase-split.js'

/**
 * The filter is a 2nd-order Butterworth high-pass run forward and backward: zero phase (a minimum-phase
 * high-pass delays the bass by several ms, which shifts bass-heavy music against the mix) and magnitude
 * |H|^2 = r / (1 + r), r = (f / f0)^4, 24 dB/octave below. For -3 dB at cutoffHz, r must be 1 + sqrt(2)
 * there, so the Butterworth corner f0 sits at cutoffHz / (1 + sqrt(2))^(1/4).
 */
export const ZERO_PHASE_CORNER_RATIO = Math.pow(1 + Math.SQRT2, 1 / 4)

/**
 * Parameters of the subsonic filter. cutoffHz = 0 switches the stage off (the identity); any other value
 * removes the DC offset and high-passes at cutoffHz (-3 dB there, zero phase).
 */
export const SUBSONIC_PARAMS = defineParams({
  cutoffHz: {
    unit: 'Hz', min: 0, max: 40, default: 20, neutral: 0, scale: 'linear',
    description: 'corner of the zero-phase high-pass (-3 dB there, 24 dB/octave below); 0 = off (no DC removal either)',
  },
})

/** Values of SUBSONIC_PARAMS. */
export type SubsonicParams = ParamValues<typeof SUBSONIC_PARAMS>

/**
 * Removes each channel's DC offset and high-passes it with the zero-phase filter above (RBJ Cookbook
 * high-pass, Q = 1/sqrt(2), pre-warped at every rate), so the output stays sample-aligned with the input.
 *
 * DC removal: the mean of the whole channel is subtracted before filtering. The high-pass alone has four
 * zeros at DC, but starting from rest it would turn an offset present from the first sample into a step
 * (a thump decaying over ~1/cutoffHz); subtracting the mean first leaves no step to filter.
 * cutoffHz = 0 returns a copy of the input. Mono and stereo; the input is not modified. The result is
 * written into `output` when given (channel arrays of the input's length; they may be the input's own).
 */
export function applySubsonic(audio: Audio, params: SubsonicParams, output?: Float32Array[]): Audio {
  validateParams(SUBSONIC_PARAMS, params, 'subsonic')
  const { sampleRateHz } = audio
  const channels = output ?? audio.channels.map((c) => new Float32Array(c.length))
  if (params.cutoffHz === 0) {
    audio.channels.forEach((input, c) => channels[c] !== input && channels[c].set(input))
    return { channels, sampleRateHz }
  }
  const highPass = highPassCoefficients(sampleRateHz, params.cutoffHz / ZERO_PHASE_CORNER_RATIO)
  audio.channels.forEach((input, c) => {
    let sum = 0
    for (let n = 0; n < input.length; n++) sum += input[n]
    const mean = input.length > 0 ? sum / input.length : 0
    const centred = channels[c]
    for (let n = 0; n < input.length; n++) centred[n] = input[n] - mean
  })
  forwardBackwardChannelsInPlace(channels, highPass)
  return { channels, sampleRateHz }
}
