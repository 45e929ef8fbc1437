import { describe, expect, it } from 'vitest'
import { kWeightingCoefficients, measureLoudness } from '../../../src/analysis/loudness/index.js'
import { kWeightedTicks, loudnessFromTicks, percentileIndex } from '../../../src/analysis/loudness/meter.js'
import { concat, fade, noise, sine, stereo } from '../../helpers/signals.js'

describe('K-weighting', () => {
  it('reproduces the BS.1770-4 coefficient tables at 48 kHz', () => {
    const { shelf, highpass } = kWeightingCoefficients(48000)
    // ITU-R BS.1770-4, Annex 1, tables 1 and 2.
    expect(shelf.b0).toBeCloseTo(1.53512485958697, 10)
    expect(shelf.b1).toBeCloseTo(-2.69169618940638, 10)
    expect(shelf.b2).toBeCloseTo(1.19839281085285, 10)
    expect(shelf.a1).toBeCloseTo(-1.69065929318241, 10)
    expect(shelf.a2).toBeCloseTo(0.73248077421585, 10)
    expect(highpass.a1).toBeCloseTo(-1.99004745483398, 10)
    expect(highpass.a2).toBeCloseTo(0.99007225036621, 10)
  })

  it('gives a 1 kHz stereo sine at -23 dBFS -23 LUFS at every common rate', () => {
    for (const rate of [32000, 44100, 48000, 88200, 96000, 192000]) {
      const m = measureLoudness(stereo(sine(rate, 10, -23), rate))
      expect(Math.abs(m.integratedLufs + 23), `${rate} Hz: ${m.integratedLufs}`).toBeLessThan(0.05)
    }
  })

  it('weights a 100 Hz tone below and a 4 kHz tone above a 1 kHz tone of the same level', () => {
    const rate = 44100
    const at = (hz: number) => measureLoudness(stereo(sine(rate, 5, -20, hz), rate)).integratedLufs
    expect(at(100)).toBeLessThan(at(1000))
    expect(at(4000)).toBeGreaterThan(at(1000) + 2)
  })
})

describe('tick energies', () => {
  it('measure a gained signal (SampleGain) exactly as the gained Float32Array, without making it', () => {
    const rate = 44100
    const audio = { channels: [noise(rate * 5, 0.3, 3), noise(rate * 5, 0.2, 4)], sampleRateHz: rate }
    const curve = Float32Array.from({ length: rate * 5 }, (_, n) => 0.5 + 0.5 * Math.cos(n / 3000))
    const scale = 1.7
    const gained = { channels: audio.channels.map((x) => x.map((value, n) => value * (scale * curve[n]))), sampleRateHz: rate }
    expect(kWeightedTicks(audio, { curve, scale }).energy).toEqual(kWeightedTicks(gained).energy)
  })

  it('give the levels of measureLoudness; a doubled signal measures 6.02 LU louder', () => {
    const rate = 48000
    const audio = stereo(concat(noise(rate * 4, 0.1, 7), sine(rate, 4, -12, 500)), rate)
    const { truePeakDbtp, samplePeakDbfs, channelTruePeakDbtp, ...levels } = measureLoudness(audio)
    expect(loudnessFromTicks(kWeightedTicks(audio))).toEqual(levels)
    const doubled = loudnessFromTicks(kWeightedTicks(audio, { curve: new Float32Array(rate * 8).fill(1), scale: 2 }))
    expect(doubled.integratedLufs - levels.integratedLufs).toBeCloseTo(20 * Math.log10(2), 6)
    expect([truePeakDbtp, samplePeakDbfs, channelTruePeakDbtp.length]).toEqual([measureLoudness(audio).truePeakDbtp, measureLoudness(audio).samplePeakDbfs, 2])
  })
})

describe('gating and levels', () => {
  const rate = 48000

  it('reports silence as -Infinity and a too-short LRA as NaN', () => {
    const m = measureLoudness(stereo(new Float32Array(rate * 5), rate))
    expect(m.integratedLufs).toBe(-Infinity)
    expect(m.truePeakDbtp).toBe(-Infinity)
    expect(m.samplePeakDbfs).toBe(-Infinity)
    expect(Number.isNaN(m.loudnessRangeLu)).toBe(true)
    const short = measureLoudness(stereo(sine(rate, 2, -20), rate))
    expect(short.integratedLufs).toBeCloseTo(-20, 1)
    expect(Number.isNaN(short.loudnessRangeLu)).toBe(true)
    expect(short.shortTermMaxLufs).toBe(-Infinity)
  })

  it('ignores silence and quiet passages under the gates', () => {
    // 10 s at -20 LUFS beside silence and 10 s of a tone 15 dB lower. Ungated, the mean would be -22.9
    // LUFS; the relative gate (-32.9 LUFS) drops the quiet tone. Blocks straddling a change add ~0.1 LU.
    const signal = concat(new Float32Array(rate * 10), sine(rate, 10, -35), sine(rate, 10, -20), new Float32Array(rate * 10))
    const m = measureLoudness(stereo(signal, rate))
    expect(Math.abs(m.integratedLufs + 20)).toBeLessThan(0.15)
    expect(m.momentaryMaxLufs).toBeCloseTo(-20, 1)
  })

  it('measures mono as one channel of weight 1 (3 dB below the same signal on two channels)', () => {
    const tone = sine(rate, 5, -20)
    const mono = measureLoudness({ channels: [tone], sampleRateHz: rate })
    const both = measureLoudness(stereo(tone, rate))
    expect(both.integratedLufs - mono.integratedLufs).toBeCloseTo(3.0103, 2)
  })

  it('returns per-block series every 100 ms', () => {
    const m = measureLoudness(stereo(sine(rate, 10, -20), rate))
    expect(m.momentaryLufs.length).toBe(97) // (10 s - 0.4 s) / 0.1 s + 1
    expect(m.shortTermLufs.length).toBe(71) // (10 s - 3 s) / 0.1 s + 1
  })

  it('does not modify its input', () => {
    const audio = stereo(noise(rate * 4, 0.5), rate)
    const copy = audio.channels.map((c) => c.slice())
    measureLoudness(audio)
    expect(audio.channels).toEqual(copy)
  })
})

describe('true peak', () => {
  it('finds the inter-sample peak of a sine at fs/4 sampled 45 degrees off its crest (+3.01 dB)', () => {
    const rate = 48000
    // Faded in and out so that the onset's ringing does not add its own overshoot.
    const tone = fade(sine(rate, 1, -6, rate / 4, Math.PI / 4), rate * 0.05)
    const m = measureLoudness(stereo(tone, rate))
    expect(m.samplePeakDbfs).toBeCloseTo(-6 - 3.0103, 2)
    expect(Math.abs(m.truePeakDbtp + 6)).toBeLessThan(0.05)
  })

  it('is never below the sample peak, per channel', () => {
    const rate = 44100
    const left = noise(rate * 2, 0.9, 7)
    const right = sine(rate, 2, -3, 997)
    const m = measureLoudness({ channels: [left, right], sampleRateHz: rate })
    expect(m.truePeakDbtp).toBeGreaterThanOrEqual(m.samplePeakDbfs)
    expect(m.channelTruePeakDbtp[1]).toBeGreaterThanOrEqual(-3.001)
    expect(m.channelTruePeakDbtp[1]).toBeLessThan(-2.9)
  })
})

describe('loudness range percentiles', () => {
  it('uses the nearest rank of round(p * n), as ffmpeg does', () => {
    expect(percentileIndex(570, 0.1)).toBe(56)
    expect(percentileIndex(570, 0.95)).toBe(541)
    expect(percentileIndex(1, 0.1)).toBe(0)
    expect(percentileIndex(3, 0.95)).toBe(2)
  })
})
