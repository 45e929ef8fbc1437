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
   * 1.41 dB against 1.33 dB on average), and the two errors are nearly independent, so a blend is better
   * than either; the chain's own counts more because its compression has already taken the mix toward a
   * master's density.
   */
  referencePlrTrust: 0.25,
  /**
   * Share w of the loudness target that comes from the reference's true peak (the rest from its
   * loudness). With t, the target follows the difference of PLR between the reference and what the chain
   * delivers by w (1 - t): on the dev set, the goal section's loudness minus the reference section's
   * follows the reference's PLR minus the mix's with a correlation of 0.84 (a quieter section peaks about
   * as high, so it has more PLR).
   */
  peakAnchorWeight: 0.7,
  /**
   * Share s of the matched peak's excess over the playback ceiling that the master gives up in loudness
   * (the rest it gives up in PLR, through the limiter). Target "reference" asks for the reference's
   * loudness, and the protocol's mrstft counts a loudness error more than a PLR error: none.
   *
   * (t, w, s) measured with the evaluation protocol (bench/quality, dev set, analytic path), match task
   * d_lufs / d_plr / mrstft / worst mrstft, then cross task d_lufs: (0.5, 0.6, 0.12) 1.355 / 1.276 / 0.494
   * / 1.440, 0.963; (0.5, 0.8, 0.12) 1.392 / 1.200 / 0.491 / 1.43; (0.25, 1, 0) 1.523 / 1.014 / 0.496 /
   * 1.33; (0.25, 0.8, 0) 1.389 / 1.149 / 0.484 / 1.35; (0.35, 0.8, 0) 1.348 / 1.189 / 0.482 / 1.39;
   * (0.25, 0.7, 0.12) 1.463 / 1.119 / 0.492 / 1.33, 1.083; (0.25, 0.6, 0) 1.315 / 1.288 / 0.482 / 1.37,
   * 1.005; these (0.25, 0.7, 0) 1.350 / 1.223 / 0.482 / 1.36, 1.038. The sum of the loudness and PLR
   * errors over both tasks hardly moves (4.81, 4.83, 4.85 for the first, these and (0.25, 0.6, 0)): a
   * trade between the tasks and between the two errors, with mrstft better wherever s = 0. These leave
   * the most margin over the peers on every mean (libsonare's match d_lufs 1.389 and d_plr 1.290, and
   * its worst mrstft 1.388; Matchering's cross d_lufs 1.140).
   */
  ceilingLoudnessShare: 0,
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

/** The defaults with the shares a chain's settings may set instead (ChainSettings.loudness; undefined keeps the default). */
export function loudnessMatchOptions(overrides: { ceilingLoudnessShare?: number; referencePlrTrust?: number }): LoudnessMatchOptions {
  return {
    ...LOUDNESS_MATCH_DEFAULTS,
    ceilingLoudnessShare: overrides.ceilingLoudnessShare ?? LOUDNESS_MATCH_DEFAULTS.ceilingLoudnessShare,
    referencePlrTrust: overrides.referencePlrTrust ?? LOUDNESS_MATCH_DEFAULTS.referencePlrTrust,
  }
}

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
