import type { Audio } from '../audio/audio.js'
import { assertProcessable, frameCount } from '../audio/audio.js'
import { powerToDb } from '../units/db.js'
import { bandDynamics, type BandDynamics } from './band-dynamics.js'
import { loudPartGate, quantileSorted } from './gating.js'
import { ABSOLUTE_GATE_LUFS, measureLoudness } from './loudness/meter.js'
import type { LoudnessMeasurement } from './loudness/types.js'
import { summariseMeydaFeatures, type MeydaSummary } from './meyda-features.js'
import { longTermSpectrum, type LongTermSpectrum } from './spectrum/ltas.js'
import { stereoImage, type StereoImage } from './stereo-image.js'

/** Version of the TrackAnalysis layout; bump it when a field changes meaning (cached analyses are then redone). */
export const TRACK_ANALYSIS_VERSION = 1

/** Loudness statistics of a track: the meter's results plus the short-term distribution, PLR and crest. */
export interface LoudnessStatistics extends Omit<LoudnessMeasurement, 'shortTermLufs' | 'momentaryLufs'> {
  /** Percentiles of the short-term loudness above the absolute gate (LUFS). */
  shortTermP10Lufs: number
  shortTermP50Lufs: number
  shortTermP95Lufs: number
  /** Peak-to-loudness ratio: true peak minus integrated loudness (dB; EBU R128 s1 / AES TD1004). */
  plrDb: number
  /** Sample peak over RMS, both channels pooled (dB), as the evaluation protocol defines crest factor. */
  crestFactorDb: number
  /** RMS of all samples, both channels pooled (dBFS, full-scale sine = -3.01). */
  rmsDbfs: number
}

/** Everything refmaster knows about one track (DESIGN.md "TrackAnalysis"). */
export interface TrackAnalysis {
  version: number
  sampleRateHz: number
  channelCount: number
  frames: number
  durationSeconds: number
  loudness: LoudnessStatistics
  /** Short-term and momentary loudness every 100 ms (LUFS), for plots and for the loud-part gate. */
  shortTermLufs: Float64Array
  momentaryLufs: Float64Array
  spectrum: LongTermSpectrum
  bands: BandDynamics[]
  stereo: StereoImage
  /** Meyda feature statistics; null when left out (`AnalysisOptions.meydaFeatures`). */
  meyda: MeydaSummary | null
}

/** What `analyzeTrack` computes beyond loudness, spectrum, band dynamics and stereo image. */
export interface AnalysisOptions {
  /**
   * The Meyda feature statistics (default true). The matcher and the report read none of them, and they
   * are the slowest part of an analysis (Meyda's own FFT), so mastering leaves them out.
   */
  meydaFeatures?: boolean
}

/** Stages of the analysis with their share of the work, for progress reports. */
export const ANALYSIS_STAGES = [
  { name: 'loudness', share: 0.45 },
  { name: 'spectrum', share: 0.15 },
  { name: 'dynamics', share: 0.15 },
  { name: 'stereo', share: 0.05 },
  { name: 'features', share: 0.2 },
] as const

/** Progress callback: `fraction` of the analysis done (0..1) and the stage about to run. */
export type AnalysisProgress = (fraction: number, stage: string) => void

/**
 * Analyses `audio` (mono or stereo, any rate): loudness, long-term spectra of the loud part, band
 * dynamics, stereo image and (unless `options` leave them out) Meyda feature statistics. A silent track is analysed, not refused: its
 * levels are -Infinity. The input is not modified.
 */
export function analyzeTrack(audio: Audio, onProgress?: AnalysisProgress, options: AnalysisOptions = {}): TrackAnalysis {
  assertProcessable(audio)
  const { channels, sampleRateHz } = audio
  let done = 0
  const stage = (index: number) => {
    onProgress?.(done, ANALYSIS_STAGES[index].name)
    done += ANALYSIS_STAGES[index].share
  }

  stage(0)
  const measured = measureLoudness(audio)
  const { shortTermLufs, momentaryLufs, ...meter } = measured
  const isLoud = loudPartGate(momentaryLufs, meter.integratedLufs)
  stage(1)
  const spectrum = longTermSpectrum(channels, sampleRateHz, isLoud)
  stage(2)
  const bands = bandDynamics(channels, sampleRateHz, isLoud)
  stage(3)
  const stereo = stereoImage(channels)
  const rmsDbfs = rms(channels)
  stage(4)
  const meyda = options.meydaFeatures === false ? null : summariseMeydaFeatures(channels, sampleRateHz)
  onProgress?.(1, 'done')

  const gatedShortTerm = Array.from(shortTermLufs).filter((level) => level > ABSOLUTE_GATE_LUFS).sort((a, b) => a - b)
  const percentile = (p: number) => (gatedShortTerm.length > 0 ? quantileSorted(gatedShortTerm, p) : -Infinity)
  const frames = frameCount(audio)
  return {
    version: TRACK_ANALYSIS_VERSION,
    sampleRateHz,
    channelCount: channels.length,
    frames,
    durationSeconds: frames / sampleRateHz,
    loudness: {
      ...meter,
      shortTermP10Lufs: percentile(0.1),
      shortTermP50Lufs: percentile(0.5),
      shortTermP95Lufs: percentile(0.95),
      plrDb: meter.truePeakDbtp - meter.integratedLufs,
      crestFactorDb: meter.samplePeakDbfs - rmsDbfs,
      rmsDbfs,
    },
    shortTermLufs,
    momentaryLufs,
    spectrum,
    bands,
    stereo,
    meyda,
  }
}

function rms(channels: Float32Array[]): number {
  let sum = 0
  let count = 0
  for (const channel of channels) {
    for (let n = 0; n < channel.length; n++) sum += channel[n] * channel[n]
    count += channel.length
  }
  return powerToDb(sum / Math.max(1, count))
}
