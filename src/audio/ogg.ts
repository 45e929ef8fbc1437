import { RefmasterError } from '../errors.js'
import { startsWith, viewOf } from './bytes.js'

/**
 * Structural check of an Ogg file before it is decoded (RFC 3533): every page in sequence, each page's
 * CRC, and an end-of-stream page at the end. Decoders skip damaged pages and stop quietly at a cut, so
 * without this a corrupt or truncated Ogg file would decode "successfully" to less audio.
 */

/** The codecs refmaster decodes from Ogg. */
export type OggCodec = 'vorbis' | 'opus' | 'flac'

/** What the page walk found. */
export interface OggStreamInfo {
  readonly codec: OggCodec
  /** Byte offset of the first packet (the codec's identification header). */
  readonly firstPacketOffset: number
}

/**
 * Offset of the STREAMINFO body in an Ogg FLAC first packet: 0x7F 'FLAC'(5), version(2), header
 * count(2), 'fLaC'(4), metadata block header(4) (Ogg FLAC mapping, xiph.org/flac/ogg_mapping.html).
 */
export const OGG_FLAC_STREAMINFO_OFFSET = 17

/** Page header: capture pattern, version, type, granule(8), serial(4), sequence(4), CRC(4), segments(1). */
const PAGE_HEADER_BYTES = 27
const CRC_OFFSET = 22
const SEGMENT_COUNT_OFFSET = 26
const HEADER_TYPE_OFFSET = 5
/** header_type flag: last page of a logical bitstream (RFC 3533, 6). */
const FLAG_END_OF_STREAM = 0x04
/** The Ogg CRC-32: polynomial 0x04c11db7, initial value 0, not reflected, no final XOR (RFC 3533, 6). */
const CRC_POLYNOMIAL = 0x04c11db7

/** First-packet signatures of the codecs an Ogg file may carry (each codec's Ogg mapping spec). */
const CODEC_SIGNATURES: readonly { readonly magic: string; readonly codec: OggCodec | string }[] = [
  { magic: '\x01vorbis', codec: 'vorbis' },
  { magic: 'OpusHead', codec: 'opus' },
  { magic: '\x7fFLAC', codec: 'flac' },
  { magic: 'Speex   ', codec: 'Speex' },
  { magic: '\x80theora', codec: 'Theora video' },
  { magic: 'fishead\0', codec: 'Skeleton' },
]

let crcTable: Uint32Array | undefined

function oggCrcTable(): Uint32Array {
  if (crcTable !== undefined) return crcTable
  crcTable = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let r = i << 24
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ CRC_POLYNOMIAL : r << 1
    crcTable[i] = r >>> 0
  }
  return crcTable
}

/** The Ogg CRC of a page, computed with its CRC field taken as zero. */
function pageCrc(bytes: Uint8Array, start: number, end: number): number {
  const table = oggCrcTable()
  let crc = 0
  const crcStart = start + CRC_OFFSET
  for (let i = start; i < end; i++) {
    const byte = i >= crcStart && i < crcStart + 4 ? 0 : bytes[i]
    crc = (crc << 8) ^ table[((crc >>> 24) ^ byte) & 0xff]
  }
  return crc >>> 0
}

/** The codec of the first logical stream; UNSUPPORTED_FORMAT when it is not one we decode. */
function identifyCodec(bytes: Uint8Array, firstPacket: number, what: string): OggCodec {
  const found = CODEC_SIGNATURES.find(({ magic }) => startsWith(bytes, firstPacket, magic))
  if (found?.codec === 'vorbis' || found?.codec === 'opus' || found?.codec === 'flac') return found.codec
  const name = found?.codec ?? 'an unknown codec'
  throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: Ogg file carries ${name}; refmaster decodes Ogg Vorbis, Opus and FLAC`)
}

/**
 * Walks every page of an Ogg file. Throws CORRUPT_FILE when a page is out of sync or fails its CRC,
 * TRUNCATED_FILE when the file ends inside a page or without an end-of-stream page, UNSUPPORTED_FORMAT
 * for codecs other than Vorbis, Opus and FLAC.
 */
export function inspectOgg(bytes: Uint8Array, what: string): OggStreamInfo {
  const view = viewOf(bytes)
  let stream: OggStreamInfo | undefined
  let offset = 0
  let pageIndex = 0
  let lastPageEnded = false
  while (offset < bytes.length) {
    if (!startsWith(bytes, offset, 'OggS')) {
      // junk after a finished stream is tolerated; anywhere else the page sequence is broken
      if (lastPageEnded) break
      throw new RefmasterError('CORRUPT_FILE', `${what}: Ogg page ${pageIndex} at byte ${offset} is out of sync (no 'OggS' capture pattern)`)
    }
    if (offset + PAGE_HEADER_BYTES > bytes.length) break
    const segmentCount = bytes[offset + SEGMENT_COUNT_OFFSET]
    const bodyStart = offset + PAGE_HEADER_BYTES + segmentCount
    let bodyBytes = 0
    for (let s = 0; s < segmentCount; s++) bodyBytes += bytes[offset + PAGE_HEADER_BYTES + s] ?? 0
    const end = bodyStart + bodyBytes
    if (end > bytes.length) {
      throw new RefmasterError('TRUNCATED_FILE', `${what}: Ogg file ends inside page ${pageIndex} (byte ${offset}, ${end - bytes.length} bytes missing)`)
    }
    if (pageCrc(bytes, offset, end) !== view.getUint32(offset + CRC_OFFSET, true)) {
      throw new RefmasterError('CORRUPT_FILE', `${what}: Ogg page ${pageIndex} at byte ${offset} fails its CRC check`)
    }
    stream ??= { codec: identifyCodec(bytes, bodyStart, what), firstPacketOffset: bodyStart }
    lastPageEnded = (bytes[offset + HEADER_TYPE_OFFSET] & FLAG_END_OF_STREAM) !== 0
    offset = end
    pageIndex++
  }
  if (stream === undefined || !lastPageEnded) {
    throw new RefmasterError('TRUNCATED_FILE', `${what}: Ogg file ends after ${pageIndex} pages without an end-of-stream page`)
  }
  return stream
}
