/**
 * Second-order IIR sections ("biquads"): the designs of R. Bristow-Johnson's "Cookbook formulae for audio
 * EQ biquad filter coefficients" (the RBJ Audio EQ Cookbook, W3C Note https://www.w3.org/TR/audio-eq-cookbook/),
 * which are the bilinear transform of the analogue prototypes with the centre/corner frequency pre-warped,
 * and a cascade runner in transposed direct form II with float64 state.
 *
 * Notation as in the Cookbook: w0 = 2 pi f0 / Fs, A = 10^(dBgain / 40), alpha = sin(w0) / (2 Q).
 */
import { RefmasterError } from '../errors.js'
import { powerToDb } from '../units/db.js'

/** Normalised biquad coefficients (a0 = 1): y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
export interface BiquadCoefficients {
  b0: number
  b1: number
  b2: number
  a1: number
  a2: number
}

/** Q of a 2nd-order Butterworth section, 1/sqrt(2): maximally flat, -3 dB at the corner. */
export const BUTTERWORTH_Q = Math.SQRT1_2

/** Shelf Q for the Cookbook's shelf slope S = 1 ("as steep as it can be and remain monotonic"): 1/Q = sqrt(2). */
export const SHELF_SLOPE_ONE_Q = Math.SQRT1_2

/** The Cookbook's shelf Q for a shelf slope S and gain: 1/Q = sqrt((A + 1/A)(1/S - 1) + 2). */
export function shelfQFromSlope(gainDb: number, slope: number): number {
  const a = Math.pow(10, gainDb / 40)
  return 1 / Math.sqrt((a + 1 / a) * (1 / slope - 1) + 2)
}

/**
 * Qs of the 2nd-order sections of an even-order Butterworth filter: Q_k = 1 / (2 cos((2k + 1) pi / (2 order))),
 * k = 0 ... order/2 - 1 (the pole angles of the Butterworth polynomial; order 4 gives 0.5412 and 1.3066).
 */
export function butterworthSectionQs(order: number): number[] {
  if (!Number.isInteger(order) || order < 2 || order % 2 !== 0) throw new RangeError(`Butterworth order must be even and >= 2, got ${order}`)
  return Array.from({ length: order / 2 }, (_, k) => 1 / (2 * Math.cos(((2 * k + 1) * Math.PI) / (2 * order))))
}

interface Prewarped {
  cosW0: number
  alpha: number
}

function prewarp(sampleRateHz: number, frequencyHz: number, q: number, what: string): Prewarped {
  if (!(frequencyHz > 0 && frequencyHz < sampleRateHz / 2)) {
    throw new RefmasterError('INVALID_PARAMETER', `${what} frequency must be within (0, ${sampleRateHz / 2}) Hz (below Nyquist), got ${frequencyHz}`)
  }
  if (!(q > 0)) throw new RefmasterError('INVALID_PARAMETER', `${what} Q must be > 0, got ${q}`)
  const w0 = (2 * Math.PI * frequencyHz) / sampleRateHz
  return { cosW0: Math.cos(w0), alpha: Math.sin(w0) / (2 * q) }
}

function normalise(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): BiquadCoefficients {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 }
}

/** Cookbook low shelf: gainDb below `frequencyHz` (the shelf midpoint, gain/2 in dB), 0 dB above. Default Q: slope S = 1. */
export function lowShelfCoefficients(sampleRateHz: number, frequencyHz: number, gainDb: number, q = SHELF_SLOPE_ONE_Q): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'low shelf')
  const a = Math.pow(10, gainDb / 40)
  const k = 2 * Math.sqrt(a) * alpha
  return normalise(
    a * (a + 1 - (a - 1) * c + k),
    2 * a * (a - 1 - (a + 1) * c),
    a * (a + 1 - (a - 1) * c - k),
    a + 1 + (a - 1) * c + k,
    -2 * (a - 1 + (a + 1) * c),
    a + 1 + (a - 1) * c - k,
  )
}

/** Cookbook high shelf: gainDb above `frequencyHz` (the shelf midpoint), 0 dB below. Default Q: slope S = 1. */
export function highShelfCoefficients(sampleRateHz: number, frequencyHz: number, gainDb: number, q = SHELF_SLOPE_ONE_Q): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'high shelf')
  const a = Math.pow(10, gainDb / 40)
  const k = 2 * Math.sqrt(a) * alpha
  return normalise(
    a * (a + 1 + (a - 1) * c + k),
    -2 * a * (a - 1 + (a + 1) * c),
    a * (a + 1 + (a - 1) * c - k),
    a + 1 - (a - 1) * c + k,
    2 * (a - 1 - (a + 1) * c),
    a + 1 - (a - 1) * c - k,
  )
}

/** Cookbook peaking EQ: exactly gainDb at `frequencyHz`, bandwidth set by Q, 0 dB at DC and Nyquist. */
export function peakingCoefficients(sampleRateHz: number, frequencyHz: number, gainDb: number, q: number): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'peaking')
  const a = Math.pow(10, gainDb / 40)
  return normalise(1 + alpha * a, -2 * c, 1 - alpha * a, 1 + alpha / a, -2 * c, 1 - alpha / a)
}

/** Cookbook 2nd-order low-pass (Butterworth at the default Q: -3 dB at `frequencyHz`). */
export function lowPassCoefficients(sampleRateHz: number, frequencyHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'low-pass')
  return normalise((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha)
}

/** Cookbook 2nd-order high-pass (Butterworth at the default Q: -3 dB at `frequencyHz`). */
export function highPassCoefficients(sampleRateHz: number, frequencyHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'high-pass')
  return normalise((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha)
}

/** Cookbook 2nd-order all-pass: unit magnitude, phase -180 degrees at `frequencyHz`. */
export function allPassCoefficients(sampleRateHz: number, frequencyHz: number, q = BUTTERWORTH_Q): BiquadCoefficients {
  const { cosW0: c, alpha } = prewarp(sampleRateHz, frequencyHz, q, 'all-pass')
  return normalise(1 - alpha, -2 * c, 1 + alpha, 1 + alpha, -2 * c, 1 - alpha)
}

/** A complex frequency response value. */
export interface ComplexResponse {
  re: number
  im: number
}

/** H(e^{jw}) of one section at `frequencyHz`: (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2), z = e^{jw}. */
export function biquadResponse(coefficients: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): ComplexResponse {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz
  const c1 = Math.cos(w)
  const s1 = Math.sin(w)
  const c2 = Math.cos(2 * w)
  const s2 = Math.sin(2 * w)
  const { b0, b1, b2, a1, a2 } = coefficients
  const nr = b0 + b1 * c1 + b2 * c2
  const ni = -(b1 * s1 + b2 * s2)
  const dr = 1 + a1 * c1 + a2 * c2
  const di = -(a1 * s1 + a2 * s2)
  const dd = dr * dr + di * di
  return { re: (nr * dr + ni * di) / dd, im: (ni * dr - nr * di) / dd }
}

/** The product of the responses of a cascade at `frequencyHz`. */
export function cascadeResponse(sections: readonly BiquadCoefficients[], frequencyHz: number, sampleRateHz: number): ComplexResponse {
  let re = 1
  let im = 0
  for (const section of sections) {
    const h = biquadResponse(section, frequencyHz, sampleRateHz)
    const nextRe = re * h.re - im * h.im
    im = re * h.im + im * h.re
    re = nextRe
  }
  return { re, im }
}

/** Magnitude of one section at `frequencyHz`, in dB (for tests and reports). */
export function biquadMagnitudeDb(coefficients: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const { re, im } = biquadResponse(coefficients, frequencyHz, sampleRateHz)
  return powerToDb(re * re + im * im)
}

/** Magnitude of a cascade at `frequencyHz`, in dB: the sum of its sections' magnitudes. */
export function cascadeMagnitudeDb(sections: readonly BiquadCoefficients[], frequencyHz: number, sampleRateHz: number): number {
  let sum = 0
  for (const section of sections) sum += biquadMagnitudeDb(section, frequencyHz, sampleRateHz)
  return sum
}

/** Packs sections as [b0, b1, b2, a1, a2] runs in one Float64Array, the layout the sample loops read. */
export function packSections(sections: readonly BiquadCoefficients[]): Float64Array {
  const packed = new Float64Array(5 * sections.length)
  sections.forEach((s, k) => packed.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * k))
  return packed
}

/**
 * Runs `samples` through the cascade of `sections` in transposed direct form II (float64 state, starting
 * at rest) and writes the result to `output` (a new array by default; may be `samples` itself). The
 * sections are the inner loop of each sample, so the recursions of consecutive sections overlap in the CPU.
 */
export function processBiquadCascade(
  samples: Float32Array,
  sections: readonly BiquadCoefficients[],
  output: Float32Array = new Float32Array(samples.length),
): Float32Array {
  const count = sections.length
  const c = packSections(sections)
  const state = new Float64Array(2 * count)
  const length = samples.length
  for (let n = 0; n < length; n++) {
    let v = samples[n]
    for (let k = 0; k < count; k++) {
      const o = 5 * k
      const s = 2 * k
      const y = c[o] * v + state[s]
      state[s] = c[o + 1] * v - c[o + 3] * y + state[s + 1]
      state[s + 1] = c[o + 2] * v - c[o + 4] * y
      v = y
    }
    output[n] = v
  }
  return output
}

/**
 * Runs each channel through the cascade, as `processBiquadCascade` does, into `outputs` (new arrays by
 * default; may be the inputs themselves). Channels go two at a time through one loop: each recursion is
 * bound by its own latency, so two independent ones nearly halve the time per channel.
 */
export function processBiquadCascadeChannels(
  channels: readonly Float32Array[],
  sections: readonly BiquadCoefficients[],
  outputs: Float32Array[] = channels.map((c) => new Float32Array(c.length)),
): Float32Array[] {
  const count = sections.length
  const c = packSections(sections)
  for (let first = 0; first < channels.length; first += 2) {
    if (first + 1 === channels.length) {
      processBiquadCascade(channels[first], sections, outputs[first])
      break
    }
    const xa = channels[first]
    const xb = channels[first + 1]
    const ya = outputs[first]
    const yb = outputs[first + 1]
    // state per section: a1, a2 (first channel), b1, b2 (second channel)
    const state = new Float64Array(4 * count)
    const length = Math.min(xa.length, xb.length)
    for (let n = 0; n < length; n++) {
      let va = xa[n]
      let vb = xb[n]
      for (let k = 0; k < count; k++) {
        const o = 5 * k
        const s = 4 * k
        const b0 = c[o], b1 = c[o + 1], b2 = c[o + 2], a1 = c[o + 3], a2 = c[o + 4]
        const outA = b0 * va + state[s]
        state[s] = b1 * va - a1 * outA + state[s + 1]
        state[s + 1] = b2 * va - a2 * outA
        const outB = b0 * vb + state[s + 2]
        state[s + 2] = b1 * vb - a1 * outB + state[s + 3]
        state[s + 3] = b2 * vb - a2 * outB
        va = outA
        vb = outB
      }
      ya[n] = va
      yb[n] = vb
    }
  }
  return outputs
}
