import { RefmasterError } from '../errors.js'
import type { Audio } from './audio.js'
import { fourCc, viewOf } from './bytes.js'
import { findChunk, listChunks, type Chunk } from './chunks.js'
import { isSupportedPcm, pcmToPlanar, wholeFramesPresent, type PcmEncoding } from './pcm.js'

/**
 * Our own WAV reader: RIFF/WAVE and RF64/BW64 (EBU Tech 3306), format tags PCM (8/16/24/32-bit and
 * 20/24-in-32 containers), IEEE float (32/64-bit) and WAVE_FORMAT_EXTENSIBLE wrapping either.
 */

/** wFormatTag values (Microsoft mmreg.h). */
const WAVE_FORMAT_PCM = 0x0001
const WAVE_FORMAT_IEEE_FLOAT = 0x0003
const WAVE_FORMAT_EXTENSIBLE = 0xfffe

/** Names for tags we refuse, so the message says what the file holds (mmreg.h). */
const OTHER_FORMAT_TAGS: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x2000: 'AC-3',
}

/** Size of WAVEFORMAT (tag, channels, rate, byte rate, block align, bits): 16 bytes. */
const FMT_BASE_BYTES = 16
/** WAVEFORMATEXTENSIBLE adds cbSize(2) + validBits(2) + channelMask(4) + SubFormat GUID(16): 40 bytes. */
const FMT_EXTENSIBLE_BYTES = 40
/** Offset of the SubFormat GUID in the fmt body; its first two bytes are the wrapped format tag. */
const FMT_SUBFORMAT_OFFSET = 24

/**
 * Data sizes that streaming writers put in the header when they cannot seek back to fix it: ffmpeg
 * writing to a pipe leaves 0xFFFFFFFF, SoX leaves 0x7FFFF000 (sox src/wav.c, "can't seek to fix it").
 * With these the data is read to the end of the file.
 */
const STREAMING_DATA_SIZES: readonly number[] = [0xffffffff, 0x7ffff000]

/** RF64's data chunk says 0xFFFFFFFF and defers to the 64-bit size in 'ds64' (EBU Tech 3306, 3.5). */
const RF64_SIZE_IN_DS64 = 0xffffffff
/** Offset of the 64-bit data size in the ds64 body (after the 64-bit RIFF size). */
const DS64_DATA_SIZE_OFFSET = 8

/** RIFF header: 'RIFF' + size + 'WAVE'. */
const RIFF_HEADER_BYTES = 12

interface WavFormat {
  readonly channelCount: number
  readonly sampleRateHz: number
  readonly encoding: PcmEncoding
}

/** True when the bytes start like a WAV file ('RIFF', 'RF64' or 'BW64' ... 'WAVE'). */
export function isWav(bytes: Uint8Array): boolean {
  if (bytes.length < RIFF_HEADER_BYTES) return false
  const riff = fourCc(bytes, 0)
  return (riff === 'RIFF' || riff === 'RF64' || riff === 'BW64') && fourCc(bytes, 8) === 'WAVE'
}

/** Decodes a whole WAV file to planar float. Exact: one output frame per frame in the file. */
export function readWav(bytes: Uint8Array, what: string): Audio {
  const list = listChunks(bytes, RIFF_HEADER_BYTES, true)
  const fmtChunk = findChunk(list, 'fmt ')
  if (fmtChunk === undefined || fmtChunk.availableBytes < fmtChunk.declaredBytes) {
    if (list.endsInsideChunk) throw new RefmasterError('TRUNCATED_FILE', `${what}: WAV file ends before its 'fmt ' chunk is complete`)
    throw new RefmasterError('CORRUPT_FILE', `${what}: WAV file has no 'fmt ' chunk`)
  }
  const format = parseFmt(bytes, fmtChunk, what)
  const dataChunk = findChunk(list, 'data')
  if (dataChunk === undefined) {
    if (list.endsInsideChunk) throw new RefmasterError('TRUNCATED_FILE', `${what}: WAV file ends before its 'data' chunk`)
    throw new RefmasterError('CORRUPT_FILE', `${what}: WAV file has no 'data' chunk`)
  }
  const frameBytes = format.channelCount * format.encoding.bytesPerSample
  const declaredBytes = declaredDataBytes(bytes, list.chunks, dataChunk, bytes.length - dataChunk.bodyOffset)
  const availableBytes = Math.min(declaredBytes, bytes.length - dataChunk.bodyOffset)
  const frameCount = wholeFramesPresent({ declaredBytes, availableBytes, frameBytes }, what, "the WAV 'data' chunk")
  const channels = pcmToPlanar(bytes, dataChunk.bodyOffset, frameCount, format.channelCount, format.encoding)
  return { channels, sampleRateHz: format.sampleRateHz }
}

/** Where a WAV file's samples are: their format, the byte offset of the first frame, and the frame count. */
export interface WavLayout {
  readonly channelCount: number
  readonly sampleRateHz: number
  readonly encoding: PcmEncoding
  readonly dataOffset: number
  readonly frameCount: number
}

/**
 * The layout of a plain WAV file from its first bytes (`head`) and its size, for readers that go through
 * the file piece by piece; null unless the head settles it simply: a RIFF file with its 'fmt ' chunk
 * complete before the 'data' chunk, an actual data size (not a streaming placeholder) and all of that
 * data present. Anything else (RF64, damage, truncation) is for `readWav` on the whole file, which has
 * the error messages. Errors in the format itself throw what `readWav` throws.
 */
export function wavLayout(head: Uint8Array, fileBytes: number, what: string): WavLayout | null {
  if (!isWav(head) || fourCc(head, 0) !== 'RIFF') return null
  const list = listChunks(head, RIFF_HEADER_BYTES, true)
  const fmtChunk = findChunk(list, 'fmt ')
  const dataChunk = findChunk(list, 'data')
  if (!fmtChunk || !dataChunk || fmtChunk.availableBytes < fmtChunk.declaredBytes || fmtChunk.bodyOffset > dataChunk.bodyOffset) return null
  if (STREAMING_DATA_SIZES.includes(dataChunk.declaredBytes) || dataChunk.bodyOffset + dataChunk.declaredBytes > fileBytes) return null
  const format = parseFmt(head, fmtChunk, what)
  const frameBytes = format.channelCount * format.encoding.bytesPerSample
  return { ...format, dataOffset: dataChunk.bodyOffset, frameCount: Math.floor(dataChunk.declaredBytes / frameBytes) }
}

/** The data size the header means: RF64's ds64 size, "to the end" for streaming placeholders, else as declared. */
function declaredDataBytes(bytes: Uint8Array, chunks: Chunk[], data: Chunk, bytesToEnd: number): number {
  const isRf64 = fourCc(bytes, 0) !== 'RIFF'
  if (isRf64 && data.declaredBytes === RF64_SIZE_IN_DS64) {
    const ds64 = chunks.find((chunk) => chunk.id === 'ds64')
    if (ds64 !== undefined && ds64.availableBytes >= DS64_DATA_SIZE_OFFSET + 8) {
      const view = viewOf(bytes)
      const low = view.getUint32(ds64.bodyOffset + DS64_DATA_SIZE_OFFSET, true)
      const high = view.getUint32(ds64.bodyOffset + DS64_DATA_SIZE_OFFSET + 4, true)
      return high * 2 ** 32 + low
    }
  }
  if (STREAMING_DATA_SIZES.includes(data.declaredBytes)) return bytesToEnd
  return data.declaredBytes
}

function parseFmt(bytes: Uint8Array, chunk: Chunk, what: string): WavFormat {
  if (chunk.declaredBytes < FMT_BASE_BYTES) {
    throw new RefmasterError('CORRUPT_FILE', `${what}: WAV 'fmt ' chunk is ${chunk.declaredBytes} bytes, at least ${FMT_BASE_BYTES} expected`)
  }
  // WAVEFORMAT: tag(2) channels(2) samplesPerSec(4) avgBytesPerSec(4) blockAlign(2) bitsPerSample(2)
  const view = new DataView(bytes.buffer, bytes.byteOffset + chunk.bodyOffset, chunk.declaredBytes)
  let formatTag = view.getUint16(0, true)
  const channelCount = view.getUint16(2, true)
  const sampleRateHz = view.getUint32(4, true)
  const blockAlignBytes = view.getUint16(12, true)
  const bitsPerSample = view.getUint16(14, true)
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (chunk.declaredBytes < FMT_EXTENSIBLE_BYTES) {
      throw new RefmasterError('CORRUPT_FILE', `${what}: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${chunk.declaredBytes} bytes, ${FMT_EXTENSIBLE_BYTES} expected`)
    }
    formatTag = view.getUint16(FMT_SUBFORMAT_OFFSET, true)
  }
  if (channelCount === 0 || sampleRateHz === 0) {
    throw new RefmasterError('CORRUPT_FILE', `${what}: WAV header says ${channelCount} channels at ${sampleRateHz} Hz`)
  }
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = OTHER_FORMAT_TAGS[formatTag] ?? `format tag 0x${formatTag.toString(16).padStart(4, '0')}`
    throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: WAV file holds ${name} audio; refmaster reads PCM and float WAV only`)
  }
  // the container size comes from the block alignment, so 20- or 24-bit samples in wider containers read right
  const bytesPerSample = blockAlignBytes / channelCount
  const minimumBytes = Math.ceil(bitsPerSample / 8)
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < minimumBytes || bitsPerSample === 0) {
    throw new RefmasterError(
      'CORRUPT_FILE',
      `${what}: WAV block alignment of ${blockAlignBytes} bytes does not fit ${channelCount} channels of ${bitsPerSample}-bit samples`,
    )
  }
  const isFloat = formatTag === WAVE_FORMAT_IEEE_FLOAT
  const encoding: PcmEncoding = {
    sampleFormat: isFloat ? 'float' : bytesPerSample === 1 ? 'uint8' : 'int',
    bytesPerSample,
    littleEndian: true,
  }
  if (!isSupportedPcm(encoding)) {
    const kind = isFloat ? 'float' : 'integer'
    throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: WAV holds ${bytesPerSample * 8}-bit ${kind} samples; refmaster reads 8/16/24/32-bit integer and 32/64-bit float`)
  }
  return { channelCount, sampleRateHz, encoding }
}
