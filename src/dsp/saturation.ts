/**
 * Saturation (DESIGN.md "The chain", 6): gentle odd-harmonic drive with a dry/wet mix, 4x oversampled.
 *
 * Shaper: the cubic soft clipper f(v) = v - (4/27) v^3 for |v| < 3/2, sign(v) beyond (J. O. Smith,
 * "Physical Audio Signal Processing", section "Cubic Soft Clipper", scaled so that f'(0) = 1): odd, so only odd
 * harmonics; monotonic; it meets +-1 at v = +-3/2 with zero slope (continuous first derivative). Below the
 * clip point it adds nothing but a third harmonic, which 4x oversampling can hold without folding. The wet
 * path is f(g x) / g with g = 10^(driveDb / 20): slope 1 at small levels, so small signals keep their
 * level whatever the drive.
 *
 * Oversampling keeps the harmonics that land above the base Nyquist from folding back into the audio
 * band: up 4x (polyphase windowed sinc), shape, down 4x (windowed sinc). Only the residual
 * r = f(g u)/g - u of the upsampled u goes through the filters and is added back to the untouched input,
 * out = x + mix * r, so the linear part is bit-exact and no passband ripple reaches the output. Both
 * filters are linear-phase and centred (upsampled sample m sits at time m/4, decimated sample n at 4n):
 * their group delays are compensated by construction and the output stays sample-aligned with the input.
 */
import type { Audio } from '../audio/audio.js'
import { dbToGain } from '../units/db.js'
import { windowedSincLowpass } from './fir-design.js'
import { createFirKernel, KERNEL_ROW_ALIGN_BYTES } from './fir-kernel.js'
import { besselI0, kaiserBeta, kaiserOrder, kaiserWindow, sinc } from './kaiser.js'
import { defineParams, validateParams, type ParamValues } from './params.js'

/** Parameters of the saturation. mix = 0 is the identity. */
export const SATURATION_PARAMS = defineParams({
  driveDb: { unit: 'dB', min: 0, max: 18, default: 6, neutral: 0, scale: 'linear', description: 'gain into the shaper (the wet path is turned down by the same amount)' },
  mix: { unit: 'fraction', min: 0, max: 1, default: 0.3, neutral: 0, scale: 'linear', description: 'wet share: output = (1 - mix) dry + mix wet' },
})

/** Values of SATURATION_PARAMS. */
export type SaturationParams = ParamValues<typeof SATURATION_PARAMS>

/** Oversampling factor of the shaper. */
export const SATURATION_OVERSAMPLING = 4
/**
 * Anti-imaging / anti-aliasing filters, relative to the base rate fs: flat to 0.4 fs, -6 dB at fs/2,
 * -70 dB from 0.6 fs (Kaiser design). Harmonics between fs/2 and 0.6 fs fold into 0.4-0.5 fs (17.6-22 kHz
 * at 44.1 kHz) partly attenuated; everything else that would fold is 70 dB down. The transition is this wide
 * to keep the filters short (24 and 96 taps): only distortion products pass through them.
 */
const PASSBAND_EDGE_FRACTION = 0.4
const STOPBAND_EDGE_FRACTION = 0.6
const STOPBAND_ATTENUATION_DB = 70
/** The shaper's clip point: f(+-3/2) = +-1 with zero slope. */
const SHAPER_LIMIT = 1.5
/** The cubic coefficient that puts the zero slope at the clip point: f'(3/2) = 1 - 3 (4/27) (9/4) = 0. */
const CUBIC_COEFFICIENT = 4 / 27
/** Base-rate frames per kernel call. */
const BLOCK_FRAMES = 4096
const FLOAT32_BYTES = 4
const ROW_ALIGN = KERNEL_ROW_ALIGN_BYTES / FLOAT32_BYTES

/** The shaper f(v) (see the file comment); exported for tests. */
export function shape(v: number): number {
  // clamping first gives the same curve (f(+-3/2) = +-1) without a branch on the result
  const clipped = v > SHAPER_LIMIT ? SHAPER_LIMIT : v < -SHAPER_LIMIT ? -SHAPER_LIMIT : v
  return clipped - CUBIC_COEFFICIENT * clipped * clipped * clipped
}

interface OversamplingFilters {
  /** H: the upsampler reads input samples k - H + 1 ... k + H for output times k + p/4. */
  upHalfTaps: number
  upRowTaps: number
  /** 4 rows of upRowTaps: row p interpolates at k + p/4 (each row sums to 1). */
  upRows: Float32Array
  /** G: the decimator reads 4x samples 4n - G ... 4n + G. */
  downHalfTaps: number
  downRowTaps: number
  downRow: Float32Array
}

function roundUpToRow(taps: number): number {
  return Math.ceil(taps / ROW_ALIGN) * ROW_ALIGN
}

/** Designs both filters (rate-independent: everything is relative to the base rate). */
function designFilters(): OversamplingFilters {
  const factor = SATURATION_OVERSAMPLING
  const transitionCycles = STOPBAND_EDGE_FRACTION - PASSBAND_EDGE_FRACTION
  const beta = kaiserBeta(STOPBAND_ATTENUATION_DB)
  // upsampler, in input samples (as src/audio/resample.ts): cutoff fs/2 -> h(t) = sinc(t) w(t)
  const upHalfTaps = Math.ceil(kaiserOrder(STOPBAND_ATTENUATION_DB, transitionCycles) / 2)
  const upRowTaps = roundUpToRow(2 * upHalfTaps)
  const upRows = new Float32Array(factor * upRowTaps)
  const i0Beta = besselI0(beta)
  for (let phase = 0; phase < factor; phase++) {
    const row = Array.from({ length: 2 * upHalfTaps }, (_, tap) => {
      const offset = phase / factor + upHalfTaps - 1 - tap
      return sinc(offset) * kaiserWindow(offset, upHalfTaps, beta, i0Beta)
    })
    const sum = row.reduce((a, b) => a + b, 0)
    row.forEach((value, tap) => (upRows[phase * upRowTaps + tap] = value / sum))
  }
  // decimator, in 4x samples: cutoff fs/2 = 1/4 of the 4x Nyquist
  const downHalfTaps = Math.ceil(kaiserOrder(STOPBAND_ATTENUATION_DB, transitionCycles / factor) / 2)
  const downRowTaps = roundUpToRow(2 * downHalfTaps + 1)
  const downRow = new Float32Array(downRowTaps)
  downRow.set(windowedSincLowpass(2 * downHalfTaps + 1, 1 / factor, beta))
  return { upHalfTaps, upRowTaps, upRows, downHalfTaps, downRowTaps, downRow }
}

/**
 * Adds mix times the oversampled shaper residual to each channel. mix = 0 returns a copy of the input.
 * Mono and stereo; the input is not modified; deterministic (the FIR kernel is IEEE single precision).
 */
export function applySaturation(audio: Audio, params: SaturationParams): Audio {
  validateParams(SATURATION_PARAMS, params, 'saturation')
  const { sampleRateHz } = audio
  if (params.mix === 0) return { channels: audio.channels.map((c) => c.slice()), sampleRateHz }
  const driveGain = dbToGain(params.driveDb)
  const inverseDriveGain = 1 / driveGain
  const { mix } = params
  const factor = SATURATION_OVERSAMPLING
  const { upHalfTaps, upRowTaps, upRows, downHalfTaps, downRowTaps, downRow } = designFilters()

  // 4x samples one block needs: 4n - G for the block's first n to the last tap of its last n
  const upCount = factor * (BLOCK_FRAMES - 1) + downRowTaps
  const windowFrames = Math.ceil(upCount / factor) + upRowTaps + 1
  const downTableAddress = upRows.byteLength
  const windowAddress = downTableAddress + downRow.byteLength
  const upAddress = windowAddress + windowFrames * FLOAT32_BYTES
  const outAddress = upAddress + upCount * FLOAT32_BYTES
  const kernel = createFirKernel(outAddress + BLOCK_FRAMES * FLOAT32_BYTES)
  const memory = kernel.memory.buffer
  new Float32Array(memory, 0, upRows.length).set(upRows)
  new Float32Array(memory, downTableAddress, downRow.length).set(downRow)
  const window = new Float32Array(memory, windowAddress, windowFrames)
  const up = new Float32Array(memory, upAddress, upCount)
  const residual = new Float32Array(memory, outAddress, BLOCK_FRAMES)

  const channels = audio.channels.map((input) => {
    const frames = input.length
    const output = new Float32Array(frames)
    for (let first = 0; first < frames; first += BLOCK_FRAMES) {
      const count = Math.min(BLOCK_FRAMES, frames - first)
      // upsample 4x samples m = 4 first - G ... (m = 4k + p sits at time k + p/4)
      const firstUp = factor * first - downHalfTaps
      const k = Math.floor(firstUp / factor)
      const phase = firstUp - factor * k
      const windowStart = k - upHalfTaps + 1
      const copyStart = Math.max(0, windowStart)
      const copyEnd = Math.min(frames, windowStart + windowFrames)
      window.fill(0)
      if (copyEnd > copyStart) window.set(input.subarray(copyStart, copyEnd), copyStart - windowStart)
      kernel.polyphase(0, upRowTaps * FLOAT32_BYTES, factor, 0, 1, windowAddress, upAddress, upCount, phase)
      // residual of the level-compensated shaper: f(g u) / g - u
      for (let m = 0; m < upCount; m++) up[m] = shape(driveGain * up[m]) * inverseDriveGain - up[m]
      // decimate: output n reads 4n - G ... 4n + G
      kernel.polyphase(downTableAddress, downRowTaps * FLOAT32_BYTES, 1, factor * FLOAT32_BYTES, 0, upAddress, outAddress, count, 0)
      for (let n = 0; n < count; n++) output[first + n] = input[first + n] + mix * residual[n]
    }
    return output
  })
  return { channels, sampleRateHz }
}
