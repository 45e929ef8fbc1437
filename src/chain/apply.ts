import type { Audio } from '../audio/audio.js'
import { freshChannels, sharedChannels } from '../audio/fresh-channels.js'
import { EnvelopeHelper } from '../dsp/envelope-helper.js'
import { applyLeveler } from '../dsp/leveler.js'
import { applyMatchingEq } from '../dsp/matching-eq.js'
import { applyMultibandCompressor } from '../dsp/multiband-compressor.js'
import { applySaturation } from '../dsp/saturation.js'
import { applyStereoWidth } from '../dsp/stereo-width.js'
import { applySubsonic } from '../dsp/subsonic.js'
import { applyTonalEq } from '../dsp/tonal-eq.js'
import { fitLoudness, type FitLoudnessOptions, type LoudnessFit } from '../dsp/loudness-target.js'
import { loudnessMatchOptions, matchLoudness, type LevelSummary } from './loudness-match.js'
import type { ChainSettings } from './settings.js'

/** Progress of a render: `fraction` done (0..1) and the stage about to run, in words. */
export type RenderProgress = (fraction: number, stage: string) => void

/** The rendered master and what its loudness stage did. */
export interface RenderResult {
  audio: Audio
  loudness: LoudnessFit
  /** With a reference to match: the reference levels the loudness match read (RenderOptions.loudnessReference chooses them). */
  reference?: LevelSummary
}

/**
 * Channel-length arrays the render owns and no stage holds at the moment: stages take scratch from here and
 * give it back, and the loudness stage's output comes from here. New memory costs more in page faults than
 * most stages' arithmetic (about 4 ms per MB on the project's machine), so the render reuses what it has.
 */
class SpareArrays {
  private readonly free: Float32Array[] = []
  constructor(private readonly frames: number) {}
  /** Adds `count` new arrays whose pages another thread faults in meanwhile (`freshChannels`). */
  reserve(count: number): void {
    this.free.push(...freshChannels(count, this.frames))
  }
  take(count: number): Float32Array[] {
    return Array.from({ length: count }, () => this.free.pop() ?? sharedChannels(1, this.frames)[0])
  }
  give(arrays: readonly Float32Array[]): void {
    this.free.push(...arrays)
  }
}

/**
 * A stage: `output` are arrays the render owns (they may be the input's own: stages that can work in place
 * write there, the others return new arrays).
 */
type StageRun = (audio: Audio, settings: ChainSettings, output: Float32Array[], spare: SpareArrays) => Audio

/** The chain in signal order (DESIGN.md "The chain"), with each stage's share of the render time. */
const STAGES: Array<{ name: string; share: number; isNeutral: (settings: ChainSettings) => boolean; run: StageRun }> = [
  { name: 'subsonic filter', share: 0.03, isNeutral: (s) => s.subsonic.cutoffHz === 0, run: (audio, s, output) => applySubsonic(audio, s.subsonic, output) },
  { name: 'leveler', share: 0.05, isNeutral: (s) => !s.leveler || s.leveler.ratio === 1, run: (audio, s, output) => applyLeveler(audio, s.leveler!, output) },
  { name: 'matching EQ', share: 0.15, isNeutral: (s) => s.matchingEq.strength === 0 || [...s.matchingEq.curve.midDb, ...s.matchingEq.curve.sideDb].every((db) => db === 0), run: (audio, s, output) => applyMatchingEq(audio, s.matchingEq, output) },
  { name: 'tonal EQ', share: 0.04, isNeutral: (s) => [s.tonalEq.lowShelfGainDb, s.tonalEq.highShelfGainDb, s.tonalEq.peak1GainDb, s.tonalEq.peak2GainDb].every((db) => db === 0), run: (audio, s) => applyTonalEq(audio, s.tonalEq) },
  { name: 'multiband compression', share: 0.15, isNeutral: (s) => s.compressor.bands.every((b) => b.ratio === 1 && b.makeupDb === 0), run: compressInSpareArrays },
  { name: 'stereo image', share: 0.08, isNeutral: (s) => s.width.monoBelowHz === 20 && s.width.bands.every((b) => b.sideGainDb === 0), run: (audio, s, output) => applyStereoWidth(audio, s.width, output) },
  { name: 'saturation', share: 0.1, isNeutral: (s) => s.saturation.mix === 0, run: (audio, s) => applySaturation(audio, s.saturation) },
]
/** The multiband compressor, its split working in the render's spare arrays (the loudness stage reuses them). */
function compressInSpareArrays(audio: Audio, settings: ChainSettings, output: Float32Array[], spare: SpareArrays): Audio {
  const scratch = spare.take(2 * audio.channels.length)
  try {
    return applyMultibandCompressor(audio, settings.compressor, output, scratch)
  } finally {
    spare.give(scratch)
  }
}
const LOUDNESS_SHARE = 1 - STAGES.reduce((sum, stage) => sum + stage.share, 0)

/**
 * With a reference to match, the loudness stage picks its target and ceiling from the chain's output; the
 * reference levels it reads are the settings' own, or those `choose` gives for that output. `used` learns them.
 */
function matchedTarget(settings: ChainSettings, choose: RenderOptions['loudnessReference'], used: (reference: LevelSummary) => void): FitLoudnessOptions['resolveTarget'] {
  const given = settings.loudness.reference
  if (!given) return undefined
  return (input) => {
    const stageInput = { integratedLufs: input.integratedLufs, truePeakDbtp: input.truePeakDbtp, plrDb: input.truePeakDbtp - input.integratedLufs }
    const reference = choose ? choose(stageInput) : given
    used(reference)
    const match = matchLoudness(stageInput, reference, settings.limiter.ceilingDbtp, settings.loudness.referenceTrust, loudnessMatchOptions(settings.loudness))
    return { targetLufs: match.targetLufs, ceilingDbtp: match.peakDbtp }
  }
}

/**
 * The stages before the loudness stage, as the render runs them (in arrays of `spare`; the mix is written
 * into only with `consumeMix`): what the loudness stage reads. `onProgress` hears each stage start.
 */
function runStagesBeforeLoudness(mix: Audio, settings: ChainSettings, spare: SpareArrays, consumeMix = false, onProgress?: RenderProgress): Audio {
  let audio = mix
  let done = 0
  for (const stage of STAGES) {
    onProgress?.(done, stage.name)
    // A neutral stage is the identity: skipping it saves a pass over the whole signal.
    if (!stage.isNeutral(settings)) {
      const output = audio === mix && !consumeMix ? spare.take(mix.channels.length) : audio.channels
      const result = stage.run(audio, settings, output, spare)
      // A stage that made new arrays leaves the ones it was offered free.
      if (result.channels[0] !== output[0]) spare.give(output)
      audio = result
    }
    done += stage.share
  }
  return audio
}

/** The stages before the loudness stage (new arrays; the mix is not modified). Training measures the loudness stage's input with it (training/stage-input.ts). */
export function renderBeforeLoudness(mix: Audio, settings: ChainSettings): Audio {
  return runStagesBeforeLoudness(mix, settings, new SpareArrays(mix.channels[0].length))
}

/** How `renderChain` may use memory. */
export interface RenderOptions {
  /**
   * The render may write into the mix's own sample arrays (default false): the mix's samples are then
   * lost, and two channel-length arrays fewer are made (about 85 MB for 4 stereo minutes at 44.1 kHz, whose
   * page faults cost more than a stage's arithmetic). For callers that decoded the mix for this render alone.
   */
  consumeMix?: boolean
  /**
   * With a reference to match: the reference levels the loudness match reads, chosen from what the chain
   * delivers to the loudness stage (its input's levels) instead of taken from the settings. The settings
   * model predicts them so (src/model/predict.ts); RenderResult.reference tells which were used, and the
   * settings with those levels render the same master.
   */
  loudnessReference?: (stageInput: LevelSummary) => LevelSummary
}

/**
 * Renders `mix` through the chain: one line per stage, then the loudness stage (input gain searched so
 * that the true-peak-limited master lands on the target). Every stage keeps length and alignment, so
 * the master is sample-aligned with the mix. Pure: the same mix and settings give the same bits; the mix
 * is not modified (the render works in arrays of its own) unless `options.consumeMix` allows it.
 */
export function renderChain(mix: Audio, settings: ChainSettings, onProgress?: RenderProgress, options: RenderOptions = {}): RenderResult {
  const spare = new SpareArrays(mix.channels[0].length)
  // The loudness stage's output, and the first stage's when it may not write into the mix: new arrays
  // either way, so their page faults start now, on another core.
  spare.reserve(mix.channels.length * (options.consumeMix ? 1 : 2))
  const envelopeHelper = EnvelopeHelper.start(mix.channels[0].length)
  try {
    return renderStages(mix, settings, spare, onProgress, options, envelopeHelper)
  } finally {
    envelopeHelper?.close()
  }
}

function renderStages(mix: Audio, settings: ChainSettings, spare: SpareArrays, onProgress: RenderProgress | undefined, options: RenderOptions, envelopeHelper: EnvelopeHelper | undefined): RenderResult {
  const audio = runStagesBeforeLoudness(mix, settings, spare, options.consumeMix, onProgress)
  onProgress?.(1 - LOUDNESS_SHARE, 'loudness and true-peak limiting')
  let reference: LevelSummary | undefined
  const loudness = fitLoudness(audio, {
    targetLufs: settings.loudness.targetLufs,
    ceilingDbtp: settings.limiter.ceilingDbtp,
    maxLimiterReductionDb: settings.loudness.maxLimiterReductionDb,
    limiter: settings.limiter,
    output: spare.take(mix.channels.length),
    envelopeHelper,
    resolveTarget: matchedTarget(settings, options.loudnessReference, (used) => (reference = used)),
  })
  onProgress?.(1, 'done')
  return { audio: loudness.audio, loudness, ...(reference && { reference }) }
}
