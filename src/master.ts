import type { Audio } from './audio/audio.js'
import { frameCount, durationSeconds } from './audio/audio.js'
import { resample } from './audio/resample.js'
import { analyzeTrackLent } from './analysis/lent-analysis.js'
import { summariseMeydaFeatures } from './analysis/meyda-features.js'
import { analyzeTrack, type TrackAnalysis } from './analysis/track-analysis.js'
import { ABSOLUTE_GATE_LUFS } from './analysis/loudness/meter.js'
import { analyticSettings, type AnalyticSettings } from './chain/analytic.js'
import type { SettingsSource } from './model/default-model.js'
import type { LoadedModel } from './model/model-io.js'
import { loudnessReason, predictSettings, type ModelPrediction } from './model/predict.js'
import { renderChain } from './chain/apply.js'
import { loudnessPenalties, playbackTarget, type PlaybackTarget } from './chain/playback-targets.js'
import { validateChainSettings, type ChainSettings } from './chain/settings.js'
import { resolveStrengths, type Strengths } from './chain/strengths.js'
import { blendProfiles, profileForRate, profileOf, type TargetProfile } from './chain/target-profile.js'
import { RefmasterError } from './errors.js'
import { deliveryCheck, type DeliveryCheckLine } from './report/delivery-check.js'
import { measureMaster, measurementOf, type Measurement } from './report/measurements.js'
import { checkReference, lossyCut, type ReferenceCheck } from './report/reference-check.js'
import type { Reason } from './report/reasons.js'
import { translate, type Translation } from './report/translation.js'
import type { GenreSummary } from './library/summary.js'

/** A reference track with its weight in the blend (weights are normalised). */
export interface ReferenceInput {
  name: string
  audio: Audio
  weight: number
}

/** A genre target with its weight in the blend (weights are normalised); see src/library. */
export interface GenreInput {
  name: string
  weight: number
  profile: TargetProfile
  /** The genre's summary, copied into the report. */
  summary?: GenreSummary
}

/** What to master and how. */
export interface MasterRequest {
  mixName: string
  mix: Audio
  /**
   * References to match. Their sample buffers are lent to worker threads for the analysis (see
   * `analyzeTrackLent`): afterwards each `audio.channels` holds new Float32Array objects over the same
   * samples, so keep the Audio rather than its channel arrays.
   */
  references?: ReferenceInput[]
  /** Genre profiles to aim at instead of references (not both). */
  genres?: GenreInput[]
  /** Playback target name (playback-targets.json); default "reference" with references, else "streaming". */
  target?: string
  strengths?: Partial<Strengths>
  /** Render exactly these settings (a recipe) instead of matching. */
  recipe?: ChainSettings
  /**
   * The render may write into the mix's own sample arrays (see `RenderOptions.consumeMix`): saves memory
   * and time, and leaves `mix` holding other samples afterwards. For callers that decoded the mix for
   * this job alone (the CLI).
   */
  consumeMix?: boolean
  /** Leave out the delivery check's MP3 round trip (benchmarks time it on its own). */
  skipCodecCheck?: boolean
  /** Where the settings come from: the analytic matcher (default) or `model`, which needs `model`. */
  settingsSource?: SettingsSource
  /** The trained settings model (src/model/model-io.ts loadModel), for settingsSource 'model'. */
  model?: LoadedModel
}

/** The report (issue 10): measurements, settings with reasons, platforms, translation, delivery check. */
export interface MasterReport {
  input: { name: string; sampleRateHz: number; channelCount: number; frames: number; durationSeconds: number }
  /** With reference tracks, or none (a playback target alone). */
  references?: Array<{ name: string; weight: number; sampleRateHz: number; durationSeconds: number }>
  /** With genre targets: in place of `references`. Weights normalised. */
  genres?: Array<{ name: string; weight: number; summary: GenreSummary | null }>
  target: PlaybackTarget & { resolvedLufs: number; reachable: boolean }
  strengths: Strengths
  /** Where the settings came from, and for the model its folder, schema fingerprint and prediction time. */
  settingsSource: { source: SettingsSource; model?: string; schemaFingerprint?: string; predictionMs?: number }
  settings: ChainSettings
  reasons: Reason[]
  measurements: { before: Measurement; after: Measurement; reference: Measurement | null }
  platforms: Array<{ platform: string; gainDb: number }>
  translation: Translation[]
  deliveryCheck: DeliveryCheckLine[]
  warnings: string[]
}

/** The master and its report. */
export interface MasterResult {
  audio: Audio
  report: MasterReport
}

/** Progress of the whole job: fraction (0..1) and the stage in words. */
export type MasterProgress = (fraction: number, stage: string) => void

/**
 * Peak reduction the limiter may spend to reach a reference's loudness (dB): the reference itself shows
 * that this density is the sound asked for, so the budget is wider than for a fixed platform target
 * (DEFAULT_MAX_LIMITER_REDUCTION_DB). Dev set (`npm run bench:quality`): 12 -> 18 leaves every match-task
 * master as it was (no section of the same song needs more) and brings the cross task's loudness error
 * from 1.121 to 0.978 LU and its PLR error from 1.400 to 1.257 dB: dense references of other music (PLR
 * 7-8 dB) asked of very dynamic mixes (PLR 20 dB) were left up to 7 LU short.
 */
export const REFERENCE_MAX_LIMITER_REDUCTION_DB = 18

/** Items (genres) with their weights normalised to sum to 1. */
export function normalisedWeights<T extends { weight: number }>(items: T[]): T[] {
  const total = items.reduce((sum, item) => sum + item.weight, 0)
  return items.map((item) => ({ ...item, weight: item.weight / total }))
}

/** How the reasons name a genre target: "the rock genre", "the blend of rock (67 %) and pop (33 %)". */
function genreTargetName(genres: GenreInput[]): string {
  if (genres.length === 1) return `the ${genres[0].name} genre`
  const parts = normalisedWeights(genres).map((g) => `${g.name} (${Math.round(100 * g.weight)} %)`)
  return `the blend of ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
}

/**
 * Without a reference (a playback target alone, or genres) nothing says the mix's DC offset and infrasonic content belong to the sound: the
 * subsonic stage removes them below this corner (Hz), the usual mastering practice.
 */
export const NO_REFERENCE_SUBSONIC_CUTOFF_HZ = 20

/** Mastering reads no Meyda feature: its analyses leave them out. */
const MATCHING_ANALYSIS = { meydaFeatures: false } as const

/**
 * Analyses a reference at the mix's sample rate (DESIGN.md: resampled for analysis only) on a worker
 * thread, while this one analyses the mix: its sample buffers are lent to the worker (`analyzeTrackLent`).
 */
function analyzeReference(reference: ReferenceInput, mix: Audio): Promise<TrackAnalysis> {
  const audio = reference.audio.sampleRateHz === mix.sampleRateHz ? reference.audio : resample(reference.audio, mix.sampleRateHz)
  return analyzeTrackLent(audio, MATCHING_ANALYSIS, mix.channels)
}

/**
 * A genre's profile at the mix's rate. A genre made from lossy files (the built-in library's are Vorbis
 * decodes) has nothing above their cut, which says nothing about the genre: the matching EQ holds there.
 */
function genreProfile(profile: TargetProfile, sampleRateHz: number): TargetProfile {
  const atRate = profileForRate(profile, sampleRateHz)
  return withSpectrumTop(atRate, lossyCut(atRate.fine, sampleRateHz).topHz)
}

/** A reference's target profile, with what its sanity check found about its spectrum (a lossy cut). */
export function referenceProfile(analysis: TrackAnalysis, check: ReferenceCheck): TargetProfile {
  return withSpectrumTop(profileOf(analysis), check.spectrumTopHz)
}

/** `profile` whose spectra are the music's only up to `topHz` (Infinity: all of them). */
function withSpectrumTop(profile: TargetProfile, topHz: number): TargetProfile {
  return Number.isFinite(topHz) ? { ...profile, spectrumTopHz: topHz } : profile
}

/**
 * The analytic path's settings for a mix and a target profile (null: a playback target alone, the mix
 * is its own target): the baseline, and the base the settings model's outputs are written on.
 */
export function matchSettings(mix: TrackAnalysis, target: TargetProfile | null, targetName: string, playback: PlaybackTarget, strengths: Strengths, targetLufs: number): AnalyticSettings {
  const result = analyticSettings(mix, target ?? profileOf(mix), targetName, playback, strengths, targetLufs)
  if (!target) result.settings.subsonic = { cutoffHz: NO_REFERENCE_SUBSONIC_CUTOFF_HZ }
  if (target && playback.integratedLufs === null) {
    result.settings.loudness.maxLimiterReductionDb = REFERENCE_MAX_LIMITER_REDUCTION_DB
    result.settings.loudness.reference = { integratedLufs: target.integratedLufs, truePeakDbtp: target.truePeakDbtp, plrDb: target.plrDb }
    result.settings.loudness.referenceTrust = result.referenceTrust
  }
  return result
}

/** The analyses of a job's inputs: made once, kept with the job, reused by every re-render (DESIGN.md). */
export interface AnalysedInputs {
  mix: TrackAnalysis
  references: Array<{ name: string; weight: number; sampleRateHz: number; durationSeconds: number; analysis: TrackAnalysis; check: ReferenceCheck }>
}

/** Analyses the mix and the references (at the mix's rate) and checks each reference's sanity. */
export async function analyseInputs(request: Pick<MasterRequest, 'mixName' | 'mix' | 'references'>, onProgress: MasterProgress = () => {}): Promise<AnalysedInputs> {
  const references = request.references ?? []
  onProgress(0, 'analysing the mix and the references')
  // The references are analysed on worker threads meanwhile; they are awaited even if the mix fails, so
  // that their lent buffers are back before this function returns or throws.
  const pendingReferences = Promise.allSettled(references.map((reference) => analyzeReference(reference, request.mix)))
  let mix: TrackAnalysis
  try {
    mix = analyzeTrack(request.mix, undefined, MATCHING_ANALYSIS)
  } finally {
    onProgress(0.5, 'analysing the references')
    await pendingReferences
  }
  if (!(mix.loudness.integratedLufs > ABSOLUTE_GATE_LUFS)) {
    throw new RefmasterError('SILENT_AUDIO', `${request.mixName} is silent or nearly so (integrated loudness below ${ABSOLUTE_GATE_LUFS} LUFS): there is nothing to master`)
  }
  const analysed = await pendingReferences
  return {
    mix,
    references: references.map((reference, r) => {
      const outcome = analysed[r]
      if (outcome.status === 'rejected') throw outcome.reason
      const analysis = outcome.value
      const check = checkReference(reference.name, reference.audio, analysis, mix)
      return { name: reference.name, weight: reference.weight, sampleRateHz: reference.audio.sampleRateHz, durationSeconds: durationSeconds(reference.audio), analysis, check }
    }),
  }
}

/**
 * Masters a mix toward its references (or a playback target alone), read top to bottom as named stages.
 * `analysed` (from `analyseInputs` of the same inputs) skips the analysis: a re-render with new strengths.
 */
export async function masterTrack(request: MasterRequest, onProgress: MasterProgress = () => {}, analysed?: AnalysedInputs): Promise<MasterResult> {
  const strengths = resolveStrengths(request.strengths)
  const referenceCount = (analysed?.references ?? request.references ?? []).length
  const genres = request.genres ?? []
  if (referenceCount > 0 && genres.length > 0) throw new RefmasterError('USAGE', 'aim at references or at genres, not both')
  // With genres the default is a platform target: a genre's median loudness is a statistic of varied masters, not a level anyone asked for.
  const playback = playbackTarget(request.target ?? (referenceCount > 0 ? 'reference' : 'streaming'))
  if (playback.integratedLufs === null && referenceCount === 0 && genres.length === 0 && !request.recipe) {
    throw new RefmasterError('USAGE', `target '${playback.name}' matches a reference's loudness: give at least one reference or genre`)
  }
  const { mix: mixAnalysis, references: referenceAnalyses } = analysed ?? (await analyseInputs(request, (fraction, stage) => onProgress(0.45 * fraction, stage)))
  const warnings = referenceAnalyses.flatMap((r) => r.check.warnings)
  const profile = referenceAnalyses.length > 0
    ? blendProfiles(referenceAnalyses.map(({ analysis, weight, check }) => ({ profile: referenceProfile(analysis, check), weight })))
    : genres.length > 0 ? blendProfiles(genres.map(({ profile, weight }) => ({ profile: genreProfile(profile, request.mix.sampleRateHz), weight }))) : null
  const trustFactor = (key: 'eq' | 'dynamics' | 'width') => Math.min(1, ...referenceAnalyses.map((r) => r.check.strengthFactors[key]))
  const effectiveStrengths: Strengths = { ...strengths, eq: strengths.eq * trustFactor('eq'), dynamics: strengths.dynamics * trustFactor('dynamics'), width: strengths.width * trustFactor('width') }

  onProgress(0.45, 'choosing the settings')
  // "reference": the loudness stage matches the reference's levels (loudness-match.ts); this is their anchor.
  const targetLufs = playback.integratedLufs ?? profile!.integratedLufs
  let settings: ChainSettings
  let reasons: Reason[]
  let referenceTrust = 0
  if (request.recipe) {
    settings = validateChainSettings(request.recipe, request.mix.sampleRateHz)
    reasons = [{ stage: 'loudness', text: 'rendered from a recipe: settings applied exactly as saved' }]
  } else {
    const targetName = !profile ? 'the mix itself' : genres.length > 0 ? genreTargetName(genres) : referenceAnalyses.length === 1 ? 'the reference' : 'the blend of references'
    ;({ settings, reasons, referenceTrust } = matchSettings(mixAnalysis, profile, targetName, playback, effectiveStrengths, targetLufs))
    // A genre is other music: like no reference at all, it says nothing about this mix's DC and infrasonics.
    if (genres.length > 0) settings.subsonic = { cutoffHz: NO_REFERENCE_SUBSONIC_CUTOFF_HZ }
  }
  let settingsSource: MasterReport['settingsSource'] = { source: 'analytic' }
  let predicted: ModelPrediction | undefined
  if (!request.recipe && request.settingsSource === 'model') {
    if (!request.model) throw new RefmasterError('USAGE', "settings source 'model' needs a trained model")
    // The model reads the mix's Meyda statistics, which the matching analysis leaves out.
    const mixForModel = mixAnalysis.meyda ? mixAnalysis : { ...mixAnalysis, meyda: summariseMeydaFeatures(request.mix.channels, request.mix.sampleRateHz) }
    // The loudness outputs (the reference levels the loudness match reads, with playback target
    // "reference" only) are predicted during the render, from what the earlier stages deliver.
    predicted = predictSettings(request.model, mixForModel, profile ?? profileOf(mixAnalysis), settings, effectiveStrengths, referenceTrust)
    settings = predicted.settings
    reasons = [...reasons.filter((r) => r.stage === 'eq'), ...predicted.reasons]
  }

  onProgress(0.5, 'rendering')
  const expectedFrames = frameCount(request.mix)
  const rendered = renderChain(request.mix, settings, (fraction, stage) => onProgress(0.5 + 0.35 * fraction, stage), { consumeMix: request.consumeMix, loudnessReference: predicted?.loudnessReference })
  if (predicted && request.model) {
    // the settings record the levels the match read, so that they render this master again (a recipe)
    if (rendered.reference && settings.loudness.reference) {
      reasons.push(loudnessReason(rendered.reference, settings.loudness.reference))
      settings.loudness.reference = rendered.reference
    }
    settingsSource = { source: 'model', model: request.model.dir, schemaFingerprint: request.model.card.schemaFingerprint, predictionMs: predicted.predictionMs }
  }
  warnings.push(...rendered.loudness.warnings)
  reasons.push({
    stage: 'loudness',
    text: `gain ${rendered.loudness.inputGainDb >= 0 ? '+' : ''}${rendered.loudness.inputGainDb.toFixed(1)} dB into the true-peak limiter (ceiling ${rendered.loudness.ceilingDbtp.toFixed(1)} dBTP, at most ${rendered.loudness.maxGainReductionDb.toFixed(1)} dB of peak reduction) to reach ${rendered.loudness.targetLufs.toFixed(1)} LUFS for ${playback.label}` +
      (settings.loudness.reference ? ` (between the reference's ${settings.loudness.reference.integratedLufs.toFixed(1)} LUFS and the level that puts the master's peaks where the reference's are, ${settings.loudness.reference.truePeakDbtp.toFixed(1)} dBTP, under the ${settings.limiter.ceilingDbtp} dBTP ceiling)` : ''),
  })

  onProgress(0.85, 'delivery check')
  const check = await deliveryCheck(rendered.audio, expectedFrames, {
    integratedLufs: rendered.loudness.targetLufs,
    ceilingDbtp: rendered.loudness.ceilingDbtp,
    deliveredLossy: playback.deliveredLossy && !request.skipCodecCheck,
    reachable: rendered.loudness.reachable,
  }, rendered.loudness.measurement)
  const after = measureMaster(rendered.audio, check.loudness)
  onProgress(1, 'done')

  return {
    audio: rendered.audio,
    report: {
      input: { name: request.mixName, sampleRateHz: request.mix.sampleRateHz, channelCount: request.mix.channels.length, frames: frameCount(request.mix), durationSeconds: durationSeconds(request.mix) },
      ...(genres.length > 0
        ? { genres: normalisedWeights(genres).map((g) => ({ name: g.name, weight: g.weight, summary: g.summary ?? null })) }
        : { references: referenceAnalyses.map((r) => ({ name: r.name, weight: r.weight, sampleRateHz: r.sampleRateHz, durationSeconds: r.durationSeconds })) }),
      target: { ...playback, resolvedLufs: rendered.loudness.targetLufs, reachable: rendered.loudness.reachable },
      strengths,
      settingsSource,
      settings,
      reasons,
      measurements: { before: measurementOf(mixAnalysis), after: after.measurement, reference: referenceAnalyses.length === 1 ? measurementOf(referenceAnalyses[0].analysis) : null },
      platforms: loudnessPenalties(check.loudness.integratedLufs, check.loudness.truePeakDbtp),
      translation: translate(after.thirdOctave),
      deliveryCheck: check.lines,
      warnings,
    },
  }
}
