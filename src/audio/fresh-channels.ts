import { Worker } from 'node:worker_threads'

/**
 * New channel arrays whose memory another thread faults in meanwhile. The first write to each page of
 * fresh memory costs far more than the arithmetic most stages do on it (about 3.5 ms per MB on the
 * project's machine kind, a Firecracker VM: 100 MB took 0.40 s to touch and 1 ms to touch again), and
 * it costs the thread that touches it. A caller that takes its arrays a few hundred ms before it writes
 * them (the render: the loudness stage's output, while the earlier stages run) gets that time back from
 * the otherwise idle second core.
 */

/** Bytes between the words touched: the x86-64 and arm64 base page (a larger page is touched more often than needed). */
const PAGE_BYTES = 4096
/** Below this, a thread is not worth starting (starting one costs tens of ms of CPU). */
const MIN_PREFAULT_BYTES = 16 * 1024 * 1024

/**
 * Touches every page of the buffers it is sent, page i of each in turn (callers write their arrays front
 * to back), with compareExchange(0, 0): an atomic no-op on the value, so it is harmless however it
 * interleaves with the owner's writes, but a write access, so the page is faulted in for writing.
 */
const TOUCH_PAGES = `
const { parentPort } = require('node:worker_threads')
parentPort.once('message', (buffers) => {
  const views = buffers.map((buffer) => new Int32Array(buffer))
  const longest = Math.max(...views.map((view) => view.length))
  for (let i = 0; i < longest; i += ${PAGE_BYTES / 4}) for (const view of views) if (i < view.length) Atomics.compareExchange(view, i, 0, 0)
  process.exit(0)
})`

/**
 * `count` zeroed Float32Arrays of `frames` samples in SharedArrayBuffers: other threads can read and
 * write them where they are (the limiter's envelope helper does), and they behave as plain arrays otherwise.
 */
export function sharedChannels(count: number, frames: number): Float32Array[] {
  return Array.from({ length: count }, () => new Float32Array(new SharedArrayBuffer(frames * Float32Array.BYTES_PER_ELEMENT)))
}

/** The distinct ArrayBuffers of `arrays`, for a postMessage transfer list (SharedArrayBuffers are shared by posting them, never moved). */
export function movableBuffers(arrays: readonly Float32Array[]): ArrayBuffer[] {
  return [...new Set(arrays.map((array) => array.buffer))].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer)
}

/** Whether every array lives in a SharedArrayBuffer (another thread can work on it in place). */
export function allShared(arrays: readonly Float32Array[]): boolean {
  return arrays.every((array) => array.buffer instanceof SharedArrayBuffer)
}

/**
 * `sharedChannels` whose pages, when they are large, a worker thread starts faulting in at once; the
 * arrays are usable at any moment (the worker never changes a value). When no thread can be started the
 * writer faults its pages in itself.
 */
export function freshChannels(count: number, frames: number): Float32Array[] {
  const arrays = sharedChannels(count, frames)
  if (count * arrays[0].byteLength >= MIN_PREFAULT_BYTES) prefault(arrays.map((array) => array.buffer as SharedArrayBuffer))
  return arrays
}

/** Starts a worker thread that touches every page of `buffers` (TOUCH_PAGES). */
function prefault(buffers: SharedArrayBuffer[]): void {
  try {
    const worker = new Worker(TOUCH_PAGES, { eval: true })
    worker.unref()
    // Without the worker the arrays are just as valid: the writer faults its pages in itself.
    worker.on('error', () => undefined)
    worker.postMessage(buffers)
  } catch {
    // No thread to spare (resource limits): as above.
  }
}
