/**
 * One helper thread for work that splits in two on the project's 2-core machines: the caller starts a
 * task here, does the other half itself, then joins, synchronously (Atomics.wait), so that synchronous
 * DSP code can use the second core. Tasks read and write Float32Arrays over SharedArrayBuffers (shared,
 * not copied); `isShared` tells whether an array qualifies. Tasks are pure functions (./helper-tasks.ts)
 * that either thread runs with the same bits: a task the helper could not run (no built worker module,
 * an error) is run by the caller instead (`runHere`), so results never depend on the helper.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { HelperTask } from './helper-tasks.js'

/** The worker's compiled module; absent when the sources run untranspiled (tests), which then run tasks in their own thread. */
const WORKER_URL = new URL('./helper-worker.js', import.meta.url)
/** State word values: the task runs, is done (result set), or failed. */
export const TASK_RUNNING = 0
export const TASK_DONE = 1
export const TASK_FAILED = 2
/** A join gives up on a helper that has not answered within this time (ms) and runs the task itself. */
const JOIN_TIMEOUT_MS = 120_000

/** Whether `array` lives in shared memory, so that the helper can read and write it in place. */
export function isShared(array: Float32Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer
}

/** A Float32Array of `length` zeros in shared memory. */
export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT))
}

/** A task started on the helper: `join` waits for it and gives its result. */
export interface StartedTask {
  join(): number
}

class HelperThread {
  private readonly worker: Worker
  /** [0]: the task's state; the result is a float64 beside it. */
  private readonly state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
  private readonly result = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT))
  private busy = false
  broken = false

  constructor() {
    this.worker = new Worker(WORKER_URL, { workerData: { state: this.state, result: this.result } })
    // It never keeps the process alive, and a failure only sends tasks back to the caller.
    this.worker.unref()
    this.worker.on('error', () => (this.broken = true))
    this.worker.on('exit', () => (this.broken = true))
  }

  start(task: HelperTask, runHere: () => number): StartedTask | null {
    if (this.busy || this.broken) return null
    this.busy = true
    Atomics.store(this.state, 0, TASK_RUNNING)
    this.worker.postMessage(task)
    return {
      join: () => {
        try {
          const deadline = Date.now() + JOIN_TIMEOUT_MS
          while (Atomics.load(this.state, 0) === TASK_RUNNING && Date.now() < deadline) Atomics.wait(this.state, 0, TASK_RUNNING, 1000)
          const state = Atomics.load(this.state, 0)
          if (state === TASK_DONE) return this.result[0]
          if (state === TASK_RUNNING) this.broken = true // still running: never trust it again
          return runHere()
        } finally {
          this.busy = false
        }
      },
    }
  }
}

let helper: HelperThread | null | undefined

/** Starts the helper thread if it is not running yet (it takes a moment to load): call before the work that needs it. */
export function warmHelperThread(): void {
  if (helper === undefined) helper = existsSync(fileURLToPath(WORKER_URL)) ? new HelperThread() : null
}

/**
 * Starts `task` on the helper thread; the caller does its own half and then calls `join`. Without a
 * usable helper (or while it is busy) `runHere` (the same computation) runs at `join`, in the caller's thread.
 */
export function startOnHelper(task: HelperTask, runHere: () => number): StartedTask {
  warmHelperThread()
  const started = helper && !helper.broken ? helper.start(task, runHere) : null
  return started ?? { join: runHere }
}
