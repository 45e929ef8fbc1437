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
import { renderBeforeLoudness } from '../src/chain/apply.js'

/** The loudness stage's input levels and the key of the settings they belong to. */
export interface StageInput extends LevelSummary {
  settingsKey: string
}

/** Key of what decides the loudness stage's input: the settings of the stages before it. */
export function stageSettingsKey(settings: ChainSettings): string {
  const { loudness: _loudness, limiter: _limiter, ...stages } = settings
  return createHash('sha256').update(JSON.stringify(stages)).digest('hex').slice(0, 16)
}

/** The levels the loudness stage reads when `mix` is mastered with `settings`. */
export function measureStageInput(mix: Audio, settings: ChainSettings): StageInput {
  const measured = measureLoudness(renderBeforeLoudness(mix, settings))
  return { integratedLufs: measured.integratedLufs, truePeakDbtp: measured.truePeakDbtp, plrDb: measured.truePeakDbtp - measured.integratedLufs, settingsKey: stageSettingsKey(settings) }
}
