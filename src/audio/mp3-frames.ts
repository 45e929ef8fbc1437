import { RefmasterError } from '../errors.js'
import { startsWith, viewOf } from './bytes.js'

/**
 * MPEG audio frame headers (ISO/IEC 11172-3 2.4.1.3 and ISO/IEC 13818-3; "MPEG 2.5" is the Fraunhofer
 * low-rate extension) and the Xing/Info and VBRI headers encoders put in the first frame. Used to check
 * a stream before decoding it: is it really MPEG audio, is it cut short, how many channels does it
 * declare. The decoding itself is audio-decode's.
 */

/** One parsed frame header. */
export interface MpegFrameHeader {
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5. */
  readonly version: number
  readonly layer: number
  readonly sampleRateHz: number
  /** Whole frame, header included, in bytes. */
  readonly frameBytes: number
  readonly channelCount: number
  /** Offset from the frame start to a Xing/Info header, after the header, CRC and side information. */
  readonly xingOffset: number
}

/** What `inspectMp3` learned. */
export interface Mp3StreamInfo {
  readonly firstFrame: MpegFrameHeader
  /** Channels the stream declares (mono, or stereo/joint/dual). */
  readonly channelCount: number
}

const HEADER_BYTES = 4
/** Bit rates in kbit/s by bitrate index (ISO/IEC 11172-3 2.4.2.3; 13818-3 2.4.2.3 for MPEG-2/2.5). */
const BITRATES_KBPS: Readonly<Record<string, readonly number[]>> = {
  'v1l1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  'v1l2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  'v1l3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  'v2l1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  'v2l2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
/** Sample rates by sampling-frequency index, per version. */
const SAMPLE_RATES_HZ: Readonly<Record<number, readonly number[]>> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
}
/** Version bits 00/10/11 (01 is reserved). */
const VERSION_BY_BITS: readonly (number | undefined)[] = [2.5, undefined, 2, 1]
/** Layer bits 01/10/11 mean layers III/II/I (00 is reserved). */
const LAYER_BY_BITS: readonly (number | undefined)[] = [undefined, 3, 2, 1]
/**
 * Frame length in bytes = coefficient * bitrate / sample rate + padding (ISO/IEC 11172-3 2.4.3.1):
 * layer I counts 4-byte slots (12 * bitrate / rate slots), layers II and III count bytes
 * (144 * bitrate / rate), and MPEG-2/2.5 layer III frames hold half the samples (72 * bitrate / rate).
 */
const LAYER1_SLOT_COEFFICIENT = 12
const LAYER1_SLOT_BYTES = 4
const BYTE_COEFFICIENT = 144
const HALF_FRAME_BYTE_COEFFICIENT = 72
/** Channel mode 11 is single channel. */
const MODE_MONO = 3
/** Layer III side information in bytes: MPEG-1 stereo/mono, MPEG-2/2.5 stereo/mono (11172-3 2.4.1.7). */
const SIDE_INFO_BYTES = { v1Stereo: 32, v1Mono: 17, v2Stereo: 17, v2Mono: 9 } as const
const CRC_BYTES = 2
/** The VBRI header sits 32 bytes after the frame header (Fraunhofer encoder convention). */
const VBRI_OFFSET = HEADER_BYTES + 32
/** Xing flag bits: frame count present, byte count present. */
const XING_FLAG_FRAMES = 0x1
const XING_FLAG_BYTES = 0x2
/** How many consecutive valid frames make a stream (as probing demuxers such as ffmpeg's require). */
const FRAMES_TO_CONFIRM = 3
/** An ID3v1 tag is 128 bytes at the very end, starting 'TAG'. */
const ID3V1_BYTES = 128

/** Parses the frame header at `offset`, or returns undefined if there is none (free-format streams included). */
export function parseMpegFrameHeader(bytes: Uint8Array, offset: number): MpegFrameHeader | undefined {
  if (offset + HEADER_BYTES > bytes.length) return undefined
  const [b0, b1, b2, b3] = [bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]]
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined
  const version = VERSION_BY_BITS[(b1 >> 3) & 3]
  const layer = LAYER_BY_BITS[(b1 >> 1) & 3]
  const bitrateIndex = b2 >> 4
  const rateIndex = (b2 >> 2) & 3
  if (version === undefined || layer === undefined || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined
  const table = version === 1 ? `v1l${layer}` : layer === 1 ? 'v2l1' : 'v2l2'
  const bitrateBps = BITRATES_KBPS[table][bitrateIndex] * 1000
  const sampleRateHz = SAMPLE_RATES_HZ[version][rateIndex]
  const padding = (b2 >> 1) & 1
  const coefficient = layer === 3 && version !== 1 ? HALF_FRAME_BYTE_COEFFICIENT : BYTE_COEFFICIENT
  const frameBytes =
    layer === 1
      ? (Math.floor((LAYER1_SLOT_COEFFICIENT * bitrateBps) / sampleRateHz) + padding) * LAYER1_SLOT_BYTES
      : Math.floor((coefficient * bitrateBps) / sampleRateHz) + padding
  const channelCount = b3 >> 6 === MODE_MONO ? 1 : 2
  const hasCrc = (b1 & 1) === 0
  const sideInfo =
    version === 1
      ? channelCount === 1 ? SIDE_INFO_BYTES.v1Mono : SIDE_INFO_BYTES.v1Stereo
      : channelCount === 1 ? SIDE_INFO_BYTES.v2Mono : SIDE_INFO_BYTES.v2Stereo
  const xingOffset = HEADER_BYTES + (hasCrc ? CRC_BYTES : 0) + sideInfo
  return { version, layer, sampleRateHz, frameBytes, channelCount, xingOffset }
}

/**
 * Checks an MPEG audio stream starting at `start` (after any ID3v2 tag): it must begin with
 * FRAMES_TO_CONFIRM consecutive consistent frames (CORRUPT_FILE otherwise), and when a Xing/Info or VBRI
 * header declares the stream's size, the file must hold it, short of at most one frame (TRUNCATED_FILE).
 */
export function inspectMp3(bytes: Uint8Array, start: number, what: string): Mp3StreamInfo {
  const firstFrame = parseMpegFrameHeader(bytes, start)
  if (firstFrame === undefined) {
    throw new RefmasterError('CORRUPT_FILE', `${what}: no valid MPEG audio frame header at byte ${start}`)
  }
  let offset = start
  for (let frame = 0; frame < FRAMES_TO_CONFIRM; frame++) {
    const header = parseMpegFrameHeader(bytes, offset)
    if (header === undefined) {
      // a stream of fewer frames: the file (or its ID3v1 tag) ends here
      if (offset >= bytes.length - HEADER_BYTES || startsWith(bytes, offset, 'TAG')) break
      throw new RefmasterError('CORRUPT_FILE', `${what}: MPEG audio frame ${frame + 1} at byte ${offset} has no valid header; the stream is damaged or not MP3`)
    }
    if (header.version !== firstFrame.version || header.layer !== firstFrame.layer || header.sampleRateHz !== firstFrame.sampleRateHz) {
      throw new RefmasterError('CORRUPT_FILE', `${what}: MPEG audio frame ${frame + 1} at byte ${offset} does not match the first frame's format`)
    }
    offset += header.frameBytes
  }
  const declaredBytes = declaredStreamBytes(bytes, start, firstFrame)
  if (declaredBytes !== undefined) {
    const tagBytes = bytes.length >= ID3V1_BYTES && startsWith(bytes, bytes.length - ID3V1_BYTES, 'TAG') ? ID3V1_BYTES : 0
    const presentBytes = bytes.length - start - tagBytes
    if (presentBytes + firstFrame.frameBytes < declaredBytes) {
      throw new RefmasterError('TRUNCATED_FILE', `${what}: its MP3 header declares ${declaredBytes} bytes of audio but the file holds ${presentBytes}`)
    }
  }
  return { firstFrame, channelCount: firstFrame.channelCount }
}

/** The stream size a Xing/Info ('bytes' flag) or VBRI header declares, counted from the first frame. */
function declaredStreamBytes(bytes: Uint8Array, start: number, frame: MpegFrameHeader): number | undefined {
  const view = viewOf(bytes)
  const xing = start + frame.xingOffset
  if (xing + 16 <= bytes.length) {
    if (startsWith(bytes, xing, 'Xing') || startsWith(bytes, xing, 'Info')) {
      const flags = view.getUint32(xing + 4, false)
      if ((flags & XING_FLAG_BYTES) === 0) return undefined
      const bytesField = xing + 8 + ((flags & XING_FLAG_FRAMES) !== 0 ? 4 : 0)
      return view.getUint32(bytesField, false)
    }
  }
  const vbri = start + VBRI_OFFSET
  // 'VBRI', version(2), delay(2), quality(2), bytes(4)
  if (vbri + 14 <= bytes.length && startsWith(bytes, vbri, 'VBRI')) {
    return view.getUint32(vbri + 10, false)
  }
  return undefined
}
