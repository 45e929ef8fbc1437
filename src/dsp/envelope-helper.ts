import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Audio } from '../audio/audio.js'
import { allShared, sharedChannels } from '../audio/fresh-channels.js'
import { peaksOf } from '../analysis/loudness/true-peak.js'
import { ENVELOPE_DONE, type EnvelopeRequest, type EnvelopeScratch } from './envelope-worker.js'
import { INTERPOLATOR_REACH_FRAMES, truePeakEnvelope, type TruePeakEnvelope } from './true-peak-limiter.js'

/** The worker's compiled module; absent when the sources run untranspiled (tests), which then work in one thread. */
const WORKER_URL = new URL('./envelope-worker.js', import.meta.url)
/** Shorter signals are not worth a thread (starting one costs tens of ms of CPU): 2^20 frames, 24 s at 44.1 kHz. */
const MIN_FRAMES = 1 << 20
/**
 * Longest wait for the worker's half (ms). It needs about as long as the caller's own half; past this the
 * machine is so loaded that the caller measures that half itself (the worker's scratch is its own, so a
 * late finish harms nothing).
 */
const WAIT_LIMIT_MS = 20_000

/**
 * A second thread for the loudness stage's true-peak envelope, its most expensive single pass (4x FFT
 * interpolation of every channel), and for the master's true peak, measured the same way. Started when
 * a render starts, so that the worker's module and FFT load while the earlier stages run; then
 * `envelope` has it measure half of the channels while the caller measures the others, and merges the
 * two (a maximum: the same bits as one thread). Synchronous for the caller (Atomics.wait), so the DSP stays plain functions. Works on
 * samples in shared memory (`allShared`); otherwise, or for one channel, the caller does it all.
 */
export class EnvelopeHelper {
  private constructor(
    private readonly worker: Worker,
    private readonly scratch: EnvelopeScratch,
  ) {}

  /** Starts the helper for signals of `frames` frames; undefined when not worth it or not possible. */
  static start(frames: number): EnvelopeHelper | undefined {
    if (frames < MIN_FRAMES || !existsSync(fileURLToPath(WORKER_URL))) return undefined
    try {
      const worker = new Worker(WORKER_URL)
      worker.unref()
      // A worker that fails leaves its requests unanswered; `envelope` then does the work itself.
      worker.on('error', () => undefined)
      const [frameScratch, edges] = [...sharedChannels(1, frames), ...sharedChannels(1, 2 * INTERPOLATOR_REACH_FRAMES)]
      const scratch: EnvelopeScratch = { frames: frameScratch, edges }
      worker.postMessage(scratch)
      return new EnvelopeHelper(worker, scratch)
    } catch {
      return undefined
    }
  }

  /**
   * `truePeakEnvelope(audio, 0, storage)`, the second half of the channels measured on the worker; undefined
   * when the samples are not in shared memory, are mono, or do not fit the scratch (the caller measures).
   */
  envelope(audio: Audio, storage: Float32Array): TruePeakEnvelope | undefined {
    const { channels, sampleRateHz } = audio
    if (channels.length < 2 || !allShared(channels) || channels[0].length !== this.scratch.frames.length) return undefined
    const split = Math.ceil(channels.length / 2)
    const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    const request: EnvelopeRequest = { kind: 'envelope', channels: channels.slice(split), sampleRateHz, state }
    this.worker.postMessage(request)
    const own = truePeakEnvelope({ channels: channels.slice(0, split), sampleRateHz }, 0, storage)
    Atomics.wait(state, 0, 0, WAIT_LIMIT_MS)
    const other: TruePeakEnvelope =
      Atomics.load(state, 0) === ENVELOPE_DONE
        ? { frames: this.scratch.frames, before: this.scratch.edges.subarray(0, INTERPOLATOR_REACH_FRAMES), after: this.scratch.edges.subarray(INTERPOLATOR_REACH_FRAMES) }
        : truePeakEnvelope({ channels: channels.slice(split), sampleRateHz }, 0)
    for (const key of ['frames', 'before', 'after'] as const) {
      const into = own[key], from = other[key]
      for (let n = 0; n < into.length; n++) if (from[n] > into[n]) into[n] = from[n]
    }
    return own
  }

  /**
   * Each channel's sample and true peak (`peaksOf`, linear), the second half of the channels measured on
   * the worker; undefined under the conditions of `envelope` (then the caller measures).
   */
  peaks(channels: readonly Float32Array[]): Array<{ samplePeak: number; truePeak: number }> | undefined {
    if (channels.length < 2 || !allShared(channels)) return undefined
    const split = Math.ceil(channels.length / 2)
    const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    const peaks = new Float64Array(new SharedArrayBuffer(2 * (channels.length - split) * Float64Array.BYTES_PER_ELEMENT))
    const request: EnvelopeRequest = { kind: 'peaks', channels: channels.slice(split), sampleRateHz: 0, peaks, state }
    this.worker.postMessage(request)
    const own = channels.slice(0, split).map((channel) => peaksOf(channel))
    Atomics.wait(state, 0, 0, WAIT_LIMIT_MS)
    const other = Atomics.load(state, 0) === ENVELOPE_DONE ? channels.slice(split).map((_, c) => ({ samplePeak: peaks[2 * c], truePeak: peaks[2 * c + 1] })) : channels.slice(split).map((channel) => peaksOf(channel))
    return [...own, ...other]
  }

  /** Ends the worker. */
  close(): void {
    void this.worker.terminate()
  }
}
