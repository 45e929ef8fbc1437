import type { Audio } from '../audio/audio.js'
import { dbToGain } from '../units/db.js'
import { RealFft } from './fft.js'
import { convolveCentred } from './fft-convolver.js'
import { besselI0, kaiserWindow } from './kaiser.js'
import { defineParams } from './params.js'

/**
 * Matching EQ (DESIGN.md chain step 2): a linear-phase FIR on mid and one on side, each from a gain
 * curve in dB on a log-frequency grid (the matcher builds the curves from the smoothed difference of two
 * long-term spectra). Strength scales the curves in dB. The filters' delay is removed: the output is
 * sample-aligned with the input and has its length.
 */
export const MATCHING_EQ_PARAMS = defineParams({
  strength: { unit: 'fraction', min: 0, max: 1, default: 1, neutral: 0, scale: 'linear', description: 'scales both gain curves in dB' },
})

/** Gain curves (dB) for mid and side at `frequenciesHz` (ascending); held flat beyond both ends. */
export interface EqCurve {
  frequenciesHz: number[]
  midDb: number[]
  sideDb: number[]
}

/** Parameters of the matching EQ: its strength and its curves. */
export interface MatchingEqParams {
  strength: number
  curve: EqCurve
}

/** FIR resolution: bins of about 5.4 Hz before windowing, so third octaves are resolved from ~60 Hz (broad shelves below). */
const TARGET_RESOLUTION_HZ = 5.4
/** Kaiser window shape for the truncated kernel: ~60 dB side lobes, a few bins of smoothing. */
const KERNEL_KAISER_BETA = 6

/** Kernel length (odd) for a rate: about sampleRate / resolution, a power of 2 plus one. */
export function matchingEqTaps(sampleRateHz: number): number {
  return Math.pow(2, Math.round(Math.log2(sampleRateHz / TARGET_RESOLUTION_HZ))) + 1
}

/** `curveDb` (at ascending `frequenciesHz`) at frequency `hz`, linear in log frequency, held at the ends. */
export function interpolateCurveDb(frequenciesHz: number[], curveDb: number[], hz: number): number {
  const last = frequenciesHz.length - 1
  if (hz <= frequenciesHz[0]) return curveDb[0]
  if (hz >= frequenciesHz[last]) return curveDb[last]
  let hi = 1
  while (frequenciesHz[hi] < hz) hi++
  const lo = hi - 1
  const t = Math.log(hz / frequenciesHz[lo]) / Math.log(frequenciesHz[hi] / frequenciesHz[lo])
  return curveDb[lo] + t * (curveDb[hi] - curveDb[lo])
}

/**
 * Linear-phase FIR whose magnitude follows `curveDb` (frequency sampling, Oppenheim & Schafer 7.5:
 * the zero-phase response on an FFT grid, inverse transformed, centred and Kaiser-windowed).
 */
export function designCurveFir(frequenciesHz: number[], curveDb: number[], sampleRateHz: number, taps = matchingEqTaps(sampleRateHz)): Float32Array {
  const fftSize = 2 * (taps - 1)
  const fft = new RealFft(fftSize)
  try {
    const spectrum = new Float32Array(fftSize)
    const binHz = sampleRateHz / fftSize
    spectrum[0] = dbToGain(interpolateCurveDb(frequenciesHz, curveDb, 0))
    spectrum[1] = dbToGain(interpolateCurveDb(frequenciesHz, curveDb, sampleRateHz / 2))
    for (let k = 1; k < fftSize / 2; k++) spectrum[2 * k] = dbToGain(interpolateCurveDb(frequenciesHz, curveDb, k * binHz))
    const impulse = new Float32Array(fftSize)
    fft.inverse(spectrum, impulse)
    const centre = (taps - 1) / 2
    const i0Beta = besselI0(KERNEL_KAISER_BETA)
    const kernel = new Float32Array(taps)
    for (let n = 0; n < taps; n++) {
      const offset = n - centre
      // The zero-phase impulse is circular around index 0: negative times sit at the end.
      const value = impulse[(offset + fftSize) % fftSize] / fftSize
      kernel[n] = value * kaiserWindow(offset, centre, KERNEL_KAISER_BETA, i0Beta)
    }
    return kernel
  } finally {
    fft.dispose()
  }
}

function isFlat(curveDb: number[], strength: number): boolean {
  return strength === 0 || curveDb.every((db) => db === 0)
}

/**
 * Applies the matching EQ (mono: the mid curve on the one channel). The result is written into `output`
 * when given (channel arrays of the input's length; they may be the input's own).
 */
export function applyMatchingEq(audio: Audio, params: MatchingEqParams, output?: Float32Array[]): Audio {
  const { strength, curve } = params
  const scaled = (curve: number[]) => curve.map((db) => db * strength)
  const { channels, sampleRateHz } = audio
  const out = output ?? channels.map((c) => new Float32Array(c.length))
  const midFlat = isFlat(curve.midDb, strength)
  const sideFlat = isFlat(curve.sideDb, strength)
  if (channels.length === 1 || (midFlat && sideFlat)) {
    channels.forEach((input, c) => out[c] !== input && out[c].set(input))
    if (!midFlat) convolveCentred(out[0], designCurveFir(curve.frequenciesHz, scaled(curve.midDb), sampleRateHz), out[0])
    return { channels: out, sampleRateHz }
  }
  const midKernel = midFlat ? null : designCurveFir(curve.frequenciesHz, scaled(curve.midDb), sampleRateHz)
  const sideKernel = sideFlat ? null : designCurveFir(curve.frequenciesHz, scaled(curve.sideDb), sampleRateHz)
  return { channels: filterMidSide(channels, midKernel, sideKernel, out), sampleRateHz }
}

/**
 * Stereo `channels` through a linear-phase FIR on mid (L + R)/2 and one on side (L - R)/2 (null: left
 * as it is), back to left and right in `out` (channel arrays of the input's length; they may be the
 * input's own). Sample-aligned (`convolveCentred`).
 */
export function filterMidSide(channels: readonly Float32Array[], midKernel: Float32Array | null, sideKernel: Float32Array | null, out: Float32Array[]): Float32Array[] {
  const [left, right] = channels
  const [mid, side] = out
  for (let n = 0; n < left.length; n++) {
    const l = left[n], r = right[n]
    mid[n] = 0.5 * (l + r)
    side[n] = 0.5 * (l - r)
  }
  if (midKernel) convolveCentred(mid, midKernel, mid)
  if (sideKernel) convolveCentred(side, sideKernel, side)
  for (let n = 0; n < mid.length; n++) {
    const m = mid[n], s = side[n]
    mid[n] = m + s
    side[n] = m - s
  }
  return out
}
