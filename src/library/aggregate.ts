import type { BandDynamics } from '../analysis/band-dynamics.js'
import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { quantileSorted } from '../analysis/gating.js'
import { RefmasterError } from '../errors.js'
import type { TargetProfile } from '../chain/target-profile.js'

/**
 * A genre's profile: the central tendency of its tracks' profiles. Every statistic is a median over the
 * tracks (the mean of the middle two for an even count), so one unusual track (a quiet intro-heavy
 * excerpt, a bass-heavy outlier) cannot drag the genre target; with 4 to 9 tracks per genre a trimmed
 * mean would trim almost nothing. Levels that only make sense relative to something are aggregated
 * relative to it and put back on the median absolute level:
 *  - spectra relative to the track's own mean level over the tonal-balance range (the evaluation
 *    protocol's tonal balance), so a loud track's spectrum weighs no more than a quiet one's;
 *  - short-term percentiles relative to the track's integrated loudness; true peak as loudness + PLR;
 *  - band levels relative to the integrated loudness, band percentiles relative to the band level.
 */

/** Range over which a spectrum's own mean level is taken before aggregating (Hz): the protocol's tonal-balance range. */
export const TONAL_LEVEL_RANGE_HZ: readonly [number, number] = [31.5, 16000]

/** Median of the finite numbers among `values` (NaN for none): a level a track lacks does not count. */
export function median(values: number[]): number {
  return quantileSorted(values.filter(Number.isFinite).sort((a, b) => a - b), 0.5)
}

/** Mean of `curve`'s total level over TONAL_LEVEL_RANGE_HZ (dB). */
export function curveMeanLevelDb(curve: SpectrumCurve): number {
  const inRange = curve.totalDb.filter((_, i) => curve.frequenciesHz[i] >= TONAL_LEVEL_RANGE_HZ[0] * 0.99 && curve.frequenciesHz[i] <= TONAL_LEVEL_RANGE_HZ[1] * 1.01)
  return inRange.reduce((sum, db) => sum + db, 0) / Math.max(1, inRange.length)
}

/** Per-band median of curves, each taken relative to its own mean level, put back on the median level. */
function medianCurve(curves: SpectrumCurve[]): SpectrumCurve {
  const length = Math.min(...curves.map((c) => c.frequenciesHz.length))
  const levels = curves.map(curveMeanLevelDb)
  const levelDb = median(levels)
  const at = (key: 'midDb' | 'sideDb' | 'totalDb') => Array.from({ length }, (_, i) => levelDb + median(curves.map((c, t) => c[key][i] - levels[t])))
  return { frequenciesHz: curves[0].frequenciesHz.slice(0, length), midDb: at('midDb'), sideDb: at('sideDb'), totalDb: at('totalDb') }
}

function medianBand(bands: BandDynamics[], integratedLufs: number[], medianLufs: number): BandDynamics {
  const m = (value: (band: BandDynamics, t: number) => number) => median(bands.map(value))
  const levelDb = medianLufs + m((band, t) => band.levelDb - integratedLufs[t])
  return {
    lowHz: bands[0].lowHz,
    highHz: bands[0].highHz,
    levelDb,
    shortTermP10Db: levelDb + m((band) => band.shortTermP10Db - band.levelDb),
    shortTermP50Db: levelDb + m((band) => band.shortTermP50Db - band.levelDb),
    shortTermP95Db: levelDb + m((band) => band.shortTermP95Db - band.levelDb),
    shortTermRangeDb: m((band) => band.shortTermRangeDb),
    crestDb: m((band) => band.crestDb),
    transientsPerSecond: m((band) => band.transientsPerSecond),
    sideMidDb: m((band) => band.sideMidDb),
  }
}

/** The median profile of `profiles` (see the module comment). Throws USAGE for none. */
export function aggregateProfiles(profiles: TargetProfile[]): TargetProfile {
  if (profiles.length === 0) throw new RefmasterError('USAGE', 'a genre needs at least one track to build its profile')
  const lufs = profiles.map((p) => p.integratedLufs)
  const integratedLufs = median(lufs)
  const relative = (key: 'shortTermP10Lufs' | 'shortTermP50Lufs' | 'shortTermP95Lufs') => integratedLufs + median(profiles.map((p) => p[key] - p.integratedLufs))
  const plrDb = median(profiles.map((p) => p.plrDb))
  return {
    integratedLufs,
    shortTermP10Lufs: relative('shortTermP10Lufs'),
    shortTermP50Lufs: relative('shortTermP50Lufs'),
    shortTermP95Lufs: relative('shortTermP95Lufs'),
    loudnessRangeLu: median(profiles.map((p) => p.loudnessRangeLu)),
    truePeakDbtp: integratedLufs + plrDb,
    plrDb,
    crestFactorDb: median(profiles.map((p) => p.crestFactorDb)),
    fine: medianCurve(profiles.map((p) => p.fine)),
    thirdOctave: medianCurve(profiles.map((p) => p.thirdOctave)),
    bands: profiles[0].bands.map((_, b) => medianBand(profiles.map((p) => p.bands[b]), lufs, integratedLufs)),
    stereo: {
      sideMidDb: median(profiles.map((p) => p.stereo.sideMidDb)),
      correlation: median(profiles.map((p) => p.stereo.correlation)),
      monoFoldDownDb: median(profiles.map((p) => p.stereo.monoFoldDownDb)),
    },
  }
}

/**
 * How consistent a genre's tracks are in tonal balance (dB): over the third-octave bands, the median of
 * each band's median absolute deviation of the tracks' mean-removed levels. 0 for a single track.
 */
export function tonalSpreadDb(profiles: TargetProfile[]): number {
  if (profiles.length < 2) return 0
  const curves = profiles.map((p) => p.thirdOctave)
  const levels = curves.map(curveMeanLevelDb)
  const length = Math.min(...curves.map((c) => c.totalDb.length))
  const deviations = Array.from({ length }, (_, i) => {
    const values = curves.map((c, t) => c.totalDb[i] - levels[t])
    const centre = median(values)
    return median(values.map((v) => Math.abs(v - centre)))
  })
  return median(deviations)
}
