/**
 * Labels: the settings the analytic matcher would choose if it could read the goal instead of the
 * reference ("oracle" settings), written on top of the analytic settings toward the reference. The goal
 * is known in training (chain(A, S)), never at inference: the model learns to infer from the mix and the
 * reference what the goal's loudness, peaks, band dynamics, width and tonal extremes are.
 */
import type { TrackAnalysis } from '../src/analysis/track-analysis.js'
import { analyticSettings } from '../src/chain/analytic.js'
import type { PlaybackTarget } from '../src/chain/playback-targets.js'
import type { ChainSettings } from '../src/chain/settings.js'
import { resolveStrengths } from '../src/chain/strengths.js'
import type { TargetProfile } from '../src/chain/target-profile.js'
import { TONAL_EQ_PARAMS } from '../src/dsp/tonal-eq.js'
import { TRUE_PEAK_LIMITER_PARAMS } from '../src/dsp/true-peak-limiter.js'

/** Where the shelves' labels read the EQ residual (Hz): below the low shelf, above the high shelf, and the middle they are read against. */
const LOW_SHELF_BELOW_HZ = 100
const HIGH_SHELF_ABOVE_HZ = 8000
const MIDDLE_RANGE_HZ = [200, 5000] as const

function meanWhere(frequenciesHz: number[], values: number[], keep: (hz: number) => boolean): number {
  let sum = 0
  let count = 0
  frequenciesHz.forEach((hz, i) => {
    if (keep(hz)) {
      sum += values[i]
      count++
    }
  })
  return count > 0 ? sum / count : 0
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value))

/** The oracle settings for `mix` whose goal analysis is `goal`; `base` is the analytic settings toward the reference. */
export function oracleSettings(mix: TrackAnalysis, goal: TargetProfile, base: ChainSettings, playback: PlaybackTarget): ChainSettings {
  const oracle = analyticSettings(mix, goal, 'the goal', playback, resolveStrengths({}), goal.integratedLufs).settings
  const label = structuredClone(base)
  label.loudness.targetLufs = goal.integratedLufs
  const ceiling = TRUE_PEAK_LIMITER_PARAMS.ceilingDbtp
  label.limiter.ceilingDbtp = clamp(goal.truePeakDbtp, ceiling.min, playback.truePeakCeilingDbtp)
  label.compressor.bands = oracle.compressor.bands
  label.width.bands = oracle.width.bands
  const { frequenciesHz } = base.matchingEq.curve
  const residual = oracle.matchingEq.curve.midDb.map((db, i) => db - base.matchingEq.curve.midDb[i])
  const middle = meanWhere(frequenciesHz, residual, (hz) => hz >= MIDDLE_RANGE_HZ[0] && hz <= MIDDLE_RANGE_HZ[1])
  const gain = TONAL_EQ_PARAMS.lowShelfGainDb
  label.tonalEq.lowShelfGainDb = clamp(meanWhere(frequenciesHz, residual, (hz) => hz <= LOW_SHELF_BELOW_HZ) - middle, gain.min, gain.max)
  label.tonalEq.highShelfGainDb = clamp(meanWhere(frequenciesHz, residual, (hz) => hz >= HIGH_SHELF_ABOVE_HZ) - middle, gain.min, gain.max)
  return label
}
