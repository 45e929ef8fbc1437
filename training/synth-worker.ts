/**
 * The training's worker thread (run by piscina, one per core): synthesises examples (as analyses) and
 * scores held-out masters. Results are plain data, failures too (`FailedJob`).
 */
import { toRefmasterError, type ErrorCode } from '../src/errors.js'
import { evaluateExample, type EvaluatedNetwork, type Evaluation } from './evaluate.js'
import { synthesise, type ExampleAnalyses, type SynthesisTask } from './synthesis.js'

export type TrainingWorkerTask = { kind: 'synthesise'; task: SynthesisTask } | { kind: 'evaluate'; task: SynthesisTask; model: EvaluatedNetwork; previous?: EvaluatedNetwork }

/** A job that failed: its error as data (an error crossing the thread boundary loses its code). */
export interface FailedJob {
  failed: { code: ErrorCode; message: string }
}

export default async function run(job: TrainingWorkerTask): Promise<ExampleAnalyses | Evaluation | FailedJob> {
  try {
    if (job.kind === 'evaluate') return await evaluateExample(job.task, job.model, job.previous)
    const { mixAudio: _mix, goalAudio: _goal, ...analyses } = await synthesise(job.task)
    return analyses
  } catch (error) {
    const { code, message } = toRefmasterError(error)
    return { failed: { code, message } }
  }
}
