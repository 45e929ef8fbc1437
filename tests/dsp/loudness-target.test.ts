import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { measureLoudness, truePeak } from '../../src/analysis/loudness/index.js'
import { kWeightedChunks, kWeightedTicks, loudnessFromTicks } from '../../src/analysis/loudness/meter.js'
import { DEFAULT_MAX_LIMITER_REDUCTION_DB, LOUDNESS_TOLERANCE_LU, coarseLoudness, fitLoudness, type LoudnessFit } from '../../src/dsp/loudness-target.js'
import { defaultParams } from '../../src/dsp/params.js'
import { TRUE_PEAK_LIMITER_PARAMS, limiterGainCurve, truePeakEnvelope } from '../../src/dsp/true-peak-limiter.js'
import { RefmasterError } from '../../src/errors.js'
import { gainToDb } from '../../src/units/db.js'
import { noise, sine, stereo } from '../helpers/signals.js'

/** ../shared/eval/metrics.py `clipped_samples`. */
const CLIP_THRESHOLD = 32767 / 32768
const DEV_AUDIO = '../shared/audio/dev'
const CEILING_DBTP = -1
/** Whether two sets of channels hold the same samples, bit for bit (toEqual is slow on long typed arrays). */
const sameSamples = (a: Float32Array[], b: Float32Array[]): boolean =>
  a.length === b.length && a.every((channel, c) => channel.length === b[c].length && channel.every((x, n) => Object.is(x, b[c][n])))
const decoded = new Map<string, Promise<Audio>>()
const excerpt = (name: string): Promise<Audio> => decoded.get(name) ?? decoded.set(name, decodeFile(`${DEV_AUDIO}/${name}.ogg`)).get(name)!

/** Re-measures the master independently of what fitLoudness reports, and checks the delivery constraints. */
function expectDeliverable(input: Audio, fit: LoudnessFit, ceilingDbtp: number): void {
  const measured = measureLoudness(fit.audio)
  expect(measured.integratedLufs).toBeCloseTo(fit.achievedLufs, 6)
  expect(gainToDb(Math.max(...fit.audio.channels.map((c) => truePeak(c))))).toBeLessThanOrEqual(ceilingDbtp)
  expect(fit.truePeakDbtp).toBeLessThanOrEqual(ceilingDbtp)
  expect(fit.audio.sampleRateHz).toBe(input.sampleRateHz)
  for (const channel of fit.audio.channels) {
    expect(channel).toHaveLength(input.channels[0].length)
    expect(channel.every((x) => Math.abs(x) < CLIP_THRESHOLD)).toBe(true)
  }
}

describe('fitLoudness: lands on reachable targets', () => {
  const cases: Array<[string, number[]]> = [
    ['rock/rock-01-armygeddon', [-14, -9, -23]],
    ['electronic/electronic-06-ninesix', [-14, -9, -23]],
    ['orchestral/orchestral-03-casualtiesofwar', [-14, -23]],
  ]
  for (const [name, targets] of cases) {
    for (const targetLufs of targets) {
      it(`${name} to ${targetLufs} LUFS under ${CEILING_DBTP} dBTP`, async () => {
        const input = await excerpt(name)
        const fit = fitLoudness(input, { targetLufs, ceilingDbtp: CEILING_DBTP })
        expect(fit.reachable).toBe(true)
        expect(fit.warnings).toEqual([])
        expect(Math.abs(fit.achievedLufs - targetLufs)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU)
        expect(fit.maxGainReductionDb).toBeLessThanOrEqual(DEFAULT_MAX_LIMITER_REDUCTION_DB + 0.01)
        // The coarse estimate puts the first exact trial on (or next to) the target.
        expect(fit.exactTrials).toBeGreaterThanOrEqual(1)
        expect(fit.exactTrials).toBeLessThanOrEqual(2)
        expectDeliverable(input, fit, CEILING_DBTP)
      })
    }
  }

  it('needs no limiting for a quiet tone: the gain is the loudness difference, the master a scaled copy', () => {
    const input = stereo(sine(48000, 5, -30, 997), 48000)
    const fit = fitLoudness(input, { targetLufs: -14, ceilingDbtp: CEILING_DBTP })
    expect(fit.reachable).toBe(true)
    expect(fit.maxGainReductionDb).toBe(0)
    expect(fit.inputGainDb).toBeCloseTo(-14 - measureLoudness(input).integratedLufs, 6)
    expect(fit.achievedLufs).toBeCloseTo(-14, 3)
  })

  it('passes the limiter parameters through, and honours another ceiling', async () => {
    const input = await excerpt('rock/rock-01-armygeddon')
    const fit = fitLoudness(input, { targetLufs: -10, ceilingDbtp: -2, limiter: { lookaheadMs: 1, releaseMs: 50 } })
    expect(Math.abs(fit.achievedLufs + 10)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU)
    expectDeliverable(input, fit, -2)
  })
})

describe('coarseLoudness, the estimate of the limited loudness', () => {
  it('reads real music within 0.01 LU + 0.03 LU per LU of limiting of the exact limiter and meter', async () => {
    const params = { ...defaultParams(TRUE_PEAK_LIMITER_PARAMS), ceilingDbtp: CEILING_DBTP }
    for (const name of ['rock/rock-01-armygeddon', 'orchestral/orchestral-03-casualtiesofwar', 'electronic/electronic-06-ninesix', 'pop/pop-09-music008']) {
      const input = await excerpt(name)
      const envelope = truePeakEnvelope(input)
      const estimate = coarseLoudness(kWeightedChunks(input, 16), envelope, params, input.sampleRateHz)
      const inputLufs = loudnessFromTicks(kWeightedTicks(input)).integratedLufs
      const headroomDb = CEILING_DBTP - gainToDb(envelope.frames.reduce((a, b) => Math.max(a, b), 0))
      const curve = new Float32Array(input.channels[0].length)
      for (const overDb of [-1, 2, 5, 8]) {
        const gainDb = headroomDb + overDb
        const exact = loudnessFromTicks(kWeightedTicks(input, { curve: limiterGainCurve(envelope, params, input.sampleRateHz, gainDb, curve), scale: 10 ** (gainDb / 20) })).integratedLufs
        const limitingLu = inputLufs + gainDb - exact
        const error = estimate(gainDb) - exact
        expect(Math.abs(error), `${name} at ${gainDb.toFixed(1)} dB (${limitingLu.toFixed(2)} LU of limiting)`).toBeLessThanOrEqual(0.01 + 0.03 * limitingLu)
      }
    }
  })
})

describe('fitLoudness: honest about what it cannot do', () => {
  it('reports -4 LUFS on a dynamic orchestral excerpt as unreachable, with the shortfall and the reason', async () => {
    const input = await excerpt('orchestral/orchestral-03-casualtiesofwar')
    const fit = fitLoudness(input, { targetLufs: -4, ceilingDbtp: CEILING_DBTP })
    expect(fit.reachable).toBe(false)
    expect(fit.achievedLufs).toBeLessThan(-4 - LOUDNESS_TOLERANCE_LU)
    // The closest honest master spends exactly the allowed peak reduction.
    expect(fit.maxGainReductionDb).toBeCloseTo(DEFAULT_MAX_LIMITER_REDUCTION_DB, 1)
    expectDeliverable(input, fit, CEILING_DBTP)
    expect(fit.warnings).toHaveLength(1)
    const shortfall = Number(/([\d.]+) LU short/.exec(fit.warnings[0])?.[1])
    expect(shortfall).toBeCloseTo(-4 - fit.achievedLufs, 1)
    expect(fit.warnings[0]).toContain('not reachable')
    expect(fit.warnings[0]).toContain(`${DEFAULT_MAX_LIMITER_REDUCTION_DB} dB of limiter gain reduction`)
    // A larger allowance buys more loudness (and more reduction), still under the ceiling.
    const pushed = fitLoudness(input, { targetLufs: -4, ceilingDbtp: CEILING_DBTP, maxLimiterReductionDb: 12 })
    expect(pushed.achievedLufs).toBeGreaterThan(fit.achievedLufs + 1)
    expect(pushed.maxGainReductionDb).toBeCloseTo(12, 1)
    expectDeliverable(input, pushed, CEILING_DBTP)
  })

  it('does not amplify digital silence', () => {
    const input: Audio = { channels: [new Float32Array(48000), new Float32Array(48000)], sampleRateHz: 48000 }
    const fit = fitLoudness(input, { targetLufs: -14, ceilingDbtp: CEILING_DBTP })
    expect(sameSamples(fit.audio.channels, input.channels)).toBe(true)
    expect(fit.inputGainDb).toBe(0)
    expect(fit.reachable).toBe(false)
    expect(fit.warnings[0]).toContain('silent')
  })

  it('does not amplify near-silence (noise below the -70 LUFS absolute gate) into audible noise', () => {
    const input: Audio = { channels: [noise(96000, 3e-5, 1), noise(96000, 3e-5, 2)], sampleRateHz: 48000 }
    expect(measureLoudness(input).integratedLufs).toBe(-Infinity)
    const fit = fitLoudness(input, { targetLufs: -14, ceilingDbtp: CEILING_DBTP })
    expect(sameSamples(fit.audio.channels, input.channels)).toBe(true)
    expect(fit.inputGainDb).toBe(0)
    expect(fit.warnings[0]).toContain('-70 LUFS')
  })

  it('rejects targets and allowances out of range, naming the range and unit', () => {
    const input = stereo(sine(44100, 1, -20), 44100)
    const fit = (options: Partial<Parameters<typeof fitLoudness>[1]>) => () => fitLoudness(input, { targetLufs: -14, ceilingDbtp: -1, ...options })
    expect(fit({ targetLufs: Number.NaN })).toThrow(RefmasterError)
    expect(fit({ targetLufs: 3 })).toThrow('targetLufs must be within [-60, 0] LUFS, got 3')
    expect(fit({ maxLimiterReductionDb: -1 })).toThrow('maxLimiterReductionDb must be within [0, 24] dB, got -1')
    expect(fit({ ceilingDbtp: 0.5 })).toThrow('ceilingDbtp must be within [-6, 0] dBTP, got 0.5')
  })
})

describe('fitLoudness: resolveTarget', () => {
  it('takes the target and ceiling from the input measurement and reports them', async () => {
    const input = await excerpt('rock/rock-01-armygeddon')
    const inputLufs = measureLoudness(input).integratedLufs
    let seenLufs = Number.NaN
    const fit = fitLoudness(input, {
      targetLufs: -30,
      ceilingDbtp: -1,
      resolveTarget: (measured) => {
        seenLufs = measured.integratedLufs
        return { targetLufs: measured.integratedLufs - 6, ceilingDbtp: -3 }
      },
    })
    expect(seenLufs).toBeCloseTo(inputLufs, 9)
    expect(fit.targetLufs).toBeCloseTo(inputLufs - 6, 9)
    expect(fit.ceilingDbtp).toBe(-3)
    expect(fit.reachable).toBe(true)
    expect(Math.abs(fit.achievedLufs - fit.targetLufs)).toBeLessThanOrEqual(LOUDNESS_TOLERANCE_LU)
    expectDeliverable(input, fit, -3)
  })

  it('reports the given target and ceiling without it', () => {
    const fit = fitLoudness(stereo(sine(48000, 5, -30, 997), 48000), { targetLufs: -20, ceilingDbtp: -2 })
    expect(fit.targetLufs).toBe(-20)
    expect(fit.ceilingDbtp).toBe(-2)
  })
})
