/**
 * decodeAudio / decodeFile failures: each gives a RefmasterError with the right code, a message naming
 * the file, quickly (audio-decode may hang or return garbage on bad input; our checks must not let it).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkAudioFile, decodeAudio, decodeFile } from '../../src/audio/decode.js'
import { writeWav } from '../../src/audio/wav-write.js'
import { errorCodeOf, ffmpegFromLavfi, makeTempDir, pseudoRandomBytes, refmasterErrorOf, sine, sineSource, skipNote, TOOLS } from './support.js'

const RATE_HZ = 44100

function wav16(channels: number, frames: number): Uint8Array {
  const samples = Array.from({ length: channels }, () => Int32Array.from(sine(1000, RATE_HZ, frames, 10000), Math.round))
  return writeWav({ sampleFormat: 'int', bitsPerSample: 16, channels: samples }, RATE_HZ)
}

function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice()
  new DataView(copy.buffer).setUint32(offset, value, true)
  return copy
}

/** Offsets in a plain 44-byte-header WAV from writeWav. */
const WAV = { formatTag: 20, sampleRate: 24, dataSize: 40, header: 44 } as const

async function expectQuickError(bytes: Uint8Array, what: string): Promise<string> {
  // A decoder that hangs on damaged input fails through the test timeout instead.
  const error = await refmasterErrorOf(() => decodeAudio(bytes, what))
  expect(error.message).toContain(what)
  return error.code
}

describe('decode errors without external tools', () => {
  it('refuses an empty file and a WAV without samples with EMPTY_FILE', async () => {
    expect(await expectQuickError(new Uint8Array(0), 'empty.wav')).toBe('EMPTY_FILE')
    expect(await expectQuickError(wav16(2, 0), 'no-samples.wav')).toBe('EMPTY_FILE')
  })

  it('names what a non-audio file starts with', async () => {
    const text = await refmasterErrorOf(() => decodeAudio(new TextEncoder().encode('hello, this is a text file\n'.repeat(40)), 'notes.txt'))
    expect(text.code).toBe('UNSUPPORTED_FORMAT')
    expect(text.message).toContain("'hell'")
    const pdf = await refmasterErrorOf(() => decodeAudio(new TextEncoder().encode('%PDF-1.7\n%binary...'), 'paper.pdf'))
    expect(pdf.code).toBe('UNSUPPORTED_FORMAT')
    expect(pdf.message).toContain("file starts with '%PDF'")
    const m4a = new Uint8Array(64)
    m4a.set(new TextEncoder().encode('ftypM4A '), 4)
    expect((await refmasterErrorOf(() => decodeAudio(m4a, 'song.m4a'))).message).toContain('MPEG-4')
  })

  it('refuses random bytes, alone and behind each container signature, quickly', async () => {
    const noise = pseudoRandomBytes(200_000)
    noise[0] = 0x00 // not by chance an MPEG sync
    expect(await expectQuickError(noise, 'random.bin')).toBe('UNSUPPORTED_FORMAT')
    const signatures: Record<string, number[]> = {
      wav: [...new TextEncoder().encode('RIFF'), 0xff, 0xff, 0, 0, ...new TextEncoder().encode('WAVE')],
      aiff: [...new TextEncoder().encode('FORM'), 0, 0xff, 0xff, 0, ...new TextEncoder().encode('AIFF')],
      flac: [...new TextEncoder().encode('fLaC')],
      ogg: [...new TextEncoder().encode('OggS')],
      mp3: [0xff, 0xfb, 0x90, 0x64],
      id3: [...new TextEncoder().encode('ID3'), 4, 0, 0, 0, 0, 0, 10],
    }
    for (const [name, head] of Object.entries(signatures)) {
      const bytes = pseudoRandomBytes(200_000, 99)
      bytes.set(head, 0)
      expect(['CORRUPT_FILE', 'TRUNCATED_FILE', 'UNSUPPORTED_FORMAT']).toContain(await expectQuickError(bytes, `random-${name}`))
    }
  })

  it('refuses a WAV cut by whole frames with TRUNCATED_FILE, and decodes one missing only part of its last frame', async () => {
    const full = wav16(2, 1000)
    expect(await expectQuickError(full.subarray(0, full.length - 400), 'cut.wav')).toBe('TRUNCATED_FILE')
    expect(await expectQuickError(full.subarray(0, 30), 'cut-in-header.wav')).toBe('TRUNCATED_FILE')
    const partial = await decodeAudio(full.subarray(0, full.length - 2), 'partial-frame.wav')
    expect(partial.channels[0].length).toBe(999)
  })

  it('reads a WAV whose data size is a streaming placeholder to the end of the file', async () => {
    const full = wav16(2, 1000)
    for (const placeholder of [0xffffffff, 0x7ffff000]) {
      const audio = await decodeAudio(withUint32(full, WAV.dataSize, placeholder), 'piped.wav')
      expect(audio.channels[0].length).toBe(1000)
    }
  })

  it('names compressed WAV formats it does not read', async () => {
    const adpcm = new Uint8Array(wav16(1, 100))
    new DataView(adpcm.buffer).setUint16(WAV.formatTag, 0x0002, true)
    const error = await refmasterErrorOf(() => decodeAudio(adpcm, 'adpcm.wav'))
    expect(error.code).toBe('UNSUPPORTED_FORMAT')
    expect(error.message).toContain('ADPCM')
  })

  it('refuses more than two channels with TOO_MANY_CHANNELS', async () => {
    expect(await expectQuickError(wav16(3, 100), 'three.wav')).toBe('TOO_MANY_CHANNELS')
  })

  it('refuses sample rates outside 8-384 kHz and non-finite float samples', async () => {
    const slow = withUint32(wav16(1, 100), WAV.sampleRate, 4000)
    expect(await expectQuickError(slow, 'slow.wav')).toBe('UNSUPPORTED_FORMAT')
    const floats = new Float32Array([0, 0.5, Number.NaN, 0.25])
    expect(await expectQuickError(writeWav({ sampleFormat: 'float', channels: [floats] }, RATE_HZ), 'nan.wav')).toBe('CORRUPT_FILE')
  })

  it('gives FILE_NOT_FOUND for a missing path or a directory', async () => {
    const missing = await refmasterErrorOf(() => decodeFile('/nonexistent/dir/song.wav'))
    expect(missing.code).toBe('FILE_NOT_FOUND')
    expect(missing.message).toContain('/nonexistent/dir/song.wav')
    expect(await errorCodeOf(() => decodeFile('/tmp'))).toBe('FILE_NOT_FOUND')
  })
})

describe('checkAudioFile: the format, without decoding', () => {
  const temp = makeTempDir()
  afterAll(() => temp.remove())
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(temp.path, name)
    writeFileSync(path, bytes)
    return path
  }

  it('passes a file refmaster decodes, also behind an ID3 tag longer than the bytes it reads first', async () => {
    await expect(checkAudioFile(file('tone.wav', wav16(2, 1000)))).resolves.toBeUndefined()
    const tagBytes = 200_000
    const syncsafe = [21, 14, 7, 0].map((shift) => (tagBytes >> shift) & 0x7f)
    const tagged = new Uint8Array([...new TextEncoder().encode('ID3'), 4, 0, 0, ...syncsafe, ...new Uint8Array(tagBytes), ...new TextEncoder().encode('fLaC'), 0, 0, 0, 34])
    await expect(checkAudioFile(file('tagged.flac', tagged))).resolves.toBeUndefined()
  })

  it('names an empty, a foreign and a missing file with their codes', async () => {
    const empty = file('empty.wav', new Uint8Array(0))
    expect(await errorCodeOf(() => checkAudioFile(empty))).toBe('EMPTY_FILE')
    const notes = file('notes.wav', 'these are my notes, not audio')
    const foreign = await refmasterErrorOf(() => checkAudioFile(notes))
    expect(foreign.code).toBe('UNSUPPORTED_FORMAT')
    expect(foreign.message).toContain(notes)
    expect(await errorCodeOf(() => checkAudioFile(join(temp.path, 'nowhere.wav')))).toBe('FILE_NOT_FOUND')
  })
})

describe(`decode errors on damaged ffmpeg fixtures${skipNote('ffmpeg')}`, () => {
  const temp = makeTempDir()
  const files = new Map<string, Uint8Array>()
  const source = sineSource([440, 660], [0.5, 0.5], 44100, 3)
  const made: Record<string, string[]> = {
    'song.mp3': ['-c:a', 'libmp3lame', '-b:a', '192k'],
    'song.ogg': ['-c:a', 'libvorbis'],
    'song.opus': ['-c:a', 'libopus'],
    'song.flac': ['-c:a', 'flac'],
    'song.aiff': ['-c:a', 'pcm_s16be'],
  }
  beforeAll(() => {
    if (!TOOLS.ffmpeg) return
    for (const [name, options] of Object.entries(made)) {
      ffmpegFromLavfi(source, join(temp.path, name), options)
      files.set(name, readFileSync(join(temp.path, name)))
    }
    ffmpegFromLavfi(sineSource([440, 550, 660], [0.3, 0.3, 0.3], 44100, 0.5), join(temp.path, 'three.flac'), ['-c:a', 'flac'])
    ffmpegFromLavfi(sineSource([440, 550, 660], [0.3, 0.3, 0.3], 44100, 0.5), join(temp.path, 'three.wav'), ['-c:a', 'pcm_s16le'])
  })
  afterAll(() => temp.remove())

  it.skipIf(!TOOLS.ffmpeg).each(Object.keys(made))('refuses %s cut in half with TRUNCATED_FILE', async (name) => {
    const bytes = files.get(name) as Uint8Array
    expect(await expectQuickError(bytes.subarray(0, Math.floor(bytes.length / 2)), `half-${name}`)).toBe('TRUNCATED_FILE')
  })

  it.skipIf(!TOOLS.ffmpeg).each(['song.ogg', 'song.opus', 'song.flac'])('refuses %s with damaged bytes in the middle with CORRUPT_FILE', async (name) => {
    const bytes = (files.get(name) as Uint8Array).slice()
    const middle = Math.floor(bytes.length / 2)
    for (let i = middle; i < middle + 2000; i += 50) bytes[i] ^= 0x5a
    expect(await expectQuickError(bytes, `damaged-${name}`)).toBe('CORRUPT_FILE')
  })

  it.skipIf(!TOOLS.ffmpeg)('refuses a damaged MP3 with a clean error or decodes it to finite audio', async () => {
    // MP3 frames carry no checksum: damage inside a frame is undetectable unless the decoder output is absurd
    const bytes = (files.get('song.mp3') as Uint8Array).slice()
    for (let i = 2000; i < bytes.length; i += 97) bytes[i] ^= 0x5a
    try {
      const audio = await decodeAudio(bytes, 'damaged.mp3')
      expect(audio.channels[0].every(Number.isFinite)).toBe(true)
    } catch (error) {
      expect((error as { code?: string }).code).toBe('CORRUPT_FILE')
    }
  })

  it.skipIf(!TOOLS.ffmpeg)('refuses three-channel FLAC and WAV files with TOO_MANY_CHANNELS', async () => {
    for (const name of ['three.flac', 'three.wav']) {
      expect(await errorCodeOf(() => decodeFile(join(temp.path, name)))).toBe('TOO_MANY_CHANNELS')
    }
  })

  it.skipIf(!TOOLS.ffmpeg)('never lets a raw library exception escape, whatever the cut', async () => {
    for (const [name, bytes] of files) {
      for (const fraction of [0.01, 0.1, 0.3, 0.7, 0.95]) {
        const cut = bytes.subarray(0, Math.max(1, Math.floor(bytes.length * fraction)))
        const path = join(temp.path, `cut-${fraction}-${name}`)
        writeFileSync(path, cut)
        await decodeFile(path).catch((error: unknown) => {
          expect((error as Error).name).toBe('RefmasterError')
        })
      }
    }
  })
})
