import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RefmasterError } from '../errors.js'

/** Where a track is filed: the built-in library (`reference-tracks/`) or the user's. */
export type TrackOrigin = 'builtin' | 'user'

/** A reference track as its manifest records it: who made it, under which licence, where its audio is. */
export interface TrackEntry {
  /** Unique over both libraries; the built-in ids are the dev set's file stems. */
  id: string
  title: string
  artist: string
  /** SPDX-like licence name (GPL-2+, CC-BY-SA-3.0, ...). */
  licence: string
  /** Where the audio comes from (package, version and path inside it; or a URL). */
  source: string
  /** The credit line to show wherever the track is used. */
  attribution: string
  /** The audio, relative to the manifest's folder. */
  audio: string
  /** The licence text, relative to the manifest's folder. */
  licenceFile?: string
  /** The excerpt of the source this audio is (seconds), when it is one. */
  excerpt?: { offsetSeconds: number; durationSeconds: number }
}

/** A track of the merged library. `audioPath` and `profilePath` are absolute. */
export interface LibraryTrack extends TrackEntry {
  genre: string
  origin: TrackOrigin
  audioPath: string
  profilePath: string
}

/** A built-in genre's manifest: `reference-tracks/<genre>/tracks.json`. */
export interface GenreManifest {
  genre: string
  tracks: TrackEntry[]
}

/** The user library's manifest: `<library>/library.json`. Audio paths are relative to the library folder. */
export interface UserManifest {
  version: typeof USER_MANIFEST_VERSION
  tracks: Array<TrackEntry & { genre: string }>
  /** Built-in tracks the user removed from their genres. */
  removedBuiltin: string[]
}

export const USER_MANIFEST_VERSION = 1
export const BUILTIN_MANIFEST_FILE = 'tracks.json'
export const USER_MANIFEST_FILE = 'library.json'
/** Stored track profiles live in `<genre>/profiles/<id>.json` in either library. */
export const PROFILES_FOLDER = 'profiles'

/** Absolute path of a track's stored profile in the library at `libraryDir`. */
export function profilePathOf(libraryDir: string, genre: string, id: string): string {
  return join(libraryDir, genre, PROFILES_FOLDER, `${id}.json`)
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (error) {
    throw new RefmasterError('INVALID_PARAMETER', `cannot read library manifest '${path}': ${(error as Error).message}`)
  }
}

/** The built-in tracks: every `<genre>/tracks.json` under `builtinDir`, genres in name order. */
export function readBuiltinTracks(builtinDir: string): LibraryTrack[] {
  if (!existsSync(builtinDir)) return []
  const genres = readdirSync(builtinDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(builtinDir, entry.name, BUILTIN_MANIFEST_FILE)))
    .map((entry) => entry.name)
    .sort()
  return genres.flatMap((genre) => {
    const manifest = readJson<GenreManifest>(join(builtinDir, genre, BUILTIN_MANIFEST_FILE))
    return manifest.tracks.map((track) => ({
      ...track,
      genre,
      origin: 'builtin' as const,
      audioPath: join(builtinDir, genre, track.audio),
      profilePath: profilePathOf(builtinDir, genre, track.id),
    }))
  })
}

/** The user manifest at `userDir`, or an empty one when the library does not exist yet. */
export function readUserManifest(userDir: string): UserManifest {
  const path = join(userDir, USER_MANIFEST_FILE)
  if (!existsSync(path)) return { version: USER_MANIFEST_VERSION, tracks: [], removedBuiltin: [] }
  const manifest = readJson<UserManifest>(path)
  if (manifest.version !== USER_MANIFEST_VERSION || !Array.isArray(manifest.tracks)) {
    throw new RefmasterError('INVALID_PARAMETER', `'${path}' is not a refmaster library manifest of version ${USER_MANIFEST_VERSION}`)
  }
  return { ...manifest, removedBuiltin: manifest.removedBuiltin ?? [] }
}

/** The user's tracks as LibraryTracks. */
export function userTracks(userDir: string, manifest: UserManifest): LibraryTrack[] {
  return manifest.tracks.map((track) => ({
    ...track,
    origin: 'user' as const,
    audioPath: join(userDir, track.audio),
    profilePath: profilePathOf(userDir, track.genre, track.id),
  }))
}
