import { describe, expect, it } from 'vitest'
import type { TargetProfile } from '../../src/chain/target-profile.js'
import { aggregateProfiles, curveMeanLevelDb, median, tonalSpreadDb } from '../../src/library/aggregate.js'
import { buildGenreProfiles, findGenre } from '../../src/library/genre-profiles.js'
import { RefmasterError } from '../../src/errors.js'

const FREQUENCIES_HZ = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000]

/** A synthetic profile: a spectrum with a tilt (dB/octave) at a level, and loudness numbers. */
function synthetic(integratedLufs: number, tiltDbPerOctave: number, extra: Partial<TargetProfile> = {}): TargetProfile {
  const curve = (offsetDb: number) => {
    const db = FREQUENCIES_HZ.map((hz) => integratedLufs + offsetDb + tiltDbPerOctave * Math.log2(hz / 1000))
    return { frequenciesHz: FREQUENCIES_HZ, midDb: db, sideDb: db.map((x) => x - 8), totalDb: db.map((x) => x + 0.6) }
  }
  const band = { lowHz: 20, highHz: 120, levelDb: integratedLufs - 3, shortTermP10Db: integratedLufs - 8, shortTermP50Db: integratedLufs - 4, shortTermP95Db: integratedLufs - 1, shortTermRangeDb: 7, crestDb: 10, transientsPerSecond: 2, sideMidDb: -12 }
  return {
    integratedLufs,
    shortTermP10Lufs: integratedLufs - 4,
    shortTermP50Lufs: integratedLufs - 1,
    shortTermP95Lufs: integratedLufs + 2,
    loudnessRangeLu: 6,
    truePeakDbtp: integratedLufs + 12,
    plrDb: 12,
    crestFactorDb: 14,
    fine: curve(0),
    thirdOctave: curve(0),
    bands: [band],
    stereo: { sideMidDb: -8, correlation: 0.7, monoFoldDownDb: -1 },
    ...extra,
  }
}

const shapeOf = (curve: { totalDb: number[] }) => {
  const mean = curve.totalDb.reduce((s, x) => s + x, 0) / curve.totalDb.length
  return curve.totalDb.map((x) => x - mean)
}

describe('genre aggregation', () => {
  it('median skips levels a track lacks and averages the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([1, Number.NaN, 3])).toBe(2)
    expect(median([])).toBeNaN()
  })

  it('takes each spectrum relative to its own level: loud and quiet tracks of one shape give that shape', () => {
    const profile = aggregateProfiles([synthetic(-8, -3), synthetic(-20, -3), synthetic(-14, -3)])
    const expected = shapeOf(synthetic(-14, -3).thirdOctave)
    shapeOf(profile.thirdOctave).forEach((db, i) => expect(db).toBeCloseTo(expected[i], 9))
    expect(curveMeanLevelDb(profile.thirdOctave)).toBeCloseTo(curveMeanLevelDb(synthetic(-14, -3).thirdOctave), 9)
    expect(profile.integratedLufs).toBe(-14)
  })

  it('is robust: one outlying track does not move the genre target', () => {
    const typical = [synthetic(-10, -3), synthetic(-11, -3.2), synthetic(-9, -2.8), synthetic(-10.5, -3.1)]
    const outlier = synthetic(-30, 4, { loudnessRangeLu: 25, stereo: { sideMidDb: 0, correlation: 0, monoFoldDownDb: -3 } })
    const withOutlier = aggregateProfiles([...typical, outlier])
    const without = aggregateProfiles(typical)
    const tbe = shapeOf(withOutlier.thirdOctave).reduce((s, db, i) => s + Math.abs(db - shapeOf(without.thirdOctave)[i]), 0) / FREQUENCIES_HZ.length
    expect(tbe).toBeLessThan(0.3)
    expect(Math.abs(withOutlier.integratedLufs - without.integratedLufs)).toBeLessThan(0.6)
    expect(withOutlier.loudnessRangeLu).toBe(6)
    expect(withOutlier.stereo.sideMidDb).toBe(-8)
  })

  it('keeps loudness statistics coherent: true peak = loudness + PLR, percentiles relative to the loudness', () => {
    const profile = aggregateProfiles([synthetic(-8, -3), synthetic(-12, -3), synthetic(-20, -3, { plrDb: 20 })])
    expect(profile.integratedLufs).toBe(-12)
    expect(profile.plrDb).toBe(12)
    expect(profile.truePeakDbtp).toBe(0)
    expect(profile.shortTermP95Lufs).toBe(-10)
    expect(profile.bands[0].levelDb).toBe(-15)
    expect(profile.bands[0].shortTermP10Db).toBe(-20)
  })

  it('measures the tonal spread of a genre: 0 for one shape, more for different tilts', () => {
    expect(tonalSpreadDb([synthetic(-8, -3), synthetic(-18, -3)])).toBeCloseTo(0, 9)
    expect(tonalSpreadDb([synthetic(-8, -1), synthetic(-8, -3), synthetic(-8, -5)])).toBeGreaterThan(1)
  })

  it('builds genres in name order and refuses an unknown genre naming the known ones', () => {
    const genres = buildGenreProfiles([
      { id: 'b1', genre: 'rock', profile: synthetic(-8, -1) },
      { id: 'a1', genre: 'ambient', profile: synthetic(-18, -3) },
      { id: 'b2', genre: 'rock', profile: synthetic(-9, -1) },
    ])
    expect(genres.map((g) => [g.name, g.trackIds])).toEqual([['ambient', ['a1']], ['rock', ['b1', 'b2']]])
    expect(findGenre(genres, 'ROCK').name).toBe('rock')
    expect(() => findGenre(genres, 'jazz')).toThrow(RefmasterError)
    expect(() => findGenre(genres, 'jazz')).toThrow(/unknown genre 'jazz'; the library has: ambient, rock/)
    expect(() => aggregateProfiles([])).toThrow(RefmasterError)
  })
})
