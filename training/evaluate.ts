/**
 * The held-out comparison (DESIGN.md "The model": the training report must show both): an example's
 * mix mastered with the analytic settings and with the model's, each scored against the goal audio
 * chain(A, S) with the quality benchmark's metrics (bench/quality: the evaluation protocol's port).
 */
import { analyze } from '../bench/quality/metrics.js'
import { score } from '../bench/quality/protocol.js'
import { renderChain, type RenderOptions } from '../src/chain/apply.js'
import { resolveStrengths } from '../src/chain/strengths.js'
import { loadModel, networkFromArtifacts, type LoadedModel, type NetworkArtifacts } from '../src/model/model-io.js'
import { predictSettings } from '../src/model/predict.js'
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

/** A network to evaluate: one posted as data (a run's new network), or a saved model's folder (a previous model). */
export type EvaluatedNetwork = { key: string; artifacts: NetworkArtifacts } | { dir: string }

const networks = new Map<string, Promise<Pick<LoadedModel, 'tf' | 'network'>>>()

/** The network of `which`, loaded once per thread. */
function networkOf(which: EvaluatedNetwork): Promise<Pick<LoadedModel, 'tf' | 'network'>> {
  const key = 'dir' in which ? `dir:${which.dir}` : `run:${which.key}`
  let network = networks.get(key)
  if (!network) {
    network = 'dir' in which ? loadModel(which.dir) : networkFromArtifacts(which.artifacts)
    networks.set(key, network)
  }
  return network
}

/**
 * Re-synthesises the example of `task` (deterministic) and scores the analytic master and `model`'s (and a
 * `previous` model's when given), each mastered as `refmaster master --settings model` does: the model's
 * settings, and the loudness match's reference levels predicted during the render from what the chain
 * delivers to the loudness stage.
 */
export async function evaluateExample(task: SynthesisTask, model: EvaluatedNetwork, previous?: EvaluatedNetwork): Promise<Evaluation> {
  const example = await synthesise(task)
  const goal = analyze(example.goalAudio)
  const frames = example.mixAudio.channels[0].length
  const base = baseSettings(example)
  const scoreOf = (settings: typeof base, options?: RenderOptions) => pick(score(renderChain(example.mixAudio, settings, undefined, options).audio, goal, example.goalAudio, frames, 1))
  const modelScore = async (which: EvaluatedNetwork) => {
    // the examples match a reference: their analytic settings carry the analytic path's trust in it
    const predicted = predictSettings(await networkOf(which), example.mix, example.reference, base, resolveStrengths({}), base.loudness.referenceTrust ?? 0)
    return scoreOf(predicted.settings, { loudnessReference: predicted.loudnessReference })
  }
  return {
    track: example.track,
    draw: example.draw,
    identity: example.identity,
    analytic: scoreOf(base),
    model: await modelScore(model),
    ...(previous && { previous: await modelScore(previous) }),
  }
}
