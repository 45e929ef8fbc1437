import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { forEachMidSideFrame } from '../../src/analysis/spectrum/stft.js'
import { crossoverBandResponses, DEFAULT_CROSSOVERS_HZ } from '../../src/dsp/crossover.js'
import { defineParams } from '../../src/dsp/params.js'
import {
  applyStereoWidth,
  defaultStereoWidthParams,
  neutralStereoWidthParams,
  sideKernel,
  SIDE_BAND_PARAMS,
  STEREO_WIDTH_PARAMS,
  type StereoWidthParams,
} from '../../src/dsp/stereo-width.js'
import { dbToGain, powerToDb } from '../../src/units/db.js'
import { zeroPhaseLowBand } from '../../src/dsp/zero-phase-split.js'
import { noise } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

/** Contract table: monoBelowHz plus one side gain used on all four bands. */
const CONTRACT_PARAMS = defineParams({ ...STEREO_WIDTH_PARAMS, ...SIDE_BAND_PARAMS })
processorContract(
  'stereo width (the same side gain on every band)',
  CONTRACT_PARAMS,
  (audio, p) => applyStereoWidth(audio, { monoBelowHz: p.monoBelowHz, crossoversHz: DEFAULT_CROSSOVERS_HZ, bands: DEFAULT_CROSSOVERS_HZ.concat(0).map(() => ({ sideGainDb: p.sideGainDb })) }),
  { extraParams: [{ sideGainDb: -12, monoBelowHz: 150 }, { sideGainDb: 6 }, { monoBelowHz: 300 }] },
)

const FS = 44100
const SIZE = 16384

function width(sideGainsDb: number[], monoBelowHz = 20, crossoversHz = DEFAULT_CROSSOVERS_HZ): StereoWidthParams {
  return { monoBelowHz, crossoversHz, bands: sideGainsDb.map((sideGainDb) => ({ sideGainDb })) }
}

/** A stereo noise with a wide image: L and R partly correlated. */
function wideNoise(seconds: number): Audio {
  const a = noise(FS * seconds, 0.4, 5)
  const b = noise(FS * seconds, 0.4, 6)
  return { channels: [a.map((v, n) => v + 0.6 * b[n]), a.map((v, n) => v - 0.3 * b[n])], sampleRateHz: FS }
}

interface Spectra {
  mid: Float64Array
  side: Float64Array
  left: Float64Array
  right: Float64Array
}

/** Averaged power spectra of mid, side, left and right. */
function spectra(audio: Audio): Spectra {
  const bins = SIZE / 2 + 1
  const result = { mid: new Float64Array(bins), side: new Float64Array(bins), left: new Float64Array(bins), right: new Float64Array(bins) }
  const [left, right] = audio.channels
  forEachMidSideFrame([left, right], SIZE, SIZE / 2, (_f, _s, mid, side) => mid.forEach((p, k) => ((result.mid[k] += p), (result.side[k] += side[k]))))
  forEachMidSideFrame([left, left], SIZE, SIZE / 2, (_f, _s, mid) => mid.forEach((p, k) => (result.left[k] += p)))
  forEachMidSideFrame([right, right], SIZE, SIZE / 2, (_f, _s, mid) => mid.forEach((p, k) => (result.right[k] += p)))
  return result
}

/** 10 log10(a / b) over 5 bins around `frequencyHz`. */
function ratioDb(a: Float64Array, b: Float64Array, frequencyHz: number): number {
  const centre = Math.round((frequencyHz * SIZE) / FS)
  let sumA = 0
  let sumB = 0
  for (let k = centre - 2; k <= centre + 2; k++) {
    sumA += a[k]
    sumB += b[k]
  }
  return powerToDb(sumA / sumB)
}

function sideMidDb(audio: Audio): { sideDb: number; midDb: number } {
  let side = 0
  let mid = 0
  const [left, right] = audio.channels
  for (let n = 0; n < left.length; n++) {
    mid += ((left[n] + right[n]) / 2) ** 2
    side += ((left[n] - right[n]) / 2) ** 2
  }
  return { sideDb: powerToDb(side), midDb: powerToDb(mid) }
}

const CHECK_HZ = [30, 60, 100, 120, 200, 500, 1000, 2000, 4000, 6000, 8000, 12000, 16000]

describe('stereo width', () => {
  it('its FIR is the band splits themselves: the same side as running the zero-phase recursions, away from the ends', () => {
    const params = width([3, -6, -12, 2], 90)
    const input = wideNoise(4)
    const output = applyStereoWidth(input, params)
    // The side the recursions give (./zero-phase-split.ts): mono-below, then each band split off the residual.
    const side = input.channels[0].map((l, n) => 0.5 * (l - input.channels[1][n]))
    const low = zeroPhaseLowBand(side, 90, FS)
    for (let n = 0; n < side.length; n++) side[n] -= low[n]
    const shaped = new Float32Array(side.length)
    DEFAULT_CROSSOVERS_HZ.forEach((hz, b) => {
      const band = zeroPhaseLowBand(side, hz, FS)
      for (let n = 0; n < side.length; n++) (side[n] -= band[n]), (shaped[n] += dbToGain(params.bands[b].sideGainDb) * band[n])
    })
    let worst = 0, peak = 0
    // Near the ends the recursion from rest differs (its forward tail past the end is dropped); 1 s in, both are the same filter.
    for (let n = FS; n < side.length - FS; n++) {
      const expected = shaped[n] + dbToGain(2) * side[n]
      worst = Math.max(worst, Math.abs(0.5 * (output.channels[0][n] - output.channels[1][n]) - expected))
      peak = Math.max(peak, Math.abs(expected))
    }
    expect(worst / peak).toBeLessThan(1e-5)
    // The kernel is odd, symmetric (zero phase), and cut where its tails fall below float32 resolution.
    const kernel = sideKernel(params, FS)
    const centre = (kernel.length - 1) / 2
    expect(kernel.length % 2).toBe(1)
    for (let k = 1; k <= centre; k += 97) expect(kernel[centre - k]).toBeCloseTo(kernel[centre + k], 6)
    expect(Math.abs(kernel[0])).toBeLessThan(1e-6 * Math.abs(kernel[centre]))
  })

  it('-12 dB side gain on every band lowers the side energy by 12 dB and leaves the mid energy alone', () => {
    const input = wideNoise(10)
    const before = sideMidDb(input)
    const after = sideMidDb(applyStereoWidth(input, width([-12, -12, -12, -12])))
    expect(after.sideDb - before.sideDb).toBeCloseTo(-12, 1)
    expect(Math.abs(after.midDb - before.midDb)).toBeLessThan(0.02)
  })

  it('per-band side gains: each band gets its own gain in the side spectrum; the mid spectrum is unchanged', () => {
    const input = wideNoise(12)
    const gainsDb = [3, -6, -12, 2]
    const output = applyStereoWidth(input, width(gainsDb))
    const a = spectra(input)
    const b = spectra(output)
    for (const f of CHECK_HZ) {
      // the side's response is sum_b g_b H_b(f): the band gains, blended where the LR4 bands overlap
      const h = crossoverBandResponses(DEFAULT_CROSSOVERS_HZ, f, FS).reduce(
        (sum, band, i) => ({ re: sum.re + dbToGain(gainsDb[i]) * band.re, im: sum.im + dbToGain(gainsDb[i]) * band.im }),
        { re: 0, im: 0 },
      )
      expect(Math.abs(ratioDb(b.side, a.side, f) - powerToDb(h.re ** 2 + h.im ** 2))).toBeLessThan(0.2)
    }
    for (const f of CHECK_HZ) expect(Math.abs(ratioDb(b.mid, a.mid, f))).toBeLessThan(0.1)
  })

  it('monoBelowHz removes the side below the frequency (LR4: -6 dB there) and keeps it above', () => {
    const input = wideNoise(12)
    const output = applyStereoWidth(input, width([0, 0, 0, 0], 150))
    const a = spectra(input)
    const b = spectra(output)
    expect(ratioDb(b.side, a.side, 150 / 4)).toBeLessThan(-40)
    expect(ratioDb(b.side, a.side, 150)).toBeCloseTo(-6.02, 0)
    for (const f of [600, 1000, 5000, 15000]) expect(Math.abs(ratioDb(b.side, a.side, f))).toBeLessThan(0.1)
    for (const f of CHECK_HZ) expect(Math.abs(ratioDb(b.mid, a.mid, f))).toBeLessThan(0.1)
  })

  it('mid and side stay phase-aligned: a hard-left source keeps the same L/R balance at every frequency', () => {
    const left = noise(FS * 10, 0.5, 12)
    const input: Audio = { channels: [left, new Float32Array(left.length)], sampleRateHz: FS }
    // side x 1/2: R = (1 - 1/2) L / 2, L = (1 + 1/2) L / 2, so R/L = 1/3 (-9.54 dB) everywhere, crossovers included
    const s = spectra(applyStereoWidth(input, width([-6.0206, -6.0206, -6.0206, -6.0206])))
    for (const f of [...CHECK_HZ, ...DEFAULT_CROSSOVERS_HZ]) expect(ratioDb(s.right, s.left, f)).toBeCloseTo(-9.54, 1)
    // mono below 100 Hz: what reaches R is only the low end the filter folded to the centre
    const m = spectra(applyStereoWidth(input, width([0, 0, 0, 0], 100)))
    for (const f of [400, 1000, 3000, 10000]) expect(ratioDb(m.right, m.left, f)).toBeLessThan(-40)
  })

  it('mono input and neutral parameters return the input unchanged', () => {
    const mono: Audio = { channels: [noise(10000, 0.5, 1)], sampleRateHz: FS }
    expect(applyStereoWidth(mono, width([-12, 6, -3, 0], 200)).channels).toEqual(mono.channels)
    const input = wideNoise(1)
    expect(applyStereoWidth(input, neutralStereoWidthParams()).channels).toEqual(input.channels)
    expect(applyStereoWidth(input, defaultStereoWidthParams()).channels).toEqual(input.channels)
  })

  it('works with 3 bands', () => {
    const input = wideNoise(6)
    const before = sideMidDb(input)
    const after = sideMidDb(applyStereoWidth(input, width([-6, -6, -6], 20, [300, 3000])))
    expect(after.sideDb - before.sideDb).toBeCloseTo(-6, 1)
  })

  it('refuses bad parameters, naming the band', () => {
    const input = wideNoise(0.1)
    expect(() => applyStereoWidth(input, width([0, 0, -13, 0]))).toThrow('stereoWidth.bands[2].sideGainDb must be within [-12, 6] dB, got -13')
    expect(() => applyStereoWidth(input, width([0, 0, 0]))).toThrow('stereoWidth.bands must hold crossoversHz.length + 1 = 4 bands, got 3')
    expect(() => applyStereoWidth(input, width([0, 0, 0, 0], 400))).toThrow('stereoWidth.monoBelowHz must be within [20, 300] Hz, got 400')
  })
})
