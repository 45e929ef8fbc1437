/**
 * The worker thread of `EnvelopeHelper` (./envelope-helper.ts): for each request it computes
 * `truePeakEnvelope` of the channels it is sent (shared memory, read in place) into its scratch, or their
 * sample and true peaks, and flags the request done or failed.
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

let scratch: EnvelopeScratch | undefined
parentPort?.on('message', (message: EnvelopeScratch | EnvelopeRequest) => {
  if (!('state' in message)) {
    scratch = message
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
