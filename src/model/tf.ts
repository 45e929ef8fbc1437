/**
 * The TensorFlow.js adapter: the only file that imports tfjs (STYLE.md habit 3). It uses
 * `@tensorflow/tfjs-node` (native TensorFlow) when that optional dependency is installed, else
 * tfjs-core + tfjs-layers on the WebAssembly backend (STACK.md: SIMD, no threads in Node). Both read
 * and write the same model files (./model-io.ts).
 */
import * as tfCore from '@tensorflow/tfjs-core'
import * as tfLayers from '@tensorflow/tfjs-layers'

/** The tfjs API refmaster uses: core (tensors, io, optimisers) and layers (models). */
export type Tf = typeof tfCore & typeof tfLayers

/** A loaded runtime and the backend it runs on ('tensorflow' for tfjs-node, 'wasm' otherwise). */
export interface TfRuntime {
  tf: Tf
  backend: string
}

let runtime: Promise<TfRuntime> | undefined

/** Name of the optional native package (a variable, so that TypeScript does not require it to exist). */
const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node'

async function tryNative(): Promise<TfRuntime | undefined> {
  if (process.env.REFMASTER_TF_BACKEND === 'wasm') return undefined
  try {
    const native = (await import(TFJS_NODE_PACKAGE)) as Tf
    await native.ready()
    return { tf: native, backend: native.getBackend() }
  } catch {
    return undefined
  }
}

async function loadWasm(): Promise<TfRuntime> {
  await import('@tensorflow/tfjs-backend-wasm')
  const tf = { ...tfCore, ...tfLayers } as Tf
  // Warnings about the missing native package are noise here: the wasm backend is the intended fallback.
  if (!(await tfCore.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise')
  await tfCore.ready()
  return { tf, backend: tfCore.getBackend() }
}

/** The tfjs runtime (loaded once per thread): tfjs-node when installed, else the wasm backend. */
export function loadTf(): Promise<TfRuntime> {
  runtime ??= (async () => (await tryNative()) ?? (await loadWasm()))()
  return runtime
}
