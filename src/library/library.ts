import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { basename, dirname, extname, join, relative } from 'node:path'
import { durationSeconds } from '../audio/audio.js'
import { decodeFile } from '../audio/decode.js'
import { ABSOLUTE_GATE_LUFS } from '../analysis/loudness/meter.js'
import { analyzeTrack, type AnalysisProgress } from '../analysis/track-analysis.js'
import { RefmasterError } from '../errors.js'
import { writeFileAtomic } from '../atomic-write.js'
import { buildGenreProfiles, findGenre, genreProfilesJson, libraryFingerprint, parseGenreProfiles, type GenreProfile } from './genre-profiles.js'
import { readBuiltinTracks, readUserManifest, userTracks, USER_MANIFEST_FILE, type LibraryTrack, type UserManifest } from './manifest.js'
import { builtinLibraryDir, userLibraryDir } from './paths.js'
import { withLibraryLock } from './lock.js'
import { isCurrent, parseTrackProfile, storedTrackProfile, trackProfileJson, type StoredTrackProfile } from './track-profile.js'

/** The genre profiles file in either library. */
export const GENRE_PROFILES_FILE = 'genres.json'
/**
 * Shortest track the library takes (s): the loudness range needs several 3 s short-term windows and the
 * spectra a stable average; the built-in excerpts are 60 s.
 */
export const MIN_TRACK_SECONDS = 10
/**
 * Lowest sample rate the library takes (Hz): below 44.1 kHz the analysis grids stop short of 20 kHz
 * (1/12-octave) and 16 kHz (third-octave), and a genre's profile would lose its top bands.
 */
export const MIN_TRACK_RATE_HZ = 44100
/** Genre names: lower-case words joined by hyphens, so they are safe folder names and easy to type. */
const GENRE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/

/** What `add` files, besides the audio. Missing metadata is recorded as unknown. */
export interface AddTrackRequest {
  file: string
  genre: string
  title?: string
  artist?: string
  licence?: string
  source?: string
}

/** The reference library: built-in tracks merged with the user's, and the genre profiles built from them. */
export interface Library {
  readonly builtinDir: string
  readonly userDir: string
  /** Every track in the merged library (built-in ones the user removed are left out). */
  list(): LibraryTrack[]
  /** The genre profiles, from the cache when it is current, else rebuilt from the stored track profiles. */
  genres(): GenreProfile[]
  /** One genre's profile; UNKNOWN_GENRE listing the genres when there is none of that name. */
  genre(name: string): GenreProfile
  /** Copies a track into the user library under `genre` (made if new), analyses it and rebuilds the profiles. */
  add(request: AddTrackRequest, onProgress?: AnalysisProgress): Promise<LibraryTrack>
  /** Removes a track (a user track's files are deleted; a built-in one is hidden) and rebuilds the profiles. */
  remove(id: string): LibraryTrack
  /** Re-analyses user tracks whose stored analysis is missing or stale (all with `reanalyse`), rebuilds the profiles. */
  rebuild(options?: { reanalyse?: boolean }, onProgress?: (done: number, total: number, id: string) => void): Promise<{ analysed: string[]; genres: GenreProfile[] }>
}

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'track'
}

/** Checks a genre name; returns it in lower case. */
export function validGenreName(name: string): string {
  const genre = name.trim().toLowerCase()
  if (!GENRE_NAME.test(genre)) throw new RefmasterError('INVALID_PARAMETER', `genre must be lower-case letters and digits joined by hyphens (like 'lo-fi'), got '${name}'`)
  return genre
}

function readStored(track: LibraryTrack): StoredTrackProfile {
  if (!existsSync(track.profilePath)) {
    const fix = track.origin === 'user' ? 'run `refmaster library rebuild`' : 'run `npm run reference-tracks`'
    throw new RefmasterError('FILE_NOT_FOUND', `the stored analysis of track '${track.id}' is missing (${track.profilePath}): ${fix}`)
  }
  return parseTrackProfile(readFileSync(track.profilePath, 'utf8'), track.profilePath)
}

/** Analyses a track's audio into its stored profile (at its own rate, which is at least MIN_TRACK_RATE_HZ). */
/** Decodes and analyses a track; the profile is made once its id is known. */
async function analyseTrackFile(path: string, onProgress?: AnalysisProgress): Promise<(id: string) => StoredTrackProfile> {
  const audio = await decodeFile(path)
  if (audio.sampleRateHz < MIN_TRACK_RATE_HZ) {
    throw new RefmasterError('INVALID_PARAMETER', `a reference track needs a sample rate of at least ${MIN_TRACK_RATE_HZ} Hz, got ${audio.sampleRateHz} Hz in '${path}'`)
  }
  if (durationSeconds(audio) < MIN_TRACK_SECONDS) {
    throw new RefmasterError('INVALID_PARAMETER', `a reference track must be at least ${MIN_TRACK_SECONDS} s long, got ${durationSeconds(audio).toFixed(1)} s in '${path}'`)
  }
  const analysis = analyzeTrack(audio, onProgress)
  if (!(analysis.loudness.integratedLufs > ABSOLUTE_GATE_LUFS)) {
    throw new RefmasterError('SILENT_AUDIO', `'${path}' is silent or nearly so (below ${ABSOLUTE_GATE_LUFS} LUFS): it cannot be a reference`)
  }
  return (id) => storedTrackProfile(id, analysis)
}

function writeStored(path: string, stored: StoredTrackProfile): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileAtomic(path, trackProfileJson(stored))
}

/** Builds genre profiles from tracks' stored profiles (no audio is read). */
export function genresOf(tracks: LibraryTrack[]): GenreProfile[] {
  return buildGenreProfiles(tracks.map((track) => ({ id: track.id, genre: track.genre, profile: readStored(track).profile })))
}

/** The fingerprint of the built-in library: its manifests and stored profiles. */
export function builtinFingerprint(builtinDir: string): string {
  const tracks = readBuiltinTracks(builtinDir)
  const manifests = [...new Set(tracks.map((t) => join(builtinDir, t.genre, 'tracks.json')))]
  return libraryFingerprint([...manifests, ...tracks.map((t) => t.profilePath)].map((path) => `${relative(builtinDir, path)}\n${readFileSync(path, 'utf8')}`))
}

/** Opens the library: `builtinDir` (default `reference-tracks/` of the package) and `userDir` (default `$REFMASTER_LIBRARY` or `./library`). */
export function openLibrary(options: { builtinDir?: string; userDir?: string } = {}): Library {
  const builtinDir = options.builtinDir ?? builtinLibraryDir()
  const userDir = options.userDir ?? userLibraryDir()
  const builtinGenresPath = join(builtinDir, GENRE_PROFILES_FILE)
  const userManifestPath = join(userDir, USER_MANIFEST_FILE)
  const userCachePath = join(userDir, GENRE_PROFILES_FILE)

  const manifest = () => readUserManifest(userDir)
  const list = (m: UserManifest = manifest()) => [...readBuiltinTracks(builtinDir).filter((t) => !m.removedBuiltin.includes(t.id)), ...userTracks(userDir, m)]
  const builtinGenres = () => (existsSync(builtinGenresPath) ? parseGenreProfiles(readFileSync(builtinGenresPath, 'utf8'), builtinGenresPath) : null)
  /** What the user cache is valid for: the built-in profiles it merged and the user manifest. */
  const userFingerprint = () => libraryFingerprint([builtinGenres()?.fingerprint ?? builtinFingerprint(builtinDir), readFileSync(userManifestPath, 'utf8')])

  function writeUserCache(): GenreProfile[] {
    const text = genreProfilesJson(userFingerprint(), genresOf(list()))
    writeFileAtomic(userCachePath, text)
    // Returned as read back, so a fresh build and a cached read give the same (rounded) numbers.
    return parseGenreProfiles(text, userCachePath).genres
  }

  function saveManifest(m: UserManifest): void {
    mkdirSync(userDir, { recursive: true })
    writeFileAtomic(userManifestPath, JSON.stringify(m, null, 2) + '\n')
  }

  function genres(): GenreProfile[] {
    if (!existsSync(userManifestPath)) return builtinGenres()?.genres ?? genresOf(list())
    if (existsSync(userCachePath)) {
      const cached = parseGenreProfiles(readFileSync(userCachePath, 'utf8'), userCachePath)
      if (cached.fingerprint === userFingerprint()) return cached.genres
    }
    return writeUserCache()
  }

  async function add(request: AddTrackRequest, onProgress?: AnalysisProgress): Promise<LibraryTrack> {
    const genre = validGenreName(request.genre)
    if (!existsSync(request.file)) throw new RefmasterError('FILE_NOT_FOUND', `cannot read '${request.file}'`)
    const profileOf = await analyseTrackFile(request.file, onProgress)
    // The id and the manifest are decided under the lock, from the manifest as it is then.
    return withLibraryLock(userDir, () => {
      const m = manifest()
      const title = request.title?.trim() || basename(request.file, extname(request.file))
      const taken = new Set(list(m).map((t) => t.id).concat(m.removedBuiltin))
      let id = `${genre}-${slug(title)}`
      for (let n = 2; taken.has(id); n++) id = `${genre}-${slug(title)}-${n}`
      const audio = join(genre, `${id}${extname(request.file).toLowerCase()}`)
      mkdirSync(join(userDir, genre), { recursive: true })
      copyFileSync(request.file, join(userDir, audio))
      const artist = request.artist?.trim() || 'unknown'
      const licence = request.licence?.trim() || 'unknown'
      const entry = { id, genre, title, artist, licence, source: request.source?.trim() || basename(request.file), attribution: `${title} by ${artist} (licence: ${licence})`, audio }
      const updated = { ...m, tracks: [...m.tracks, entry] }
      const track = userTracks(userDir, { ...updated, tracks: [entry] })[0]
      writeStored(track.profilePath, profileOf(id))
      saveManifest(updated)
      writeUserCache()
      return track
    })
  }

  function remove(id: string): LibraryTrack {
    return withLibraryLock(userDir, () => {
      const m = manifest()
      const track = list(m).find((t) => t.id === id)
      if (!track) throw new RefmasterError('UNKNOWN_TRACK', `no track '${id}' in the library (built-in ${builtinDir}, user ${userDir}); \`refmaster library list\` shows the ids`)
      if (track.origin === 'user') {
        rmSync(track.audioPath, { force: true })
        rmSync(track.profilePath, { force: true })
        saveManifest({ ...m, tracks: m.tracks.filter((t) => t.id !== id) })
      } else {
        saveManifest({ ...m, removedBuiltin: [...m.removedBuiltin, id] })
      }
      writeUserCache()
      return track
    })
  }

  async function rebuild(rebuildOptions: { reanalyse?: boolean } = {}, onProgress?: (done: number, total: number, id: string) => void) {
    const m = manifest()
    const stale = userTracks(userDir, m).filter((t) => rebuildOptions.reanalyse || !existsSync(t.profilePath) || !isCurrent(readStored(t)))
    const analysed: string[] = []
    for (const track of stale) {
      onProgress?.(analysed.length, stale.length, track.id)
      writeStored(track.profilePath, (await analyseTrackFile(track.audioPath))(track.id))
      analysed.push(track.id)
    }
    onProgress?.(analysed.length, stale.length, '')
    if (!existsSync(userManifestPath)) return { analysed, genres: genresOf(list(m)) }
    return { analysed, genres: withLibraryLock(userDir, writeUserCache) }
  }

  return { builtinDir, userDir, list: () => list(), genres, genre: (name) => findGenre(genres(), name), add, remove, rebuild }
}
