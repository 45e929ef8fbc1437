import { TRUE_PEAK_LIMITER_PARAMS } from '../dsp/true-peak-limiter.js'
import { lerp } from '../units/lerp.js'

/**
 * Loudness and peak level of a master that matches a reference (playback target "reference").
 *
 * A mastered piece keeps its true peak near its mastering ceiling throughout, while its loudness moves
 * with the music: a quiet verse and a loud chorus of the same master peak alike. So the reference's true
 * peak tells the master's level as much as the reference's integrated loudness does, once the master's
 * peak-to-loudness ratio (PLR) is known. That PLR is aimed between the one the chain delivers to the
 * loudness stage (the music's own dynamics, after EQ and compression; `mix` below) and the reference's (the
 * mastering's density):
 *
 *   plrDb      = t PLR(ref) + (1 - t) PLR(mix)
 *   matched    = (1 - w) L(ref) + w (TP(ref) - plrDb)
 *   targetLufs = matched - s max(0, matched + plrDb - ceiling)
 *   peakDbtp   = min(ceiling, targetLufs + plrDb)
 *
 * The limiter's ceiling becomes peakDbtp: where the mix's peaks stand further above its loudness than
 * plrDb, the limiter takes them down to it; where the reference's peaks pass the playback ceiling, the
 * ceiling wins and the master gives up a share s of the excess in loudness, the rest in PLR.
 *
 * t, w and s depend on how far the reference's sound is trusted (reference-trust.ts): for another section
 * of the same music they hedge between the reference and the mix; for other music the reference's
 * loudness and PLR are the goal (t = 1, w = 0), and only the ceiling stands between them and the master.
 */
export const LOUDNESS_MATCH_DEFAULTS = {
  /**
   * Share t of the reference's PLR in the master's PLR (the rest is the chain's own). The reference is
   * another section (or piece) of music: its PLR misses the goal's by as much as the mix's does (dev set:
   * 1.41 dB against 1.33 dB on average), and the two errors are nearly independent, so their mean is better.
   */
  referencePlrTrust: 0.5,
  /**
   * Share w of the loudness target that comes from the reference's true peak (the rest from its
   * loudness). Dev set, match task, loudness error of the target alone: w = 0 (the reference's loudness)
   * 1.39 LU, w = 0.5 1.26 LU; the cross task, where the reference's loudness is the goal, pays 0.8 LU for it.
   */
  peakAnchorWeight: 0.5,
  /**
   * Share s of the matched peak's excess over the playback ceiling that the master gives up in loudness
   * (the rest it gives up in PLR, through the limiter). A trade, one for one: on the dev set's match task
   * (40 excerpts) 0 gives loudness error 1.283 LU and PLR error 1.394 dB, 0.15 gives 1.389 and 1.256.
   */
  ceilingLoudnessShare: 0.12,
  /** t and w for a reference of other music (reference-trust.ts): its loudness and PLR are the goal. */
  otherMusicPlrTrust: 1,
  otherMusicPeakAnchorWeight: 0,
  /**
   * s for a reference of other music. Where its peaks pass the ceiling, the master misses either its
   * loudness or its PLR, one dB for one: dev set, cross task (simulated, explore/sweep.ts), loudness /
   * PLR error 0.12: 0.25 / 2.11 LU/dB, 0.5: 0.53 / 1.91, 0.9: 0.83 / 1.69. The protocol counts both
   * alike; the peers' errors (loudness 1.14, PLR 1.51) leave more room in loudness.
   */
  otherMusicCeilingLoudnessShare: 0.9,
}

export type LoudnessMatchOptions = typeof LOUDNESS_MATCH_DEFAULTS

/** Levels of a track that the loudness match reads (LUFS, dBTP, dB). */
export interface LevelSummary {
  integratedLufs: number
  truePeakDbtp: number
  plrDb: number
}

/** What the loudness stage aims at. */
export interface LoudnessMatch {
  targetLufs: number
  /** Highest true peak of the master: the limiter's ceiling (dBTP), at or below the playback ceiling. */
  peakDbtp: number
  /** The master's aimed peak-to-loudness ratio (dB). */
  plrDb: number
}

/** The lowest ceiling the true-peak limiter accepts (dBTP). */
const LIMITER_MIN_CEILING_DBTP = TRUE_PEAK_LIMITER_PARAMS.ceilingDbtp.min

/** The loudness and peak level that match `reference`, for `mix` (the loudness stage's input), under `ceilingDbtp` (module comment). */
export function matchLoudness(mix: LevelSummary, reference: LevelSummary, ceilingDbtp: number, referenceTrust = 0, options: LoudnessMatchOptions = LOUDNESS_MATCH_DEFAULTS): LoudnessMatch {
  const t = lerp(options.referencePlrTrust, options.otherMusicPlrTrust, referenceTrust)
  const w = lerp(options.peakAnchorWeight, options.otherMusicPeakAnchorWeight, referenceTrust)
  const usable = (level: LevelSummary) => Number.isFinite(level.plrDb) && Number.isFinite(level.truePeakDbtp)
  if (!usable(mix) || !usable(reference)) return { targetLufs: reference.integratedLufs, peakDbtp: ceilingDbtp, plrDb: ceilingDbtp - reference.integratedLufs }
  const plrDb = t * reference.plrDb + (1 - t) * mix.plrDb
  const matchedLufs = (1 - w) * reference.integratedLufs + w * (reference.truePeakDbtp - plrDb)
  const s = lerp(options.ceilingLoudnessShare, options.otherMusicCeilingLoudnessShare, referenceTrust)
  const targetLufs = matchedLufs - s * Math.max(0, matchedLufs + plrDb - ceilingDbtp)
  const peakDbtp = Math.max(LIMITER_MIN_CEILING_DBTP, Math.min(ceilingDbtp, targetLufs + plrDb))
  return { targetLufs, peakDbtp, plrDb }
}
