import { describe, expect, it } from 'vitest'
import { forEachMidSideFrame } from '../../src/analysis/spectrum/stft.js'
import { neutralParams } from '../../src/dsp/params.js'
import { applyTonalEq, TONAL_EQ_PARAMS, tonalEqMagnitudeDb, type TonalEqParams } from '../../src/dsp/tonal-eq.js'
import { powerToDb } from '../../src/units/db.js'
import { noise } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

processorContract('tonal EQ', TONAL_EQ_PARAMS, applyTonalEq, {
  extraParams: [
    { lowShelfGainDb: 6, highShelfGainDb: -4, peak1GainDb: 3, peak2GainDb: -12, peak2Q: 6 },
    { lowShelfHz: 500, lowShelfGainDb: -12, highShelfHz: 16000, highShelfGainDb: 12, peak1Hz: 40, peak1GainDb: 12, peak1Q: 0.3 },
  ],
})

const FS = 44100
const SIZE = 8192

function eq(values: Partial<TonalEqParams>): TonalEqParams {
  return { ...neutralParams(TONAL_EQ_PARAMS), ...values }
}

/** Averaged power spectrum (Hann frames, 50 % overlap) of one channel. */
function averagedPower(samples: Float32Array): Float64Array {
  const sum = new Float64Array(SIZE / 2 + 1)
  const frames = forEachMidSideFrame([samples], SIZE, SIZE / 2, (_frame, _start, power) => {
    for (let k = 0; k < sum.length; k++) sum[k] += power[k]
  })
  return sum.map((v) => v / frames)
}

/** Output/input power in dB over 5 bins around `frequencyHz`. */
function measuredGainDb(input: Float64Array, output: Float64Array, frequencyHz: number): number {
  const centre = Math.round((frequencyHz * SIZE) / FS)
  let inPower = 0
  let outPower = 0
  for (let k = centre - 2; k <= centre + 2; k++) {
    inPower += input[k]
    outPower += output[k]
  }
  return powerToDb(outPower / inPower)
}

describe('tonal EQ', () => {
  it('white noise through the EQ measures back within 0.5 dB of the curve it reports', () => {
    const params = eq({ lowShelfHz: 120, lowShelfGainDb: 5, highShelfHz: 9000, highShelfGainDb: -6, peak1Hz: 400, peak1GainDb: -7, peak1Q: 1.5, peak2Hz: 3000, peak2GainDb: 9, peak2Q: 3 })
    const x = noise(FS * 20, 0.3, 11)
    const output = applyTonalEq({ channels: [x], sampleRateHz: FS }, params).channels[0]
    const inputPower = averagedPower(x)
    const outputPower = averagedPower(output)
    const frequencies = [40, 120, 400, 1000, 2000, 3000, 6000, 9000, 15000]
    const curve = tonalEqMagnitudeDb(params, frequencies, FS)
    frequencies.forEach((f, i) => expect(Math.abs(measuredGainDb(inputPower, outputPower, f) - curve[i])).toBeLessThan(0.5))
  })

  it('a peaking band is exact at its centre; shelves reach their asymptotes', () => {
    expect(tonalEqMagnitudeDb(eq({ peak1Hz: 1234, peak1GainDb: -7.5, peak1Q: 4 }), [1234], FS)[0]).toBeCloseTo(-7.5, 9)
    expect(tonalEqMagnitudeDb(eq({ peak2Hz: 80, peak2GainDb: 11, peak2Q: 0.5 }), [80], 48000)[0]).toBeCloseTo(11, 9)
    const [deepLow, lowMid, aboveLow] = tonalEqMagnitudeDb(eq({ lowShelfHz: 200, lowShelfGainDb: 8 }), [10, 200, 8000], FS)
    expect(deepLow).toBeCloseTo(8, 1)
    expect(lowMid).toBeCloseTo(4, 9)
    expect(Math.abs(aboveLow)).toBeLessThan(0.01)
    const [belowHigh, air] = tonalEqMagnitudeDb(eq({ highShelfHz: 3000, highShelfGainDb: -10 }), [50, 21000], FS)
    expect(Math.abs(belowHigh)).toBeLessThan(0.01)
    expect(air).toBeCloseTo(-10, 0)
  })

  it('all gains 0: the curve is flat and the output is the input', () => {
    expect(Array.from(tonalEqMagnitudeDb(eq({ peak1Q: 6, lowShelfHz: 30 }), [20, 1000, 20000], FS))).toEqual([0, 0, 0])
    const x = noise(4410, 0.5, 2)
    expect(applyTonalEq({ channels: [x], sampleRateHz: FS }, eq({})).channels[0]).toEqual(x)
  })

  it('works at low rates: a 16 kHz band at 22.05 kHz is designed below Nyquist', () => {
    const output = applyTonalEq({ channels: [noise(22050, 0.5, 4)], sampleRateHz: 22050 }, eq({ highShelfHz: 16000, highShelfGainDb: 6, peak2Hz: 16000, peak2GainDb: 3 }))
    expect(output.channels[0].every(Number.isFinite)).toBe(true)
  })

  it('refuses out-of-range values, naming parameter, range and unit', () => {
    expect(() => applyTonalEq({ channels: [noise(100, 0.1)], sampleRateHz: FS }, eq({ peak1Q: 10 }))).toThrow('tonalEq.peak1Q must be within [0.3, 6] factor, got 10')
    expect(() => tonalEqMagnitudeDb(eq({ lowShelfGainDb: -13 }), [100], FS)).toThrow(/lowShelfGainDb must be within \[-12, 12\] dB/)
  })
})
