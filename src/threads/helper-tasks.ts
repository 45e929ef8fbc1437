/**
 * What the helper thread (./helper-thread.ts) can run: plain data in (Float32Arrays over shared memory
 * are shared), one number out. Each task is a call of the very function the caller would run itself.
 */
import { truePeak } from '../analysis/loudness/true-peak.js'
import { convolveCentred } from '../dsp/fft-convolver.js'
import { fillTruePeakEnvelope } from '../dsp/true-peak-limiter.js'

/** The tasks, by name. */
export type HelperTask =
  | { op: 'truePeak'; samples: Float32Array; knownSamplePeak: number }
  | { op: 'truePeakEnvelope'; channels: Float32Array[]; skipBelowLinear: number; frames: Float32Array; before: Float32Array; after: Float32Array; firstBlock: number; endBlock: number }
  | { op: 'convolveCentred'; input: Float32Array; kernel: Float32Array; output: Float32Array }

/** Runs `task` in this thread; returns its number (0 for tasks that only write arrays). */
export function runHelperTask(task: HelperTask): number {
  switch (task.op) {
    case 'truePeak':
      return truePeak(task.samples, task.knownSamplePeak)
    case 'truePeakEnvelope':
      fillTruePeakEnvelope(task.channels, task.skipBelowLinear, { frames: task.frames, before: task.before, after: task.after }, task.firstBlock, task.endBlock)
      return 0
    case 'convolveCentred':
      convolveCentred(task.input, task.kernel, task.output)
      return 0
  }
}
