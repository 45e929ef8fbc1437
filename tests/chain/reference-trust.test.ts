import { describe, expect, it } from 'vitest'
import type { SpectrumCurve } from '../../src/analysis/spectrum/ltas.js'
import { fineDetailCorrelation, referenceTrust } from '../../src/chain/reference-trust.js'
import { matchingEqCurve } from '../../src/chain/analytic-eq.js'

const frequenciesHz = Array.from({ length: 120 }, (_, i) => 20 * Math.pow(2, i / 12))

/** A deterministic pseudo-random detail pattern (partials) per seed, dB. */
function detail(seed: number): number[] {
  return frequenciesHz.map((_, i) => {
    const x = Math.sin(seed * 78.233 + i * 12.9898) * 43758.5453
    return 6 * (x - Math.floor(x) - 0.5)
  })
}

function curve(midDb: number[], sideDb: number[]): SpectrumCurve {
  return { frequenciesHz, midDb, sideDb, totalDb: midDb.map((m, i) => 10 * Math.log10(10 ** (m / 10) + 10 ** (sideDb[i] / 10))) }
}

const tilt = (dbPerOctave: number) => frequenciesHz.map((hz) => dbPerOctave * Math.log2(hz / 1000))

describe('reference trust', () => {
  it('reads the same fine structure as the same music, whatever the broad tonal difference', () => {
    const mix = curve(detail(1).map((d, i) => d - 20 + tilt(-3)[i]), detail(2).map((d) => d - 30))
    const reference = curve(detail(1).map((d, i) => d - 20 + tilt(2)[i]), detail(2).map((d, i) => d - 26 + tilt(1)[i]))
    expect(fineDetailCorrelation(mix, reference)).toBeGreaterThan(0.9)
    expect(referenceTrust(mix, reference)).toBe(0)
  })

  it('reads unrelated fine structure as other music', () => {
    const mix = curve(detail(1).map((d) => d - 20), detail(2).map((d) => d - 30))
    const reference = curve(detail(3).map((d) => d - 20), detail(4).map((d) => d - 30))
    expect(Math.abs(fineDetailCorrelation(mix, reference))).toBeLessThan(0.2)
    expect(referenceTrust(mix, reference)).toBe(1)
  })

  it('follows a broad tilt further for other music than for the same music, and bends the side like the mid', () => {
    const mix = curve(tilt(0).map(() => -20), tilt(0).map(() => -30))
    const reference = curve(tilt(-2).map((d) => d - 20), tilt(1).map((d) => d - 30))
    const at1k = frequenciesHz.findIndex((hz) => hz >= 4000)
    const same = matchingEqCurve(mix, reference, 0)
    const other = matchingEqCurve(mix, reference, 1)
    expect(Math.abs(other.midDb[at1k])).toBeGreaterThan(Math.abs(same.midDb[at1k]))
    other.sideDb.forEach((db, i) => expect(db).toBeCloseTo(other.midDb[i], 9))
    expect(same.sideDb[at1k]).toBeGreaterThan(0)
  })
})
