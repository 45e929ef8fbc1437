/**
 * One timed stage in a fresh process, so that its peak RSS is its own: prints
 * {"stage", "file", "audioSeconds", "stageSeconds", "totalSeconds", "maxRssMb"} as JSON.
 * Usage: node dist/bench/stage.js decode|analysis|decode+analysis|encode-wav24|encode-flac24|encode-mp3 FILE
 */
import { decodeFile } from '../src/audio/decode.js'
import { encodeAudio } from '../src/audio/encode.js'
import { analyzeTrack } from '../src/analysis/track-analysis.js'
import { durationSeconds } from '../src/audio/audio.js'
import type { OutputFormat } from '../src/audio/formats.js'

const [stage, file] = process.argv.slice(2)
const start = performance.now()
const audio = await decodeFile(file)
const decoded = performance.now()
let stageStart = start
if (stage === 'analysis') {
  stageStart = performance.now()
  analyzeTrack(audio)
} else if (stage === 'decode+analysis') {
  analyzeTrack(audio)
} else if (stage.startsWith('encode-')) {
  stageStart = performance.now()
  await encodeAudio(audio, stage.slice('encode-'.length) as OutputFormat)
} else if (stage !== 'decode') {
  throw new Error(`unknown stage ${stage}`)
}
const end = stage === 'decode' ? decoded : performance.now()
process.stdout.write(JSON.stringify({
  stage,
  file,
  audioSeconds: durationSeconds(audio),
  stageSeconds: (end - stageStart) / 1000,
  totalSeconds: (end - start) / 1000,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
}) + '\n')
