/**
 * Leveler (a stage DESIGN.md "The chain" does not list, between its 1 and 2): broadband, stereo-linked
 * compression on both sides of a pivot level, before the matching EQ. An unmastered mix has more dynamic range than its master (its peaks stand
 * further above its body, its quiet passages sit further below it); the leveler moves the envelope
 * towards the pivot by a fixed share of its distance, upward below the pivot and downward above it, as a
 * mastering bus compressor with make-up gain does over the levels it acts on.
 *
 *   level      x[n] = max(|L[n]|, |R[n]|)                     (peak, linked: one gain for both channels)
 *   detector   smooth branching peak detector (D. Giannoulis, M. Massberg and J. D. Reiss, "Digital
 *              Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 60(6), 2012, eq. (16)) on
 *              the level: y[n] = a y[n-1] + (1 - a) x[n], a = a_A while x rises above y, else a_R,
 *              a = exp(-1 / (tau fs)) (eq. (7))
 *   gain       g = clamp((1/R - 1)(20 log10 y - P), -G, +G) dB: a steady level L dBFS comes out at
 *              P + (L - P)/R (within +-G dB of where it was)
 *
 * Broadband, so the gain moves every frequency together and the tonal balance stays (the multiband
 * compressor works band by band). The gain is computed every
 * GAIN_STEP_FRAMES frames and interpolated linearly between (its detector's time constants are far longer);
 * output length and alignment are the input's.
 */
import type { Audio } from '../audio/audio.js'
import { dbToGain } from '../units/db.js'
import { defineParams, type ParamValues } from './params.js'

/** Parameters of the leveler. ratio = 1 is the identity. */
export const LEVELER_PARAMS = defineParams({
  ratio: { unit: 'ratio', min: 1, max: 4, default: 1.4, neutral: 1, scale: 'log', description: "the envelope's distance from the pivot is divided by this; 1 = no change" },
  pivotDb: { unit: 'dBFS', min: -80, max: 0, default: -20, neutral: -20, scale: 'linear', description: 'envelope level that keeps its gain (0 dB); levels above come down, levels below come up' },
  attackMs: { unit: 'ms', min: 0.1, max: 100, default: 5, neutral: 5, scale: 'log', description: 'time for the envelope to reach 1 - 1/e of a rise' },
  releaseMs: { unit: 'ms', min: 10, max: 2000, default: 150, neutral: 150, scale: 'log', description: 'time for the envelope to fall by 1 - 1/e' },
  maxGainDb: { unit: 'dB', min: 0, max: 24, default: 9, neutral: 9, scale: 'linear', description: 'most gain either way (a silent passage is not raised without bound)' },
})

/** Values of LEVELER_PARAMS. */
export type LevelerParams = ParamValues<typeof LEVELER_PARAMS>

/** Frames between two computed gains (0.36 ms at 44.1 kHz: far below the detector's attack). */
export const GAIN_STEP_FRAMES = 16
/** Envelope floor (-180 dBFS): keeps log10 finite in digital silence, where the clamp decides the gain. */
const ENVELOPE_FLOOR = 1e-9
const DB_PER_LOG10 = 20

/**
 * The leveler's gain (dB) for a steady envelope level `levelDb` (dBFS): (1/R - 1)(level - P), clamped to
 * +-maxGainDb.
 */
export function levelerGainDb(levelDb: number, params: LevelerParams): number {
  const gainDb = (1 / params.ratio - 1) * (levelDb - params.pivotDb)
  return Math.max(-params.maxGainDb, Math.min(params.maxGainDb, gainDb))
}

/**
 * Applies the leveler to every channel with one linked gain. `output` may be the input's own arrays (the
 * leveler works in place); without it, new arrays are made.
 */
export function applyLeveler(audio: Audio, params: LevelerParams, output?: Float32Array[]): Audio {
  const channels = audio.channels
  const frames = channels[0].length
  const out = output ?? channels.map(() => new Float32Array(frames))
  const sampleRateHz = audio.sampleRateHz
  const attack = Math.exp(-1 / ((params.attackMs / 1000) * sampleRateHz))
  const release = Math.exp(-1 / ((params.releaseMs / 1000) * sampleRateHz))

  // Pass 1: the detector over every frame, the gain at the first frame of every step (and after the last).
  const steps = Math.ceil(frames / GAIN_STEP_FRAMES)
  const gains = new Float64Array(steps + 1)
  const gainAt = (envelope: number) => dbToGain(levelerGainDb(DB_PER_LOG10 * Math.log10(Math.max(envelope, ENVELOPE_FLOOR)), params))
  const left = channels[0]
  const right = channels.length > 1 ? channels[1] : channels[0]
  const others = channels.slice(2)
  let envelope = 0
  for (let step = 0; step < steps; step++) {
    const start = step * GAIN_STEP_FRAMES
    const end = Math.min(frames, start + GAIN_STEP_FRAMES)
    for (let n = start; n < end; n++) {
      let level = Math.max(Math.abs(left[n]), Math.abs(right[n]))
      for (const channel of others) level = Math.max(level, Math.abs(channel[n]))
      envelope = level > envelope ? attack * envelope + (1 - attack) * level : release * envelope + (1 - release) * level
      if (n === start) gains[step] = gainAt(envelope)
    }
  }
  gains[steps] = steps > 0 ? gains[steps - 1] : 1

  // Pass 2: the gain interpolated linearly between its steps, applied to every channel.
  for (let c = 0; c < channels.length; c++) {
    const input = channels[c]
    const target = out[c]
    for (let start = 0, step = 0; start < frames; start += GAIN_STEP_FRAMES, step++) {
      const from = gains[step]
      const perFrame = (gains[step + 1] - from) / GAIN_STEP_FRAMES
      const end = Math.min(frames, start + GAIN_STEP_FRAMES)
      for (let n = start; n < end; n++) target[n] = input[n] * (from + perFrame * (n - start))
    }
  }
  return { sampleRateHz, channels: out }
}
