import { describe, expect, it } from 'vitest'
import { forEachMidSideFrame } from '../../src/analysis/spectrum/stft.js'
import { allPassCoefficients, processBiquadCascade } from '../../src/dsp/biquad.js'
import { CrossoverSplitter, crossoverBandResponses, DEFAULT_CROSSOVERS_HZ, splitIntoBands, validateCrossovers } from '../../src/dsp/crossover.js'
import { powerToDb } from '../../src/units/db.js'
import { noise, sine } from '../helpers/signals.js'

/** LR4 at its crossover: each band 1/2 in amplitude, 20 log10(1/2). */
const LR4_CROSSOVER_DB = -6.0206
const LAYOUTS = [DEFAULT_CROSSOVERS_HZ, [200, 2000], [80, 500, 4000]]

function sumOfBands(bands: Float32Array[][], channel: number): Float64Array {
  const sum = new Float64Array(bands[0][channel].length)
  for (const band of bands) for (let n = 0; n < sum.length; n++) sum[n] += band[channel][n]
  return sum
}

function meanSquare(x: ArrayLike<number>, from: number, to: number): number {
  let sum = 0
  for (let n = from; n < to; n++) sum += x[n] * x[n]
  return sum / (to - from)
}

/** 1/6-octave frequencies from 20 Hz to 20 kHz. */
const SWEEP_HZ = Array.from({ length: 61 }, (_, i) => 20 * Math.pow(2, i / 6))

describe('Linkwitz-Riley crossover: analytic response', () => {
  for (const rateHz of [44100, 48000, 96000]) {
    it(`bands sum to unit magnitude 20 Hz - 20 kHz and each band is -6.02 dB at its crossovers (${rateHz} Hz)`, () => {
      for (const crossovers of LAYOUTS) {
        for (const f of SWEEP_HZ) {
          const sum = crossoverBandResponses(crossovers, f, rateHz).reduce((s, h) => ({ re: s.re + h.re, im: s.im + h.im }), { re: 0, im: 0 })
          expect(Math.abs(powerToDb(sum.re * sum.re + sum.im * sum.im))).toBeLessThan(1e-9)
        }
        crossovers.forEach((f, k) => {
          const bands = crossoverBandResponses(crossovers, f, rateHz)
          for (const b of [k, k + 1]) expect(powerToDb(bands[b].re ** 2 + bands[b].im ** 2)).toBeCloseTo(LR4_CROSSOVER_DB, 1)
        })
      }
    })
  }

  it('the band sum is the all-pass AP(f1) AP(f2) AP(f3) of the input, sample for sample', () => {
    const rateHz = 44100
    const x = noise(rateHz, 0.5, 8)
    const bands = splitIntoBands([x], DEFAULT_CROSSOVERS_HZ, rateHz)
    const allPass = processBiquadCascade(x, DEFAULT_CROSSOVERS_HZ.map((f) => allPassCoefficients(rateHz, f)))
    const sum = sumOfBands(bands, 0)
    let worst = 0
    for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(sum[n] - allPass[n]))
    expect(worst).toBeLessThan(1e-5)
  })
})

describe('Linkwitz-Riley crossover: measured', () => {
  it('stepped sine sweep: the band sum keeps every level within 0.1 dB; bands are -6 dB at the crossovers', () => {
    const rateHz = 44100
    for (const f of [...SWEEP_HZ, ...DEFAULT_CROSSOVERS_HZ]) {
      const x = sine(rateHz, 1.5, -6, f)
      const bands = splitIntoBands([x], DEFAULT_CROSSOVERS_HZ, rateHz)
      const from = Math.round(rateHz * 0.75)
      const inputPower = meanSquare(x, from, x.length)
      expect(Math.abs(powerToDb(meanSquare(sumOfBands(bands, 0), from, x.length) / inputPower))).toBeLessThan(0.1)
      const k = DEFAULT_CROSSOVERS_HZ.indexOf(f)
      if (k >= 0) {
        for (const b of [k, k + 1]) expect(powerToDb(meanSquare(bands[b][0], from, x.length) / inputPower)).toBeCloseTo(LR4_CROSSOVER_DB, 1)
      }
    }
  })

  it('white noise: the band sum has the input magnitude spectrum within 0.1 dB from 20 Hz to 20 kHz', () => {
    const rateHz = 48000
    const size = 16384
    const x = noise(rateHz * 20, 0.5, 77)
    const sum = Float32Array.from(sumOfBands(splitIntoBands([x], [150, 1500, 7000], rateHz), 0))
    const average = (signal: Float32Array): Float64Array => {
      const total = new Float64Array(size / 2 + 1)
      forEachMidSideFrame([signal], size, size / 2, (_f, _s, power) => power.forEach((p, k) => (total[k] += p)))
      return total
    }
    const inputPower = average(x)
    const sumPower = average(sum)
    for (const f of SWEEP_HZ) {
      const k = Math.round((f * size) / rateHz)
      let a = 0
      let b = 0
      for (let j = k - 1; j <= k + 1; j++) {
        a += inputPower[j]
        b += sumPower[j]
      }
      expect(Math.abs(powerToDb(b / a))).toBeLessThan(0.1)
    }
  })

  it('bands are the same whatever the block size, and stereo lanes are independent', () => {
    const rateHz = 44100
    const left = noise(10000, 0.5, 1)
    const right = noise(10000, 0.5, 2)
    const whole = splitIntoBands([left, right], DEFAULT_CROSSOVERS_HZ, rateHz)
    const mono = splitIntoBands([right], DEFAULT_CROSSOVERS_HZ, rateHz)
    const splitter = new CrossoverSplitter(DEFAULT_CROSSOVERS_HZ, rateHz, 777)
    let mismatches = 0
    for (let start = 0; start < left.length; start += 777) {
      const count = Math.min(777, left.length - start)
      for (let n = 0; n < count; n++) {
        splitter.input(0)[n] = left[start + n]
        splitter.input(1)[n] = right[start + n]
      }
      splitter.run(count)
      for (let b = 0; b < 4; b++) {
        for (let n = 0; n < count; n++) {
          if (Math.fround(splitter.band(b, 0)[n]) !== whole[b][0][start + n]) mismatches++
          if (Math.fround(splitter.band(b, 1)[n]) !== whole[b][1][start + n]) mismatches++
        }
      }
    }
    expect(mismatches).toBe(0)
    for (let b = 0; b < 4; b++) expect(mono[b][0]).toEqual(whole[b][1])
  })
})

describe('validateCrossovers', () => {
  it('accepts 2 or 3 ascending crossovers within range and below Nyquist', () => {
    expect(() => validateCrossovers([120, 1000, 6000], 'x', 44100)).not.toThrow()
    expect(() => validateCrossovers([200, 2000], 'x', 44100)).not.toThrow()
  })

  it('refuses bad lists, naming the value', () => {
    expect(() => validateCrossovers([1000], 'mb', 44100)).toThrow('mb.crossoversHz must hold 2 to 3 frequencies, got [1000]')
    expect(() => validateCrossovers([100, 200, 300, 400], 'mb', 44100)).toThrow(/2 to 3/)
    expect(() => validateCrossovers([1000, 500], 'mb', 44100)).toThrow('mb.crossoversHz must be strictly ascending, got 1000, 500 Hz')
    expect(() => validateCrossovers([30, 500], 'mb', 44100)).toThrow('mb.crossoversHz[0] must be within [40, 16000] Hz, got 30')
    expect(() => validateCrossovers([120, 1000, 6000], 'mb', 8000)).toThrow('mb.crossoversHz[2] must be within [40, 4000) Hz (below Nyquist), got 6000')
  })
})
