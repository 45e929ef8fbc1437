import { powerToDb } from '../units/db.js'
import { SIDE_MID_FLOOR_DB } from './band-dynamics.js'

/** The stereo image of a whole track (DESIGN.md "TrackAnalysis: Stereo"). */
export interface StereoImage {
  /** 10 log10(side energy / mid energy), M = (L+R)/2, S = (L-R)/2, floored at -60 dB (the eval's definition). */
  sideMidDb: number
  /** Pearson correlation of left and right (1 mono, 0 unrelated, -1 inverted). */
  correlation: number
  /** Level of the mono fold-down (L+R)/2 relative to the mean channel level (dB): 0 mono, -3 unrelated, very negative out of phase. */
  monoFoldDownDb: number
}

const ENERGY_EPSILON = 1e-20

/** Stereo image of `channels` (mono gives a centred image: -60 dB side, correlation 1, no fold-down loss). */
export function stereoImage(channels: Float32Array[]): StereoImage {
  if (channels.length < 2) return { sideMidDb: SIDE_MID_FLOOR_DB, correlation: 1, monoFoldDownDb: 0 }
  const [left, right] = channels
  let ll = 0, rr = 0, lr = 0, sumL = 0, sumR = 0
  for (let n = 0; n < left.length; n++) {
    const l = left[n]
    const r = right[n]
    ll += l * l
    rr += r * r
    lr += l * r
    sumL += l
    sumR += r
  }
  const frames = Math.max(1, left.length)
  // Energies of M = (L+R)/2 and S = (L-R)/2 from the channel moments.
  const mid = (ll + rr + 2 * lr) / 4
  const side = (ll + rr - 2 * lr) / 4
  const covariance = lr - (sumL * sumR) / frames
  const varianceL = ll - (sumL * sumL) / frames
  const varianceR = rr - (sumR * sumR) / frames
  const denominator = Math.sqrt(varianceL * varianceR)
  return {
    sideMidDb: Math.max(SIDE_MID_FLOOR_DB, powerToDb(Math.max(side, 0) / Math.max(mid, ENERGY_EPSILON))),
    correlation: denominator > 0 ? covariance / denominator : 1,
    monoFoldDownDb: Math.max(SIDE_MID_FLOOR_DB, powerToDb((mid + ENERGY_EPSILON) / ((ll + rr) / 2 + ENERGY_EPSILON))),
  }
}
