/**
 * The model's input features, in order (DESIGN.md "The model": the mix's features, the target's features
 * and their differences). Each feature names its unit and the range that maps onto [0, 1] (values
 * outside are clamped), so the encoding needs no statistics from a data set and is fixed by the schema.
 *
 * What a feature may read:
 * - of the mix and of the target (a TargetProfile: one reference, a blend or a genre), descriptors that
 *   a profile has and that do not depend on the mix's arbitrary level: loudness distribution relative to
 *   the integrated loudness, PLR, crest, LRA, octave-wide tonal balance relative to its own mean, band
 *   dynamics, stereo image;
 * - their differences (target - mix);
 * - the target's absolute loudness and true peak (the loudness and ceiling outputs are read against them);
 * - the mix's Meyda statistics (a profile has none).
 */
import type { MeydaSummary } from '../analysis/meyda-features.js'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { RefmasterError } from '../errors.js'
import type { TargetProfile } from '../chain/target-profile.js'
import type { LevelSummary, LoudnessMatch } from '../chain/loudness-match.js'

/** One input feature: name, unit and the range mapped onto [0, 1]. */
export interface FeatureSpec {
  name: string
  unit: string
  min: number
  max: number
}

/** A feature and how to read it. */
export interface FeatureDefinition extends FeatureSpec {
  read: (sources: FeatureSources) => number
}

/** What features are read from: the mix's full analysis and the two profiles. */
export interface FeatureSources {
  mix: TrackAnalysis
  mixProfile: TargetProfile
  target: TargetProfile
}

/** A descriptor that both a mix and a target have. */
interface Descriptor {
  name: string
  unit: string
  min: number
  max: number
  of: (profile: TargetProfile) => number
}

/** Third-octave bands pooled into one tonal-balance feature (3 = octaves; the 28 bands give 10 groups). */
const THIRD_OCTAVES_PER_GROUP = 3
/** Third-octave bands of TargetProfile.thirdOctave (31.5 Hz - 16 kHz). */
const THIRD_OCTAVE_COUNT = 28
/** Dynamics bands of the analysis (DYNAMICS_CROSSOVERS_HZ: 3 crossovers, 4 bands). */
export const DYNAMICS_BAND_COUNT = 4

const finite = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback)

/** Mean level of the third-octave total spectrum (dB): tonal features are read relative to it. */
function meanThirdOctaveDb(profile: TargetProfile): number {
  const values = profile.thirdOctave.totalDb
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

function groupLevelDb(profile: TargetProfile, group: number): number {
  const values = profile.thirdOctave.totalDb.slice(group * THIRD_OCTAVES_PER_GROUP, (group + 1) * THIRD_OCTAVES_PER_GROUP)
  const powerMean = values.reduce((sum, db) => sum + Math.pow(10, db / 10), 0) / values.length
  return 10 * Math.log10(Math.max(powerMean, 1e-30)) - meanThirdOctaveDb(profile)
}

function meanBandLevelDb(profile: TargetProfile): number {
  return profile.bands.reduce((sum, band) => sum + band.levelDb, 0) / profile.bands.length
}

/** The descriptors shared by mix and target, in order. */
function sharedDescriptors(): Descriptor[] {
  const list: Descriptor[] = [
    { name: 'shortTermP10RelLu', unit: 'LU', min: -30, max: 0, of: (p) => finite(p.shortTermP10Lufs - p.integratedLufs, -30) },
    { name: 'shortTermP50RelLu', unit: 'LU', min: -10, max: 10, of: (p) => finite(p.shortTermP50Lufs - p.integratedLufs, 0) },
    { name: 'shortTermP95RelLu', unit: 'LU', min: -5, max: 15, of: (p) => finite(p.shortTermP95Lufs - p.integratedLufs, 0) },
    { name: 'loudnessRangeLu', unit: 'LU', min: 0, max: 25, of: (p) => finite(p.loudnessRangeLu, 0) },
    { name: 'plrDb', unit: 'dB', min: 0, max: 30, of: (p) => finite(p.plrDb, 15) },
    { name: 'crestFactorDb', unit: 'dB', min: 0, max: 30, of: (p) => finite(p.crestFactorDb, 15) },
    { name: 'sideMidDb', unit: 'dB', min: -40, max: 0, of: (p) => p.stereo.sideMidDb },
    { name: 'correlation', unit: 'ratio', min: -1, max: 1, of: (p) => p.stereo.correlation },
  ]
  const groups = Math.ceil(THIRD_OCTAVE_COUNT / THIRD_OCTAVES_PER_GROUP)
  for (let g = 0; g < groups; g++) {
    list.push({ name: `tonalGroup${g}RelDb`, unit: 'dB', min: -40, max: 20, of: (p) => groupLevelDb(p, g) })
  }
  for (let b = 0; b < DYNAMICS_BAND_COUNT; b++) {
    list.push(
      { name: `band${b}LevelRelDb`, unit: 'dB', min: -40, max: 20, of: (p) => p.bands[b].levelDb - meanBandLevelDb(p) },
      { name: `band${b}ShortTermRangeDb`, unit: 'dB', min: 0, max: 30, of: (p) => finite(p.bands[b].shortTermRangeDb, 0) },
      { name: `band${b}P95OverP50Db`, unit: 'dB', min: 0, max: 15, of: (p) => finite(p.bands[b].shortTermP95Db - p.bands[b].shortTermP50Db, 0) },
      { name: `band${b}CrestDb`, unit: 'dB', min: 0, max: 30, of: (p) => finite(p.bands[b].crestDb, 10) },
      { name: `band${b}TransientsPerSecond`, unit: '1/s', min: 0, max: 10, of: (p) => finite(p.bands[b].transientsPerSecond, 0) },
      { name: `band${b}SideMidDb`, unit: 'dB', min: -40, max: 0, of: (p) => p.bands[b].sideMidDb },
    )
  }
  return list
}

/** The mix's Meyda statistics (analyses made for matching alone leave them out: masterTrack adds them). */
function meydaOf(mix: TrackAnalysis): MeydaSummary {
  if (!mix.meyda) throw new RefmasterError('INTERNAL', "the settings model needs the mix's Meyda statistics, and the analysis has none")
  return mix.meyda
}

/** The mix's Meyda statistics used as features (level-independent ones). */
function meydaFeatures(): FeatureDefinition[] {
  const list: FeatureDefinition[] = [
    { name: 'mix.meyda.spectralCentroidLog2Hz', unit: 'log2 Hz', min: 7, max: 14, read: ({ mix }) => Math.log2(Math.max(1, meydaOf(mix).spectralCentroidHz.mean)) },
    { name: 'mix.meyda.spectralSpreadLog2Hz', unit: 'log2 Hz', min: 7, max: 14, read: ({ mix }) => Math.log2(Math.max(1, meydaOf(mix).spectralSpreadHz.mean)) },
    { name: 'mix.meyda.spectralRolloffLog2Hz', unit: 'log2 Hz', min: 8, max: 15, read: ({ mix }) => Math.log2(Math.max(1, meydaOf(mix).spectralRolloffHz.mean)) },
    { name: 'mix.meyda.spectralFlatnessMean', unit: 'ratio', min: 0, max: 0.6, read: ({ mix }) => meydaOf(mix).spectralFlatness.mean },
    { name: 'mix.meyda.spectralFlatnessStd', unit: 'ratio', min: 0, max: 0.3, read: ({ mix }) => meydaOf(mix).spectralFlatness.std },
    { name: 'mix.meyda.spectralCrestMean', unit: 'ratio', min: 0, max: 200, read: ({ mix }) => meydaOf(mix).spectralCrest.mean },
    { name: 'mix.meyda.perceptualSharpnessMean', unit: 'acum-like', min: 0, max: 2, read: ({ mix }) => meydaOf(mix).perceptualSharpness.mean },
    { name: 'mix.meyda.perceptualSpreadMean', unit: 'ratio', min: 0, max: 1, read: ({ mix }) => meydaOf(mix).perceptualSpread.mean },
    { name: 'mix.meyda.zcrLog2PerSecond', unit: 'log2 1/s', min: 6, max: 14, read: ({ mix }) => Math.log2(Math.max(1, meydaOf(mix).zcrPerSecond.mean)) },
    {
      name: 'mix.meyda.totalLoudnessVariation', unit: 'ratio', min: 0, max: 1.5,
      read: ({ mix }) => meydaOf(mix).totalLoudnessStats.std / Math.max(1e-9, meydaOf(mix).totalLoudnessStats.mean),
    },
  ]
  // No MFCCs: Meyda's are DCTs of ln(1 + band power), which follow the mix's level, and that is arbitrary.
  return list
}

/** The ordered input features (built once). */
export const FEATURES: readonly FeatureDefinition[] = (() => {
  const shared = sharedDescriptors()
  const list: FeatureDefinition[] = []
  for (const d of shared) list.push({ name: `mix.${d.name}`, unit: d.unit, min: d.min, max: d.max, read: ({ mixProfile }) => d.of(mixProfile) })
  for (const d of shared) list.push({ name: `target.${d.name}`, unit: d.unit, min: d.min, max: d.max, read: ({ target }) => d.of(target) })
  for (const d of shared) {
    const span = d.max - d.min
    list.push({ name: `diff.${d.name}`, unit: d.unit, min: -span / 2, max: span / 2, read: ({ mixProfile, target }) => d.of(target) - d.of(mixProfile) })
  }
  list.push(
    { name: 'target.integratedLufs', unit: 'LUFS', min: -40, max: 0, read: ({ target }) => finite(target.integratedLufs, -40) },
    { name: 'target.truePeakDbtp', unit: 'dBTP', min: -20, max: 3, read: ({ target }) => finite(target.truePeakDbtp, -20) },
  )
  list.push(...meydaFeatures())
  return list
})()

/** What the stage features read: the levels the chain delivers to its loudness stage, and the two profiles. */
export interface StageFeatureSources {
  /** The loudness stage's input (src/chain/loudness-match.ts reads the same levels). */
  stageInput: LevelSummary
  mixProfile: TargetProfile
  target: TargetProfile
  /** What the analytic loudness match aims at for it (the stage outputs correct it), under `ceilingDbtp`. */
  match: LoudnessMatch
  ceilingDbtp: number
  /** How far the reference's sound is trusted (src/chain/reference-trust.ts): it sets the match's hedges. */
  referenceTrust: number
}

/** A stage feature and how to read it. */
export interface StageFeatureDefinition extends FeatureSpec {
  read: (sources: StageFeatureSources) => number
}

/**
 * The stage features, in order: what the loudness match (src/chain/loudness-match.ts) reads from the
 * chain, known only once the stages before the loudness stage have run, and where the analytic match aims
 * with it. The loudness outputs, which the match reads, are predicted from them too (./schema.ts,
 * `readsStageInput`); the other outputs decide those stages and cannot read them. All are
 * level-independent: the match reads the input's PLR alone (its loudness is the mix's arbitrary level
 * plus the gains of the stages). Held-out mrstft / d_plr better than the analytic path, seeds 1 and 2:
 * without stage features 8.2 / 16.5 % and 5.5 / 20.8 %; the three stage.* alone 8.2 / 21.4 % and
 * 5.2 / 17.6 %; with the match.* ones 8.6 / 26.5 % and 8.0 / 26.5 %.
 */
export const STAGE_FEATURES: readonly StageFeatureDefinition[] = [
  // the PLR the match hedges with the reference's
  { name: 'stage.plrDb', unit: 'dB', min: 0, max: 30, read: ({ stageInput }) => finite(stageInput.plrDb, 15) },
  // what the stages before the loudness stage did to the mix's PLR (compression lowers it)
  { name: 'stage.plrMinusMixDb', unit: 'dB', min: -10, max: 10, read: ({ stageInput, mixProfile }) => finite(stageInput.plrDb - mixProfile.plrDb, 0) },
  // how far it stands from the target's
  { name: 'stage.plrMinusTargetDb', unit: 'dB', min: -15, max: 15, read: ({ stageInput, target }) => finite(stageInput.plrDb - target.plrDb, 0) },
  // where the analytic match aims, against the target's levels and the ceiling (its kink: the peaks meet it)
  { name: 'match.targetMinusTargetLu', unit: 'LU', min: -15, max: 15, read: ({ match, target }) => finite(match.targetLufs - target.integratedLufs, 0) },
  { name: 'match.plrMinusTargetDb', unit: 'dB', min: -15, max: 15, read: ({ match, target }) => finite(match.plrDb - target.plrDb, 0) },
  { name: 'match.peakBelowCeilingDb', unit: 'dB', min: 0, max: 10, read: ({ match, ceilingDbtp }) => finite(ceilingDbtp - match.peakDbtp, 0) },
  { name: 'match.referenceTrust', unit: 'ratio', min: 0, max: 1, read: ({ referenceTrust }) => referenceTrust },
]
