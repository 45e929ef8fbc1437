/**
 * Windowed-sinc FIR design (Oppenheim & Schafer, Discrete-Time Signal Processing, 3rd ed., section 7.5),
 * on the Kaiser window of ./kaiser.ts.
 */
import { besselI0, kaiserWindow, sinc } from './kaiser.js'

/**
 * Linear-phase low-pass: a Kaiser-windowed sinc of odd `length` with its -6 dB point at `cutoffRatio`
 * times the Nyquist frequency, scaled to unity gain at DC (as scipy.signal.firwin does).
 */
export function windowedSincLowpass(length: number, cutoffRatio: number, kaiserBeta: number): Float64Array {
  const taps = new Float64Array(length)
  const centre = (length - 1) / 2
  const i0Beta = besselI0(kaiserBeta)
  let sum = 0
  for (let n = 0; n < length; n++) {
    taps[n] = cutoffRatio * sinc(cutoffRatio * (n - centre)) * kaiserWindow(n - centre, centre, kaiserBeta, i0Beta)
    sum += taps[n]
  }
  for (let n = 0; n < length; n++) taps[n] /= sum
  return taps
}
