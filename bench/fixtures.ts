import { join } from 'node:path'
import { decodeFile } from '../src/audio/decode.js'
import { writeAudioFile } from '../src/audio/encode.js'
import { applyDegradation, type DegradationParams } from './quality/degrade.js'
import { DEV_AUDIO_DIR } from './paths.js'

/** Four 60 s excerpts at 44.1 kHz, one per group that has that rate: the benchmarks' 4-minute mix. */
export const FOUR_MINUTE_MIX_SOURCES = ['electronic/electronic-01-brainsukker.ogg', 'orchestral/orchestral-01-battlemusic.ogg', 'pop/pop-02-music001.ogg', 'rock/rock-01-armygeddon.ogg']

/**
 * An un-mastering of the evaluation protocol's kind (bench/quality/degrade.ts, degrade.py): tonal errors, a
 * narrower image, an expander that undoes part of the master's compression and a lower level, so that a
 * master of it runs every stage of the chain (the leveler and the multiband compressor act only on a mix
 * more dynamic than its reference). Values in the middle of degrade.py's ranges.
 */
export const UNMASTERING: DegradationParams = {
  seed: 0,
  gain_db: -9,
  low_shelf: { freq_hz: 140, gain_db: 3 },
  high_shelf: { freq_hz: 7000, gain_db: -3 },
  peaks: [{ freq_hz: 1000, gain_db: 4, q: 1.2 }],
  width: 0.8,
  expander: { ratio: 1.4, pivot_below_p90_db: 3, attack_ms: 5, release_ms: 190, max_gain_db: 9 },
}

/**
 * Writes the dev excerpts `sources`, end to end, as one stereo 44.1 kHz 24-bit WAV at `path` (generated,
 * never committed), un-mastered by `degradation` when one is given.
 */
export async function makeFourMinuteTrack(path: string, sources: readonly string[], degradation?: DegradationParams): Promise<string> {
  const parts = await Promise.all(sources.map((name) => decodeFile(join(DEV_AUDIO_DIR, name))))
  const frames = parts.reduce((sum, part) => sum + part.channels[0].length, 0)
  const channels = [new Float32Array(frames), new Float32Array(frames)]
  let offset = 0
  for (const part of parts) {
    for (let c = 0; c < 2; c++) channels[c].set(part.channels[Math.min(c, part.channels.length - 1)], offset)
    offset += part.channels[0].length
  }
  const written = degradation ? applyDegradation(Float64Array.from(channels[0]), Float64Array.from(channels[1]), 44100, degradation).channels.map((c) => Float32Array.from(c)) : channels
  await writeAudioFile(path, { channels: written, sampleRateHz: 44100 }, 'wav24')
  return path
}
