import { RefmasterError } from '../errors.js'
import type { Audio } from './audio.js'
import { fourCc, startsWith, viewOf } from './bytes.js'
import { findChunk, listChunks } from './chunks.js'
import { isSupportedPcm, pcmToPlanar, wholeFramesPresent, type PcmEncoding } from './pcm.js'

/**
 * Our own AIFF / AIFF-C reader (Apple, "Audio Interchange File Format" 1.3, and the AIFF-C draft of
 * 1991): big-endian integer PCM of 8 to 32 bits, and the AIFF-C types 'NONE', 'twos', 'sowt'
 * (little-endian), 'in24', 'in32', 'raw ' (unsigned 8-bit), 'fl32' and 'fl64' (float).
 */

/** 'FORM' + size + form type. */
const FORM_HEADER_BYTES = 12
/** COMM: channels(2) frames(4) bits(2) rate(10, 80-bit extended); AIFF-C adds the compression type(4). */
const COMM_AIFF_BYTES = 18
const COMM_AIFC_BYTES = 22
/** SSND: offset(4) + blockSize(4) before the samples. */
const SSND_HEADER_BYTES = 8
/** IEEE 754 80-bit extended: exponent bias 16383; the 64-bit mantissa has its integer bit explicit. */
const EXTENDED_EXPONENT_BIAS = 16383
const EXTENDED_MANTISSA_BITS = 63

/** Sample layout by AIFF-C compression type; `bytesPerSample` 0 means "from the COMM sample size". */
const COMPRESSION_TYPES: Readonly<Record<string, Omit<PcmEncoding, 'bytesPerSample'> & { bytesPerSample: number }>> = {
  'NONE': { sampleFormat: 'int', bytesPerSample: 0, littleEndian: false },
  'twos': { sampleFormat: 'int', bytesPerSample: 0, littleEndian: false },
  'sowt': { sampleFormat: 'int', bytesPerSample: 0, littleEndian: true },
  'in24': { sampleFormat: 'int', bytesPerSample: 3, littleEndian: false },
  'in32': { sampleFormat: 'int', bytesPerSample: 4, littleEndian: false },
  'raw ': { sampleFormat: 'uint8', bytesPerSample: 1, littleEndian: false },
  'fl32': { sampleFormat: 'float', bytesPerSample: 4, littleEndian: false },
  'FL32': { sampleFormat: 'float', bytesPerSample: 4, littleEndian: false },
  'fl64': { sampleFormat: 'float', bytesPerSample: 8, littleEndian: false },
  'FL64': { sampleFormat: 'float', bytesPerSample: 8, littleEndian: false },
}

/** True when the bytes start an AIFF or AIFF-C file. */
export function isAiff(bytes: Uint8Array): boolean {
  return startsWith(bytes, 0, 'FORM') && (startsWith(bytes, 8, 'AIFF') || startsWith(bytes, 8, 'AIFC'))
}

/** Decodes a FORM/AIFF or FORM/AIFC file to planar float. Exact: the COMM chunk's frame count. */
export function readAiff(bytes: Uint8Array, what: string): Audio {
  const isAifc = startsWith(bytes, 8, 'AIFC')
  const list = listChunks(bytes, FORM_HEADER_BYTES, false)
  const comm = findChunk(list, 'COMM')
  const commBytes = isAifc ? COMM_AIFC_BYTES : COMM_AIFF_BYTES
  if (comm === undefined || comm.availableBytes < commBytes) {
    if (list.endsInsideChunk) throw new RefmasterError('TRUNCATED_FILE', `${what}: AIFF file ends before its COMM chunk is complete`)
    throw new RefmasterError('CORRUPT_FILE', `${what}: AIFF file has no complete COMM chunk`)
  }
  const view = viewOf(bytes)
  const channelCount = view.getUint16(comm.bodyOffset, false)
  const declaredFrames = view.getUint32(comm.bodyOffset + 2, false)
  const sampleBits = view.getUint16(comm.bodyOffset + 6, false)
  const sampleRateHz = readExtended(view, comm.bodyOffset + 8)
  const compression = isAifc ? fourCc(bytes, comm.bodyOffset + 18) : 'NONE'
  const layout = COMPRESSION_TYPES[compression]
  if (layout === undefined) {
    throw new RefmasterError('UNSUPPORTED_FORMAT', `${what}: AIFF-C compression '${compression}' is not supported; refmaster reads uncompressed PCM and float AIFF`)
  }
  const encoding: PcmEncoding = { ...layout, bytesPerSample: layout.bytesPerSample || Math.ceil(sampleBits / 8) }
  if (channelCount === 0 || !(sampleRateHz > 0) || !isSupportedPcm(encoding)) {
    throw new RefmasterError('CORRUPT_FILE', `${what}: AIFF header says ${channelCount} channels of ${sampleBits}-bit samples at ${sampleRateHz} Hz`)
  }
  if (declaredFrames === 0) return { channels: Array.from({ length: channelCount }, () => new Float32Array(0)), sampleRateHz }
  const ssnd = findChunk(list, 'SSND')
  if (ssnd === undefined || ssnd.availableBytes < SSND_HEADER_BYTES) {
    if (list.endsInsideChunk) throw new RefmasterError('TRUNCATED_FILE', `${what}: AIFF file ends before its SSND chunk`)
    throw new RefmasterError('CORRUPT_FILE', `${what}: AIFF file has no SSND chunk`)
  }
  const dataOffset = ssnd.bodyOffset + SSND_HEADER_BYTES + view.getUint32(ssnd.bodyOffset, false)
  const frameBytes = channelCount * encoding.bytesPerSample
  const availableBytes = Math.max(0, Math.min(ssnd.bodyOffset + ssnd.availableBytes, bytes.length) - dataOffset)
  const frames = wholeFramesPresent({ declaredBytes: declaredFrames * frameBytes, availableBytes, frameBytes }, what, 'the AIFF COMM chunk')
  return { channels: pcmToPlanar(bytes, dataOffset, frames, channelCount, encoding), sampleRateHz }
}

/** Reads an 80-bit IEEE 754 extended-precision number (big-endian), as AIFF stores the sample rate. */
function readExtended(view: DataView, offset: number): number {
  const signAndExponent = view.getUint16(offset, false)
  const mantissaHigh = view.getUint32(offset + 2, false)
  const mantissaLow = view.getUint32(offset + 6, false)
  const exponent = (signAndExponent & 0x7fff) - EXTENDED_EXPONENT_BIAS - EXTENDED_MANTISSA_BITS
  const magnitude = (mantissaHigh * 2 ** 32 + mantissaLow) * 2 ** exponent
  return signAndExponent & 0x8000 ? -magnitude : magnitude
}
