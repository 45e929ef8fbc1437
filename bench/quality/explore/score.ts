/**
 * Exploration aid (not part of the benchmark): scores the analytic matcher's current rules on the cache
 * of cache.ts without rendering: the matching EQ and the width stage applied to the mix's mid/side Welch
 * spectra give the master's tonal balance and side/mid ratio (compressor and limiter ignored).
 *   node dist/bench/quality/explore/score.js CACHE.json [--csv OUT]
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { TrackAnalysis } from '../../../src/analysis/track-analysis.js'
import { matchSettings, referenceProfile } from '../../../src/master.js'
import { playbackTarget } from '../../../src/chain/playback-targets.js'
import { resolveStrengths } from '../../../src/chain/strengths.js'
import { interpolateCurveDb } from '../../../src/dsp/matching-eq.js'
import { matchLoudness } from '../../../src/chain/loudness-match.js'
import { checkReference } from '../../../src/report/reference-check.js'
import { THIRD_OCTAVE_CENTERS_HZ, tonalBalanceErrorOfCurves } from '../metrics.js'

interface Goal { lufs: number; truePeakDbtp: number; plrDb: number; sideMidDb: number; lraLu: number; ltasDb: number[] }
interface Cached {
  stem: string; group: string; partner: string
  mixAnalysis: TrackAnalysis; refAnalysis: TrackAnalysis
  mixMidPsd: number[]; mixSidePsd: number[]; mixMidEnergy: number; mixSideEnergy: number
  goalA: Goal; goalB: Goal
}
const FS = 44100
const N = 32768
const silent = { sampleRateHz: FS, channels: [new Float32Array(25 * FS), new Float32Array(25 * FS)] }

function simulate(t: Cached, ref: TrackAnalysis, goal: Goal) {
  const check = checkReference('reference', silent, ref, t.mixAnalysis)
  const s = resolveStrengths()
  const f = check.strengthFactors
  const strengths = { ...s, eq: s.eq * f.eq, dynamics: s.dynamics * f.dynamics, width: s.width * f.width }
  const { settings } = matchSettings(t.mixAnalysis, referenceProfile(ref, check), 'the reference', playbackTarget('reference'), strengths, ref.loudness.integratedLufs)
  const { curve, strength } = settings.matchingEq
  const edges = settings.width.crossoversHz
  const bins = N / 2 + 1
  const mid = new Float64Array(bins)
  const side = new Float64Array(bins)
  let midIn = 0, sideIn = 0, midOut = 0, sideOut = 0
  for (let k = 0; k < bins; k++) {
    const hz = (k * FS) / N
    const band = edges.filter((e) => hz >= e).length
    const gm = 10 ** ((strength * interpolateCurveDb(curve.frequenciesHz, curve.midDb, hz)) / 10)
    const gs = 10 ** ((strength * interpolateCurveDb(curve.frequenciesHz, curve.sideDb, hz) + settings.width.bands[band].sideGainDb) / 10)
    mid[k] = t.mixMidPsd[k] * gm
    side[k] = t.mixSidePsd[k] * gs
    midIn += t.mixMidPsd[k]; sideIn += t.mixSidePsd[k]; midOut += mid[k]; sideOut += side[k]
  }
  const ltas = Float64Array.from(THIRD_OCTAVE_CENTERS_HZ, (centre) => {
    const lo = centre * 10 ** -0.05
    const hi = centre * 10 ** 0.05
    let sum = 0
    for (let k = 0; k < bins; k++) {
      const hz = (k * FS) / N
      if (hz >= lo && hz < hi) sum += mid[k] + side[k]
    }
    return 10 * Math.log10(Math.max(sum, 1e-20))
  })
  const sideMidDb = Math.max(-60, 10 * Math.log10((t.mixSideEnergy * sideOut) / sideIn / ((t.mixMidEnergy * midOut) / midIn)))
  const levels = (a: TrackAnalysis) => ({ integratedLufs: a.loudness.integratedLufs, truePeakDbtp: a.loudness.truePeakDbtp, plrDb: a.loudness.truePeakDbtp - a.loudness.integratedLufs })
  const mixLevels = levels(t.mixAnalysis)
  const trust = settings.loudness.referenceTrust ?? 0
  const loud = matchLoudness(mixLevels, levels(ref), -1, trust)
  const outPlrDb = Math.min(mixLevels.plrDb, loud.peakDbtp - loud.targetLufs)
  return {
    d_lufs: Math.abs(loud.targetLufs - goal.lufs),
    d_plr_db: Math.abs(outPlrDb - goal.plrDb),
    tbe_db: tonalBalanceErrorOfCurves(ltas, Float64Array.from(goal.ltasDb)),
    d_side_mid_db: Math.abs(sideMidDb - goal.sideMidDb),
    eqFactor: f.eq,
    trust,
  }
}

export function loadCache(path: string): Cached[] {
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** Means and worsts of both tasks, one line; per-track rows into `rows` when given. */
export function scoreAll(tracks: Cached[], rows: string[] = []): string {
  const out: string[] = []
  const byStem = new Map(tracks.map((t) => [t.stem, t]))
  for (const task of ['match', 'cross'] as const) {
    const results = tracks.map((t) => {
      const p = byStem.get(t.partner)
      const r = task === 'match' ? simulate(t, t.refAnalysis, t.goalA) : simulate(t, p!.refAnalysis, p!.goalB)
      rows.push(`${task},${t.stem},${r.tbe_db},${r.d_side_mid_db},${r.eqFactor},${r.trust},${r.d_lufs},${r.d_plr_db}`)
      return r
    })
    type Key = 'tbe_db' | 'd_side_mid_db' | 'd_lufs' | 'd_plr_db'
    const mean = (key: Key) => results.reduce((s, r) => s + r[key], 0) / results.length
    const worst = (key: Key) => Math.max(...results.map((r) => r[key]))
    out.push(`${task}: tbe ${mean('tbe_db').toFixed(3)} / ${worst('tbe_db').toFixed(3)}  side/mid ${mean('d_side_mid_db').toFixed(3)} / ${worst('d_side_mid_db').toFixed(3)}  lufs ${mean('d_lufs').toFixed(3)}  plr ${mean('d_plr_db').toFixed(3)}`)
  }
  return out.join('  |  ')
}

if (process.argv[1]?.endsWith('score.js')) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { csv: { type: 'string' } } })
  const rows = ['task,track,tbe_db,d_side_mid_db,eq_factor,trust,d_lufs,d_plr_db']
  console.log(scoreAll(loadCache(positionals[0]), rows))
  if (values.csv) writeFileSync(values.csv, rows.join('\n') + '\n')
}
