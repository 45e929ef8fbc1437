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
  /** Detail correlation at or below which the reference counts as other music (trust 1): between the dev set's other tracks' median (0.13) and upper quartile (0.25). */
  otherMusicCorrelation: 0.2,
  /** Detail correlation at or above which it counts as the same music (trust 0): below the same songs' lower quartile, above 37 of 40 other tracks. */
  sameMusicCorrelation: 0.4,
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
 * Trust in the reference's sound, 0..1: 1 for other music (its sound is the goal), 0 for the same music
 * (only mixing-error-sized differences are followed), linear between the two correlations.
 */
export function referenceTrust(mix: SpectrumCurve, reference: SpectrumCurve, options: ReferenceTrustOptions = REFERENCE_TRUST_DEFAULTS): number {
  const r = fineDetailCorrelation(mix, reference, options)
  const t = (options.sameMusicCorrelation - r) / (options.sameMusicCorrelation - options.otherMusicCorrelation)
  return Math.min(1, Math.max(0, t))
}
