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
    if (channels[0].length !== this.scratch.frames.length) return undefined
    const halves = this.split(channels, (rest, state) => ({ kind: 'envelope', channels: rest, sampleRateHz, state }), () => ({
      frames: this.scratch.frames,
      before: this.scratch.edges.subarray(0, INTERPOLATOR_REACH_FRAMES),
      after: this.scratch.edges.subarray(INTERPOLATOR_REACH_FRAMES),
    }), (part, into) => truePeakEnvelope({ channels: part, sampleRateHz }, 0, into), storage)
    if (!halves) return undefined
    const [own, other] = halves
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
    const peaks = new Float64Array(new SharedArrayBuffer(2 * channels.length * Float64Array.BYTES_PER_ELEMENT))
    const halves = this.split(channels, (rest, state) => ({ kind: 'peaks', channels: rest, sampleRateHz: 0, peaks, state }), (rest) =>
      rest.map((_, c) => ({ samplePeak: peaks[2 * c], truePeak: peaks[2 * c + 1] })),
    (part) => part.map((channel) => peaksOf(channel)))
    return halves && [...halves[0], ...halves[1]]
  }

  /**
   * Measures the first half of `channels` here (`measure`) while the worker measures the rest (`request`,
   * read back by `result`); the rest is measured here too when the worker fails or times out. Undefined
   * for one channel or samples outside shared memory.
   */
  private split<T>(
    channels: readonly Float32Array[],
    request: (rest: Float32Array[], state: Int32Array) => EnvelopeRequest,
    result: (rest: Float32Array[]) => T,
    measure: (part: Float32Array[], storage?: Float32Array) => T,
    storage?: Float32Array,
  ): [T, T] | undefined {
    if (channels.length < 2 || !allShared(channels)) return undefined
    const at = Math.ceil(channels.length / 2)
    const rest = channels.slice(at)
    const state = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT))
    this.worker.postMessage(request(rest, state))
    const own = measure(channels.slice(0, at), storage)
    Atomics.wait(state, 0, 0, WAIT_LIMIT_MS)
    return [own, Atomics.load(state, 0) === ENVELOPE_DONE ? result(rest) : measure(rest)]
  }

  /** Ends the worker. */
  close(): void {
    void this.worker.terminate()
  }
}
