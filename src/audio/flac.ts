import { createRequire } from 'node:module'
import { RefmasterError } from '../errors.js'

/**
 * The libflacjs adapter: the only file that imports libflacjs. FLAC encoding of integer PCM with the
 * reference libFLAC (compiled to wasm), which is lossless: decoding gives back the same codes.
 *
 * libflacjs is CommonJS and untyped for our import paths, so it is loaded with `createRequire` and
 * described by the few members we use.
 */

/** The subset of the libflac.js module object we touch. */
interface FlacModule {
  isReady(): boolean
  on(event: 'ready', listener: () => void): void
}

/** StreamMetadata as the encoder reports it; passed back to `exportFlacData` untouched. */
type FlacStreamMetadata = object

/** libflacjs `Encoder` (lib/encoder.d.ts). */
interface FlacEncoder {
  encode(channels: Int32Array[], frameCount: number, isInterleaved: false): boolean
  encode(): boolean
  getState(): number
  destroy(): void
  readonly rawData: Uint8Array[]
  readonly metadata: FlacStreamMetadata | undefined
}

interface FlacEncoderOptions {
  sampleRate: number
  channels: number
  bitsPerSample: number
  compression: number
  totalSamples: number
  verify: boolean
}

interface FlacLibrary {
  readonly flac: FlacModule
  readonly Encoder: new (flac: FlacModule, options: FlacEncoderOptions) => FlacEncoder
  readonly exportFlacData: (chunks: Uint8Array[], metadata: FlacStreamMetadata, isOgg: false) => Promise<Uint8Array>
}

/** libFLAC's default compression level (flac(1) -5): its usual speed/size balance. */
const FLAC_COMPRESSION_LEVEL = 5
/** Frames handed to the encoder per call, so the wasm heap never holds a whole track twice. */
const ENCODE_BLOCK_FRAMES = 65536

let library: Promise<FlacLibrary> | undefined

/** Loads the wasm build once. Its emscripten loader would `fetch` the .wasm by file path, which Node's
 * fetch refuses (with a warning), so `fetch` is hidden while it loads and it falls back to reading the file. */
function loadLibrary(): Promise<FlacLibrary> {
  library ??= new Promise<FlacLibrary>((resolve, reject) => {
    try {
      const require = createRequire(import.meta.url)
      const savedFetch = globalThis.fetch
      let flac: FlacModule
      try {
        ;(globalThis as { fetch?: unknown }).fetch = undefined
        flac = require('libflacjs/dist/libflac.wasm.js') as FlacModule
      } finally {
        globalThis.fetch = savedFetch
      }
      const { Encoder } = require('libflacjs/lib/encoder.js') as Pick<FlacLibrary, 'Encoder'>
      const { exportFlacData } = require('libflacjs/lib/utils/index.js') as Pick<FlacLibrary, 'exportFlacData'>
      const ready = (): void => resolve({ flac, Encoder, exportFlacData })
      if (flac.isReady()) ready()
      else flac.on('ready', ready)
    } catch (error) {
      reject(error)
    }
  })
  return library
}

/**
 * Encodes integer codes (one Int32Array per channel, each within `bitsPerSample` bits) as a FLAC file.
 * The STREAMINFO block records the exact frame count and the MD5 of the audio.
 */
export async function encodeFlac(channels: Int32Array[], sampleRateHz: number, bitsPerSample: 16 | 24): Promise<Uint8Array> {
  let lib: FlacLibrary
  try {
    lib = await loadLibrary()
  } catch (error) {
    throw new RefmasterError('ENCODE_FAILED', `could not load the FLAC encoder: ${String(error)}`, { cause: error })
  }
  const frameCount = channels[0].length
  const encoder = new lib.Encoder(lib.flac, {
    sampleRate: sampleRateHz,
    channels: channels.length,
    bitsPerSample,
    compression: FLAC_COMPRESSION_LEVEL,
    totalSamples: frameCount,
    verify: false,
  })
  try {
    for (let start = 0; start < frameCount; start += ENCODE_BLOCK_FRAMES) {
      const end = Math.min(start + ENCODE_BLOCK_FRAMES, frameCount)
      const block = channels.map((channel) => channel.subarray(start, end))
      if (!encoder.encode(block, end - start, false)) throw failure(encoder, 'encoding')
    }
    if (!encoder.encode()) throw failure(encoder, 'finishing')
    const metadata = encoder.metadata
    if (metadata === undefined) throw failure(encoder, 'reading stream info from')
    return await lib.exportFlacData(encoder.rawData, metadata, false)
  } finally {
    encoder.destroy()
  }
}

function failure(encoder: FlacEncoder, stage: string): RefmasterError {
  return new RefmasterError('ENCODE_FAILED', `libFLAC failed while ${stage} the stream (encoder state ${encoder.getState()})`)
}
