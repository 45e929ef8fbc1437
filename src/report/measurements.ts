import type { Audio } from '../audio/audio.js'
import type { LoudnessMeasurement } from '../analysis/loudness/types.js'
import { loudPartGate } from '../analysis/gating.js'
import { longTermSpectrum, type SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { stereoImage } from '../analysis/stereo-image.js'
import type { TrackAnalysis } from '../analysis/track-analysis.js'

/**
 * One column of the report's measurements (before, after, reference): the `analyze --json` loudness keys
 * plus PLR, width and the tonal balance (third-octave levels with their mean removed).
 */
export interface Measurement {
  integratedLufs: number
  momentaryMaxLufs: number
  shortTermMaxLufs: number
  loudnessRangeLu: number
  truePeakDbtp: number
  samplePeakDbfs: number
  plrDb: number
  sideMidDb: number
  correlation: number
  tonalBalance: { frequenciesHz: number[]; levelDb: number[] }
}

function tonalBalance(curve: SpectrumCurve): Measurement['tonalBalance'] {
  const mean = curve.totalDb.reduce((sum, db) => sum + db, 0) / Math.max(1, curve.totalDb.length)
  return { frequenciesHz: curve.frequenciesHz, levelDb: curve.totalDb.map((db) => db - mean) }
}

/** The measurement of an analysed track. */
export function measurementOf(analysis: TrackAnalysis): Measurement {
  const l = analysis.loudness
  return {
    integratedLufs: l.integratedLufs,
    momentaryMaxLufs: l.momentaryMaxLufs,
    shortTermMaxLufs: l.shortTermMaxLufs,
    loudnessRangeLu: l.loudnessRangeLu,
    truePeakDbtp: l.truePeakDbtp,
    samplePeakDbfs: l.samplePeakDbfs,
    plrDb: l.plrDb,
    sideMidDb: analysis.stereo.sideMidDb,
    correlation: analysis.stereo.correlation,
    tonalBalance: tonalBalance(analysis.spectrum.thirdOctave),
  }
}

/**
 * The measurement of a rendered master from its loudness (already measured by the delivery check) and a
 * light analysis (spectrum and stereo image only: the master needs no band dynamics or Meyda features).
 */
export function measureMaster(master: Audio, loudness: LoudnessMeasurement): { measurement: Measurement; thirdOctave: SpectrumCurve } {
  const spectrum = longTermSpectrum(master.channels, master.sampleRateHz, loudPartGate(loudness.momentaryLufs, loudness.integratedLufs))
  const stereo = stereoImage(master.channels)
  return {
    thirdOctave: spectrum.thirdOctave,
    measurement: {
      integratedLufs: loudness.integratedLufs,
      momentaryMaxLufs: loudness.momentaryMaxLufs,
      shortTermMaxLufs: loudness.shortTermMaxLufs,
      loudnessRangeLu: loudness.loudnessRangeLu,
      truePeakDbtp: loudness.truePeakDbtp,
      samplePeakDbfs: loudness.samplePeakDbfs,
      plrDb: loudness.truePeakDbtp - loudness.integratedLufs,
      sideMidDb: stereo.sideMidDb,
      correlation: stereo.correlation,
      tonalBalance: tonalBalance(spectrum.thirdOctave),
    },
  }
}
