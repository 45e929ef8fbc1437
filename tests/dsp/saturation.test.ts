import { describe, expect, it } from 'vitest'
import { RealFft } from '../../src/dsp/fft.js'
import { applySaturation, SATURATION_PARAMS, shape } from '../../src/dsp/saturation.js'
import { dbToGain, powerToDb } from '../../src/units/db.js'
import { sine, stereo } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

processorContract('saturation', SATURATION_PARAMS, applySaturation, { extraParams: [{ driveDb: 18, mix: 1 }, { driveDb: 0, mix: 0.5 }] })

const FS = 44100
const N = 32768

/** A sine of exactly `bin` cycles per N samples (so every harmonic and alias falls on a bin), 3 N long. */
function coherentSine(bin: number, levelDb: number): Float32Array {
  const amplitude = dbToGain(levelDb)
  return Float32Array.from({ length: 3 * N }, (_, n) => amplitude * Math.sin((2 * Math.PI * bin * n) / N))
}

/** Power per bin (1 ... N/2 - 1) of the steady-state middle N samples. */
function binPowers(y: Float32Array): Float64Array {
  const fft = new RealFft(N)
  const spectrum = new Float32Array(N)
  fft.forward(y.subarray(N, 2 * N), spectrum)
  fft.dispose()
  const power = new Float64Array(N / 2)
  for (let k = 1; k < N / 2; k++) power[k] = spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2
  return power
}

function meanSquare(x: Float32Array, from: number, to = x.length): number {
  let sum = 0
  for (let n = from; n < to; n++) sum += x[n] * x[n]
  return sum / (to - from)
}

describe('the shaper', () => {
  it('is odd, monotonic, has slope 1 at 0 and meets +-1 with zero slope at +-3/2', () => {
    expect(shape(0)).toBe(0)
    expect(shape(0.3)).toBeCloseTo(-shape(-0.3), 15)
    expect((shape(1e-6) - shape(-1e-6)) / 2e-6).toBeCloseTo(1, 9)
    expect(shape(1.5)).toBeCloseTo(1, 15)
    expect(shape(5)).toBe(1)
    expect(shape(-5)).toBe(-1)
    expect((shape(1.5) - shape(1.5 - 1e-6)) / 1e-6).toBeCloseTo(0, 5)
    for (let v = -2; v < 2; v += 0.01) expect(shape(v + 0.01)).toBeGreaterThanOrEqual(shape(v))
  })
})

describe('saturation', () => {
  it('adds odd harmonics to a sine at high drive, and no even ones', () => {
    const bin = 743 // ~1 kHz
    const power = binPowers(applySaturation({ channels: [coherentSine(bin, -6)], sampleRateHz: FS }, { driveDb: 12, mix: 1 }).channels[0])
    const relativeDb = (harmonic: number): number => powerToDb(power[harmonic * bin] / power[bin])
    expect(relativeDb(3)).toBeGreaterThan(-30)
    expect(relativeDb(5)).toBeGreaterThan(-40)
    expect(relativeDb(2)).toBeLessThan(-100)
    expect(relativeDb(4)).toBeLessThan(-100)
  })

  it('keeps small signals at their level within 0.1 dB at any drive', () => {
    for (const driveDb of [0, 9, 18]) {
      const x = sine(FS, 1, -40, 1000)
      const y = applySaturation({ channels: [x], sampleRateHz: FS }, { driveDb, mix: 1 }).channels[0]
      expect(Math.abs(powerToDb(meanSquare(y, 1000, x.length - 1000) / meanSquare(x, 1000, x.length - 1000)))).toBeLessThan(0.1)
    }
  })

  it('stays sample-aligned: a low-frequency sine at mix 1 matches the shaper applied sample by sample', () => {
    for (const [levelDb, driveDb] of [[-6, 3], [0, 3]]) {
      const x = sine(FS, 0.5, levelDb, 100)
      const y = applySaturation({ channels: [x], sampleRateHz: FS }, { driveDb, mix: 1 }).channels[0]
      const g = dbToGain(driveDb)
      let worst = 0
      let residualPeak = 0
      for (let n = 0; n < x.length; n++) {
        const reference = shape(g * x[n]) / g
        worst = Math.max(worst, Math.abs(y[n] - reference))
        residualPeak = Math.max(residualPeak, Math.abs(reference - x[n]))
      }
      // the distortion itself is large (up to ~0.05) but lands exactly where the memoryless shaper puts it
      expect(residualPeak).toBeGreaterThan(0.01)
      expect(worst).toBeLessThan(1e-4)
    }
  })

  it('mix blends linearly: mix 0.5 is halfway between the input and mix 1', () => {
    const input = stereo(sine(FS, 0.3, -3, 220), FS)
    const full = applySaturation(input, { driveDb: 12, mix: 1 }).channels[0]
    const half = applySaturation(input, { driveDb: 12, mix: 0.5 }).channels[0]
    let worst = 0
    for (let n = 0; n < full.length; n++) worst = Math.max(worst, Math.abs(half[n] - 0.5 * (full[n] + input.channels[0][n])))
    expect(worst).toBeLessThan(1e-6)
    expect(applySaturation(input, { driveDb: 18, mix: 0 }).channels).toEqual(input.channels)
  })

  /** Power of everything but the fundamental, relative to it (dB): for a 15 kHz sine every other bin below Nyquist is an alias. */
  function aliasDb(y: Float32Array, bin: number): number {
    const power = binPowers(y)
    let alias = 0
    for (let k = 1; k < N / 2; k++) if (k !== bin) alias += power[k]
    return powerToDb(alias / power[bin])
  }

  it('4x oversampling keeps the aliases of a 15 kHz sine far below those of the same shaper at 1x', () => {
    const bin = Math.round((15000 * N) / FS)
    for (const [levelDb, driveDb, oversampledBelowDb, improvementDb] of [[-3, 6, -80, 50], [-6, 12, -50, 35]]) {
      const x = coherentSine(bin, levelDb)
      const g = dbToGain(driveDb)
      const oversampled = aliasDb(applySaturation({ channels: [x], sampleRateHz: FS }, { driveDb, mix: 1 }).channels[0], bin)
      const naive = aliasDb(x.map((v) => shape(g * v) / g), bin)
      expect(oversampled).toBeLessThan(oversampledBelowDb)
      expect(naive - oversampled).toBeGreaterThan(improvementDb)
    }
  })

  it('refuses out-of-range values', () => {
    expect(() => applySaturation(stereo(sine(FS, 0.1, -6), FS), { driveDb: 24, mix: 0.5 })).toThrow('saturation.driveDb must be within [0, 18] dB, got 24')
    expect(() => applySaturation(stereo(sine(FS, 0.1, -6), FS), { driveDb: 6, mix: 1.5 })).toThrow('saturation.mix must be within [0, 1] fraction, got 1.5')
  })
})
