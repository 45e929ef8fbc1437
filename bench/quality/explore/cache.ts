/**
 * Exploration aid (not part of the benchmark): builds every dev excerpt once and stores what the
 * analytic matcher reads (mix and reference analyses) plus the mix's mid/side Welch spectra and both
 * tasks' goals, so that settings rules can be scored on tonal balance and width without rendering.
 *   node dist/bench/quality/explore/cache.js OUT.json [--limit N] [--audio DIR --degradations JSON]
 * (--audio: another folder of tracks, e.g. the dev set's full/, with the degradations run.js drew for it.)
 */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Audio } from '../../../src/audio/audio.js'
import { analyzeTrack } from '../../../src/analysis/track-analysis.js'
import { DEV_AUDIO_DIR, SHARED_DIR } from '../../paths.js'
import { loadDegradations, trackSeed } from '../degrade.js'
import { welchSums } from '../metrics.js'
import { loadExcerpt } from '../protocol.js'
import { findTracks, partner, readGroups, stemOf } from '../tracks.js'

const N = 32768

/** Welch PSD (metrics.py third_octave_ltas conventions, times the bin width) of one signal. */
function welch(x: Float32Array, fs: number): number[] {
  const { sums, scale } = welchSums([x], fs, N)
  return Array.from(sums, (p) => p * scale)
}

function midSide(audio: Audio): { mid: Float32Array; side: Float32Array; midEnergy: number; sideEnergy: number } {
  const [l, r] = audio.channels
  const mid = new Float32Array(l.length)
  const side = new Float32Array(l.length)
  let midEnergy = 0
  let sideEnergy = 0
  for (let n = 0; n < l.length; n++) {
    mid[n] = (l[n] + r[n]) / 2
    side[n] = (l[n] - r[n]) / 2
    midEnergy += mid[n] ** 2
    sideEnergy += side[n] ** 2
  }
  return { mid, side, midEnergy, sideEnergy }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { limit: { type: 'string' }, audio: { type: 'string' }, degradations: { type: 'string' } } })
  const audioDir = values.audio ?? DEV_AUDIO_DIR
  const paths = findTracks(audioDir, values.audio ? [] : ['full']).slice(0, values.limit ? Number(values.limit) : undefined)
  const stems = paths.map(stemOf)
  const groupsPath = join(audioDir, 'groups.csv')
  const groups = existsSync(groupsPath) ? readGroups(groupsPath) : undefined
  const degradations = loadDegradations(values.degradations ?? join(SHARED_DIR, 'eval', 'results', 'dev', 'degradations-seed0.json'))
  const goal = (a: { lufs: number; truePeakDbtp: number; plrDb: number; sideMidDb: number; lraLu: number; ltasDb: Float64Array }) => ({ ...a, ltasDb: Array.from(a.ltasDb) })
  const tracks = []
  for (const [i, path] of paths.entries()) {
    const stem = stems[i]
    const params = degradations.get(stem)!
    if (params.seed !== trackSeed(stem, 0)) throw new Error('seed')
    const excerpt = await loadExcerpt(path, stem, params)
    const ms = midSide(excerpt.mix)
    const rs = midSide(excerpt.reference)
    const mixAnalysis = analyzeTrack(excerpt.mix, undefined, { meydaFeatures: false })
    const refAnalysis = analyzeTrack(excerpt.reference, undefined, { meydaFeatures: false })
    tracks.push({
      stem,
      group: groups?.get(stem),
      partner: stems[partner(i, stems, groups)],
      mixAnalysis,
      refAnalysis,
      mixMidPsd: welch(ms.mid, 44100),
      mixSidePsd: welch(ms.side, 44100),
      refMidPsd: welch(rs.mid, 44100),
      refSidePsd: welch(rs.side, 44100),
      mixMidEnergy: ms.midEnergy,
      mixSideEnergy: ms.sideEnergy,
      goalA: goal(excerpt.targetAnalysis),
      goalB: goal(excerpt.referenceAnalysis),
    })
    process.stderr.write(`${i + 1}/${paths.length} ${stem}\n`)
  }
  writeFileSync(positionals[0], JSON.stringify(tracks))
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
