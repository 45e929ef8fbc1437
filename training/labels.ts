/**
 * Labels: the settings the analytic matcher would choose if it could read the goal instead of the
 * reference ("oracle" settings), written on top of the analytic settings toward the reference. The goal
 * is known in training (chain(A, S)), never at inference: the model learns to infer from the mix and the
 * reference what the goal's loudness, peaks, band dynamics, width and tonal extremes are.
 *
 * Loudness: the reference levels that the loudness match (src/chain/loudness-match.ts) would have to read
 * so that, from what the chain delivers to the loudness stage, it aims at the goal's loudness and puts the
 * master's peaks at the goal's true peak (at most the playback ceiling). They are solved numerically
 * against matchLoudness itself, so the labels follow that function if it changes.
 */
import type { TrackAnalysis } from '../src/analysis/track-analysis.js'
import { analyticSettings } from '../src/chain/analytic.js'
import { solveReferenceLevels, type LevelSummary } from '../src/chain/loudness-match.js'
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

/**
 * Share of the goal's true peak above the playback ceiling that the label gives up in loudness (the rest
 * it gives up in PLR, through the limiter). Held-out S = identity draws (26), masters rendered from the
 * labels themselves: share 0 gives mrstft -31 %, d_plr -20 %, d_lufs -89 % against the analytic path;
 * 0.5 gives -30 %, -56 %, -50 %; 1 gives -13 %, -90 %, -8 %: loudness matters most to mrstft, and the
 * limiting needed to reach a goal that peaks above the ceiling costs PLR. The trained model (seed 1, all 72
 * held-out draws, mrstft / d_plr better than the analytic path): 0.5 gives 8.9 % / 26.3 %, 0.25 8.4 % / 21.0 %,
 * 0 7.8 % / 19.7 %.
 */
export const CEILING_LOUDNESS_SHARE = 0.5

/**
 * What the loudness match should aim at for `goal` (the labels of the stage outputs, src/model/schema.ts):
 * the goal's loudness with the master's peaks at the goal's true peak, under the ceiling of `base` (where
 * the goal peaks above it, CEILING_LOUDNESS_SHARE of the excess is given up in loudness, the rest in PLR).
 */
export function aimedLoudness(goal: TargetProfile, base: ChainSettings): { targetLufs: number; plrDb: number } {
  const ceilingDbtp = base.limiter.ceilingDbtp
  const peakDbtp = clamp(goal.truePeakDbtp, TRUE_PEAK_LIMITER_PARAMS.ceilingDbtp.min, ceilingDbtp)
  const targetLufs = goal.integratedLufs - CEILING_LOUDNESS_SHARE * Math.max(0, goal.truePeakDbtp - ceilingDbtp)
  return { targetLufs, plrDb: peakDbtp - targetLufs }
}

/**
 * The oracle settings for `mix` whose goal analysis is `goal`; `base` is the analytic settings toward the
 * reference and `stageInput` what they deliver to the loudness stage.
 */
export function oracleSettings(mix: TrackAnalysis, goal: TargetProfile, base: ChainSettings, playback: PlaybackTarget, stageInput: LevelSummary): ChainSettings {
  const oracle = analyticSettings(mix, goal, 'the goal', playback, resolveStrengths({}), goal.integratedLufs).settings
  const label = structuredClone(base)
  if (base.loudness.reference) {
    const aimed = aimedLoudness(goal, base)
    label.loudness.reference = solveReferenceLevels(stageInput, base.loudness.reference, base.limiter.ceilingDbtp, aimed.targetLufs, aimed.targetLufs + aimed.plrDb, base.loudness.referenceTrust)
  }
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
