import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { forEachMidSideFrame } from '../../src/analysis/spectrum/stft.js'
import { applyMatchingEq, interpolateCurveDb, MATCHING_EQ_PARAMS, type EqCurve } from '../../src/dsp/matching-eq.js'
import { powerToDb } from '../../src/units/db.js'
import { noise } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

const CURVE: EqCurve = {
  frequenciesHz: [20, 100, 200, 1000, 2000, 4000, 10000, 20000],
  midDb: [4, 4, 2, 0, -4, 0, 3, 3],
  sideDb: [-6, -6, -3, 0, 0, 2, 2, 2],
}

processorContract('matching EQ', MATCHING_EQ_PARAMS, (audio, params) => applyMatchingEq(audio, { ...params, curve: CURVE }), {
  identityToleranceDb: -140,
})

/** Long-term mid and side power spectra (8192-point frames), summed over frames. */
function spectra(audio: Audio): { mid: Float64Array; side: Float64Array } {
  const mid = new Float64Array(4097)
  const side = new Float64Array(4097)
  forEachMidSideFrame(audio.channels, 8192, 4096, (_, __, m, s) => {
    for (let k = 0; k < mid.length; k++) {
      mid[k] += m[k]
      side[k] += s[k]
    }
  })
  return { mid, side }
}

/** Power ratio in dB of two spectra over the bins within a sixth of an octave of `hz`. */
function measuredDb(after: Float64Array, before: Float64Array, hz: number, binHz: number): number {
  let a = 0
  let b = 0
  for (let k = Math.ceil((hz * 0.94) / binHz); k <= Math.floor((hz * 1.06) / binHz); k++) {
    a += after[k]
    b += before[k]
  }
  return powerToDb(a / b)
}

describe('matching EQ response', () => {
  it('measures back its curve on noise within 0.5 dB, on mid and side separately', () => {
    const rate = 44100
    const input: Audio = { channels: [noise(rate * 20, 0.3, 1), noise(rate * 20, 0.3, 2)], sampleRateHz: rate }
    const output = applyMatchingEq(input, { strength: 1, curve: CURVE })
    const before = spectra(input)
    const after = spectra(output)
    const binHz = rate / 8192
    for (const hz of [60, 150, 500, 1000, 2000, 3000, 6000, 12000]) {
      expect(Math.abs(measuredDb(after.mid, before.mid, hz, binHz) - interpolateCurveDb(CURVE.frequenciesHz, CURVE.midDb, hz)), `mid ${hz} Hz`).toBeLessThan(0.5)
      expect(Math.abs(measuredDb(after.side, before.side, hz, binHz) - interpolateCurveDb(CURVE.frequenciesHz, CURVE.sideDb, hz)), `side ${hz} Hz`).toBeLessThan(0.5)
    }
  })

  it('scales the curve in dB with strength', () => {
    const rate = 48000
    const input: Audio = { channels: [noise(rate * 10, 0.3, 3)], sampleRateHz: rate }
    const half = applyMatchingEq(input, { strength: 0.5, curve: CURVE })
    const mono = (audio: Audio) => spectra({ channels: [audio.channels[0], audio.channels[0]], sampleRateHz: rate }).mid
    const binHz = rate / 8192
    expect(measuredDb(mono(half), mono(input), 2000, binHz)).toBeCloseTo(-2, 0)
    expect(measuredDb(mono(half), mono(input), 100, binHz)).toBeCloseTo(2, 0)
  })

  it('keeps an impulse where it was (the FIR delay is compensated)', () => {
    const rate = 44100
    const impulse = new Float32Array(rate)
    impulse[20000] = 1
    const output = applyMatchingEq({ channels: [impulse, impulse.slice()], sampleRateHz: rate }, { strength: 1, curve: CURVE })
    let peakIndex = 0
    for (let n = 0; n < output.channels[0].length; n++) if (Math.abs(output.channels[0][n]) > Math.abs(output.channels[0][peakIndex])) peakIndex = n
    expect(peakIndex).toBe(20000)
    expect(output.channels[0].length).toBe(rate)
  })
})
