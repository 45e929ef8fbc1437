/**
 * Speed benchmark (`npm run bench`): decode, analysis and encode of the whole tracks in
 * ../shared/audio/dev/full/ and of a 4-minute stereo 44.1 kHz 24-bit WAV made from four dev excerpts.
 * Each stage runs RUNS times in a fresh process; we report medians of the real-time factor and of the
 * peak RSS. Writes bench/results/speed.md and speed.json.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEV_AUDIO_DIR, RESULTS_DIR } from './paths.js'
import { FOUR_MINUTE_MIX_SOURCES, makeFourMinuteTrack } from './fixtures.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const STAGES = ['decode', 'analysis', 'decode+analysis', 'encode-wav24', 'encode-flac24', 'encode-mp3'] as const
/** Targets of issue 3, on this 2-core machine, for the 4-minute track. */
const TARGETS = { analysisSeconds: 1.5, decodeAnalysisSeconds: 3, maxRssMb: 600 }

interface StageResult { stage: string; file: string; audioSeconds: number; stageSeconds: number; totalSeconds: number; maxRssMb: number }

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}


function runStage(stage: string, file: string): StageResult {
  const script = fileURLToPath(new URL('./stage.js', import.meta.url))
  return JSON.parse(execFileSync(process.execPath, [script, stage, file], { encoding: 'utf8' })) as StageResult
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'refmaster-bench-'))
  try {
    const fourMinutes = await makeFourMinuteTrack(join(scratch, 'four-minutes-44k1-24bit.wav'), FOUR_MINUTE_MIX_SOURCES)
    const files = [fourMinutes, ...readdirSync(join(DEV_AUDIO_DIR, 'full')).sort().map((name) => join(DEV_AUDIO_DIR, 'full', name))]
    const rows: Array<{ file: string; stage: string; audioSeconds: number; medianSeconds: number; minSeconds: number; maxSeconds: number; realTimeFactor: number; medianRssMb: number }> = []
    for (const file of files) {
      for (const stage of STAGES) {
        const results = Array.from({ length: RUNS }, () => runStage(stage, file))
        const seconds = results.map((r) => r.stageSeconds)
        const row = {
          file: file === fourMinutes ? '4-minute 44.1 kHz 24-bit WAV' : file.slice(DEV_AUDIO_DIR.length + 1),
          stage,
          audioSeconds: results[0].audioSeconds,
          medianSeconds: median(seconds),
          minSeconds: Math.min(...seconds),
          maxSeconds: Math.max(...seconds),
          realTimeFactor: results[0].audioSeconds / median(seconds),
          medianRssMb: median(results.map((r) => r.maxRssMb)),
        }
        rows.push(row)
        process.stderr.write(`${row.file} ${stage}: ${row.medianSeconds.toFixed(3)} s (${row.realTimeFactor.toFixed(0)}x real time), ${row.medianRssMb.toFixed(0)} MB\n`)
      }
    }
    const four = (stage: string) => rows.find((r) => r.file.startsWith('4-minute') && r.stage === stage)!
    const checks = [
      ['analysis of the 4-minute track, after decode', `${four('analysis').medianSeconds.toFixed(2)} s`, `<= ${TARGETS.analysisSeconds} s`, four('analysis').medianSeconds <= TARGETS.analysisSeconds],
      ['decode + analysis of the 4-minute track', `${four('decode+analysis').medianSeconds.toFixed(2)} s`, `<= ${TARGETS.decodeAnalysisSeconds} s`, four('decode+analysis').medianSeconds <= TARGETS.decodeAnalysisSeconds],
      ['peak RSS, decode + analysis', `${four('decode+analysis').medianRssMb.toFixed(0)} MB`, `<= ${TARGETS.maxRssMb} MB`, four('decode+analysis').medianRssMb <= TARGETS.maxRssMb],
    ] as const
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`
    const md = [
      '# Speed: decode, analysis, encode',
      '',
      `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; ${machine}. Each stage ran ${RUNS} times, each in a fresh`,
      'process; times are medians (min-max), the real-time factor is audio duration / median time, and peak RSS',
      "is the process's maximum resident set (decoding included, since every stage decodes first).",
      '',
      '## Targets (issue 3)',
      '',
      '| what | measured | target | met |',
      '|---|---|---|---|',
      ...checks.map(([what, measured, target, ok]) => `| ${what} | ${measured} | ${target} | ${ok ? 'yes' : 'NO'} |`),
      '',
      '## All stages',
      '',
      '| file | audio (s) | stage | median s (min-max) | x real time | peak RSS (MB) |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.file} | ${r.audioSeconds.toFixed(1)} | ${r.stage} | ${r.medianSeconds.toFixed(3)} (${r.minSeconds.toFixed(3)}-${r.maxSeconds.toFixed(3)}) | ${r.realTimeFactor.toFixed(0)} | ${r.medianRssMb.toFixed(0)} |`),
      '',
    ].join('\n')
    mkdirSync(RESULTS_DIR, { recursive: true })
    writeFileSync(join(RESULTS_DIR, 'speed.md'), md)
    writeFileSync(join(RESULTS_DIR, 'speed.json'), JSON.stringify({ machine, runs: RUNS, rows }, null, 2) + '\n')
    process.stdout.write(md)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
