/**
 * Tonal shaping (DESIGN.md "The chain", 3): a low shelf, a high shelf and two peaking bands that the
 * model may add on top of the matching EQ. RBJ Audio EQ Cookbook sections (./biquad.ts), minimum phase.
 */
import type { Audio } from '../audio/audio.js'
import {
  cascadeMagnitudeDb,
  highShelfCoefficients,
  lowShelfCoefficients,
  peakingCoefficients,
  processBiquadCascadeChannels,
  type BiquadCoefficients,
} from './biquad.js'
import { defineParams, validateParams, type ParamValues } from './params.js'

/** Largest EQ boost or cut, dB: mastering moves are small; the un-mastering in the eval uses +-5 to +-6 dB. */
const MAX_GAIN_DB = 12

/**
 * Parameters of the tonal EQ. Shelves use the Cookbook slope S = 1 (12 dB/octave at most, no overshoot);
 * their frequency is the shelf midpoint (half the gain in dB). All gains 0 = the identity.
 */
export const TONAL_EQ_PARAMS = defineParams({
  lowShelfHz: { unit: 'Hz', min: 30, max: 500, default: 100, neutral: 100, scale: 'log', description: 'low shelf midpoint frequency' },
  lowShelfGainDb: { unit: 'dB', min: -MAX_GAIN_DB, max: MAX_GAIN_DB, default: 0, neutral: 0, scale: 'linear', description: 'low shelf gain below its frequency' },
  highShelfHz: { unit: 'Hz', min: 2000, max: 16000, default: 8000, neutral: 8000, scale: 'log', description: 'high shelf midpoint frequency' },
  highShelfGainDb: { unit: 'dB', min: -MAX_GAIN_DB, max: MAX_GAIN_DB, default: 0, neutral: 0, scale: 'linear', description: 'high shelf gain above its frequency' },
  peak1Hz: { unit: 'Hz', min: 40, max: 16000, default: 250, neutral: 250, scale: 'log', description: 'first peaking band centre frequency' },
  peak1GainDb: { unit: 'dB', min: -MAX_GAIN_DB, max: MAX_GAIN_DB, default: 0, neutral: 0, scale: 'linear', description: 'first peaking band gain at its centre' },
  peak1Q: { unit: 'factor', min: 0.3, max: 6, default: 1, neutral: 1, scale: 'log', description: 'first peaking band Q (centre / bandwidth)' },
  peak2Hz: { unit: 'Hz', min: 40, max: 16000, default: 2500, neutral: 2500, scale: 'log', description: 'second peaking band centre frequency' },
  peak2GainDb: { unit: 'dB', min: -MAX_GAIN_DB, max: MAX_GAIN_DB, default: 0, neutral: 0, scale: 'linear', description: 'second peaking band gain at its centre' },
  peak2Q: { unit: 'factor', min: 0.3, max: 6, default: 1, neutral: 1, scale: 'log', description: 'second peaking band Q (centre / bandwidth)' },
})

/** Values of TONAL_EQ_PARAMS. */
export type TonalEqParams = ParamValues<typeof TONAL_EQ_PARAMS>

/**
 * Highest design frequency as a fraction of the sample rate. Only rates below 35.6 kHz bring a 16 kHz band
 * up against Nyquist; there the band is designed at this fraction instead (what lies above is not audio).
 */
const MAX_DESIGN_FRACTION_OF_RATE = 0.45

/** The active sections (gains of exactly 0 dB are left out), in order: low shelf, high shelf, peak 1, peak 2. */
export function tonalEqSections(params: TonalEqParams, sampleRateHz: number): BiquadCoefficients[] {
  const clamp = (frequencyHz: number): number => Math.min(frequencyHz, MAX_DESIGN_FRACTION_OF_RATE * sampleRateHz)
  const sections: BiquadCoefficients[] = []
  if (params.lowShelfGainDb !== 0) sections.push(lowShelfCoefficients(sampleRateHz, clamp(params.lowShelfHz), params.lowShelfGainDb))
  if (params.highShelfGainDb !== 0) sections.push(highShelfCoefficients(sampleRateHz, clamp(params.highShelfHz), params.highShelfGainDb))
  if (params.peak1GainDb !== 0) sections.push(peakingCoefficients(sampleRateHz, clamp(params.peak1Hz), params.peak1GainDb, params.peak1Q))
  if (params.peak2GainDb !== 0) sections.push(peakingCoefficients(sampleRateHz, clamp(params.peak2Hz), params.peak2GainDb, params.peak2Q))
  return sections
}

/**
 * The EQ's combined magnitude response in dB at each of `frequenciesHz` (the curve the report draws);
 * exactly what `applyTonalEq` does at `sampleRateHz`.
 */
export function tonalEqMagnitudeDb(params: TonalEqParams, frequenciesHz: readonly number[], sampleRateHz: number): Float64Array {
  validateParams(TONAL_EQ_PARAMS, params, 'tonalEq')
  const sections = tonalEqSections(params, sampleRateHz)
  return Float64Array.from(frequenciesHz, (f) => cascadeMagnitudeDb(sections, f, sampleRateHz))
}

/** Applies the tonal EQ to every channel. All gains 0 returns a copy of the input; the input is not modified. */
export function applyTonalEq(audio: Audio, params: TonalEqParams): Audio {
  validateParams(TONAL_EQ_PARAMS, params, 'tonalEq')
  const sections = tonalEqSections(params, audio.sampleRateHz)
  const channels = sections.length === 0 ? audio.channels.map((c) => c.slice()) : processBiquadCascadeChannels(audio.channels, sections)
  return { channels, sampleRateHz: audio.sampleRateHz }
}
