/**
 * The protocol's round trip through a 24-bit WAV file (../shared/eval/audio_io.py `write_wav` then `load`),
 * reproduced sample for sample without ffmpeg: the float64 signal is cast to float32, clipped to +-1,
 * converted to 32-bit integers as libswresample does (llrintf(x * 2^31), saturated), and stored in 24 bits
 * by the pcm_s24le encoder's arithmetic shift (code = s32 >> 8, a floor). Reading back gives code / 2^23.
 */

const S32_SCALE = 2 ** 31
const S32_MAX = 2 ** 31 - 1
const S32_MIN = -(2 ** 31)
const S24_SHIFT_DIVISOR = 2 ** 8
const S24_FULL_SCALE = 2 ** 23

/** Rounds half to even, as llrintf does in the default rounding mode. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  // Math.round takes .5 up; llrint takes it to the even neighbour
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** One sample through write_wav (pcm_s24le) and load: the float value the protocol reads back. */
export function roundTrip24(sample: number): number {
  const clipped = Math.min(1, Math.max(-1, Math.fround(sample)))
  const s32 = Math.min(S32_MAX, Math.max(S32_MIN, roundHalfEven(clipped * S32_SCALE)))
  return Math.floor(s32 / S24_SHIFT_DIVISOR) / S24_FULL_SCALE
}

/** A channel through the 24-bit WAV round trip (see the module comment). The input is not modified. */
export function roundTrip24Channel(samples: ArrayLike<number>): Float32Array {
  const out = new Float32Array(samples.length)
  for (let n = 0; n < samples.length; n++) out[n] = roundTrip24(samples[n])
  return out
}
