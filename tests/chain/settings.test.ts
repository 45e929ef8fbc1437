import { describe, expect, it } from 'vitest'
import { neutralChainSettings, validateChainSettings } from '../../src/chain/settings.js'

describe('validateChainSettings', () => {
  it('takes a loudness reference with a trust from 0 to 1, and names a trust out of range', () => {
    const settings = neutralChainSettings(-14, -1)
    settings.loudness.reference = { integratedLufs: -10, truePeakDbtp: -0.5, plrDb: 9.5 }
    for (const trust of [undefined, 0, 0.4, 1]) {
      settings.loudness.referenceTrust = trust
      expect(validateChainSettings(structuredClone(settings), 44100).loudness.referenceTrust).toBe(trust)
    }
    for (const trust of [1.5, -0.1, '1']) {
      settings.loudness.referenceTrust = trust as number
      expect(() => validateChainSettings(structuredClone(settings), 44100)).toThrow(/loudness\.referenceTrust must be a number from 0 to 1/)
    }
  })
})
