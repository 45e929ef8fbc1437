/**
 * Builds the built-in reference library `reference-tracks/` from the development set
 * (../shared/audio/dev): one folder per genre (groups.csv's group) with a manifest (title, artist,
 * licence, source, attribution, a path to the audio), the licence texts, each track's stored analysis
 * and the genre profiles. Only the 60 s excerpts of the five group folders are used, not `full/`.
 *
 *   npm run reference-tracks [-- DEV_DIR]
 *
 * Run it again when the dev set or the analysis (TRACK_ANALYSIS_VERSION) changes.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { decodeFile } from '../src/audio/decode.js'
import { analyzeTrack } from '../src/analysis/track-analysis.js'
import { genreProfilesJson } from '../src/library/genre-profiles.js'
import { builtinFingerprint, genresOf, GENRE_PROFILES_FILE } from '../src/library/library.js'
import { BUILTIN_MANIFEST_FILE, profilePathOf, readBuiltinTracks, type GenreManifest, type TrackEntry } from '../src/library/manifest.js'
import { builtinLibraryDir } from '../src/library/paths.js'
import { storedTrackProfile, trackProfileJson } from '../src/library/track-profile.js'

const ROOT = resolve(import.meta.dirname, '..')
const DEV_DIR = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'audio', 'dev'))
const OUT_DIR = builtinLibraryDir()
/** The excerpts' groups (CATALOG.md); `full/` holds whole tracks, which are not part of the library. */
const GROUPS = ['ambient', 'electronic', 'orchestral', 'pop', 'rock']
const LICENCES_FOLDER = 'licences'

/** RFC 4180 CSV rows (quoted fields with doubled quotes). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '')
    else if (c !== '\r') field += c
  }
  if (field || row.length) row.push(field), rows.push(row)
  const [header, ...body] = rows
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])))
}

/** Game (package) names by file, from CATALOG.md's table. */
function gamesByFile(catalog: string): Map<string, string> {
  const games = new Map<string, string>()
  for (const line of catalog.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const file = /^`(.+)`$/.exec(cells[1] ?? '')?.[1]
    if (file && cells[4]) games.set(file, cells[4].replace(/`/g, ''))
  }
  return games
}

async function main(): Promise<void> {
  const rows = parseCsv(readFileSync(join(DEV_DIR, 'groups.csv'), 'utf8')).filter((row) => GROUPS.includes(row.file.split('/')[0]))
  const games = gamesByFile(readFileSync(join(DEV_DIR, 'CATALOG.md'), 'utf8'))
  mkdirSync(join(OUT_DIR, LICENCES_FOLDER), { recursive: true })
  for (const group of GROUPS) rmSync(join(OUT_DIR, group), { recursive: true, force: true })

  for (const group of GROUPS) {
    const tracks: TrackEntry[] = []
    for (const row of rows.filter((r) => r.group === group)) {
      const id = basename(row.file, '.ogg')
      const licenceName = `${row.package}.copyright`
      copyFileSync(join(DEV_DIR, 'licences', licenceName), join(OUT_DIR, LICENCES_FOLDER, licenceName))
      const game = games.get(row.file) ?? row.package
      const offsetSeconds = Number(row.offset_s)
      const durationSeconds = Number(row.duration_s)
      tracks.push({
        id,
        title: row.title,
        artist: row.artist,
        licence: row.licence,
        source: `Debian package ${row.package} ${row.package_version}: ${row.source_path}`,
        attribution: `"${row.title}" by ${row.artist}, from ${game}; ${row.licence}; ${durationSeconds} s excerpt from ${offsetSeconds} s`,
        audio: relative(join(OUT_DIR, group), join(DEV_DIR, row.file)),
        licenceFile: join('..', LICENCES_FOLDER, licenceName),
        excerpt: { offsetSeconds, durationSeconds },
      })
      const analysis = analyzeTrack(await decodeFile(join(DEV_DIR, row.file)))
      const profilePath = profilePathOf(OUT_DIR, group, id)
      mkdirSync(dirname(profilePath), { recursive: true })
      writeFileSync(profilePath, trackProfileJson(storedTrackProfile(id, analysis)))
      process.stdout.write(`${row.file}: ${analysis.loudness.integratedLufs.toFixed(1)} LUFS\n`)
    }
    const manifest: GenreManifest = { genre: group, tracks }
    writeFileSync(join(OUT_DIR, group, BUILTIN_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
  }
  const genres = genresOf(readBuiltinTracks(OUT_DIR))
  writeFileSync(join(OUT_DIR, GENRE_PROFILES_FILE), genreProfilesJson(builtinFingerprint(OUT_DIR), genres))
  process.stdout.write(`${rows.length} tracks in ${genres.length} genres -> ${relative(ROOT, OUT_DIR)}${existsSync(join(OUT_DIR, 'README.md')) ? '' : ' (README.md missing)'}\n`)
}

await main()
