import { powerToDb } from '../units/db.js'
import { quantileSorted } from './gating.js'
import { dynamicsBands } from './spectrum/frequency-bands.js'
import { forEachMidSideFrame } from './spectrum/stft.js'

/** Dynamics of one frequency band (DESIGN.md "TrackAnalysis: Dynamics per band"). Levels are band mean squares in dB. */
export interface BandDynamics {
  lowHz: number
  highHz: number
  /** Mean level over the loud part (dB re a full-scale sine's power). */
  levelDb: number
  /** 400 ms band level percentiles over the loud part (dB), and their spread P95 - P10 (dB). */
  shortTermP10Db: number
  shortTermP50Db: number
  shortTermP95Db: number
  shortTermRangeDb: number
  /** 99th percentile of the ~23 ms frame levels minus the mean level (dB): how peaky the band is. */
  crestDb: number
  /** Onsets per second of loud part: band levels rising 6 dB or more over the mean power just before. */
  transientsPerSecond: number
  /** 10 log10(side / mid) energy in the band over the loud part (dB, floored at -60). */
  sideMidDb: number
}

/** Frame length for band dynamics: about 23 ms (1024 points at 44.1 kHz), a power of 2. */
const FRAME_SECONDS = 0.023
/** Window of the short-term band level, as BS.1770's momentary window. */
const SHORT_TERM_SECONDS = 0.4
const CREST_PERCENTILE = 0.99
/** An onset rises this much over the mean of the previous frames' levels (a common onset-detector step). */
const ONSET_RISE_DB = 6
const ONSET_HISTORY_FRAMES = 4
/** Bins a band level must rest on before onsets are looked for (see `onsetSpan`). */
const MIN_ONSET_BINS = 8
/** Onsets quieter than this below the band's mean level are ignored (noise, reverb tails). */
const ONSET_FLOOR_BELOW_MEAN_DB = 15
/** Floor of side/mid ratios: the evaluation protocol's near-mono floor (../shared/eval/metrics.py). */
export const SIDE_MID_FLOOR_DB = -60
const POWER_EPSILON = 1e-20

/**
 * Band dynamics of a track over the instants `isLoud` accepts, from a ~23 ms STFT of mid and side:
 * four bands split at DYNAMICS_CROSSOVERS_HZ.
 */
export function bandDynamics(channels: Float32Array[], sampleRateHz: number, isLoud: (timeSeconds: number) => boolean): BandDynamics[] {
  const size = Math.pow(2, Math.round(Math.log2(sampleRateHz * FRAME_SECONDS)))
  const hop = size / 2
  const binHz = sampleRateHz / size
  const bands = dynamicsBands(sampleRateHz / 2)
  const binRanges = bands.map((band) => ({ first: Math.max(1, Math.ceil(band.lowHz / binHz)), last: Math.min(size / 2, Math.ceil(band.highHz / binHz) - 1) }))
  const frameCountEstimate = Math.max(1, Math.floor(channels[0].length / hop))
  const power = bands.map(() => new Float64Array(frameCountEstimate))
  const sideSum = new Float64Array(bands.length)
  const midSum = new Float64Array(bands.length)
  const loud: boolean[] = []

  const frames = forEachMidSideFrame(channels, size, hop, (frame, start, mid, side) => {
    const isLoudFrame = isLoud((start + size / 2) / sampleRateHz)
    loud.push(isLoudFrame)
    for (let b = 0; b < bands.length; b++) {
      let m = 0
      let s = 0
      for (let k = binRanges[b].first; k <= binRanges[b].last; k++) {
        m += mid[k]
        s += side[k]
      }
      if (frame < frameCountEstimate) power[b][frame] = m + s
      if (isLoudFrame) {
        midSum[b] += m
        sideSum[b] += s
      }
    }
  })
  const usable = Math.min(frames, frameCountEstimate)
  const shortTermFrames = Math.max(1, Math.round((SHORT_TERM_SECONDS * sampleRateHz) / hop))
  let loudFrames = 0
  for (let t = 0; t < usable; t++) if (loud[t]) loudFrames++
  const loudSeconds = (loudFrames * hop) / sampleRateHz

  return bands.map((band, b) => {
    const series = power[b].subarray(0, usable)
    const loudPower: number[] = []
    const shortTerm: number[] = []
    let running = 0
    let transients = 0
    let lastOnset = -Infinity
    let meanPower = 0
    for (let t = 0; t < usable; t++) if (loud[t]) meanPower += series[t]
    meanPower /= Math.max(1, loudFrames)
    const meanDb = powerToDb(meanPower + POWER_EPSILON)
    // A band holding few FFT bins has a noisy frame level (chi-square with few degrees of freedom):
    // average enough frames that each level rests on MIN_ONSET_BINS bins.
    const binsInBand = binRanges[b].last - binRanges[b].first + 1
    const onsetSpan = Math.max(1, Math.ceil(MIN_ONSET_BINS / binsInBand))
    const historySpan = ONSET_HISTORY_FRAMES * onsetSpan
    for (let t = 0; t < usable; t++) {
      running += series[t]
      if (t >= shortTermFrames) running -= series[t - shortTermFrames]
      if (!loud[t]) continue
      loudPower.push(series[t])
      if (t >= shortTermFrames - 1) shortTerm.push(powerToDb(running / shortTermFrames + POWER_EPSILON))
      if (t >= onsetSpan + historySpan) {
        // Levels in the power domain: a mean of dB values sits below the mean level for noise and
        // would make steady noise look like a stream of onsets.
        let current = 0
        for (let i = 0; i < onsetSpan; i++) current += series[t - i]
        current /= onsetSpan
        let history = 0
        for (let i = onsetSpan; i < onsetSpan + historySpan; i++) history += series[t - i]
        history /= historySpan
        const riseDb = powerToDb((current + POWER_EPSILON) / (history + POWER_EPSILON))
        const levelDb = powerToDb(current + POWER_EPSILON)
        if (riseDb >= ONSET_RISE_DB && levelDb >= meanDb - ONSET_FLOOR_BELOW_MEAN_DB && t - lastOnset > historySpan) {
          transients++
          lastOnset = t
        }
      }
    }
    loudPower.sort((x, y) => x - y)
    shortTerm.sort((x, y) => x - y)
    const p = (q: number) => (shortTerm.length > 0 ? quantileSorted(shortTerm, q) : meanDb)
    return {
      lowHz: band.lowHz,
      highHz: band.highHz,
      levelDb: meanDb,
      shortTermP10Db: p(0.1),
      shortTermP50Db: p(0.5),
      shortTermP95Db: p(0.95),
      shortTermRangeDb: p(0.95) - p(0.1),
      crestDb: loudPower.length > 0 ? powerToDb(quantileSorted(loudPower, CREST_PERCENTILE) + POWER_EPSILON) - meanDb : 0,
      transientsPerSecond: loudSeconds > 0 ? transients / loudSeconds : 0,
      sideMidDb: Math.max(SIDE_MID_FLOOR_DB, powerToDb((sideSum[b] + POWER_EPSILON) / (midSum[b] + POWER_EPSILON))),
    }
  })
}
