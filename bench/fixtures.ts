import { join } from 'node:path'
import { decodeFile } from '../src/audio/decode.js'
import { writeAudioFile } from '../src/audio/encode.js'
import { DEV_AUDIO_DIR } from './paths.js'

/** Four 60 s excerpts at 44.1 kHz, one per group that has that rate: the benchmarks' 4-minute mix. */
export const FOUR_MINUTE_MIX_SOURCES = ['electronic/electronic-01-brainsukker.ogg', 'orchestral/orchestral-01-battlemusic.ogg', 'pop/pop-02-music001.ogg', 'rock/rock-01-armygeddon.ogg']
/** Four other excerpts: the 4-minute reference. */
export const FOUR_MINUTE_REFERENCE_SOURCES = ['electronic/electronic-02-chaosfog.ogg', 'orchestral/orchestral-02-breakingthechains.ogg', 'pop/pop-03-music002.ogg', 'rock/rock-02-chaosgod.ogg']

/** Writes the dev excerpts `sources`, end to end, as one stereo 44.1 kHz 24-bit WAV at `path` (generated, never committed). */
export async function makeFourMinuteTrack(path: string, sources: readonly string[]): Promise<string> {
  const parts = await Promise.all(sources.map((name) => decodeFile(join(DEV_AUDIO_DIR, name))))
  const frames = parts.reduce((sum, part) => sum + part.channels[0].length, 0)
  const channels = [new Float32Array(frames), new Float32Array(frames)]
  let offset = 0
  for (const part of parts) {
    for (let c = 0; c < 2; c++) channels[c].set(part.channels[Math.min(c, part.channels.length - 1)], offset)
    offset += part.channels[0].length
  }
  await writeAudioFile(path, { channels, sampleRateHz: 44100 }, 'wav24')
  return path
}
