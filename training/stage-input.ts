/**
 * What the chain delivers to its loudness stage for the analytic settings: the levels the loudness match
 * (src/chain/loudness-match.ts) reads to choose the master's loudness and ceiling. The labels of the
 * loudness outputs are solved against them (./labels.ts), so they are kept with the example's analyses,
 * with a key of the settings they were measured for: when the analytic path changes (another matching
 * EQ, other compression), the key changes and the example is synthesised again.
 */
import { createHash } from 'node:crypto'
import type { Audio } from '../src/audio/audio.js'
import { measureLoudness } from '../src/analysis/loudness/index.js'
import type { LevelSummary } from '../src/chain/loudness-match.js'
import type { ChainSettings } from '../src/chain/settings.js'
import { applyLeveler } from '../src/dsp/leveler.js'
import { applyMatchingEq } from '../src/dsp/matching-eq.js'
import { applyMultibandCompressor } from '../src/dsp/multiband-compressor.js'
import { applySaturation } from '../src/dsp/saturation.js'
import { applyStereoWidth } from '../src/dsp/stereo-width.js'
import { applySubsonic } from '../src/dsp/subsonic.js'
import { applyTonalEq } from '../src/dsp/tonal-eq.js'

/** The loudness stage's input levels and the key of the settings they belong to. */
export interface StageInput extends LevelSummary {
  settingsKey: string
}

/** The stages before the loudness stage as they shape the signal (src/chain/apply.ts: same order). */
function preLoudness(mix: Audio, settings: ChainSettings): Audio {
  let audio = applySubsonic(mix, settings.subsonic)
  if (settings.leveler) audio = applyLeveler(audio, settings.leveler)
  audio = applyMatchingEq(audio, settings.matchingEq)
  audio = applyTonalEq(audio, settings.tonalEq)
  audio = applyMultibandCompressor(audio, settings.compressor)
  audio = applyStereoWidth(audio, settings.width)
  return applySaturation(audio, settings.saturation)
}

/** Key of what decides the loudness stage's input: the settings of the stages before it. */
export function stageSettingsKey(settings: ChainSettings): string {
  const { loudness: _loudness, limiter: _limiter, ...stages } = settings
  return createHash('sha256').update(JSON.stringify(stages)).digest('hex').slice(0, 16)
}

/** The levels the loudness stage reads when `mix` is mastered with `settings`. */
export function measureStageInput(mix: Audio, settings: ChainSettings): StageInput {
  const measured = measureLoudness(preLoudness(mix, settings))
  return { integratedLufs: measured.integratedLufs, truePeakDbtp: measured.truePeakDbtp, plrDb: measured.truePeakDbtp - measured.integratedLufs, settingsKey: stageSettingsKey(settings) }
}
