import { randomUUID } from 'node:crypto'
import { open, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { RefmasterError } from '../errors.js'
import { assertProcessable, type Audio } from './audio.js'
import { channelDitherSeed, DEFAULT_DITHER_SEED, tpdfDither } from './dither.js'
import { encodeFlac } from './flac.js'
import { formatFromExtension, type OutputFormat } from './formats.js'
import { encodeMp3, MP3_SAMPLE_RATES_HZ } from './mp3.js'
import { quantizeRounded } from './quantize.js'
import { resample } from './resample.js'
import { wavPieces, writeWav, type WavSamples } from './wav-write.js'

/**
 * The one way out of refmaster for audio: `Audio` to the bytes of an output file, and an atomic file
 * writer. Integer outputs clip to the code range (never wrap); 16-bit outputs are TPDF-dithered with a
 * fixed seed, so the same master always gives the same bytes; 24-bit outputs are rounded; 32-bit float
 * keeps the samples as they are, overs included.
 */

/** Rates MP3 output is converted to when the audio's rate is not an MPEG-1 rate: the 44.1 kHz family
 * (multiples of 11025 Hz) goes to 44.1 kHz, everything else to 48 kHz. */
const MP3_RATE_FOR_44K_FAMILY_HZ = 44100
const MP3_RATE_OTHERWISE_HZ = 48000
const RATE_44K_FAMILY_BASE_HZ = 11025

/** Integer codes of every channel, TPDF-dithered to `bits` (each channel with its own noise). */
function dithered(audio: Audio, bits: number): Int32Array[] {
  return audio.channels.map((channel, index) => tpdfDither(channel, bits, channelDitherSeed(DEFAULT_DITHER_SEED, index)))
}

/** The sample rate an MP3 of audio at `sampleRateHz` is written at. */
export function mp3SampleRateFor(sampleRateHz: number): number {
  if (MP3_SAMPLE_RATES_HZ.includes(sampleRateHz)) return sampleRateHz
  return sampleRateHz % RATE_44K_FAMILY_BASE_HZ === 0 ? MP3_RATE_FOR_44K_FAMILY_HZ : MP3_RATE_OTHERWISE_HZ
}

/**
 * Encodes `audio` (mono or stereo) as a complete file in `format`. MP3 needs an MPEG-1 rate (32, 44.1 or
 * 48 kHz): other rates are resampled first (see `mp3SampleRateFor`). The decoded MP3 is longer than
 * the input by the encoder delay and padding (see mp3.ts).
 */
export async function encodeAudio(audio: Audio, format: OutputFormat): Promise<Uint8Array> {
  assertProcessable(audio, 'audio to encode')
  const rate = audio.sampleRateHz
  const wav = wavSamplesOf(audio, format)
  if (wav) return writeWav(wav, rate)
  switch (format) {
    case 'flac16':
      return encodeFlac(dithered(audio, 16), rate, 16)
    case 'flac24':
      return encodeFlac(audio.channels.map((c) => quantizeRounded(c, 24)), rate, 24)
    case 'mp3': {
      const converted = resample(audio, mp3SampleRateFor(rate))
      const codes = dithered(converted, 16).map((channel) => Int16Array.from(channel))
      return encodeMp3(codes, converted.sampleRateHz)
    }
    default:
      throw new RefmasterError('INVALID_PARAMETER', `unknown output format '${String(format)}'`)
  }
}

/** The samples a WAV `format` writes (16-bit dithered, 24-bit rounded, 32-bit float), or null for other formats. */
function wavSamplesOf(audio: Audio, format: OutputFormat): WavSamples | null {
  if (format === 'wav16') return { sampleFormat: 'int', bitsPerSample: 16, channels: dithered(audio, 16) }
  if (format === 'wav24') return { sampleFormat: 'rounded24', channels: audio.channels }
  if (format === 'wav32f') return { sampleFormat: 'float', channels: audio.channels }
  return null
}

/** WAV files are written this many frames at a time (1.5 MB of 24-bit stereo): never whole in memory. */
const WAV_PIECE_FRAMES = 1 << 18

/** Writes the bytes of `audio` as `format` to a new file at `path` (which must not exist). */
async function writeNewFile(path: string, audio: Audio, format: OutputFormat): Promise<void> {
  assertProcessable(audio, 'audio to encode')
  const wav = wavSamplesOf(audio, format)
  if (!wav) return writeFile(path, await encodeAudio(audio, format), { flag: 'wx' })
  const file = await open(path, 'wx')
  try {
    // Two buffers: the next piece is converted while the one before is being written.
    let writing: Promise<unknown> | undefined
    for (const piece of wavPieces(wav, audio.sampleRateHz, WAV_PIECE_FRAMES, 2)) {
      await writing
      writing = file.write(piece)
    }
    await writing
  } finally {
    await file.close()
  }
}

/**
 * Encodes `audio` and writes it to `path` atomically: the bytes go to a temporary file in the same
 * directory, which is then renamed over `path`, so readers never see a half-written file; the temporary
 * file is removed if anything fails. `format` defaults to the one for the path's extension.
 */
export async function writeAudioFile(path: string, audio: Audio, format: OutputFormat = formatFromExtension(path)): Promise<void> {
  const temporaryPath = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`)
  try {
    await writeNewFile(temporaryPath, audio, format)
    await rename(temporaryPath, path)
  } catch (error) {
    await rm(temporaryPath, { force: true }).catch(() => undefined)
    // Errors of the audio itself (not of the file system) keep their own code.
    if (error instanceof RefmasterError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : String(error)
    throw new RefmasterError('ENCODE_FAILED', `cannot write '${path}': ${reason}`, { cause: error })
  }
}
