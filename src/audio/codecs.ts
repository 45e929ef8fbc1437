import { RefmasterError } from '../errors.js'

/**
 * The audio-decode adapter: the only file that imports audio-decode (ESM; it picks a wasm or JS decoder
 * by sniffing the bytes itself and returns `{ channelData: Float32Array[], sampleRate }`). refmaster
 * uses it for FLAC, MP3, Ogg Vorbis, Opus and Ogg FLAC after its own structural checks.
 *
 * Known behaviour handled here or by the caller: it throws plain `Error`s ("Unknown audio format"),
 * returns zero channels instead of failing on many damaged streams, for MP3 merges identical stereo
 * channels into one (decode.ts restores the declared width), and its FLAC decoder (audio-decode 3.12.0
 * resolving @audio/decode 3.16.2 and @wasm-audio-decoders/flac) scales
 * integer codes by 1 / (2^(bits-1) - 1) instead of 1 / 2^(bits-1), a +0.00027 dB gain at 16 bits
 * that also makes FLAC disagree with WAV of the same codes (`restoreFlacScale` undoes it).
 */

/** Planar float PCM as a decoder returned it. */
export interface DecodedPcm {
  readonly channels: Float32Array[]
  readonly sampleRateHz: number
}

type DecodeFunction = (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>

/**
 * A decoder that never settles would hang a job: give up after a base time plus a time per megabyte.
 * audio-decode runs at 100x to 400x real time (STACK.md), about 0.1 s per MB of 320 kbit/s MP3, so
 * these bounds only catch a stuck decoder. (A decoder stuck inside synchronous wasm cannot be
 * interrupted from here; the service's worker timeout is the last resort for that.)
 */
const DECODE_TIMEOUT_BASE_MS = 30_000
const DECODE_TIMEOUT_MS_PER_MB = 2_000
const BYTES_PER_MB = 1 << 20
/** Samples inspected to tell which integer scale a FLAC decode used. */
const SCALE_PROBE_SAMPLES = 4096
/** Up to 24 bits, code / (2^(bits-1) - 1) in float32 is within 0.5 of the code and rounds back exactly. */
const MAX_EXACTLY_RESTORED_BITS = 24

let decoder: Promise<DecodeFunction> | undefined

function loadDecoder(): Promise<DecodeFunction> {
  decoder ??= import('audio-decode').then((module) => module.default as DecodeFunction)
  return decoder
}

/** Decodes a whole compressed file with audio-decode. `formatName` and `what` name it in errors. */
export async function decodeCompressed(bytes: Uint8Array, formatName: string, what: string): Promise<DecodedPcm> {
  const timeoutMs = DECODE_TIMEOUT_BASE_MS + (bytes.length / BYTES_PER_MB) * DECODE_TIMEOUT_MS_PER_MB
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new RefmasterError('CORRUPT_FILE', `${what}: the ${formatName} decoder did not finish within ${Math.round(timeoutMs / 1000)} s`))
    }, timeoutMs)
    timer.unref()
  })
  try {
    const decode = await loadDecoder()
    const decoding = decode(bytes)
    // if the timeout wins, a later rejection of the abandoned decode must not go unhandled
    decoding.catch(() => undefined)
    const result = await Promise.race([decoding, timeout])
    const channels = Array.isArray(result?.channelData) ? result.channelData : []
    return { channels, sampleRateHz: result?.sampleRate ?? 0 }
  } catch (error) {
    if (error instanceof RefmasterError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new RefmasterError('CORRUPT_FILE', `${what}: the ${formatName} decoder failed: ${reason}`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}

/** Sum of squared distances from the nearest integer of samples scaled by `scale`, over a spread of samples. */
function offGridError(channels: Float32Array[], scale: number): number {
  let error = 0
  for (const channel of channels) {
    const step = Math.max(1, Math.floor(channel.length / SCALE_PROBE_SAMPLES))
    for (let i = 0; i < channel.length; i += step) {
      const code = channel[i] * scale
      error += (code - Math.round(code)) ** 2
    }
  }
  return error
}

/**
 * Puts decoded FLAC samples on refmaster's scale, code / 2^(bits-1) (the scale of our WAV reader and
 * writer), when the decoder used code / (2^(bits-1) - 1): it tests which scale puts the samples on
 * integer codes, so a decoder that is already right is left alone. Up to 24 bits the codes are
 * recovered exactly, so a FLAC decodes bit-identically to the WAV of the same codes. Mutates `channels`.
 */
export function restoreFlacScale(channels: Float32Array[], bitsPerSample: number): void {
  const fullScale = 2 ** (bitsPerSample - 1)
  if (offGridError(channels, fullScale - 1) >= offGridError(channels, fullScale)) return
  for (const channel of channels) {
    if (bitsPerSample <= MAX_EXACTLY_RESTORED_BITS) {
      for (let i = 0; i < channel.length; i++) channel[i] = Math.round(channel[i] * (fullScale - 1)) / fullScale
    } else {
      for (let i = 0; i < channel.length; i++) channel[i] *= (fullScale - 1) / fullScale
    }
  }
}
