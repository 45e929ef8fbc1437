/**
 * Inference: analysis features -> the network -> chain settings. The model's outputs are written on top
 * of the analytic settings (the matching EQ curve, attack/release and the thresholds' rule stay the
 * analytic path's), then scaled by the user's strengths, then bounded by the playback target.
 */
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { ANALYTIC_DEFAULTS } from '../chain/analytic.js'
import type { ChainSettings } from '../chain/settings.js'
import type { Strengths } from '../chain/strengths.js'
import type { TargetProfile } from '../chain/target-profile.js'
import { LOUDNESS_STAGE_PARAMS } from '../dsp/loudness-target.js'
import { COMPRESSOR_BAND_PARAMS } from '../dsp/multiband-compressor.js'
import { neutralParams } from '../dsp/params.js'
import type { Reason } from '../report/reasons.js'
import type { LoadedModel } from './model-io.js'
import { predictRow } from './network.js'
import { decodeOutputs, encodeFeatures } from './schema.js'

/** A compression ratio closer to 1 than this is no compression (the band is left alone). */
export const MIN_MODEL_RATIO = 1.02
/** A side gain smaller than this (dB) is left at 0. */
const MIN_SIDE_GAIN_DB = 0.25
/** Lowest dynamics threshold the analytic rule may set (dBFS): COMPRESSOR_BAND_PARAMS.thresholdDb.min. */
const MIN_THRESHOLD_DB = COMPRESSOR_BAND_PARAMS.thresholdDb.min

const BAND_NAMES = ['low', 'low-mid', 'high-mid', 'high']

/** What the model decided: settings and reasons for the stages it set. */
export interface ModelSettings {
  settings: ChainSettings
  reasons: Reason[]
}

/**
 * Turns the network's outputs `u` (in [0, 1], schema order) into chain settings on top of `base` (the
 * analytic settings for the same mix, target and strengths): strengths scale the model's
 * compression, width and shelves; the limiter's ceiling never goes above the playback target's.
 */
export function settingsFromOutputs(u: ArrayLike<number>, base: ChainSettings, mix: TrackAnalysis, target: TargetProfile, strengths: Strengths, playbackCeilingDbtp: number): ModelSettings {
  const decoded = decodeOutputs(u, base, target)
  const settings = structuredClone(base)
  const reasons: Reason[] = []
  const dynamics = strengths.dynamics * strengths.intensity
  const width = strengths.width * strengths.intensity
  const eq = strengths.eq * strengths.intensity

  settings.loudness.targetLufs = decoded.loudness.targetLufs
  // The model names the loudness and the ceiling itself: the loudness stage's own reference match is off.
  delete settings.loudness.reference
  const ceilingDbtp = Math.min(playbackCeilingDbtp, decoded.limiter.ceilingDbtp)
  settings.limiter.ceilingDbtp = ceilingDbtp
  // The model names the loudness it wants (the goal's, as it reads it), so the limiter may spend its
  // whole range on it; the analytic path's budget exists because it aims at another section's loudness.
  settings.loudness.maxLimiterReductionDb = LOUDNESS_STAGE_PARAMS.maxLimiterReductionDb.max
  reasons.push({
    stage: 'loudness',
    text: `model: aim at ${decoded.loudness.targetLufs.toFixed(1)} LUFS (the target's loudness is ${base.loudness.targetLufs.toFixed(1)} LUFS) with the limiter's ceiling at ${ceilingDbtp.toFixed(1)} dBTP, a peak-to-loudness ratio of ${(ceilingDbtp - decoded.loudness.targetLufs).toFixed(1)} dB at most`,
  })

  settings.compressor = {
    crossoversHz: base.compressor.crossoversHz,
    bands: decoded.compressor.bands.map((band, b) => {
      const ratio = 1 + (band.ratio - 1) * dynamics
      if (!(ratio >= MIN_MODEL_RATIO)) return neutralParams(COMPRESSOR_BAND_PARAMS)
      const thresholdDb = Math.min(0, Math.max(MIN_THRESHOLD_DB, mix.bands[b].shortTermP10Db + ANALYTIC_DEFAULTS.peakOverRmsDb))
      reasons.push({ stage: 'dynamics', text: `model: compress the ${BAND_NAMES[b]} band ${ratio.toFixed(2)}:1 above ${thresholdDb.toFixed(0)} dBFS` })
      return { thresholdDb, ratio, attackMs: ANALYTIC_DEFAULTS.attackMs[b], releaseMs: ANALYTIC_DEFAULTS.releaseMs[b], kneeDb: ANALYTIC_DEFAULTS.kneeDb, makeupDb: 0 }
    }),
  }

  const isStereo = mix.channelCount === 2
  settings.width = {
    ...base.width,
    bands: decoded.width.bands.map((band, b) => {
      const sideGainDb = isStereo ? band.sideGainDb * width : 0
      if (Math.abs(sideGainDb) < MIN_SIDE_GAIN_DB) return { sideGainDb: 0 }
      reasons.push({ stage: 'width', text: `model: ${sideGainDb > 0 ? 'widen' : 'narrow'} the ${BAND_NAMES[b]} band by ${Math.abs(sideGainDb).toFixed(1)} dB of side` })
      return { sideGainDb }
    }),
  }

  settings.tonalEq = { ...base.tonalEq, lowShelfGainDb: decoded.tonalEq.lowShelfGainDb * eq, highShelfGainDb: decoded.tonalEq.highShelfGainDb * eq }
  for (const [key, where] of [['lowShelfGainDb', 'low shelf'], ['highShelfGainDb', 'high shelf']] as const) {
    if (Math.abs(settings.tonalEq[key]) >= 0.1) reasons.push({ stage: 'eq', text: `model: ${where} ${settings.tonalEq[key] > 0 ? '+' : ''}${settings.tonalEq[key].toFixed(1)} dB on top of the matching EQ` })
  }
  return { settings, reasons }
}

/** Predicts the settings for `mix` toward `target` with `model`; `base` is the analytic settings for the same inputs and strengths. */
export function predictSettings(model: LoadedModel, mix: TrackAnalysis, target: TargetProfile, base: ChainSettings, strengths: Strengths, playbackCeilingDbtp: number): ModelSettings & { predictionMs: number } {
  const started = performance.now()
  const u = predictRow(model.tf, model.network, encodeFeatures(mix, target))
  const result = settingsFromOutputs(u, base, mix, target, strengths, playbackCeilingDbtp)
  return { ...result, predictionMs: performance.now() - started }
}
