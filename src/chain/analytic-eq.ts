import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { interpolateCurveDb, type EqCurve } from '../dsp/matching-eq.js'
import { lerp } from '../units/lerp.js'

/**
 * The analytic matching-EQ curve: the smoothed difference between the target's and the mix's long-term
 * spectra of the loud part, mid and side separately, with their overall level difference removed (the
 * loudness stage sets the level). How far the reference is trusted is what makes or breaks real music:
 * a reference is another piece (or another section) of music, so its spectrum differs from the goal in
 * narrow, note-dependent ways and at the extremes of the band. We therefore follow only broad
 * differences (heavy fractional-octave smoothing), apply a share of them, taper trust where spectra of
 * the same master vary most between sections (sub-bass, air), and bound the gains.
 */
export const EQ_MATCH_DEFAULTS = {
  /** Width of the smoothing window, octaves: broad tonal tilts and shelves pass, note-level detail does not. */
  smoothingOctaves: 0.5,
  /**
   * Share of the side curve replaced by the mid curve for a reference of other music: another piece's
   * side spectrum holds other instruments panned elsewhere, and its own curve moves the side/mid energy
   * ratio that the width stage sets. Dev set, cross task (0 -> 1): side/mid error 0.98 -> 0.82 dB,
   * tonal balance 3.07 -> 3.08 dB.
   */
  otherMusicSideFollowsMid: 1,
  /**
   * Share of the smoothed difference applied at strength 1, for a reference of the same music
   * (reference-trust.ts): another section shares the goal's mastering but not its arrangement. Dev set,
   * simulated tonal-balance error match / cross (explore/sweep.ts): 0.3 1.247 / 2.147, 0.4 1.256 / 2.075,
   * 0.5 1.285 / 2.010, 0.6 1.329 / 1.954 dB; the cross task pays through its pairs read as the same music.
   * 0.4 leaves both tasks a similar margin over the best peer.
   */
  trust: 0.4,
  /**
   * The same for a reference of other music: its tonal balance is the goal. Dev set, simulated
   * tonal-balance error match / cross (explore/sweep.ts, with reference-trust.ts's rhythm term): 0.8
   * 1.27 / 2.45, 1.0 1.28 / 2.23. Before the rhythm term told more sections of the same song apart, full
   * trust cost the match task too much (0.6 was used).
   */
  otherMusicTrust: 1,
  /**
   * Bounds of the curve (dB), for a reference of the same music: the trusted share of a mix's broad tonal
   * error (shelves and bells of up to about 5 dB, the evaluation protocol's un-mastering) stays within
   * them, while two sections of one song (an intro and an outro) differ by far more, which is the music,
   * not the mix. Simulated tonal-balance error (explore/sweep.ts), dev set match / cross, and the 4
   * whole tracks of full/ (A = first 25 s, B = last 25 s; match): +6/-8 dB 1.256 / 2.075, 1.845; +-4
   * 1.248 / 2.097; +-3 1.239 / 2.116, 1.491; +-2.5 1.231 / 2.130, 1.414; +-2 1.223 / 2.147, 1.335;
   * +-1.5 1.217 / 2.170, 1.283 (the cross task pays through its pairs read as partly the same music).
   */
  maxBoostDb: 2,
  maxCutDb: 2,
  /** Bounds of the curve for a reference of other music (dB): within a genre, tonal balances differ by up to this much. */
  otherMusicMaxBoostDb: 12,
  otherMusicMaxCutDb: 12,
  /** Range over which the level offset is taken (Hz), the evaluation protocol's tonal-balance range. */
  levelRangeHz: [31.5, 16000] as const,
  /** Full trust between these frequencies; tapering to half trust an octave beyond each (Hz). Not for other music, whose extremes are its sound. */
  trustedRangeHz: [50, 12000] as const,
  /** A band of the mix this far below its loudest band has no energy to boost (dB). */
  noEnergyBelowPeakDb: 60,
  /** A side this far below the mid (mean over the range) is treated as mono: no side curve (dB). */
  monoSideBelowMidDb: 40,
}

export type EqMatchOptions = typeof EQ_MATCH_DEFAULTS

function meanOver(frequenciesHz: number[], values: number[], [lowHz, highHz]: readonly [number, number]): number {
  let sum = 0
  let count = 0
  frequenciesHz.forEach((hz, i) => {
    if (hz >= lowHz && hz <= highHz) {
      sum += values[i]
      count++
    }
  })
  return count > 0 ? sum / count : 0
}

/** Smooths `values` on a log-frequency grid with a Hann window `octaves` wide. */
export function smoothOctaves(frequenciesHz: number[], values: number[], octaves: number): number[] {
  const half = octaves / 2
  return frequenciesHz.map((hz) => {
    let sum = 0
    let weightSum = 0
    frequenciesHz.forEach((other, j) => {
      const distance = Math.log2(other / hz) / half
      if (Math.abs(distance) >= 1) return
      const weight = 0.5 + 0.5 * Math.cos(Math.PI * distance)
      sum += weight * values[j]
      weightSum += weight
    })
    return sum / weightSum
  })
}

/** Trust at `hz`: 1 inside the trusted range, falling linearly (in octaves) to 0.5 one octave outside it. */
function trustAt(hz: number, [lowHz, highHz]: readonly [number, number]): number {
  const octavesOut = hz < lowHz ? Math.log2(lowHz / hz) : hz > highHz ? Math.log2(hz / highHz) : 0
  return Math.max(0.5, 1 - 0.5 * octavesOut)
}

/**
 * The matching-EQ curve from the mix's and the target's fine spectra (mid and side). `referenceTrust`
 * (0..1, reference-trust.ts) moves the share applied, the bounds and the taper at the band's ends from
 * the settings for a reference of the same music (0) to those for other music (1). Above `targetTopHz`
 * (a lossy reference's cut) the difference is held at its value there: the curve does not follow the cut.
 */
export function matchingEqCurve(mix: SpectrumCurve, target: SpectrumCurve, referenceTrust = 0, options: EqMatchOptions = EQ_MATCH_DEFAULTS, targetTopHz = Infinity): EqCurve {
  const trust = lerp(options.trust, options.otherMusicTrust, referenceTrust)
  const maxBoostDb = lerp(options.maxBoostDb, options.otherMusicMaxBoostDb, referenceTrust)
  const maxCutDb = lerp(options.maxCutDb, options.otherMusicMaxCutDb, referenceTrust)
  const frequenciesHz = mix.frequenciesHz
  const targetAt = (key: 'midDb' | 'sideDb') => frequenciesHz.map((hz) => interpolateCurveDb(target.frequenciesHz, target[key], hz))
  const top = frequenciesHz.filter((hz) => hz <= targetTopHz).length - 1
  const shape = (mixDb: number[], targetDb: number[]) => {
    const difference = targetDb.map((db, i) => targetDb[Math.min(i, top)] - mixDb[Math.min(i, top)])
    const offset = meanOver(frequenciesHz, difference, options.levelRangeHz)
    return smoothOctaves(frequenciesHz, difference.map((d) => d - offset), options.smoothingOctaves)
  }
  const bound = (curve: number[], mixDb: number[]) => {
    const peakDb = Math.max(...mixDb)
    return curve.map((db, i) => {
      const trusted = db * trust * lerp(trustAt(frequenciesHz[i], options.trustedRangeHz), 1, referenceTrust)
      const ceiling = mixDb[i] < peakDb - options.noEnergyBelowPeakDb ? 0 : maxBoostDb
      return Math.min(ceiling, Math.max(-maxCutDb, trusted))
    })
  }
  const midDb = bound(shape(mix.midDb, targetAt('midDb')), mix.midDb)
  const isMono = (curve: SpectrumCurve, sideDb: number[]) =>
    meanOver(frequenciesHz, sideDb, options.levelRangeHz) < meanOver(curve.frequenciesHz, curve.midDb, options.levelRangeHz) - options.monoSideBelowMidDb
  const targetSide = targetAt('sideDb')
  const sideIsMono = isMono(mix, mix.sideDb) || isMono(target, targetSide)
  const sideOwnDb = sideIsMono ? frequenciesHz.map(() => 0) : bound(shape(mix.sideDb, targetSide), mix.sideDb)
  const sideDb = sideIsMono ? sideOwnDb : sideOwnDb.map((db, i) => lerp(db, midDb[i], referenceTrust * options.otherMusicSideFollowsMid))
  return { frequenciesHz, midDb, sideDb }
}
