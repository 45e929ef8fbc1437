import type { BandDynamics } from '../analysis/band-dynamics.js'
import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import type { StereoImage } from '../analysis/stereo-image.js'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { RefmasterError } from '../errors.js'

/**
 * What the matcher aims at: the parts of a TrackAnalysis that describe a sound, for one reference, a
 * weighted blend of references, or a genre (the aggregate of its reference tracks). Levels in LUFS/dB.
 */
export interface TargetProfile {
  integratedLufs: number
  shortTermP10Lufs: number
  shortTermP50Lufs: number
  shortTermP95Lufs: number
  loudnessRangeLu: number
  truePeakDbtp: number
  plrDb: number
  crestFactorDb: number
  fine: SpectrumCurve
  thirdOctave: SpectrumCurve
  bands: BandDynamics[]
  stereo: StereoImage
  /** The spectra are the music's only up to this frequency (Hz: a lossy reference's encoder cut the rest); absent: all of it. */
  spectrumTopHz?: number
}

/** The profile of one analysed track. */
export function profileOf(analysis: TrackAnalysis): TargetProfile {
  const { loudness, spectrum, bands, stereo } = analysis
  return {
    integratedLufs: loudness.integratedLufs,
    shortTermP10Lufs: loudness.shortTermP10Lufs,
    shortTermP50Lufs: loudness.shortTermP50Lufs,
    shortTermP95Lufs: loudness.shortTermP95Lufs,
    loudnessRangeLu: loudness.loudnessRangeLu,
    truePeakDbtp: loudness.truePeakDbtp,
    plrDb: loudness.plrDb,
    crestFactorDb: loudness.crestFactorDb,
    fine: spectrum.fine,
    thirdOctave: spectrum.thirdOctave,
    bands,
    stereo,
  }
}

/** Weighted mean of numbers (weights already normalised). */
function mean(values: number[], weights: number[]): number {
  return values.reduce((sum, value, i) => sum + value * weights[i], 0)
}

function blendCurves(curves: SpectrumCurve[], weights: number[]): SpectrumCurve {
  const length = Math.min(...curves.map((c) => c.frequenciesHz.length))
  const at = (key: 'midDb' | 'sideDb' | 'totalDb') => Array.from({ length }, (_, i) => mean(curves.map((c) => c[key][i]), weights))
  return { frequenciesHz: curves[0].frequenciesHz.slice(0, length), midDb: at('midDb'), sideDb: at('sideDb'), totalDb: at('totalDb') }
}

/**
 * A weighted blend of profiles: levels and spectra (in dB) averaged with the weights, which are
 * normalised to sum to 1. Profiles must come from the same sample rate (references are analysed at the
 * mix's rate), so their frequency grids agree.
 */
export function blendProfiles(items: Array<{ profile: TargetProfile; weight: number }>): TargetProfile {
  if (items.length === 0) throw new RefmasterError('USAGE', 'a target needs at least one reference or genre')
  for (const { weight } of items) {
    if (!(Number.isFinite(weight) && weight > 0)) throw new RefmasterError('INVALID_PARAMETER', `a reference or genre weight must be a number > 0, got ${weight}`)
  }
  const total = items.reduce((sum, item) => sum + item.weight, 0)
  const weights = items.map((item) => item.weight / total)
  const profiles = items.map((item) => item.profile)
  if (profiles.length === 1) return profiles[0]
  const scalar = (key: keyof TargetProfile) => mean(profiles.map((p) => p[key] as number), weights)
  return {
    integratedLufs: scalar('integratedLufs'),
    shortTermP10Lufs: scalar('shortTermP10Lufs'),
    shortTermP50Lufs: scalar('shortTermP50Lufs'),
    shortTermP95Lufs: scalar('shortTermP95Lufs'),
    loudnessRangeLu: scalar('loudnessRangeLu'),
    truePeakDbtp: scalar('truePeakDbtp'),
    plrDb: scalar('plrDb'),
    crestFactorDb: scalar('crestFactorDb'),
    fine: blendCurves(profiles.map((p) => p.fine), weights),
    thirdOctave: blendCurves(profiles.map((p) => p.thirdOctave), weights),
    bands: profiles[0].bands.map((band, b) => {
      const field = (key: keyof BandDynamics) => mean(profiles.map((p) => p.bands[b][key]), weights)
      return {
        lowHz: band.lowHz,
        highHz: band.highHz,
        levelDb: field('levelDb'),
        shortTermP10Db: field('shortTermP10Db'),
        shortTermP50Db: field('shortTermP50Db'),
        shortTermP95Db: field('shortTermP95Db'),
        shortTermRangeDb: field('shortTermRangeDb'),
        crestDb: field('crestDb'),
        transientsPerSecond: field('transientsPerSecond'),
        sideMidDb: field('sideMidDb'),
      }
    }),
    stereo: {
      sideMidDb: mean(profiles.map((p) => p.stereo.sideMidDb), weights),
      correlation: mean(profiles.map((p) => p.stereo.correlation), weights),
      monoFoldDownDb: mean(profiles.map((p) => p.stereo.monoFoldDownDb), weights),
    },
    ...spectrumTop(profiles),
  }
}

/** The blend's spectra are the music's up to the lowest top of its parts'. */
function spectrumTop(profiles: TargetProfile[]): Pick<TargetProfile, 'spectrumTopHz'> {
  const topHz = Math.min(...profiles.map((p) => p.spectrumTopHz ?? Infinity))
  return Number.isFinite(topHz) ? { spectrumTopHz: topHz } : {}
}

function curveBelow(curve: SpectrumCurve, nyquistHz: number, upperEdgeRatio: number): SpectrumCurve {
  const length = curve.frequenciesHz.filter((hz) => hz * upperEdgeRatio <= nyquistHz).length
  return { frequenciesHz: curve.frequenciesHz.slice(0, length), midDb: curve.midDb.slice(0, length), sideDb: curve.sideDb.slice(0, length), totalDb: curve.totalDb.slice(0, length) }
}

/**
 * A stored profile (a genre's, analysed at 44.1 kHz or more) on the grids an analysis at `sampleRateHz`
 * has: the bands whose upper edge passes Nyquist dropped (as `longTermSpectrum` drops them), the top
 * dynamics band ending at Nyquist. Unchanged at 44.1 kHz and above, where the grids are complete.
 */
export function profileForRate(profile: TargetProfile, sampleRateHz: number): TargetProfile {
  const nyquistHz = sampleRateHz / 2
  // Upper edge over centre: 1/12 octave bands reach 2^(1/24) above their centre, third-octave bands 10^(1/20).
  const fine = curveBelow(profile.fine, nyquistHz, Math.pow(2, 1 / 24))
  const thirdOctave = curveBelow(profile.thirdOctave, nyquistHz, Math.pow(10, 0.05))
  if (fine.frequenciesHz.length === profile.fine.frequenciesHz.length && thirdOctave.frequenciesHz.length === profile.thirdOctave.frequenciesHz.length) return profile
  const bands = profile.bands.map((band, b) => (b === profile.bands.length - 1 ? { ...band, highHz: nyquistHz } : band))
  return { ...profile, fine, thirdOctave, bands }
}
