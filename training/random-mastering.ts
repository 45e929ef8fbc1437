/**
 * Random mastering settings S for the self-supervised data (DESIGN.md "The model", after DeepAFx-ST):
 * tonal shelves and a bell, per-band compression, per-band side gain, gentle saturation, and a loudness
 * target with a ceiling. A share of the draws is the identity (the reference is the untouched other
 * section), which is the evaluation protocol's own case.
 */
import type { BandDynamics } from '../src/analysis/band-dynamics.js'
import { neutralChainSettings, type ChainSettings } from '../src/chain/settings.js'
import { DYNAMICS_CROSSOVERS_HZ } from '../src/analysis/spectrum/frequency-bands.js'

/** Share of the draws that leave the track as it is (S = identity). */
export const IDENTITY_SHARE = 0.4
/** Ranges of the drawn settings: moderate mastering moves, not effects. */
const SHELF_GAIN_DB = 4
const PEAK_GAIN_DB = 3
const MAX_RATIO = 4
const COMPRESS_PROBABILITY = 0.6
const THRESHOLD_AROUND_P50_DB = [-6, 3] as const
const SIDE_GAIN_DB = 3
const WIDTH_PROBABILITY = 0.5
const SATURATION_PROBABILITY = 0.3
const TARGET_LUFS = [-16, -7] as const
const CEILING_DBTP = [-3, -0.5] as const

const uniform = (random: () => number, [low, high]: readonly [number, number]) => low + (high - low) * random()
const logUniform = (random: () => number, low: number, high: number) => low * Math.pow(high / low, random())

/** A draw of S: `settings` (null for the identity). `bands` are the dynamics of the section the thresholds follow. */
export function drawMastering(random: () => number, bands: BandDynamics[]): ChainSettings | null {
  if (random() < IDENTITY_SHARE) return null
  const targetLufs = uniform(random, TARGET_LUFS)
  const settings = neutralChainSettings(targetLufs, uniform(random, CEILING_DBTP))
  settings.loudness.maxLimiterReductionDb = 12
  settings.tonalEq = {
    ...settings.tonalEq,
    lowShelfHz: logUniform(random, 60, 250),
    lowShelfGainDb: uniform(random, [-SHELF_GAIN_DB, SHELF_GAIN_DB]),
    highShelfHz: logUniform(random, 4000, 12000),
    highShelfGainDb: uniform(random, [-SHELF_GAIN_DB, SHELF_GAIN_DB]),
    peak1Hz: logUniform(random, 100, 8000),
    peak1GainDb: uniform(random, [-PEAK_GAIN_DB, PEAK_GAIN_DB]),
  }
  settings.compressor = {
    crossoversHz: [...DYNAMICS_CROSSOVERS_HZ],
    bands: bands.map((band, b) => {
      const neutral = { thresholdDb: 0, ratio: 1, attackMs: 10, releaseMs: 150, kneeDb: 6, makeupDb: 0 }
      if (random() >= COMPRESS_PROBABILITY || !Number.isFinite(band.shortTermP50Db)) return neutral
      return {
        thresholdDb: Math.min(0, Math.max(-60, band.shortTermP50Db + uniform(random, THRESHOLD_AROUND_P50_DB))),
        ratio: logUniform(random, 1.2, MAX_RATIO),
        attackMs: logUniform(random, 3, 40) * (b === 0 ? 2 : 1),
        releaseMs: logUniform(random, 60, 400),
        kneeDb: 6,
        makeupDb: 0,
      }
    }),
  }
  settings.width = {
    monoBelowHz: 20,
    crossoversHz: [...DYNAMICS_CROSSOVERS_HZ],
    bands: bands.map(() => ({ sideGainDb: random() < WIDTH_PROBABILITY ? uniform(random, [-SIDE_GAIN_DB, SIDE_GAIN_DB]) : 0 })),
  }
  if (random() < SATURATION_PROBABILITY) settings.saturation = { driveDb: uniform(random, [0, 9]), mix: uniform(random, [0, 0.5]) }
  return settings
}
