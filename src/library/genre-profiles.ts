import { createHash } from 'node:crypto'
import type { TargetProfile } from '../chain/target-profile.js'
import { RefmasterError } from '../errors.js'
import { aggregateProfiles, tonalSpreadDb } from './aggregate.js'
import { revived, rounded } from './stored-numbers.js'
import { summariseGenre, type GenreSummary } from './summary.js'

/** A genre target (DESIGN.md "GenreProfile"): the aggregated profile of the tracks filed under it. */
export interface GenreProfile {
  name: string
  trackIds: string[]
  summary: GenreSummary
  profile: TargetProfile
}

/** The genre profiles file (`genres.json`, built-in or the user library's cache). */
export interface GenreProfilesFile {
  format: typeof GENRE_PROFILES_FORMAT
  /** What they were built from (see `libraryFingerprint`): a cache whose fingerprint differs is rebuilt. */
  fingerprint: string
  genres: GenreProfile[]
}

export const GENRE_PROFILES_FORMAT = 'refmaster-genre-profiles-1'

/** Genre profiles from tracks with their profiles, genres in name order, each track counted once. */
export function buildGenreProfiles(tracks: Array<{ id: string; genre: string; profile: TargetProfile }>): GenreProfile[] {
  const names = [...new Set(tracks.map((t) => t.genre))].sort()
  return names.map((name) => {
    const members = tracks.filter((t) => t.genre === name)
    const profiles = members.map((t) => t.profile)
    const profile = aggregateProfiles(profiles)
    return { name, trackIds: members.map((t) => t.id), summary: summariseGenre(profile, members.length, tonalSpreadDb(profiles)), profile }
  })
}

/** A stable fingerprint of anything that decides the profiles (manifest texts, profile versions). */
export function libraryFingerprint(parts: string[]): string {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part).update('\0')
  return hash.digest('hex').slice(0, 16)
}

/** The file text of genre profiles (numbers rounded as stored track profiles are). */
export function genreProfilesJson(fingerprint: string, genres: GenreProfile[]): string {
  const file: GenreProfilesFile = { format: GENRE_PROFILES_FORMAT, fingerprint, genres }
  return JSON.stringify(rounded(file), null, 1) + '\n'
}

/** Parses a genre profiles file; INVALID_PARAMETER naming `path` when it is not one. */
export function parseGenreProfiles(text: string, path: string): GenreProfilesFile {
  let parsed: GenreProfilesFile
  try {
    parsed = revived(JSON.parse(text)) as GenreProfilesFile
  } catch (error) {
    throw new RefmasterError('INVALID_PARAMETER', `genre profiles '${path}' are not valid JSON: ${(error as Error).message}`)
  }
  if (parsed?.format !== GENRE_PROFILES_FORMAT || !Array.isArray(parsed.genres)) {
    throw new RefmasterError('INVALID_PARAMETER', `'${path}' is not a refmaster genre profiles file (format ${GENRE_PROFILES_FORMAT})`)
  }
  return parsed
}

/** The genre called `name` (case-insensitive); UNKNOWN_GENRE listing the genres otherwise. */
export function findGenre(genres: GenreProfile[], name: string): GenreProfile {
  const genre = genres.find((g) => g.name === name.toLowerCase())
  if (!genre) {
    const known = genres.length > 0 ? genres.map((g) => g.name).join(', ') : 'none (the library is empty)'
    throw new RefmasterError('UNKNOWN_GENRE', `unknown genre '${name}'; the library has: ${known}`)
  }
  return genre
}
