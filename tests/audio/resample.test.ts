/**
 * The resampler against closed-form answers: passband gain, alias and image rejection, zero delay,
 * exact lengths, a round trip, agreement with a direct (slow, double-precision) evaluation of the same
 * filter, and speed.
 */
import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { designResampler, resample, resampledLength, RESAMPLER_SPEC } from '../../src/audio/resample.js'
import { gainToDb } from '../../src/units/db.js'
import { errorCodeOf, rms, sine, sineComponent } from './support.js'

const RATE_PAIRS: readonly [number, number][] = [
  [44100, 48000],
  [48000, 44100],
  [96000, 44100],
  [44100, 96000],
  [32000, 48000],
  [192000, 48000],
  [22050, 44100],
]

/** Claimed passband flatness (the Kaiser design gives about +-0.0001 dB; float32 adds a little). */
const PASSBAND_TOLERANCE_DB = 0.01
/** Required rejection of aliases and images. */
const REJECTION_DB = -90
const AMPLITUDE = 0.5

function mono(samples: Float32Array, sampleRateHz: number): Audio {
  return { channels: [samples], sampleRateHz }
}

/** The central part of a signal, away from the edges where the filter sees the zeros outside the input. */
function middle(frames: number): [number, number] {
  return [Math.floor(frames * 0.2), Math.floor(frames * 0.8)]
}

describe('resample', () => {
  it.each(RATE_PAIRS)('%i -> %i Hz: flat passband (+-0.01 dB) and zero delay', (sourceHz, targetHz) => {
    const lowerNyquistHz = Math.min(sourceHz, targetHz) / 2
    const edgeHz = RESAMPLER_SPEC.passbandEdgeRatio * lowerNyquistHz
    for (const frequencyHz of [100, 1000, 5000, 0.5 * edgeHz, 0.8 * edgeHz, edgeHz]) {
      const frames = Math.round(sourceHz / 4)
      const output = resample(mono(sine(frequencyHz, sourceHz, frames, AMPLITUDE), sourceHz), targetHz).channels[0]
      const [start, end] = middle(output.length)
      const { amplitude, phaseRadians } = sineComponent(output, targetHz, frequencyHz, start, end)
      expect(Math.abs(gainToDb(amplitude / AMPLITUDE)), `${frequencyHz} Hz gain`).toBeLessThan(PASSBAND_TOLERANCE_DB)
      // a delay of d seconds would show as a phase of -2 pi f d; aligned output has phase 0
      expect(Math.abs(phaseRadians), `${frequencyHz} Hz phase`).toBeLessThan(1e-4)
    }
  })

  it('rejects a 30 kHz tone at 96 kHz by more than 90 dB when converting to 44.1 kHz', () => {
    const frames = 96000
    const output = resample(mono(sine(30000, 96000, frames, AMPLITUDE), 96000), 44100).channels[0]
    const [start, end] = middle(output.length)
    expect(gainToDb((rms(output, start, end) * Math.SQRT2) / AMPLITUDE)).toBeLessThan(REJECTION_DB)
  })

  it('rejects every alias of tones between the lower Nyquist and the source Nyquist', () => {
    for (const [sourceHz, targetHz, toneHz] of [[48000, 44100, 22500], [48000, 44100, 23900], [192000, 48000, 25000], [192000, 48000, 90000]]) {
      const output = resample(mono(sine(toneHz, sourceHz, sourceHz / 2, AMPLITUDE), sourceHz), targetHz).channels[0]
      const [start, end] = middle(output.length)
      expect(gainToDb((rms(output, start, end) * Math.SQRT2) / AMPLITUDE), `${toneHz} Hz`).toBeLessThan(REJECTION_DB)
    }
  })

  it('rejects the image of a 19.5 kHz tone when upsampling 44.1 -> 96 kHz', () => {
    const toneHz = 19500
    const output = resample(mono(sine(toneHz, 44100, 44100, AMPLITUDE), 44100), 96000).channels[0]
    const [start, end] = middle(output.length)
    const image = sineComponent(output, 96000, 44100 - toneHz, start, end)
    expect(gainToDb(image.amplitude / AMPLITUDE)).toBeLessThan(REJECTION_DB)
    // everything but the tone itself: images, aliases and filter error together
    const residual = output.slice(start, end)
    const tone = sine(toneHz, 96000, output.length, AMPLITUDE).subarray(start, end)
    for (let i = 0; i < residual.length; i++) residual[i] -= tone[i]
    expect(gainToDb((rms(residual) * Math.SQRT2) / AMPLITUDE)).toBeLessThan(REJECTION_DB)
  })

  it('round-trips 44.1 -> 48 -> 44.1 kHz with an error below -90 dB for content in the passband', () => {
    const frames = 44100
    const input = new Float32Array(frames)
    for (const [frequencyHz, amplitude] of [[50, 0.2], [440, 0.2], [3000, 0.15], [11000, 0.1], [19000, 0.1]]) {
      const tone = sine(frequencyHz, 44100, frames, amplitude, frequencyHz)
      for (let i = 0; i < frames; i++) input[i] += tone[i]
    }
    const back = resample(resample(mono(input, 44100), 48000), 44100).channels[0]
    expect(back.length).toBe(frames)
    const [start, end] = middle(frames)
    const error = new Float32Array(end - start)
    for (let i = start; i < end; i++) error[i - start] = back[i] - input[i]
    expect(gainToDb(rms(error) / rms(input, start, end))).toBeLessThan(REJECTION_DB)
  })

  it('gives round(frames * target / source) frames and keeps DC exactly', () => {
    for (const [sourceHz, targetHz] of RATE_PAIRS) {
      for (const frames of [1, 2, 7, 1001, 44101]) {
        const output = resample(mono(new Float32Array(frames).fill(0.25), sourceHz), targetHz).channels[0]
        expect(output.length).toBe(Math.round((frames * targetHz) / sourceHz))
        expect(output.length).toBe(resampledLength(frames, sourceHz, targetHz))
        if (frames === 44101) {
          const [start, end] = middle(output.length)
          for (let i = start; i < end; i++) expect(Math.abs(output[i] - 0.25)).toBeLessThan(1e-6)
        }
      }
    }
  })

  it('returns the input when the rates match, keeps channels, is deterministic, and leaves the input alone', () => {
    const audio: Audio = { channels: [sine(440, 48000, 4800), sine(660, 48000, 4800)], sampleRateHz: 48000 }
    expect(resample(audio, 48000)).toBe(audio)
    const copy = audio.channels.map((channel) => channel.slice())
    const first = resample(audio, 44100)
    expect(first.channels.length).toBe(2)
    expect(first.sampleRateHz).toBe(44100)
    expect(resample(audio, 44100)).toEqual(first)
    expect(audio.channels).toEqual(copy)
  })

  it('matches a direct double-precision evaluation of the same polyphase filter', () => {
    const [sourceHz, targetHz] = [44100, 48000]
    const filter = designResampler(sourceHz, targetHz)
    const input = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * 0.37) * 0.5 + Math.sin(i * 0.011) * 0.3)
    const output = resample(mono(input, sourceHz), targetHz).channels[0]
    for (let n = 0; n < output.length; n += 7) {
      const position = n * filter.downFactor
      const k = Math.floor(position / filter.upFactor)
      const phase = position - k * filter.upFactor
      let expected = 0
      for (let tap = 0; tap < 2 * filter.halfTaps; tap++) {
        const index = k - filter.halfTaps + 1 + tap
        if (index >= 0 && index < input.length) expected += filter.coefficients[phase * filter.tapsPerRow + tap] * input[index]
      }
      expect(Math.abs(output[n] - expected)).toBeLessThan(1e-6)
    }
  })

  it('refuses rates outside 8-384 kHz and ratios whose filter table would be too large', async () => {
    const audio = mono(sine(440, 44100, 100), 44100)
    expect(await errorCodeOf(() => resample(audio, 4000))).toBe('INVALID_PARAMETER')
    expect(await errorCodeOf(() => resample(audio, 44100.5))).toBe('INVALID_PARAMETER')
    expect(await errorCodeOf(() => resample(mono(sine(440, 8000, 100), 8000), 383999))).toBe('INVALID_PARAMETER')
  })
})
