import { referenceTrust } from '../chain/reference-trust.js'
import { profileOf } from '../chain/target-profile.js'
import { lerp } from '../units/lerp.js'
import type { Audio } from '../audio/audio.js'
import { durationSeconds } from '../audio/audio.js'
import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { RefmasterError } from '../errors.js'

/** Below this rate (Hz) the 16.5-20 kHz band of the lossy test does not exist. */
const LOSSY_TEST_MIN_RATE_HZ = 40000

/**
 * Reference sanity check: a reference that is clipped, lossy, short, or far from the mix is a weaker
 * guide, so the report says so and the matcher trusts it less (lower strengths) instead of copying it.
 */
export const REFERENCE_CHECK = {
  /** A run of this many consecutive samples at full scale is clipping; single overs are normal in lossy decodes of loud masters. */
  clipRunSamples: 4,
  /** |x| at or above this is full scale (the eval's 16-bit clip code). */
  fullScale: 32767 / 32768,
  /** Clipped runs per minute above which the reference is called clipped (a few overs are common in loud masters). */
  clipRunsPerMinute: 6,
  /** No content above 16 kHz: the 16-20 kHz band this far below the 4-8 kHz band (dB) looks lossy. */
  lossyCutoffDropDb: 45,
  /** Shorter than this share of the mix: warn. */
  shortShare: 0.5,
  /** Shorter than this: refuse (too little to measure a long-term spectrum and loudness range). */
  minimumSeconds: 5,
  /** Tonal balance (mean |difference| of mean-removed third-octave curves) beyond this is "very far" (dB). */
  farTonalBalanceDb: 5,
  /** Crest-factor difference beyond this is "very far" in density (dB). */
  farDensityDb: 8,
  /**
   * Strength kept when a reference is very far (tonally or in density). Dev set, tonal-balance error
   * match / cross (simulated, with reference-trust.ts): 0.5 1.233 / 3.39, 0.7 1.262 / 3.08, 0.85 1.287 / 2.94.
   */
  farStrengthFactor: 0.7,
  /**
   * EQ strength kept when a reference of other music (reference-trust.ts) is very far tonally: all, its
   * tonal balance is the goal (interpolated with the trust). Dev set, simulated cross task, tonal-balance
   * error 3.09 -> 2.84 dB (0.7 -> 1); the match task's references are mostly the same music, unchanged.
   */
  otherMusicFarEqFactor: 1,
  /**
   * Where a lossy-looking reference's spectrum stops being the music's (Hz): the lossy test's band starts
   * above it. The matching EQ holds its correction above it (analytic-eq.ts) instead of following the
   * encoder's cut. Before, the whole EQ strength was lowered to 0.7 instead: dev set, simulated tonal-balance
   * error match / cross 1.276 / 2.234 -> 1.285 / 2.005 dB.
   */
  lossyTopHz: 16000,
}

/** What the check found and how much of each strength it keeps (1 = all). */
export interface ReferenceCheck {
  warnings: string[]
  strengthFactors: { eq: number; dynamics: number; width: number }
  /** The reference's spectrum is the music's only up to this frequency (Hz; a lossy encoder cut the rest), or Infinity. */
  spectrumTopHz: number
}

/** Counts runs of `clipRunSamples` or more consecutive full-scale samples, over all channels. */
export function clippedRuns(audio: Audio, runSamples = REFERENCE_CHECK.clipRunSamples): number {
  let runs = 0
  for (const channel of audio.channels) {
    let length = 0
    for (let n = 0; n < channel.length; n++) {
      if (Math.abs(channel[n]) >= REFERENCE_CHECK.fullScale) {
        length++
        if (length === runSamples) runs++
      } else {
        length = 0
      }
    }
  }
  return runs
}

function bandMeanDb({ frequenciesHz, totalDb }: SpectrumCurve, lowHz: number, highHz: number): number {
  const values = totalDb.filter((_, i) => frequenciesHz[i] >= lowHz && frequenciesHz[i] < highHz)
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : -Infinity
}

/**
 * Whether a long-term spectrum (`fine`, of audio at `sampleRateHz`) looks lossy: no content above 16 kHz,
 * the 16.5-20 kHz band more than `lossyCutoffDropDb` below the 4-8 kHz band. `topHz` is where the music's
 * spectrum ends then (REFERENCE_CHECK.lossyTopHz), else Infinity.
 */
export function lossyCut(fine: SpectrumCurve, sampleRateHz: number): { topHz: number; dropDb: number } {
  const c = REFERENCE_CHECK
  if (sampleRateHz < LOSSY_TEST_MIN_RATE_HZ) return { topHz: Infinity, dropDb: 0 }
  const dropDb = bandMeanDb(fine, 4000, 8000) - bandMeanDb(fine, 16500, 20000)
  return { topHz: dropDb > c.lossyCutoffDropDb ? c.lossyTopHz : Infinity, dropDb }
}

/** Mean |difference| of the two mean-removed third-octave curves (the protocol's tonal-balance error), dB. */
export function tonalBalanceDistanceDb(a: TrackAnalysis, b: TrackAnalysis): number {
  const x = a.spectrum.thirdOctave.totalDb
  const y = b.spectrum.thirdOctave.totalDb
  const n = Math.min(x.length, y.length)
  const meanX = x.slice(0, n).reduce((s, v) => s + v, 0) / n
  const meanY = y.slice(0, n).reduce((s, v) => s + v, 0) / n
  let sum = 0
  for (let i = 0; i < n; i++) sum += Math.abs(x[i] - meanX - (y[i] - meanY))
  return sum / n
}

/**
 * Checks reference `name` (decoded `audio`, analysed `analysis`) against the mix. Throws USAGE when it
 * is shorter than 5 s; otherwise returns warnings and the strengths it lowered.
 */
export function checkReference(name: string, audio: Audio, analysis: TrackAnalysis, mix: TrackAnalysis): ReferenceCheck {
  const c = REFERENCE_CHECK
  const seconds = durationSeconds(audio)
  if (seconds < c.minimumSeconds) {
    throw new RefmasterError('USAGE', `reference ${name} is ${seconds.toFixed(1)} s long; a reference needs at least ${c.minimumSeconds} s`)
  }
  const warnings: string[] = []
  const factors = { eq: 1, dynamics: 1, width: 1 }
  let spectrumTopHz = Infinity
  const runs = clippedRuns(audio)
  if (runs / (seconds / 60) > c.clipRunsPerMinute) {
    warnings.push(`reference ${name} is clipped (${runs} runs of ${c.clipRunSamples}+ full-scale samples): its peaks and dynamics are not a good guide, dynamics strength lowered to ${c.farStrengthFactor}`)
    factors.dynamics = Math.min(factors.dynamics, c.farStrengthFactor)
  }
  const lossy = lossyCut(analysis.spectrum.fine, analysis.sampleRateHz)
  if (Number.isFinite(lossy.topHz)) {
    warnings.push(`reference ${name} looks lossy (no content above 16 kHz: ${lossy.dropDb.toFixed(0)} dB below 4-8 kHz): the matching EQ does not follow it above ${lossy.topHz / 1000} kHz`)
    spectrumTopHz = lossy.topHz
  }
  if (seconds < c.shortShare * mix.durationSeconds) {
    warnings.push(`reference ${name} is much shorter than the mix (${seconds.toFixed(0)} s against ${mix.durationSeconds.toFixed(0)} s): it may not represent the whole track`)
  }
  const tonalDb = tonalBalanceDistanceDb(analysis, mix)
  if (tonalDb > c.farTonalBalanceDb) {
    const trust = referenceTrust(profileOf(mix), profileOf(analysis))
    const factor = Math.round(100 * lerp(c.farStrengthFactor, c.otherMusicFarEqFactor, trust)) / 100
    warnings.push(`reference ${name} is very far from the mix in tonal balance (${tonalDb.toFixed(1)} dB mean difference per third octave)` + (factor < 1 ? `: EQ strength lowered to ${factor}` : ': it reads as other music, whose tonal balance is the goal, so the EQ follows it in full'))
    factors.eq = Math.min(factors.eq, factor)
  }
  const densityDb = Math.abs(analysis.loudness.crestFactorDb - mix.loudness.crestFactorDb)
  if (Number.isFinite(densityDb) && densityDb > c.farDensityDb) {
    warnings.push(`reference ${name} is very far from the mix in density (crest factors differ by ${densityDb.toFixed(1)} dB): dynamics strength lowered to ${c.farStrengthFactor}`)
    factors.dynamics = Math.min(factors.dynamics, c.farStrengthFactor)
  }
  return { warnings, strengthFactors: factors, spectrumTopHz }
}
