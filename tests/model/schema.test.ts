import { describe, expect, it } from 'vitest'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { playbackTarget } from '../../src/chain/playback-targets.js'
import { neutralChainSettings } from '../../src/chain/settings.js'
import { matchSettings } from '../../src/master.js'
import { resolveStrengths } from '../../src/chain/strengths.js'
import { profileOf } from '../../src/chain/target-profile.js'
import { RefmasterError } from '../../src/errors.js'
import { FEATURES } from '../../src/model/features.js'
import {
  assertFingerprint, decodeOutput, decodeOutputs, encodeFeatures, encodeOutput, encodeOutputs, hasPath, INPUT_SIZE, OUTPUTS, OUTPUT_SIZE, readPath, SCHEMA_FINGERPRINT,
} from '../../src/model/schema.js'
import { noise, stereo } from '../helpers/signals.js'

const RATE = 44100

function analysedNoise(seed: number, amplitude: number) {
  const left = noise(RATE * 6, amplitude, seed)
  const right = noise(RATE * 6, amplitude, seed + 1)
  for (let n = 0; n < left.length; n++) right[n] = 0.7 * left[n] + 0.3 * right[n]
  return analyzeTrack({ sampleRateHz: RATE, channels: [left, right] })
}

describe('model schema', () => {
  const mix = analysedNoise(1, 0.1)
  const reference = profileOf(analysedNoise(3, 0.4))
  const playback = playbackTarget('reference')
  const base = matchSettings(mix, reference, 'the reference', playback, resolveStrengths({}), reference.integratedLufs).settings

  it('declares unique, ordered names and a 16-hex-digit fingerprint', () => {
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(FEATURES.length)
    expect(new Set(OUTPUTS.map((o) => o.name)).size).toBe(OUTPUTS.length)
    expect(INPUT_SIZE).toBe(FEATURES.length)
    expect(OUTPUT_SIZE).toBe(OUTPUTS.length)
    expect(SCHEMA_FINGERPRINT).toMatch(/^[0-9a-f]{16}$/)
  })

  it('every output path exists in the chain settings and its value lies in its spec', () => {
    const neutral = neutralChainSettings(-14, -1)
    neutral.loudness.reference = { integratedLufs: -14, truePeakDbtp: -1, plrDb: 13 }
    for (const settings of [neutral, base]) {
      for (const output of OUTPUTS) {
        const value = readPath(settings, output.path)
        expect(value, output.name).toBeGreaterThanOrEqual(output.spec.min)
        expect(value, output.name).toBeLessThanOrEqual(output.spec.max)
      }
    }
  })

  it('encodes features into [0, 1], the same for the same inputs', () => {
    const x = encodeFeatures(mix, reference)
    expect(x.length).toBe(INPUT_SIZE)
    for (const v of x) expect(v >= 0 && v <= 1).toBe(true)
    expect(Array.from(encodeFeatures(mix, reference))).toEqual(Array.from(x))
    // the mix's level is arbitrary: a gain leaves the features alone
    const louder = analysedNoise(1, 0.2)
    const y = encodeFeatures(louder, reference)
    FEATURES.forEach((f, i) => {
      if (!f.name.startsWith('target.')) expect(y[i], f.name).toBeCloseTo(x[i], 2)
    })
  })

  it('round-trips outputs: decode(encode(settings)) gives the settings back', () => {
    const label = structuredClone(base)
    label.loudness.reference!.integratedLufs -= 3.5
    label.loudness.reference!.plrDb += 2.25
    label.compressor.bands[1].ratio = 2
    label.tonalEq.highShelfGainDb = 2
    const u = encodeOutputs(label, base)
    for (const v of u) expect(v >= 0 && v <= 1).toBe(true)
    const decoded = decodeOutputs(u, base)
    for (const output of OUTPUTS) expect(readPath(decoded, output.path), output.name).toBeCloseTo(readPath(label, output.path), 3)
    // every output is a residual: the analytic settings are the middle of each, so 0.5 everywhere is the analytic path
    for (const v of encodeOutputs(base, base)) expect(v).toBeCloseTo(0.5, 9)
    expect(decodeOutputs(new Float32Array(OUTPUT_SIZE).fill(0.5), base)).toEqual(base)
    const residual = OUTPUTS[0]
    expect(encodeOutput(residual, readPath(base, residual.path), readPath(base, residual.path))).toBeCloseTo(0.5, 9)
    expect(decodeOutput(residual, 0.5, -9)).toBeCloseTo(-9, 9)
  })

  it('leaves the reference levels out where there is no reference to match', () => {
    const fixed = matchSettings(mix, reference, 'the reference', playbackTarget('streaming'), resolveStrengths({}), -14).settings
    expect(hasPath(fixed, OUTPUTS[0].path)).toBe(false)
    const u = new Float32Array(OUTPUT_SIZE).fill(0.9)
    expect(encodeOutputs(fixed, fixed)[0]).toBe(0.5)
    expect(decodeOutputs(u, fixed).loudness).toEqual(fixed.loudness)
  })

  it('refuses another fingerprint, naming both', () => {
    expect(() => assertFingerprint('0123456789abcdef', 'models/old')).toThrow(RefmasterError)
    try {
      assertFingerprint('0123456789abcdef', 'models/old')
    } catch (error) {
      expect((error as RefmasterError).code).toBe('MODEL_INCOMPATIBLE')
      expect((error as Error).message).toContain('0123456789abcdef')
      expect((error as Error).message).toContain(SCHEMA_FINGERPRINT)
    }
    expect(() => assertFingerprint(SCHEMA_FINGERPRINT, 'models/new')).not.toThrow()
  })
})
