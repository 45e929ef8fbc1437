import { describe, expect, it } from 'vitest'
import type { SpectrumCurve } from '../../src/analysis/spectrum/ltas.js'
import type { TrackAnalysis } from '../../src/analysis/track-analysis.js'
import { ANALYTIC_DEFAULTS, eqSideMidChangeDb, levelerSettings } from '../../src/chain/analytic.js'
import type { Reason } from '../../src/report/reasons.js'
import { EQ_MATCH_DEFAULTS, matchingEqCurve } from '../../src/chain/analytic-eq.js'
import { blendProfiles, type TargetProfile } from '../../src/chain/target-profile.js'

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

describe('matchingEqCurve above a lossy reference\'s cut', () => {
  // Twelfth octaves up to 20 kHz; the target is the mix 3 dB brighter above 2 kHz, and nothing above 16 kHz (an encoder's cut).
  const gridHz = Array.from({ length: 120 }, (_, i) => 20 * Math.pow(2, i / 12))
  const mix: SpectrumCurve = { frequenciesHz: gridHz, midDb: gridHz.map(() => -30), sideDb: gridHz.map(() => -40), totalDb: gridHz.map(() => -30) }
  const shaped = (db: number, hz: number) => (hz > 16000 ? db - 80 : hz > 2000 ? db + 3 : db)
  const target: SpectrumCurve = { ...mix, midDb: mix.midDb.map((db, i) => shaped(db, gridHz[i])), sideDb: mix.sideDb.map((db, i) => shaped(db, gridHz[i])) }
  const at = (curve: { frequenciesHz: number[]; midDb: number[] }, hz: number) => curve.midDb[curve.frequenciesHz.findIndex((f) => f >= hz)]

  it('follows the cut without it, and holds the correction from below the cut with it', () => {
    const followed = matchingEqCurve(mix, target, 1)
    const held = matchingEqCurve(mix, target, 1, EQ_MATCH_DEFAULTS, 16000)
    expect(at(followed, 18000)).toBeLessThan(-6)
    expect(at(held, 18000)).toBeGreaterThan(1.5)
    expect(at(held, 18000)).toBeCloseTo(at(held, 8000), 0)
    // below the cut's smoothing reach the two agree
    expect(at(held, 5000)).toBeCloseTo(at(followed, 5000), 0)
  })

  it('a blend of references is the music up to the lowest top of its parts', () => {
    const profile = { spectrumTopHz: 16000 } as TargetProfile
    const full = {} as TargetProfile
    const part = (p: TargetProfile) => ({ ...p, integratedLufs: -10, shortTermP10Lufs: 0, shortTermP50Lufs: 0, shortTermP95Lufs: 0, loudnessRangeLu: 0, truePeakDbtp: 0, plrDb: 0, crestFactorDb: 0, fine: spectrum, thirdOctave: spectrum, bands: [], stereo: { sideMidDb: 0, correlation: 1, monoFoldDownDb: 0 } })
    expect(blendProfiles([{ profile: part(profile), weight: 1 }, { profile: part(full), weight: 1 }]).spectrumTopHz).toBe(16000)
    expect(blendProfiles([{ profile: part(full), weight: 1 }, { profile: part(full), weight: 2 }]).spectrumTopHz).toBeUndefined()
  })
})

describe('levelerSettings', () => {
  // Only the fields the rule reads: the mix's loudness range, loudness and true peak, the target's range.
  const mix = (loudnessRangeLu: number) => ({ loudness: { loudnessRangeLu, integratedLufs: -24, truePeakDbtp: -6 } }) as unknown as TrackAnalysis
  const target = (loudnessRangeLu: number) => ({ loudnessRangeLu }) as unknown as TargetProfile

  it('levels at the ratio of the loudness ranges, up to levelerMaxRatio, around the midpoint of loudness and true peak', () => {
    const reasons: Reason[] = []
    const settings = levelerSettings(mix(6), target(5), 1, 'the reference', reasons)
    expect(settings.ratio).toBeCloseTo(1.2, 12)
    expect(settings.pivotDb).toBe(-15)
    expect(reasons).toHaveLength(1)
    expect(levelerSettings(mix(12), target(4), 1, 'x', []).ratio).toBe(ANALYTIC_DEFAULTS.levelerMaxRatio)
  })

  it('leaves a mix no more dynamic than its target alone, and scales with the dynamics strength', () => {
    const reasons: Reason[] = []
    expect(levelerSettings(mix(4), target(6), 1, 'x', reasons).ratio).toBe(1)
    expect(reasons).toHaveLength(0)
    expect(levelerSettings(mix(12), target(4), 0, 'x', []).ratio).toBe(1)
    expect(levelerSettings(mix(6), target(5), 0.5, 'x', []).ratio).toBeCloseTo(1.1, 12)
    // ranges under levelerMinRangeLu read as it: a near-constant target does not ask for the most leveling
    expect(levelerSettings(mix(1.1), target(0.1), 1, 'x', []).ratio).toBeCloseTo(1.1 / ANALYTIC_DEFAULTS.levelerMinRangeLu, 12)
  })
})
