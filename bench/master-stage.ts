/**
 * One timed mastering job in a fresh process (for its own peak RSS), as the CLI runs it: decode mix and
 * reference (the reference on a worker thread meanwhile), master toward the reference (the render may
 * write into the mix's arrays), write a 24-bit WAV; the delivery check's MP3 round trip is timed on its own.
 * Prints {"audioSeconds","masterSeconds","codecCheckSeconds","maxRssMb","stages","faults","levelerRatio","compressorRatios"} as JSON; `stages` holds the
 * seconds from each stage the job reports (its progress callback) to the next, decoding and writing included,
 * and `faults` the process's minor page faults in each.
 * Usage: node dist/bench/master-stage.js MIX REFERENCE OUT.wav
 */
import { decodeAudio, decodeFile } from '../src/audio/decode.js'
import { decodeFileOnWorker } from '../src/audio/decode-on-worker.js'
import { durationSeconds } from '../src/audio/audio.js'
import { encodeAudio, writeAudioFile } from '../src/audio/encode.js'
import { measureLoudness } from '../src/analysis/loudness/index.js'
import { loudestExcerpt } from '../src/report/delivery-check.js'
import { masterTrack } from '../src/master.js'

const [mixPath, referencePath, outPath] = process.argv.slice(2)
const start = performance.now()
const stages: Record<string, number> = {}
/** Minor page faults per stage, all threads: first touches of fresh memory, which cost the project's machine kind about 3.5 ms per MB. */
const faults: Record<string, number> = {}
let stage = 'decoding'
let stageStart = start
let stageFaults = process.resourceUsage().minorPageFault
/** Closes the running stage and opens `next` (a stage reported twice adds up). */
const enter = (next: string) => {
  const now = performance.now()
  const nowFaults = process.resourceUsage().minorPageFault
  stages[stage] = (stages[stage] ?? 0) + (now - stageStart) / 1000
  faults[stage] = (faults[stage] ?? 0) + nowFaults - stageFaults
  stage = next
  stageStart = now
  stageFaults = nowFaults
}
// As the CLI does: the reference is decoded on a worker thread while this one decodes the mix.
const pendingReference = decodeFileOnWorker(referencePath)
const mix = await decodeFile(mixPath)
const reference = await pendingReference
const audioSeconds = durationSeconds(mix)
// As the CLI does: the mix was decoded for this job alone, so the render may write into its arrays.
const result = await masterTrack({ mixName: mixPath, mix, references: [{ name: referencePath, audio: reference, weight: 1 }], target: 'reference', skipCodecCheck: true, consumeMix: true }, (_fraction, name) => name !== stage && enter(name))
enter('writing the WAV')
await writeAudioFile(outPath, result.audio, 'wav24')
enter('')
const masterSeconds = (performance.now() - start) / 1000
const codecStart = performance.now()
const excerpt = loudestExcerpt(result.audio, measureLoudness(result.audio))
await decodeAudio(await encodeAudio(excerpt, 'mp3'), 'mp3 round trip')
const codecCheckSeconds = (performance.now() - codecStart) / 1000
const { leveler, compressor } = result.report.settings
const dynamics = { levelerRatio: leveler?.ratio ?? 1, compressorRatios: compressor.bands.map((band) => band.ratio) }
process.stdout.write(JSON.stringify({ audioSeconds, masterSeconds, codecCheckSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024, stages, faults, ...dynamics }) + '\n')
