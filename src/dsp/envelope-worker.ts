/**
 * The worker thread of `EnvelopeHelper` (./envelope-helper.ts). First it faults in its scratch memory
 * (fresh pages cost about 3.5 ms per MB on the project's machine kind, better paid here than later on
 * the render's thread); then, for each request, it computes `truePeakEnvelope` of the channels it is sent
 * (shared memory, read in place) into the scratch, or their sample and true peaks, and flags the request
 * done or failed.
 */
import { parentPort } from 'node:worker_threads'
import { peaksOf } from '../analysis/loudness/true-peak.js'
import { truePeakEnvelope } from './true-peak-limiter.js'

/** The first message: scratch for the envelope (frames) and its ringing before and after the signal (2 x reach). */
export interface EnvelopeScratch {
  frames: Float32Array
  edges: Float32Array
}

/** A request: the channels to measure, and a flag (Int32 in shared memory) the worker sets when done. */
export interface EnvelopeRequest {
  /** The envelope of the channels into the scratch, or each channel's sample and true peak into `peaks`. */
  kind: 'envelope' | 'peaks'
  channels: Float32Array[]
  sampleRateHz: number
  /** For 'peaks': sample peak and true peak of each channel in turn (linear). */
  peaks?: Float64Array
  /** 0 while running; ENVELOPE_DONE or ENVELOPE_FAILED when finished (Atomics.notify'd). */
  state: Int32Array
}

export const ENVELOPE_DONE = 1
export const ENVELOPE_FAILED = 2

/** Bytes between the words touched: the x86-64 and arm64 base page. */
const PAGE_WORDS = 4096 / 4

let scratch: EnvelopeScratch | undefined
parentPort?.on('message', (message: EnvelopeScratch | EnvelopeRequest) => {
  if (!('state' in message)) {
    scratch = message
    const words = new Int32Array(scratch.frames.buffer, scratch.frames.byteOffset, scratch.frames.length)
    for (let i = 0; i < words.length; i += PAGE_WORDS) words[i] = 0
    return
  }
  let state = ENVELOPE_FAILED
  try {
    if (message.kind === 'peaks' && message.peaks) {
      message.channels.forEach((channel, c) => {
        const { samplePeak, truePeak } = peaksOf(channel)
        message.peaks?.set([samplePeak, truePeak], 2 * c)
      })
      state = ENVELOPE_DONE
    } else if (scratch && message.channels.every((channel) => channel.length === scratch?.frames.length)) {
      const envelope = truePeakEnvelope({ channels: message.channels, sampleRateHz: message.sampleRateHz }, 0, scratch.frames)
      scratch.edges.set(envelope.before, 0)
      scratch.edges.set(envelope.after, envelope.before.length)
      state = ENVELOPE_DONE
    }
  } finally {
    Atomics.store(message.state, 0, state)
    Atomics.notify(message.state, 0)
  }
})
