/**
 * The held-out comparison (DESIGN.md "The model": the training report must show both): an example's
 * mix mastered with the analytic settings and with the model's, each scored against the goal audio
 * chain(A, S) with the quality benchmark's metrics (bench/quality: the evaluation protocol's port).
 */
import { analyze } from '../bench/quality/metrics.js'
import { score } from '../bench/quality/protocol.js'
import { renderChain } from '../src/chain/apply.js'
import { resolveStrengths } from '../src/chain/strengths.js'
import { settingsFromOutputs } from '../src/model/predict.js'
import { baseSettings, synthesise, type SynthesisTask } from './synthesis.js'

/** The protocol metrics compared (lower is better). */
export const METRICS = ['d_lufs', 'tbe_db', 'd_side_mid_db', 'd_plr_db', 'd_lra', 'mrstft'] as const
export type Metric = (typeof METRICS)[number]

/** One held-out example scored both ways. */
export interface Evaluation {
  track: string
  draw: number
  identity: boolean
  analytic: Record<Metric, number>
  model: Record<Metric, number>
}

function pick(row: Record<string, string | number>): Record<Metric, number> {
  return Object.fromEntries(METRICS.map((m) => [m, Number(row[m])])) as Record<Metric, number>
}

/** Re-synthesises the example of `task` (deterministic) and scores both masters; `outputs` is the model's prediction for it. */
export async function evaluateExample(task: SynthesisTask, outputs: number[]): Promise<Evaluation> {
  const example = await synthesise(task)
  const goal = analyze(example.goalAudio)
  const frames = example.mixAudio.channels[0].length
  const base = baseSettings(example)
  const modelSettings = settingsFromOutputs(outputs, base, example.mix, example.reference, resolveStrengths({}), base.limiter.ceilingDbtp).settings
  const analyticAudio = renderChain(example.mixAudio, base).audio
  const modelAudio = renderChain(example.mixAudio, modelSettings).audio
  return {
    track: example.track,
    draw: example.draw,
    identity: example.identity,
    analytic: pick(score(analyticAudio, goal, example.goalAudio, frames, 1)),
    model: pick(score(modelAudio, goal, example.goalAudio, frames, 1)),
  }
}
