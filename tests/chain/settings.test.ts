import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { renderChain } from '../../src/chain/apply.js'
import { neutralChainSettings, validateChainSettings } from '../../src/chain/settings.js'
import { noise } from '../helpers/signals.js'
import { sameBits } from '../dsp/processor-contract.js'

describe('validateChainSettings', () => {
  it.each(['referenceTrust', 'ceilingLoudnessShare', 'referencePlrTrust'] as const)('takes a loudness reference with a %s from 0 to 1, and names one out of range', (key) => {
    const settings = neutralChainSettings(-14, -1)
    settings.loudness.reference = { integratedLufs: -10, truePeakDbtp: -0.5, plrDb: 9.5 }
    for (const share of [undefined, 0, 0.4, 1]) {
      settings.loudness[key] = share
      expect(validateChainSettings(structuredClone(settings), 44100).loudness[key]).toBe(share)
    }
    for (const share of [1.5, -0.1, '1']) {
      settings.loudness[key] = share as number
      expect(() => validateChainSettings(structuredClone(settings), 44100)).toThrow(new RegExp(`loudness\\.${key} must be a number from 0 to 1`))
    }
  })
})

describe('the leveler in chain settings', () => {
  it('is optional (recipes written before it render without it) and validated when present', () => {
    const settings = neutralChainSettings(-14, -1)
    delete settings.leveler
    expect(validateChainSettings(structuredClone(settings), 44100).leveler).toBeUndefined()
    settings.leveler = { ratio: 0.5, pivotDb: -20, attackMs: 5, releaseMs: 150, maxGainDb: 9 }
    expect(() => validateChainSettings(structuredClone(settings), 44100)).toThrow(/leveler\.ratio must be within \[1, 4\]/)
  })

  it('renders a recipe without it as one with a neutral leveler, bit for bit', () => {
    const rate = 44100
    const mix: Audio = { sampleRateHz: rate, channels: [noise(rate, 0.2, 5), noise(rate, 0.1, 6)] }
    const withNeutral = neutralChainSettings(-20, -1)
    const without = structuredClone(withNeutral)
    delete without.leveler
    expect(sameBits(renderChain(mix, withNeutral).audio.channels, renderChain(mix, without).audio.channels)).toBe(true)
  })
})
