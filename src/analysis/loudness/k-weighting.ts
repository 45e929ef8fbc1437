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
 * A gain applied to the channels before measuring: sample n of each channel is measured as
 * float32(x[n] * (scale * curve[n])), exactly the value a Float32Array holding the gained signal would
 * store (the true-peak limiter writes its output so), without that signal existing as a whole.
 */
export interface SampleGain {
  readonly curve: Float32Array
  readonly scale: number
}

/** Samples per sum of the gained signal `accumulateKWeightedEnergy` measures (longer intervals run in pieces). */
const GAINED_PIECE_FRAMES = 1024

/**
 * K-weights each channel and adds the squared output of each interval, summed over the channels (all
 * weights 1, BS.1770-4 table 3 for mono, left and right), to `sums`: interval i covers samples
 * [boundaries[i], boundaries[i+1]). With `gain`, the gained channels are measured (`SampleGain`). Nothing
 * is allocated per sample and the input is not modified.
 */
export function accumulateKWeightedEnergy(
  channels: Float32Array[],
  sampleRateHz: number,
  boundaries: Int32Array,
  sums: Float64Array,
  gain?: SampleGain,
): void {
  const filter = kWeightingFilter(sampleRateHz)
  const left = channels[0]
  // A mono track runs the second lane on silence, which costs little and keeps one loop.
  const right = channels.length > 1 ? channels[1] : new Float32Array(left.length)
  const intervals = boundaries.length - 1
  if (!gain) {
    filterLanes(filter, left, right, boundaries, sums)
    return
  }
  for (let interval = 0; interval < intervals; interval++) {
    for (let from = boundaries[interval], end = boundaries[interval + 1]; from < end; from += GAINED_PIECE_FRAMES) {
      sums[interval] += filterLanesGained(filter, left, right, gain, from, Math.min(end, from + GAINED_PIECE_FRAMES))
    }
  }
}

/** Both K-weighting stages' coefficients and the Direct form I state of two lanes, carried between intervals. */
interface KWeightingFilter {
  readonly coefficients: Float64Array
  /** Per lane (left, right): x1, x2, s1, s2, y1, y2. s1/s2 are both the shelf's output history and the high-pass stage's input history. */
  readonly state: Float64Array
}

function kWeightingFilter(sampleRateHz: number): KWeightingFilter {
  const { shelf, highpass } = kWeightingCoefficients(sampleRateHz)
  return {
    coefficients: Float64Array.of(shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2, highpass.b0, highpass.b1, highpass.b2, highpass.a1, highpass.a2),
    state: new Float64Array(12),
  }
}

/**
 * K-weights two lanes over the intervals of `boundaries`, continuing from the filter's state, and adds the
 * sum of both lanes' squared outputs over each interval to `sums` (one call for all intervals: calls per
 * short interval cost more than the filtering). Two lanes run in one loop: each IIR recursion is bound by
 * its own latency, so interleaving two independent ones nearly halves the time.
 */
function filterLanes(filter: KWeightingFilter, left: Float32Array, right: Float32Array, boundaries: Int32Array, sums: Float64Array): void {
  const { coefficients: k, state } = filter
  const sb0 = k[0], sb1 = k[1], sb2 = k[2], sa1 = k[3], sa2 = k[4]
  const hb0 = k[5], hb1 = k[6], hb2 = k[7], ha1 = k[8], ha2 = k[9]
  let ax1 = state[0], ax2 = state[1], as1 = state[2], as2 = state[3], ay1 = state[4], ay2 = state[5]
  let bx1 = state[6], bx2 = state[7], bs1 = state[8], bs2 = state[9], by1 = state[10], by2 = state[11]
  for (let interval = 0; interval < boundaries.length - 1; interval++) {
    let energy = 0
    for (let n = boundaries[interval], to = boundaries[interval + 1]; n < to; n++) {
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
  state[0] = ax1; state[1] = ax2; state[2] = as1; state[3] = as2; state[4] = ay1; state[5] = ay2
  state[6] = bx1; state[7] = bx2; state[8] = bs1; state[9] = bs2; state[10] = by1; state[11] = by2
}

/**
 * `filterLanes` of the gained lanes float32(x[n] * (scale * curve[n])) (`SampleGain`), without a gained
 * copy: Math.fround rounds each gained sample as a Float32Array store would. Same arithmetic, same sums.
 */
function filterLanesGained(filter: KWeightingFilter, left: Float32Array, right: Float32Array, gain: SampleGain, from: number, to: number): number {
  const { coefficients: k, state } = filter
  const { curve, scale } = gain
  const sb0 = k[0], sb1 = k[1], sb2 = k[2], sa1 = k[3], sa2 = k[4]
  const hb0 = k[5], hb1 = k[6], hb2 = k[7], ha1 = k[8], ha2 = k[9]
  let ax1 = state[0], ax2 = state[1], as1 = state[2], as2 = state[3], ay1 = state[4], ay2 = state[5]
  let bx1 = state[6], bx2 = state[7], bs1 = state[8], bs2 = state[9], by1 = state[10], by2 = state[11]
  let energy = 0
  for (let n = from; n < to; n++) {
    const g = scale * curve[n]
    const ax = Math.fround(left[n] * g)
    const bx = Math.fround(right[n] * g)
    const as = sb0 * ax + sb1 * ax1 + sb2 * ax2 - sa1 * as1 - sa2 * as2
    const bs = sb0 * bx + sb1 * bx1 + sb2 * bx2 - sa1 * bs1 - sa2 * bs2
    const ay = hb0 * as + hb1 * as1 + hb2 * as2 - ha1 * ay1 - ha2 * ay2
    const by = hb0 * bs + hb1 * bs1 + hb2 * bs2 - ha1 * by1 - ha2 * by2
    ax2 = ax1; ax1 = ax; as2 = as1; as1 = as; ay2 = ay1; ay1 = ay
    bx2 = bx1; bx1 = bx; bs2 = bs1; bs1 = bs; by2 = by1; by1 = by
    energy += ay * ay + by * by
  }
  state[0] = ax1; state[1] = ax2; state[2] = as1; state[3] = as2; state[4] = ay1; state[5] = ay2
  state[6] = bx1; state[7] = bx2; state[8] = bs1; state[9] = bs2; state[10] = by1; state[11] = by2
  return energy
}
