import { describe, expect, it } from 'vitest'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { jsonReplacer } from '../../src/analysis/to-json.js'
import { SPECTRUM_FLOOR_DB } from '../../src/analysis/spectrum/ltas.js'
import { concat, noise, sine, stereo } from '../helpers/signals.js'

const rate = 44100

/** Noise bursts: `burstsPerSecond` bursts of 20 ms, silent in between. */
function bursts(seconds: number, burstsPerSecond: number, amplitude: number): Float32Array {
  const out = noise(rate * seconds, amplitude, 3)
  const period = Math.round(rate / burstsPerSecond)
  const burst = Math.round(rate * 0.02)
  for (let n = 0; n < out.length; n++) if (n % period >= burst) out[n] *= 0.01
  return out
}

describe('long-term spectrum', () => {
  it('puts a -20 dBFS 1 kHz sine at -23 dB in its third octave and nowhere else', () => {
    const a = analyzeTrack(stereo(sine(rate, 6, -20, 1000), rate))
    const { frequenciesHz, midDb, sideDb } = a.spectrum.thirdOctave
    const k = frequenciesHz.findIndex((hz) => Math.abs(hz - 1000) < 1)
    expect(midDb[k]).toBeCloseTo(-23.01, 1)
    expect(Math.max(...midDb.filter((_, i) => Math.abs(i - k) > 2))).toBeLessThan(-100)
    expect(Math.max(...sideDb)).toBe(SPECTRUM_FLOOR_DB)
  })

  it('shows white noise rising 1 dB per third octave (band power grows with bandwidth)', () => {
    const a = analyzeTrack({ channels: [noise(rate * 8, 0.5, 1), noise(rate * 8, 0.5, 2)], sampleRateHz: rate })
    const { totalDb, frequenciesHz } = a.spectrum.thirdOctave
    const from = frequenciesHz.findIndex((hz) => hz > 200)
    const to = frequenciesHz.findIndex((hz) => hz > 10000)
    const slopePerBand = (totalDb[to] - totalDb[from]) / (to - from)
    expect(slopePerBand).toBeGreaterThan(0.9)
    expect(slopePerBand).toBeLessThan(1.1)
    // The fine grid agrees: 1/12 octave steps add 0.25 dB.
    const fine = a.spectrum.fine
    const f1 = fine.frequenciesHz.findIndex((hz) => hz > 500)
    const f2 = fine.frequenciesHz.findIndex((hz) => hz > 8000)
    expect((fine.totalDb[f2] - fine.totalDb[f1]) / (f2 - f1)).toBeCloseTo(0.25, 1)
  })

  it('takes the spectrum over the loud part only', () => {
    // A quiet 100 Hz intro (30 dB down) then a loud 3 kHz tone: the intro's tone must not show.
    const signal = concat(sine(rate, 6, -45, 100), sine(rate, 10, -15, 3000))
    const a = analyzeTrack(stereo(signal, rate))
    const { frequenciesHz, totalDb } = a.spectrum.thirdOctave
    const at = (hz: number) => totalDb[frequenciesHz.findIndex((f) => Math.abs(f / hz - 1) < 0.06)]
    // Over all frames the 100 Hz band would read -52 dB; only frames straddling the change let some in.
    expect(at(100)).toBeLessThan(-60)
    expect(at(3150)).toBeGreaterThan(-20)
    expect(a.spectrum.framesUsed).toBeLessThan(a.spectrum.framesTotal)
  })
})

describe('stereo image', () => {
  it('reads identical channels as mono, independent ones as wide, inverted ones as out of phase', () => {
    const left = noise(rate * 4, 0.3, 11)
    const mono = analyzeTrack(stereo(left, rate)).stereo
    expect(mono.sideMidDb).toBe(-60)
    expect(mono.correlation).toBeCloseTo(1, 5)
    expect(mono.monoFoldDownDb).toBeCloseTo(0, 5)

    const wide = analyzeTrack({ channels: [left, noise(rate * 4, 0.3, 12)], sampleRateHz: rate }).stereo
    expect(Math.abs(wide.sideMidDb)).toBeLessThan(0.2)
    expect(Math.abs(wide.correlation)).toBeLessThan(0.02)
    expect(wide.monoFoldDownDb).toBeCloseTo(-3.01, 1)

    const inverted = analyzeTrack({ channels: [left, left.map((x) => -x)], sampleRateHz: rate }).stereo
    expect(inverted.correlation).toBeCloseTo(-1, 5)
    expect(inverted.sideMidDb).toBeGreaterThan(40)
    expect(inverted.monoFoldDownDb).toBe(-60)
  })
})

describe('band dynamics', () => {
  it('finds bursts: more transients and more crest than steady noise of the same spectrum', () => {
    const steady = analyzeTrack(stereo(noise(rate * 8, 0.3, 5), rate)).bands
    const bursty = analyzeTrack(stereo(bursts(8, 4, 0.9), rate)).bands
    expect(steady).toHaveLength(4)
    for (let b = 0; b < 4; b++) {
      expect(steady[b].transientsPerSecond).toBeLessThan(0.5)
      expect(bursty[b].crestDb).toBeGreaterThan(steady[b].crestDb + 3)
    }
    // Four bursts a second register in the upper bands, where 23 ms frames resolve them.
    expect(bursty[3].transientsPerSecond).toBeGreaterThan(3)
    expect(bursty[3].transientsPerSecond).toBeLessThan(5)
  })
})

describe('analyzeTrack', () => {
  it('analyses silence without NaN, with non-existent levels as null in JSON', () => {
    const a = analyzeTrack(stereo(new Float32Array(rate * 4), rate))
    expect(a.loudness.integratedLufs).toBe(-Infinity)
    const json = JSON.parse(JSON.stringify(a, jsonReplacer))
    expect(json.loudness.integratedLufs).toBeNull()
    expect(json.loudness.loudnessRangeLu).toBeNull()
    expect(JSON.stringify(json)).not.toContain('NaN')
    expect(a.meyda?.framesAnalysed).toBe(0)
  })

  it('handles mono, keeps the input untouched, and is deterministic', () => {
    const samples = concat(noise(rate * 3, 0.2, 9), sine(rate, 3, -12, 440))
    const copy = samples.slice()
    const first = analyzeTrack({ channels: [samples], sampleRateHz: rate })
    const second = analyzeTrack({ channels: [samples], sampleRateHz: rate })
    expect(samples).toEqual(copy)
    expect(first.channelCount).toBe(1)
    expect(first.stereo.sideMidDb).toBe(-60)
    expect(JSON.stringify(first, jsonReplacer)).toBe(JSON.stringify(second, jsonReplacer))
  })

  it('reports progress through every stage, ending at 1', () => {
    const seen: Array<[number, string]> = []
    analyzeTrack(stereo(noise(rate * 2, 0.2), rate), (fraction, stage) => seen.push([fraction, stage]))
    expect(seen.map(([, stage]) => stage)).toEqual(['loudness', 'spectrum', 'dynamics', 'stereo', 'features', 'done'])
    expect(seen.at(-1)?.[0]).toBe(1)
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThan(seen[i - 1][0])
  })

  it('refuses more than two channels', () => {
    const c = new Float32Array(rate)
    expect(() => analyzeTrack({ channels: [c, c, c], sampleRateHz: rate })).toThrow(/3 channels/)
  })
})
