/**
 * One self-supervised training example (DESIGN.md "The model"): from one track, cut sections A and B
 * anywhere in it; draw mastering settings S; reference = chain(B, S) with the loudness stage's gain
 * found on B, goal = chain(A, S) with the same gain (one master of the whole track, so the two sections
 * keep their loudness difference); mix = un-mastered A. Features read (mix, reference); labels are the
 * oracle settings (./labels.ts) relative to the analytic settings. Deterministic for (track, seed, draw).
 */
import { crc32 } from 'node:zlib'
import { basename } from 'node:path'
import type { Audio } from '../src/audio/audio.js'
import { decodeFile } from '../src/audio/decode.js'
import { resample } from '../src/audio/resample.js'
import { bandDynamics } from '../src/analysis/band-dynamics.js'
import { analyzeTrack, type TrackAnalysis } from '../src/analysis/track-analysis.js'
import { playbackTarget } from '../src/chain/playback-targets.js'
import type { ChainSettings } from '../src/chain/settings.js'
import { resolveStrengths } from '../src/chain/strengths.js'
import type { TargetProfile } from '../src/chain/target-profile.js'
import { applyMultibandCompressor } from '../src/dsp/multiband-compressor.js'
import { applySaturation } from '../src/dsp/saturation.js'
import { applyStereoWidth } from '../src/dsp/stereo-width.js'
import { applyTonalEq } from '../src/dsp/tonal-eq.js'
import { fitLoudness } from '../src/dsp/loudness-target.js'
import { limitTruePeak } from '../src/dsp/true-peak-limiter.js'
import { matchSettings } from '../src/master.js'
import { seededRandom } from '../src/model/network.js'
import { encodeFeatures, encodeOutputs, encodeStageFeatures } from '../src/model/schema.js'
import { oracleSettings } from './labels.js'
import { profileOfAudio } from './profile.js'
import { drawMastering } from './random-mastering.js'
import { measureStageInput, stageSettingsKey, type StageInput } from './stage-input.js'
import { drawUnmastering, unmaster } from './unmaster.js'

/** Training audio is brought to this rate (the built-in library's and the evaluation protocol's). */
export const TRAINING_SAMPLE_RATE_HZ = 44100
/** Playback target of the examples: match the reference's loudness under -1 dBTP (the protocol's case). */
export const TRAINING_PLAYBACK = 'reference'

/** One example's identity. */
export interface SynthesisTask {
  trackPath: string
  seed: number
  draw: number
  segmentSeconds: number
}

/**
 * One example as analyses (what the cache keeps): the mix's analysis (without its loudness curves), the
 * reference's and the goal's profiles. Features and labels are computed from these in milliseconds
 * (`exampleRows`), so a change of the schema or the labels needs no new audio.
 */
export interface ExampleAnalyses {
  track: string
  draw: number
  identity: boolean
  mix: TrackAnalysis
  reference: TargetProfile
  goal: TargetProfile
  /** What the chain delivers to the loudness stage with the analytic settings (./stage-input.ts). */
  stageInput: StageInput
}

/** An example's input and label vectors (schema order). */
export interface Example {
  features: number[]
  /** The stage features: what the analytic settings deliver to the loudness stage (./stage-input.ts). */
  stageFeatures: number[]
  labels: number[]
}

/** What an evaluation needs beyond the analyses: the signals. */
export interface SynthesisedExample extends ExampleAnalyses {
  mixAudio: Audio
  goalAudio: Audio
}

/** The analytic settings for an example (the base the model's outputs are written on). */
export function baseSettings(example: Pick<ExampleAnalyses, 'mix' | 'reference'>): ChainSettings {
  return matchSettings(example.mix, example.reference, 'the reference', playbackTarget(TRAINING_PLAYBACK), resolveStrengths({}), example.reference.integratedLufs).settings
}

/** Features (mix, reference), stage features and labels (the oracle settings relative to the analytic ones). */
export function exampleRows(example: ExampleAnalyses): Example {
  const base = baseSettings(example)
  const label = oracleSettings(example.mix, example.goal, base, playbackTarget(TRAINING_PLAYBACK), example.stageInput)
  return {
    features: Array.from(encodeFeatures(example.mix, example.reference)),
    stageFeatures: Array.from(encodeStageFeatures(example.stageInput, example.mix, example.reference, base)),
    labels: Array.from(encodeOutputs(label, base)),
  }
}

/** Whether a cached example's loudness-stage levels were measured for today's analytic settings. */
export function isCurrent(example: ExampleAnalyses): boolean {
  return example.stageInput?.settingsKey === stageSettingsKey(baseSettings(example))
}

const decoded = new Map<string, Promise<Audio>>()

/** The track at the training rate, stereo (decoded once per thread). */
function loadTrack(path: string): Promise<Audio> {
  let audio = decoded.get(path)
  if (!audio) {
    audio = decodeFile(path).then((a) => {
      const stereo = a.channels.length === 2 ? a : { sampleRateHz: a.sampleRateHz, channels: [a.channels[0], a.channels[0].slice()] }
      return stereo.sampleRateHz === TRAINING_SAMPLE_RATE_HZ ? stereo : resample(stereo, TRAINING_SAMPLE_RATE_HZ)
    })
    decoded.set(path, audio)
  }
  return audio
}

function section(audio: Audio, start: number, length: number): Audio {
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((c) => c.slice(start, start + length)) }
}

/** Starts of A and B: anywhere in the track, not overlapping (overlapping only if the track is too short). */
function sectionStarts(random: () => number, frames: number, length: number): { a: number; b: number } {
  const last = Math.max(0, frames - length)
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = Math.floor(random() * (last + 1))
    const b = Math.floor(random() * (last + 1))
    if (Math.abs(a - b) >= length) return { a, b }
  }
  return { a: 0, b: last }
}

/** S applied before the loudness stage (the stages drawMastering uses). */
function preLimiter(audio: Audio, s: ChainSettings): Audio {
  let out = applyTonalEq(audio, s.tonalEq)
  if (s.compressor.bands.some((b) => b.ratio > 1)) out = applyMultibandCompressor(out, s.compressor)
  if (s.width.bands.some((b) => b.sideGainDb !== 0)) out = applyStereoWidth(out, s.width)
  if (s.saturation.mix > 0) out = applySaturation(out, s.saturation)
  return out
}

/** Seed of one example: the run's seed, the track's name and the draw. */
export function exampleSeed(task: Pick<SynthesisTask, 'trackPath' | 'seed' | 'draw'>): number {
  return (crc32(Buffer.from(`${basename(task.trackPath)}:${task.seed}:${task.draw}`)) >>> 0)
}

/** Builds one example with its signals. */
export async function synthesise(task: SynthesisTask): Promise<SynthesisedExample> {
  const random = seededRandom(exampleSeed(task))
  const track = await loadTrack(task.trackPath)
  const length = Math.round(task.segmentSeconds * TRAINING_SAMPLE_RATE_HZ)
  const starts = sectionStarts(random, track.channels[0].length, length)
  const a = section(track, starts.a, length)
  const b = section(track, starts.b, length)
  const s = drawMastering(random, bandDynamics(b.channels, b.sampleRateHz, () => true))
  let reference = b
  let goal = a
  if (s) {
    const fit = fitLoudness(preLimiter(b, s), { targetLufs: s.loudness.targetLufs, ceilingDbtp: s.limiter.ceilingDbtp, maxLimiterReductionDb: s.loudness.maxLimiterReductionDb, limiter: s.limiter })
    reference = fit.audio
    goal = limitTruePeak(preLimiter(a, s), s.limiter, { inputGainDb: fit.inputGainDb }).audio
  }
  const mixAudio = unmaster(a, drawUnmastering(random))
  // the loudness curves are for plots; features and settings do not read them
  const mix = { ...analyzeTrack(mixAudio), shortTermLufs: new Float64Array(0), momentaryLufs: new Float64Array(0) }
  const referenceProfile = profileOfAudio(reference)
  return {
    track: basename(task.trackPath),
    draw: task.draw,
    identity: s === null,
    mix,
    reference: referenceProfile,
    goal: profileOfAudio(goal),
    stageInput: measureStageInput(mixAudio, baseSettings({ mix, reference: referenceProfile })),
    mixAudio,
    goalAudio: goal,
  }
}
