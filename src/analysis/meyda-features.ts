/**
 * Meyda adapter: the only file in refmaster that imports `meyda` (STYLE.md habit 3). It summarises
 * Meyda's frame features (https://meyda.js.org/audio-features) over a mono signal as statistics.
 *
 * Meyda traps handled here (STACK.md, meyda row; checked against meyda 5.6.3 `src/main.ts`):
 * - Its settings and caches live on one global object. `extract` rebuilds the Bark scale only when the
 *   buffer size changes and the Mel filter bank only when the band count changes, so a second call with
 *   another `bufferSize` gives NaN MFCCs, and another `sampleRate` at the same size silently reuses the
 *   old Bark scale. We never touch the global object: every call works on its own copy of it, with its
 *   settings written and its caches (`barkScale`, `melFilterBank`) emptied.
 * - `spectralCentroid` and `spectralSpread` are in FFT bins: converted to Hz here (bin * fs / N).
 *   `spectralRolloff` is in Hz, but with a bin width of fs / (N - 2) instead of fs / N (0.1 % high at
 *   N = 2048, 0.8 % at 256): scaled by (N - 2) / N here so it is exactly bin * fs / N.
 * - `spectralSlope` divides by sum(a) (sum(f^2) - sum(f)^2) where Peeters (2004, eq. for the spectral
 *   slope) has sum(a) (K sum(f^2) - sum(f)^2): the factor is negative, so Meyda's slope has the wrong
 *   sign and a scale that depends on K = N / 2. The two denominators differ by a constant for given N
 *   and fs, so we multiply by their ratio and get Peeters' slope exactly.
 * - Silent frames give NaN (0 / 0): frames under a RMS threshold are skipped before Meyda sees them.
 * - `spectralFlux` throws in 5.6.3: never requested.
 * - `perceptualSharpness` in 5.6.3 adds g(z) instead of N'(z) g(z) z for the bands above z = 15, so
 *   loudness above ~3 kHz enters only its denominator: brighter sounds read *less* sharp (white noise
 *   0.51, its first difference 0.47, its low-passed version 0.55, all at -20 dBFS RMS) and the value
 *   drifts with level. We compute sharpness from Meyda's own Bark loudness with the formula Meyda
 *   follows (Peeters 2004, after von Bismarck 1974), see {@link MeydaSummary.perceptualSharpness}.
 * - Its FFT is slow: only up to `maxFrames` frames, spread evenly over the signal, are analysed.
 */
import meydaModule from 'meyda'
import { RefmasterError } from '../errors.js'
import { dbToGain } from '../units/db.js'

/** Statistics of one feature over the analysed frames, in the feature's own unit. */
export interface FeatureStats {
  /** Arithmetic mean. */
  mean: number
  /** Population standard deviation (divides by the frame count). */
  std: number
  /** 10th percentile, linear interpolation between order statistics (numpy's default method). */
  p10: number
  /** Median. */
  p50: number
  /** 90th percentile. */
  p90: number
}

/**
 * Meyda frame features of one signal, summarised over frames (https://meyda.js.org/audio-features).
 * Features without a unit in their name are Meyda's own values, whose scale depends on the frame size:
 * compare them only between analyses with the same `frameSize` (the same sample rate gives the same
 * frame size; refmaster analyses a reference at the mix's rate).
 * When no frame is loud enough (`framesAnalysed` = 0), every number is 0 and every array holds zeros.
 */
export interface MeydaSummary {
  /** FFT frame length in samples (a power of 2). */
  frameSize: number
  /** Distance between the starts of consecutive analysed frames, in samples. */
  hopSize: number
  /** Frames that entered the statistics (not silent, all features finite). */
  framesAnalysed: number
  /** Amplitude-weighted mean frequency of the spectrum, Hz (Meyda `spectralCentroid` * fs / N). */
  spectralCentroidHz: FeatureStats
  /** Amplitude-weighted standard deviation of frequency around the centroid, Hz. */
  spectralSpreadHz: FeatureStats
  /** Frequency below which 99 % of the summed spectral amplitude lies, Hz (Meyda `spectralRolloff` * (N - 2) / N). */
  spectralRolloffHz: FeatureStats
  /** Geometric over arithmetic mean of the amplitude spectrum: 0 tonal .. 1 white noise. */
  spectralFlatness: FeatureStats
  /** Peak over RMS of the amplitude spectrum (ratio; grows with frame size for tonal signals). */
  spectralCrest: FeatureStats
  /**
   * Least-squares slope of the amplitude spectrum against frequency, divided by the summed amplitude,
   * 1/Hz: negative for dark, ~0 for white, positive for bright sounds (Peeters 2004; Meyda's
   * `spectralSlope` with its denominator corrected, see the file comment).
   */
  spectralSlope: FeatureStats
  /**
   * Sharpness of Meyda's Bark loudness N'(z): 0.11 * sum(N'(z) g(z) z) / sum(N'(z)), z the band centre
   * in Bark, g(z) = 1 below 15 Bark and 0.066 exp(0.171 z) above (Peeters 2004, CUIDADO report, sec.
   * 8.2; von Bismarck 1974). Acum-like but uncalibrated, level-invariant. Not Meyda's
   * `perceptualSharpness`, which is broken in 5.6.3 (see the file comment).
   */
  perceptualSharpness: FeatureStats
  /** Meyda `perceptualSpread`: ((total - largest band) / total)^2 of the Bark loudness, 0..1. */
  perceptualSpread: FeatureStats
  /** Zero crossings per second (Meyda `zcr` is a count per frame: divided by the frame's N / fs seconds). */
  zcrPerSecond: FeatureStats
  /** Mean of each of the 13 MFCCs (Meyda `mfcc`: DCT-II of ln(1 + Mel band power), 26 Mel bands). */
  mfccMean: number[]
  /** Population standard deviation of each of the 13 MFCCs. */
  mfccStd: number[]
  /** Mean over frames of Meyda `loudness.specific`: 24 Bark bands, (sum of band amplitudes)^0.23. */
  barkLoudnessMean: number[]
  /** Meyda `loudness.total` (sum of the 24 specific loudnesses; sone-like, NOT LUFS). */
  totalLoudnessStats: FeatureStats
}

/** Options of {@link summariseMeydaFeatures}; every field has a default. */
export interface MeydaFeatureOptions {
  /** FFT frame length in samples, a power of 2 within [256, 65536]; default {@link defaultMeydaFrameSize}. */
  frameSize?: number
  /** Most frames analysed, an integer >= 1; default {@link DEFAULT_MEYDA_MAX_FRAMES}. */
  maxFrames?: number
  /** Frames whose RMS (full-scale sine = -3 dBFS) is below this are skipped, dBFS; default -60. */
  silenceThresholdDbfs?: number
}

/** MFCCs kept per frame: Meyda's default `numberOfMFCCCoefficients`, the usual 13 (HTK, Davis & Mermelstein 1980). */
export const MEYDA_MFCC_COUNT = 13
/** Bark bands of Meyda `loudness`: its default `numberOfBarkBands`, Zwicker's 24 critical bands. */
export const MEYDA_BARK_BAND_COUNT = 24
/** Most frames analysed by default: enough for stable percentiles, inside the speed budget (300 ms for 4 min). */
export const DEFAULT_MEYDA_MAX_FRAMES = 400
/** Frames quieter than this RMS are skipped by default, dBFS (project brief). */
export const DEFAULT_MEYDA_SILENCE_THRESHOLD_DBFS = -60

/** Reference frame: 2048 samples at 44.1 kHz (46.4 ms), the project's choice for music analysis. */
const REFERENCE_FRAME_SIZE_SAMPLES = 2048
const REFERENCE_SAMPLE_RATE_HZ = 44_100
const TARGET_FRAME_DURATION_SECONDS = REFERENCE_FRAME_SIZE_SAMPLES / REFERENCE_SAMPLE_RATE_HZ
/** Below 256 samples (5.8 ms at 44.1 kHz) most low Mel and Bark bands hold no FFT bin. */
const MIN_FRAME_SIZE_SAMPLES = 256
/** Above 65536 samples (1.5 s at 44.1 kHz) a frame no longer describes a moment of the music. */
const MAX_FRAME_SIZE_SAMPLES = 65_536
/** Smallest hop as a fraction of the frame: 50 % overlap, where Hann windows sum to a constant. */
const MIN_HOP_FRACTION = 0.5
const MEL_BAND_COUNT = 26 // Meyda's default `melBands`
const WINDOWING_FUNCTION = 'hanning' // Meyda's default window
const PERCENTILES = { p10: 0.1, p50: 0.5, p90: 0.9 } as const
/** Sharpness constants, Peeters (2004) "A large set of audio features", sec. 8.2 (as in Meyda's code). */
const SHARPNESS_SCALE = 0.11
const SHARPNESS_KNEE_BARK = 15
const SHARPNESS_G_GAIN = 0.066
const SHARPNESS_G_RATE_PER_BARK = 0.171
/** Bark scale of Meyda's `createBarkScale` (Zwicker & Terhardt 1980 form): z = 13 atan(f / 1315.8) + 3.5 atan((f / 7518)^2). */
const BARK_LINEAR_HZ = 1315.8
const BARK_QUADRATIC_HZ = 7518

/** The Meyda features we request. `spectralFlux` is absent on purpose: it throws in 5.6.3. */
const MEYDA_FEATURES = [
  'spectralCentroid',
  'spectralSpread',
  'spectralRolloff',
  'spectralFlatness',
  'spectralCrest',
  'spectralSlope',
  'perceptualSpread',
  'zcr',
  'mfcc',
  'loudness',
] as const

/** What this file uses of Meyda's default export (its own typings declare DOM types). */
interface MeydaExtractor {
  bufferSize: number
  sampleRate: number
  windowingFunction: string
  melBands: number
  numberOfMFCCCoefficients: number
  numberOfBarkBands: number
  chromaBands: number
  barkScale?: unknown
  melFilterBank?: unknown
  chromaFilterBank?: unknown
  extract(features: readonly string[], signal: Float32Array): MeydaFrameFeatures | null
}

interface MeydaFrameFeatures {
  spectralCentroid: number
  spectralSpread: number
  spectralRolloff: number
  spectralFlatness: number
  spectralCrest: number
  spectralSlope: number
  perceptualSpread: number
  zcr: number
  mfcc: number[]
  loudness: { specific: Float32Array; total: number }
}

// meyda ships CommonJS (`module.exports = Meyda`) with ESM-style typings; under NodeNext the default
// import is the object at run time, while bundlers may hand over `{ default: Meyda }`.
const meydaGlobal = ((meydaModule as unknown as { default?: MeydaExtractor }).default ??
  meydaModule) as unknown as MeydaExtractor

/**
 * A private Meyda state for one analysis: a copy of the global object with our settings and empty
 * caches, so no other call (ours or anyone's) can leave a stale Bark scale or Mel bank behind.
 */
function createMeydaExtractor(frameSize: number, sampleRateHz: number): MeydaExtractor {
  return {
    ...meydaGlobal,
    bufferSize: frameSize,
    sampleRate: sampleRateHz,
    windowingFunction: WINDOWING_FUNCTION,
    melBands: MEL_BAND_COUNT,
    numberOfMFCCCoefficients: MEYDA_MFCC_COUNT,
    numberOfBarkBands: MEYDA_BARK_BAND_COUNT,
    barkScale: undefined,
    melFilterBank: undefined,
    // We never ask for chroma; an empty bank whose length equals `chromaBands` keeps `extract` from
    // building a 12 x N bank on the first frame (10-60 ms, a fifth of the time budget).
    chromaBands: 0,
    chromaFilterBank: [],
  }
}

/**
 * Default frame size for a sample rate: the power of 2 nearest (in log2) to 46.4 ms of audio, so
 * 2048 at 44.1 and 48 kHz, 4096 at 88.2 and 96 kHz, 8192 at 176.4 and 192 kHz. Samples.
 */
export function defaultMeydaFrameSize(sampleRateHz: number): number {
  const exponent = Math.round(Math.log2(sampleRateHz * TARGET_FRAME_DURATION_SECONDS))
  const clamped = Math.min(Math.log2(MAX_FRAME_SIZE_SAMPLES), Math.max(Math.log2(MIN_FRAME_SIZE_SAMPLES), exponent))
  return 2 ** clamped
}

/** Fills `frame` with the mid signal from `start` (zero-padded past the end) and returns it. */
function midFrame(channels: Float32Array[], start: number, frame: Float32Array): Float32Array {
  const length = channels[0].length
  const available = Math.max(0, Math.min(frame.length, length - start))
  if (channels.length === 1) {
    frame.set(channels[0].subarray(start, start + available))
  } else {
    const [left, right] = channels
    for (let n = 0; n < available; n++) frame[n] = 0.5 * (left[start + n] + right[start + n])
  }
  frame.fill(0, available)
  return frame
}

/**
 * Summarises Meyda frame features of a signal (full scale 1.0) as per-feature statistics. Stereo is
 * analysed as its mid signal (L+R)/2, mixed frame by frame so that only the analysed frames are built.
 * Frames: Hann-windowed, `frameSize` samples, at most `maxFrames` of them on an integer hop of at
 * least half a frame, spread evenly and centred over the signal (a signal shorter than one frame is
 * zero-padded into one frame). Frames with RMS below `silenceThresholdDbfs`, and frames where Meyda
 * returns any non-finite value, are skipped; if none remains, all statistics are zeros and
 * `framesAnalysed` is 0. Pure and deterministic; the input is not modified.
 * Reference: https://meyda.js.org/audio-features (Meyda 5.6.3).
 * @throws RefmasterError INVALID_PARAMETER when the rate or an option is out of range.
 */
export function summariseMeydaFeatures(
  channels: Float32Array[],
  sampleRateHz: number,
  options: MeydaFeatureOptions = {},
): MeydaSummary {
  if (!(Number.isFinite(sampleRateHz) && sampleRateHz > 0)) {
    throw new RefmasterError('INVALID_PARAMETER', `sampleRateHz must be a finite number > 0 Hz, got ${sampleRateHz}`)
  }
  const frameSize = options.frameSize ?? defaultMeydaFrameSize(sampleRateHz)
  const maxFrames = options.maxFrames ?? DEFAULT_MEYDA_MAX_FRAMES
  const silenceThresholdDbfs = options.silenceThresholdDbfs ?? DEFAULT_MEYDA_SILENCE_THRESHOLD_DBFS
  validateOptions(frameSize, maxFrames, silenceThresholdDbfs)

  const length = channels[0]?.length ?? 0
  const { hopSize, starts } = planFrames(length, frameSize, maxFrames)
  const extractor = createMeydaExtractor(frameSize, sampleRateHz)
  const hzPerBin = sampleRateHz / frameSize
  const frameDurationSeconds = frameSize / sampleRateHz
  const silenceRms = dbToGain(silenceThresholdDbfs)
  const padded = new Float32Array(frameSize)
  const sharpnessWeights = sharpnessBandWeights(sampleRateHz, frameSize)
  const slopeCorrection = spectralSlopeCorrection(sampleRateHz, frameSize)
  const rolloffCorrection = (frameSize - 2) / frameSize

  const scalars = {
    centroidHz: [] as number[], spreadHz: [] as number[], rolloffHz: [] as number[], flatness: [] as number[],
    crest: [] as number[], slope: [] as number[], sharpness: [] as number[], perceptualSpread: [] as number[],
    zcrPerSecond: [] as number[], totalLoudness: [] as number[],
  }
  const mfccs: number[][] = []
  const barkLoudness: Float32Array[] = []

  for (const start of starts) {
    const frame = midFrame(channels, start, padded)
    if (!(frameRms(frame) >= silenceRms)) continue // also skips NaN samples
    const f = extractor.extract(MEYDA_FEATURES, frame)
    if (f === null || !allFinite(f)) continue
    const frameSharpness = sharpness(f.loudness.specific, sharpnessWeights)
    if (!Number.isFinite(frameSharpness)) continue
    scalars.centroidHz.push(f.spectralCentroid * hzPerBin)
    scalars.spreadHz.push(f.spectralSpread * hzPerBin)
    scalars.rolloffHz.push(f.spectralRolloff * rolloffCorrection)
    scalars.flatness.push(f.spectralFlatness)
    scalars.crest.push(f.spectralCrest)
    scalars.slope.push(f.spectralSlope * slopeCorrection)
    scalars.sharpness.push(frameSharpness)
    scalars.perceptualSpread.push(f.perceptualSpread)
    scalars.zcrPerSecond.push(f.zcr / frameDurationSeconds)
    scalars.totalLoudness.push(f.loudness.total)
    mfccs.push(f.mfcc.slice(0, MEYDA_MFCC_COUNT))
    barkLoudness.push(f.loudness.specific)
  }

  const mfccColumns = columns(mfccs, MEYDA_MFCC_COUNT)
  return {
    frameSize,
    hopSize,
    framesAnalysed: mfccs.length,
    spectralCentroidHz: featureStats(scalars.centroidHz),
    spectralSpreadHz: featureStats(scalars.spreadHz),
    spectralRolloffHz: featureStats(scalars.rolloffHz),
    spectralFlatness: featureStats(scalars.flatness),
    spectralCrest: featureStats(scalars.crest),
    spectralSlope: featureStats(scalars.slope),
    perceptualSharpness: featureStats(scalars.sharpness),
    perceptualSpread: featureStats(scalars.perceptualSpread),
    zcrPerSecond: featureStats(scalars.zcrPerSecond),
    mfccMean: mfccColumns.map(mean),
    mfccStd: mfccColumns.map(standardDeviation),
    barkLoudnessMean: columns(barkLoudness, MEYDA_BARK_BAND_COUNT).map(mean),
    totalLoudnessStats: featureStats(scalars.totalLoudness),
  }
}

function validateOptions(frameSize: number, maxFrames: number, silenceThresholdDbfs: number): void {
  const isPowerOfTwo = Number.isInteger(frameSize) && frameSize > 0 && (frameSize & (frameSize - 1)) === 0
  if (!isPowerOfTwo || frameSize < MIN_FRAME_SIZE_SAMPLES || frameSize > MAX_FRAME_SIZE_SAMPLES) {
    throw new RefmasterError(
      'INVALID_PARAMETER',
      `frameSize must be a power of 2 within [${MIN_FRAME_SIZE_SAMPLES}, ${MAX_FRAME_SIZE_SAMPLES}] samples, got ${frameSize}`,
    )
  }
  if (!Number.isInteger(maxFrames) || maxFrames < 1) {
    throw new RefmasterError('INVALID_PARAMETER', `maxFrames must be an integer >= 1, got ${maxFrames}`)
  }
  if (Number.isNaN(silenceThresholdDbfs) || silenceThresholdDbfs > 0) {
    throw new RefmasterError('INVALID_PARAMETER', `silenceThresholdDbfs must be <= 0 dBFS, got ${silenceThresholdDbfs}`)
  }
}

/**
 * Frame starts: an integer hop of at least half a frame, large enough that at most `maxFrames` frames
 * fit, and the grid centred in the signal so both ends are treated alike.
 */
function planFrames(lengthSamples: number, frameSize: number, maxFrames: number): { hopSize: number; starts: number[] } {
  const minHop = Math.max(1, Math.floor(frameSize * MIN_HOP_FRACTION))
  if (lengthSamples === 0) return { hopSize: minHop, starts: [] }
  if (lengthSamples <= frameSize) return { hopSize: minHop, starts: [0] }
  const spanSamples = lengthSamples - frameSize
  // floor: (maxFrames - 1) hops still fit in the span, so exactly maxFrames frames are used when they fit
  const hopSize = Math.max(minHop, maxFrames > 1 ? Math.floor(spanSamples / (maxFrames - 1)) : spanSamples)
  const count = Math.min(maxFrames, Math.floor(spanSamples / hopSize) + 1)
  const offset = Math.floor((spanSamples - (count - 1) * hopSize) / 2)
  const starts = Array.from({ length: count }, (_, i) => offset + i * hopSize)
  return { hopSize, starts }
}

/**
 * Ratio of Meyda's slope denominator to Peeters', over Meyda's bins f_k = k fs / N, k < K = N / 2:
 * (sum f^2 - (sum f)^2) / (K sum f^2 - (sum f)^2). The numerators are the same.
 */
function spectralSlopeCorrection(sampleRateHz: number, frameSize: number): number {
  const binCount = frameSize / 2
  let sumHz = 0
  let sumSquaredHz = 0
  for (let k = 0; k < binCount; k++) {
    const frequencyHz = (k * sampleRateHz) / frameSize
    sumHz += frequencyHz
    sumSquaredHz += frequencyHz * frequencyHz
  }
  return (sumSquaredHz - sumHz * sumHz) / (binCount * sumSquaredHz - sumHz * sumHz)
}

function hzToBark(frequencyHz: number): number {
  return 13 * Math.atan(frequencyHz / BARK_LINEAR_HZ) + 3.5 * Math.atan((frequencyHz / BARK_QUADRATIC_HZ) ** 2)
}

/**
 * g(z) * z at the centre of each of Meyda's loudness bands. Meyda cuts [0, z(top bin)] into equal
 * Bark slices, the top bin being N/2 - 1 (meyda 5.6.3 `extractors/loudness.ts`).
 */
function sharpnessBandWeights(sampleRateHz: number, frameSize: number): Float64Array {
  const topBark = hzToBark(((frameSize / 2 - 1) * sampleRateHz) / frameSize)
  const weights = new Float64Array(MEYDA_BARK_BAND_COUNT)
  for (let band = 0; band < MEYDA_BARK_BAND_COUNT; band++) {
    const z = ((band + 0.5) * topBark) / MEYDA_BARK_BAND_COUNT
    const g = z < SHARPNESS_KNEE_BARK ? 1 : SHARPNESS_G_GAIN * Math.exp(SHARPNESS_G_RATE_PER_BARK * z)
    weights[band] = g * z
  }
  return weights
}

/** 0.11 * sum(N'(z) g(z) z) / sum(N'(z)); NaN when the loudness is all zero (the frame is then dropped). */
function sharpness(specificLoudness: Float32Array, weights: Float64Array): number {
  let weighted = 0
  let total = 0
  for (let band = 0; band < weights.length; band++) {
    weighted += specificLoudness[band] * weights[band]
    total += specificLoudness[band]
  }
  return (SHARPNESS_SCALE * weighted) / total
}

/** RMS of the raw (unwindowed) frame: Meyda's own `rms` is taken after the window. */
function frameRms(frame: Float32Array): number {
  let sum = 0
  for (let n = 0; n < frame.length; n++) sum += frame[n] * frame[n]
  return Math.sqrt(sum / frame.length)
}

function allFinite(f: MeydaFrameFeatures): boolean {
  const scalars = [
    f.spectralCentroid, f.spectralSpread, f.spectralRolloff, f.spectralFlatness, f.spectralCrest,
    f.spectralSlope, f.perceptualSpread, f.zcr, f.loudness.total,
  ]
  return scalars.every(Number.isFinite) && f.mfcc.every(Number.isFinite) && f.loudness.specific.every(Number.isFinite)
}

/** Transposes rows (one per frame) into `width` columns (one per coefficient or band). */
function columns(rows: ArrayLike<number>[], width: number): number[][] {
  return Array.from({ length: width }, (_, j) => rows.map((row) => row[j]))
}

function mean(values: number[]): number {
  if (values.length === 0) return 0
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

function standardDeviation(values: number[]): number {
  if (values.length === 0) return 0
  const m = mean(values)
  let sum = 0
  for (const v of values) sum += (v - m) * (v - m)
  return Math.sqrt(sum / values.length)
}

/** Percentile `q` in [0, 1] of ascending `sorted`, interpolating linearly between order statistics. */
function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  const position = q * (sorted.length - 1)
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below] + (position - below) * (sorted[above] - sorted[below])
}

function featureStats(values: number[]): FeatureStats {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    mean: mean(values),
    std: standardDeviation(values),
    p10: percentile(sorted, PERCENTILES.p10),
    p50: percentile(sorted, PERCENTILES.p50),
    p90: percentile(sorted, PERCENTILES.p90),
  }
}
