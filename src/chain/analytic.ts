import type { BandDynamics } from '../analysis/band-dynamics.js'
import type { TrackAnalysis } from '../analysis/track-analysis.js'
import { LEVELER_PARAMS, type LevelerParams } from '../dsp/leveler.js'
import { COMPRESSOR_BAND_PARAMS, staticGainDb, type CompressorBandParams } from '../dsp/multiband-compressor.js'
import { clampToRange, neutralParams } from '../dsp/params.js'
import { SIDE_BAND_PARAMS } from '../dsp/stereo-width.js'
import { interpolateCurveDb, type EqCurve } from '../dsp/matching-eq.js'
import type { SpectrumCurve } from '../analysis/spectrum/ltas.js'
import { dbToPower, powerToDb } from '../units/db.js'
import { lerp } from '../units/lerp.js'
import { DYNAMICS_CROSSOVERS_HZ } from '../analysis/spectrum/frequency-bands.js'
import { eqReasons, type Reason } from '../report/reasons.js'
import { EQ_MATCH_DEFAULTS, matchingEqCurve } from './analytic-eq.js'
import type { PlaybackTarget } from './playback-targets.js'
import { neutralChainSettings, type ChainSettings } from './settings.js'
import type { Strengths } from './strengths.js'
import { profileOf, type TargetProfile } from './target-profile.js'
import { referenceTrust } from './reference-trust.js'

/**
 * The analytic path (DESIGN.md "The model": the baseline the model must beat): chain settings computed
 * directly from the mix's analysis and the target profile, scaled by the user's strengths.
 */
export const ANALYTIC_DEFAULTS = {
  /** A band whose short-term range exceeds the target's by less than this is left alone (dB). */
  minRangeExcessDb: 1,
  /** Most compression ratio the matcher asks for. */
  maxRatio: 4,
  /** Share of the side/mid difference that the width stage applies at strength 1. */
  widthTrust: 0.8,
  /**
   * Share of each band's own side/mid difference, beyond the whole track's, that is followed: per-band
   * stereo statistics of another section vary a lot (a wide pad in one, a mono lead in the other), the
   * whole-track ratio much less.
   */
  bandWidthShare: 0.3,
  /**
   * Share of the range-matching compression ratio applied at strength 1 (the limiter adds density too).
   * Dev set, 40 excerpts, 0.3 -> 0.15: tonal-balance error 1.230 -> 1.187 (match) and 3.79 -> 3.74
   * (cross), PLR unchanged, loudness range 0.798 -> 0.803 LU (match): the compressor's band gains tilt
   * the tonal balance more than they help the dynamics. With the bands' levels kept (make-up, below),
   * protocol, match mrstft / tbe / d_lra, cross tbe / d_plr: 0.15 0.465 / 1.189 / 0.647, 2.279 / 1.187;
   * 0.3 0.471 / 1.194 / 0.670, 2.329 / 1.147; 0.5 0.479 / 1.201 / 0.695, 2.377 / 1.106.
   */
  compressionTrust: 0.15,
  /**
   * Largest width change followed (dB of side): a mix's width is rarely off by more, while whole
   * sections of music differ by far more (a wide chorus after a narrow verse).
   */
  maxWidthChangeDb: 4,
  /** Share of the side/mid difference followed for a reference of other music (reference-trust.ts): its width is the goal. */
  otherMusicWidthTrust: 1,
  /**
   * Share of each band's own side/mid difference followed for a reference of other music: none. Its
   * band-by-band image belongs to other instruments; dev set, cross task, side/mid error 0.98 -> 0.86 dB
   * (0.3 -> 0).
   */
  otherMusicBandWidthShare: 0,
  /** Largest width change followed for a reference of other music (dB of side): within a genre, widths differ by up to ~15 dB (dev set). */
  otherMusicMaxWidthChangeDb: 15,
  /** Side/mid differences smaller than this are left alone (dB). */
  minWidthChangeDb: 0.5,
  /** A peak detector reads a band's envelope about this far above its RMS level (a sine's crest, dB). */
  peakOverRmsDb: 3,
  /** Attack and release per band (low to high), common mastering settings: slower for the low end. */
  attackMs: [30, 20, 10, 5],
  releaseMs: [250, 200, 150, 100],
  kneeDb: 6,
  /**
   * Corner of the subsonic high-pass and DC removal when matching a reference (Hz; 0 = off). Off: the
   * reference carries its own DC offset and infrasonic content (many masters do; on the dev set it is up to
   * two thirds of some goals' mid energy), and removing the mix's moves its side/mid energy ratio far from
   * the reference's (ambient-08: -14.5 dB to -3.6 dB) for no gain in the audible bands.
   */
  subsonicCutoffHz: 0,
  /**
   * Most ratio of the leveler (../dsp/leveler.ts) at dynamics strength 1. It is the ratio of the mix's
   * loudness range to the target's, up to this: an un-mastered mix is about 1.15-1.6 times as dynamic as
   * its master (the evaluation protocol's model of un-mastering, ../shared/eval/degrade.py: an expander
   * of that ratio), and a range ratio read against another section of music overshoots often (dev set:
   * correlation 0.24 with the true expansion), so the cap is a typical value, not the largest.
   */
  levelerMaxRatio: 1.25,
  /** Loudness ranges below this are read as this (LU): a near-constant target does not ask for heavy leveling. */
  levelerMinRangeLu: 1,
}

/** Names of the dynamics bands, low to high (for reasons in words). */
export const BAND_NAMES = ['low', 'low-mid', 'high-mid', 'high']

/** `value` limited to +-`limit`. */
const clamp = (value: number, limit: number) => Math.min(limit, Math.max(-limit, value))

/**
 * Change of the side/mid energy ratio (dB) that the matching EQ `curve` at `strength` makes on a track
 * with the long-term spectrum `spectrum`. Its levels are band powers (bandPowers sums the bins of each band),
 * so a band's energy is its level: no bandwidth weighting.
 */
export function eqSideMidChangeDb(spectrum: SpectrumCurve, curve: EqCurve, strength: number): number {
  const energyGainDb = (levelsDb: number[], curveDb: number[]) => {
    let before = 0
    let after = 0
    spectrum.frequenciesHz.forEach((hz, i) => {
      const energy = dbToPower(levelsDb[i])
      before += energy
      after += energy * dbToPower(strength * interpolateCurveDb(curve.frequenciesHz, curveDb, hz))
    })
    return before > 0 ? powerToDb(after / before) : 0
  }
  return energyGainDb(spectrum.sideDb, curve.sideDb) - energyGainDb(spectrum.midDb, curve.midDb)
}

/**
 * The leveler: where the mix's loudness range exceeds the target's, the ratio of the two (up to
 * `levelerMaxRatio`), scaled by the dynamics strength, around a pivot halfway between the mix's loudness
 * and its true peak (where the peak envelope of its body sits; the loudness stage sets the level after).
 */
export function levelerSettings(mix: TrackAnalysis, target: TargetProfile, dynamicsStrength: number, targetName: string, reasons: Reason[]): LevelerParams {
  const d = ANALYTIC_DEFAULTS
  const { loudnessRangeLu, integratedLufs, truePeakDbtp } = mix.loudness
  const rangeRatio = Math.max(d.levelerMinRangeLu, loudnessRangeLu) / Math.max(d.levelerMinRangeLu, target.loudnessRangeLu)
  const ratio = 1 + (Math.min(d.levelerMaxRatio, Math.max(1, rangeRatio)) - 1) * dynamicsStrength
  const pivotDb = clampToRange(LEVELER_PARAMS.pivotDb, (integratedLufs + truePeakDbtp) / 2)
  if (ratio > 1) {
    reasons.push({ stage: 'dynamics', text: `level the whole mix ${ratio.toFixed(2)}:1 around ${pivotDb.toFixed(0)} dBFS: its loudness range is ${loudnessRangeLu.toFixed(1)} LU against ${target.loudnessRangeLu.toFixed(1)} LU in ${targetName}` })
  }
  return { ...neutralParams(LEVELER_PARAMS), ratio, pivotDb }
}

/**
 * The compressor settings of band `b` (of the mix's `band` dynamics) at `ratio`: the threshold at the
 * band's P10 as the peak detector reads it (levels above it shrink by 1 - 1/ratio, so the P95 - P10 range
 * shrinks by about the ratio), common mastering time constants, and as make-up what the compressor takes
 * at the band's mean level (which the detector reads about peakOverRmsDb above it): the band's dynamics
 * change, not its level, and the tonal balance stays. Protocol, make-up without / with: dev set match tbe
 * 1.221 / 1.189, side/mid 0.862 / 0.844, d_plr 1.211 / 1.194, mrstft 0.471 / 0.465, d_lufs 1.311 / 1.319;
 * cross tbe 2.343 / 2.279; the 4 whole tracks of full/: tbe 1.729 / 1.300 (identity 1.394), mrstft 0.423
 * / 0.384. The settings model's compression ratios go through here too (src/model/predict.ts).
 */
export function compressedBand(band: BandDynamics, b: number, ratio: number): CompressorBandParams {
  const d = ANALYTIC_DEFAULTS
  const thresholdDb = clampToRange(COMPRESSOR_BAND_PARAMS.thresholdDb, band.shortTermP10Db + d.peakOverRmsDb)
  const compressed = { thresholdDb, ratio, attackMs: d.attackMs[b], releaseMs: d.releaseMs[b], kneeDb: d.kneeDb, makeupDb: 0 }
  return { ...compressed, makeupDb: clampToRange(COMPRESSOR_BAND_PARAMS.makeupDb, -staticGainDb(band.levelDb + d.peakOverRmsDb, compressed)) }
}

/** What the analytic matcher decided, with its reasons. */
export interface AnalyticSettings {
  settings: ChainSettings
  reasons: Reason[]
  /** How far the target's sound was trusted (reference-trust.ts): 0 the same music as the mix, 1 other music. */
  referenceTrust: number
}

/**
 * Settings that move the mix toward `target`: matching EQ from the loud-part spectra, per-band
 * compression where the mix's short-term band range exceeds the target's, per-band side gain toward the
 * target's side/mid ratio, and the loudness target with its ceiling.
 */
export function analyticSettings(
  mix: TrackAnalysis,
  target: TargetProfile,
  targetName: string,
  playback: PlaybackTarget,
  strengths: Strengths,
  targetLufs: number,
): AnalyticSettings {
  const d = ANALYTIC_DEFAULTS
  const eqStrength = strengths.eq * strengths.intensity
  const dynamicsStrength = strengths.dynamics * strengths.intensity
  const widthStrength = strengths.width * strengths.intensity
  const settings = neutralChainSettings(targetLufs, playback.truePeakCeilingDbtp)
  const reasons: Reason[] = []

  settings.subsonic = { cutoffHz: d.subsonicCutoffHz }
  const trust = referenceTrust(profileOf(mix), target)
  const curve = matchingEqCurve(mix.spectrum.fine, target.fine, trust, EQ_MATCH_DEFAULTS, target.spectrumTopHz)
  settings.matchingEq = { strength: eqStrength, curve }
  reasons.push(...eqReasons(curve, eqStrength, targetName))

  settings.leveler = levelerSettings(mix, target, dynamicsStrength, targetName, reasons)

  const bands: CompressorBandParams[] = mix.bands.map((band, b) => {
    const excessDb = band.shortTermRangeDb - target.bands[b].shortTermRangeDb
    if (!(excessDb > d.minRangeExcessDb) || dynamicsStrength === 0) return neutralParams(COMPRESSOR_BAND_PARAMS)
    const fullRatio = Math.min(d.maxRatio, band.shortTermRangeDb / Math.max(1, target.bands[b].shortTermRangeDb))
    const ratio = 1 + (fullRatio - 1) * d.compressionTrust * dynamicsStrength
    const compressed = compressedBand(band, b, ratio)
    reasons.push({
      stage: 'dynamics',
      text: `compress the ${BAND_NAMES[b]} band (${Math.round(band.lowHz)}-${Math.round(band.highHz)} Hz) ${ratio.toFixed(1)}:1 above ${compressed.thresholdDb.toFixed(0)} dBFS: its short-term range is ${band.shortTermRangeDb.toFixed(1)} dB against ${target.bands[b].shortTermRangeDb.toFixed(1)} dB in ${targetName}`,
    })
    return compressed
  })
  settings.compressor = { crossoversHz: [...DYNAMICS_CROSSOVERS_HZ], bands }

  const isStereo = mix.channelCount === 2
  const widthTrust = lerp(d.widthTrust, d.otherMusicWidthTrust, trust) * widthStrength
  const maxWidthChangeDb = lerp(d.maxWidthChangeDb, d.otherMusicMaxWidthChangeDb, trust)
  const bandWidthShare = lerp(d.bandWidthShare, d.otherMusicBandWidthShare, trust)
  const overallDb = target.stereo.sideMidDb - mix.stereo.sideMidDb
  // The matching EQ moves side and mid energy by different amounts (its curves are level-free on a
  // log-frequency grid, not in energy): the width stage makes up for it. Dev set (simulated), side/mid
  // error match / cross: 0.835 / 0.822 dB without, 0.827 / 0.645 dB with; with the band levels read as
  // the band powers they are (no longer weighted by frequency) and full EQ trust for other music,
  // 0.818 / 0.433 dB (0.799 / 0.917 dB weighted).
  const eqSideMidDb = isStereo ? eqSideMidChangeDb(mix.spectrum.fine, curve, eqStrength) : 0
  const overallChangeDb = clamp(overallDb * widthTrust, maxWidthChangeDb) - eqSideMidDb
  // The width stage's side gain has a range; a larger overall change goes on as a level of the side EQ curve.
  const stageChangeDb = clampToRange(SIDE_BAND_PARAMS.sideGainDb, overallChangeDb)
  const sideOffsetDb = isStereo ? overallChangeDb - stageChangeDb : 0
  if (sideOffsetDb !== 0) {
    // the matching EQ scales its curve by its strength: the offset is divided by it (EQ strength 0: the offset alone)
    if (eqStrength > 0) curve.sideDb = curve.sideDb.map((db) => db + sideOffsetDb / eqStrength)
    else settings.matchingEq = { strength: 1, curve: { ...curve, midDb: curve.midDb.map(() => 0), sideDb: curve.sideDb.map(() => sideOffsetDb) } }
    reasons.push({ stage: 'width', text: `${sideOffsetDb > 0 ? 'raise' : 'lower'} the side by a further ${Math.abs(sideOffsetDb).toFixed(1)} dB through the matching EQ: the mix's side/mid ratio is ${mix.stereo.sideMidDb.toFixed(1)} dB against ${target.stereo.sideMidDb.toFixed(1)} dB in ${targetName}` })
  }
  settings.width = {
    monoBelowHz: playback.monoBelowHz ?? 20,
    crossoversHz: [...DYNAMICS_CROSSOVERS_HZ],
    bands: mix.bands.map((band, b) => {
      const bandDb = target.bands[b].sideMidDb - band.sideMidDb
      const changeDb = stageChangeDb + bandWidthShare * (bandDb - overallDb) * widthTrust
      if (!isStereo || Math.abs(changeDb) < d.minWidthChangeDb) return { sideGainDb: 0 }
      const sideGainDb = clampToRange(SIDE_BAND_PARAMS.sideGainDb, clamp(changeDb, maxWidthChangeDb))
      reasons.push({
        stage: 'width',
        text: `${sideGainDb > 0 ? 'widen' : 'narrow'} the ${BAND_NAMES[b]} band by ${Math.abs(sideGainDb).toFixed(1)} dB of side: the mix's side/mid ratio is ${mix.stereo.sideMidDb.toFixed(1)} dB overall (${band.sideMidDb.toFixed(1)} dB in this band) against ${target.stereo.sideMidDb.toFixed(1)} dB (${target.bands[b].sideMidDb.toFixed(1)} dB) in ${targetName}`,
      })
      return { sideGainDb }
    }),
  }
  if (playback.monoBelowHz) reasons.push({ stage: 'width', text: `mono below ${playback.monoBelowHz} Hz for ${playback.label} systems` })
  return { settings, reasons, referenceTrust: trust }
}
