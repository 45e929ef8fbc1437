import { describe, expect, it } from 'vitest'
import type { SpectrumCurve } from '../../src/analysis/spectrum/ltas.js'
import type { BandDynamics } from '../../src/analysis/band-dynamics.js'
import { fineDetailCorrelation, referenceTrust, rhythmDistance, type TrustInput } from '../../src/chain/reference-trust.js'
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

/** Four dynamics bands with these onset rates (per second); the rest does not matter to trust. */
function bands(...onsetsPerSecond: number[]): BandDynamics[] {
  return onsetsPerSecond.map((transientsPerSecond, b) => ({ lowHz: 20 * 10 ** b, highHz: 20 * 10 ** (b + 1), levelDb: -20, shortTermP10Db: -30, shortTermP50Db: -20, shortTermP95Db: -15, shortTermRangeDb: 15, crestDb: 10, transientsPerSecond, sideMidDb: -10 }))
}

const input = (fine: SpectrumCurve, onsets = bands(2, 4, 4, 2)): TrustInput => ({ fine, bands: onsets })

const tilt = (dbPerOctave: number) => frequenciesHz.map((hz) => dbPerOctave * Math.log2(hz / 1000))

describe('reference trust', () => {
  it('reads the same fine structure as the same music, whatever the broad tonal difference', () => {
    const mix = curve(detail(1).map((d, i) => d - 20 + tilt(-3)[i]), detail(2).map((d) => d - 30))
    const reference = curve(detail(1).map((d, i) => d - 20 + tilt(2)[i]), detail(2).map((d, i) => d - 26 + tilt(1)[i]))
    expect(fineDetailCorrelation(mix, reference)).toBeGreaterThan(0.9)
    expect(referenceTrust(input(mix), input(reference))).toBe(0)
  })

  it('reads unrelated fine structure and another rhythm as other music', () => {
    const mix = curve(detail(1).map((d) => d - 20), detail(2).map((d) => d - 30))
    const reference = curve(detail(3).map((d) => d - 20), detail(4).map((d) => d - 30))
    expect(Math.abs(fineDetailCorrelation(mix, reference))).toBeLessThan(0.2)
    expect(referenceTrust(input(mix, bands(2, 4, 4, 2)), input(reference, bands(4, 2, 2, 4)))).toBe(1)
  })

  it('measures the rhythm distance as the summed |log ratio| of the bands\' onset rates (0.5/s added to each)', () => {
    expect(rhythmDistance(bands(1.5, 3.5, 0, 7.5), bands(1.5, 3.5, 0, 7.5))).toBe(0)
    // (1.5 + 0.5) / (0.5 + 0.5) = 2 in one band, (7.5 + 0.5) / (1.5 + 0.5) = 4 in another
    expect(rhythmDistance(bands(1.5, 3.5, 0, 7.5), bands(0.5, 3.5, 0, 1.5))).toBeCloseTo(Math.log(2) + Math.log(4), 12)
  })

  it('takes the same fine structure with another rhythm for other music', () => {
    const mix = curve(detail(1).map((d) => d - 20), detail(2).map((d) => d - 30))
    // half the reference's detail is the mix's: correlated, but not as closely as one recording
    const reference = curve(detail(1).map((d, i) => 0.5 * d + detail(3)[i] - 20), detail(2).map((d, i) => 0.5 * d + detail(4)[i] - 30))
    const r = fineDetailCorrelation(mix, reference)
    expect(r).toBeGreaterThan(0.2)
    expect(referenceTrust(input(mix), input(reference))).toBe(0)
    // a steady pad against busy drums: onset rates 8x apart in every band
    expect(referenceTrust(input(mix, bands(0.5, 0.5, 0.5, 0.5)), input(reference, bands(7.5, 7.5, 7.5, 7.5)))).toBe(1)
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
