import { LEVELER_PARAMS, type LevelerParams } from '../dsp/leveler.js'
import { MATCHING_EQ_PARAMS, type MatchingEqParams } from '../dsp/matching-eq.js'
import { neutralMultibandCompressorParams, validateMultibandCompressorParams, type MultibandCompressorParams } from '../dsp/multiband-compressor.js'
import { neutralParams, validateParams } from '../dsp/params.js'
import { SATURATION_PARAMS, type SaturationParams } from '../dsp/saturation.js'
import { neutralStereoWidthParams, validateStereoWidthParams, type StereoWidthParams } from '../dsp/stereo-width.js'
import { SUBSONIC_PARAMS, type SubsonicParams } from '../dsp/subsonic.js'
import { TONAL_EQ_PARAMS, type TonalEqParams } from '../dsp/tonal-eq.js'
import { TRUE_PEAK_LIMITER_PARAMS, type TruePeakLimiterParams } from '../dsp/true-peak-limiter.js'
import { RefmasterError } from '../errors.js'
import { DEFAULT_MAX_LIMITER_REDUCTION_DB } from '../dsp/loudness-target.js'
import type { LevelSummary } from './loudness-match.js'

/**
 * Everything the chain needs to render a master, in signal order (DESIGN.md "The chain"). A recipe is
 * this object as JSON: the same mix and settings give the same output bits.
 */
export interface ChainSettings {
  subsonic: SubsonicParams
  /** Broadband leveling (../dsp/leveler.ts); absent (recipes written before it existed) = none. */
  leveler?: LevelerParams
  matchingEq: MatchingEqParams
  tonalEq: TonalEqParams
  compressor: MultibandCompressorParams
  width: StereoWidthParams
  saturation: SaturationParams
  /**
   * The loudness stage: input gain is searched so that the limited master lands on targetLufs. With
   * `reference`, the target and the limiter's ceiling are matched to the reference's levels from what the
   * chain delivers to the stage (loudness-match.ts); targetLufs is then the reference's loudness.
   */
  loudness: {
    targetLufs: number
    maxLimiterReductionDb: number
    reference?: LevelSummary
    /** Trust in the reference's sound (reference-trust.ts, 0..1; absent = 0): how far its loudness and PLR are the goal (loudness-match.ts). */
    referenceTrust?: number
    /**
     * Share of the aimed peak's excess over the ceiling that the master gives up in loudness, the rest in
     * PLR (loudness-match.ts `ceilingLoudnessShare`, 0..1; absent = its default). The model sets its own
     * (src/model/predict.ts).
     */
    ceilingLoudnessShare?: number
    /**
     * Share of the reference's PLR in the master's aimed PLR (loudness-match.ts `referencePlrTrust`, 0..1;
     * absent = its default). The model sets its own (src/model/predict.ts).
     */
    referencePlrTrust?: number
  }
  limiter: TruePeakLimiterParams
}

/** Version of the settings layout, saved in recipes. */
export const CHAIN_SETTINGS_VERSION = 1

/** Settings that change nothing before the loudness stage (the loudness stage still needs a target). */
export function neutralChainSettings(targetLufs: number, ceilingDbtp: number): ChainSettings {
  return {
    subsonic: neutralParams(SUBSONIC_PARAMS),
    leveler: neutralParams(LEVELER_PARAMS),
    matchingEq: { ...neutralParams(MATCHING_EQ_PARAMS), curve: { frequenciesHz: [1000], midDb: [0], sideDb: [0] } },
    tonalEq: neutralParams(TONAL_EQ_PARAMS),
    compressor: neutralMultibandCompressorParams(),
    width: neutralStereoWidthParams(),
    saturation: neutralParams(SATURATION_PARAMS),
    loudness: { targetLufs, maxLimiterReductionDb: DEFAULT_MAX_LIMITER_REDUCTION_DB },
    limiter: { ...neutralParams(TRUE_PEAK_LIMITER_PARAMS), ceilingDbtp },
  }
}


/** Checks a full settings object (for recipes read from disk); INVALID_PARAMETER names the bad field. */
export function validateChainSettings(settings: ChainSettings, sampleRateHz: number): ChainSettings {
  const need = (value: unknown, what: string) => {
    if (value === undefined || value === null) throw new RefmasterError('INVALID_PARAMETER', `recipe is missing ${what}`)
  }
  for (const key of ['subsonic', 'matchingEq', 'tonalEq', 'compressor', 'width', 'saturation', 'loudness', 'limiter'] as const) need(settings[key], key)
  validateParams(SUBSONIC_PARAMS, settings.subsonic, 'subsonic')
  if (settings.leveler !== undefined) validateParams(LEVELER_PARAMS, settings.leveler, 'leveler')
  validateParams(MATCHING_EQ_PARAMS, { strength: settings.matchingEq.strength }, 'matchingEq')
  const { curve } = settings.matchingEq
  if (!curve || !Array.isArray(curve.frequenciesHz) || curve.midDb?.length !== curve.frequenciesHz.length || curve.sideDb?.length !== curve.frequenciesHz.length) {
    throw new RefmasterError('INVALID_PARAMETER', 'matchingEq.curve must hold frequenciesHz, midDb and sideDb of equal lengths')
  }
  validateParams(TONAL_EQ_PARAMS, settings.tonalEq, 'tonalEq')
  validateMultibandCompressorParams(settings.compressor, sampleRateHz)
  validateStereoWidthParams(settings.width, sampleRateHz)
  validateParams(SATURATION_PARAMS, settings.saturation, 'saturation')
  validateParams(TRUE_PEAK_LIMITER_PARAMS, settings.limiter, 'limiter')
  const reference = settings.loudness.reference
  if (reference !== undefined && !(['integratedLufs', 'truePeakDbtp', 'plrDb'] as const).every((key) => typeof reference[key] === 'number')) {
    throw new RefmasterError('INVALID_PARAMETER', 'loudness.reference must hold integratedLufs, truePeakDbtp and plrDb')
  }
  for (const key of ['referenceTrust', 'ceilingLoudnessShare', 'referencePlrTrust'] as const) {
    const value = settings.loudness[key]
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) throw new RefmasterError('INVALID_PARAMETER', `loudness.${key} must be a number from 0 to 1, got ${value}`)
  }
  if (!Number.isFinite(settings.loudness.targetLufs)) throw new RefmasterError('INVALID_PARAMETER', `loudness.targetLufs must be a number, got ${settings.loudness.targetLufs}`)
  return settings
}
