import type { TargetProfile } from '../chain/target-profile.js'
import { curveMeanLevelDb } from './aggregate.js'

/**
 * Tonal regions of the summary (Hz, third-octave centres inclusive): low = sub and bass up to the usual
 * low/low-mid split, mid = the body up to presence, high = presence and air (the third-octave range ends at
 * 16 kHz, the evaluation protocol's top band).
 */
export const TONAL_REGIONS_HZ = {
  low: [31.5, 160],
  mid: [200, 2000],
  high: [2500, 16000],
} as const

/** What `refmaster genres` shows of a genre: loudness, dynamics, width and tonal balance in a few numbers. */
export interface GenreSummary {
  trackCount: number
  integratedLufs: number
  loudnessRangeLu: number
  plrDb: number
  truePeakDbtp: number
  /** Whole-track 10 log10(side / mid) (dB): the width. */
  sideMidDb: number
  /** Mean third-octave level of each region relative to the mean over 31.5 Hz - 16 kHz (dB). */
  lowDb: number
  midDb: number
  highDb: number
  /** Least-squares slope of the third-octave levels against log2 frequency (dB per octave). */
  tiltDbPerOctave: number
  /** Median absolute deviation of the tracks' tonal balance around the genre's (dB; see tonalSpreadDb). */
  tonalSpreadDb: number
}

function regionDb(profile: TargetProfile, [lowHz, highHz]: readonly [number, number], meanDb: number): number {
  const { frequenciesHz, totalDb } = profile.thirdOctave
  const inRegion = totalDb.filter((_, i) => frequenciesHz[i] >= lowHz * 0.99 && frequenciesHz[i] <= highHz * 1.01)
  return inRegion.reduce((sum, db) => sum + db, 0) / Math.max(1, inRegion.length) - meanDb
}

function tiltDbPerOctave(profile: TargetProfile): number {
  const x = profile.thirdOctave.frequenciesHz.map((hz) => Math.log2(hz))
  const y = profile.thirdOctave.totalDb
  const meanX = x.reduce((s, v) => s + v, 0) / x.length
  const meanY = y.reduce((s, v) => s + v, 0) / y.length
  let sxy = 0
  let sxx = 0
  x.forEach((v, i) => {
    sxy += (v - meanX) * (y[i] - meanY)
    sxx += (v - meanX) ** 2
  })
  return sxx > 0 ? sxy / sxx : 0
}

/** The summary of a genre profile built from `trackCount` tracks whose tonal spread is `tonalSpreadDb`. */
export function summariseGenre(profile: TargetProfile, trackCount: number, tonalSpreadDb: number): GenreSummary {
  const meanDb = curveMeanLevelDb(profile.thirdOctave)
  return {
    trackCount,
    integratedLufs: profile.integratedLufs,
    loudnessRangeLu: profile.loudnessRangeLu,
    plrDb: profile.plrDb,
    truePeakDbtp: profile.truePeakDbtp,
    sideMidDb: profile.stereo.sideMidDb,
    lowDb: regionDb(profile, TONAL_REGIONS_HZ.low, meanDb),
    midDb: regionDb(profile, TONAL_REGIONS_HZ.mid, meanDb),
    highDb: regionDb(profile, TONAL_REGIONS_HZ.high, meanDb),
    tiltDbPerOctave: tiltDbPerOctave(profile),
    tonalSpreadDb,
  }
}
