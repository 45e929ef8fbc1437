import { describe, expect, it } from 'vitest'
import { neutralChainSettings, validateChainSettings } from '../../src/chain/settings.js'

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
