/**
 * Labels: the settings the analytic matcher would choose if it could read the goal instead of the
 * reference ("oracle" settings), written on top of the analytic settings toward the reference. The goal
 * is known in training (chain(A, S)), never at inference: the model learns to infer from the mix and the
 * reference what the goal's loudness, peaks, band dynamics, width and tonal extremes are.
 *
 * Loudness: the reference levels that the loudness match (src/chain/loudness-match.ts) would have to read
 * so that, from what the chain delivers to the loudness stage, it aims at the goal's own loudness and
 * PLR, before the playback ceiling has its say. Where the goal peaks above the ceiling, how the master
 * gives up the excess (in loudness or in PLR) is the loudness match's rule at inference
 * (ChainSettings.loudness.ceilingLoudnessShare), not something to learn: labels that gave up a share of
 * the excess taught the model a lower PLR wherever the excess was uncertain, and its masters peaked below
 * the ceiling with less PLR than their goals (src/model/predict.ts, MODEL_CEILING_LOUDNESS_SHARE, has the
 * numbers). They are solved numerically against matchLoudness itself, so the labels follow that function
 * if it changes.
 */
import type { TrackAnalysis } from '../src/analysis/track-analysis.js'
import { analyticSettings } from '../src/chain/analytic.js'
import { loudnessMatchOptions, matchLoudness, type LevelSummary } from '../src/chain/loudness-match.js'
import { MODEL_LOUDNESS_MATCH } from '../src/model/predict.js'
import type { PlaybackTarget } from '../src/chain/playback-targets.js'
import type { ChainSettings } from '../src/chain/settings.js'
import { resolveStrengths } from '../src/chain/strengths.js'
import type { TargetProfile } from '../src/chain/target-profile.js'
import { TONAL_EQ_PARAMS } from '../src/dsp/tonal-eq.js'

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

/** Newton steps of the level solve, and the finite-difference step of its Jacobian (dB). */
const SOLVE_ITERATIONS = 12
const SOLVE_STEP_DB = 0.05
/** Bounds of the solved corrections (dB): beyond the outputs' ranges anyway. */
const MAX_LEVEL_OFFSET_DB = 15
const MAX_PLR_DB = 40

/** The loudness match as the model's masters run it (src/model/predict.ts): the labels must be read through it. */
const MODEL_MATCH_OPTIONS = loudnessMatchOptions(MODEL_LOUDNESS_MATCH)

/**
 * The reference levels (its loudness and true peak moved together by a level offset, and its PLR) for
 * which matchLoudness(stageInput, .) aims, with no ceiling, at `goal`'s loudness and PLR.
 */
export function solveReferenceLevels(stageInput: LevelSummary, reference: LevelSummary, goal: LevelSummary, referenceTrust = 0): LevelSummary {
  const at = (levelDb: number, plrDb: number): LevelSummary => ({ integratedLufs: reference.integratedLufs + levelDb, truePeakDbtp: reference.truePeakDbtp + levelDb, plrDb })
  const error = (levelDb: number, plrDb: number) => {
    const match = matchLoudness(stageInput, at(levelDb, plrDb), Infinity, referenceTrust, MODEL_MATCH_OPTIONS)
    return [match.targetLufs - goal.integratedLufs, match.plrDb - goal.plrDb]
  }
  let level = 0
  let plr = reference.plrDb
  if (![stageInput.plrDb, reference.plrDb, reference.integratedLufs, goal.integratedLufs, goal.plrDb].every(Number.isFinite)) return at(0, reference.plrDb)
  for (let i = 0; i < SOLVE_ITERATIONS; i++) {
    const e = error(level, plr)
    if (Math.abs(e[0]) < 1e-3 && Math.abs(e[1]) < 1e-3) break
    // one-sided differences downward: moving away from the ceiling's kink
    const eL = error(level - SOLVE_STEP_DB, plr)
    const eP = error(level, plr - SOLVE_STEP_DB)
    const j = [[(e[0] - eL[0]) / SOLVE_STEP_DB, (e[0] - eP[0]) / SOLVE_STEP_DB], [(e[1] - eL[1]) / SOLVE_STEP_DB, (e[1] - eP[1]) / SOLVE_STEP_DB]]
    const det = j[0][0] * j[1][1] - j[0][1] * j[1][0]
    if (!(Math.abs(det) > 1e-6)) break
    level = clamp(level - (j[1][1] * e[0] - j[0][1] * e[1]) / det, -MAX_LEVEL_OFFSET_DB, MAX_LEVEL_OFFSET_DB)
    plr = clamp(plr - (-j[1][0] * e[0] + j[0][0] * e[1]) / det, 0, MAX_PLR_DB)
  }
  return at(level, plr)
}

/**
 * The matching EQ strength that brings the analytic curve `baseDb` closest to the oracle's `oracleDb`
 * (least squares over the curve's log-frequency grid, levels removed: the loudness stage sets the level),
 * within the strength's range 0..1.
 */
export function matchingEqStrength(baseDb: number[], oracleDb: number[]): number {
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length
  const baseMean = mean(baseDb)
  const oracleMean = mean(oracleDb)
  let dot = 0
  let norm = 0
  baseDb.forEach((db, i) => {
    dot += (db - baseMean) * (oracleDb[i] - oracleMean)
    norm += (db - baseMean) ** 2
  })
  return norm > 1e-9 ? clamp(dot / norm, 0, 1) : 1
}

/**
 * The oracle settings for `mix` whose goal analysis is `goal`; `base` is the analytic settings toward the
 * reference and `stageInput` what they deliver to the loudness stage.
 */
export function oracleSettings(mix: TrackAnalysis, goal: TargetProfile, base: ChainSettings, playback: PlaybackTarget, stageInput: LevelSummary): ChainSettings {
  const oracle = analyticSettings(mix, goal, 'the goal', playback, resolveStrengths({}), goal.integratedLufs).settings
  const label = structuredClone(base)
  if (base.loudness.reference) label.loudness.reference = solveReferenceLevels(stageInput, base.loudness.reference, goal, base.loudness.referenceTrust)
  label.compressor.bands = oracle.compressor.bands
  label.width.bands = oracle.width.bands
  const { frequenciesHz } = base.matchingEq.curve
  const strength = matchingEqStrength(base.matchingEq.curve.midDb, oracle.matchingEq.curve.midDb)
  label.matchingEq.strength = strength
  const residual = oracle.matchingEq.curve.midDb.map((db, i) => db - strength * base.matchingEq.curve.midDb[i])
  const middle = meanWhere(frequenciesHz, residual, (hz) => hz >= MIDDLE_RANGE_HZ[0] && hz <= MIDDLE_RANGE_HZ[1])
  const gain = TONAL_EQ_PARAMS.lowShelfGainDb
  label.tonalEq.lowShelfGainDb = clamp(meanWhere(frequenciesHz, residual, (hz) => hz <= LOW_SHELF_BELOW_HZ) - middle, gain.min, gain.max)
  label.tonalEq.highShelfGainDb = clamp(meanWhere(frequenciesHz, residual, (hz) => hz >= HIGH_SHELF_ABOVE_HZ) - middle, gain.min, gain.max)
  return label
}
