import { describe, expect, it } from 'vitest'
import { RefmasterError } from '../../src/errors.js'
import {
  defaultMeydaFrameSize,
  MEYDA_BARK_BAND_COUNT,
  MEYDA_MFCC_COUNT,
  summariseMeydaFeatures,
  type FeatureStats,
  type MeydaSummary,
} from '../../src/analysis/meyda-features.js'

const FS_HZ = 44_100

function sine(frequencyHz: number, amplitude: number, seconds: number, sampleRateHz = FS_HZ): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRateHz))
  for (let n = 0; n < out.length; n++) out[n] = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRateHz)
  return out
}

/** Uniform white noise in [-amplitude, amplitude) from a seeded mulberry32 generator. */
function whiteNoise(amplitude: number, seconds: number, seed = 1, sampleRateHz = FS_HZ): Float32Array {
  let state = seed >>> 0
  const out = new Float32Array(Math.round(seconds * sampleRateHz))
  for (let n = 0; n < out.length; n++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const unit = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
    out[n] = amplitude * (2 * unit - 1)
  }
  return out
}

/** One-pole low-pass y[n] = (1 - a) x[n] + a y[n-1]: a dark, pink-ish spectrum. */
function lowpassed(x: Float32Array, a: number): Float32Array {
  const out = new Float32Array(x.length)
  let y = 0
  for (let n = 0; n < x.length; n++) out[n] = y = (1 - a) * x[n] + a * y
  return out
}

/** First difference y[n] = x[n] - x[n-1]: +6 dB/octave, a bright spectrum. */
function differenced(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length)
  for (let n = 0; n < x.length; n++) out[n] = x[n] - (n > 0 ? x[n - 1] : 0)
  return out
}

const SCALAR_KEYS = [
  'spectralCentroidHz', 'spectralSpreadHz', 'spectralRolloffHz', 'spectralFlatness', 'spectralCrest',
  'spectralSlope', 'perceptualSharpness', 'perceptualSpread', 'zcrPerSecond', 'totalLoudnessStats',
] as const

function allNumbers(summary: MeydaSummary): number[] {
  const stats = SCALAR_KEYS.flatMap((key) => {
    const s: FeatureStats = summary[key]
    return [s.mean, s.std, s.p10, s.p50, s.p90]
  })
  return [
    summary.frameSize, summary.hopSize, summary.framesAnalysed, ...stats,
    ...summary.mfccMean, ...summary.mfccStd, ...summary.barkLoudnessMean,
  ]
}

describe('summariseMeydaFeatures: closed-form signals', () => {
  const binHz = FS_HZ / 2048

  it('reads a 1 kHz sine as centroid and rolloff near 1 kHz, flatness near 0, 2000 crossings/s', () => {
    const s = summariseMeydaFeatures([sine(1000, 0.5, 3)], FS_HZ)
    expect(s.frameSize).toBe(2048)
    expect(s.framesAnalysed).toBeGreaterThan(50)
    expect(Math.abs(s.spectralCentroidHz.mean - 1000)).toBeLessThan(2 * binHz)
    expect(Math.abs(s.spectralCentroidHz.p10 - 1000)).toBeLessThan(2 * binHz)
    expect(Math.abs(s.spectralCentroidHz.p90 - 1000)).toBeLessThan(2 * binHz)
    expect(s.spectralSpreadHz.mean).toBeLessThan(3 * binHz)
    // Meyda's rolloff: 99 % of the summed amplitude; the Hann main lobe is 2 bins wide on each side
    expect(Math.abs(s.spectralRolloffHz.mean - 1000)).toBeLessThan(4 * binHz)
    expect(s.spectralFlatness.p90).toBeLessThan(0.01)
    expect(s.zcrPerSecond.mean).toBeGreaterThan(2000 * 0.97)
    expect(s.zcrPerSecond.mean).toBeLessThan(2000 * 1.03)
    // a line at f0: Peeters' slope is (K f0 - sum f) / (K sum f^2 - (sum f)^2) over the K = N/2 bins
    const K = 1024
    let sumHz = 0
    let sumSquaredHz = 0
    for (let k = 0; k < K; k++) {
      sumHz += k * binHz
      sumSquaredHz += (k * binHz) ** 2
    }
    const expectedSlope = (K * 1000 - sumHz) / (K * sumSquaredHz - sumHz * sumHz)
    expect(s.spectralSlope.mean).toBeLessThan(0)
    expect(Math.abs(s.spectralSlope.mean / expectedSlope - 1)).toBeLessThan(0.01)
    expect(s.mfccMean).toHaveLength(MEYDA_MFCC_COUNT)
    expect(s.mfccStd).toHaveLength(MEYDA_MFCC_COUNT)
    expect(s.barkLoudnessMean).toHaveLength(MEYDA_BARK_BAND_COUNT)
    expect(allNumbers(s).every(Number.isFinite)).toBe(true)
  })

  it('converts bins to Hz at other rates and frame sizes (1 kHz sine at 96 kHz, 4096 frame)', () => {
    const s = summariseMeydaFeatures([sine(1000, 0.5, 2, 96_000)], 96_000)
    expect(s.frameSize).toBe(4096)
    const bin96Hz = 96_000 / 4096
    expect(Math.abs(s.spectralCentroidHz.mean - 1000)).toBeLessThan(2 * bin96Hz)
    expect(Math.abs(s.spectralRolloffHz.mean - 1000)).toBeLessThan(4 * bin96Hz)
    expect(Math.abs(s.zcrPerSecond.mean - 2000)).toBeLessThan(2000 * 0.03)
  })

  it('reads white noise as flat (> 0.5) with its centroid near fs/4', () => {
    const s = summariseMeydaFeatures([whiteNoise(0.5, 5, 7)], FS_HZ)
    // Rayleigh-distributed bin amplitudes: geometric / arithmetic mean = 0.85 in expectation
    expect(s.spectralFlatness.mean).toBeGreaterThan(0.5)
    expect(s.spectralFlatness.p10).toBeGreaterThan(0.5)
    expect(Math.abs(s.spectralFlatness.mean - 0.8455)).toBeLessThan(0.03)
    expect(Math.abs(s.spectralCentroidHz.mean - FS_HZ / 4) / (FS_HZ / 4)).toBeLessThan(0.03)
    // a flat spectrum over [0, fs/2) has spread fs / (4 sqrt 3)
    expect(Math.abs(s.spectralSpreadHz.mean - FS_HZ / (4 * Math.sqrt(3))) / (FS_HZ / (4 * Math.sqrt(3)))).toBeLessThan(0.05)
    // 99 % of a flat amplitude sum lies below 0.99 fs/2
    expect(Math.abs(s.spectralRolloffHz.mean / (0.99 * (FS_HZ / 2)) - 1)).toBeLessThan(0.005)
    // independent samples change sign with probability 1/2: fs/2 crossings per second
    expect(Math.abs(s.zcrPerSecond.mean / (FS_HZ / 2) - 1)).toBeLessThan(0.03)
    expect(Math.abs(s.spectralSlope.mean)).toBeLessThan(1e-8)
  })

  it('orders dark < white < bright noise by centroid, rolloff, sharpness and slope', () => {
    const white = whiteNoise(0.5, 4, 11)
    const dark = summariseMeydaFeatures([lowpassed(white, 0.9)], FS_HZ)
    const flat = summariseMeydaFeatures([white], FS_HZ)
    const bright = summariseMeydaFeatures([differenced(white)], FS_HZ)
    expect(dark.spectralCentroidHz.mean).toBeLessThan(flat.spectralCentroidHz.mean)
    expect(flat.spectralCentroidHz.mean).toBeLessThan(bright.spectralCentroidHz.mean)
    expect(dark.perceptualSharpness.mean).toBeLessThan(flat.perceptualSharpness.mean)
    expect(flat.perceptualSharpness.mean).toBeLessThan(bright.perceptualSharpness.mean)
    expect(dark.spectralRolloffHz.mean).toBeLessThan(bright.spectralRolloffHz.mean)
    expect(dark.spectralSlope.mean).toBeLessThan(0)
    expect(bright.spectralSlope.mean).toBeGreaterThan(0)
  })

  it('keeps the spectral shape features when the level changes by -20 dB', () => {
    const x = whiteNoise(0.5, 2, 13)
    const quieter = x.map((v) => v * 0.1)
    const loud = summariseMeydaFeatures([x], FS_HZ)
    const quiet = summariseMeydaFeatures([quieter], FS_HZ)
    for (const key of ['spectralCentroidHz', 'spectralSpreadHz', 'spectralFlatness', 'spectralSlope', 'perceptualSharpness', 'perceptualSpread'] as const) {
      expect(Math.abs(quiet[key].mean - loud[key].mean)).toBeLessThanOrEqual(1e-5 * Math.abs(loud[key].mean) + 1e-15)
    }
    expect(quiet.totalLoudnessStats.mean).toBeLessThan(loud.totalLoudnessStats.mean)
  })
})

describe('summariseMeydaFeatures: silence and framing', () => {
  function expectAllZero(s: MeydaSummary): void {
    expect(s.framesAnalysed).toBe(0)
    for (const key of SCALAR_KEYS) expect(s[key]).toEqual({ mean: 0, std: 0, p10: 0, p50: 0, p90: 0 })
    expect(s.mfccMean).toEqual(new Array(MEYDA_MFCC_COUNT).fill(0))
    expect(s.mfccStd).toEqual(new Array(MEYDA_MFCC_COUNT).fill(0))
    expect(s.barkLoudnessMean).toEqual(new Array(MEYDA_BARK_BAND_COUNT).fill(0))
    expect(allNumbers(s).every(Number.isFinite)).toBe(true)
  }

  it('returns finite zeros for digital silence, a -80 dBFS sine and an empty signal', () => {
    expectAllZero(summariseMeydaFeatures([new Float32Array(FS_HZ * 2)], FS_HZ))
    expectAllZero(summariseMeydaFeatures([sine(1000, 1e-4, 1)], FS_HZ))
    expectAllZero(summariseMeydaFeatures([new Float32Array(0)], FS_HZ))
  })

  it('skips silent frames so a half-silent sine reads like the sine', () => {
    const half = new Float32Array(FS_HZ * 4)
    half.set(sine(1000, 0.5, 2), FS_HZ * 2)
    const s = summariseMeydaFeatures([half], FS_HZ, { maxFrames: 100 })
    expect(s.framesAnalysed).toBeGreaterThan(40)
    expect(s.framesAnalysed).toBeLessThan(60)
    expect(Math.abs(s.spectralCentroidHz.p10 - 1000)).toBeLessThan(2 * (FS_HZ / 2048))
  })

  it('honours the silence threshold option', () => {
    const quiet = sine(1000, 1e-4, 1) // RMS -83 dBFS
    expect(summariseMeydaFeatures([quiet], FS_HZ, { silenceThresholdDbfs: -100 }).framesAnalysed).toBeGreaterThan(0)
  })

  it('spreads at most maxFrames frames over the signal on a hop of at least half a frame', () => {
    const x = whiteNoise(0.3, 10, 3)
    const s = summariseMeydaFeatures([x], FS_HZ, { maxFrames: 50 })
    expect(s.framesAnalysed).toBe(50)
    expect(s.hopSize).toBe(Math.floor((x.length - 2048) / 49))
    const short = summariseMeydaFeatures([whiteNoise(0.3, 0.2, 3)], FS_HZ, { maxFrames: 1000 })
    expect(short.hopSize).toBe(1024)
    expect(short.framesAnalysed).toBe(Math.floor((Math.round(0.2 * FS_HZ) - 2048) / 1024) + 1)
    const tiny = summariseMeydaFeatures([whiteNoise(0.3, 0.01, 3)], FS_HZ) // 441 samples, zero-padded
    expect(tiny.framesAnalysed).toBe(1)
    expect(allNumbers(tiny).every(Number.isFinite)).toBe(true)
  })

  it('picks the power-of-2 frame nearest 46 ms for each rate', () => {
    expect(defaultMeydaFrameSize(44_100)).toBe(2048)
    expect(defaultMeydaFrameSize(48_000)).toBe(2048)
    expect(defaultMeydaFrameSize(88_200)).toBe(4096)
    expect(defaultMeydaFrameSize(96_000)).toBe(4096)
    expect(defaultMeydaFrameSize(192_000)).toBe(8192)
    expect(defaultMeydaFrameSize(22_050)).toBe(1024)
  })

  it('rejects bad options with INVALID_PARAMETER and a message naming value and range', () => {
    const x = sine(1000, 0.5, 0.5)
    const attempt = (f: () => unknown): RefmasterError => {
      try {
        f()
      } catch (error) {
        if (error instanceof RefmasterError) return error
        throw error
      }
      throw new Error('expected a RefmasterError')
    }
    const bad = attempt(() => summariseMeydaFeatures([x], FS_HZ, { frameSize: 1000 }))
    expect(bad.code).toBe('INVALID_PARAMETER')
    expect(bad.message).toMatch(/frameSize.*power of 2.*\[256, 65536\] samples, got 1000/)
    expect(attempt(() => summariseMeydaFeatures([x], FS_HZ, { maxFrames: 0 })).message).toMatch(/maxFrames.*got 0/)
    expect(attempt(() => summariseMeydaFeatures([x], 0)).message).toMatch(/sampleRateHz.*got 0/)
    expect(attempt(() => summariseMeydaFeatures([x], FS_HZ, { silenceThresholdDbfs: 3 })).code).toBe('INVALID_PARAMETER')
  })
})

describe('summariseMeydaFeatures: purity and the Meyda global-state trap', () => {
  it('is deterministic and leaves its input untouched', () => {
    const x = whiteNoise(0.4, 3, 5)
    const copy = Float32Array.from(x)
    const first = summariseMeydaFeatures([x], FS_HZ)
    const second = summariseMeydaFeatures([x], FS_HZ)
    expect(second).toStrictEqual(first)
    expect(x).toEqual(copy)
  })

  it('gives finite MFCCs across rates and frame sizes in one process, with no state carried over', () => {
    // Meyda keeps its Mel bank and Bark scale on a global object and rebuilds them only on some
    // changes: reusing that object after a frame-size change gives NaN MFCCs (STACK.md).
    const x441 = whiteNoise(0.4, 2, 9)
    const x96 = whiteNoise(0.4, 2, 9, 96_000)
    const runs = [
      summariseMeydaFeatures([x441], FS_HZ),
      summariseMeydaFeatures([x96], 96_000),
      summariseMeydaFeatures([x441], FS_HZ, { frameSize: 1024 }),
      summariseMeydaFeatures([x441], 48_000), // same frame size, other rate: the Bark scale must follow
      summariseMeydaFeatures([x441], FS_HZ, { frameSize: 8192 }),
    ]
    expect(runs.map((r) => r.frameSize)).toEqual([2048, 4096, 1024, 2048, 8192])
    for (const r of runs) {
      expect(r.framesAnalysed).toBeGreaterThan(0)
      expect(r.mfccMean.every(Number.isFinite)).toBe(true)
      expect(r.mfccStd.every(Number.isFinite)).toBe(true)
      expect(r.mfccMean.some((c) => c !== 0)).toBe(true)
      expect(allNumbers(r).every(Number.isFinite)).toBe(true)
    }
    // the same samples read at 48 kHz are a different signal: Bark loudness must change
    expect(runs[3].barkLoudnessMean).not.toEqual(runs[0].barkLoudnessMean)
    // running the first analysis again after all the others gives the very same result
    expect(summariseMeydaFeatures([x441], FS_HZ)).toStrictEqual(runs[0])
    expect(summariseMeydaFeatures([x441], 48_000)).toStrictEqual(runs[3])
  })
})
