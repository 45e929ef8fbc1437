/**
 * The worker thread of `decodeFileOnWorker` (./decode-on-worker.ts): decodes the file it is sent and sends
 * the channels back (their buffers moved, not copied). On an error it replies without audio: the caller
 * then decodes in its own thread, where the error has its proper type and message.
 */
import { parentPort } from 'node:worker_threads'
import { decodeFile } from './decode.js'
import { movableBuffers } from './fresh-channels.js'

/** What the worker is sent. */
export interface DecodeRequest {
  path: string
}

/** What it sends back: the audio, or null when decoding failed. */
export interface DecodeReply {
  channels: Float32Array[] | null
  sampleRateHz: number
}

parentPort?.once('message', async ({ path }: DecodeRequest) => {
  let reply: DecodeReply = { channels: null, sampleRateHz: 0 }
  try {
    const audio = await decodeFile(path)
    reply = { channels: audio.channels, sampleRateHz: audio.sampleRateHz }
  } catch {
    // the caller decodes again in its own thread and reports the error
  }
  // Channels may be views into one buffer: move each buffer once (shared ones are shared, not moved).
  parentPort?.postMessage(reply, movableBuffers(reply.channels ?? []))
})
