import { describe, expect, it } from 'vitest'
import { forEachMidSideFrame } from '../../src/analysis/spectrum/stft.js'
import {
  allPassCoefficients,
  biquadMagnitudeDb,
  biquadResponse,
  butterworthSectionQs,
  cascadeMagnitudeDb,
  highPassCoefficients,
  highShelfCoefficients,
  lowPassCoefficients,
  lowShelfCoefficients,
  peakingCoefficients,
  processBiquadCascade,
  shelfQFromSlope,
  type BiquadCoefficients,
} from '../../src/dsp/biquad.js'
import { powerToDb } from '../../src/units/db.js'
import { noise } from '../helpers/signals.js'

const FS = 44100
/** -3 dB of a Butterworth corner: 20 log10(1/sqrt(2)). */
const HALF_POWER_DB = -3.0103

/** Averaged power spectrum (Hann frames, 50 % overlap) of one channel. */
function averagedPower(samples: Float32Array, size: number): Float64Array {
  const sum = new Float64Array(size / 2 + 1)
  const frames = forEachMidSideFrame([samples], size, size / 2, (_frame, _start, power) => {
    for (let k = 0; k < sum.length; k++) sum[k] += power[k]
  })
  return sum.map((v) => v / frames)
}

/** Measured |H| in dB at `frequencyHz` from averaged spectra of input and output (5 bins around it). */
function measuredGainDb(input: Float64Array, output: Float64Array, frequencyHz: number, size: number, rateHz: number): number {
  const centre = Math.round((frequencyHz * size) / rateHz)
  let inPower = 0
  let outPower = 0
  for (let k = centre - 2; k <= centre + 2; k++) {
    inPower += input[k]
    outPower += output[k]
  }
  return powerToDb(outPower / inPower)
}

describe('RBJ cookbook designs', () => {
  it('peaking band: exactly gainDb at its centre, 0 dB far away', () => {
    for (const gainDb of [-12, -3, 4.5, 12]) {
      for (const [f0, q] of [[100, 0.7], [1000, 2], [12000, 6]]) {
        const c = peakingCoefficients(FS, f0, gainDb, q)
        expect(biquadMagnitudeDb(c, f0, FS)).toBeCloseTo(gainDb, 9)
        expect(Math.abs(biquadMagnitudeDb(c, f0 / 30, FS))).toBeLessThan(0.1)
      }
    }
  })

  it('shelves: half the gain at the midpoint, the full gain as asymptote', () => {
    const low = lowShelfCoefficients(FS, 200, 6)
    expect(biquadMagnitudeDb(low, 200, FS)).toBeCloseTo(3, 9)
    expect(biquadMagnitudeDb(low, 5, FS)).toBeCloseTo(6, 2)
    expect(Math.abs(biquadMagnitudeDb(low, 10000, FS))).toBeLessThan(0.01)
    const high = highShelfCoefficients(FS, 4000, -9)
    expect(biquadMagnitudeDb(high, 4000, FS)).toBeCloseTo(-4.5, 9)
    expect(biquadMagnitudeDb(high, 21000, FS)).toBeCloseTo(-9, 1)
    expect(Math.abs(biquadMagnitudeDb(high, 100, FS))).toBeLessThan(0.01)
  })

  it('slope S = 1 is Q = 1/sqrt(2) at every gain', () => {
    for (const g of [-12, 0.5, 12]) expect(shelfQFromSlope(g, 1)).toBeCloseTo(Math.SQRT1_2, 12)
  })

  it('Butterworth low/high-pass: -3.01 dB at the corner, 12 dB/octave far off; all-pass: 0 dB, -180 degrees at f0', () => {
    const lp = lowPassCoefficients(FS, 1000)
    const hp = highPassCoefficients(FS, 1000)
    expect(biquadMagnitudeDb(lp, 1000, FS)).toBeCloseTo(HALF_POWER_DB, 3)
    expect(biquadMagnitudeDb(hp, 1000, FS)).toBeCloseTo(HALF_POWER_DB, 3)
    expect(biquadMagnitudeDb(hp, 62.5, FS) - biquadMagnitudeDb(hp, 125, FS)).toBeCloseTo(-12, 1)
    const ap = allPassCoefficients(FS, 1000)
    for (const f of [20, 500, 1000, 5000, 20000]) expect(biquadMagnitudeDb(ap, f, FS)).toBeCloseTo(0, 10)
    const { re, im } = biquadResponse(ap, 1000, FS)
    expect(Math.abs(Math.atan2(im, re))).toBeCloseTo(Math.PI, 9)
  })

  it('4th-order Butterworth section Qs', () => {
    const [q1, q2] = butterworthSectionQs(4)
    expect(q1).toBeCloseTo(0.541196, 6)
    expect(q2).toBeCloseTo(1.306563, 6)
    expect(butterworthSectionQs(2)[0]).toBeCloseTo(Math.SQRT1_2, 12)
  })

  it('refuses frequencies at or above Nyquist', () => {
    expect(() => peakingCoefficients(FS, 22050, 3, 1)).toThrow(/below Nyquist/)
    expect(() => lowPassCoefficients(FS, 0)).toThrow(/INVALID|frequency/)
  })
})

describe('processBiquadCascade', () => {
  it('matches the direct-form difference equation', () => {
    const sections = [peakingCoefficients(FS, 500, 6, 1), highShelfCoefficients(FS, 3000, -4)]
    const x = noise(2000, 0.5, 3)
    const y = processBiquadCascade(x, sections)
    let signal = Float64Array.from(x)
    for (const { b0, b1, b2, a1, a2 } of sections) {
      const out = new Float64Array(signal.length)
      for (let n = 0; n < signal.length; n++) {
        const x1 = n > 0 ? signal[n - 1] : 0
        const x2 = n > 1 ? signal[n - 2] : 0
        const y1 = n > 0 ? out[n - 1] : 0
        const y2 = n > 1 ? out[n - 2] : 0
        out[n] = b0 * signal[n] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
      }
      signal = out
    }
    let worst = 0
    for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(y[n] - signal[n]))
    expect(worst).toBeLessThan(1e-6)
  })

  it('works in place and leaves a separate input alone', () => {
    const sections = [lowShelfCoefficients(FS, 100, 3)]
    const x = noise(1000, 0.5, 9)
    const copy = x.slice()
    const y = processBiquadCascade(x, sections)
    expect(x).toEqual(copy)
    processBiquadCascade(copy, sections, copy)
    expect(copy).toEqual(y)
  })

  it('white noise through a cascade measures back within 0.5 dB of biquadMagnitudeDb', () => {
    const size = 8192
    const sections: BiquadCoefficients[] = [lowShelfCoefficients(FS, 150, 6), peakingCoefficients(FS, 1000, -8, 2), highShelfCoefficients(FS, 8000, 4)]
    const x = noise(FS * 20, 0.5, 42)
    const inputPower = averagedPower(x, size)
    const outputPower = averagedPower(processBiquadCascade(x, sections), size)
    for (const f of [40, 150, 500, 1000, 3000, 8000, 16000]) {
      expect(Math.abs(measuredGainDb(inputPower, outputPower, f, size, FS) - cascadeMagnitudeDb(sections, f, FS))).toBeLessThan(0.5)
    }
  })
})
