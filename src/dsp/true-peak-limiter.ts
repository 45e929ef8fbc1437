/**
 * Oversampled look-ahead true-peak limiter (DESIGN.md "The chain", step 7).
 *
 * 1. Detect: the stereo-linked true-peak envelope p[n] = max over channels of |x[n]| and of the 4x
 *    interpolated signal at n + 1/4, 2/4, 3/4, computed with the meter's own interpolator and algorithm
 *    (src/analysis/loudness/true-peak.ts = ../shared/eval/metrics.py `true_peak`) one FFT block at a time:
 *    the 4x signal never exists as a whole. The required gain is r[n] = min(1, T / p[n]).
 * 2. Smooth: a forward min-hold over the look-ahead L, an instant-attack release towards unity, then two
 *    box averages of total span L (an S-shaped attack ramp). Every value averaged into g[m] is a hold over
 *    a window containing m, so g[m] <= r[m] at every frame and the ramp ends exactly at the peak, with no
 *    delay line: the output has the input's length and alignment (zero latency; the whole file is at hand).
 * 3. Verify and correct: y = g x is checked frame by frame with the same interpolator. A frame is either
 *    proven safe by a bound (|y4x - g[n] x4x| <= max|x| min(sum|c| spread(g), sum|j c_j| slope(g)) over
 *    the interpolator's reach) or interpolated exactly (direct form, wasm SIMD). Overshoots (the gain is
 *    applied at the base rate, so its modulation reaches between samples) lower r there and the gain is
 *    recomputed; only blocks whose gain changed are checked again. If overshoot survived
 *    MAX_CORRECTION_PASSES, one uniform trim (linear, so it scales every interpolated value exactly) ends it.
 * Guarantee: every interpolated value, including the filter's ringing past both ends (the meter counts
 * it), is <= ceiling - VERIFY_MARGIN_DB once float32 rounding bounds are added; that margin is about 100x
 * the rounding difference between this code, the meter's FFT and the eval's float64 filter. The meter
 * includes |x[n]|, so no sample reaches 32767/32768 either.
 */
import { assertProcessable, frameCount, type Audio } from '../audio/audio.js'
import { TRUE_PEAK_OVERSAMPLING } from '../analysis/loudness/index.js'
import { RefmasterError } from '../errors.js'
import { dbToGain, gainToDb } from '../units/db.js'
import { RealFft } from './fft.js'
import { windowedSincLowpass } from './fir-design.js'
import { createFirKernel } from './fir-kernel.js'
import { defineParams, validateParams, type ParamValues } from './params.js'

/** Parameters of the true-peak limiter. ceilingDbtp = 0 passes any signal below 0 dBTP - 0.02 dB unchanged. */
export const TRUE_PEAK_LIMITER_PARAMS = defineParams({
  ceilingDbtp: { unit: 'dBTP', min: -6, max: 0, default: -1, neutral: 0, scale: 'linear', description: 'highest true peak of the output (ITU-R BS.1770-4 Annex 2, 4x)' },
  lookaheadMs: { unit: 'ms', min: 0.5, max: 10, default: 3, neutral: 3, scale: 'log', description: 'length of the attack ramp that ends at each peak' },
  releaseMs: { unit: 'ms', min: 10, max: 1000, default: 150, neutral: 150, scale: 'log', description: 'time constant (1/e) of the gain reduction decaying after a peak' },
})
/** Values of TRUE_PEAK_LIMITER_PARAMS. */
export type TruePeakLimiterParams = ParamValues<typeof TRUE_PEAK_LIMITER_PARAMS>

/** The gain aims this far below the ceiling ... */
export const GAIN_TARGET_MARGIN_DB = 0.02
/** ... and every interpolated value is verified to stay this far below it (DESIGN.md: keep a safety margin). */
export const VERIFY_MARGIN_DB = 0.01
/** Reach of the meter's interpolator either side of a frame, in input frames: (257 - 1) / 2 / 4. */
export const INTERPOLATOR_REACH_FRAMES = 32
/** The meter's interpolator (true-peak.ts, metrics.py `true_peak`): 257-tap Kaiser(9) sinc, -6 dB at 0.97 Nyquist. */
const INTERPOLATOR_TAPS = 2 * INTERPOLATOR_REACH_FRAMES * TRUE_PEAK_OVERSAMPLING + 1
const INTERPOLATOR_CUTOFF_RATIO = 0.97
const INTERPOLATOR_KAISER_BETA = 9
/** Input samples per FFT block and per block advance, as true-peak.ts: blocks overlap by the filter's span. */
const FFT_BLOCK_FRAMES = 4096
const FFT_ADVANCE_FRAMES = FFT_BLOCK_FRAMES - 2 * INTERPOLATOR_REACH_FRAMES
const UPSAMPLED_BLOCK = FFT_BLOCK_FRAMES * TRUE_PEAK_OVERSAMPLING
/** Direct form: taps per polyphase row, x[n - 31] ... x[n + 32] (a multiple of the wasm kernel's 8 lanes); phase 0's 65th tap, 4 h[256] = -1.1e-6, is left out and bounded. */
const ROW_TAPS = 64
const ROW_FIRST_OFFSET = INTERPOLATOR_REACH_FRAMES - 1
const FLOAT32_BYTES = 4
/** float32 unit roundoff, 2^-24 (IEEE 754 binary32). */
const FLOAT32_EPSILON = 2 ** -24
/** Frames per verification block: as long as the reach, so a frame's reach lies within its neighbours. */
const VERIFY_BLOCK_FRAMES = INTERPOLATOR_REACH_FRAMES
/** Correction passes before the uniform trim takes over. */
const MAX_CORRECTION_PASSES = 8
/** Corrections aim this much below T, so that the next pass rarely finds the same frame again. */
const CORRECTION_UNDERSHOOT_RATIO = 0.999
/** A released gain within this of unity snaps to it (-8.7e-6 dB): the signal after a release is bit-exact again. */
const RELEASE_SNAP = 1e-6
/** Accepted input gain (dB): far beyond any loudness search, short of float32 overflow. */
const INPUT_GAIN_LIMIT_DB = 100
/** Rounding allowance of the float64 running sums of the box averages (relative). */
const SUM_ROUNDING = 1e-12

/** The interpolator: taps, polyphase rows, and the constants of its error bounds. */
const INTERPOLATOR = (() => {
  if (TRUE_PEAK_OVERSAMPLING !== 4) throw new Error('the true-peak limiter is written for 4x oversampling')
  const taps = windowedSincLowpass(INTERPOLATOR_TAPS, INTERPOLATOR_CUTOFF_RATIO / TRUE_PEAK_OVERSAMPLING, INTERPOLATOR_KAISER_BETA)
  // y4x[4n + p] = sum_k x[k] 4 h[4 (n - k) + p + 128]: zero-stuffing loses a factor 4, the filter gives it back.
  const rows = new Float32Array(TRUE_PEAK_OVERSAMPLING * ROW_TAPS)
  let absGain = 0 // max over phases of sum |c|: |x4x| <= absGain max|x| within the reach
  let momentGain = 0 // max over phases of sum |j c_j|: bounds the effect of a gain slope
  for (let p = 0; p < TRUE_PEAK_OVERSAMPLING; p++) {
    let abs = 0, moment = 0
    for (let t = 0; t < ROW_TAPS; t++) {
      const c = TRUE_PEAK_OVERSAMPLING * taps[INTERPOLATOR_TAPS - 1 - TRUE_PEAK_OVERSAMPLING * (t + 1) + p]
      rows[p * ROW_TAPS + t] = c
      abs += Math.abs(c)
      moment += Math.abs(c) * Math.abs(ROW_FIRST_OFFSET - t)
    }
    absGain = Math.max(absGain, abs)
    momentGain = Math.max(momentGain, moment)
  }
  // Bound of |computed - exact| relative to max|x| within the reach: the dropped tap, float32 taps and sums.
  const errorRatio = Math.abs(TRUE_PEAK_OVERSAMPLING * taps[INTERPOLATOR_TAPS - 1]) + 2 * (ROW_TAPS + 1) * FLOAT32_EPSILON * absGain
  return { taps, rows, absGain, momentGain, errorRatio }
})()

/** Exact interpolation of short blocks (up to VERIFY_BLOCK_FRAMES) on the wasm SIMD polyphase kernel. */
class DirectInterpolator {
  private readonly kernel = createFirKernel(INTERPOLATOR.rows.byteLength + (VERIFY_BLOCK_FRAMES * (1 + TRUE_PEAK_OVERSAMPLING) + ROW_TAPS) * FLOAT32_BYTES)
  private readonly windowAddress = INTERPOLATOR.rows.byteLength
  private readonly outputAddress = this.windowAddress + (VERIFY_BLOCK_FRAMES + ROW_TAPS) * FLOAT32_BYTES
  private readonly window = new Float32Array(this.kernel.memory.buffer, this.windowAddress, VERIFY_BLOCK_FRAMES + ROW_TAPS)
  private readonly output = new Float32Array(this.kernel.memory.buffer, this.outputAddress, VERIFY_BLOCK_FRAMES * TRUE_PEAK_OVERSAMPLING)

  constructor() {
    new Float32Array(this.kernel.memory.buffer, 0, INTERPOLATOR.rows.length).set(INTERPOLATOR.rows)
  }

  /** out[i] = max over channels of |x[n]| and |x4x| at n + 1/4 .. 3/4, n = first + i (frames may lie outside the signal). */
  peaks(channels: readonly Float32Array[], first: number, count: number, out: Float32Array): void {
    const { window, output } = this
    const start = first - ROW_FIRST_OFFSET
    const lo = Math.max(0, start), hi = Math.min(channels[0].length, start + count + ROW_TAPS - 1)
    for (let c = 0; c < channels.length; c++) {
      window.fill(0)
      if (hi > lo) window.set(channels[c].subarray(lo, hi), lo - start)
      this.kernel.polyphase(0, ROW_TAPS * FLOAT32_BYTES, TRUE_PEAK_OVERSAMPLING, 0, 1, this.windowAddress, this.outputAddress, count * TRUE_PEAK_OVERSAMPLING, 0)
      for (let i = 0; i < count; i++) {
        const peak = peakOfFrame(output, TRUE_PEAK_OVERSAMPLING * i, window[i + ROW_FIRST_OFFSET])
        if (c === 0 || peak > out[i]) out[i] = peak
      }
    }
  }
}

/** max(|sample|, |up[m .. m + 3]|), unrolled for 4x; plain comparisons run about twice as fast as Math.max here. */
function peakOfFrame(up: Float32Array, m: number, sample: number): number {
  let peak = Math.abs(sample)
  let a = Math.abs(up[m])
  if (a > peak) peak = a
  a = Math.abs(up[m + 1])
  if (a > peak) peak = a
  a = Math.abs(up[m + 2])
  if (a > peak) peak = a
  a = Math.abs(up[m + 3])
  if (a > peak) peak = a
  return peak
}

/**
 * 4x interpolation of FFT_ADVANCE_FRAMES frames at a time by overlap-save, exactly as true-peak.ts does it
 * (same block partition, spectrum folding and arithmetic, so the values are the meter's own). That file
 * exports only the maximum, hence this copy. Call `dispose` when done: the FFTs live in wasm memory.
 */
class FftInterpolator {
  private readonly inputFft = new RealFft(FFT_BLOCK_FRAMES)
  private readonly outputFft = new RealFft(UPSAMPLED_BLOCK)
  private readonly filterSpectrum = new Float32Array(UPSAMPLED_BLOCK)
  private readonly block = new Float32Array(FFT_BLOCK_FRAMES)
  private readonly spectrum = new Float32Array(FFT_BLOCK_FRAMES)
  private readonly upSpectrum = new Float32Array(UPSAMPLED_BLOCK)
  private readonly upsampled = new Float32Array(UPSAMPLED_BLOCK)

  constructor() {
    const padded = new Float32Array(UPSAMPLED_BLOCK)
    for (let n = 0; n < INTERPOLATOR_TAPS; n++) padded[n] = INTERPOLATOR.taps[n] * TRUE_PEAK_OVERSAMPLING
    this.outputFft.forward(padded, this.filterSpectrum)
  }

  /** out[i] = max over channels of |x[n]| and |x4x| at n + 1/4 .. 3/4, n = first + i, i < FFT_ADVANCE_FRAMES. */
  peaks(channels: readonly Float32Array[], first: number, out: Float32Array): void {
    const { block, spectrum, upSpectrum, upsampled, filterSpectrum } = this
    const start = first - INTERPOLATOR_REACH_FRAMES
    const lo = Math.max(0, start), hi = Math.min(channels[0].length, start + FFT_BLOCK_FRAMES)
    const n = FFT_BLOCK_FRAMES, half = n / 2
    for (let c = 0; c < channels.length; c++) {
      block.fill(0)
      if (hi > lo) block.set(channels[c].subarray(lo, hi), lo - start)
      this.inputFft.forward(block, spectrum)
      // The zero-stuffed block's spectrum is the block's own repeated, U[k] = X[k mod n], conjugated above n/2.
      upSpectrum[0] = spectrum[0] * filterSpectrum[0]
      upSpectrum[1] = spectrum[0] * filterSpectrum[1]
      for (let offset = 0; offset <= n; offset += n) {
        for (let k = 1; k < half; k++) {
          const re = spectrum[2 * k], im = spectrum[2 * k + 1]
          let j = 2 * (offset + k)
          let hr = filterSpectrum[j], hi = filterSpectrum[j + 1]
          upSpectrum[j] = re * hr - im * hi
          upSpectrum[j + 1] = re * hi + im * hr
          j = 2 * (offset + n - k)
          hr = filterSpectrum[j]; hi = filterSpectrum[j + 1]
          upSpectrum[j] = re * hr + im * hi
          upSpectrum[j + 1] = re * hi - im * hr
        }
        const nyquist = 2 * (offset + half)
        upSpectrum[nyquist] = spectrum[1] * filterSpectrum[nyquist]
        upSpectrum[nyquist + 1] = spectrum[1] * filterSpectrum[nyquist + 1]
      }
      upSpectrum[2 * n] = spectrum[0] * filterSpectrum[2 * n]
      upSpectrum[2 * n + 1] = spectrum[0] * filterSpectrum[2 * n + 1]
      this.outputFft.inverse(upSpectrum, upsampled)
      // Output 4 (i + 64) + p of the block is time first + i + p / 4; the inverse FFT is unscaled.
      for (let i = 0, m = TRUE_PEAK_OVERSAMPLING * 2 * INTERPOLATOR_REACH_FRAMES; i < FFT_ADVANCE_FRAMES; i++, m += TRUE_PEAK_OVERSAMPLING) {
        // peakOfFrame, written out: this loop runs for every frame of every channel.
        let peak = Math.abs(block[i + INTERPOLATOR_REACH_FRAMES] * UPSAMPLED_BLOCK)
        let a = Math.abs(upsampled[m])
        if (a > peak) peak = a
        a = Math.abs(upsampled[m + 1])
        if (a > peak) peak = a
        a = Math.abs(upsampled[m + 2])
        if (a > peak) peak = a
        a = Math.abs(upsampled[m + 3])
        if (a > peak) peak = a
        peak *= 1 / UPSAMPLED_BLOCK // a power of two: exact
        if (c === 0 || peak > out[i]) out[i] = peak
      }
    }
  }

  dispose(): void {
    this.inputFft.dispose()
    this.outputFft.dispose()
  }
}

function maxAbs(channels: readonly Float32Array[], from: number, to: number): number {
  let peak = 0
  for (const x of channels) {
    for (let n = Math.max(0, from), end = Math.min(x.length, to); n < end; n++) {
      const value = Math.abs(x[n])
      if (value > peak) peak = value
    }
  }
  return peak
}

/**
 * Stereo-linked true-peak envelope (linear, full scale 1.0): for frame n, the largest over all channels of
 * |x[n]| and the 4x interpolated |x| at n + 1/4, 2/4, 3/4. Its maximum is src/analysis/loudness `truePeak`.
 */
export interface TruePeakEnvelope {
  /** Frames 0 .. N - 1. */
  readonly frames: Float32Array
  /** The interpolator's ringing before the signal (frames -32 .. -1) and after it (N .. N + 31): the meter counts it. */
  readonly before: Float32Array
  readonly after: Float32Array
}

/**
 * The true-peak envelope of `audio`. Blocks that provably stay at or below `skipBelowLinear` get the bound
 * max|x| sum|taps| instead of exact values. It scales linearly with an input gain, so `fitLoudness` computes
 * it once. `storage` (N values) may be supplied.
 */
export function truePeakEnvelope(audio: Audio, skipBelowLinear = 0, storage: Float32Array = new Float32Array(frameCount(audio))): TruePeakEnvelope {
  const frames = frameCount(audio)
  const reach = INTERPOLATOR_REACH_FRAMES
  const envelope = { frames: storage, before: new Float32Array(reach), after: new Float32Array(reach) }
  const interpolator = new FftInterpolator()
  const block = new Float32Array(FFT_ADVANCE_FRAMES)
  try {
    for (let first = -reach; first < frames + reach; first += FFT_ADVANCE_FRAMES) {
      const bound = maxAbs(audio.channels, first - reach, first + FFT_ADVANCE_FRAMES + reach) * INTERPOLATOR.absGain
      if (bound <= skipBelowLinear) block.fill(bound)
      else interpolator.peaks(audio.channels, first, block)
      const to = Math.min(frames + reach, first + FFT_ADVANCE_FRAMES)
      for (let n = first; n < Math.min(0, to); n++) envelope.before[n + reach] = block[n - first]
      if (to > 0 && first < frames) storage.set(block.subarray(Math.max(0, -first), Math.min(frames, to) - first), Math.max(0, first))
      for (let n = Math.max(frames, first); n < to; n++) envelope.after[n - frames] = block[n - first]
    }
  } finally {
    interpolator.dispose()
  }
  return envelope
}

/**
 * Writes the gain each frame needs, min(1, target / (inputGain envelope)), into `required`; the ringing
 * outside the signal constrains every frame within reach of it. Returns whether any frame needs reduction.
 */
function fillRequiredGain(envelope: TruePeakEnvelope, inputGain: number, target: number, required: Float32Array): boolean {
  const { frames, before, after } = envelope
  const count = frames.length
  let limited = false
  for (let n = 0; n < count; n++) {
    const peak = frames[n] * inputGain
    required[n] = peak > target ? target / peak : 1
    if (peak > target) limited = true
  }
  for (let i = 0; i < INTERPOLATOR_REACH_FRAMES; i++) {
    for (const [frame, peak] of [[i - INTERPOLATOR_REACH_FRAMES, before[i] * inputGain], [count + i, after[i] * inputGain]]) {
      if (peak <= target) continue
      limited = true
      const { from, to } = controllingFrames(frame, count)
      for (let k = from; k <= to; k++) required[k] = Math.min(required[k], target / peak)
    }
  }
  return limited
}

/**
 * Frames whose gain sets the interpolated value at `frame`: the frame itself, or, for the ringing outside
 * the signal (which has no gain of its own), every frame within the interpolator's reach.
 */
function controllingFrames(frame: number, frames: number): { from: number; to: number } {
  if (frame >= 0 && frame < frames) return { from: frame, to: frame }
  return { from: Math.max(0, frame - INTERPOLATOR_REACH_FRAMES), to: Math.min(frames - 1, frame + INTERPOLATOR_REACH_FRAMES) }
}

/**
 * Turns the required gain r into the applied gain g, in place, with g[m] <= r[m] at every frame: a forward
 * min-hold over L frames (van Herk / Gil-Werman: suffix minima of L-frame blocks plus a running prefix
 * minimum), a release y = 1 - (1 - y) a towards unity, then box averages of L1 + L2 - 1 = L frames, each
 * of which averages holds over windows that contain m. One forward pass; writes trail reads by L - 1 frames.
 */
function smoothGainInPlace(gain: Float32Array, span: number, releaseCoefficient: number): void {
  const frames = gain.length
  const pad = span - 1
  const total = frames + pad
  let current = new Float32Array(span) // suffix minima of this block of `span` steps ...
  let previous = new Float32Array(span) // ... and of the one before
  const box1 = Math.ceil((span + 1) / 2)
  const box2 = span + 1 - box1
  const ring1 = new Float64Array(box1).fill(1)
  const ring2 = new Float64Array(box2).fill(1)
  const inverse1 = 1 / box1, inverse2 = 1 / box2
  let prefix = 1, released = 1, sum1 = box1, sum2 = box2, at1 = 0, at2 = 0
  // Steps in a row that pushed unity into the first box: after box1 + box2 of them both boxes hold
  // constants, so their sums no longer change (x + (c - c) = x exactly) and neither does the output.
  let unitySteps = box1 + box2
  for (let blockStart = 0; blockStart < total; blockStart += span) {
    const swap = previous
    previous = current
    current = swap
    let running = 1
    for (let k = span - 1; k >= 0; k--) {
      const r = blockStart + k < frames ? gain[blockStart + k] : 1
      if (r < running) running = r
      current[k] = running
    }
    const end = Math.min(total, blockStart + span)
    // Steady state (no reduction in this block or held from the one before, released at unity, boxes
    // constant): each step below would push the values the boxes already hold and write one same value.
    // Skipping them gives the same bits; most of a master that the limiter leaves alone goes this way.
    if (current[0] === 1 && (span === 1 || previous[1] === 1) && released === 1 && unitySteps >= box1 + box2) {
      const steady = sum2 * inverse2 < 1 - SUM_ROUNDING ? sum2 * inverse2 : 1
      gain.fill(steady, Math.max(0, blockStart - pad), Math.max(0, end - pad))
      at1 = (at1 + end - blockStart) % box1
      at2 = (at2 + end - blockStart) % box2
      prefix = 1
      continue
    }
    // Step i: frame i enters the look-ahead; the hold min r[i - pad .. i] (previous suffix, this prefix) is frame i - pad's.
    for (let i = blockStart, phase = 0; i < end; i++, phase++) {
      const r = i < frames ? gain[i] : 1
      prefix = phase === 0 || r < prefix ? r : prefix
      let held = prefix
      if (i > pad && phase !== span - 1 && previous[phase + 1] < held) held = previous[phase + 1]
      released = 1 - (1 - released) * releaseCoefficient
      if (released > 1 - RELEASE_SNAP) released = 1
      if (held < released) released = held
      unitySteps = released === 1 ? unitySteps + 1 : 0
      sum1 += released - ring1[at1]
      ring1[at1] = released
      if (++at1 === box1) at1 = 0
      const average1 = sum1 * inverse1
      sum2 += average1 - ring2[at2]
      ring2[at2] = average1
      if (++at2 === box2) at2 = 0
      // Unity within the running sums' rounding is unity (bit-exact output after a release).
      if (i >= pad) gain[i - pad] = sum2 * inverse2 < 1 - SUM_ROUNDING ? sum2 * inverse2 : 1
    }
  }
}

/** What the limiter did. */
export interface TruePeakLimiterResult {
  readonly audio: Audio
  /** Largest gain reduction applied on top of the input gain (dB, >= 0). */
  readonly maxGainReductionDb: number
  /** Verify passes run (1: the first gain curve needed no correction). */
  readonly passes: number
  /** Uniform last-resort trim (dB, <= 0; 0 unless corrections did not converge). */
  readonly safetyTrimDb: number
}

/**
 * Options of `limitTruePeak`: an input gain applied before limiting, a precomputed `truePeakEnvelope` of
 * the input, and `output`, channel arrays (not the input's) the output is written into instead of new
 * ones; the envelope may live in the last of them (it is read before the output overwrites it), and a
 * precomputed first gain curve in the first.
 */
export interface TruePeakLimiterOptions {
  readonly inputGainDb?: number
  readonly envelope?: TruePeakEnvelope
  readonly output?: Float32Array[]
  /**
   * `limiterGainCurve` of this envelope and input gain, when the caller has it (it may live in
   * `output[0]`): saves computing it again. Anything else gives wrong output.
   */
  readonly firstGainCurve?: Float32Array
}

/** The limiter's timing in frames and its gain targets, from its parameters (linear gains). */
interface LimiterShape {
  target: number
  limit: number
  span: number
  releaseCoefficient: number
}

function limiterShape(params: TruePeakLimiterParams, sampleRateHz: number): LimiterShape {
  return {
    target: dbToGain(params.ceilingDbtp - GAIN_TARGET_MARGIN_DB),
    limit: dbToGain(params.ceilingDbtp - VERIFY_MARGIN_DB),
    span: Math.max(1, Math.round((params.lookaheadMs * sampleRateHz) / 1000)),
    releaseCoefficient: Math.exp(-1000 / (params.releaseMs * sampleRateHz)),
  }
}

function gainCurveOf(envelope: TruePeakEnvelope, shape: LimiterShape, inputGain: number, storage: Float32Array, corrections?: Map<number, number>): Float32Array {
  let limited = fillRequiredGain(envelope, inputGain, shape.target, storage)
  for (const [k, value] of corrections ?? []) if (value < storage[k]) { storage[k] = value; limited = true }
  if (limited) smoothGainInPlace(storage, shape.span, shape.releaseCoefficient)
  return storage
}

/**
 * The gain curve `limitTruePeak` first applies (before any correction) to audio at `sampleRateHz` with
 * this `envelope`, times `inputGainDb`, written into `storage`. Its output is float32(x[n] * (inputGain *
 * gain[n])) wherever it needed no correction (`TruePeakLimiterResult.passes` = 1 means nowhere), so a
 * loudness search can measure a trial gain without rendering it.
 */
export function limiterGainCurve(envelope: TruePeakEnvelope, params: TruePeakLimiterParams, sampleRateHz: number, inputGainDb: number, storage: Float32Array): Float32Array {
  return gainCurveOf(envelope, limiterShape(params, sampleRateHz), dbToGain(inputGainDb), storage)
}

/**
 * The limiter's gain per chunk of frames (`chunkBoundaries`: where each chunk starts, then where the last
 * ends), coarsely, for a loudness search to estimate a trial gain's loudness in a small fraction of
 * `limiterGainCurve`'s time. Each chunk's required gain comes from the largest envelope value within the
 * look-ahead of any of its frames (the hold does not depend on the gain, so it is found once, here); it
 * is released towards unity once per chunk, by the chunk's length, as `smoothGainInPlace` does per frame;
 * the box averages are left out. Returns a function of the input gain (dB) that writes one gain per chunk
 * into `out`. src/dsp/loudness-target.ts `coarseLoudness` turns it into loudness.
 */
export function coarseGainCurve(envelope: TruePeakEnvelope, chunkBoundaries: Int32Array, params: TruePeakLimiterParams, sampleRateHz: number): (inputGainDb: number, out: Float32Array) => Float32Array {
  const { target, span, releaseCoefficient } = limiterShape(params, sampleRateHz)
  const chunks = chunkBoundaries.length - 1
  const chunkPeaks = new Float32Array(chunks)
  for (let j = 0; j < chunks; j++) {
    let peak = 0
    for (let n = chunkBoundaries[j]; n < chunkBoundaries[j + 1]; n++) if (envelope.frames[n] > peak) peak = envelope.frames[n]
    chunkPeaks[j] = peak
  }
  // Largest chunk peak over chunks j .. ahead(j), the chunks whose first frame lies within the look-ahead
  // of chunk j's last frame; ahead(j) never decreases, so a monotonic queue of candidates finds it.
  const held = new Float32Array(chunks)
  const queue = new Int32Array(chunks)
  let head = 0, tail = 0, ahead = -1
  for (let j = 0; j < chunks; j++) {
    const reach = chunkBoundaries[j + 1] - 1 + span - 1
    while (ahead + 1 < chunks && (ahead < j || chunkBoundaries[ahead + 1] <= reach)) {
      ahead++
      while (tail > head && chunkPeaks[queue[tail - 1]] <= chunkPeaks[ahead]) tail--
      queue[tail++] = ahead
    }
    while (queue[head] < j) head++
    held[j] = chunkPeaks[queue[head]]
  }
  // The release over one chunk depends only on its length, so it is tabulated by length.
  let longest = 0
  for (let j = 0; j < chunks; j++) longest = Math.max(longest, chunkBoundaries[j + 1] - chunkBoundaries[j])
  const releaseByLength = Float64Array.from({ length: longest + 1 }, (_, length) => releaseCoefficient ** length)
  return (inputGainDb, out) => {
    const threshold = target / dbToGain(inputGainDb)
    let released = 1
    for (let j = 0; j < chunks; j++) {
      released = 1 - (1 - released) * releaseByLength[chunkBoundaries[j + 1] - chunkBoundaries[j]]
      const peak = held[j]
      if (peak > threshold && threshold / peak < released) released = threshold / peak
      out[j] = released
    }
    return out
  }
}

/**
 * Limits `audio` times the input gain so that its true peak, as src/analysis/loudness `truePeak` (and the
 * eval) measure it, stays at or below `params.ceilingDbtp` (module comment: how). The output has the
 * input's length and alignment; deterministic; the input is not modified.
 */
export function limitTruePeak(audio: Audio, params: TruePeakLimiterParams, options: TruePeakLimiterOptions = {}): TruePeakLimiterResult {
  assertProcessable(audio, 'true-peak limiter input')
  validateParams(TRUE_PEAK_LIMITER_PARAMS, params, 'truePeakLimiter')
  const gainDb = options.inputGainDb ?? 0
  if (!(Math.abs(gainDb) <= INPUT_GAIN_LIMIT_DB)) throw new RefmasterError('INVALID_PARAMETER', `inputGainDb must be within [-${INPUT_GAIN_LIMIT_DB}, ${INPUT_GAIN_LIMIT_DB}] dB, got ${gainDb}`)
  const inputGain = dbToGain(gainDb)
  const { channels, sampleRateHz } = audio
  const frames = frameCount(audio)
  const shape = limiterShape(params, sampleRateHz)
  const { target, limit } = shape
  const gainCurve = (env: TruePeakEnvelope, storage: Float32Array, corrections?: Map<number, number>): Float32Array => gainCurveOf(env, shape, inputGain, storage, corrections)
  // Fresh arrays cost more in page faults than in arithmetic here, so the first pass works inside the
  // output: the envelope in the last channel, the gain in channel 0 (written last, in place).
  const output = options.output ?? channels.map(() => new Float32Array(frames))
  if (output.length !== channels.length || output.some((y, c) => y.length !== frames || y === channels[c])) {
    throw new RangeError(`output must be ${channels.length} arrays of ${frames} frames, apart from the input's`)
  }
  const last = output.length - 1
  let envelope = options.envelope ?? truePeakEnvelope(audio, target / inputGain, output[last])
  if (envelope.frames.length !== frames) throw new RangeError(`envelope must hold ${frames} frames, got ${envelope.frames.length}`)
  let gain = options.firstGainCurve ?? gainCurve(envelope, envelope.frames === output[0] ? new Float32Array(frames) : output[0])
  if (gain.length !== frames) throw new RangeError(`firstGainCurve must hold ${frames} frames, got ${gain.length}`)
  let borrowed = envelope.frames === output[last] || gain === output[0]

  const blocks = Math.ceil(frames / VERIFY_BLOCK_FRAMES)
  const verifier: Verifier = { inputGain, limit, output, interpolator: new DirectInterpolator() }
  const corrections = new Map<number, number>()
  let dirty = new Uint8Array(blocks + 2).fill(1) // entries 0 and blocks + 1: the ringing before and after the signal
  let passes = 1
  let minGain = 1
  for (;; passes++) {
    const stats = gainStats(gain, envelope.frames) // before the output overwrites borrowed memory
    minGain = stats.minGain
    for (let c = last; c >= 0; c--) {
      const x = channels[c], y = output[c]
      for (let b = 0; b < blocks; b++) {
        if (!dirty[b + 1]) continue
        for (let n = b * VERIFY_BLOCK_FRAMES, end = Math.min(frames, n + VERIFY_BLOCK_FRAMES); n < end; n++) y[n] = x[n] * (inputGain * gain[n])
      }
    }
    const overshoots = verify(verifier, stats, dirty)
    if (overshoots.length === 0) break
    if (passes === MAX_CORRECTION_PASSES) {
      // Last resort, linear hence exact: every interpolated value scales with the trim.
      const trim = (limit / Math.max(...overshoots.map((o) => o.peak))) * CORRECTION_UNDERSHOOT_RATIO
      for (const y of output) for (let n = 0; n < frames; n++) y[n] *= trim
      return { audio: { channels: output, sampleRateHz }, maxGainReductionDb: -gainToDb(minGain * trim), passes, safetyTrimDb: gainToDb(trim) }
    }
    if (borrowed) {
      // Rare: rebuild the envelope and this pass's gain (deterministic, so identical) in their own memory.
      if (envelope.frames === output[last]) envelope = truePeakEnvelope(audio, target / inputGain)
      gain = gainCurve(envelope, new Float32Array(frames))
      borrowed = false
    }
    for (const { frame, peak } of overshoots) {
      const { from, to } = controllingFrames(frame, frames)
      for (let k = from; k <= to; k++) corrections.set(k, Math.min(corrections.get(k) ?? 1, gain[k] * (target / peak) * CORRECTION_UNDERSHOOT_RATIO))
    }
    const next = gainCurve(envelope, new Float32Array(frames), corrections)
    const changed = new Uint8Array(blocks + 2)
    for (let n = 0; n < frames; n++) if (next[n] !== gain[n]) changed[Math.floor(n / VERIFY_BLOCK_FRAMES) + 1] = 1
    for (let b = 0; b < blocks + 2; b++) dirty[b] = changed[b] | changed[Math.max(0, b - 1)] | changed[Math.min(blocks + 1, b + 1)]
    if (blocks > 1) dirty[blocks + 1] |= changed[blocks - 1] // after a short last block the ringing reaches one block further
    gain = next
  }
  return { audio: { channels: output, sampleRateHz }, maxGainReductionDb: minGain < 1 ? -gainToDb(minGain) : 0, passes, safetyTrimDb: 0 }
}

/**
 * Per verification block: the gain's range, its largest step between neighbours, max gain * envelope, and
 * max envelope, which bounds max|x| (the envelope includes |x[n]|).
 */
interface GainStats { low: Float32Array; high: Float32Array; step: Float32Array; worst: Float32Array; peak: Float32Array; minGain: number }

function gainStats(gain: Float32Array, envelope: Float32Array): GainStats {
  const frames = gain.length
  const blocks = Math.ceil(frames / VERIFY_BLOCK_FRAMES)
  const stats = { low: new Float32Array(blocks), high: new Float32Array(blocks), step: new Float32Array(blocks), worst: new Float32Array(blocks), peak: new Float32Array(blocks), minGain: 1 }
  for (let b = 0, n = 0; b < blocks; b++) {
    let low = gain[n], high = gain[n], step = 0, worst = 0, peak = 0
    for (const end = Math.min(frames, n + VERIFY_BLOCK_FRAMES); n < end; n++) {
      const g = gain[n]
      if (g < low) low = g
      if (g > high) high = g
      const jump = n + 1 < frames ? Math.abs(gain[n + 1] - g) : 0
      if (jump > step) step = jump
      const p = envelope[n]
      if (g * p > worst) worst = g * p
      if (p > peak) peak = p
    }
    stats.low[b] = low; stats.high[b] = high; stats.step[b] = step; stats.worst[b] = worst; stats.peak[b] = peak
    if (low < stats.minGain) stats.minGain = low
  }
  return stats
}

/** What `verify` reads besides the gain: fixed for one limiter run. */
interface Verifier {
  readonly inputGain: number
  readonly limit: number
  readonly output: Float32Array[]
  readonly interpolator: DirectInterpolator
}

/**
 * Checks the dirty blocks of y = inputGain * gain * x against `limit`: a bound first, exact interpolation
 * where the bound cannot decide. Returns the frames whose interpolated peak (plus rounding bound) exceeds it.
 */
function verify(v: Verifier, stats: GainStats, dirty: Uint8Array): Array<{ frame: number; peak: number }> {
  const { inputGain, limit, output, interpolator } = v
  const frames = output[0].length
  const blocks = stats.peak.length
  const reach = INTERPOLATOR_REACH_FRAMES
  const overshoots: Array<{ frame: number; peak: number }> = []
  const exact = new Float32Array(VERIFY_BLOCK_FRAMES)
  const checkExactly = (first: number, count: number): void => {
    interpolator.peaks(output, first, count, exact)
    const slack = maxAbs(output, first - reach, first + count + reach) * INTERPOLATOR.errorRatio
    for (let i = 0; i < count; i++) if (exact[i] + slack > limit) overshoots.push({ frame: first + i, peak: exact[i] + slack })
  }
  if (dirty[0]) checkExactly(-reach, reach)
  if (dirty[blocks + 1]) checkExactly(frames, reach)
  for (let b = 0; b < blocks; b++) {
    if (!dirty[b + 1]) continue
    // The reach of this block's frames lies within blocks b - 1 .. b + 1 (a block is as long as the reach).
    let xMax = 0, low = 1, high = 0, step = 0
    for (let k = Math.max(0, b - 1); k <= Math.min(blocks - 1, b + 1); k++) {
      xMax = Math.max(xMax, inputGain * stats.peak[k])
      low = Math.min(low, stats.low[k])
      high = Math.max(high, stats.high[k])
      step = Math.max(step, stats.step[k])
    }
    // |y4x - g[n] x4x| <= sum_j |c_j| |g[n - j] - g[n]| |x[n - j]| <= max|x| min(sum|c| (high - low), sum|j c_j| step)
    const modulation = xMax * Math.min(INTERPOLATOR.absGain * (high - low), INTERPOLATOR.momentGain * step)
    const bound = stats.worst[b] * inputGain * (1 + 4 * FLOAT32_EPSILON) + modulation + 2 * xMax * INTERPOLATOR.errorRatio
    if (bound > limit) checkExactly(b * VERIFY_BLOCK_FRAMES, Math.min(VERIFY_BLOCK_FRAMES, frames - b * VERIFY_BLOCK_FRAMES))
  }
  return overshoots
}

/** The processor: `limitTruePeak(audio, params).audio` (true peak <= ceilingDbtp; same length, rate and alignment). */
export function applyTruePeakLimiter(audio: Audio, params: TruePeakLimiterParams): Audio {
  return limitTruePeak(audio, params).audio
}
