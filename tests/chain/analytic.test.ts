import { describe, expect, it } from 'vitest'
import type { SpectrumCurve } from '../../src/analysis/spectrum/ltas.js'
import { eqSideMidChangeDb } from '../../src/chain/analytic.js'

const frequenciesHz = Array.from({ length: 100 }, (_, i) => 20 * Math.pow(2, i / 12))
const spectrum: SpectrumCurve = {
  frequenciesHz,
  // mid heavy in the bass, side flat: a curve that tilts both alike still moves their energy ratio
  midDb: frequenciesHz.map((hz) => -20 - 6 * Math.log2(hz / 20)),
  sideDb: frequenciesHz.map(() => -40),
  totalDb: frequenciesHz.map(() => -20),
}

describe('eqSideMidChangeDb', () => {
  it('is 0 for a flat curve and follows a side-only level change exactly', () => {
    const flat = frequenciesHz.map(() => 0)
    expect(eqSideMidChangeDb(spectrum, { frequenciesHz, midDb: flat, sideDb: flat }, 1)).toBeCloseTo(0, 9)
    expect(eqSideMidChangeDb(spectrum, { frequenciesHz, midDb: flat, sideDb: frequenciesHz.map(() => 3) }, 1)).toBeCloseTo(3, 9)
    expect(eqSideMidChangeDb(spectrum, { frequenciesHz, midDb: flat, sideDb: frequenciesHz.map(() => 3) }, 0.5)).toBeCloseTo(1.5, 9)
  })

  it('weighs each band by its power (band levels are band sums, not densities)', () => {
    const flat = frequenciesHz.map(() => -30)
    const even: SpectrumCurve = { frequenciesHz, midDb: flat, sideDb: flat, totalDb: flat }
    // +10 dB on the side's upper half of equal-power bands: 10 log10((1 + 10) / 2) = 7.40 dB
    const upperHalf = frequenciesHz.map((_, i) => (i >= frequenciesHz.length / 2 ? 10 : 0))
    expect(eqSideMidChangeDb(even, { frequenciesHz, midDb: frequenciesHz.map(() => 0), sideDb: upperHalf }, 1)).toBeCloseTo(10 * Math.log10(5.5), 9)
  })

  it('sees that a treble boost on both raises the side (flat) more than the bass-heavy mid', () => {
    const tilt = frequenciesHz.map((hz) => 2 * Math.log2(hz / 1000))
    expect(eqSideMidChangeDb(spectrum, { frequenciesHz, midDb: tilt, sideDb: tilt }, 1)).toBeGreaterThan(1)
  })
})
