import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The helper's worker runs from the built module (the sources have no compiled worker beside them, so
 * under vitest `EnvelopeHelper.start` from src/ gives undefined and the render works in one thread);
 * `npm ci` builds dist/ before `npm test`, and this test masters through it.
 */
const BUILT = new URL('../../dist/src/', import.meta.url)
const built = <T>(path: string): Promise<T> => import(new URL(path, BUILT).href) as Promise<T>
type Helper = typeof import('../../src/dsp/envelope-helper.js')
type Limiter = typeof import('../../src/dsp/true-peak-limiter.js')
type Decode = typeof import('../../src/audio/decode.js')
type Fresh = typeof import('../../src/audio/fresh-channels.js')
type TruePeak = typeof import('../../src/analysis/loudness/true-peak.js')

describe.runIf(existsSync(new URL('dsp/envelope-worker.js', BUILT)))('EnvelopeHelper (built module)', () => {
  it('measures half the channels on its worker: the same envelope and peaks, bit for bit, as one thread', async () => {
    const { EnvelopeHelper } = await built<Helper>('dsp/envelope-helper.js')
    const { truePeakEnvelope } = await built<Limiter>('dsp/true-peak-limiter.js')
    const { decodeFile } = await built<Decode>('audio/decode.js')
    const { sharedChannels } = await built<Fresh>('audio/fresh-channels.js')
    const { peaksOf } = await built<TruePeak>('analysis/loudness/true-peak.js')
    const excerpt = await decodeFile('../shared/audio/dev/rock/rock-01-armygeddon.ogg')
    // Long enough for a thread (24 s and more): the excerpt twice, in shared memory as a WAV decode gives.
    const frames = 2 * excerpt.channels[0].length
    const channels = sharedChannels(2, frames)
    channels.forEach((channel, c) => {
      channel.set(excerpt.channels[c])
      channel.set(excerpt.channels[c], excerpt.channels[0].length)
    })
    const audio = { channels, sampleRateHz: excerpt.sampleRateHz }
    const helper = EnvelopeHelper.start(frames)
    expect(helper).toBeDefined()
    try {
      const parallel = helper!.envelope(audio, new Float32Array(frames))
      const single = truePeakEnvelope(audio, 0)
      expect(parallel).toBeDefined()
      for (const key of ['frames', 'before', 'after'] as const) {
        expect(parallel![key].length).toBe(single[key].length)
        expect(parallel![key].every((value, n) => Object.is(value, single[key][n]))).toBe(true)
      }
      expect(helper!.peaks(channels)).toEqual(channels.map((channel) => peaksOf(channel)))
      // Samples outside shared memory stay with the caller.
      const plain = channels.map((channel) => channel.slice())
      expect(helper!.envelope({ channels: plain, sampleRateHz: audio.sampleRateHz }, new Float32Array(frames))).toBeUndefined()
      expect(helper!.peaks(plain)).toBeUndefined()
    } finally {
      helper!.close()
    }
  })
})
