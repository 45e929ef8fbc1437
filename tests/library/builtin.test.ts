import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/audio/decode.js'
import { analyzeTrack, TRACK_ANALYSIS_VERSION } from '../../src/analysis/track-analysis.js'
import { profileOf } from '../../src/chain/target-profile.js'
import { parseGenreProfiles } from '../../src/library/genre-profiles.js'
import { builtinFingerprint, genresOf, GENRE_PROFILES_FILE } from '../../src/library/library.js'
import { readBuiltinTracks } from '../../src/library/manifest.js'
import { builtinLibraryDir } from '../../src/library/paths.js'
import { parseTrackProfile } from '../../src/library/track-profile.js'
import { DEV_AUDIO } from '../helpers/cli.js'

const BUILTIN = builtinLibraryDir()
const tracks = readBuiltinTracks(BUILTIN)

/** groups.csv's excerpts (not `full/`), as [file, group]. */
function devExcerpts(): Array<{ file: string; group: string; licence: string }> {
  const [, ...lines] = readFileSync(join(DEV_AUDIO, 'groups.csv'), 'utf8').trim().split('\n')
  return lines
    .map((line) => ({ file: line.split(',')[0], group: line.split(',')[1], licence: line.split(',').at(-1)! }))
    .filter((row) => !row.file.startsWith('full/'))
}

describe('the built-in reference library', () => {
  it('files the 40 dev excerpts by their groups.csv genre, each with source, licence text and attribution', () => {
    const excerpts = devExcerpts()
    expect(tracks).toHaveLength(40)
    expect(tracks.map((t) => `${t.genre}/${t.id}.ogg`).sort()).toEqual(excerpts.map((e) => e.file).sort())
    for (const track of tracks) {
      expect(track.licence).toBe(excerpts.find((e) => e.file === `${track.genre}/${track.id}.ogg`)!.licence)
      expect(track.attribution).toContain(track.artist)
      expect(track.source).toMatch(/^Debian package /)
      expect(existsSync(join(BUILTIN, track.genre, track.licenceFile!)), track.licenceFile).toBe(true)
      expect(existsSync(track.audioPath), track.audioPath).toBe(true)
    }
  })

  it('stores a current analysis per track, and genres.json is what those analyses aggregate to', () => {
    for (const track of tracks) expect(parseTrackProfile(readFileSync(track.profilePath, 'utf8'), track.profilePath).analysisVersion, `${track.id}: run npm run reference-tracks`).toBe(TRACK_ANALYSIS_VERSION)
    const path = join(BUILTIN, GENRE_PROFILES_FILE)
    const stored = parseGenreProfiles(readFileSync(path, 'utf8'), path)
    expect(stored.fingerprint, 'reference-tracks changed: run npm run reference-tracks').toBe(builtinFingerprint(BUILTIN))
    const rebuilt = genresOf(tracks)
    expect(stored.genres.map((g) => [g.name, g.trackIds.length])).toEqual([['ambient', 9], ['electronic', 9], ['orchestral', 9], ['pop', 9], ['rock', 4]])
    rebuilt.forEach((genre, g) => {
      expect(stored.genres[g].profile.integratedLufs).toBeCloseTo(genre.profile.integratedLufs, 2)
      stored.genres[g].profile.fine.totalDb.forEach((db, i) => expect(db).toBeCloseTo(genre.profile.fine.totalDb[i], 2))
    })
  })

  it('stored analyses are the analyses of the real audio (one 44.1 kHz and one 48 kHz excerpt)', async () => {
    for (const id of ['rock-02-chaosgod', 'ambient-04-awakening']) {
      const track = tracks.find((t) => t.id === id)!
      const fresh = profileOf(analyzeTrack(await decodeFile(track.audioPath)))
      const stored = parseTrackProfile(readFileSync(track.profilePath, 'utf8'), track.profilePath).profile
      expect(stored.integratedLufs).toBeCloseTo(fresh.integratedLufs, 2)
      expect(stored.loudnessRangeLu).toBeCloseTo(fresh.loudnessRangeLu, 2)
      stored.thirdOctave.totalDb.forEach((db, i) => expect(db).toBeCloseTo(fresh.thirdOctave.totalDb[i], 2))
      stored.bands.forEach((band, b) => expect(band.shortTermRangeDb).toBeCloseTo(fresh.bands[b].shortTermRangeDb, 2))
    }
  })

  it('genre profiles tell the genres apart: rock is loud and dense, ambient and orchestral dark and dynamic', () => {
    const byName = Object.fromEntries(genresOf(tracks).map((g) => [g.name, g.summary]))
    expect(byName.rock.integratedLufs).toBeGreaterThan(byName.ambient.integratedLufs + 5)
    expect(byName.rock.plrDb).toBeLessThan(byName.orchestral.plrDb)
    expect(byName.rock.tiltDbPerOctave).toBeGreaterThan(byName.ambient.tiltDbPerOctave)
    for (const summary of Object.values(byName)) {
      expect(summary.tonalSpreadDb).toBeGreaterThan(0)
      expect(Number.isFinite(summary.loudnessRangeLu)).toBe(true)
    }
  })
})
