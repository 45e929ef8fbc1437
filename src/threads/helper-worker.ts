/**
 * The helper thread (./helper-thread.ts): runs each task it is sent and signals its end through the
 * shared state word, with the result beside it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runHelperTask, type HelperTask } from './helper-tasks.js'
import { TASK_DONE, TASK_FAILED } from './helper-thread.js'

const { state, result } = workerData as { state: Int32Array; result: Float64Array }

parentPort?.on('message', (task: HelperTask) => {
  let outcome = TASK_FAILED
  try {
    result[0] = runHelperTask(task)
    outcome = TASK_DONE
  } finally {
    Atomics.store(state, 0, outcome)
    Atomics.notify(state, 0)
  }
})
