import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeAudio } from '../../src/audio/encode.js'
import { noise, sine, stereo } from '../helpers/signals.js'
import { DEV_AUDIO, refmaster } from '../helpers/cli.js'

/**
 * The `refmaster analyze` command run as a user runs it: the built binary (npm ci builds it), real
 * files, exit codes and output streams checked.
 */
const DEV_EXCERPT = join(DEV_AUDIO, 'rock', 'rock-01-armygeddon.ogg')

let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-cli-'))
  const rate = 48000
  writeFileSync(join(dir, 'tone.wav'), await encodeAudio(stereo(sine(rate, 20, -23), rate), 'wav24'))
  writeFileSync(join(dir, 'silence.flac'), await encodeAudio(stereo(new Float32Array(rate * 5), rate), 'flac24'))
  writeFileSync(join(dir, 'short.wav'), await encodeAudio({ channels: [noise(rate * 2, 0.1)], sampleRateHz: rate }, 'wav16'))
  writeFileSync(join(dir, 'three.wav'), threeChannelWav(rate))
  writeFileSync(join(dir, 'notes.txt'), 'not audio at all\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A minimal 16-bit PCM WAV with three channels (refmaster handles at most two). */
function threeChannelWav(rate: number): Uint8Array {
  const frames = rate / 10
  const bytes = new Uint8Array(44 + frames * 6)
  const view = new DataView(bytes.buffer)
  const text = (offset: number, s: string) => [...s].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)))
  text(0, 'RIFF'); view.setUint32(4, bytes.length - 8, true); text(8, 'WAVE')
  text(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 3, true)
  view.setUint32(24, rate, true); view.setUint32(28, rate * 6, true); view.setUint16(32, 6, true); view.setUint16(34, 16, true)
  text(36, 'data'); view.setUint32(40, frames * 6, true)
  return bytes
}

describe('refmaster analyze', () => {
  it('prints --help and exits 0', async () => {
    const result = await refmaster('--help')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('analyze')
  })

  it('prints the EBU loudness keys of a -23 dBFS tone as JSON', async () => {
    const result = await refmaster('analyze', join(dir, 'tone.wav'), '--json')
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout)
    for (const key of ['integratedLufs', 'momentaryMaxLufs', 'shortTermMaxLufs', 'loudnessRangeLu', 'truePeakDbtp', 'samplePeakDbfs']) {
      expect(json.loudness).toHaveProperty(key)
    }
    expect(json.loudness.integratedLufs).toBeCloseTo(-23, 1)
    expect(json.loudness.loudnessRangeLu).toBeCloseTo(0, 1)
    expect(json.sampleRateHz).toBe(48000)
    expect(json.spectrum.thirdOctave.frequenciesHz).toHaveLength(28)
  })

  it('analyses a silent file, reporting absent levels as null', async () => {
    const result = await refmaster('analyze', join(dir, 'silence.flac'), '--json')
    expect(result.code).toBe(0)
    const { loudness } = JSON.parse(result.stdout)
    expect(loudness.integratedLufs).toBeNull()
    expect(loudness.truePeakDbtp).toBeNull()
    expect(loudness.loudnessRangeLu).toBeNull()
  })

  it('gives null LRA for a file under 3 s, and a readable summary for a mono file', async () => {
    const json = JSON.parse((await refmaster('analyze', join(dir, 'short.wav'), '--json')).stdout)
    expect(json.loudness.loudnessRangeLu).toBeNull()
    expect(json.loudness.integratedLufs).toBeLessThan(-20)
    const summary = await refmaster('analyze', join(dir, 'short.wav'))
    expect(summary.code).toBe(0)
    expect(summary.stdout).toMatch(/mono, 48000 Hz/)
    expect(summary.stdout).toMatch(/loudness range\s+-- LU/)
  })

  it('summarises a real dev excerpt close to ffmpeg ebur128 (I -7.5 LUFS, TP +1.9 dBTP)', async () => {
    const result = await refmaster('analyze', DEV_EXCERPT)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/integrated\s+-7\.5 LUFS/)
    expect(result.stdout).toMatch(/true peak\s+1\.9 dBTP/)
    expect(result.stderr).toBe('') // no progress bar when stderr is not a terminal
  })

  it('exits with the documented codes, naming the problem on stderr', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['analyze'], 2, /missing required argument/],
      [['analyse-typo'], 2, /unknown command/],
      [['analyze', join(dir, 'missing.wav')], 3, /FILE_NOT_FOUND.*no such file/],
      [['analyze', join(dir, 'notes.txt')], 4, /UNSUPPORTED_FORMAT.*not a known audio format/],
      [['analyze', join(dir, 'three.wav')], 6, /TOO_MANY_CHANNELS.*3 channels/],
    ]
    for (const [args, code, message] of cases) {
      const result = await refmaster(...args)
      expect(result.code, args.join(' ')).toBe(code)
      expect(result.stderr).toMatch(message)
      expect(result.stdout).toBe('')
    }
  })
})
