import { RefmasterError } from '../errors.js'
import { integerLimits, type IntegerLimits } from './quantize.js'

/**
 * Our own WAV writer. Integer PCM uses the plain 16-byte WAVEFORMAT header (format tag 1), which every
 * reader accepts for 16 and 24 bits; float uses format tag 3 with an 18-byte fmt chunk (cbSize = 0)
 * followed by a 'fact' chunk, as the WAVE spec requires for non-PCM data (Microsoft, "Multimedia
 * Programming Interface and Data Specifications 1.0", 1991; also STACK.md).
 */

/** Quantised integer samples (already dithered or rounded and clipped to `bitsPerSample`). */
export interface WavIntegerSamples {
  readonly sampleFormat: 'int'
  readonly bitsPerSample: 16 | 24
  readonly channels: Int32Array[]
}

/** 32-bit float samples, written as they are. */
export interface WavFloatSamples {
  readonly sampleFormat: 'float'
  readonly channels: Float32Array[]
}

/**
 * Float samples written as 24-bit integers, each rounded as `quantizeRounded` does (same bytes), without
 * an integer copy of the whole signal.
 */
export interface WavRounded24Samples {
  readonly sampleFormat: 'rounded24'
  readonly channels: Float32Array[]
}

/** What `writeWav` accepts. */
export type WavSamples = WavIntegerSamples | WavFloatSamples | WavRounded24Samples

const WAVE_FORMAT_PCM = 0x0001
const WAVE_FORMAT_IEEE_FLOAT = 0x0003
/** fmt body sizes: WAVEFORMAT for PCM, WAVEFORMATEX with cbSize = 0 for float. */
const FMT_PCM_BYTES = 16
const FMT_FLOAT_BYTES = 18
/** 'fact' body: the frame count as a 32-bit integer. */
const FACT_BYTES = 4
const CHUNK_HEADER_BYTES = 8
/** 'WAVE' form type after the RIFF size. */
const WAVE_ID_BYTES = 4
/** RIFF sizes are 32-bit: a plain WAV file cannot exceed 4 GiB. */
const MAX_RIFF_BYTES = 0xffffffff

/** The header of a WAV file of `samples` (everything before the sample data) and the size of what follows. */
function wavHeader(samples: WavSamples, sampleRateHz: number): { header: Uint8Array; blockAlignBytes: number; dataBytes: number; padBytes: number } {
  const channelCount = samples.channels.length
  const frameCount = channelCount === 0 ? 0 : samples.channels[0].length
  const isFloat = samples.sampleFormat === 'float'
  const bytesPerSample = isFloat ? 4 : samples.sampleFormat === 'rounded24' ? 3 : samples.bitsPerSample / 8
  const blockAlignBytes = channelCount * bytesPerSample
  const dataBytes = frameCount * blockAlignBytes
  const fmtBytes = isFloat ? FMT_FLOAT_BYTES : FMT_PCM_BYTES
  const factChunkBytes = isFloat ? CHUNK_HEADER_BYTES + FACT_BYTES : 0
  const dataOffset = CHUNK_HEADER_BYTES + WAVE_ID_BYTES + CHUNK_HEADER_BYTES + fmtBytes + factChunkBytes + CHUNK_HEADER_BYTES
  const padBytes = dataBytes % 2
  const totalBytes = dataOffset + dataBytes + padBytes
  if (totalBytes - CHUNK_HEADER_BYTES > MAX_RIFF_BYTES) {
    throw new RefmasterError('ENCODE_FAILED', `WAV output would be ${totalBytes} bytes; a WAV file holds at most 4 GiB`)
  }
  const out = new Uint8Array(dataOffset)
  const view = new DataView(out.buffer)
  let offset = 0
  const putId = (id: string): void => {
    for (let i = 0; i < 4; i++) out[offset + i] = id.charCodeAt(i)
    offset += 4
  }
  const putUint32 = (value: number): void => {
    view.setUint32(offset, value, true)
    offset += 4
  }
  const putUint16 = (value: number): void => {
    view.setUint16(offset, value, true)
    offset += 2
  }
  putId('RIFF')
  putUint32(totalBytes - CHUNK_HEADER_BYTES)
  putId('WAVE')
  putId('fmt ')
  putUint32(fmtBytes)
  putUint16(isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM)
  putUint16(channelCount)
  putUint32(sampleRateHz)
  putUint32(sampleRateHz * blockAlignBytes)
  putUint16(blockAlignBytes)
  putUint16(bytesPerSample * 8)
  if (isFloat) {
    putUint16(0) // cbSize: no extension
    putId('fact')
    putUint32(FACT_BYTES)
    putUint32(frameCount)
  }
  putId('data')
  putUint32(dataBytes)
  return { header: out, blockAlignBytes, dataBytes, padBytes }
}

/** Writes frames [from, to) of `samples`, interleaved, into `out` from byte `start`. */
function writeFrames(samples: WavSamples, out: Uint8Array, start: number, from: number, to: number): void {
  if (samples.sampleFormat === 'float') writeFloat32(new DataView(out.buffer, out.byteOffset, out.byteLength), start, samples.channels, from, to)
  else if (samples.sampleFormat === 'rounded24') writeRounded24(out, start, samples.channels, from, to, integerLimits(24))
  else if (samples.bitsPerSample === 16) writeInt16(new DataView(out.buffer, out.byteOffset, out.byteLength), start, samples.channels, from, to)
  else writeInt24(out, start, samples.channels, from, to)
}

/** Encodes planar samples as a complete WAV file. */
export function writeWav(samples: WavSamples, sampleRateHz: number): Uint8Array {
  const { header, dataBytes, padBytes } = wavHeader(samples, sampleRateHz)
  const out = new Uint8Array(header.length + dataBytes + padBytes)
  out.set(header)
  writeFrames(samples, out, header.length, 0, samples.channels.length === 0 ? 0 : samples.channels[0].length)
  return out
}

/**
 * The bytes of `writeWav(samples, sampleRateHz)` in pieces: the header, then the sample data
 * `framesPerPiece` frames at a time in `buffers` reused buffers, so that a file writer never holds the
 * whole file in memory. A piece stays valid until `buffers` more pieces have been asked for: with one
 * buffer, use each piece before asking for the next; with two, a writer can have one piece in flight
 * while the next is converted.
 */
export function* wavPieces(samples: WavSamples, sampleRateHz: number, framesPerPiece: number, buffers = 1): Generator<Uint8Array> {
  const { header, blockAlignBytes, padBytes } = wavHeader(samples, sampleRateHz)
  yield header
  const frames = samples.channels.length === 0 ? 0 : samples.channels[0].length
  const pieces = Array.from({ length: Math.max(1, buffers) }, () => new Uint8Array(Math.min(frames, framesPerPiece) * blockAlignBytes))
  for (let from = 0, index = 0; from < frames; from += framesPerPiece, index = (index + 1) % pieces.length) {
    const to = Math.min(frames, from + framesPerPiece)
    writeFrames(samples, pieces[index], 0, from, to)
    yield pieces[index].subarray(0, (to - from) * blockAlignBytes)
  }
  if (padBytes > 0) yield new Uint8Array(padBytes)
}

function writeFloat32(view: DataView, start: number, channels: Float32Array[], from: number, to: number): void {
  const stride = channels.length * 4
  channels.forEach((channel, index) => {
    for (let i = from, o = start + index * 4; i < to; i++, o += stride) view.setFloat32(o, channel[i], true)
  })
}

function writeInt16(view: DataView, start: number, channels: Int32Array[], from: number, to: number): void {
  const stride = channels.length * 2
  channels.forEach((channel, index) => {
    for (let i = from, o = start + index * 2; i < to; i++, o += stride) view.setInt16(o, channel[i], true)
  })
}

/** 24-bit little-endian codes. */
function writeInt24(out: Uint8Array, start: number, channels: Int32Array[], from: number, to: number): void {
  const stride = channels.length * 3
  channels.forEach((channel, index) => {
    for (let i = from, o = start + index * 3; i < to; i++, o += stride) {
      const code = channel[i]
      out[o] = code & 0xff
      out[o + 1] = (code >> 8) & 0xff
      out[o + 2] = (code >> 16) & 0xff
    }
  })
}

/**
 * Float channels as 24-bit little-endian codes, each rounded as quantize.ts `roundedCode` does (written
 * out here: this loop runs for every sample of a master, and a monomorphic loop without the call runs
 * about twice as fast).
 */
function writeRounded24(out: Uint8Array, start: number, channels: Float32Array[], from: number, to: number, limits: IntegerLimits): void {
  const stride = channels.length * 3
  const { fullScale, minCode, maxCode } = limits
  for (let c = 0; c < channels.length; c++) {
    const channel = channels[c]
    for (let i = from, o = start + c * 3; i < to; i++, o += stride) {
      const rounded = Math.round(channel[i] * fullScale)
      // NaN fails both tests and becomes 0, as in roundedCode.
      const code = rounded > maxCode ? maxCode : rounded < minCode ? minCode : rounded | 0
      out[o] = code
      out[o + 1] = code >> 8
      out[o + 2] = code >> 16
    }
  }
}
