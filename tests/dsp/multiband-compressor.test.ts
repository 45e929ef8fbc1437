import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { crossoverBandResponses, DEFAULT_CROSSOVERS_HZ } from '../../src/dsp/crossover.js'
import {
  applyCompressor,
  applyMultibandCompressor,
  COMPRESSOR_BAND_PARAMS,
  defaultMultibandCompressorParams,
  neutralMultibandCompressorParams,
  staticGainDb,
  validateMultibandCompressorParams,
  type CompressorBandParams,
} from '../../src/dsp/multiband-compressor.js'
import { defaultParams, neutralParams } from '../../src/dsp/params.js'
import { gainToDb, powerToDb } from '../../src/units/db.js'
import { concat, noise, sine } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

const SQUASH: Partial<CompressorBandParams> = { thresholdDb: -40, ratio: 20, attackMs: 0.1, releaseMs: 5, kneeDb: 0, makeupDb: 12 }

processorContract('compressor (one band, wideband)', COMPRESSOR_BAND_PARAMS, applyCompressor, { extraParams: [SQUASH, { kneeDb: 24, thresholdDb: -60 }] })
processorContract(
  'multiband compressor (the same table on every band)',
  COMPRESSOR_BAND_PARAMS,
  (audio, band) => applyMultibandCompressor(audio, { crossoversHz: DEFAULT_CROSSOVERS_HZ, bands: [band, band, band, band] }),
  { extraParams: [SQUASH, { ratio: 1, makeupDb: -3 }] },
)
processorContract('multiband compressor, 3 bands', COMPRESSOR_BAND_PARAMS, (audio, band) =>
  applyMultibandCompressor(audio, { crossoversHz: [200, 2500], bands: [band, band, band] }),
)

function band(values: Partial<CompressorBandParams>): CompressorBandParams {
  return { ...defaultParams(COMPRESSOR_BAND_PARAMS), ...values }
}

function meanSquare(x: Float32Array, from: number, to = x.length): number {
  let sum = 0
  for (let n = from; n < to; n++) sum += x[n] * x[n]
  return sum / (to - from)
}

/** Amplitude of the `frequencyHz` component of x[from, to) (projection on sine and cosine; whole cycles). */
function toneAmplitude(x: Float32Array, frequencyHz: number, rateHz: number, from: number, to: number): number {
  let c = 0
  let s = 0
  for (let n = from; n < to; n++) {
    const w = (2 * Math.PI * frequencyHz * n) / rateHz
    c += x[n] * Math.cos(w)
    s += x[n] * Math.sin(w)
  }
  return (2 * Math.hypot(c, s)) / (to - from)
}

describe('staticGainDb: the gain computer of Giannoulis et al. eq. (4)', () => {
  it('hard knee: 0 dB below the threshold, (1/R - 1)(x - T) above, plus makeup', () => {
    const hard = band({ thresholdDb: -20, ratio: 4, kneeDb: 0, makeupDb: 2 })
    expect(staticGainDb(-50, hard)).toBe(2)
    expect(staticGainDb(-20, hard)).toBe(2)
    expect(staticGainDb(-8, hard)).toBeCloseTo(2 - 9, 12)
    expect(staticGainDb(0, band({ thresholdDb: -30, ratio: 20, kneeDb: 0, makeupDb: 0 }))).toBeCloseTo(-28.5, 12)
  })

  it('soft knee: quadratic inside T +- W/2, continuous with matching slopes at both edges', () => {
    const soft = band({ thresholdDb: -20, ratio: 3, kneeDb: 12, makeupDb: 0 })
    expect(staticGainDb(-26, soft)).toBe(0)
    expect(staticGainDb(-20, soft)).toBeCloseTo((1 / 3 - 1) * 6 ** 2 / 24, 12)
    expect(staticGainDb(-14, soft)).toBeCloseTo((1 / 3 - 1) * 6, 12)
    const h = 1e-6
    for (const edge of [-26, -14]) {
      expect(staticGainDb(edge - h, soft)).toBeCloseTo(staticGainDb(edge + h, soft), 5)
      const slopeBelow = (staticGainDb(edge, soft) - staticGainDb(edge - h, soft)) / h
      const slopeAbove = (staticGainDb(edge + h, soft) - staticGainDb(edge, soft)) / h
      expect(slopeAbove).toBeCloseTo(slopeBelow, 4)
    }
  })

  it('ratio 1 is a pure makeup gain', () => {
    expect(staticGainDb(0, band({ ratio: 1, makeupDb: -4 }))).toBe(-4)
  })
})

describe('compressor: measured', () => {
  const rateHz = 48000
  for (const kneeDb of [0, 12]) {
    it(`a steady sine's output level follows staticGainDb within 0.2 dB (knee ${kneeDb} dB)`, () => {
      const params = band({ thresholdDb: -24, ratio: 4, attackMs: 1, releaseMs: 1000, kneeDb, makeupDb: 3 })
      for (const levelDb of [-40, -30, -27, -24, -21, -18, -12, -6, 0]) {
        const x = sine(rateHz, 3, levelDb, 1000)
        const y = applyCompressor({ channels: [x], sampleRateHz: rateHz }, params).channels[0]
        const from = rateHz * 2
        expect(Math.abs(powerToDb(meanSquare(y, from) / meanSquare(x, from)) - staticGainDb(levelDb, params))).toBeLessThan(0.2)
      }
    })
  }

  /** The gain reduction in dB the compressor applies at each sample of a piecewise-constant input. */
  function reductionDb(x: Float32Array, params: CompressorBandParams): Float64Array {
    const y = applyCompressor({ channels: [x], sampleRateHz: rateHz }, params).channels[0]
    return Float64Array.from(x, (v, n) => -gainToDb(y[n] / v))
  }

  for (const [attackMs, releaseMs] of [[5, 50], [20, 300], [100, 1500]]) {
    it(`a level step reaches 1 - 1/e of its gain change after attackMs (${attackMs} ms) and releases to 1/e after releaseMs (${releaseMs} ms)`, () => {
      const params = band({ thresholdDb: -30, ratio: 5, attackMs, releaseMs, kneeDb: 0 })
      const quiet = new Float32Array(rateHz).fill(0.01)
      const loud = new Float32Array(rateHz * 2).fill(0.5)
      const quietAgain = new Float32Array(rateHz * 4).fill(0.01)
      const reduction = reductionDb(concat(quiet, loud, quietAgain), params)
      const finalDb = -staticGainDb(gainToDb(0.5), params)
      const attackAt = reduction.findIndex((r, n) => n >= rateHz && r >= (1 - 1 / Math.E) * finalDb) - rateHz
      const releaseStart = 3 * rateHz
      expect(reduction[releaseStart - 1]).toBeCloseTo(finalDb, 3)
      const releaseAt = reduction.findIndex((r, n) => n >= releaseStart && r <= finalDb / Math.E) - releaseStart
      expect(Math.abs((1000 * attackAt) / rateHz / attackMs - 1)).toBeLessThan(0.2)
      expect(Math.abs((1000 * releaseAt) / rateHz / releaseMs - 1)).toBeLessThan(0.2)
    })
  }

  it('stereo link: both channels get the same gain, so a panned source keeps its place', () => {
    const left = sine(rateHz, 1, -6, 440)
    const right = left.map((v) => 0.25 * v)
    const params = band({ thresholdDb: -30, ratio: 8, attackMs: 2, releaseMs: 50 })
    const [outLeft, outRight] = applyCompressor({ channels: [left, right], sampleRateHz: rateHz }, params).channels
    expect(powerToDb(meanSquare(outLeft, rateHz / 2) / meanSquare(left, rateHz / 2))).toBeLessThan(-10)
    let worst = 0
    for (let n = 0; n < left.length; n++) worst = Math.max(worst, Math.abs(outRight[n] - 0.25 * outLeft[n]))
    expect(worst).toBeLessThan(1e-7)
  })
})

describe('multiband compressor', () => {
  const rateHz = 44100

  it('compresses only its band: a loud 40 Hz tone comes down, a 3 kHz tone in another band is untouched', () => {
    const low = sine(rateHz, 4, -6, 40)
    const high = sine(rateHz, 4, -30, 3000)
    const mix = low.map((v, n) => v + high[n])
    const lowBand = band({ thresholdDb: -30, ratio: 10, attackMs: 1, releaseMs: 1000, kneeDb: 0 })
    const params = { ...neutralMultibandCompressorParams(), bands: [lowBand, ...neutralMultibandCompressorParams().bands.slice(1)] }
    const output = applyMultibandCompressor({ channels: [mix], sampleRateHz: rateHz }, params).channels[0]
    const from = rateHz * 2
    const to = rateHz * 4
    expect(gainToDb(toneAmplitude(output, 3000, rateHz, from, to) / toneAmplitude(mix, 3000, rateHz, from, to))).toBeCloseTo(0, 2)
    // 40 Hz: band 0 compressed at its own level, the small leakage into band 1 passes unchanged (in phase, LR4)
    const responses = crossoverBandResponses(DEFAULT_CROSSOVERS_HZ, 40, rateHz)
    const magnitudes = responses.map((h) => Math.hypot(h.re, h.im))
    const gain = Math.pow(10, staticGainDb(-6 + gainToDb(magnitudes[0]), lowBand) / 20)
    const expectedDb = gainToDb(gain * magnitudes[0] + magnitudes[1] + magnitudes[2] + magnitudes[3])
    const measuredDb = gainToDb(toneAmplitude(output, 40, rateHz, from, to) / toneAmplitude(mix, 40, rateHz, from, to))
    expect(measuredDb).toBeLessThan(-15)
    expect(Math.abs(measuredDb - expectedDb)).toBeLessThan(0.3)
  })

  it('links the stereo channels in every band: a panned source keeps its place', () => {
    const left = noise(rateHz * 2, 0.7, 21)
    const right = left.map((v) => 0.3 * v)
    const [outLeft, outRight] = applyMultibandCompressor({ channels: [left, right], sampleRateHz: rateHz }, defaultMultibandCompressorParams()).channels
    let worst = 0
    for (let n = 0; n < left.length; n++) worst = Math.max(worst, Math.abs(outRight[n] - 0.3 * outLeft[n]))
    expect(worst).toBeLessThan(1e-6)
    expect(powerToDb(meanSquare(outLeft, 0) / meanSquare(left, 0))).toBeLessThan(-1)
  })

  it('neutral bands are the exact identity (no split, no all-pass)', () => {
    const input: Audio = { channels: [noise(5000, 0.5, 3), noise(5000, 0.5, 4)], sampleRateHz: rateHz }
    expect(applyMultibandCompressor(input, neutralMultibandCompressorParams()).channels).toEqual(input.channels)
  })

  it('validates crossovers and every band, naming the band', () => {
    const input: Audio = { channels: [noise(100, 0.5)], sampleRateHz: rateHz }
    const params = defaultMultibandCompressorParams()
    expect(() => applyMultibandCompressor(input, { ...params, bands: params.bands.slice(1) })).toThrow('multibandCompressor.bands must hold crossoversHz.length + 1 = 4 bands, got 3')
    const bad = params.bands.map((b, i) => (i === 2 ? { ...b, attackMs: 500 } : b))
    expect(() => applyMultibandCompressor(input, { ...params, bands: bad })).toThrow('multibandCompressor.bands[2].attackMs must be within [0.1, 200] ms, got 500')
    expect(() => validateMultibandCompressorParams({ ...params, crossoversHz: [1000, 100, 6000] }, rateHz)).toThrow(/strictly ascending/)
    expect(() => applyCompressor(input, { ...neutralParams(COMPRESSOR_BAND_PARAMS), ratio: 0.5 })).toThrow('compressor.ratio must be within [1, 20] ratio, got 0.5')
  })
})
