import { defineParams, validateParams, type ParamValues } from '../dsp/params.js'

/**
 * The user's strengths (DESIGN.md: each stage has a strength 0..1): EQ, dynamics and width scale what the
 * matcher recommends for their stages; intensity scales all of them together. 1 is the recommendation.
 */
export const STRENGTH_PARAMS = defineParams({
  eq: { unit: 'fraction', min: 0, max: 1, default: 1, neutral: 0, scale: 'linear', description: 'share of the recommended tonal correction' },
  dynamics: { unit: 'fraction', min: 0, max: 1, default: 1, neutral: 0, scale: 'linear', description: 'share of the recommended compression' },
  width: { unit: 'fraction', min: 0, max: 1, default: 1, neutral: 0, scale: 'linear', description: 'share of the recommended stereo-width change' },
  intensity: { unit: 'fraction', min: 0, max: 1, default: 1, neutral: 0, scale: 'linear', description: 'overall amount: multiplies the three strengths above' },
})

/** Values of STRENGTH_PARAMS. */
export type Strengths = ParamValues<typeof STRENGTH_PARAMS>

/** Strengths with defaults filled in and every value checked (INVALID_PARAMETER names the one out of range). */
export function resolveStrengths(partial: Partial<Strengths> = {}): Strengths {
  const strengths: Strengths = { eq: 1, dynamics: 1, width: 1, intensity: 1, ...partial }
  return validateParams(STRENGTH_PARAMS, strengths, 'strengths')
}
