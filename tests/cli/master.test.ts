import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { measureLoudness } from '../../src/analysis/loudness/index.js'
import { sine, stereo } from '../helpers/signals.js'
import { DEV_AUDIO, refmaster } from '../helpers/cli.js'

/** `refmaster master` as a user runs it: the built binary on real music from the dev set. */
const DEV = DEV_AUDIO

function cut(audio: Audio, startSeconds: number, seconds: number, gain = 1): Audio {
  const start = Math.round(startSeconds * audio.sampleRateHz)
  const end = start + Math.round(seconds * audio.sampleRateHz)
  return { channels: audio.channels.map((c) => c.slice(start, end).map((x) => x * gain)), sampleRateHz: audio.sampleRateHz }
}

let dir: string
let mixFrames: number
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-master-'))
  const song = await decodeFile(join(DEV, 'electronic', 'electronic-03-digitalpursuit.ogg'))
  const mix = cut(song, 0, 12, 0.3) // a quieter, unmastered-sounding first section
  mixFrames = mix.channels[0].length
  writeFileSync(join(dir, 'mix.wav'), await encodeAudio(mix, 'wav24'))
  writeFileSync(join(dir, 'ref.wav'), await encodeAudio(cut(song, 45, 12), 'wav24'))
  writeFileSync(join(dir, 'short-ref.wav'), await encodeAudio(cut(song, 45, 3), 'wav24'))
  writeFileSync(join(dir, 'silence.wav'), await encodeAudio(stereo(new Float32Array(44100 * 6), 44100), 'wav24'))
  writeFileSync(join(dir, 'tone.wav'), await encodeAudio(stereo(sine(44100, 8, -30, 440), 44100), 'wav24'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('refmaster master', () => {
  it('masters toward a reference: exact length, true peak under the ceiling, a full report and a recipe', async () => {
    const result = await refmaster('master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '-o', join(dir, 'out.wav'), '--report', join(dir, 'report.json'), '--save-recipe', join(dir, 'recipe.json'))
    expect(result.code, result.stderr).toBe(0)
    const out = await decodeFile(join(dir, 'out.wav'))
    expect(out.channels[0].length).toBe(mixFrames)
    const loudness = measureLoudness(out)
    expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1)
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))
    for (const key of ['input', 'references', 'target', 'settings', 'reasons', 'measurements', 'platforms', 'translation', 'deliveryCheck', 'warnings']) expect(report).toHaveProperty(key)
    expect(Object.keys(report.measurements)).toEqual(['before', 'after', 'reference'])
    expect(report.measurements.after.integratedLufs).toBeCloseTo(loudness.integratedLufs, 1)
    expect(report.translation.map((t: { system: string }) => t.system)).toEqual(['phone speaker', 'laptop', 'earbuds', 'car', 'club'])
    expect(report.reasons.length).toBeGreaterThan(0)
    expect(report.deliveryCheck.find((line: { check: string }) => line.check.startsWith('true peak at or below')).pass).toBe(true)
  })

  it('renders a saved recipe to the same bits', async () => {
    const first = await refmaster('master', join(dir, 'mix.wav'), '--recipe', join(dir, 'recipe.json'), '-o', join(dir, 'again.wav'))
    expect(first.code, first.stderr).toBe(0)
    const second = await refmaster('master', join(dir, 'mix.wav'), '--recipe', join(dir, 'recipe.json'), '-o', join(dir, 'again2.flac'), '--format', 'wav24')
    expect(second.code, second.stderr).toBe(0)
    expect(readFileSync(join(dir, 'again.wav')).equals(readFileSync(join(dir, 'again2.flac')))).toBe(true)
  })

  it('hits a platform target within 0.3 LU without a reference, and resamples on request', async () => {
    const result = await refmaster('master', join(dir, 'mix.wav'), '--target', 'streaming', '-o', join(dir, 'stream.flac'), '--sample-rate', '48000')
    expect(result.code, result.stderr).toBe(0)
    const out = await decodeFile(join(dir, 'stream.flac'))
    expect(out.sampleRateHz).toBe(48000)
    const loudness = measureLoudness(out)
    expect(Math.abs(loudness.integratedLufs + 14)).toBeLessThan(0.3)
    expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1 + 0.05) // resampling after the limiter may move peaks a hair
  })

  it('refuses silence, a too-short reference, bad strengths and unknown targets with the documented codes', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['master', join(dir, 'silence.wav'), '--target', 'streaming', '-o', join(dir, 'x.wav')], 8, /SILENT_AUDIO/],
      [['master', join(dir, 'mix.wav'), '--reference', join(dir, 'short-ref.wav'), '-o', join(dir, 'x.wav')], 2, /at least 5 s/],
      [['master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '--eq-strength', '1.5', '-o', join(dir, 'x.wav')], 2, /eq-strength must be within \[0, 1\], got 1.5/],
      [['master', join(dir, 'mix.wav'), '--target', 'moon', '-o', join(dir, 'x.wav')], 2, /invalid/],
      [['master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '-o', join(dir, 'x.ogg')], 2, /extension '.ogg' is not supported/],
    ]
    for (const [args, code, message] of cases) {
      const result = await refmaster(...args)
      expect(result.code, args.join(' ')).toBe(code)
      expect(result.stderr).toMatch(message)
    }
  })

  it('warns, on stderr and in the report, when a quiet tone cannot reach a loud target', async () => {
    const result = await refmaster('master', join(dir, 'tone.wav'), '--target', 'club', '-o', join(dir, 'club.wav'), '--report', join(dir, 'club.json'))
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'club.json'), 'utf8'))
    const out = measureLoudness(await decodeFile(join(dir, 'club.wav')))
    expect(out.truePeakDbtp).toBeLessThanOrEqual(-0.3)
    if (!report.target.reachable) {
      expect(result.stderr).toMatch(/warning: target/)
      expect(report.warnings.length).toBeGreaterThan(0)
    } else {
      expect(Math.abs(out.integratedLufs + 8)).toBeLessThan(0.3)
    }
  })
})
