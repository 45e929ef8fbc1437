import { describe, expect, it } from 'vitest'
import { applySubsonic, SUBSONIC_PARAMS } from '../../src/dsp/subsonic.js'
import { powerToDb } from '../../src/units/db.js'
import { concat, sine, stereo } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

processorContract('subsonic', SUBSONIC_PARAMS, applySubsonic, { extraParams: [{ cutoffHz: 40 }, { cutoffHz: 5 }] })

/** Mean square of samples [from, to). */
function meanSquare(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0
  for (let n = from; n < to; n++) sum += x[n] * x[n]
  return sum / (to - from)
}

/** Steady-state gain in dB of the filter for a sine of `frequencyHz` (the last half of 6 s). */
function sineGainDb(frequencyHz: number, cutoffHz: number, rateHz: number): number {
  const input = sine(rateHz, 6, -6, frequencyHz)
  const output = applySubsonic({ channels: [input], sampleRateHz: rateHz }, { cutoffHz }).channels[0]
  const from = Math.round(rateHz * 3)
  return powerToDb(meanSquare(output, from) / meanSquare(input, from))
}

describe('subsonic high-pass', () => {
  for (const rateHz of [44100, 96000]) {
    it(`is the zero-phase high-pass at ${rateHz} Hz: -3 dB at the cutoff, 24 dB/octave below, flat above`, () => {
      const cutoffHz = 30
      expect(sineGainDb(cutoffHz, cutoffHz, rateHz)).toBeCloseTo(-3.01, 1)
      // |H| = r / (1 + r), r = (f / f0)^4, f0 = cutoff / (1 + sqrt 2)^(1/4): two octaves below, r = (1 + sqrt 2) / 256
      const r = (1 + Math.SQRT2) / 256
      const twoOctaves = sineGainDb(cutoffHz / 4, cutoffHz, rateHz)
      const threeOctaves = sineGainDb(cutoffHz / 8, cutoffHz, rateHz)
      expect(twoOctaves).toBeCloseTo(20 * Math.log10(r / (1 + r)), 0)
      // Approaching 24 dB/octave: one more octave down adds 20 log10 of the ratio of the two closed forms.
      const r3 = r / 16
      const octaveStepDb = 20 * Math.log10(r / (1 + r)) - 20 * Math.log10(r3 / (1 + r3))
      // (24.0 dB here; a 3.75 Hz tone measured over a few seconds reads about 0.6 dB less)
      expect(Math.abs(twoOctaves - threeOctaves - octaveStepDb)).toBeLessThan(0.8)
      expect(Math.abs(sineGainDb(1000, cutoffHz, rateHz))).toBeLessThan(0.01)
    })
  }

  it('removes a DC offset present from the start without a step (no thump)', () => {
    const rateHz = 44100
    const clean = sine(rateHz, 3, -12, 440)
    const offset = clean.map((x) => x + 0.25)
    const withOffset = applySubsonic({ channels: [offset], sampleRateHz: rateHz }, { cutoffHz: 20 }).channels[0]
    const without = applySubsonic({ channels: [clean], sampleRateHz: rateHz }, { cutoffHz: 20 }).channels[0]
    let sum = 0
    let worst = 0
    for (let n = 0; n < withOffset.length; n++) {
      sum += withOffset[n]
      worst = Math.max(worst, Math.abs(withOffset[n] - without[n]))
    }
    expect(Math.abs(sum / withOffset.length)).toBeLessThan(1e-4)
    // the offset leaves no trace, not even at the start (float32 rounding of x + 0.25 aside)
    expect(worst).toBeLessThan(1e-6)
  })

  it('lets an offset that starts mid-signal decay to ~0', () => {
    const rateHz = 48000
    const input = concat(new Float32Array(rateHz), new Float32Array(2 * rateHz).fill(0.5))
    const output = applySubsonic({ channels: [input], sampleRateHz: rateHz }, { cutoffHz: 20 }).channels[0]
    const tail = output.subarray(output.length - rateHz / 2)
    expect(Math.max(...tail.map(Math.abs))).toBeLessThan(1e-3 * 0.5)
  })

  it('cutoffHz = 0 is off: the input comes back bit for bit, offset included', () => {
    const input = stereo(sine(44100, 1, -6, 50).map((x) => x + 0.1), 44100)
    const output = applySubsonic(input, { cutoffHz: 0 })
    expect(output.channels).toEqual(input.channels)
    expect(output.channels[0]).not.toBe(input.channels[0])
  })

  it('refuses a cutoff out of range, naming value, range and unit', () => {
    expect(() => applySubsonic(stereo(sine(44100, 0.1, -6), 44100), { cutoffHz: 60 })).toThrow('subsonic.cutoffHz must be within [0, 40] Hz, got 60')
  })
})
