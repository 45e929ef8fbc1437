import type { Audio } from '../../src/audio/audio.js'

/** A sine of `frequencyHz` at `levelDbfs` peak amplitude, `durationSeconds` long, starting at `phaseRadians`. */
export function sine(sampleRateHz: number, durationSeconds: number, levelDbfs: number, frequencyHz = 1000, phaseRadians = 0): Float32Array {
  const frames = Math.round(sampleRateHz * durationSeconds)
  const amplitude = Math.pow(10, levelDbfs / 20)
  const samples = new Float32Array(frames)
  for (let n = 0; n < frames; n++) samples[n] = amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRateHz + phaseRadians)
  return samples
}

/** Concatenates segments into one channel. */
export function concat(...segments: Float32Array[]): Float32Array {
  const total = segments.reduce((sum, segment) => sum + segment.length, 0)
  const out = new Float32Array(total)
  let offset = 0
  for (const segment of segments) {
    out.set(segment, offset)
    offset += segment.length
  }
  return out
}

/** The same samples on both channels. */
export function stereo(samples: Float32Array, sampleRateHz: number): Audio {
  return { channels: [samples, samples.slice()], sampleRateHz }
}

/** Deterministic uniform noise in [-amplitude, amplitude) (a 32-bit LCG: Numerical Recipes' constants). */
export function noise(frames: number, amplitude: number, seed = 1): Float32Array {
  let state = seed >>> 0
  const out = new Float32Array(frames)
  for (let n = 0; n < frames; n++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[n] = amplitude * ((state / 4294967296) * 2 - 1)
  }
  return out
}

/** A copy of `samples` with raised-cosine fades of `fadeFrames` at both ends. */
export function fade(samples: Float32Array, fadeFrames: number): Float32Array {
  const out = samples.slice()
  for (let n = 0; n < fadeFrames; n++) {
    const gain = 0.5 - 0.5 * Math.cos((Math.PI * n) / fadeFrames)
    out[n] *= gain
    out[out.length - 1 - n] *= gain
  }
  return out
}
