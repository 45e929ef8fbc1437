import type { Audio } from '../../audio/audio.js'
import { frameCount } from '../../audio/audio.js'
import { gainToDb, powerToDb } from '../../units/db.js'
import { accumulateKWeightedEnergy, type SampleGain } from './k-weighting.js'
import { peaksOf } from './true-peak.js'
import type { LoudnessMeasurement } from './types.js'

/** Loudness offset of BS.1770-4 eq. (2): L = -0.691 + 10 log10(sum G_i z_i). */
export const LOUDNESS_OFFSET_DB = -0.691
/** Absolute gate, BS.1770-4 section 2.8 (and EBU Tech 3342 for LRA). */
export const ABSOLUTE_GATE_LUFS = -70
/** Relative gate for integrated loudness, BS.1770-4 section 2.8 (and EBU R128 since 2011). */
export const INTEGRATED_RELATIVE_GATE_LU = -10
/** Relative gate for loudness range, EBU Tech 3342 section 3. */
export const LRA_RELATIVE_GATE_LU = -20
/** Percentiles of the gated short-term distribution that bound the loudness range, EBU Tech 3342. */
export const LRA_LOW_PERCENTILE = 0.1
export const LRA_HIGH_PERCENTILE = 0.95
/** Momentary window (EBU Tech 3341 2.1, BS.1770-4 2.8 gating block) and short-term window (Tech 3341 2.1). */
export const MOMENTARY_WINDOW_SECONDS = 0.4
export const SHORT_TERM_WINDOW_SECONDS = 3
/** Step between gating blocks: 75 % overlap of 400 ms blocks (BS.1770-4 2.8); also the series' step. */
export const BLOCK_STEP_SECONDS = 0.1
/**
 * Resolution of the energy bookkeeping. Blocks for gating and LRA start every 100 ms as the standards
 * require; the maxima of momentary and short-term loudness are searched every 10 ms so that a short
 * burst is not under-read because a 100 ms grid straddles it (Tech 3341 asks for at least 10 Hz).
 */
const TICK_SECONDS = 0.01
const TICKS_PER_STEP = Math.round(BLOCK_STEP_SECONDS / TICK_SECONDS)
const TICKS_PER_MOMENTARY = Math.round(MOMENTARY_WINDOW_SECONDS / TICK_SECONDS)
const TICKS_PER_SHORT_TERM = Math.round(SHORT_TERM_WINDOW_SECONDS / TICK_SECONDS)

/** Loudness in LUFS of a mean-square channel sum. */
function loudnessOf(meanSquare: number): number {
  return LOUDNESS_OFFSET_DB + powerToDb(meanSquare)
}

/** Sample index where tick i starts (ticks are 10 ms; boundaries rounded for rates not divisible by 100). */
function tickBoundaries(frames: number, sampleRateHz: number): Int32Array {
  const ticks = Math.floor(frames / (sampleRateHz * TICK_SECONDS))
  const boundaries = new Int32Array(ticks + 1)
  for (let i = 0; i <= ticks; i++) boundaries[i] = Math.round(i * sampleRateHz * TICK_SECONDS)
  return boundaries
}

/** Mean square over windows of `windowTicks` ticks starting every `stepTicks` ticks (complete windows only). */
function windowMeanSquares(prefix: Float64Array, boundaries: Int32Array, windowTicks: number, stepTicks: number): Float64Array {
  const ticks = boundaries.length - 1
  const count = ticks >= windowTicks ? Math.floor((ticks - windowTicks) / stepTicks) + 1 : 0
  const result = new Float64Array(count)
  for (let j = 0; j < count; j++) {
    const first = j * stepTicks
    const last = first + windowTicks
    result[j] = (prefix[last] - prefix[first]) / (boundaries[last] - boundaries[first])
  }
  return result
}

function maxLoudness(meanSquares: Float64Array): number {
  let max = 0
  for (let j = 0; j < meanSquares.length; j++) if (meanSquares[j] > max) max = meanSquares[j]
  return loudnessOf(max)
}

/** Power mean of the blocks above `gateLufs`, with their count. */
function gatedMean(meanSquares: Float64Array, gateLufs: number): { meanSquare: number; count: number } {
  const gateMeanSquare = Math.pow(10, (gateLufs - LOUDNESS_OFFSET_DB) / 10)
  let sum = 0
  let count = 0
  for (let j = 0; j < meanSquares.length; j++) {
    // The gate is exclusive: a block must exceed it (BS.1770-4 eq. 5 and 6 use "> Gamma").
    if (meanSquares[j] > gateMeanSquare) {
      sum += meanSquares[j]
      count++
    }
  }
  return { meanSquare: count > 0 ? sum / count : 0, count }
}

/** Integrated loudness of gating blocks (BS.1770-4 section 2.8): absolute then relative gate. */
export function integratedFromBlocks(blockMeanSquares: Float64Array): number {
  const absolute = gatedMean(blockMeanSquares, ABSOLUTE_GATE_LUFS)
  if (absolute.count === 0) return -Infinity
  const relativeGateLufs = loudnessOf(absolute.meanSquare) + INTEGRATED_RELATIVE_GATE_LU
  return loudnessOf(gatedMean(blockMeanSquares, relativeGateLufs).meanSquare)
}

/**
 * Index into `count` ascending values of percentile `p`: the value at which the count of values up to
 * and including it first reaches round(p * count), the nearest-rank definition that ffmpeg's ebur128
 * filter uses (and with it the evaluation protocol's d_lra). libebur128 rounds (count - 1) * p instead;
 * the two differ by one rank, which matters only where the distribution has a gap.
 */
export function percentileIndex(count: number, p: number): number {
  const rank = roundHalfEven(p * count)
  return Math.min(count - 1, Math.max(0, rank - 1))
}

/** Rounds to the nearest integer, ties to even (C's lrint in the default rounding mode). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const fraction = x - floor
  if (fraction > 0.5) return floor + 1
  if (fraction < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/**
 * Loudness range of short-term blocks (EBU Tech 3342 section 3): absolute gate, relative gate 20 LU
 * below their power mean, then P95 - P10 of the remaining levels. NaN when no block passes.
 */
export function loudnessRangeFromShortTerm(shortTermMeanSquares: Float64Array): { rangeLu: number; lowLufs: number; highLufs: number } {
  const none = { rangeLu: Number.NaN, lowLufs: Number.NaN, highLufs: Number.NaN }
  const absolute = gatedMean(shortTermMeanSquares, ABSOLUTE_GATE_LUFS)
  if (absolute.count === 0) return none
  const relativeGateLufs = loudnessOf(absolute.meanSquare) + LRA_RELATIVE_GATE_LU
  const gateMeanSquare = Math.pow(10, (Math.max(relativeGateLufs, ABSOLUTE_GATE_LUFS) - LOUDNESS_OFFSET_DB) / 10)
  const levels: number[] = []
  for (const z of shortTermMeanSquares) if (z > gateMeanSquare) levels.push(loudnessOf(z))
  if (levels.length === 0) return none
  levels.sort((a, b) => a - b)
  const at = (p: number) => levels[percentileIndex(levels.length, p)]
  const lowLufs = at(LRA_LOW_PERCENTILE)
  const highLufs = at(LRA_HIGH_PERCENTILE)
  return { rangeLu: highLufs - lowLufs, lowLufs, highLufs }
}

/** K-weighted energy of each 10 ms tick, summed over the channels, and where the ticks start (samples). */
export interface TickEnergies {
  boundaries: Int32Array
  energy: Float64Array
}

/** The meter's first pass over `audio` (optionally gained, see `SampleGain`): K-weighted energy per tick. */
export function kWeightedTicks(audio: Audio, gain?: SampleGain): TickEnergies {
  const boundaries = tickBoundaries(frameCount(audio), audio.sampleRateHz)
  const energy = new Float64Array(boundaries.length - 1)
  accumulateKWeightedEnergy(audio.channels, audio.sampleRateHz, boundaries, energy, gain)
  return { boundaries, energy }
}

/**
 * K-weighted energy at a finer resolution than the ticks: each tick split into chunks of at most
 * `chunkFrames` frames. `ticks` holds the same tick energies as `kWeightedTicks` (each the sum of its
 * chunks; float64, so within rounding of the one-pass sums).
 */
export interface ChunkEnergies {
  ticks: TickEnergies
  /** Where each chunk starts (samples); the last entry is where the last tick ends. */
  chunkBoundaries: Int32Array
  chunkEnergy: Float64Array
  /** Index of tick i's first chunk; entry `ticks` is the chunk count. */
  tickFirstChunk: Int32Array
}

/** `kWeightedTicks` of `audio` by chunks of at most `chunkFrames` frames (`ChunkEnergies`). */
export function kWeightedChunks(audio: Audio, chunkFrames: number): ChunkEnergies {
  const boundaries = tickBoundaries(frameCount(audio), audio.sampleRateHz)
  const ticks = boundaries.length - 1
  const tickFirstChunk = new Int32Array(ticks + 1)
  for (let i = 0; i < ticks; i++) tickFirstChunk[i + 1] = tickFirstChunk[i] + Math.ceil((boundaries[i + 1] - boundaries[i]) / chunkFrames)
  const chunks = tickFirstChunk[ticks]
  const chunkBoundaries = new Int32Array(chunks + 1)
  for (let i = 0; i < ticks; i++) for (let j = tickFirstChunk[i], at = boundaries[i]; j < tickFirstChunk[i + 1]; j++, at += chunkFrames) chunkBoundaries[j] = at
  chunkBoundaries[chunks] = boundaries[ticks]
  const chunkEnergy = new Float64Array(chunks)
  accumulateKWeightedEnergy(audio.channels, audio.sampleRateHz, chunkBoundaries, chunkEnergy)
  const energy = new Float64Array(ticks)
  for (let i = 0; i < ticks; i++) for (let j = tickFirstChunk[i]; j < tickFirstChunk[i + 1]; j++) energy[i] += chunkEnergy[j]
  return { ticks: { boundaries, energy }, chunkBoundaries, chunkEnergy, tickFirstChunk }
}

/** The loudness levels of a measurement (everything but the peaks), from the tick energies. */
export type LoudnessLevels = Omit<LoudnessMeasurement, 'truePeakDbtp' | 'samplePeakDbfs' | 'channelTruePeakDbtp'>

/** Integrated, momentary and short-term loudness and the loudness range from the tick energies. */
export function loudnessFromTicks({ boundaries, energy }: TickEnergies): LoudnessLevels {
  const ticks = energy.length
  const prefix = new Float64Array(ticks + 1)
  for (let i = 0; i < ticks; i++) prefix[i + 1] = prefix[i] + energy[i]
  const momentaryBlocks = windowMeanSquares(prefix, boundaries, TICKS_PER_MOMENTARY, TICKS_PER_STEP)
  const shortTermBlocks = windowMeanSquares(prefix, boundaries, TICKS_PER_SHORT_TERM, TICKS_PER_STEP)
  const range = loudnessRangeFromShortTerm(shortTermBlocks)
  return {
    integratedLufs: integratedFromBlocks(momentaryBlocks),
    momentaryMaxLufs: maxLoudness(windowMeanSquares(prefix, boundaries, TICKS_PER_MOMENTARY, 1)),
    shortTermMaxLufs: maxLoudness(windowMeanSquares(prefix, boundaries, TICKS_PER_SHORT_TERM, 1)),
    loudnessRangeLu: range.rangeLu,
    loudnessRangeLowLufs: range.lowLufs,
    loudnessRangeHighLufs: range.highLufs,
    shortTermLufs: shortTermBlocks.map(loudnessOf),
    momentaryLufs: momentaryBlocks.map(loudnessOf),
  }
}

/**
 * Measures `audio` per ITU-R BS.1770-4 and EBU Tech 3341/3342: integrated, momentary and short-term
 * loudness, loudness range, true peak and sample peak. Channel weights are 1 (mono or left/right).
 * `ticks`, when the caller has them (`kWeightedTicks` of this same audio), save the K-weighting pass, and
 * `peaks` (`peaksOf` of each channel) the true-peak pass.
 */
export function measureLoudness(audio: Audio, ticks: TickEnergies = kWeightedTicks(audio), peaks = audio.channels.map((channel) => peaksOf(channel))): LoudnessMeasurement {
  const channelSamplePeaks = peaks.map((p) => p.samplePeak)
  const channelPeaks = peaks.map((p) => p.truePeak)
  return {
    ...loudnessFromTicks(ticks),
    truePeakDbtp: gainToDb(Math.max(0, ...channelPeaks)),
    samplePeakDbfs: gainToDb(Math.max(0, ...channelSamplePeaks)),
    channelTruePeakDbtp: channelPeaks.map(gainToDb),
  }
}
