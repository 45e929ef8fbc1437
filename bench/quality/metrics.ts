/**
 * Objective metrics of the evaluation protocol: a port of ../shared/eval/metrics.py, function for
 * function (integrated_loudness, true_peak, third_octave_ltas, tonal_balance_error, side_mid_ratio,
 * crest_factor, clipped_samples, analyze; mrstft, estimate_lag and align live in mrstft.ts). Signals are
 * stereo `Audio` (planar float32, full scale +-1) at one sample rate.
 *
 * Loudness, true peak and loudness range come from refmaster's own meter (src/analysis/loudness): its
 * gating blocks, K-weighting and true-peak interpolator are metrics.py's, and its LRA follows ffmpeg's
 * ebur128 percentile convention, which metrics.py reads through ffmpeg (`ffmpeg_ebur128`). ffmpeg prints
 * the LRA to 0.1 LU; ours is not rounded.
 */
import type { Audio } from '../../src/audio/audio.js'
import { measureLoudness } from '../../src/analysis/loudness/index.js'
import { RealFft } from '../../src/dsp/fft.js'

/** Third-octave centres 1000 * 10^(k/10), k = -15 ... 12: 31.5 Hz - 16 kHz (metrics.py THIRD_OCTAVE_CENTERS). */
export const THIRD_OCTAVE_CENTERS_HZ: readonly number[] = Array.from({ length: 28 }, (_, i) => 1000 * Math.pow(10, (i - 15) / 10))
/** Half a third-octave band in decades: edges at centre * 10^(+-0.05) (metrics.py third_octave_ltas). */
const HALF_BAND_DECADES = 0.05
/** Welch segment length of the long-term spectrum (metrics.py third_octave_ltas nperseg). */
export const LTAS_SEGMENT_SAMPLES = 32768
/** Floors before taking levels (metrics.py: 1e-20 for band powers and the mid energy, 1e-30 for the ratio). */
const BAND_POWER_FLOOR = 1e-20
const MID_ENERGY_FLOOR = 1e-20
const RATIO_FLOOR = 1e-30
/** side_mid_ratio's floor for near-mono signals (dB). */
export const SIDE_MID_FLOOR_DB = -60
/** clipped_samples threshold: |x| at or above the 16-bit maximum code counts as clipped. */
export const CLIP_THRESHOLD = 32767 / 32768
const LEVEL_FLOOR = 1e-12

/** Levels of one signal that the metrics compare (metrics.py `analyze`, plus the loudness range). */
export interface SignalAnalysis {
  lufs: number
  truePeakDbtp: number
  /** Peak-to-loudness ratio: true peak - integrated loudness (dB). */
  plrDb: number
  crestDb: number
  sideMidDb: number
  clipped: number
  lengthSeconds: number
  /** EBU Tech 3342 loudness range of this signal (LU), ffmpeg's percentile convention. */
  lraLu: number
  /** third_octave_ltas of this signal (dB per band, 28 bands). */
  ltasDb: Float64Array
}

/** metrics.py `integrated_loudness` and `true_peak` (and the LRA that run_eval.py takes from ffmpeg), in one pass. */
export function loudnessOf(x: Audio): { lufs: number; truePeakDbtp: number; lraLu: number } {
  const m = measureLoudness(x)
  return { lufs: m.integratedLufs, truePeakDbtp: m.truePeakDbtp, lraLu: m.loudnessRangeLu }
}

let welchFft: RealFft | undefined

/**
 * scipy.signal.welch (periodic Hann window of `nperseg`, 50 % overlap, constant detrend, density scaling,
 * one-sided) summed over the segments and the channels; `sums[k] * scale` is the mean density times the
 * bin width `binHz`. `nperseg` is a power of two, at most the channels' length.
 */
export function welchSums(channels: readonly Float32Array[], fs: number, nperseg: number): { sums: Float64Array; scale: number; binHz: number } {
  const length = channels[0].length
  const step = nperseg - Math.floor(nperseg / 2)
  const fft = nperseg === LTAS_SEGMENT_SAMPLES ? (welchFft ??= new RealFft(LTAS_SEGMENT_SAMPLES)) : new RealFft(nperseg)
  const window = new Float64Array(nperseg)
  let windowPower = 0
  for (let i = 0; i < nperseg; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nperseg)
    windowPower += window[i] * window[i]
  }
  const bins = nperseg / 2 + 1
  const psd = new Float64Array(bins)
  const frame = new Float32Array(nperseg)
  const spectrum = new Float32Array(nperseg)
  const segments = Math.floor((length - nperseg) / step) + 1
  for (const channel of channels) {
    for (let s = 0; s < segments; s++) {
      const start = s * step
      let mean = 0
      for (let i = 0; i < nperseg; i++) mean += channel[start + i]
      mean /= nperseg
      for (let i = 0; i < nperseg; i++) frame[i] = (channel[start + i] - mean) * window[i]
      fft.forward(frame, spectrum)
      psd[0] += spectrum[0] * spectrum[0]
      psd[bins - 1] += spectrum[1] * spectrum[1]
      for (let k = 1; k < bins - 1; k++) psd[k] += 2 * (spectrum[2 * k] * spectrum[2 * k] + spectrum[2 * k + 1] * spectrum[2 * k + 1])
    }
  }
  // density scaling 1 / (fs sum w^2), mean over segments and channels, times the bin width
  const binHz = 1 / (nperseg * (1 / fs)) // numpy.fft.rfftfreq's spacing
  const scale = (1 / (fs * windowPower)) * (1 / (segments * channels.length)) * binHz
  return { sums: psd, scale, binHz }
}

/**
 * metrics.py `third_octave_ltas`: power per third-octave band in dB, from scipy.signal.welch (periodic
 * Hann, nperseg 32768 or the signal length, 50 % overlap, constant detrend, density scaling, one-sided,
 * mean over segments), with the left and right PSDs averaged, times the bin width, summed over the bins
 * whose frequency lies in [centre * 10^-0.05, centre * 10^0.05).
 */
export function thirdOctaveLtas(x: Audio): Float64Array {
  const fs = x.sampleRateHz
  const length = x.channels[0].length
  const nperseg = Math.min(LTAS_SEGMENT_SAMPLES, length)
  if ((nperseg & (nperseg - 1)) !== 0) throw new RangeError(`thirdOctaveLtas needs at least ${LTAS_SEGMENT_SAMPLES} samples, got ${length}`)
  const { sums: psd, scale, binHz } = welchSums(x.channels, fs, nperseg)
  const bins = psd.length
  const bands = new Float64Array(THIRD_OCTAVE_CENTERS_HZ.length)
  THIRD_OCTAVE_CENTERS_HZ.forEach((centre, b) => {
    const lo = centre * Math.pow(10, -HALF_BAND_DECADES)
    const hi = centre * Math.pow(10, HALF_BAND_DECADES)
    let sum = 0
    for (let k = 0; k < bins; k++) {
      const f = k * binHz
      if (f >= lo && f < hi) sum += psd[k] * scale
    }
    bands[b] = 10 * Math.log10(Math.max(sum, BAND_POWER_FLOOR))
  })
  return bands
}

/** metrics.py `tonal_balance_error` on two LTAS curves: mean |difference| after removing each curve's mean (dB). */
export function tonalBalanceErrorOfCurves(a: Float64Array, b: Float64Array): number {
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length
  const ma = mean(a)
  const mb = mean(b)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - ma - (b[i] - mb))
  return sum / a.length
}

/** metrics.py `tonal_balance_error(x, y)` (dB). */
export function tonalBalanceError(x: Audio, y: Audio): number {
  return tonalBalanceErrorOfCurves(thirdOctaveLtas(x), thirdOctaveLtas(y))
}

/** metrics.py `side_mid_ratio`: 10 log10(E_side / E_mid), M = (L+R)/2, S = (L-R)/2, floored at -60 dB. */
export function sideMidRatio(x: Audio, floorDb = SIDE_MID_FLOOR_DB): number {
  const [l, r] = x.channels
  let mid = 0
  let side = 0
  for (let n = 0; n < l.length; n++) {
    const m = (l[n] + r[n]) / 2
    const s = (l[n] - r[n]) / 2
    mid += m * m
    side += s * s
  }
  const ratio = side / Math.max(mid, MID_ENERGY_FLOOR)
  return Math.max(10 * Math.log10(Math.max(ratio, RATIO_FLOOR)), floorDb)
}

/** metrics.py `crest_factor`: sample peak over RMS, both channels pooled (dB). */
export function crestFactor(x: Audio): number {
  let peak = 0
  let energy = 0
  let count = 0
  for (const channel of x.channels) {
    for (let n = 0; n < channel.length; n++) {
      const v = channel[n]
      energy += v * v
      peak = Math.max(peak, Math.abs(v))
    }
    count += channel.length
  }
  const rms = Math.sqrt(energy / count)
  return 20 * Math.log10(Math.max(peak, LEVEL_FLOOR) / Math.max(rms, LEVEL_FLOOR))
}

/** metrics.py `clipped_samples`: samples with |x| >= 32767/32768, over all channels. */
export function clippedSamples(x: Audio, threshold = CLIP_THRESHOLD): number {
  let count = 0
  for (const channel of x.channels) for (let n = 0; n < channel.length; n++) if (Math.abs(channel[n]) >= threshold) count++
  return count
}

/**
 * metrics.py `analyze` plus the loudness range and the LTAS. `lraSource` is the signal whose LRA counts
 * (run_eval.py measures the LRA of the WAV file, i.e. after the 24-bit round trip); it defaults to `x`.
 */
export function analyze(x: Audio, lraSource: Audio = x): SignalAnalysis {
  const { lufs, truePeakDbtp, lraLu } = loudnessOf(x)
  return {
    lufs,
    truePeakDbtp,
    plrDb: truePeakDbtp - lufs,
    crestDb: crestFactor(x),
    sideMidDb: sideMidRatio(x),
    clipped: clippedSamples(x),
    lengthSeconds: x.channels[0].length / x.sampleRateHz,
    lraLu: lraSource === x ? lraLu : measureLoudness(lraSource).loudnessRangeLu,
    ltasDb: thirdOctaveLtas(x),
  }
}

export { mrstft, estimateLag, align, MRSTFT_RESOLUTIONS } from './mrstft.js'
