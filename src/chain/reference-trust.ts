import type { BandDynamics } from '../analysis/band-dynamics.js'
import { SPECTRUM_FLOOR_DB, type SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { smoothOctaves } from './analytic-eq.js'

/**
 * How far to trust a reference: whether it is the same music as the mix (another section of the same
 * song or production) or other music.
 *
 * A reference of other music is the sound to reach: its tonal balance, width and density are the goal,
 * and every difference from the mix, however large, is worth following. A reference of the same music
 * shares the goal's mastering, but its sections differ from the mix's in ways the goal does not share
 * (a wide chorus after a narrow verse, a bass drop, a different instrumentation): there only the part of
 * the difference that a mixing error explains (smooth, bounded) is worth following.
 *
 * The same music leaves the same fine spectral structure: the partials of the same instruments, in the
 * same key, stand at the same frequencies, and the same mix puts them at the same places in the stereo
 * image. So the correlation of the two spectra's fine detail (1/12-octave levels minus their 2-octave
 * average, 100 Hz - 5 kHz, mid and side) tells them apart. Dev set (40 excerpts): another section of
 * the same song 0.74 median (0.51 lower quartile, 3 of 40 at or below 0.2), another track of the same
 * genre group 0.13 median (0.25 upper quartile, 3 of 40 at or above 0.4).
 */
export const REFERENCE_TRUST_DEFAULTS = {
  /** Range whose fine structure is compared (Hz): where partials are resolved by 1/12-octave bands and most music has them. */
  detailRangeHz: [100, 5000] as const,
  /**
   * Width of the average removed to leave the fine detail (octaves): broad tonal differences (a mixing
   * error, another master) are not evidence of other music. Dev set, separation of the two kinds of
   * reference (area under the ROC curve), mid only: 1 octave 0.89, 2 octaves 0.93.
   */
  detailSmoothingOctaves: 2,
  /**
   * Weight of the rhythm distance (below) taken off the detail correlation. Dev set, separation of the
   * two kinds of reference (area under the ROC curve): detail alone 0.934, rhythm alone 0.857, detail
   * minus 0.1 x rhythm 0.958 (0.15: 0.959, 0.2: 0.959).
   */
  rhythmWeight: 0.15,
  /** Onset rate added to both before their ratio is taken (per second): a band with no onsets is not infinitely far from one with a few. */
  onsetRateFloorPerSecond: 0.5,
  /**
   * Evidence (detail correlation minus weighted rhythm distance) at or below which the reference counts
   * as other music (trust 1), and at or above which it counts as the same music (trust 0). Dev set,
   * simulated tonal-balance error match / cross with full trust for other music (explore/sweep.ts):
   * (-0.2, 0.1) 1.272 / 2.27, (-0.1, 0.1) 1.283 / 2.20, (-0.1, 0.2) 1.315 / 2.12; detail alone at its
   * best (0.0, 0.3) 1.291 / 2.47.
   */
  otherMusicEvidenceLevel: -0.15,
  sameMusicEvidenceLevel: 0.1,
}

export type ReferenceTrustOptions = typeof REFERENCE_TRUST_DEFAULTS

/** Pearson correlation of two equally long series (0 when either is constant). */
function correlation(a: number[], b: number[]): number {
  const n = a.length
  const meanA = a.reduce((s, v) => s + v, 0) / n
  const meanB = b.reduce((s, v) => s + v, 0) / n
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < n; i++) {
    ab += (a[i] - meanA) * (b[i] - meanB)
    aa += (a[i] - meanA) ** 2
    bb += (b[i] - meanB) ** 2
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0
}

/** Correlation of the fine spectral detail of the mix's and the reference's mid spectra (same grid), -1..1. */
function curveDetailCorrelation(mix: SpectrumCurve, reference: SpectrumCurve, key: 'midDb' | 'sideDb', options: ReferenceTrustOptions): number {
  const length = Math.min(mix.frequenciesHz.length, reference.frequenciesHz.length)
  const frequenciesHz = mix.frequenciesHz.slice(0, length)
  const detail = (db: number[]) => {
    const levels = db.slice(0, length)
    const broad = smoothOctaves(frequenciesHz, levels, options.detailSmoothingOctaves)
    return levels.map((v, i) => v - broad[i]).filter((_, i) => frequenciesHz[i] >= options.detailRangeHz[0] && frequenciesHz[i] <= options.detailRangeHz[1])
  }
  const a = detail(mix[key])
  const b = detail(reference[key])
  return a.length > 2 ? correlation(a, b) : 0
}

/**
 * Correlation of the fine spectral detail of the mix's and the reference's spectra (same grid), -1..1:
 * the mean of mid's and side's (the side of a stereo recording carries the same partials, through other
 * paths: a second, independent look), the mid's alone when either is mono.
 */
export function fineDetailCorrelation(mix: SpectrumCurve, reference: SpectrumCurve, options: ReferenceTrustOptions = REFERENCE_TRUST_DEFAULTS): number {
  const mid = curveDetailCorrelation(mix, reference, 'midDb', options)
  const isMono = (curve: SpectrumCurve) => Math.max(...curve.sideDb) <= SPECTRUM_FLOOR_DB
  return isMono(mix) || isMono(reference) ? mid : (mid + curveDetailCorrelation(mix, reference, 'sideDb', options)) / 2
}

/**
 * Rhythm distance: the summed |log ratio| of the onset rates in the four dynamics bands. Another section
 * of the same song keeps its tempo and its drums' pattern, so its onset rates per band stay close; the
 * un-mastering (EQ, width, gain, a gentle expander) moves them little.
 */
export function rhythmDistance(mix: BandDynamics[], reference: BandDynamics[], options: ReferenceTrustOptions = REFERENCE_TRUST_DEFAULTS): number {
  const floor = options.onsetRateFloorPerSecond
  let distance = 0
  for (let b = 0; b < Math.min(mix.length, reference.length); b++) {
    distance += Math.abs(Math.log((mix[b].transientsPerSecond + floor) / (reference[b].transientsPerSecond + floor)))
  }
  return distance
}

/** What trust reads of the mix and of the target: its fine spectrum and its band dynamics (a TargetProfile or the parts of a TrackAnalysis). */
export interface TrustInput {
  fine: SpectrumCurve
  bands: BandDynamics[]
}

/** Evidence that the reference is the same music as the mix: detail correlation minus the weighted rhythm distance. */
export function sameMusicEvidence(mix: TrustInput, reference: TrustInput, options: ReferenceTrustOptions = REFERENCE_TRUST_DEFAULTS): number {
  return fineDetailCorrelation(mix.fine, reference.fine, options) - options.rhythmWeight * rhythmDistance(mix.bands, reference.bands, options)
}

/**
 * Trust in the reference's sound, 0..1: 1 for other music (its sound is the goal), 0 for the same music
 * (only mixing-error-sized differences are followed), linear between the two evidence levels.
 */
export function referenceTrust(mix: TrustInput, reference: TrustInput, options: ReferenceTrustOptions = REFERENCE_TRUST_DEFAULTS): number {
  const r = sameMusicEvidence(mix, reference, options)
  const t = (options.sameMusicEvidenceLevel - r) / (options.sameMusicEvidenceLevel - options.otherMusicEvidenceLevel)
  return Math.min(1, Math.max(0, t))
}
