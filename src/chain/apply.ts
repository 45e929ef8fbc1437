import type { Audio } from '../audio/audio.js'
import { applyMatchingEq } from '../dsp/matching-eq.js'
import { applyMultibandCompressor } from '../dsp/multiband-compressor.js'
import { applySaturation } from '../dsp/saturation.js'
import { applyStereoWidth } from '../dsp/stereo-width.js'
import { applySubsonic } from '../dsp/subsonic.js'
import { applyTonalEq } from '../dsp/tonal-eq.js'
import { fitLoudness, type FitLoudnessOptions, type LoudnessFit } from '../dsp/loudness-target.js'
import { matchLoudness } from './loudness-match.js'
import type { ChainSettings } from './settings.js'

/** Progress of a render: `fraction` done (0..1) and the stage about to run, in words. */
export type RenderProgress = (fraction: number, stage: string) => void

/** The rendered master and what its loudness stage did. */
export interface RenderResult {
  audio: Audio
  loudness: LoudnessFit
}

/** The chain in signal order (DESIGN.md "The chain"), with each stage's share of the render time. */
const STAGES: Array<{ name: string; share: number; isNeutral: (settings: ChainSettings) => boolean; run: (audio: Audio, settings: ChainSettings) => Audio }> = [
  { name: 'subsonic filter', share: 0.03, isNeutral: (s) => s.subsonic.cutoffHz === 0, run: (audio, s) => applySubsonic(audio, s.subsonic) },
  { name: 'matching EQ', share: 0.15, isNeutral: (s) => s.matchingEq.strength === 0 || [...s.matchingEq.curve.midDb, ...s.matchingEq.curve.sideDb].every((db) => db === 0), run: (audio, s) => applyMatchingEq(audio, s.matchingEq) },
  { name: 'tonal EQ', share: 0.04, isNeutral: (s) => [s.tonalEq.lowShelfGainDb, s.tonalEq.highShelfGainDb, s.tonalEq.peak1GainDb, s.tonalEq.peak2GainDb].every((db) => db === 0), run: (audio, s) => applyTonalEq(audio, s.tonalEq) },
  { name: 'multiband compression', share: 0.2, isNeutral: (s) => s.compressor.bands.every((b) => b.ratio === 1 && b.makeupDb === 0), run: (audio, s) => applyMultibandCompressor(audio, s.compressor) },
  { name: 'stereo image', share: 0.08, isNeutral: (s) => s.width.monoBelowHz === 20 && s.width.bands.every((b) => b.sideGainDb === 0), run: (audio, s) => applyStereoWidth(audio, s.width) },
  { name: 'saturation', share: 0.1, isNeutral: (s) => s.saturation.mix === 0, run: (audio, s) => applySaturation(audio, s.saturation) },
]
const LOUDNESS_SHARE = 1 - STAGES.reduce((sum, stage) => sum + stage.share, 0)

/** With a reference to match, the loudness stage picks its target and ceiling from the chain's output. */
function matchedTarget(settings: ChainSettings): FitLoudnessOptions['resolveTarget'] {
  const reference = settings.loudness.reference
  if (!reference) return undefined
  return (input) => {
    const match = matchLoudness({ integratedLufs: input.integratedLufs, truePeakDbtp: input.truePeakDbtp, plrDb: input.truePeakDbtp - input.integratedLufs }, reference, settings.limiter.ceilingDbtp)
    return { targetLufs: match.targetLufs, ceilingDbtp: match.peakDbtp }
  }
}

/**
 * Renders `mix` through the chain: one line per stage, then the loudness stage (input gain searched so
 * that the true-peak-limited master lands on the target). Every stage keeps length and alignment, so
 * the master is sample-aligned with the mix. Pure: the same mix and settings give the same bits.
 */
export function renderChain(mix: Audio, settings: ChainSettings, onProgress?: RenderProgress): RenderResult {
  let audio = mix
  let done = 0
  for (const stage of STAGES) {
    onProgress?.(done, stage.name)
    // A neutral stage is the identity: skipping it saves a copy of the whole signal.
    if (!stage.isNeutral(settings)) audio = stage.run(audio, settings)
    done += stage.share
  }
  onProgress?.(done, 'loudness and true-peak limiting')
  const loudness = fitLoudness(audio, {
    targetLufs: settings.loudness.targetLufs,
    ceilingDbtp: settings.limiter.ceilingDbtp,
    maxLimiterReductionDb: settings.loudness.maxLimiterReductionDb,
    limiter: settings.limiter,
    resolveTarget: matchedTarget(settings),
  })
  onProgress?.(done + LOUDNESS_SHARE, 'done')
  return { audio: loudness.audio, loudness }
}
