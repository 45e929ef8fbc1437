import { RefmasterError } from '../errors.js'
import { startsWith } from './bytes.js'

/**
 * What a native FLAC file declares about itself (RFC 9639, "Free Lossless Audio Codec"): the STREAMINFO
 * block, the end of the metadata, and whether the file ends on a complete frame. Used to tell a cut file
 * (TRUNCATED_FILE) from a damaged one (CORRUPT_FILE) when the decoder returns fewer samples than
 * STREAMINFO declares; the decoding itself is audio-decode's.
 */

/** STREAMINFO fields refmaster uses. */
export interface FlacStreamInfo {
  /** Total frames (inter-channel samples); 0 when the encoder did not know it. */
  readonly totalFrames: number
  /** Largest frame in bytes; 0 when unknown. */
  readonly maxFrameBytes: number
  readonly channelCount: number
  readonly sampleRateHz: number
  readonly bitsPerSample: number
  /** Byte offset of the first audio frame, after the last metadata block. */
  readonly audioOffset: number
}

/** 'fLaC' marker, then metadata blocks of a 4-byte header: last-block flag, 7-bit type, 24-bit length. */
const MARKER_BYTES = 4
const BLOCK_HEADER_BYTES = 4
const STREAMINFO_TYPE = 0
const STREAMINFO_BYTES = 34
const LAST_BLOCK_FLAG = 0x80
/** Frame sync: 14 bits 0b11111111111110, then a reserved 0 bit and the blocking-strategy bit (RFC 9639, 9.1). */
const SYNC_FIRST_BYTE = 0xff
const SYNC_SECOND_BYTE_MASK = 0xfe
const SYNC_SECOND_BYTE = 0xf8
/** Frame footer: CRC-16, polynomial 0x8005, initial value 0, over the whole frame (RFC 9639, 9.3). */
const CRC16_POLYNOMIAL = 0x8005
const CRC16_BYTES = 2
/** When STREAMINFO does not give the largest frame size, look this far back for the last frame. */
const UNKNOWN_FRAME_SEARCH_BYTES = 1 << 20
/** Smallest possible frame: sync(2) + header bytes(2) + coded number(1) + CRC-8(1) + subframe(1) + CRC-16(2). */
const MIN_FRAME_BYTES = 9

/** Reads the STREAMINFO block and finds the end of the metadata of a file starting at `start` with 'fLaC'. */
export function readFlacStreamInfo(bytes: Uint8Array, start: number, what: string): FlacStreamInfo {
  let offset = start + MARKER_BYTES
  let info: Omit<FlacStreamInfo, 'audioOffset'> | undefined
  for (let blockIndex = 0; ; blockIndex++) {
    if (offset + BLOCK_HEADER_BYTES > bytes.length) {
      throw new RefmasterError('TRUNCATED_FILE', `${what}: FLAC file ends inside its metadata (block ${blockIndex})`)
    }
    const type = bytes[offset] & ~LAST_BLOCK_FLAG
    const isLast = (bytes[offset] & LAST_BLOCK_FLAG) !== 0
    const length = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]
    const body = offset + BLOCK_HEADER_BYTES
    if (body + length > bytes.length) {
      throw new RefmasterError('TRUNCATED_FILE', `${what}: FLAC file ends inside metadata block ${blockIndex}`)
    }
    if (blockIndex === 0) {
      if (type !== STREAMINFO_TYPE || length < STREAMINFO_BYTES) {
        throw new RefmasterError('CORRUPT_FILE', `${what}: FLAC file does not start with a STREAMINFO block`)
      }
      info = parseStreamInfo(bytes, body)
    }
    offset = body + length
    if (isLast) break
  }
  if (info === undefined) throw new RefmasterError('CORRUPT_FILE', `${what}: FLAC file has no STREAMINFO block`)
  return { ...info, audioOffset: offset }
}

/** Parses a STREAMINFO block body at `body` (native FLAC, or inside an Ogg FLAC header packet). */
export function parseStreamInfo(bytes: Uint8Array, body: number): Omit<FlacStreamInfo, 'audioOffset'> {
  const b = (i: number): number => bytes[body + i]
  const maxFrameBytes = (b(7) << 16) | (b(8) << 8) | b(9)
  // sample rate: 20 bits; channels - 1: 3 bits; bits per sample - 1: 5 bits; total samples: 36 bits
  const sampleRateHz = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4)
  const channelCount = ((b(12) >> 1) & 0x7) + 1
  const bitsPerSample = (((b(12) & 0x1) << 4) | (b(13) >> 4)) + 1
  const totalFrames = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17))
  return { totalFrames, maxFrameBytes, channelCount, sampleRateHz, bitsPerSample }
}

let crc16Table: Uint16Array | undefined

function crc16(bytes: Uint8Array, start: number, end: number): number {
  if (crc16Table === undefined) {
    crc16Table = new Uint16Array(256)
    for (let i = 0; i < 256; i++) {
      let r = i << 8
      for (let bit = 0; bit < 8; bit++) r = r & 0x8000 ? ((r << 1) ^ CRC16_POLYNOMIAL) & 0xffff : (r << 1) & 0xffff
      crc16Table[i] = r
    }
  }
  let crc = 0
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ crc16Table[(crc >> 8) ^ bytes[i]]
  return crc
}

/**
 * True when the file ends exactly at the end of a FLAC frame: some frame sync within the last
 * `maxFrameBytes` starts a run of bytes whose CRC-16 matches the file's last two bytes. False means the
 * last frame was cut short.
 */
export function endsWithCompleteFlacFrame(bytes: Uint8Array, info: FlacStreamInfo): boolean {
  const end = bytes.length
  const searchBytes = info.maxFrameBytes > 0 ? info.maxFrameBytes : UNKNOWN_FRAME_SEARCH_BYTES
  const first = Math.max(info.audioOffset, end - searchBytes)
  const storedCrc = (bytes[end - 2] << 8) | bytes[end - 1]
  for (let i = end - MIN_FRAME_BYTES; i >= first; i--) {
    if (bytes[i] === SYNC_FIRST_BYTE && (bytes[i + 1] & SYNC_SECOND_BYTE_MASK) === SYNC_SECOND_BYTE) {
      if (crc16(bytes, i, end - CRC16_BYTES) === storedCrc) return true
    }
  }
  return false
}

/** True when the bytes at `offset` start a native FLAC stream. */
export function isFlacAt(bytes: Uint8Array, offset: number): boolean {
  return startsWith(bytes, offset, 'fLaC')
}
