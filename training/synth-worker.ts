/**
 * The training's worker thread (run by piscina, one per core): synthesises examples (as analyses) and
 * scores held-out masters. Results are plain data, failures too (`FailedResult`).
 */
import { failedResult, type FailedResult } from '../src/errors.js'
import { evaluateExample, type EvaluatedNetwork, type Evaluation } from './evaluate.js'
import { synthesise, type ExampleAnalyses, type SynthesisTask } from './synthesis.js'

export type TrainingWorkerTask = { kind: 'synthesise'; task: SynthesisTask } | { kind: 'evaluate'; task: SynthesisTask; model: EvaluatedNetwork; previous?: EvaluatedNetwork }

export default async function run(job: TrainingWorkerTask): Promise<ExampleAnalyses | Evaluation | FailedResult> {
  try {
    if (job.kind === 'evaluate') return await evaluateExample(job.task, job.model, job.previous)
    const { mixAudio: _mix, goalAudio: _goal, ...analyses } = await synthesise(job.task)
    return analyses
  } catch (error) {
    return failedResult(error)
  }
}
