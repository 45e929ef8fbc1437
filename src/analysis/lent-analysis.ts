import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { askWorkerOnce } from '../worker-once.js'
import { allShared, movableBuffers } from '../audio/fresh-channels.js'
import type { Audio } from '../audio/audio.js'
import type { AnalysisReply, AnalysisRequest } from './analysis-worker.js'
import { analyzeTrack, type AnalysisOptions, type TrackAnalysis } from './track-analysis.js'

/** The worker's compiled module; absent when the sources run untranspiled (tests), which analyse in their own thread. */
const WORKER_URL = new URL('./analysis-worker.js', import.meta.url)

/**
 * Whether `audio`'s samples can go to another thread and back: every channel is in shared memory (the
 * worker reads it in place), or each owns a whole ArrayBuffer of its own that none of `others` uses
 * (moved there and back).
 */
function canLend(audio: Audio, others: readonly Float32Array[]): boolean {
  if (allShared(audio.channels)) return true
  const buffers = audio.channels.map((channel) => channel.buffer)
  return (
    audio.channels.every((channel) => channel.buffer instanceof ArrayBuffer && channel.byteOffset === 0 && channel.byteLength === channel.buffer.byteLength) &&
    new Set(buffers).size === buffers.length &&
    others.every((other) => !buffers.includes(other.buffer))
  )
}

/**
 * `analyzeTrack(audio, undefined, options)` on a worker thread, so that the caller's thread can analyse
 * another track meanwhile (mastering analyses the mix and its references in parallel). The sample
 * buffers are lent to the worker (moved, not copied: copying would cost more than the analysis saves)
 * and come back in new Float32Array objects, which replace the old ones in `audio.channels`: the samples
 * are unchanged, but the old channel objects are left empty, and until the promise settles `audio` must
 * not be read. Audio whose buffers cannot be lent (shared with `keep`, views into a larger buffer) is
 * analysed in this thread, as is everything when the worker module is not built.
 */
export async function analyzeTrackLent(audio: Audio, options: AnalysisOptions, keep: readonly Float32Array[]): Promise<TrackAnalysis> {
  if (!canLend(audio, keep) || !existsSync(fileURLToPath(WORKER_URL))) return analyzeTrack(audio, undefined, options)
  const request: AnalysisRequest = { channels: audio.channels, sampleRateHz: audio.sampleRateHz, options }
  const reply = await askWorkerOnce<AnalysisReply>(WORKER_URL, request, movableBuffers(audio.channels))
  audio.channels.splice(0, audio.channels.length, ...reply.channels)
  return reply.analysis ?? analyzeTrack(audio, undefined, options)
}
