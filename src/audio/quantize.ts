/**
 * Float to integer PCM: scale by 2^(bits-1) (full scale +-1.0, as the readers in pcm.ts invert), round to
 * the nearest code, clip to the code range. Clipping saturates; it never wraps around.
 */

/** The integer code range of signed `bits`-bit PCM. */
export interface IntegerLimits {
  /** Codes per unit of float amplitude: 2^(bits-1). */
  readonly fullScale: number
  readonly minCode: number
  readonly maxCode: number
}

/** The code range of signed two's-complement `bits`-bit samples, e.g. 16 -> [-32768, 32767]. */
export function integerLimits(bits: number): IntegerLimits {
  const fullScale = 2 ** (bits - 1)
  return { fullScale, minCode: -fullScale, maxCode: fullScale - 1 }
}

/**
 * Rounds float samples to `bits`-bit integer codes without dither (for 24-bit output, whose rounding
 * error at -144 dBFS lies far below any converter's noise). NaN becomes 0.
 */
export function quantizeRounded(samples: Float32Array, bits: number): Int32Array {
  const limits = integerLimits(bits)
  const codes = new Int32Array(samples.length)
  for (let i = 0; i < samples.length; i++) codes[i] = roundedCode(samples[i], limits)
  return codes
}

/** The code of one sample as `quantizeRounded` computes it (writers use it to round while writing). */
export function roundedCode(sample: number, limits: IntegerLimits): number {
  const code = Math.round(sample * limits.fullScale)
  // NaN fails both tests and becomes 0
  return code > limits.maxCode ? limits.maxCode : code < limits.minCode ? limits.minCode : code | 0
}
