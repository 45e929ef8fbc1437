/**
 * Inference: analysis features -> the network -> chain settings. The network's outputs are corrections
 * of the analytic settings (src/model/schema.ts): the compression ratios, the matching EQ's strength
 * and the shelves, and, once the stages before the loudness stage have run, the reference levels the
 * loudness match reads; everything else (the matching EQ's curve, the width, attack/release, the
 * thresholds' rule, the ceiling) stays the analytic path's. The corrections are applied in the share
 * that the reference is the same music as the mix (`modelShare`), scaled by the user's strengths and
 * bounded by the playback target.
 */
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { BAND_NAMES, compressedBand } from '../chain/analytic.js'
import type { LevelSummary } from '../chain/loudness-match.js'
import type { ChainSettings } from '../chain/settings.js'
import type { Strengths } from '../chain/strengths.js'
import type { TargetProfile } from '../chain/target-profile.js'
import { COMPRESSOR_BAND_PARAMS } from '../dsp/multiband-compressor.js'
import { neutralParams } from '../dsp/params.js'
import type { Reason } from '../report/reasons.js'
import type { LoadedModel } from './model-io.js'
import { predictRow } from './network.js'
import { decodeOutputs, encodeFeatures, encodeStageFeatures } from './schema.js'

/**
 * Share of the aimed peak's excess over the playback ceiling that the model's masters give up in loudness
 * (the rest in PLR; ChainSettings.loudness.ceilingLoudnessShare). The model predicts the goal's own
 * loudness and PLR (training/labels.ts); where together they pass the ceiling, the master cannot have
 * both, and the evaluation protocol counts a dB of either alike, so it gives up half of each. Protocol,
 * match task, cross-validated over the 40 dev excerpts (README), d_lufs / d_plr / mrstft: 0 gives 1.097 /
 * 1.619 / 0.477, 0.25 1.189 / 1.425 / 0.479, 0.5 1.385 / 1.256 / 0.493 (analytic path 1.350 / 1.223 /
 * 0.482): a trade along the ceiling, none better than the analytic path on both. The labels gave up
 * half of the goal's excess before (the same share, learned instead of applied): the model's PLR came
 * out lower than the goal's wherever the excess was uncertain.
 */
export const MODEL_CEILING_LOUDNESS_SHARE = 0.5

/**
 * Share of the reference's PLR in the aimed PLR of the model's masters (ChainSettings.loudness.referencePlrTrust):
 * the model's PLR output is a reference PLR (src/model/schema.ts), which moves the aim by this share. The
 * analytic path's 0.25 would need four dB of reference PLR per dB of aim, beyond the output's range; the
 * labels are solved with this share (training/labels.ts).
 */
export const MODEL_REFERENCE_PLR_TRUST = 0.5

/** The loudness match's shares in the model's masters (ChainSettings.loudness); the labels are solved through the same. */
export const MODEL_LOUDNESS_MATCH = { ceilingLoudnessShare: MODEL_CEILING_LOUDNESS_SHARE, referencePlrTrust: MODEL_REFERENCE_PLR_TRUST } as const

/** A compression ratio closer to 1 than this is no compression (the band is left alone). */
export const MIN_MODEL_RATIO = 1.02

/** What the model decided: settings and reasons for the stages it set. */
export interface ModelSettings {
  settings: ChainSettings
  reasons: Reason[]
}

/** `base` moved toward `decoded` by `strength` (0 keeps the analytic value). */
const toward = (base: number, decoded: number, strength: number) => base + (decoded - base) * strength

/**
 * Turns the network's outputs `u` (in [0, 1], schema order) into chain settings on top of `base` (the
 * analytic settings for the same mix, target and strengths): strengths scale the model's corrections of
 * the compression, the matching EQ's strength and the shelves; the width, the matching EQ's curve and
 * the limiter's ceiling stay the analytic path's. The loudness outputs are left out: they are read once
 * these stages have run (`referenceFromOutputs`).
 */
export function settingsFromOutputs(u: ArrayLike<number>, base: ChainSettings, mix: TrackAnalysis, strengths: Strengths): ModelSettings {
  const decoded = decodeOutputs(u, base)
  const settings = structuredClone(base)
  const reasons: Reason[] = []
  const dynamics = strengths.dynamics * strengths.intensity
  const eq = strengths.eq * strengths.intensity

  settings.compressor = {
    crossoversHz: base.compressor.crossoversHz,
    bands: decoded.compressor.bands.map((band, b) => {
      const baseBand = base.compressor.bands[b]
      const ratio = toward(baseBand.ratio, band.ratio, dynamics)
      if (!(ratio >= MIN_MODEL_RATIO)) return neutralParams(COMPRESSOR_BAND_PARAMS)
      if (Math.abs(ratio - baseBand.ratio) < 0.01) return baseBand
      const compressed = compressedBand(mix.bands[b], b, ratio)
      reasons.push({ stage: 'dynamics', text: `model: compress the ${BAND_NAMES[b]} band ${ratio.toFixed(2)}:1 above ${compressed.thresholdDb.toFixed(0)} dBFS (analytic: ${baseBand.ratio.toFixed(2)}:1)` })
      return compressed
    }),
  }

  settings.matchingEq = { ...base.matchingEq, strength: toward(base.matchingEq.strength, decoded.matchingEq.strength, eq) }
  if (Math.abs(settings.matchingEq.strength - base.matchingEq.strength) >= 0.05) {
    reasons.push({ stage: 'eq', text: `model: apply ${Math.round(100 * settings.matchingEq.strength)} % of the matching EQ curve (analytic: ${Math.round(100 * base.matchingEq.strength)} %): the reference's spectrum is not all the goal's` })
  }

  settings.tonalEq = {
    ...base.tonalEq,
    lowShelfGainDb: toward(base.tonalEq.lowShelfGainDb, decoded.tonalEq.lowShelfGainDb, eq),
    highShelfGainDb: toward(base.tonalEq.highShelfGainDb, decoded.tonalEq.highShelfGainDb, eq),
  }
  for (const [key, where] of [['lowShelfGainDb', 'low shelf'], ['highShelfGainDb', 'high shelf']] as const) {
    if (Math.abs(settings.tonalEq[key]) >= 0.1) reasons.push({ stage: 'eq', text: `model: ${where} ${settings.tonalEq[key] > 0 ? '+' : ''}${settings.tonalEq[key].toFixed(1)} dB on top of the matching EQ` })
  }
  return { settings, reasons }
}

/**
 * The reference levels the loudness match reads, from the network's outputs `u` (predicted with the stage
 * features): the reference's level moves as a whole (its loudness and its true peak by the same amount),
 * its PLR is the predicted one. `reference` is the analytic path's (the reference's own levels).
 */
export function referenceFromOutputs(u: ArrayLike<number>, base: ChainSettings): LevelSummary | undefined {
  const reference = base.loudness.reference
  const decoded = decodeOutputs(u, base).loudness.reference
  if (!reference || !decoded) return undefined
  const levelDb = decoded.integratedLufs - reference.integratedLufs
  return { integratedLufs: reference.integratedLufs + levelDb, truePeakDbtp: reference.truePeakDbtp + levelDb, plrDb: decoded.plrDb }
}

/** The reason for the reference levels `used` instead of the reference's own `measured` ones. */
export function loudnessReason(used: LevelSummary, measured: LevelSummary): Reason {
  const levelDb = used.integratedLufs - measured.integratedLufs
  return {
    stage: 'loudness',
    text: `model: match the loudness and peaks as if the reference were ${levelDb >= 0 ? '+' : ''}${levelDb.toFixed(1)} dB louder with a PLR of ${used.plrDb.toFixed(1)} dB (it measures ${measured.plrDb.toFixed(1)} dB), read from what the earlier stages deliver: the goal is another section of music than the reference`,
  }
}

/**
 * The share of the model's corrections that is applied for a target the analytic path trusts by
 * `referenceTrust` (src/chain/reference-trust.ts: 0 the same music as the mix, 1 other music). The model
 * learns from references cut from the mix's own track (training/synthesis.ts), so it knows how far to
 * trust a reference of the same music, not other music's: there, the analytic path decides. Evaluation
 * protocol, dev set, means of the cross task (reference = another track) against the match task, the
 * shipped model (schema 6): with every correction applied, tbe 3.743 / 1.186 dB and d_plr 1.809 / 1.120
 * dB (the analytic path then 2.277 / 1.247 and 1.219 / 1.276); with this share, 2.484 / 1.233 and 1.175 / 1.139. What is
 * left of the cross task's gap sits on the pairs the trust takes for the same music (README).
 */
export function modelShare(referenceTrust: number): number {
  return Math.min(1, Math.max(0, 1 - referenceTrust))
}

/** Network outputs `u` moved toward 0.5 (the analytic settings) by `share`. */
function withShare(u: Float32Array, share: number): Float32Array {
  return share === 1 ? u : u.map((value) => 0.5 + (value - 0.5) * share)
}

/** What the model predicts before the render, and how it chooses the loudness match's reference levels during it. */
export interface ModelPrediction extends ModelSettings {
  /** Time spent predicting so far (ms): before the render, and in `loudnessReference` once called. */
  predictionMs: number
  /**
   * With a reference to match: the reference levels for what the chain delivers to the loudness stage
   * (renderChain's RenderOptions.loudnessReference). Each call predicts again and adds to `predictionMs`.
   */
  loudnessReference?: (stageInput: LevelSummary) => LevelSummary
}

/**
 * Predicts the settings for `mix` toward `target` with `model`; `base` is the analytic settings for the
 * same inputs and strengths, `referenceTrust` the trust in the target they were made with (`modelShare`). Two phases: the stages before the loudness stage are decided here; the
 * reference levels the loudness match reads are predicted during the render, from what those stages
 * deliver (the render's loudness stage measures it anyway: no extra pass over the audio).
 */
export function predictSettings(model: Pick<LoadedModel, 'tf' | 'network'>, mix: TrackAnalysis, target: TargetProfile, base: ChainSettings, strengths: Strengths, referenceTrust: number): ModelPrediction {
  const started = performance.now()
  const features = encodeFeatures(mix, target)
  const share = modelShare(referenceTrust)
  const predict = (stageFeatures?: Float32Array) => withShare(predictRow(model.tf, model.network, features, stageFeatures), share)
  const result: ModelPrediction = { ...settingsFromOutputs(predict(), base, mix, strengths), predictionMs: 0 }
  if (base.loudness.reference && share > 0) {
    Object.assign(result.settings.loudness, MODEL_LOUDNESS_MATCH)
    result.loudnessReference = (stageInput) => {
      const phaseStarted = performance.now()
      const u = predict(encodeStageFeatures(stageInput, mix, target, base))
      const reference = referenceFromOutputs(u, base) ?? base.loudness.reference!
      result.predictionMs += performance.now() - phaseStarted
      return reference
    }
  }
  result.predictionMs = performance.now() - started
  return result
}
