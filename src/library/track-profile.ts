import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { TRACK_ANALYSIS_VERSION } from '../analysis/track-analysis.js'
import { profileOf, type TargetProfile } from '../chain/target-profile.js'
import { RefmasterError } from '../errors.js'
import { revived, rounded } from './stored-numbers.js'

/**
 * A track's stored analysis: the TargetProfile of one library track, kept next to it so genre profiles
 * are rebuilt without decoding or analysing audio again. Stale when the analysis version moved on.
 */
export interface StoredTrackProfile {
  format: typeof TRACK_PROFILE_FORMAT
  /** TRACK_ANALYSIS_VERSION of the analysis that made it. */
  analysisVersion: number
  id: string
  sampleRateHz: number
  durationSeconds: number
  profile: TargetProfile
}

export const TRACK_PROFILE_FORMAT = 'refmaster-track-profile-1'
/** The stored form of a track's analysis (numbers rounded). */
export function storedTrackProfile(id: string, analysis: TrackAnalysis): StoredTrackProfile {
  return {
    format: TRACK_PROFILE_FORMAT,
    analysisVersion: TRACK_ANALYSIS_VERSION,
    id,
    sampleRateHz: analysis.sampleRateHz,
    durationSeconds: rounded(analysis.durationSeconds) as number,
    profile: rounded(profileOf(analysis)) as TargetProfile,
  }
}

/** The stored profile as file text. */
export function trackProfileJson(stored: StoredTrackProfile): string {
  return JSON.stringify(rounded(stored)) + '\n'
}

/** Parses a stored track profile; INVALID_PARAMETER naming `path` when it is not one. */
export function parseTrackProfile(text: string, path: string): StoredTrackProfile {
  let parsed: StoredTrackProfile
  try {
    parsed = revived(JSON.parse(text)) as StoredTrackProfile
  } catch (error) {
    throw new RefmasterError('INVALID_PARAMETER', `track profile '${path}' is not valid JSON: ${(error as Error).message}`)
  }
  const profile = parsed?.profile
  if (parsed?.format !== TRACK_PROFILE_FORMAT || !profile?.fine?.frequenciesHz || !profile.thirdOctave?.frequenciesHz || !Array.isArray(profile.bands) || !profile.stereo) {
    throw new RefmasterError('INVALID_PARAMETER', `'${path}' is not a refmaster track profile (format ${TRACK_PROFILE_FORMAT})`)
  }
  return parsed
}

/** Whether a stored profile was made by the current analysis. */
export function isCurrent(stored: StoredTrackProfile): boolean {
  return stored.analysisVersion === TRACK_ANALYSIS_VERSION
}
