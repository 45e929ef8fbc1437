import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Audio } from '../src/audio/audio.js'
import { quantileSorted } from '../src/analysis/gating.js'
import { decodeFile } from '../src/audio/decode.js'
import { writeAudioFile } from '../src/audio/encode.js'
import { DEV_AUDIO_DIR } from './paths.js'

/** The 40 dev excerpts (group folders only), sorted. */
export function devExcerpts(): string[] {
  return readdirSync(DEV_AUDIO_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => /^(pop|rock|electronic|orchestral|ambient)\/.*\.(ogg|wav|flac)$/.test(name))
    .sort()
    .map((name) => join(DEV_AUDIO_DIR, name))
}

/** Stride through the excerpts, coprime with their number (40), so up to 40 clips all come from different ones. */
const EXCERPT_STRIDE = 7

/** Writes `count` clips of `seconds` (from different excerpts, 10 s in) as 24-bit WAVs in `dir` (generated, never committed). */
export async function writeClips(dir: string, count: number, seconds: number): Promise<Array<{ path: string; audio: Audio }>> {
  const sources = devExcerpts()
  const clips = []
  for (let i = 0; i < count; i++) {
    const decoded = await decodeFile(sources[(EXCERPT_STRIDE * i) % sources.length])
    const start = Math.floor(decoded.sampleRateHz * 10)
    const audio = { sampleRateHz: decoded.sampleRateHz, channels: decoded.channels.map((c) => c.slice(start, start + seconds * decoded.sampleRateHz)) }
    const path = join(dir, `clip-${i}.wav`)
    await writeAudioFile(path, audio, 'wav24')
    clips.push({ path, audio })
  }
  return clips
}

/** Zero-lag normalised correlation of the first channels: a master is most like its own mix. */
export function correlation(a: Audio, b: Audio): number {
  const x = a.channels[0]
  const y = b.channels[0]
  let xy = 0
  let xx = 0
  let yy = 0
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    xy += x[i] * y[i]
    xx += x[i] * x[i]
    yy += y[i] * y[i]
  }
  return xy / Math.sqrt(xx * yy + 1e-30)
}

/** The p-th percentile (0..100) of `values`, interpolated (the analysis's `quantileSorted`). */
export function percentile(values: number[], p: number): number {
  return quantileSorted([...values].sort((a, b) => a - b), p / 100)
}

/** Polls `url` every `intervalMs` until `stop()` and returns the latencies (ms). */
export function pollLatency(url: string, intervalMs: number): { stop: () => Promise<number[]> } {
  const latencies: number[] = []
  let polling = true
  const loop = (async () => {
    while (polling) {
      const start = performance.now()
      await (await fetch(url)).arrayBuffer()
      latencies.push(performance.now() - start)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  })()
  return {
    stop: async () => {
      polling = false
      await loop
      return latencies
    },
  }
}
