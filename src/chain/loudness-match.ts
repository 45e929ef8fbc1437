import { TRUE_PEAK_LIMITER_PARAMS } from '../dsp/true-peak-limiter.js'

/**
 * Loudness and peak level of a master that matches a reference (playback target "reference").
 *
 * A mastered piece keeps its true peak near its mastering ceiling throughout, while its loudness moves
 * with the music: a quiet verse and a loud chorus of the same master peak alike. So the reference's true
 * peak tells the master's level as much as the reference's integrated loudness does, once the master's
 * peak-to-loudness ratio (PLR) is known. That PLR is aimed between the mix's own (the music's dynamics)
 * and the reference's (the mastering's density):
 *
 *   plrDb      = t PLR(ref) + (1 - t) PLR(mix)
 *   targetLufs = (1 - w) L(ref) + w (TP(ref) - plrDb)
 *   peakDbtp   = min(ceiling, targetLufs + plrDb)
 *
 * The limiter's ceiling becomes peakDbtp: where the mix's peaks stand further above its loudness than
 * plrDb, the limiter takes them down to it; where the reference's peaks pass the playback ceiling, the
 * ceiling wins and the master gives up PLR.
 */
export const LOUDNESS_MATCH_DEFAULTS = {
  /** Share t of the reference's PLR in the master's PLR (the rest is the mix's own). */
  referencePlrTrust: 0.5,
  /** Share w of the loudness target that comes from the reference's true peak (the rest from its loudness). */
  peakAnchorWeight: 0.5,
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

/** The loudness and peak level that match `reference`, for `mix`, under `ceilingDbtp` (module comment). */
export function matchLoudness(mix: LevelSummary, reference: LevelSummary, ceilingDbtp: number, options: LoudnessMatchOptions = LOUDNESS_MATCH_DEFAULTS): LoudnessMatch {
  const t = options.referencePlrTrust
  const w = options.peakAnchorWeight
  const usable = (level: LevelSummary) => Number.isFinite(level.plrDb) && Number.isFinite(level.truePeakDbtp)
  if (!usable(mix) || !usable(reference)) return { targetLufs: reference.integratedLufs, peakDbtp: ceilingDbtp, plrDb: ceilingDbtp - reference.integratedLufs }
  const plrDb = t * reference.plrDb + (1 - t) * mix.plrDb
  const targetLufs = (1 - w) * reference.integratedLufs + w * (reference.truePeakDbtp - plrDb)
  const peakDbtp = Math.max(LIMITER_MIN_CEILING_DBTP, Math.min(ceilingDbtp, targetLufs + plrDb))
  return { targetLufs, peakDbtp, plrDb }
}
