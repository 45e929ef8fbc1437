import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { measureLoudness } from '../../src/analysis/loudness/index.js'
import type { SpectrumCurve } from '../../src/analysis/spectrum/ltas.js'
import { applyTonalEq, TONAL_EQ_PARAMS } from '../../src/dsp/tonal-eq.js'
import { defaultParams } from '../../src/dsp/params.js'
import { openLibrary } from '../../src/library/library.js'
import { LIBRARY_ENV } from '../../src/library/paths.js'
import { DEV_AUDIO, refmaster } from '../helpers/cli.js'

/** `refmaster genres` and `refmaster master --genre` as a user runs them, on real music from the dev set. */
let dir: string
let goal: Audio
/** The held-out track: removed from its genre in a temporary library, so the genre profile never saw it. */
const HELD_OUT = { id: 'electronic-08-desert3', genre: 'electronic' }

const cut = (audio: Audio, startSeconds: number, seconds: number): Audio => ({
  sampleRateHz: audio.sampleRateHz,
  channels: audio.channels.map((c) => c.slice(Math.round(startSeconds * audio.sampleRateHz), Math.round((startSeconds + seconds) * audio.sampleRateHz))),
})

/** The evaluation protocol's tonal-balance error of two third-octave curves (dB; mean levels removed). */
function tbeDb(a: SpectrumCurve, b: SpectrumCurve): number {
  const shape = (c: SpectrumCurve) => {
    const mean = c.totalDb.reduce((s, x) => s + x, 0) / c.totalDb.length
    return c.totalDb.map((x) => x - mean)
  }
  const sa = shape(a)
  const sb = shape(b)
  return sa.reduce((s, x, i) => s + Math.abs(x - sb[i]), 0) / sa.length
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-genres-'))
  const song = await decodeFile(join(DEV_AUDIO, HELD_OUT.genre, `${HELD_OUT.id}.ogg`))
  // An "unmastered" mix of it: bass-heavy and dull (shelves as the evaluation's degradation draws them), quieter.
  const eq = { ...defaultParams(TONAL_EQ_PARAMS), lowShelfHz: 150, lowShelfGainDb: 5, highShelfHz: 4000, highShelfGainDb: -5 }
  goal = cut(song, 0, 20)
  const mix = applyTonalEq(goal, eq)
  writeFileSync(join(dir, 'mix.wav'), await encodeAudio({ ...mix, channels: mix.channels.map((c) => c.map((x) => x * 0.4)) }, 'wav24'))
})
afterAll(() => {
  delete process.env[LIBRARY_ENV]
  rmSync(dir, { recursive: true, force: true })
})

describe('refmaster genres', () => {
  it('lists the genres with loudness and tonal summary, as a table and as JSON', async () => {
    const table = await refmaster('genres')
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^genre\s+tracks\s+LUFS\s+LRA LU\s+PLR dB\s+S\/M dB\s+low dB\s+mid dB\s+high dB\s+tilt dB\/oct\s+spread dB/)
    expect(table.stdout).toMatch(/\nrock\s+4\s+-\d+\.\d/)
    const json = await refmaster('genres', '--json')
    expect(json.code, json.stderr).toBe(0)
    const { genres } = JSON.parse(json.stdout)
    expect(genres.map((g: { name: string }) => g.name)).toEqual(['ambient', 'electronic', 'orchestral', 'pop', 'rock'])
    for (const key of ['trackCount', 'integratedLufs', 'loudnessRangeLu', 'plrDb', 'sideMidDb', 'lowDb', 'midDb', 'highDb', 'tiltDbPerOctave', 'tonalSpreadDb']) expect(genres[0].summary).toHaveProperty(key)
  })
})

describe('refmaster master --genre', () => {
  it('refuses an unknown genre with exit code 2, naming the genres there are', async () => {
    const result = await refmaster('master', join(dir, 'mix.wav'), '--genre', 'jazz', '-o', join(dir, 'never.wav'))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown genre 'jazz'; the library has: ambient, electronic, orchestral, pop, rock")
    const both = await refmaster('master', join(dir, 'mix.wav'), '--genre', 'rock', '--reference', join(dir, 'mix.wav'), '-o', join(dir, 'never.wav'))
    expect(both.code).toBe(2)
  })

  it('masters a blend of genres: weights normalised in the report, loudness on the chosen target', async () => {
    const result = await refmaster('master', join(dir, 'mix.wav'), '--genre', 'rock:3', '--genre', 'pop', '--target', 'broadcast', '-o', join(dir, 'blend.wav'), '--report', join(dir, 'blend.json'))
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'blend.json'), 'utf8'))
    expect(report.genres.map((g: { name: string; weight: number }) => [g.name, g.weight])).toEqual([['rock', 0.75], ['pop', 0.25]])
    expect(report.target.name).toBe('broadcast')
    expect(measureLoudness(await decodeFile(join(dir, 'blend.wav'))).integratedLufs).toBeCloseTo(-23, 0)
    expect(report.reasons.map((r: { text: string }) => r.text).join('\n')).toContain('the blend of rock (75 %) and pop (25 %)')
  })

  it('moves a held-out mix toward its genre: tonal balance closer to the genre profile, at the streaming target', async () => {
    const userDir = join(dir, 'library')
    process.env[LIBRARY_ENV] = userDir
    const removed = await refmaster('library', 'remove', HELD_OUT.id)
    expect(removed.code, removed.stderr).toBe(0)
    const genre = openLibrary({ userDir }).genre(HELD_OUT.genre)
    expect(genre.trackIds).toHaveLength(8)
    expect(genre.trackIds).not.toContain(HELD_OUT.id)

    const result = await refmaster('master', join(dir, 'mix.wav'), '--genre', HELD_OUT.genre, '-o', join(dir, 'master.wav'), '--report', join(dir, 'report.json'))
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))
    expect(Object.keys(report)).toEqual(['input', 'genres', 'target', 'strengths', 'settingsSource', 'settings', 'reasons', 'measurements', 'platforms', 'translation', 'deliveryCheck', 'warnings'])
    expect(report.genres).toEqual([{ name: HELD_OUT.genre, weight: 1, summary: expect.objectContaining({ trackCount: 8 }) }])
    expect(report.target.name).toBe('streaming')
    const master = await decodeFile(join(dir, 'master.wav'))
    const loudness = measureLoudness(master)
    expect(Math.abs(loudness.integratedLufs - -14)).toBeLessThanOrEqual(0.1)
    expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1)

    const mixCurve = analyzeTrack(await decodeFile(join(dir, 'mix.wav'))).spectrum.thirdOctave
    const masterCurve = analyzeTrack(master).spectrum.thirdOctave
    const before = tbeDb(mixCurve, genre.profile.thirdOctave)
    const after = tbeDb(masterCurve, genre.profile.thirdOctave)
    // And toward the track's own, undegraded sound (the goal), which the genre profile never saw.
    const goalCurve = analyzeTrack(goal).spectrum.thirdOctave
    const goalBefore = tbeDb(mixCurve, goalCurve)
    const goalAfter = tbeDb(masterCurve, goalCurve)
    console.log(`held-out ${HELD_OUT.id}: tonal-balance error to the ${HELD_OUT.genre} profile ${before.toFixed(2)} -> ${after.toFixed(2)} dB, to the undegraded track ${goalBefore.toFixed(2)} -> ${goalAfter.toFixed(2)} dB (mix -> master)`)
    expect(after).toBeLessThan(0.8 * before)
    expect(goalAfter).toBeLessThan(goalBefore)
  })
})
