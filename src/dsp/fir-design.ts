/**
 * FIR design building blocks: the Kaiser window and windowed-sinc low-pass filters
 * (Oppenheim & Schafer, Discrete-Time Signal Processing, 3rd ed., section 7.6).
 */

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
export function besselI0(x: number): number {
  const SERIES_TOLERANCE = 1e-12
  let sum = 1
  let term = 1
  const halfX = x / 2
  for (let k = 1; term > SERIES_TOLERANCE * sum; k++) {
    term *= (halfX / k) * (halfX / k)
    sum += term
  }
  return sum
}

/** Kaiser window value at position n of a window of `length` points, shape `beta` (O&S eq. 7.72). */
export function kaiserWindowAt(n: number, length: number, beta: number): number {
  const halfSpan = (length - 1) / 2
  const r = (n - halfSpan) / halfSpan
  if (Math.abs(r) > 1) return 0
  return besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta)
}

/** sin(pi x) / (pi x), with sinc(0) = 1. */
export function sinc(x: number): number {
  if (x === 0) return 1
  const px = Math.PI * x
  return Math.sin(px) / px
}

/**
 * Linear-phase low-pass: a Kaiser-windowed sinc of odd `length` with its -6 dB point at `cutoffRatio`
 * times the Nyquist frequency, scaled to unity gain at DC (as scipy.signal.firwin does).
 */
export function windowedSincLowpass(length: number, cutoffRatio: number, kaiserBeta: number): Float64Array {
  const taps = new Float64Array(length)
  const centre = (length - 1) / 2
  let sum = 0
  for (let n = 0; n < length; n++) {
    taps[n] = cutoffRatio * sinc(cutoffRatio * (n - centre)) * kaiserWindowAt(n, length, kaiserBeta)
    sum += taps[n]
  }
  for (let n = 0; n < length; n++) taps[n] /= sum
  return taps
}
