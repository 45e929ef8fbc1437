/**
 * encodeAudio round trips for every output format, byte-level header checks, clipping, determinism,
 * and the atomic file writer. Our files are also read back by ffprobe when it is installed.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeAudio, decodeFile } from '../../src/audio/decode.js'
import { encodeAudio, mp3SampleRateFor, writeAudioFile } from '../../src/audio/encode.js'
import { OUTPUT_FORMATS } from '../../src/audio/formats.js'
import { wavPieces, writeWav, type WavSamples } from '../../src/audio/wav-write.js'
import { errorCodeOf, firstDifference, makeTempDir, run, sine, skipNote, TOOLS } from './support.js'

const RATE_HZ = 44100
const FRAMES = 22050

/** A stereo test signal with distinct channels and some content near full scale. */
function stereoTestAudio(frames = FRAMES, rateHz = RATE_HZ): Audio {
  const left = sine(997, rateHz, frames, 0.9)
  const right = sine(3001, rateHz, frames, 0.3)
  for (let i = 0; i < frames; i++) right[i] += 0.2 * Math.sin(i * 0.0123) ** 3
  return { channels: [left, right], sampleRateHz: rateHz }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

describe('WAV round trips', () => {
  const audio = stereoTestAudio()

  it.each([
    ['wav16', 2 ** -15, 1.5],
    ['wav24', 2 ** -23, 0.5],
  ] as const)('%s decodes to the input within its quantisation step', async (format, lsb, maxErrorLsb) => {
    const decoded = await decodeAudio(await encodeAudio(audio, format), format)
    expect(decoded.sampleRateHz).toBe(RATE_HZ)
    expect(decoded.channels.length).toBe(2)
    decoded.channels.forEach((channel, index) => {
      expect(channel.length).toBe(FRAMES)
      expect(maxAbsDifference(channel, audio.channels[index]) / lsb).toBeLessThanOrEqual(maxErrorLsb + 1e-6)
    })
  })

  it('wav32f is bit-exact, with an 18-byte fmt chunk (cbSize 0) and a fact chunk', async () => {
    const bytes = await encodeAudio(audio, 'wav32f')
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const text = (offset: number): string => String.fromCharCode(...bytes.subarray(offset, offset + 4))
    expect(text(12)).toBe('fmt ')
    expect(view.getUint32(16, true)).toBe(18)
    expect(view.getUint16(20, true)).toBe(3) // WAVE_FORMAT_IEEE_FLOAT
    expect(view.getUint16(36, true)).toBe(0) // cbSize
    expect(text(38)).toBe('fact')
    expect(view.getUint32(46, true)).toBe(FRAMES)
    expect(text(50)).toBe('data')
    const decoded = await decodeAudio(bytes, 'wav32f')
    decoded.channels.forEach((channel, index) => expect(firstDifference(channel, audio.channels[index])).toBe(-1))
  })

  it('wav24 re-encodes its own decoded output to the same bytes', async () => {
    const bytes = await encodeAudio(audio, 'wav24')
    expect(await encodeAudio(await decodeAudio(bytes), 'wav24')).toEqual(bytes)
  })

  it('clips overs to the integer range instead of wrapping', async () => {
    const overs: Audio = { channels: [new Float32Array([1.5, -1.5, 1, -1, 0.99999999])], sampleRateHz: RATE_HZ }
    for (const format of ['wav16', 'wav24'] as const) {
      const [channel] = (await decodeAudio(await encodeAudio(overs, format))).channels
      expect(channel[0]).toBeGreaterThan(0.999)
      expect(channel[1]).toBe(-1)
      expect(channel[2]).toBeGreaterThan(0.999)
      expect(channel[3]).toBeLessThan(-0.999)
    }
  })

  it('is deterministic and keeps mono mono', async () => {
    const mono: Audio = { channels: [audio.channels[0]], sampleRateHz: RATE_HZ }
    for (const format of ['wav16', 'flac16'] as const) {
      const first = await encodeAudio(mono, format)
      expect(await encodeAudio(mono, format)).toEqual(first)
      expect((await decodeAudio(first)).channels.length).toBe(1)
    }
  })
})

describe('FLAC round trips', () => {
  const audio = stereoTestAudio()
  it.each([
    ['flac16', 'wav16'],
    ['flac24', 'wav24'],
  ] as const)('%s decodes bit-exactly to the %s of the same audio', async (flacFormat, wavFormat) => {
    const flac = await decodeAudio(await encodeAudio(audio, flacFormat), flacFormat)
    const wav = await decodeAudio(await encodeAudio(audio, wavFormat), wavFormat)
    expect(flac.sampleRateHz).toBe(RATE_HZ)
    expect(flac.channels.length).toBe(2)
    flac.channels.forEach((channel, index) => expect(firstDifference(channel, wav.channels[index])).toBe(-1))
  })

  it('encodes 96 kHz mono', async () => {
    const mono: Audio = { channels: [sine(1000, 96000, 9600)], sampleRateHz: 96000 }
    const decoded = await decodeAudio(await encodeAudio(mono, 'flac24'))
    expect(decoded.sampleRateHz).toBe(96000)
    expect(decoded.channels.length).toBe(1)
    expect(decoded.channels[0].length).toBe(9600)
  })
})

/** Best normalised cross-correlation of `decoded` against `reference`, over delays 0..maxDelay. */
function bestCorrelation(reference: Float32Array, decoded: Float32Array, maxDelay: number): { delay: number; correlation: number } {
  let best = { delay: 0, correlation: -1 }
  for (let delay = 0; delay <= maxDelay; delay++) {
    let xy = 0, xx = 0, yy = 0
    for (let i = 0; i < reference.length; i++) {
      const x = reference[i], y = decoded[i + delay] ?? 0
      xy += x * y; xx += x * x; yy += y * y
    }
    const correlation = xy / Math.sqrt(xx * yy)
    if (correlation > best.correlation) best = { delay, correlation }
  }
  return best
}

/** LAME's encoder delay plus the decoder's is about 1105 samples; search a little beyond. */
const MP3_MAX_DELAY_FRAMES = 3000

describe('MP3 round trips', () => {
  it('decodes stereo with correlation > 0.99 after the encoder delay, and at least the input length', async () => {
    const audio = stereoTestAudio()
    const decoded = await decodeAudio(await encodeAudio(audio, 'mp3'), 'mp3')
    expect(decoded.sampleRateHz).toBe(RATE_HZ)
    expect(decoded.channels.length).toBe(2)
    expect(decoded.channels[0].length).toBeGreaterThanOrEqual(FRAMES)
    decoded.channels.forEach((channel, index) => {
      expect(bestCorrelation(audio.channels[index], channel, MP3_MAX_DELAY_FRAMES).correlation).toBeGreaterThan(0.99)
    })
  })

  it('writes MPEG-1 rates as they are and converts others to 44.1 or 48 kHz', () => {
    expect([32000, 44100, 48000].map(mp3SampleRateFor)).toEqual([32000, 44100, 48000])
    expect([22050, 88200, 176400].map(mp3SampleRateFor)).toEqual([44100, 44100, 44100])
    expect([8000, 16000, 96000, 192000].map(mp3SampleRateFor)).toEqual([48000, 48000, 48000, 48000])
  })

  it('keeps mono mono, and writes 96 kHz audio at 48 kHz', async () => {
    const mono: Audio = { channels: [sine(1000, 96000, 48000)], sampleRateHz: 96000 }
    const decoded = await decodeAudio(await encodeAudio(mono, 'mp3'), 'mp3')
    expect(decoded.channels.length).toBe(1)
    expect(decoded.sampleRateHz).toBe(48000)
    expect(decoded.channels[0].length).toBeGreaterThanOrEqual(24000)
  })
})

describe('writeAudioFile', () => {
  const temp = makeTempDir()
  afterAll(() => temp.remove())
  const audio = stereoTestAudio(4410)

  it('writes every output format, choosing by extension by default, and leaves no temporary file', async () => {
    for (const format of OUTPUT_FORMATS) {
      const path = join(temp.path, `out-${format}.${format.startsWith('flac') ? 'flac' : format === 'mp3' ? 'mp3' : 'wav'}`)
      await writeAudioFile(path, audio, format)
      expect((await decodeFile(path)).channels.length).toBe(2)
    }
    const byExtension = join(temp.path, 'default.flac')
    await writeAudioFile(byExtension, audio)
    expect(readFileSync(byExtension)).toEqual(Buffer.from(await encodeAudio(audio, 'flac24')))
    expect(readdirSync(temp.path).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('replaces an existing file whole', async () => {
    const path = join(temp.path, 'replace.wav')
    writeFileSync(path, 'old contents')
    await writeAudioFile(path, audio, 'wav24')
    expect(readFileSync(path)).toEqual(Buffer.from(await encodeAudio(audio, 'wav24')))
  })

  it('fails with ENCODE_FAILED into a missing directory, and with USAGE for an unknown extension', async () => {
    const missingDir = join(temp.path, 'no-such-dir')
    expect(await errorCodeOf(() => writeAudioFile(join(missingDir, 'x.wav'), audio))).toBe('ENCODE_FAILED')
    expect(existsSync(missingDir)).toBe(false)
    expect(await errorCodeOf(() => writeAudioFile(join(temp.path, 'x.ogg'), audio))).toBe('USAGE')
    expect(readdirSync(temp.path).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })
})

describe(`our files as ffprobe reads them${skipNote('ffmpeg')}`, () => {
  const temp = makeTempDir()
  afterAll(() => temp.remove())
  const expected: Record<string, { codec: string; sampleFormat?: string; bits?: number }> = {
    wav16: { codec: 'pcm_s16le' },
    wav24: { codec: 'pcm_s24le' },
    wav32f: { codec: 'pcm_f32le' },
    flac16: { codec: 'flac', sampleFormat: 's16' },
    flac24: { codec: 'flac', bits: 24 },
    mp3: { codec: 'mp3' },
  }
  it.skipIf(!TOOLS.ffmpeg).each(OUTPUT_FORMATS)('%s', async (format) => {
    const path = join(temp.path, `probe-${format}`)
    await writeAudioFile(path, stereoTestAudio(), format)
    const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path])) as {
      streams: { codec_name: string; sample_rate: string; channels: number; sample_fmt: string; bits_per_raw_sample?: string; duration_ts?: number }[]
    }
    const [stream] = probe.streams
    expect(stream.codec_name).toBe(expected[format].codec)
    expect(Number(stream.sample_rate)).toBe(RATE_HZ)
    expect(stream.channels).toBe(2)
    if (expected[format].sampleFormat) expect(stream.sample_fmt).toBe(expected[format].sampleFormat)
    if (expected[format].bits) expect(Number(stream.bits_per_raw_sample)).toBe(expected[format].bits)
    // a full decode by ffmpeg must succeed without errors
    run('ffmpeg', ['-v', 'error', '-xerror', '-i', path, '-f', 'null', '-'])
  })
})

describe('wavPieces', () => {
  it('joined, are the bytes of writeWav, for every WAV sample format and an odd data size', () => {
    const left = Float32Array.from({ length: 1001 }, (_, n) => Math.sin(n / 7) * 0.9)
    const right = left.map((x) => -x / 2)
    const codes = [left, right].map((c) => Int32Array.from(c, (x) => Math.round(x * 32767)))
    const cases: WavSamples[] = [
      { sampleFormat: 'rounded24', channels: [left, right] },
      { sampleFormat: 'float', channels: [left, right] },
      { sampleFormat: 'int', bitsPerSample: 16, channels: codes },
      { sampleFormat: 'int', bitsPerSample: 24, channels: [codes[0]] },
    ]
    for (const samples of cases) {
      const whole = writeWav(samples, 44100)
      // Each piece is copied before the next is asked for: the buffer is reused.
      const pieces: Uint8Array[] = []
      for (const piece of wavPieces(samples, 44100, 64)) pieces.push(piece.slice())
      expect(Buffer.concat(pieces)).toEqual(Buffer.from(whole))
    }
    // 24-bit mono of 1001 frames: 3003 data bytes, padded to an even chunk
    expect(writeWav(cases[3], 44100).length % 2).toBe(0)
  })
})

describe('decodeFile of a plain WAV (read piece by piece)', () => {
  it('gives the samples decodeAudio finds in the whole file, over several pieces, with a chunk before the data', async () => {
    const dir = makeTempDir()
    const frames = 150001
    const left = Float32Array.from({ length: frames }, (_, n) => Math.round(Math.sin(n / 11) * 2 ** 22) / 2 ** 23)
    const audio: Audio = { channels: [left, left.map((x) => 0 - x)], sampleRateHz: RATE_HZ } // 0 - x: no -0, which decodes as 0
    const wav = writeWav({ sampleFormat: 'rounded24', channels: audio.channels }, RATE_HZ)
    // A LIST chunk between 'fmt ' and 'data', as many writers add.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')])
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)])
    withList.writeUInt32LE(withList.length - 8, 4)
    try {
      for (const [name, bytes] of [['plain.wav', wav], ['list.wav', withList]] as const) {
        const path = join(dir.path, name)
        writeFileSync(path, bytes)
        const fromFile = await decodeFile(path)
        expect(fromFile.channels).toEqual((await decodeAudio(new Uint8Array(bytes), path)).channels)
        expect(fromFile.channels).toEqual(audio.channels)
      }
    } finally {
      dir.remove()
    }
  })
})
