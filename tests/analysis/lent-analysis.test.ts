import { describe, expect, it } from 'vitest'
import { analyzeTrackLent } from '../../src/analysis/lent-analysis.js'
import { jsonReplacer } from '../../src/analysis/to-json.js'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { noise } from '../helpers/signals.js'

/** The worker path itself runs from the built module: tests/cli/master.test.ts masters with a reference through it. */
describe('analyzeTrackLent', () => {
  it('gives the analysis of analyzeTrack, and keeps audio whose buffers it cannot lend where it is', async () => {
    const rate = 44100
    const shared = noise(rate * 6, 0.3, 31)
    // Both channels are views into one buffer: they cannot be moved on their own.
    const audio = { channels: [shared.subarray(0, rate * 3), shared.subarray(rate * 3)], sampleRateHz: rate }
    const channels = [...audio.channels]
    const lent = await analyzeTrackLent(audio, { meydaFeatures: false }, [])
    expect(audio.channels).toEqual(channels)
    expect(audio.channels[0]).toBe(channels[0])
    expect(JSON.stringify(lent, jsonReplacer)).toBe(JSON.stringify(analyzeTrack(audio, undefined, { meydaFeatures: false }), jsonReplacer))
    expect(lent.meyda).toBeNull()
  })
})
