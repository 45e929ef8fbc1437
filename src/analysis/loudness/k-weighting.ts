/**
 * K-weighting filter of ITU-R BS.1770-4, Annex 1 (section 2.1, figures 1-4, tables 1-2), derived for any
 * sample rate from its analogue prototype by the bilinear transform with pre-warping, as libebur128 and
 * pyloudnorm do. Reusing the 48 kHz table at 44.1 kHz shifts the curve (a known public bug); deriving it
 * per rate reproduces the table exactly at 48 kHz.
 */
import type { BiquadCoefficients } from '../../dsp/biquad.js'

/** Stage 1 (head-related high shelf) prototype, as fitted to BS.1770-4 table 1 by libebur128. */
const SHELF_CENTRE_HZ = 1681.974450955533
const SHELF_GAIN_DB = 3.999843853973347
const SHELF_Q = 0.7071752369554196
/** Exponent relating the shelf's band gain to its high-frequency gain (libebur128's fit). */
const SHELF_BAND_GAIN_EXPONENT = 0.4996667741545416
/** Stage 2 (RLB high-pass) prototype, fitted to BS.1770-4 table 2. */
const HIGHPASS_CENTRE_HZ = 38.13547087602444
const HIGHPASS_Q = 0.5003270373238773

/** The two K-weighting stages for `sampleRateHz`. */
export function kWeightingCoefficients(sampleRateHz: number): { shelf: BiquadCoefficients; highpass: BiquadCoefficients } {
  let k = Math.tan((Math.PI * SHELF_CENTRE_HZ) / sampleRateHz)
  const highGain = Math.pow(10, SHELF_GAIN_DB / 20)
  const bandGain = Math.pow(highGain, SHELF_BAND_GAIN_EXPONENT)
  let a0 = 1 + k / SHELF_Q + k * k
  const shelf: BiquadCoefficients = {
    b0: (highGain + (bandGain * k) / SHELF_Q + k * k) / a0,
    b1: (2 * (k * k - highGain)) / a0,
    b2: (highGain - (bandGain * k) / SHELF_Q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF_Q + k * k) / a0,
  }
  k = Math.tan((Math.PI * HIGHPASS_CENTRE_HZ) / sampleRateHz)
  a0 = 1 + k / HIGHPASS_Q + k * k
  const highpass: BiquadCoefficients = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / HIGHPASS_Q + k * k) / a0,
  }
  return { shelf, highpass }
}

/**
 * K-weights each channel and adds the squared output of each interval, summed over the channels (all
 * weights 1, BS.1770-4 table 3 for mono, left and right), to `sums`: interval i covers samples
 * [boundaries[i], boundaries[i+1]). Two channels run in one loop: each IIR recursion is bound by its
 * own latency, so interleaving two independent ones nearly halves the time. Nothing is allocated per
 * sample and the input is not modified.
 */
export function accumulateKWeightedEnergy(
  channels: Float32Array[],
  sampleRateHz: number,
  boundaries: Int32Array,
  sums: Float64Array,
): void {
  const { shelf, highpass } = kWeightingCoefficients(sampleRateHz)
  const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = shelf
  const { b0: hb0, b1: hb1, b2: hb2, a1: ha1, a2: ha2 } = highpass
  const left = channels[0]
  // A mono track runs the second lane on silence, which costs little and keeps one loop.
  const right = channels.length > 1 ? channels[1] : new Float32Array(left.length)
  // Direct form I state of both stages, per lane (a: left, b: right). s1/s2 are both the shelf's
  // output history and the high-pass stage's input history.
  let ax1 = 0, ax2 = 0, as1 = 0, as2 = 0, ay1 = 0, ay2 = 0
  let bx1 = 0, bx2 = 0, bs1 = 0, bs2 = 0, by1 = 0, by2 = 0
  const intervals = boundaries.length - 1
  for (let interval = 0; interval < intervals; interval++) {
    const end = boundaries[interval + 1]
    let energy = 0
    for (let n = boundaries[interval]; n < end; n++) {
      const ax = left[n]
      const bx = right[n]
      const as = sb0 * ax + sb1 * ax1 + sb2 * ax2 - sa1 * as1 - sa2 * as2
      const bs = sb0 * bx + sb1 * bx1 + sb2 * bx2 - sa1 * bs1 - sa2 * bs2
      const ay = hb0 * as + hb1 * as1 + hb2 * as2 - ha1 * ay1 - ha2 * ay2
      const by = hb0 * bs + hb1 * bs1 + hb2 * bs2 - ha1 * by1 - ha2 * by2
      ax2 = ax1; ax1 = ax; as2 = as1; as1 = as; ay2 = ay1; ay1 = ay
      bx2 = bx1; bx1 = bx; bs2 = bs1; bs1 = bs; by2 = by1; by1 = by
      energy += ay * ay + by * by
    }
    sums[interval] += energy
  }
}
