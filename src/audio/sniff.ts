import { RefmasterError } from '../errors.js'
import { isAiff } from './aiff.js'
import { fourCc, startsWith } from './bytes.js'
import { isFlacAt } from './flac-info.js'
import { parseMpegFrameHeader } from './mp3-frames.js'
import { isWav } from './wav.js'

/**
 * Tells the container of a file from its first bytes (never from its name), and names what it found
 * when it is not something refmaster decodes.
 */

/** The containers refmaster decodes. */
export type SourceContainer = 'wav' | 'aiff' | 'flac' | 'ogg' | 'mp3'

/** A recognised container and where its stream starts (after a leading ID3v2 tag, for MP3 and FLAC). */
export interface SniffedFormat {
  readonly container: SourceContainer
  readonly streamOffset: number
}

/** The formats refmaster decodes, for messages. */
export const DECODABLE_FORMATS = 'WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus'

/** ID3v2 header: 'ID3', version(2), flags(1), size(4, 7 bits per byte); flag 0x10 = 10-byte footer (id3.org, ID3v2.4 3.1). */
const ID3V2_HEADER_BYTES = 10
const ID3V2_FOOTER_FLAG = 0x10

/** Signatures of formats we recognise but do not decode, so the message can name them. */
const OTHER_SIGNATURES: readonly { readonly offset: number; readonly magic: string; readonly name: string }[] = [
  { offset: 4, magic: 'ftyp', name: 'an MPEG-4/QuickTime file (m4a, mp4, mov)' },
  { offset: 0, magic: 'caff', name: 'a Core Audio Format (CAF) file' },
  { offset: 0, magic: 'wvpk', name: 'a WavPack file' },
  { offset: 0, magic: 'MAC ', name: "a Monkey's Audio file" },
  { offset: 0, magic: 'TTA1', name: 'a TTA file' },
  { offset: 0, magic: 'MThd', name: 'a MIDI file' },
  { offset: 0, magic: '#!AMR', name: 'an AMR file' },
  { offset: 0, magic: '\x30\x26\xb2\x75', name: 'an ASF/WMA file' },
  { offset: 0, magic: '\x1a\x45\xdf\xa3', name: 'a Matroska/WebM file' },
  { offset: 0, magic: '.snd', name: 'a Sun/NeXT audio file' },
  { offset: 0, magic: '\xff\xf1', name: 'an AAC (ADTS) stream' },
  { offset: 0, magic: '\xff\xf9', name: 'an AAC (ADTS) stream' },
  { offset: 0, magic: 'DSD ', name: 'a DSD (DSF) file' },
  { offset: 0, magic: 'FRM8', name: 'a DSD (DFF) file' },
  { offset: 0, magic: 'RIFF', name: 'a RIFF file that is not WAVE' },
  { offset: 0, magic: 'FORM', name: 'an IFF file that is not AIFF' },
  { offset: 0, magic: '%PDF', name: 'a PDF document' },
  { offset: 0, magic: '\x89PNG', name: 'a PNG image' },
  { offset: 0, magic: '\xff\xd8\xff', name: 'a JPEG image' },
  { offset: 0, magic: 'GIF8', name: 'a GIF image' },
  { offset: 0, magic: 'PK\x03\x04', name: 'a ZIP archive' },
]

/** How many leading bytes a message quotes. */
const PREVIEW_BYTES = 4
/** Printable ASCII range, for quoting. */
const FIRST_PRINTABLE = 0x20
const LAST_PRINTABLE = 0x7e

/** Whether `bytes` start with an ID3v2 tag (which MP3 and some FLAC files carry before their stream). */
export const startsWithId3v2 = (bytes: Uint8Array): boolean => startsWith(bytes, 0, 'ID3')

/** The bytes after a leading ID3v2 tag (0 when there is none). Throws TRUNCATED_FILE if the tag runs past the end. */
function skipId3v2(bytes: Uint8Array, what: string): number {
  if (!startsWithId3v2(bytes) || bytes.length < ID3V2_HEADER_BYTES) return 0
  const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f)
  const end = ID3V2_HEADER_BYTES + size + (bytes[5] & ID3V2_FOOTER_FLAG ? ID3V2_HEADER_BYTES : 0)
  if (end >= bytes.length) {
    throw new RefmasterError('TRUNCATED_FILE', `${what}: file holds an ID3 tag of ${end} bytes and no audio after it (file is ${bytes.length} bytes)`)
  }
  return end
}

/** Quotes the first bytes: as text when printable, else in hex. */
function preview(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, PREVIEW_BYTES))
  if (head.every((b) => b >= FIRST_PRINTABLE && b <= LAST_PRINTABLE)) return `'${String.fromCharCode(...head)}'`
  return `bytes ${head.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`
}

/**
 * The container of `bytes`. Throws UNSUPPORTED_FORMAT naming what the file starts with when it is not
 * WAV, AIFF, FLAC, Ogg or MPEG audio (MP3).
 */
export function sniffFormat(bytes: Uint8Array, what: string): SniffedFormat {
  if (isWav(bytes)) return { container: 'wav', streamOffset: 0 }
  if (isAiff(bytes)) return { container: 'aiff', streamOffset: 0 }
  if (startsWith(bytes, 0, 'OggS')) return { container: 'ogg', streamOffset: 0 }
  const streamOffset = skipId3v2(bytes, what)
  if (isFlacAt(bytes, streamOffset)) return { container: 'flac', streamOffset }
  const mpeg = parseMpegFrameHeader(bytes, streamOffset)
  if (mpeg !== undefined) return { container: 'mp3', streamOffset }
  if (streamOffset > 0) {
    throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: file has an ID3 tag but no MP3 or FLAC stream after it (found ${preview(bytes.subarray(streamOffset))})`)
  }
  const known = OTHER_SIGNATURES.find(({ offset, magic }) => startsWith(bytes, offset, magic))
  const riffType = known?.magic === 'RIFF' || known?.magic === 'FORM' ? ` of type '${fourCc(bytes, 8)}'` : ''
  const found = known === undefined ? 'not a known audio format' : `${known.name}${riffType}, not a format refmaster decodes`
  throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: file starts with ${preview(bytes)}, ${found} (${DECODABLE_FORMATS})`)
}
