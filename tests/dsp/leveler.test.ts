import { describe, expect, it } from 'vitest'
import { applyLeveler, GAIN_STEP_FRAMES, LEVELER_PARAMS, levelerGainDb, type LevelerParams } from '../../src/dsp/leveler.js'
import { defaultParams } from '../../src/dsp/params.js'
import { gainToDb } from '../../src/units/db.js'
import { concat, sine, stereo } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

processorContract('leveler', LEVELER_PARAMS, applyLeveler, { extraParams: [{ ratio: 4, pivotDb: -40, attackMs: 0.1, releaseMs: 10, maxGainDb: 24 }, { ratio: 1.2, pivotDb: 0 }] })

const rate = 44100
const leveler = (values: Partial<LevelerParams>): LevelerParams => ({ ...defaultParams(LEVELER_PARAMS), ...values })

/** Peak of x[from, to) in dBFS. */
function peakDb(x: Float32Array, from: number, to: number): number {
  let peak = 0
  for (let n = Math.round(from); n < Math.round(to); n++) peak = Math.max(peak, Math.abs(x[n]))
  return gainToDb(peak)
}

describe('leveler', () => {
  it('moves a steady level toward the pivot by (1 - 1/ratio) of its distance, from both sides', () => {
    // With a near-instant attack the peak envelope of a steady sine settles at its amplitude (a slower
    // attack averages |sin| below it); the gain is then (1/R - 1)(L - P).
    for (const [levelDb, ratio, pivotDb] of [[-30, 2, -20], [-6, 2, -20], [-12, 1.5, -12], [-40, 4, -20]]) {
      const input = stereo(sine(rate, 2, levelDb, 440), rate)
      const output = applyLeveler(input, leveler({ ratio, pivotDb, maxGainDb: 24, attackMs: 0.1, releaseMs: 1000 }))
      const expectedDb = pivotDb + (levelDb - pivotDb) / ratio
      // the last second, long after the attack: within the release ripple of a 440 Hz envelope
      expect(peakDb(output.channels[0], rate, 2 * rate)).toBeCloseTo(expectedDb, 1)
      expect(peakDb(output.channels[1], rate, 2 * rate)).toBeCloseTo(expectedDb, 1)
    }
  })

  it('limits the gain to +-maxGainDb', () => {
    const quiet = applyLeveler(stereo(sine(rate, 2, -60, 440), rate), leveler({ ratio: 4, pivotDb: -10, maxGainDb: 6, attackMs: 0.1 }))
    expect(peakDb(quiet.channels[0], rate, 2 * rate)).toBeCloseTo(-54, 1)
    const loud = applyLeveler(stereo(sine(rate, 2, 0, 440), rate), leveler({ ratio: 4, pivotDb: -60, maxGainDb: 6, attackMs: 0.1 }))
    expect(peakDb(loud.channels[0], rate, 2 * rate)).toBeCloseTo(-6, 1)
  })

  it('shrinks the distance between a loud and a quiet passage by the ratio and links the channels', () => {
    const loud = sine(rate, 2, -6, 300)
    const quiet = sine(rate, 2, -30, 300)
    const input = { sampleRateHz: rate, channels: [concat(loud, quiet), concat(loud, quiet).map((v) => v * 0.5)] }
    const output = applyLeveler(input, leveler({ ratio: 2, pivotDb: -18, attackMs: 0.1, releaseMs: 200 }))
    const spanDb = (c: number) => peakDb(output.channels[c], 1.5 * rate, 2 * rate) - peakDb(output.channels[c], 3.5 * rate, 4 * rate)
    expect(spanDb(0)).toBeCloseTo(12, 1)
    // one gain for both channels (the detector reads the louder): the right channel keeps its 6 dB below the left
    for (const n of [rate, 3 * rate + 123]) expect(output.channels[1][n] / output.channels[0][n]).toBeCloseTo(0.5, 6)
  })

  it('follows a rise within its attack and a fall within its release', () => {
    const input = stereo(concat(sine(rate, 1, -40, 1000), sine(rate, 1, -10, 1000), sine(rate, 1, -40, 1000)), rate)
    const params = leveler({ ratio: 2, pivotDb: -25, attackMs: 5, releaseMs: 100 })
    const output = applyLeveler(input, params)
    const steadyLoudDb = peakDb(output.channels[0], 1.8 * rate, 2 * rate)
    const steadyQuietDb = peakDb(output.channels[0], 2.8 * rate, 3 * rate)
    // 30 dB apart in, 15 dB out at ratio 2
    expect(steadyLoudDb - steadyQuietDb).toBeCloseTo(15, 0)
    // 30 ms after the rise (6 attack constants) the loud passage is at its steady level
    expect(peakDb(output.channels[0], 1.03 * rate, 1.05 * rate)).toBeCloseTo(steadyLoudDb, 0)
    // right after the fall the gain is still about the loud passage's: the quiet part sits far below its steady level
    expect(peakDb(output.channels[0], 2 * rate + 10, 2.005 * rate)).toBeLessThan(steadyQuietDb - 5)
  })

  it('is the static curve levelerGainDb', () => {
    expect(levelerGainDb(-30, leveler({ ratio: 2, pivotDb: -20 }))).toBeCloseTo(5, 12)
    expect(levelerGainDb(-10, leveler({ ratio: 2, pivotDb: -20 }))).toBeCloseTo(-5, 12)
    expect(levelerGainDb(-100, leveler({ ratio: 4, pivotDb: -20, maxGainDb: 9 }))).toBe(9)
  })

  it('keeps lengths that are not a multiple of its gain step', () => {
    for (const frames of [1, GAIN_STEP_FRAMES - 1, GAIN_STEP_FRAMES, GAIN_STEP_FRAMES + 1, 1000]) {
      const out = applyLeveler(stereo(sine(rate, frames / rate, -12, 440), rate), leveler({ ratio: 2 }))
      expect(out.channels[0]).toHaveLength(frames)
      expect(out.channels[0].every(Number.isFinite)).toBe(true)
    }
  })
})
