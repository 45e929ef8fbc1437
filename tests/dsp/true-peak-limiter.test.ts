import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { truePeak } from '../../src/analysis/loudness/index.js'
import { defaultParams } from '../../src/dsp/params.js'
import {
  GAIN_TARGET_MARGIN_DB, TRUE_PEAK_LIMITER_PARAMS, applyTruePeakLimiter, limitTruePeak, limiterGainCurve, truePeakEnvelope, type TruePeakLimiterParams,
} from '../../src/dsp/true-peak-limiter.js'
import { RefmasterError } from '../../src/errors.js'
import { dbToGain, gainToDb } from '../../src/units/db.js'
import { TECH3341_TRUE_PEAK_SINE_CASES, tech3341TruePeakBurstCase, tech3341TruePeakSineCase } from '../helpers/ebu-signals.js'
import { concat, noise, sine, stereo } from '../helpers/signals.js'
import { processorContract } from './processor-contract.js'

/** ../shared/eval/metrics.py `clipped_samples`: |x| at or above the 16-bit maximum code counts as clipped. */
const CLIP_THRESHOLD = 32767 / 32768
/** The development set, relative to the repository root (vitest's working directory). */
const DEV_AUDIO = '../shared/audio/dev'
const DEV_EXCERPTS = ['rock/rock-01-armygeddon', 'rock/rock-03-internaldegeneration', 'rock/rock-04-mutilatedmime', 'electronic/electronic-03-digitalpursuit']
const DEFAULTS = defaultParams(TRUE_PEAK_LIMITER_PARAMS)
/** The limiter's harshest corner: short ramps and fast release modulate most, so corrections are needed. */
const HARSH: Partial<TruePeakLimiterParams> = { lookaheadMs: 0.5, releaseMs: 10 }

const truePeakDbtp = (audio: Audio): number => gainToDb(Math.max(...audio.channels.map((channel) => truePeak(channel))))
const scaled = (audio: Audio, gainDb: number): Audio => ({ channels: audio.channels.map((c) => c.map((x) => x * dbToGain(gainDb))), sampleRateHz: audio.sampleRateHz })
/** Whether two sets of channels hold the same samples, bit for bit (toEqual is slow on long typed arrays). */
const sameSamples = (a: Float32Array[], b: Float32Array[]): boolean =>
  a.length === b.length && a.every((channel, c) => channel.length === b[c].length && channel.every((x, n) => Object.is(x, b[c][n])))
const decoded = new Map<string, Promise<Audio>>()
const excerpt = (name: string): Promise<Audio> => decoded.get(name) ?? decoded.set(name, decodeFile(`${DEV_AUDIO}/${name}.ogg`)).get(name)!

/** The promise, checked with the meter: true peak <= ceiling, no clipped sample, same shape, finite. */
function expectKeepsCeiling(input: Audio, output: Audio, ceilingDbtp: number): void {
  expect(output.sampleRateHz).toBe(input.sampleRateHz)
  expect(output.channels).toHaveLength(input.channels.length)
  for (const channel of output.channels) {
    expect(channel).toHaveLength(input.channels[0].length)
    let clipped = 0
    for (const x of channel) if (!(Math.abs(x) < CLIP_THRESHOLD)) clipped++
    expect(clipped).toBe(0)
  }
  expect(truePeakDbtp(output)).toBeLessThanOrEqual(ceilingDbtp)
}

function limitAndCheck(input: Audio, params: Partial<TruePeakLimiterParams> = {}): ReturnType<typeof limitTruePeak> {
  const full = { ...DEFAULTS, ...params }
  const result = limitTruePeak(input, full)
  expectKeepsCeiling(input, result.audio, full.ceilingDbtp)
  return result
}

/** A full-scale square wave, +-1, sampled at `rateHz` (naive: every edge is a full-scale step). */
const square = (rateHz: number, frequencyHz: number, seconds: number): Float32Array =>
  Float32Array.from({ length: Math.round(rateHz * seconds) }, (_, n) => (Math.sin((2 * Math.PI * frequencyHz * (n + 0.25)) / rateHz) >= 0 ? 1 : -1))

processorContract('true-peak limiter', TRUE_PEAK_LIMITER_PARAMS, applyTruePeakLimiter, {
  extraParams: [{ ceilingDbtp: -6, lookaheadMs: 0.5, releaseMs: 10 }, { ceilingDbtp: -3, lookaheadMs: 10, releaseMs: 1000 }],
})

describe('true-peak limiter: the ceiling holds on adversarial input (our meter, the eval interpolator)', () => {
  for (const { caseNumber, amplitudeFfs } of TECH3341_TRUE_PEAK_SINE_CASES) {
    for (const rateHz of amplitudeFfs <= 1 ? [48000, 44100] : [48000]) {
      for (const pushDb of [6, 12]) {
        it(`EBU Tech 3341 case ${caseNumber} at ${rateHz} Hz pushed +${pushDb} dB`, () => {
          const input = scaled(tech3341TruePeakSineCase(caseNumber, rateHz).audio, pushDb)
          expect(truePeakDbtp(input)).toBeGreaterThan(DEFAULTS.ceilingDbtp)
          limitAndCheck(input)
          limitAndCheck(input, { ceilingDbtp: 0 })
        })
      }
    }
  }

  it('EBU Tech 3341 cases 20-23 (fs/4 burst in fs/6) pushed +6 dB', () => {
    for (let offset = 0; offset < 4; offset++) limitAndCheck(scaled(tech3341TruePeakBurstCase(offset).audio, 6))
  })

  it('full-scale square waves, including at and near fs/4', () => {
    for (const [rateHz, frequencyHz] of [[44100, 50], [44100, 997], [44100, 3000], [44100, 11025], [44100, 11000], [44100, 14700], [48000, 12000], [48000, 11990]]) {
      const input = stereo(square(rateHz, frequencyHz, 0.5), rateHz)
      expect(truePeakDbtp(input)).toBeGreaterThan(0)
      limitAndCheck(input)
      limitAndCheck(input, { ceilingDbtp: -6, ...HARSH })
    }
  })

  it('tone bursts with sharp onsets (switched on at their peak)', () => {
    for (const frequencyHz of [100, 1000, 5000, 15000]) {
      const burst = sine(44100, 0.05, 6, frequencyHz, Math.PI / 2)
      const silence = new Float32Array(4410)
      const input = stereo(concat(silence, burst, silence, burst, burst.map((x) => -x), silence), 44100)
      limitAndCheck(input)
      limitAndCheck(input, HARSH)
    }
  })

  it('full-scale white noise and full-scale binary noise', () => {
    const white: Audio = { channels: [noise(88200, 1, 3), noise(88200, 1, 4)], sampleRateHz: 44100 }
    const binary: Audio = { channels: white.channels.map((c) => c.map(Math.sign)), sampleRateHz: 44100 }
    for (const input of [white, binary]) {
      for (const ceilingDbtp of [-6, -1, -0.1, 0]) limitAndCheck(input, { ceilingDbtp })
    }
    // The harsh corner modulates enough to need the verify-and-correct passes; they must converge.
    const harsh = limitAndCheck(binary, HARSH)
    expect(harsh.passes).toBeGreaterThan(1)
    expect(harsh.safetyTrimDb).toBe(0)
  })

  it('a 20 Hz sine at +6 dBFS', () => {
    limitAndCheck(stereo(sine(44100, 2, 6, 20), 44100))
    limitAndCheck(stereo(sine(48000, 2, 6, 20), 48000), HARSH)
  })

  it('mono, a one-sample signal and a signal that ends at full scale', () => {
    limitAndCheck({ channels: [square(44100, 11025, 0.2)], sampleRateHz: 44100 })
    limitAndCheck({ channels: [Float32Array.of(3)], sampleRateHz: 44100 })
    limitAndCheck({ channels: [new Float32Array(300).fill(1), new Float32Array(300).fill(-1)], sampleRateHz: 44100 })
  })

  for (const name of DEV_EXCERPTS) {
    it(`dev excerpt ${name} pushed +12 dB`, async () => {
      const input = await excerpt(name)
      const result = limitTruePeak(input, DEFAULTS, { inputGainDb: 12 })
      expectKeepsCeiling(input, result.audio, DEFAULTS.ceilingDbtp)
      // The largest reduction is exactly what the highest peak needs (the gain meets r at the global minimum).
      expect(result.maxGainReductionDb).toBeCloseTo(truePeakDbtp(input) + 12 - (DEFAULTS.ceilingDbtp - GAIN_TARGET_MARGIN_DB), 2)
      expectKeepsCeiling(input, limitTruePeak(input, { ...DEFAULTS, ...HARSH }, { inputGainDb: 12 }).audio, DEFAULTS.ceilingDbtp)
    })
  }
})

describe('true-peak limiter: transparency, look-ahead and alignment', () => {
  const quiet = (seconds: number): Float32Array => sine(44100, seconds, -20, 440).map((x, n) => x + 0.01 + 0.05 * Math.sin(n / 900))

  it('leaves a signal far below the ceiling bit-exact (no gain reduction at all)', () => {
    const input: Audio = { channels: [quiet(2), noise(88200, 0.3, 9)], sampleRateHz: 44100 }
    const result = limitTruePeak(input, DEFAULTS)
    expect(result.maxGainReductionDb).toBe(0)
    expect(sameSamples(result.audio.channels, input.channels)).toBe(true)
  })

  it('returns to the identity once the release is over, and does nothing before the look-ahead', () => {
    const onset = 44100
    const input = stereo(concat(quiet(1), sine(44100, 0.2, 6, 1000, Math.PI / 2), quiet(3)), 44100)
    const output = limitAndCheck(input).audio
    const lookaheadFrames = Math.round((DEFAULTS.lookaheadMs * 44100) / 1000)
    const untouchedBefore = onset - lookaheadFrames - 64
    const untouchedAfter = onset + 8820 + Math.round(2.5 * 44100) // 2.5 s after the burst: 1 - g < 1e-6, snapped
    for (const c of [0, 1]) {
      expect(sameSamples([output.channels[c].subarray(0, untouchedBefore)], [input.channels[c].subarray(0, untouchedBefore)])).toBe(true)
      expect(sameSamples([output.channels[c].subarray(untouchedAfter)], [input.channels[c].subarray(untouchedAfter)])).toBe(true)
    }
  })

  it('ramps the gain down before a transient (look-ahead), smoothly, and reaches the required gain at it', () => {
    // A DC step from 0.1 to 2.0: the gain is output / input at every frame.
    const frames = 44100
    const onset = 22050
    const input = stereo(Float32Array.from({ length: frames }, (_, n) => (n < onset ? 0.1 : 2)), 44100)
    const output = limitAndCheck(input).audio.channels[0]
    const gain = Float64Array.from(output, (y, n) => y / input.channels[0][n])
    const lookaheadFrames = Math.round((DEFAULTS.lookaheadMs * 44100) / 1000)
    const firstReduced = gain.findIndex((g) => g < 1 - 1e-6)
    // It starts within the look-ahead (plus the interpolator's 32-frame pre-ringing) before the onset ...
    expect(firstReduced).toBeGreaterThanOrEqual(onset - lookaheadFrames - 32 - 2)
    expect(firstReduced).toBeLessThan(onset - lookaheadFrames / 2)
    // ... is already at the step's required gain when the step arrives ...
    expect(gainToDb(gain[onset])).toBeLessThanOrEqual(DEFAULTS.ceilingDbtp - gainToDb(2))
    // ... and falls without a jump: no step larger than twice the average slope of the ramp.
    let largestStep = 0
    for (let n = firstReduced; n < onset; n++) largestStep = Math.max(largestStep, gain[n] - gain[n + 1])
    expect(largestStep).toBeLessThan((2 * (1 - gain[onset])) / lookaheadFrames)
  })

  it('keeps the output sample-aligned: cross-correlation with the input peaks at lag 0', async () => {
    const lag = (a: Float32Array, b: Float32Array, maxLag: number): number => {
      let best = 0, bestValue = -Infinity
      for (let k = -maxLag; k <= maxLag; k++) {
        let sum = 0
        for (let n = maxLag; n < a.length - maxLag; n++) sum += a[n] * b[n + k]
        if (sum > bestValue) [best, bestValue] = [k, sum]
      }
      return best
    }
    const neverLimited: Audio = { channels: [noise(44100, 0.3, 21), noise(44100, 0.3, 22)], sampleRateHz: 44100 }
    expect(truePeakDbtp(neverLimited)).toBeLessThan(DEFAULTS.ceilingDbtp - 1)
    const unchanged = applyTruePeakLimiter(neverLimited, DEFAULTS)
    expect(lag(neverLimited.channels[0], unchanged.channels[0], 50)).toBe(0)
    for (let n = 0; n < 44100; n++) expect(Math.abs(unchanged.channels[1][n] - neverLimited.channels[1][n])).toBeLessThanOrEqual(1e-6)
    const music = await excerpt(DEV_EXCERPTS[0])
    const limited = limitTruePeak(music, DEFAULTS, { inputGainDb: 6 }).audio
    expect(lag(music.channels[0].subarray(0, 441000), limited.channels[0].subarray(0, 441000), 50)).toBe(0)
  })

  it('limits a steady sine by a constant gain: no distortion beyond the gain itself', () => {
    const input = stereo(sine(44100, 1, 2, 997), 44100)
    const output = limitAndCheck(input).audio.channels[0]
    const x = input.channels[0]
    let xy = 0, xx = 0
    const from = 4410, to = 44100 - 4410 // away from the ends, where the filter's ringing needs more
    for (let n = from; n < to; n++) { xy += x[n] * output[n]; xx += x[n] * x[n] }
    const gain = xy / xx
    let residual = 0
    for (let n = from; n < to; n++) residual += (output[n] - gain * x[n]) ** 2
    expect(gainToDb(gain)).toBeCloseTo(DEFAULTS.ceilingDbtp - GAIN_TARGET_MARGIN_DB - truePeakDbtp(input), 2)
    expect(10 * Math.log10(residual / (gain * gain * xx))).toBeLessThan(-100)
  })
})

describe('true-peak limiter: envelope, parameters, long input', () => {
  it('its envelope is the meter: the maximum equals truePeak', async () => {
    for (const input of [{ channels: [noise(50000, 1, 5), noise(50000, 0.2, 6)], sampleRateHz: 48000 }, await excerpt(DEV_EXCERPTS[3])]) {
      const { frames, before, after } = truePeakEnvelope(input)
      const envelopeMax = Math.max(...before, ...after, frames.reduce((a, b) => Math.max(a, b), 0))
      expect(envelopeMax).toBeCloseTo(Math.max(...input.channels.map((c) => truePeak(c))), 6)
    }
  })

  it('rejects parameters out of range, naming the range and unit', () => {
    const input = stereo(sine(44100, 0.1, -6), 44100)
    expect(() => applyTruePeakLimiter(input, { ...DEFAULTS, ceilingDbtp: 1 })).toThrow(RefmasterError)
    expect(() => applyTruePeakLimiter(input, { ...DEFAULTS, ceilingDbtp: 1 })).toThrow('ceilingDbtp must be within [-6, 0] dBTP, got 1')
    expect(() => applyTruePeakLimiter(input, { ...DEFAULTS, releaseMs: 5 })).toThrow('releaseMs must be within [10, 1000] ms')
    expect(() => limitTruePeak(input, DEFAULTS, { inputGainDb: Number.NaN })).toThrow('inputGainDb must be within [-100, 100] dB, got NaN')
  })

  it('gives the same bits with a precomputed envelope (as fitLoudness uses it) as without', async () => {
    const music = await excerpt(DEV_EXCERPTS[1])
    const envelope = truePeakEnvelope(music)
    for (const inputGainDb of [-3, 6]) {
      const direct = limitTruePeak(music, DEFAULTS, { inputGainDb })
      const reused = limitTruePeak(music, DEFAULTS, { inputGainDb, envelope })
      expect(sameSamples(reused.audio.channels, direct.audio.channels)).toBe(true)
      expect(reused.maxGainReductionDb).toBe(direct.maxGainReductionDb)
    }
  })

  it('writes into given output arrays, envelope borrowed from the last, with the same bits as new arrays', async () => {
    const music = await excerpt(DEV_EXCERPTS[1])
    const frames = music.channels[0].length
    const output = music.channels.map(() => new Float32Array(frames).fill(7))
    const envelope = truePeakEnvelope(music, 0, output[1])
    const direct = limitTruePeak(music, DEFAULTS, { inputGainDb: 6 })
    const into = limitTruePeak(music, DEFAULTS, { inputGainDb: 6, envelope, output })
    expect(into.audio.channels[0]).toBe(output[0])
    expect(sameSamples(into.audio.channels, direct.audio.channels)).toBe(true)
    expect(() => limitTruePeak(music, DEFAULTS, { output: music.channels })).toThrow(RangeError)
  })

  it('limiterGainCurve is the first pass: the output is float32(x * inputGain * gain) where no correction was needed', async () => {
    const music = await excerpt(DEV_EXCERPTS[2])
    const envelope = truePeakEnvelope(music)
    const inputGainDb = 6
    const result = limitTruePeak(music, DEFAULTS, { inputGainDb, envelope })
    expect(result.passes).toBe(1)
    const gain = limiterGainCurve(envelope, DEFAULTS, music.sampleRateHz, inputGainDb, new Float32Array(music.channels[0].length))
    const expected = music.channels.map((x) => x.map((value, n) => value * (dbToGain(inputGainDb) * gain[n])))
    expect(sameSamples(result.audio.channels, expected)).toBe(true)
    expect(gain.reduce((a, b) => Math.min(a, b), 1)).toBeLessThan(1)
  })

  it('holds the ceiling on 4 minutes of stereo music pushed +6 dB (its speed is in npm run bench)', async () => {
    const music = await excerpt(DEV_EXCERPTS[0])
    const long: Audio = { channels: music.channels.map((c) => concat(c, c, c, c)), sampleRateHz: music.sampleRateHz }
    const result = limitTruePeak(long, DEFAULTS, { inputGainDb: 6 })
    expect(result.audio.channels[0].length).toBe(long.channels[0].length)
    expect(gainToDb(Math.max(...result.audio.channels.map((c) => truePeak(c))))).toBeLessThanOrEqual(DEFAULTS.ceilingDbtp)
  })
})
