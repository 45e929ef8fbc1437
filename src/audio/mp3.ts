import { Mp3Encoder } from '@breezystack/lamejs'
import { RefmasterError } from '../errors.js'

/**
 * The lamejs adapter: the only file that imports @breezystack/lamejs (LGPL-3.0). MPEG-1 Layer III at
 * 320 kbit/s CBR, mono or stereo.
 *
 * lamejs writes no LAME/Xing gapless tag, so a decoder cannot trim the encoder delay (576 samples plus
 * the decoder's 529, ISO/IEC 11172-3 hybrid filter bank) nor the padding of the last frame: the decoded
 * audio is longer than the input by roughly 1100 to 2300 samples, starting with that delay.
 */

/** Bit rate of refmaster's MP3 output: the highest MPEG-1 Layer III rate (ISO/IEC 11172-3, 2.4.2.3). */
export const MP3_BITRATE_KBPS = 320

/** Sample rates of MPEG-1 Layer III, the only ones that allow 320 kbit/s (ISO/IEC 11172-3, 2.4.2.3). */
export const MP3_SAMPLE_RATES_HZ: readonly number[] = [32000, 44100, 48000]

/** Samples per Layer III frame (ISO/IEC 11172-3, 2.4.3.1); blocks fed to lamejs are a multiple of it. */
const SAMPLES_PER_FRAME = 1152
const FRAMES_PER_BLOCK = 64

/**
 * Encodes 16-bit codes (one Int16Array per channel, one or two channels) at a rate from
 * `MP3_SAMPLE_RATES_HZ` as a 320 kbit/s CBR MP3 stream.
 */
export function encodeMp3(channels: Int16Array[], sampleRateHz: number): Uint8Array {
  if (!MP3_SAMPLE_RATES_HZ.includes(sampleRateHz)) {
    throw new RefmasterError('ENCODE_FAILED', `MP3 at ${MP3_BITRATE_KBPS} kbit/s needs a sample rate of ${MP3_SAMPLE_RATES_HZ.join(', ')} Hz, got ${sampleRateHz}`)
  }
  const [left, right] = channels
  const encoder = new Mp3Encoder(channels.length, sampleRateHz, MP3_BITRATE_KBPS)
  const parts: Uint8Array[] = []
  const blockSamples = SAMPLES_PER_FRAME * FRAMES_PER_BLOCK
  try {
    for (let start = 0; start < left.length; start += blockSamples) {
      const end = Math.min(start + blockSamples, left.length)
      parts.push(toBytes(encoder.encodeBuffer(left.subarray(start, end), right?.subarray(start, end))))
    }
    parts.push(toBytes(encoder.flush()))
  } catch (error) {
    throw new RefmasterError('ENCODE_FAILED', `the MP3 encoder failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** lamejs returns Int8Array chunks (its typings say Uint8Array): view the same bytes as unsigned. */
function toBytes(chunk: ArrayBufferView): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}
