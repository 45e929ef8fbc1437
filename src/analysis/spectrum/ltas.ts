import { powerToDb } from '../../units/db.js'
import { bandPowers, fineBands, THIRD_OCTAVE_BANDS, type FrequencyBand } from './frequency-bands.js'
import { forEachMidSideFrame, midSideFrameCount } from './stft.js'

/** Levels below this are reported as this (dB): "no energy" without -Infinity in arrays. */
export const SPECTRUM_FLOOR_DB = -200
/** Target bin spacing of the long-term spectrum: fine enough for 1/12 octave from ~60 Hz up. */
const LTAS_TARGET_BIN_HZ = 5

/** Long-term average spectrum of mid and side on one frequency grid; levels are band mean squares in dB. */
export interface SpectrumCurve {
  frequenciesHz: number[]
  midDb: number[]
  sideDb: number[]
  /** Mid plus side power: the mean of the left and right channels' power spectra. */
  totalDb: number[]
}

/** The long-term spectra of a track (DESIGN.md "TrackAnalysis: Spectrum"). */
export interface LongTermSpectrum {
  /** 1/12-octave bands from 20 Hz (for matching EQ). */
  fine: SpectrumCurve
  /** The 28 third-octave bands 31.5 Hz - 16 kHz (for features, reports and the tonal-balance metric). */
  thirdOctave: SpectrumCurve
  fftSize: number
  /** STFT frames in the loud part, of all frames. */
  framesUsed: number
  framesTotal: number
}

/** FFT size for the long-term spectrum at `sampleRateHz`: the power of 2 giving bins of about 5 Hz. */
export function ltasFftSize(sampleRateHz: number): number {
  return Math.pow(2, Math.round(Math.log2(sampleRateHz / LTAS_TARGET_BIN_HZ)))
}

function toDb(power: Float64Array): number[] {
  return Array.from(power, (p) => Math.max(SPECTRUM_FLOOR_DB, powerToDb(p)))
}

function curve(mid: Float64Array, side: Float64Array, bins: number, binHz: number, bands: readonly FrequencyBand[]): SpectrumCurve {
  const midBands = bandPowers(mid, binHz, bands)
  const sideBands = bandPowers(side, binHz, bands)
  const totalBands = midBands.map((m, i) => m + sideBands[i])
  return {
    frequenciesHz: bands.map((band) => band.centreHz),
    midDb: toDb(midBands),
    sideDb: toDb(sideBands),
    totalDb: toDb(totalBands),
  }
}

/**
 * Long-term average power spectra of mid and side over the frames `isLoud` accepts (by their centre
 * time), Hann-windowed with 50 % overlap. Falls back to every frame when none is accepted.
 */
export function longTermSpectrum(channels: Float32Array[], sampleRateHz: number, isLoud: (timeSeconds: number) => boolean): LongTermSpectrum {
  const fftSize = ltasFftSize(sampleRateHz)
  const bins = fftSize / 2 + 1
  const hop = fftSize / 2
  const isLoudFrame = (start: number) => isLoud((start + fftSize / 2) / sampleRateHz)
  // Only the loud frames count when there are any: the others are not even transformed.
  const framesTotal = midSideFrameCount(channels[0].length, fftSize, hop)
  let anyLoud = false
  for (let frame = 0; frame < framesTotal && !anyLoud; frame++) anyLoud = isLoudFrame(frame * hop)
  const chosen = { mid: new Float64Array(bins), side: new Float64Array(bins), count: 0 }
  forEachMidSideFrame(channels, fftSize, hop, (_, _start, mid, side) => {
    for (let k = 0; k < bins; k++) {
      chosen.mid[k] += mid[k]
      chosen.side[k] += side[k]
    }
    chosen.count++
  }, anyLoud ? isLoudFrame : undefined)
  const frames = Math.max(1, chosen.count)
  for (let k = 0; k < bins; k++) {
    chosen.mid[k] /= frames
    chosen.side[k] /= frames
  }
  const binHz = sampleRateHz / fftSize
  return {
    fine: curve(chosen.mid, chosen.side, bins, binHz, fineBands(sampleRateHz / 2)),
    thirdOctave: curve(chosen.mid, chosen.side, bins, binHz, THIRD_OCTAVE_BANDS.filter((band) => band.highHz <= sampleRateHz / 2)),
    fftSize,
    framesUsed: chosen.count,
    framesTotal,
  }
}
