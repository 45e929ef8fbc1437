/**
 * The worker thread of `analyzeTrackLent` (./lent-analysis.ts): analyses the audio it is sent and sends the
 * analysis back together with the sample buffers (moved, not copied). On an error the buffers go back
 * all the same, without an analysis: the caller then analyses in its own thread, where the error has its
 * proper type.
 */
import { parentPort } from 'node:worker_threads'
import { movableBuffers } from '../audio/fresh-channels.js'
import { analyzeTrack, type AnalysisOptions, type TrackAnalysis } from './track-analysis.js'

/** What the worker is sent. */
export interface AnalysisRequest {
  channels: Float32Array[]
  sampleRateHz: number
  options: AnalysisOptions
}

/** What it sends back: the buffers always, the analysis unless it failed. */
export interface AnalysisReply {
  channels: Float32Array[]
  analysis: TrackAnalysis | null
}

parentPort?.once('message', ({ channels, sampleRateHz, options }: AnalysisRequest) => {
  let analysis: TrackAnalysis | null = null
  try {
    analysis = analyzeTrack({ channels, sampleRateHz }, undefined, options)
  } catch {
    analysis = null
  }
  const reply: AnalysisReply = { channels, analysis }
  parentPort?.postMessage(reply, movableBuffers(channels))
})
