/**
 * Kaiser-window FIR design (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window
 * function", Proc. IEEE ISCAS 1974; formulas as in Oppenheim & Schafer, "Discrete-Time Signal
 * Processing", 3rd ed., section 7.5.3). Frequencies here are in cycles per sample (0.5 = Nyquist).
 */

/** Series terms stop adding once they fall below this fraction of the sum (below float64 resolution). */
const BESSEL_SERIES_TOLERANCE = 1e-17

/** The zeroth-order modified Bessel function of the first kind, I0(x), by its power series. */
export function besselI0(x: number): number {
  const halfX = x / 2
  let term = 1
  let sum = 1
  for (let k = 1; term > sum * BESSEL_SERIES_TOLERANCE; k++) {
    term *= (halfX / k) ** 2
    sum += term
  }
  return sum
}

/** Kaiser's beta for a stopband attenuation in dB (O&S eq. 7.62). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7)
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21)
  return 0
}

/**
 * Filter order (taps - 1) for a stopband attenuation in dB and a transition width in cycles per sample
 * (O&S eq. 7.63: M = (A - 8) / (2.285 * delta_omega), delta_omega in radians per sample).
 */
export function kaiserOrder(attenuationDb: number, transitionWidthCycles: number): number {
  return (attenuationDb - 8) / (2.285 * 2 * Math.PI * transitionWidthCycles)
}

/** sin(pi x) / (pi x), with sinc(0) = 1. */
export function sinc(x: number): number {
  if (x === 0) return 1
  const piX = Math.PI * x
  return Math.sin(piX) / piX
}

/**
 * The Kaiser window at `offset` from its centre, for a window reaching `halfWidth` either side; zero
 * outside. `i0Beta` is besselI0(beta), passed in so a table of many taps computes it once.
 */
export function kaiserWindow(offset: number, halfWidth: number, beta: number, i0Beta: number): number {
  const ratio = offset / halfWidth
  if (ratio < -1 || ratio > 1) return 0
  return besselI0(beta * Math.sqrt(1 - ratio * ratio)) / i0Beta
}
