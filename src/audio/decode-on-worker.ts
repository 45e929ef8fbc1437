import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { askWorkerOnce } from '../worker-once.js'
import type { Audio } from './audio.js'
import { decodeFile } from './decode.js'
import type { DecodeReply, DecodeRequest } from './decode-worker.js'

/** The worker's compiled module; absent when the sources run untranspiled (tests), which decode in their own thread. */
const WORKER_URL = new URL('./decode-worker.js', import.meta.url)

/**
 * `decodeFile(path)` on a worker thread, so that the caller's thread can decode or analyse another file
 * meanwhile (mastering decodes the mix here and its references there: on two cores the reference costs
 * no time of its own). The decoded sample buffers are moved back, not copied. Errors are those of
 * `decodeFile`: on any failure the file is decoded again in this thread, which throws them.
 */
export async function decodeFileOnWorker(path: string): Promise<Audio> {
  if (!existsSync(fileURLToPath(WORKER_URL))) return decodeFile(path)
  const request: DecodeRequest = { path }
  const reply = await askWorkerOnce<DecodeReply>(WORKER_URL, request).catch(() => null)
  if (!reply?.channels) return decodeFile(path)
  return { channels: reply.channels, sampleRateHz: reply.sampleRateHz }
}
