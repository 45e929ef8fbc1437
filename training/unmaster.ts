/**
 * "Un-mastering" of the input section (DESIGN.md "The model": EQ, less level, more dynamic range, other
 * width): the same families and ranges as the evaluation protocol's degradation (../shared/eval
 * degrade.py `draw_params`), drawn with our seeded generator and applied by the protocol's own port
 * (bench/quality/degrade.ts), so the model sees the kind of mix it will be asked to master.
 */
import type { Audio } from '../src/audio/audio.js'
import { applyDegradation, type DegradationParams } from '../bench/quality/degrade.js'

const uniform = (random: () => number, low: number, high: number) => low + (high - low) * random()

/** Degradation parameters drawn as degrade.py `draw_params` draws them. */
export function drawUnmastering(random: () => number): DegradationParams {
  const peakCount = random() < 0.5 ? 1 : 2
  const peaks = Array.from({ length: peakCount }, () => ({ freq_hz: Math.exp(uniform(random, Math.log(200), Math.log(5000))), gain_db: uniform(random, -6, 6), q: uniform(random, 0.7, 2) }))
  return {
    seed: 0,
    gain_db: uniform(random, -14, -4),
    low_shelf: { freq_hz: uniform(random, 80, 200), gain_db: uniform(random, -5, 5) },
    high_shelf: { freq_hz: uniform(random, 4000, 10000), gain_db: uniform(random, -5, 5) },
    peaks,
    width: uniform(random, 0.6, 1.4),
    expander: { ratio: uniform(random, 1.15, 1.6), pivot_below_p90_db: uniform(random, 0, 6), attack_ms: 5, release_ms: uniform(random, 80, 300), max_gain_db: 9 },
  }
}

/** The un-mastered section (stereo in, stereo out; sample peak at most -1 dBFS). */
export function unmaster(section: Audio, params: DegradationParams): Audio {
  const [left, right] = section.channels.length === 2 ? section.channels : [section.channels[0], section.channels[0]]
  const degraded = applyDegradation(Float64Array.from(left), Float64Array.from(right), section.sampleRateHz, params)
  return { sampleRateHz: section.sampleRateHz, channels: degraded.channels.map((c) => Float32Array.from(c)) }
}
