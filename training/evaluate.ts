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
  /** A previous model's master of the same example, when the run compares with one. */
  previous?: Record<Metric, number>
}

function pick(row: Record<string, string | number>): Record<Metric, number> {
  return Object.fromEntries(METRICS.map((m) => [m, Number(row[m])])) as Record<Metric, number>
}

/**
 * Re-synthesises the example of `task` (deterministic) and scores both masters; `outputs` is the model's
 * prediction for it, `previousOutputs` a previous model's (scored too when given).
 */
export async function evaluateExample(task: SynthesisTask, outputs: number[], previousOutputs?: number[]): Promise<Evaluation> {
  const example = await synthesise(task)
  const goal = analyze(example.goalAudio)
  const frames = example.mixAudio.channels[0].length
  const base = baseSettings(example)
  const scoreOf = (settings: typeof base) => pick(score(renderChain(example.mixAudio, settings).audio, goal, example.goalAudio, frames, 1))
  const modelScore = (prediction: number[]) => scoreOf(settingsFromOutputs(prediction, base, example.mix, example.reference, resolveStrengths({}), base.limiter.ceilingDbtp).settings)
  return {
    track: example.track,
    draw: example.draw,
    identity: example.identity,
    analytic: scoreOf(base),
    model: modelScore(outputs),
    ...(previousOutputs && { previous: modelScore(previousOutputs) }),
  }
}
