/**
 * Our WAV and AIFF readers on hand-built headers: layouts the ffmpeg/sox fixtures do not produce
 * (odd-sized chunks before the data, 24-bit samples in 32-bit containers, SSND offsets, unsupported
 * AIFF-C compression).
 */
import { describe, expect, it } from 'vitest'
import { readAiff } from '../../src/audio/aiff.js'
import { readWav } from '../../src/audio/wav.js'
import { errorCodeOf } from './support.js'

type Endian = 'le' | 'be'

function chunk(id: string, body: number[], endian: Endian): number[] {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, body.length, endian === 'le')
  return [...Array.from(id, (c) => c.charCodeAt(0)), ...bytes, ...body, ...(body.length % 2 ? [0] : [])]
}

function le(value: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => (value >>> (8 * i)) & 0xff)
}

function be(value: number, bytes: number): number[] {
  return le(value, bytes).reverse()
}

function riff(chunks: number[][]): Uint8Array {
  const body = [...Array.from('WAVE', (c) => c.charCodeAt(0)), ...chunks.flat()]
  return new Uint8Array([...Array.from('RIFF', (c) => c.charCodeAt(0)), ...le(body.length, 4), ...body])
}

function form(type: 'AIFF' | 'AIFC', chunks: number[][]): Uint8Array {
  const body = [...Array.from(type, (c) => c.charCodeAt(0)), ...chunks.flat()]
  return new Uint8Array([...Array.from('FORM', (c) => c.charCodeAt(0)), ...be(body.length, 4), ...body])
}

/** 44100 as an 80-bit IEEE extended (big-endian): exponent 16383 + 15, mantissa 44100 << 48. */
const RATE_44100_EXTENDED = [0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]

describe('WAV reader', () => {
  it('skips odd-sized chunks (with their pad byte) before the data', () => {
    const fmt = chunk('fmt ', [...le(1, 2), ...le(1, 2), ...le(44100, 4), ...le(88200, 4), ...le(2, 2), ...le(16, 2)], 'le')
    const junk = chunk('junk', [1, 2, 3], 'le')
    const data = chunk('data', [...le(16384, 2), ...le(-16384 & 0xffff, 2)], 'le')
    const audio = readWav(riff([fmt, junk, data]), 'odd.wav')
    expect(Array.from(audio.channels[0])).toEqual([0.5, -0.5])
  })

  it('reads 24-bit samples left-justified in 32-bit containers', () => {
    // WAVE_FORMAT_EXTENSIBLE, 2 channels, 32-bit containers (block align 8), 24 valid bits, PCM subformat
    const guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]
    const fmt = chunk('fmt ', [
      ...le(0xfffe, 2), ...le(2, 2), ...le(48000, 4), ...le(384000, 4), ...le(8, 2), ...le(32, 2),
      ...le(22, 2), ...le(24, 2), ...le(3, 4), ...le(1, 2), ...guidTail,
    ], 'le')
    const data = chunk('data', [...le(0x40000000, 4), ...le(0xc0000000, 4)], 'le')
    const audio = readWav(riff([fmt, data]), 'container.wav')
    expect(audio.channels.map((c) => c[0])).toEqual([0.5, -0.5])
  })
})

describe('AIFF reader', () => {
  const comm = (channels: number, frames: number, bits: number, extra: number[] = []): number[] =>
    chunk('COMM', [...be(channels, 2), ...be(frames, 4), ...be(bits, 2), ...RATE_44100_EXTENDED, ...extra], 'be')

  it('reads signed 8-bit samples and honours the SSND offset', () => {
    const ssnd = chunk('SSND', [...be(3, 4), ...be(0, 4), 9, 9, 9, 64, 0xc0], 'be')
    const audio = readAiff(form('AIFF', [comm(1, 2, 8), ssnd]), 'eight.aiff')
    expect(audio.sampleRateHz).toBe(44100)
    expect(Array.from(audio.channels[0])).toEqual([0.5, -0.5])
  })

  it('names AIFF-C compression it does not decode', async () => {
    const aifc = form('AIFC', [comm(1, 2, 16, Array.from('ima4', (c) => c.charCodeAt(0))), chunk('SSND', [...be(0, 8), 0, 0, 0, 0], 'be')])
    expect(await errorCodeOf(() => readAiff(aifc, 'ima4.aifc'))).toBe('UNSUPPORTED_FORMAT')
  })

  it('refuses an AIFF whose sound data is cut by whole frames', async () => {
    const ssnd = chunk('SSND', [...be(0, 8), 0, 1, 0, 2], 'be')
    expect(await errorCodeOf(() => readAiff(form('AIFF', [comm(1, 10, 16), ssnd]), 'short.aiff'))).toBe('TRUNCATED_FILE')
  })
})
