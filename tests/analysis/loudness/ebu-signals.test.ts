/**
 * Sanity checks of the EBU test-signal generators themselves (tests/helpers/ebu-signals.ts), independent
 * of the loudness meter: levels, durations, silence, channel layout, the true-peak geometry and the
 * band-limited peak of the cases 20-23 burst.
 */
import { describe, expect, it } from 'vitest'
import {
  EBU_CONFORMANCE_CASES,
  TECH3341_BURST_DECIMATION_CUTOFF_RATIO,
  TECH3341_BURST_DECIMATION_FILTER_TAPS,
  TECH3341_BURST_SYNTHESIS_FACTOR,
  TECH3341_TRUE_PEAK_FADE_SECONDS,
  TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ,
  TECH3341_TRUE_PEAK_SINE_CASES,
  amplitudeOfDbfs,
  segmentBoundaryFrames,
  sliceAudio,
  stereoToneSequence,
  tech3341BurstWaveformAt4Fs,
  tech3341Case3,
  tech3341Case10,
  tech3341Case11,
  tech3341Case13,
  tech3341Case14,
  tech3341TruePeakBurstCase,
  tech3341TruePeakSineCase,
  windowedSincLowPass,
} from '../../helpers/ebu-signals.js'

const RATES_HZ = [44100, 48000]

function rmsDbfs(samples: Float32Array): number {
  let sum = 0
  for (const x of samples) sum += x * x
  return 10 * Math.log10(sum / samples.length)
}

function peakDbfs(samples: Float32Array): number {
  let peak = 0
  for (const x of samples) peak = Math.max(peak, Math.abs(x))
  return 20 * Math.log10(peak)
}

/** Durations of every case (s), from the Tech 3341 / 3342 Table 1 recipes. */
function expectedDurationSeconds(id: string): number {
  const file = id.match(/^tech3341-(10|13)-(\d+)$/)
  if (file) return file[1] === '10' ? (Number(file[2]) - 1) * 0.15 + 3 + 1 : (Number(file[2]) - 1) * 0.02 + 0.4 + 1
  const durations: Record<string, number> = {
    'tech3341-1': 20, 'tech3341-2': 20, 'tech3341-3': 80, 'tech3341-4': 100, 'tech3341-5': 60.1,
    'tech3341-9': 15, 'tech3341-11': 120, 'tech3341-12': 10, 'tech3341-14': 16,
    'tech3341-15': 2, 'tech3341-16': 2, 'tech3341-17': 2, 'tech3341-18': 2, 'tech3341-19': 2,
    'tech3341-20': 2, 'tech3341-21': 2, 'tech3341-22': 2, 'tech3341-23': 2,
    'tech3342-1': 40, 'tech3342-2': 40, 'tech3342-3': 40, 'tech3342-4': 100,
  }
  const seconds = durations[id]
  if (seconds === undefined) throw new Error(`no expected duration for ${id}`)
  return seconds
}

describe('EBU signal generators: levels', () => {
  it.each(RATES_HZ)('a -20 dBFS 1 kHz sine has an RMS of -23.01 dBFS and a peak of -20 dBFS at %i Hz', (sampleRateHz) => {
    expect(amplitudeOfDbfs(-20)).toBeCloseTo(0.1, 12)
    const audio = stereoToneSequence([{ levelDbfs: -20, durationSeconds: 1 }], sampleRateHz)
    expect(rmsDbfs(audio.channels[0])).toBeCloseTo(-20 - 10 * Math.log10(2), 3)
    // 48 kHz hits the crest exactly; at 44.1 kHz the nearest sample is within 4.1 degrees of it (-0.003 dB).
    expect(peakDbfs(audio.channels[0])).toBeGreaterThan(-20.01)
    expect(peakDbfs(audio.channels[0])).toBeLessThanOrEqual(-20 + 1e-6)
  })

  it.each(RATES_HZ)('case 3 holds -36 / -23 / -36 dBFS in its three segments at %i Hz', (sampleRateHz) => {
    const { audio } = tech3341Case3(sampleRateHz)
    const levels = [-36, -23, -36]
    const boundaries = [0, 10, 70, 80]
    levels.forEach((levelDbfs, i) => {
      const segment = sliceAudio(audio, boundaries[i], boundaries[i + 1]).channels[0]
      expect(rmsDbfs(segment)).toBeCloseTo(levelDbfs - 10 * Math.log10(2), 3)
    })
  })

  it.each(RATES_HZ)('cases 11 and 14 put tone k at -38 + (k - 1) dBFS inside expectation slot k at %i Hz', (sampleRateHz) => {
    for (const testCase of [tech3341Case11(sampleRateHz), tech3341Case14(sampleRateHz)]) {
      expect(testCase.expected).toHaveLength(20)
      let previousEndSeconds = 0
      for (const expectation of testCase.expected) {
        const segment = expectation.segment
        if (segment === undefined) throw new Error(`${testCase.id}: expectation without a segment`)
        expect(segment.startSeconds).toBeCloseTo(previousEndSeconds, 9)
        previousEndSeconds = segment.endSeconds
        const slot = sliceAudio(testCase.audio, segment.startSeconds, segment.endSeconds).channels[0]
        expect(peakDbfs(slot)).toBeGreaterThan(expectation.value - 0.01)
        expect(peakDbfs(slot)).toBeLessThanOrEqual(expectation.value + 1e-6)
      }
      expect(previousEndSeconds * sampleRateHz).toBeCloseTo(testCase.audio.channels[0].length, 6)
    }
  })
})

describe('EBU signal generators: durations and silence', () => {
  it('segment boundaries do not drift (20.1 s and 1.34 s segments at 44.1 kHz)', () => {
    expect(segmentBoundaryFrames([{ levelDbfs: -26, durationSeconds: 20 }, { levelDbfs: -20, durationSeconds: 20.1 }, { levelDbfs: -26, durationSeconds: 20 }], 44100))
      .toEqual([0, 882000, 1768410, 2650410])
    const nine = Array.from({ length: 10 }, (_, i) => ({ levelDbfs: -20, durationSeconds: i % 2 === 0 ? 1.34 : 1.66 }))
    expect(segmentBoundaryFrames(nine, 44100).at(-1)).toBe(15 * 44100)
  })

  it('every case at every rate has the recipe duration, two identical channels and samples within full scale', () => {
    const ids = new Set<string>()
    for (const definition of EBU_CONFORMANCE_CASES) {
      expect(ids.has(definition.id), `duplicate id ${definition.id}`).toBe(false)
      ids.add(definition.id)
      for (const sampleRateHz of definition.sampleRatesHz) {
        const testCase = definition.build(sampleRateHz)
        const [left, right] = testCase.audio.channels
        expect(testCase.id).toBe(definition.id)
        expect(testCase.audio.channels).toHaveLength(2)
        expect(testCase.audio.sampleRateHz).toBe(sampleRateHz)
        expect(left.length, `${definition.id} at ${sampleRateHz} Hz`).toBe(Math.round(expectedDurationSeconds(definition.id) * sampleRateHz))
        let firstDifference = -1
        for (let n = 0; n < left.length && firstDifference < 0; n++) if (left[n] !== right[n]) firstDifference = n
        expect(firstDifference, `${definition.id} at ${sampleRateHz} Hz: channels differ`).toBe(-1)
        expect(peakDbfs(left), `${definition.id} at ${sampleRateHz} Hz`).toBeLessThanOrEqual(0)
        expect(testCase.expected.length).toBeGreaterThan(0)
      }
    }
    // 5 + 1 + 20 + 1 + 1 + 20 + 1 loudness cases, 9 true-peak cases, 4 loudness-range cases.
    expect(ids.size).toBe(62)
  })

  it.each(RATES_HZ)('the silence of cases 10 and 13 is digital zero, and the tone starts where the recipe says at %i Hz', (sampleRateHz) => {
    for (const [testCase, offsetSeconds, toneSeconds] of [
      [tech3341Case10(7, sampleRateHz), 6 * 0.15, 3],
      [tech3341Case13(7, sampleRateHz), 6 * 0.02, 0.4],
    ] as const) {
      const samples = testCase.audio.channels[0]
      const toneStart = Math.round(offsetSeconds * sampleRateHz)
      const toneEnd = toneStart + Math.round(toneSeconds * sampleRateHz)
      expect(samples.subarray(0, toneStart).every((x) => x === 0)).toBe(true)
      expect(samples.subarray(toneEnd).every((x) => x === 0)).toBe(true)
      expect(rmsDbfs(samples.subarray(toneStart, toneEnd))).toBeCloseTo(-23 - 10 * Math.log10(2), 3)
    }
  })
})

describe('EBU signal generators: true-peak cases 15-23', () => {
  it('cases 15-19 at 48 kHz have the sample peaks their phase implies (peaks between samples)', () => {
    const samplePeaksDbfs: Record<number, number> = {
      15: 20 * Math.log10(0.5), // samples 0, 0.5, 0, -0.5
      16: 20 * Math.log10(0.5 * Math.SQRT1_2), // -9.03 dBFS
      17: 20 * Math.log10(0.5 * Math.sin(Math.PI / 3)), // -7.27 dBFS
      18: 20 * Math.log10(0.5 * Math.sin((67.5 * Math.PI) / 180)), // -6.69 dBFS
      19: 20 * Math.log10(1.41 * Math.SQRT1_2), // -0.03 dBFS
    }
    for (const recipe of TECH3341_TRUE_PEAK_SINE_CASES) {
      const samples = tech3341TruePeakSineCase(recipe.caseNumber, TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ).audio.channels[0]
      expect(peakDbfs(samples), `case ${recipe.caseNumber}`).toBeCloseTo(samplePeaksDbfs[recipe.caseNumber], 4)
    }
  })

  it.each([48000, 44100])('cases 15-19 follow a * sin(2 pi f t + phase) with 10 ms fades at %i Hz (f from fs = 48 kHz)', (sampleRateHz) => {
    for (const recipe of TECH3341_TRUE_PEAK_SINE_CASES) {
      if (sampleRateHz !== TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ && recipe.amplitudeFfs > 1) continue
      const samples = tech3341TruePeakSineCase(recipe.caseNumber, sampleRateHz).audio.channels[0]
      const frequencyHz = TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ / recipe.sampleRateDivisor
      const phase = (recipe.phaseDegrees * Math.PI) / 180
      for (let n = sampleRateHz; n < sampleRateHz + 50; n++) {
        expect(samples[n]).toBeCloseTo(recipe.amplitudeFfs * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRateHz + phase), 6)
      }
      expect(samples[0]).toBe(0)
      const fadeFrames = Math.round(TECH3341_TRUE_PEAK_FADE_SECONDS * sampleRateHz)
      const halfway = Math.round(fadeFrames / 2)
      const unfaded = recipe.amplitudeFfs * Math.sin((2 * Math.PI * frequencyHz * halfway) / sampleRateHz + phase)
      expect(samples[halfway]).toBeCloseTo((unfaded * halfway) / fadeFrames, 6)
    }
  })

  it('cases 20-23 have the sample peaks reported for the EBU files (-0.1, -0.5, -2.5, -0.5 dBFS)', () => {
    const ebuFileSamplePeaksDbfs = [-0.1, -0.5, -2.5, -0.5]
    ebuFileSamplePeaksDbfs.forEach((expectedDbfs, offset) => {
      const samples = tech3341TruePeakBurstCase(offset).audio.channels[0]
      expect(Math.abs(peakDbfs(samples) - expectedDbfs), `offset ${offset}: ${peakDbfs(samples).toFixed(3)} dBFS`).toBeLessThan(0.05)
    })
  })

  it('the band-limited burst of cases 20-23 peaks at 0 dBTP within the Tech 3341 tolerance (+0.2/-0.4 dB)', () => {
    // The low-pass output at the 4 fs synthesis rate, before decimation, is the continuous-time waveform
    // (4x oversampled) that all four decimated signals share.
    const x = tech3341BurstWaveformAt4Fs(TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ)
    const factor = TECH3341_BURST_SYNTHESIS_FACTOR
    const h = windowedSincLowPass(TECH3341_BURST_DECIMATION_FILTER_TAPS, (TECH3341_BURST_DECIMATION_CUTOFF_RATIO * 0.5) / factor)
    const half = (h.length - 1) / 2
    const middle = Math.floor(x.length / 2)
    let peak = 0
    for (let i = middle - 2000; i < middle + 2000; i++) {
      let acc = 0
      for (let t = 0; t < h.length; t++) acc += h[t] * x[i + t - half]
      peak = Math.max(peak, Math.abs(acc))
    }
    const peakDbtp = 20 * Math.log10(peak)
    expect(peakDbtp).toBeGreaterThan(-0.4)
    expect(peakDbtp).toBeLessThan(0.2)
  })
})
