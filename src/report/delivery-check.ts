import type { Audio } from '../audio/audio.js'
import { frameCount } from '../audio/audio.js'
import { decodeAudio } from '../audio/decode.js'
import { encodeAudio } from '../audio/encode.js'
import { measureLoudness, truePeak } from '../analysis/loudness/index.js'
import type { LoudnessMeasurement } from '../analysis/loudness/types.js'
import { gainToDb } from '../units/db.js'
import { REFERENCE_CHECK } from './reference-check.js'

/**
 * The delivery check that ends every report: the master measured again by our own meter against the
 * target, each line pass or fail; for targets delivered through a lossy codec, the true peak after an
 * MP3 320 kbps encode and decode of the loudest 30 s.
 */
export interface DeliveryCheckLine {
  check: string
  pass: boolean
  measured: number | null
  limit: string
}

/** Loudness tolerance of a delivered master where the target is reachable (issue: 0.3 LU). */
export const LOUDNESS_TOLERANCE_LU = 0.3
/** Length of the excerpt sent through the codec (s). */
const CODEC_EXCERPT_SECONDS = 30
/** After the codec a master must not exceed full scale on playback (dBTP). */
const AFTER_CODEC_LIMIT_DBTP = 0

function countClipped(audio: Audio): number {
  let count = 0
  for (const channel of audio.channels) for (let n = 0; n < channel.length; n++) if (Math.abs(channel[n]) >= REFERENCE_CHECK.fullScale) count++
  return count
}

/** The loudest `seconds` of `audio` (by short-term loudness, 100 ms steps), or all of it when shorter. */
export function loudestExcerpt(audio: Audio, loudness: LoudnessMeasurement, seconds = CODEC_EXCERPT_SECONDS): Audio {
  const frames = frameCount(audio)
  const length = Math.min(frames, Math.round(seconds * audio.sampleRateHz))
  let best = 0
  loudness.shortTermLufs.forEach((level, i) => {
    if (level > loudness.shortTermLufs[best]) best = i
  })
  // Short-term block i covers [0.1 i, 0.1 i + 3) s: centre the excerpt on it.
  const centre = Math.round((best * 0.1 + 1.5) * audio.sampleRateHz)
  const start = Math.max(0, Math.min(frames - length, centre - Math.floor(length / 2)))
  return { channels: audio.channels.map((c) => c.slice(start, start + length)), sampleRateHz: audio.sampleRateHz }
}

/** Runs the delivery check of `master` (expected length `expectedFrames`) against the target; `measured` is its loudness if already known. */
export async function deliveryCheck(
  master: Audio,
  expectedFrames: number,
  target: { integratedLufs: number; ceilingDbtp: number; deliveredLossy: boolean; reachable: boolean },
  measured?: LoudnessMeasurement,
): Promise<{ lines: DeliveryCheckLine[]; loudness: LoudnessMeasurement }> {
  // The loudness stage has just measured the master with this same meter: reuse it when given.
  const loudness = measured ?? measureLoudness(master)
  const clipped = countClipped(master)
  const lines: DeliveryCheckLine[] = [
    {
      check: target.reachable ? 'integrated loudness on target' : 'integrated loudness on target (target not reachable: see warnings)',
      pass: Math.abs(loudness.integratedLufs - target.integratedLufs) <= LOUDNESS_TOLERANCE_LU,
      measured: Number.isFinite(loudness.integratedLufs) ? loudness.integratedLufs : null,
      limit: `${target.integratedLufs.toFixed(1)} +- ${LOUDNESS_TOLERANCE_LU} LUFS`,
    },
    { check: 'true peak at or below the ceiling', pass: !(loudness.truePeakDbtp > target.ceilingDbtp), measured: Number.isFinite(loudness.truePeakDbtp) ? loudness.truePeakDbtp : null, limit: `<= ${target.ceilingDbtp} dBTP` },
    { check: 'no clipped samples', pass: clipped === 0, measured: clipped, limit: '0 samples at full scale' },
    { check: 'length equals the mix', pass: frameCount(master) === expectedFrames, measured: frameCount(master), limit: `${expectedFrames} frames` },
  ]
  if (target.deliveredLossy) {
    const excerpt = loudestExcerpt(master, loudness)
    const decoded = await decodeAudio(await encodeAudio(excerpt, 'mp3'), 'MP3 round trip')
    const peakDbtp = gainToDb(Math.max(...decoded.channels.map((c) => truePeak(c))))
    lines.push({ check: 'true peak after MP3 320 kbps encode and decode (loudest 30 s)', pass: peakDbtp <= AFTER_CODEC_LIMIT_DBTP, measured: peakDbtp, limit: `<= ${AFTER_CODEC_LIMIT_DBTP} dBTP` })
  }
  return { lines, loudness }
}
