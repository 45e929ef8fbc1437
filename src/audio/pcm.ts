import { RefmasterError } from '../errors.js'
import { viewOf } from './bytes.js'

/**
 * Interleaved PCM bytes to planar float channels: the sample conversion shared by the WAV and AIFF
 * readers. Integers are scaled by 2^-(bits-1) of their container (so +-full scale maps to +-1.0 and a
 * 24-bit value left-justified in a 32-bit container reads correctly); floats are taken as they are.
 */

/** How one sample is stored. */
export type PcmSampleFormat =
  /** two's-complement signed integer */
  | 'int'
  /** unsigned 8-bit offset binary (WAV 8-bit, AIFF-C 'raw ') */
  | 'uint8'
  /** IEEE 754 float */
  | 'float'

/** The layout of one sample in a PCM byte stream. */
export interface PcmEncoding {
  readonly sampleFormat: PcmSampleFormat
  /** Container size: 1 to 4 for integers, 4 or 8 for floats. */
  readonly bytesPerSample: number
  readonly littleEndian: boolean
}

/** What a PCM reader found: declared and present sizes of the sample data, in bytes. */
export interface PcmExtent {
  readonly declaredBytes: number
  readonly availableBytes: number
  /** Bytes per frame (all channels). */
  readonly frameBytes: number
}

/**
 * The number of whole frames to decode from sample data that may be cut short. Policy (the same for WAV
 * and AIFF): when fewer bytes are present than the header declares, and the shortfall is a whole frame
 * or more, the file is refused with TRUNCATED_FILE: it was damaged in transfer, and mastering a fragment
 * silently is worse than saying so. A shortfall of less than one frame (the writer or the transfer lost
 * the tail of the last frame) decodes the whole frames present. Exact otherwise: the declared frames.
 */
export function wholeFramesPresent(extent: PcmExtent, what: string, where: string): number {
  const declaredFrames = Math.floor(extent.declaredBytes / extent.frameBytes)
  const presentFrames = Math.floor(extent.availableBytes / extent.frameBytes)
  if (extent.declaredBytes - extent.availableBytes >= extent.frameBytes) {
    throw new RefmasterError(
      'TRUNCATED_FILE',
      `${what}: ${where} declares ${declaredFrames} frames (${extent.declaredBytes} bytes) but the file ends after ` +
        `${presentFrames} frames (${extent.availableBytes} bytes)`,
    )
  }
  return Math.min(declaredFrames, presentFrames)
}

/** Offset of unsigned 8-bit PCM: 128 is silence (WAVE spec, "Data Format of the Samples"). */
const UINT8_MIDPOINT = 128

/** True for the encodings `pcmToPlanar` converts. */
export function isSupportedPcm(encoding: PcmEncoding): boolean {
  const { sampleFormat, bytesPerSample } = encoding
  if (sampleFormat === 'float') return bytesPerSample === 4 || bytesPerSample === 8
  if (sampleFormat === 'uint8') return bytesPerSample === 1
  return bytesPerSample >= 1 && bytesPerSample <= 4
}

/**
 * Converts `frameCount` interleaved frames of `channelCount` samples, starting at `byteOffset`, to one
 * Float32Array per channel. The caller has checked that the bytes are there.
 */
export function pcmToPlanar(
  bytes: Uint8Array,
  byteOffset: number,
  frameCount: number,
  channelCount: number,
  encoding: PcmEncoding,
): Float32Array[] {
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frameCount))
  pcmIntoPlanar(bytes, byteOffset, encoding, channels)
  return channels
}

/**
 * `pcmToPlanar` into given arrays: `channels[c].length` interleaved frames from `byteOffset` (a reader
 * that goes through a file piece by piece passes subarrays of the whole signal).
 */
export function pcmIntoPlanar(bytes: Uint8Array, byteOffset: number, encoding: PcmEncoding, channels: Float32Array[]): void {
  const channelCount = channels.length
  const view = viewOf(bytes)
  const { sampleFormat, bytesPerSample, littleEndian } = encoding
  for (let channel = 0; channel < channelCount; channel++) {
    const out = channels[channel]
    const stride = channelCount * bytesPerSample
    const start = byteOffset + channel * bytesPerSample
    if (sampleFormat === 'float') readFloat(view, start, stride, bytesPerSample, littleEndian, out)
    else if (sampleFormat === 'uint8') readUint8(bytes, start, stride, out)
    else if (bytesPerSample === 3) readInt24(bytes, start, stride, littleEndian, out)
    else readInt(view, start, stride, bytesPerSample, littleEndian, out)
  }
}

function readFloat(view: DataView, start: number, stride: number, size: number, le: boolean, out: Float32Array): void {
  const n = out.length
  if (size === 4) {
    for (let i = 0, o = start; i < n; i++, o += stride) out[i] = view.getFloat32(o, le)
  } else {
    for (let i = 0, o = start; i < n; i++, o += stride) out[i] = view.getFloat64(o, le)
  }
}

function readUint8(bytes: Uint8Array, start: number, stride: number, out: Float32Array): void {
  const scale = 1 / UINT8_MIDPOINT
  for (let i = 0, o = start; i < out.length; i++, o += stride) out[i] = (bytes[o] - UINT8_MIDPOINT) * scale
}

function readInt24(bytes: Uint8Array, start: number, stride: number, le: boolean, out: Float32Array): void {
  const scale = 2 ** -23
  const n = out.length
  if (le) {
    // (x << 8) >> 8 sign-extends the 24-bit value held in the low bits of an int32
    for (let i = 0, o = start; i < n; i++, o += stride) {
      out[i] = (((bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16)) << 8) >> 8) * scale
    }
  } else {
    for (let i = 0, o = start; i < n; i++, o += stride) {
      out[i] = ((((bytes[o] << 16) | (bytes[o + 1] << 8) | bytes[o + 2]) << 8) >> 8) * scale
    }
  }
}

function readInt(view: DataView, start: number, stride: number, size: number, le: boolean, out: Float32Array): void {
  const n = out.length
  const scale = 2 ** -(size * 8 - 1)
  if (size === 2) {
    for (let i = 0, o = start; i < n; i++, o += stride) out[i] = view.getInt16(o, le) * scale
  } else if (size === 4) {
    for (let i = 0, o = start; i < n; i++, o += stride) out[i] = view.getInt32(o, le) * scale
  } else {
    for (let i = 0, o = start; i < n; i++, o += stride) out[i] = view.getInt8(o) * scale
  }
}
