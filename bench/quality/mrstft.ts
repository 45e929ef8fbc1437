/**
 * The protocol's multi-resolution STFT distance and the alignment before it: a port of
 * ../shared/eval/metrics.py `_stft_mag`, `mrstft`, `estimate_lag` and `align` (auraloss
 * MultiResolutionSTFTLoss defaults: spectral convergence plus mean |log magnitude difference|).
 */
import type { Audio } from '../../src/audio/audio.js'
import { RealFft } from '../../src/dsp/fft.js'

/** (FFT size, hop, window length) per resolution: auraloss defaults, metrics.py MRSTFT_RES. */
export const MRSTFT_RESOLUTIONS: ReadonlyArray<{ fftSize: number; hop: number; windowLength: number }> = [
  { fftSize: 1024, hop: 120, windowLength: 600 },
  { fftSize: 2048, hop: 240, windowLength: 1200 },
  { fftSize: 512, hop: 50, windowLength: 240 },
]
/** Power floor under every STFT bin: |X| = sqrt(max(|X|^2, 1e-8)) (metrics.py `_stft_mag`). */
const MAGNITUDE_POWER_FLOOR = 1e-8
/** Relative margin within which FFT-based correlation peaks are re-checked by exact float64 sums. */
const LAG_RECHECK_MARGIN = 1e-4
/** Most candidate lags re-checked exactly (the highest by FFT correlation). */
const LAG_RECHECK_MAX = 64

const ffts = new Map<number, RealFft>()
function fftOf(size: number): RealFft {
  let fft = ffts.get(size)
  if (!fft) {
    fft = new RealFft(size)
    ffts.set(size, fft)
  }
  return fft
}

/** A periodic Hann window of `windowLength`, centred in `fftSize` zeros, in float32 (torch.stft's layout). */
function centredHann(fftSize: number, windowLength: number): Float32Array {
  const w = new Float32Array(fftSize)
  const offset = Math.floor((fftSize - windowLength) / 2)
  for (let i = 0; i < windowLength; i++) w[offset + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / windowLength)
  return w
}

/** Reflect-padded (numpy.pad mode="reflect", the edge sample not repeated), windowed frame starting at `start`. */
function windowedFrame(x: Float32Array, start: number, window: Float32Array, frame: Float32Array): void {
  const n = x.length
  const size = frame.length
  if (start >= 0 && start + size <= n) {
    for (let i = 0; i < size; i++) frame[i] = x[start + i] * window[i]
    return
  }
  for (let i = 0; i < size; i++) {
    let j = start + i
    if (j < 0) j = -j
    else if (j >= n) j = 2 * (n - 1) - j
    frame[i] = x[j] * window[i] // stored as float32, as numpy multiplies two float32 arrays
  }
}

/** |X|^2 of bin k of a spectrum in PFFFT's ordered layout, floored as metrics.py `_stft_mag` floors it. */
function binPower(spectrum: Float32Array, k: number, bins: number): number {
  let p: number
  if (k === 0) p = spectrum[0] * spectrum[0]
  else if (k === bins - 1) p = spectrum[1] * spectrum[1]
  else p = spectrum[2 * k] * spectrum[2 * k] + spectrum[2 * k + 1] * spectrum[2 * k + 1]
  return p > MAGNITUDE_POWER_FLOOR ? p : MAGNITUDE_POWER_FLOOR
}

/** Sums over one resolution and one channel pair: ||Y - X||^2, ||Y||^2 and sum |ln(Y^2 / X^2)|. */
interface ResolutionSums {
  diffEnergy: number
  refEnergy: number
  logRatioSum: number
  count: number
}

/**
 * STFTs of one channel of est and ref as torch.stft(center=True) computes them (metrics.py `_stft_mag`):
 * frames of `fftSize` every `hop` samples over the signal reflect-padded by fftSize / 2 at both ends,
 * floor(n / hop) + 1 frames of fftSize / 2 + 1 bins, windowed by a periodic Hann of `windowLength`
 * centred in the frame. Accumulates the distance's sums frame by frame instead of storing the spectra.
 */
function accumulateStft(est: Float32Array, ref: Float32Array, fftSize: number, hop: number, windowLength: number, sums: ResolutionSums): void {
  const n = est.length
  const frames = Math.floor(n / hop) + 1
  const bins = fftSize / 2 + 1
  const window = centredHann(fftSize, windowLength)
  const fft = fftOf(fftSize)
  const frame = new Float32Array(fftSize)
  const spectrumX = new Float32Array(fftSize)
  const spectrumY = new Float32Array(fftSize)
  let { diffEnergy, refEnergy, logRatioSum } = sums
  for (let f = 0; f < frames; f++) {
    const start = f * hop - fftSize / 2
    windowedFrame(est, start, window, frame)
    fft.forward(frame, spectrumX)
    windowedFrame(ref, start, window, frame)
    fft.forward(frame, spectrumY)
    for (let k = 0; k < bins; k++) {
      const px = binPower(spectrumX, k, bins)
      const py = binPower(spectrumY, k, bins)
      // (|Y| - |X|)^2 = |Y|^2 + |X|^2 - 2 |X||Y|
      diffEnergy += py + px - 2 * Math.sqrt(px * py)
      refEnergy += py
      logRatioSum += Math.abs(Math.log(py / px)) // = 2 |ln|Y| - ln|X||
    }
  }
  sums.diffEnergy = diffEnergy
  sums.refEnergy = refEnergy
  sums.logRatioSum = logRatioSum
  sums.count += frames * bins
}

/** The two terms of the distance, each averaged over the resolutions. */
export interface MrstftResult {
  /** Mean spectral convergence plus mean log-magnitude term (metrics.py mrstft's first value). */
  total: number
  /** Mean over resolutions of mean |ln|Y| - ln|X||: the log term alone (mrstft_logmag). */
  logMagnitude: number
}

/**
 * metrics.py `mrstft(est, ref)`: per resolution, spectral convergence ||Y - X||_F / ||Y||_F and
 * mean |ln Y - ln X| over both channels, frames and bins (X = |STFT(est)|, Y = |STFT(ref)|); `est` and
 * `ref` have the same length (after `align`).
 */
export function mrstft(est: Audio, ref: Audio): MrstftResult {
  let convergence = 0
  let logMagnitude = 0
  for (const { fftSize, hop, windowLength } of MRSTFT_RESOLUTIONS) {
    const sums: ResolutionSums = { diffEnergy: 0, refEnergy: 0, logRatioSum: 0, count: 0 }
    for (let c = 0; c < est.channels.length; c++) accumulateStft(est.channels[c], ref.channels[c], fftSize, hop, windowLength, sums)
    convergence += Math.sqrt(Math.max(0, sums.diffEnergy)) / Math.sqrt(sums.refEnergy)
    logMagnitude += sums.logRatioSum / 2 / sums.count
  }
  const resolutions = MRSTFT_RESOLUTIONS.length
  return { total: convergence / resolutions + logMagnitude / resolutions, logMagnitude: logMagnitude / resolutions }
}

function midOf(x: Audio): Float64Array {
  const [l, r] = x.channels
  const mid = new Float64Array(l.length)
  for (let n = 0; n < l.length; n++) mid[n] = (l[n] + r[n]) / 2
  return mid
}

/** Exact sum_m a[m + lag] b[m] over the overlap of the first n samples. */
function correlationAt(a: Float64Array, b: Float64Array, n: number, lag: number): number {
  let sum = 0
  const first = Math.max(0, -lag)
  const last = Math.min(n, n - lag)
  for (let m = first; m < last; m++) sum += a[m + lag] * b[m]
  return sum
}

/**
 * metrics.py `estimate_lag`: the lag (samples) of `est` relative to `ref` within +-maxLag that maximises
 * |cross-correlation| of the mid signals (L+R)/2 over their first min(lengths) samples; ties go to the
 * lowest lag, as numpy.argmax. The correlation runs by float32 FFT; candidates near its peak are
 * re-evaluated by exact float64 sums, so the choice does not depend on float32 rounding.
 */
export function estimateLag(est: Audio, ref: Audio, maxLag: number): number {
  const a = midOf(est)
  const b = midOf(ref)
  const n = Math.min(a.length, b.length)
  const maxLagUsed = Math.min(maxLag, n - 1)
  // circular correlation of length >= n + maxLag holds every linear lag within +-maxLag unaliased
  let size = 32
  while (size < n + maxLagUsed) size *= 2
  const fft = fftOf(size)
  const buffer = new Float32Array(size)
  const spectrumA = new Float32Array(size)
  const spectrumB = new Float32Array(size)
  for (let i = 0; i < n; i++) buffer[i] = a[i]
  fft.forward(buffer, spectrumA)
  buffer.fill(0)
  for (let i = 0; i < n; i++) buffer[i] = b[i]
  fft.forward(buffer, spectrumB)
  // A conj(B) in PFFFT's ordered layout: DC and Nyquist are real
  spectrumA[0] *= spectrumB[0]
  spectrumA[1] *= spectrumB[1]
  for (let k = 1; k < size / 2; k++) {
    const ar = spectrumA[2 * k]
    const ai = spectrumA[2 * k + 1]
    const br = spectrumB[2 * k]
    const bi = spectrumB[2 * k + 1]
    spectrumA[2 * k] = ar * br + ai * bi
    spectrumA[2 * k + 1] = ai * br - ar * bi
  }
  fft.inverse(spectrumA, buffer)
  const valueAt = (lag: number) => Math.abs(buffer[(lag + size) % size])
  let peak = 0
  for (let lag = -maxLagUsed; lag <= maxLagUsed; lag++) peak = Math.max(peak, valueAt(lag))
  const candidates: number[] = []
  for (let lag = -maxLagUsed; lag <= maxLagUsed; lag++) if (valueAt(lag) >= peak * (1 - LAG_RECHECK_MARGIN)) candidates.push(lag)
  candidates.sort((x, y) => valueAt(y) - valueAt(x) || x - y)
  let bestLag = 0
  let best = -1
  for (const lag of candidates.slice(0, LAG_RECHECK_MAX).sort((x, y) => x - y)) {
    const value = Math.abs(correlationAt(a, b, n, lag))
    if (value > best) {
      best = value
      bestLag = lag
    }
  }
  return bestLag
}

/** The aligned pair and the lag that aligned them (metrics.py `align`). */
export interface Aligned {
  est: Audio
  ref: Audio
  lagSamples: number
}

/** metrics.py `align`: drops the leading non-overlap given the estimated lag; trims both to a common length. */
export function align(est: Audio, ref: Audio, maxLag: number): Aligned {
  const lag = estimateLag(est, ref, maxLag)
  const estStart = lag >= 0 ? lag : 0
  const refStart = lag >= 0 ? 0 : -lag
  const n = Math.min(est.channels[0].length - estStart, ref.channels[0].length - refStart)
  const cut = (x: Audio, start: number): Audio => ({ sampleRateHz: x.sampleRateHz, channels: x.channels.map((c) => c.subarray(start, start + n)) })
  return { est: cut(est, estStart), ref: cut(ref, refStart), lagSamples: lag }
}
