import { Worker } from 'node:worker_threads'

/**
 * Starts the worker module `url`, sends it `request` (moving the `transfer` buffers), and resolves to its
 * one reply; the worker is ended either way. Rejects when the worker fails or exits without replying.
 */
export async function askWorkerOnce<Reply>(url: URL, request: unknown, transfer: ArrayBuffer[] = []): Promise<Reply> {
  const worker = new Worker(url)
  try {
    return await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`the worker ${url.pathname.split('/').pop()} stopped (exit code ${code}) without a reply`)))
      worker.postMessage(request, transfer)
    })
  } finally {
    await worker.terminate()
  }
}
