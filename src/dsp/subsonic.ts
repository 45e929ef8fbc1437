/**
 * Subsonic high-pass and DC removal, the first stage of the chain (DESIGN.md "The chain", 1).
 */
import type { Audio } from '../audio/audio.js'
import { butterworthSectionQs, highPassCoefficients, processBiquadCascadeChannels } from './biquad.js'
import { defineParams, validateParams, type ParamValues } from './params.js'

/** Order of the high-pass: 4th-order Butterworth, 24 dB/octave below the cutoff, two biquads. */
export const SUBSONIC_ORDER = 4

/**
 * Parameters of the subsonic filter. cutoffHz = 0 switches the stage off (the identity); any other value
 * removes the DC offset and high-passes at cutoffHz (-3 dB there, Butterworth).
 */
export const SUBSONIC_PARAMS = defineParams({
  cutoffHz: {
    unit: 'Hz', min: 0, max: 40, default: 20, neutral: 0, scale: 'linear',
    description: 'corner of the 4th-order Butterworth high-pass (-3 dB, 24 dB/octave below); 0 = off (no DC removal either)',
  },
})

/** Values of SUBSONIC_PARAMS. */
export type SubsonicParams = ParamValues<typeof SUBSONIC_PARAMS>

/**
 * Removes each channel's DC offset and high-passes it with a 4th-order Butterworth filter (two cascaded
 * RBJ high-pass sections with the Butterworth section Qs 0.5412 and 1.3066, bilinear transform pre-warped
 * so the -3 dB point is exactly cutoffHz at every rate).
 *
 * DC removal: the mean of the whole channel is subtracted before filtering. The high-pass alone has four
 * zeros at DC, but starting from rest it would turn an offset present from the first sample into a step
 * (a thump decaying over ~1/cutoffHz); subtracting the mean first leaves no step to filter.
 * cutoffHz = 0 returns a copy of the input. Mono and stereo; the input is not modified.
 */
export function applySubsonic(audio: Audio, params: SubsonicParams): Audio {
  validateParams(SUBSONIC_PARAMS, params, 'subsonic')
  const { sampleRateHz } = audio
  if (params.cutoffHz === 0) return { channels: audio.channels.map((c) => c.slice()), sampleRateHz }
  const sections = butterworthSectionQs(SUBSONIC_ORDER).map((q) => highPassCoefficients(sampleRateHz, params.cutoffHz, q))
  const centred = audio.channels.map((input) => {
    let sum = 0
    for (let n = 0; n < input.length; n++) sum += input[n]
    const mean = input.length > 0 ? sum / input.length : 0
    const output = new Float32Array(input.length)
    for (let n = 0; n < input.length; n++) output[n] = input[n] - mean
    return output
  })
  const channels = processBiquadCascadeChannels(centred, sections, centred)
  return { channels, sampleRateHz }
}
