import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { DEFAULT_CROSSOVERS_HZ } from '../../src/dsp/crossover.js'
import { convolveCentred } from '../../src/dsp/fft-convolver.js'
import { applyLeveler, LEVELER_PARAMS } from '../../src/dsp/leveler.js'
import { applyMatchingEq } from '../../src/dsp/matching-eq.js'
import { applyCompressor, applyMultibandCompressor, COMPRESSOR_BAND_PARAMS, neutralMultibandCompressorParams } from '../../src/dsp/multiband-compressor.js'
import { defaultParams, neutralParams } from '../../src/dsp/params.js'
import { applyStereoWidth } from '../../src/dsp/stereo-width.js'
import { applySubsonic } from '../../src/dsp/subsonic.js'
import { highPassCoefficients } from '../../src/dsp/biquad.js'
import { forwardBackward, forwardBackwardChannelsInPlace } from '../../src/dsp/zero-phase-split.js'
import { noise } from '../helpers/signals.js'

/** The render (src/chain/apply.ts) runs these stages in arrays it owns: in place must equal new arrays, bit for bit. */
const rate = 44100
const music = (): Audio => ({ channels: [noise(rate * 2, 0.3, 21), noise(rate * 2, 0.2, 22)], sampleRateHz: rate })
const copyOf = (audio: Audio): Audio => ({ channels: audio.channels.map((c) => c.slice()), sampleRateHz: audio.sampleRateHz })
const CURVE = { frequenciesHz: [30, 100, 1000, 8000], midDb: [3, -2, 0, 4], sideDb: [-6, 1, 2, -1] }
const COMPRESSOR = {
  crossoversHz: DEFAULT_CROSSOVERS_HZ,
  bands: [{ thresholdDb: -30, ratio: 3, attackMs: 5, releaseMs: 80, kneeDb: 6, makeupDb: 2 }, { thresholdDb: -25, ratio: 1.5, attackMs: 10, releaseMs: 150, kneeDb: 0, makeupDb: 0 }, neutralParams(COMPRESSOR_BAND_PARAMS), { thresholdDb: -40, ratio: 8, attackMs: 1, releaseMs: 50, kneeDb: 12, makeupDb: -1 }],
}
const WIDTH = { monoBelowHz: 120, crossoversHz: DEFAULT_CROSSOVERS_HZ, bands: DEFAULT_CROSSOVERS_HZ.concat(0).map((_, b) => ({ sideGainDb: b - 1.5 })) }

describe('stages in place', () => {
  const stages: Array<[string, (audio: Audio, output?: Float32Array[]) => Audio]> = [
    ['subsonic', (audio, output) => applySubsonic(audio, { cutoffHz: 25 }, output)],
    ['leveler', (audio, output) => applyLeveler(audio, { ...defaultParams(LEVELER_PARAMS), ratio: 2, pivotDb: -12 }, output)],
    ['matching EQ', (audio, output) => applyMatchingEq(audio, { strength: 1, curve: CURVE }, output)],
    ['stereo width', (audio, output) => applyStereoWidth(audio, WIDTH, output)],
    ['multiband compressor (a neutral band among compressed ones)', (audio, output) => applyMultibandCompressor(audio, COMPRESSOR, output)],
    ['multiband compressor, its split in scratch arrays holding other samples', (audio, output) => applyMultibandCompressor(audio, COMPRESSOR, output, [0, 1, 2, 3].map((k) => noise(rate * 2, 0.9, 40 + k)))],
    ['multiband compressor, every band neutral', (audio, output) => applyMultibandCompressor(audio, neutralMultibandCompressorParams(), output)],
    ['wideband compressor', (audio, output) => applyCompressor(audio, COMPRESSOR.bands[1], output)],
  ]
  for (const [name, run] of stages) {
    it(`${name}: writing into the input's own arrays gives the same bits as new arrays`, () => {
      const fresh = run(music())
      const audio = copyOf(music())
      const inPlace = run(audio, audio.channels)
      expect(inPlace.channels[0]).toBe(audio.channels[0])
      expect(inPlace.channels).toEqual(fresh.channels)
    })
  }
})

describe('convolveCentred', () => {
  it('is the centred direct-form convolution, also in place, across several blocks', () => {
    const input = noise(70000, 0.5, 3)
    const kernel = Float32Array.from({ length: 129 }, (_, k) => Math.exp(-Math.abs(k - 64) / 9) * (k % 3 === 0 ? 1 : -0.5))
    const direct = new Float64Array(input.length)
    for (let n = 0; n < input.length; n++) {
      for (let k = 0; k < kernel.length; k++) {
        const i = n + 64 - k
        if (i >= 0 && i < input.length) direct[n] += kernel[k] * input[i]
      }
    }
    const outOfPlace = convolveCentred(input, kernel)
    const inPlace = convolveCentred(input.slice(), kernel)
    const own = input.slice()
    convolveCentred(own, kernel, own)
    let worst = 0
    for (let n = 0; n < input.length; n++) worst = Math.max(worst, Math.abs(outOfPlace[n] - direct[n]))
    expect(worst).toBeLessThan(1e-5)
    expect(own).toEqual(outOfPlace)
    expect(inPlace).toEqual(outOfPlace)
  })
})

describe('forwardBackwardChannelsInPlace', () => {
  it('filters a pair of channels exactly as one at a time', () => {
    const c = highPassCoefficients(rate, 30)
    const [a, b] = music().channels
    const expected = [forwardBackward(a, c), forwardBackward(b, c)]
    forwardBackwardChannelsInPlace([a, b], c)
    expect([a, b]).toEqual(expected)
  })
})
