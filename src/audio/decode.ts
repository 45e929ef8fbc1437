import { open, readFile } from 'node:fs/promises'
import { RefmasterError } from '../errors.js'
import { readAiff } from './aiff.js'
import { assertProcessable, type Audio } from './audio.js'
import { decodeCompressed, restoreFlacScale, type DecodedPcm } from './codecs.js'
import { endsWithCompleteFlacFrame, parseStreamInfo, readFlacStreamInfo } from './flac-info.js'
import { inspectMp3 } from './mp3-frames.js'
import { inspectOgg, OGG_FLAC_STREAMINFO_OFFSET } from './ogg.js'
import { sniffFormat, startsWithId3v2 } from './sniff.js'
import { sharedChannels } from './fresh-channels.js'
import { pcmIntoPlanar } from './pcm.js'
import { readWav, wavLayout } from './wav.js'

/**
 * The one way into refmaster for audio: bytes or a path in, planar float `Audio` out, or a
 * `RefmasterError` that names the file and the problem. WAV and AIFF are read by our own readers
 * (exact frame counts); FLAC, MP3, Ogg Vorbis/Opus/FLAC go through audio-decode after structural
 * checks that catch truncation and corruption the decoders would hide.
 */

/** Lowest and highest sample rates we accept (audio.ts assertProcessable uses the same bounds). */
const MIN_SAMPLE_RATE_HZ = 8000
const MAX_SAMPLE_RATE_HZ = 384000
/**
 * Lossy decoders overshoot a 0 dBFS master by a few dB at most; output beyond +24 dBFS means the
 * decoder is turning damaged data into noise (engineering bound, not a standard).
 */
const MAX_PLAUSIBLE_DECODED_PEAK = 16

const emptyFile = (what: string) => new RefmasterError('EMPTY_FILE', `${what}: file is empty (0 bytes)`)

/** Decodes a file already in memory. `what` names it in error messages (a path, or "upload"). */
export async function decodeAudio(bytes: Uint8Array, what = 'input'): Promise<Audio> {
  if (bytes.length === 0) throw emptyFile(what)
  let audio: Audio
  try {
    audio = await decodeByContainer(bytes, what)
  } catch (error) {
    if (error instanceof RefmasterError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new RefmasterError('CORRUPT_FILE', `${what}: could not be decoded: ${reason}`, { cause: error })
  }
  return checked(audio, what)
}

/** Refuses decoded audio no stage can process: a rate out of range, too many channels, non-finite samples. */
function checked(audio: Audio, what: string): Audio {
  const rate = audio.sampleRateHz
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE_HZ || rate > MAX_SAMPLE_RATE_HZ) {
    throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: sample rate ${rate} Hz is outside the supported [${MIN_SAMPLE_RATE_HZ}, ${MAX_SAMPLE_RATE_HZ}] Hz`)
  }
  assertProcessable(audio, what)
  assertFinite(audio, what)
  return audio
}

/** Bytes read first to find a WAV file's layout, and frames read at a time after that. */
const WAV_HEAD_BYTES = 1 << 16
const WAV_PIECE_FRAMES = 1 << 16

/**
 * A plain WAV file (`wavLayout`) read piece by piece into its channels, without the whole file in memory
 * (new memory costs about 4 ms per MB in page faults on the project's machine: more than the conversion).
 * Null for anything else, and on any error: `decodeFile` then reads the whole file the usual way, which
 * says what is wrong.
 */
async function readWavInPieces(path: string): Promise<Audio | null> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    const head = new Uint8Array(Math.min(size, WAV_HEAD_BYTES))
    await file.read(head, 0, head.length, 0)
    const layout = wavLayout(head, size, path)
    if (!layout) return null
    const { channelCount, encoding, dataOffset, frameCount } = layout
    const frameBytes = channelCount * encoding.bytesPerSample
    // Shared memory: the render's helper threads can work on the samples in place.
    const channels = sharedChannels(channelCount, frameCount)
    const piece = new Uint8Array(Math.min(frameCount, WAV_PIECE_FRAMES) * frameBytes)
    for (let first = 0; first < frameCount; first += WAV_PIECE_FRAMES) {
      const count = Math.min(WAV_PIECE_FRAMES, frameCount - first)
      const { bytesRead } = await file.read(piece, 0, count * frameBytes, dataOffset + first * frameBytes)
      if (bytesRead < count * frameBytes) return null
      pcmIntoPlanar(piece, 0, encoding, channels.map((channel) => channel.subarray(first, first + count)))
    }
    return { channels, sampleRateHz: layout.sampleRateHz }
  } finally {
    await file.close()
  }
}

/** FILE_NOT_FOUND for a file system error while reading `path`. */
function unreadable(path: string, error: unknown): RefmasterError {
  const code = (error as NodeJS.ErrnoException).code
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(error)
  return new RefmasterError('FILE_NOT_FOUND', `cannot read '${path}': ${reason}`, { cause: error })
}

/** Reads and decodes the file at `path`. A missing or unreadable file gives FILE_NOT_FOUND. */
export async function decodeFile(path: string): Promise<Audio> {
  const wav = await readWavInPieces(path).catch(() => null)
  if (wav) return checked(wav, path)
  const bytes = await readFile(path).catch((error: unknown) => {
    throw unreadable(path, error)
  })
  return decodeAudio(bytes, path)
}

/** Bytes read from the start of a file to tell its format: every container's signature, or an ID3 tag's header. */
const SNIFF_HEAD_BYTES = 64 * 1024

/**
 * Checks, without decoding, that the file at `path` can be read and is in a format refmaster decodes
 * (FILE_NOT_FOUND, EMPTY_FILE or UNSUPPORTED_FORMAT name it otherwise). Reads only its first bytes, or
 * the whole file when it starts with an ID3 tag (whose size, cover art included, only the tag tells). A
 * damaged stream is found when the file is decoded.
 */
export async function checkAudioFile(path: string): Promise<void> {
  let head: Uint8Array
  try {
    const file = await open(path, 'r')
    try {
      const { bytesRead, buffer } = await file.read(new Uint8Array(SNIFF_HEAD_BYTES), 0, SNIFF_HEAD_BYTES, 0)
      head = buffer.subarray(0, bytesRead)
    } finally {
      await file.close()
    }
  } catch (error) {
    throw unreadable(path, error)
  }
  if (head.length === 0) throw emptyFile(path)
  sniffFormat(startsWithId3v2(head) ? await readFile(path) : head, path)
}

async function decodeByContainer(bytes: Uint8Array, what: string): Promise<Audio> {
  const { container, streamOffset } = sniffFormat(bytes, what)
  switch (container) {
    case 'wav':
      return readWav(bytes, what)
    case 'aiff':
      return readAiff(bytes, what)
    case 'flac':
      return decodeFlac(bytes, streamOffset, what)
    case 'ogg': {
      const { codec, firstPacketOffset } = inspectOgg(bytes, what)
      const decoded = await decodeCompressed(bytes, `Ogg ${codec}`, what)
      if (codec === 'flac') restoreFlacScale(decoded.channels, parseStreamInfo(bytes, firstPacketOffset + OGG_FLAC_STREAMINFO_OFFSET).bitsPerSample)
      return checkedLossy(decoded, what)
    }
    case 'mp3': {
      const stream = inspectMp3(bytes, streamOffset, what)
      const decoded = checkedLossy(await decodeCompressed(bytes, 'MP3', what), what)
      // audio-decode merges identical stereo channels into one; keep the width the stream declares
      if (stream.channelCount === 2 && decoded.channels.length === 1) {
        return { ...decoded, channels: [decoded.channels[0], decoded.channels[0].slice()] }
      }
      return decoded
    }
  }
}

async function decodeFlac(bytes: Uint8Array, streamOffset: number, what: string): Promise<Audio> {
  const info = readFlacStreamInfo(bytes, streamOffset, what)
  const decoded = await decodeCompressed(bytes, 'FLAC', what)
  const frames = decoded.channels.length === 0 ? 0 : decoded.channels[0].length
  if (info.totalFrames > 0 && frames < info.totalFrames) {
    if (endsWithCompleteFlacFrame(bytes, info)) {
      throw new RefmasterError('CORRUPT_FILE', `${what}: FLAC decoded to ${frames} of the ${info.totalFrames} frames its STREAMINFO declares; damaged frames were skipped`)
    }
    throw new RefmasterError('TRUNCATED_FILE', `${what}: FLAC file ends early: ${frames} of the ${info.totalFrames} frames its STREAMINFO declares are present`)
  }
  if (frames === 0 && info.audioOffset < bytes.length) {
    throw new RefmasterError('CORRUPT_FILE', `${what}: FLAC file has ${bytes.length - info.audioOffset} bytes of audio data but no decodable frame`)
  }
  restoreFlacScale(decoded.channels, info.bitsPerSample)
  // exact length: what STREAMINFO declares, when it declares it
  const channels = info.totalFrames > 0 ? decoded.channels.map((channel) => channel.subarray(0, info.totalFrames)) : decoded.channels
  return { channels, sampleRateHz: decoded.sampleRateHz }
}

/** Refuses lossy-decoder output that holds non-finite or absurdly loud samples. */
function checkedLossy(decoded: DecodedPcm, what: string): Audio {
  for (const channel of decoded.channels) {
    for (let i = 0; i < channel.length; i++) {
      const magnitude = Math.abs(channel[i])
      if (!(magnitude <= MAX_PLAUSIBLE_DECODED_PEAK)) {
        throw new RefmasterError('CORRUPT_FILE', `${what}: the decoder produced ${channel[i]} at sample ${i}; the stream is damaged`)
      }
    }
  }
  return { channels: decoded.channels, sampleRateHz: decoded.sampleRateHz }
}

/** Float WAV/AIFF can hold NaN or infinity, which no stage can process: CORRUPT_FILE. */
function assertFinite(audio: Audio, what: string): void {
  audio.channels.forEach((channel, channelIndex) => {
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i])) {
        throw new RefmasterError('CORRUPT_FILE', `${what}: sample ${i} of channel ${channelIndex + 1} is ${channel[i]}`)
      }
    }
  })
}
