/**
 * Mastering speed (issue 10): a 4-minute stereo 44.1 kHz mix with a 4-minute reference, from decoding to
 * a written 24-bit WAV (delivery check included, its MP3 round trip timed separately), each run in a fresh
 * process; medians and peak RSS. The mix is un-mastered (fixtures.ts UNMASTERING) and the reference is its
 * mastered original, so that every stage of the chain runs. Writes bench/results/master-speed.md.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FOUR_MINUTE_MIX_SOURCES, makeFourMinuteTrack, UNMASTERING } from './fixtures.js'
import { RESULTS_DIR } from './paths.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
/** Issue 10's targets, and the peers' figures for the same job on this machine kind (issue 10). */
const TARGET = { seconds: 3, rssMb: 500 }
const PEERS = 'Matchering 2.0.6: 11.8 s (median of 3), 1.5 GB; libsonare 1.7.2: 48 s, 1.06 GB (issue 10, measured by the CEO on this machine kind)'

interface Run { audioSeconds: number; masterSeconds: number; codecCheckSeconds: number; maxRssMb: number; stages: Record<string, number>; faults: Record<string, number>; levelerRatio: number; compressorRatios: number[] }
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const scratch = mkdtempSync(join(tmpdir(), 'refmaster-master-bench-'))
/** A 1-minute load average before the runs at or above this (one busy core): other work was running and stretches the times. */
const BUSY_LOAD = 1
/** The machine's 1-minute load average before the runs. */
const loadBefore = loadavg()[0]
try {
  const mix = await makeFourMinuteTrack(join(scratch, 'mix.wav'), FOUR_MINUTE_MIX_SOURCES, UNMASTERING)
  const reference = await makeFourMinuteTrack(join(scratch, 'reference.wav'), FOUR_MINUTE_MIX_SOURCES)
  const script = fileURLToPath(new URL('./master-stage.js', import.meta.url))
  const runs: Run[] = Array.from({ length: RUNS }, () => JSON.parse(execFileSync(process.execPath, [script, mix, reference, join(scratch, 'out.wav')], { encoding: 'utf8' })))
  const seconds = median(runs.map((r) => r.masterSeconds))
  const rss = median(runs.map((r) => r.maxRssMb))
  const md = [
    '# Mastering speed: 4-minute mix with a reference',
    '',
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; ${RUNS} runs, each in a fresh process.`,
    'Decode mix and reference (24-bit WAV), analyse both, match, render, limit to the reference loudness, delivery check, write a 24-bit WAV.',
    `The mix is un-mastered as the evaluation protocol does it (bench/fixtures.ts UNMASTERING: expander ${UNMASTERING.expander?.ratio}:1, EQ errors, width x${UNMASTERING.width}, ${UNMASTERING.gain_db} dB), so every stage runs: leveler ${runs[0].levelerRatio.toFixed(2)}:1, multiband compressor ${runs[0].compressorRatios.map((r) => r.toFixed(2)).join(' / ')}:1.`,
    `Load average (1 min) ${loadBefore.toFixed(1)} before the runs and ${loadavg()[0].toFixed(1)} after, on ${cpus().length} cores (the load after includes these runs): ${loadBefore >= BUSY_LOAD ? 'other work shared the machine and stretched the times' : 'the machine was quiet before the runs'} (the MP3 round trip, unchanged code, is a yardstick).`,
    '',
    '| what | median (min-max) | target | met |',
    '|---|---|---|---|',
    `| decode to written WAV (codec round trip excluded) | ${seconds.toFixed(2)} s (${Math.min(...runs.map((r) => r.masterSeconds)).toFixed(2)}-${Math.max(...runs.map((r) => r.masterSeconds)).toFixed(2)}) | <= ${TARGET.seconds} s | ${seconds <= TARGET.seconds ? 'yes' : 'NO'} |`,
    `| delivery check MP3 320 kbps round trip of the loudest 30 s | ${median(runs.map((r) => r.codecCheckSeconds)).toFixed(2)} s | - | - |`,
    `| peak RSS | ${rss.toFixed(0)} MB | <= ${TARGET.rssMb} MB | ${rss <= TARGET.rssMb ? 'yes' : 'NO'} |`,
    '',
    `Peers for the same job: ${PEERS}.`,
    '',
    'Where the time goes (medians per stage, from the job\'s own progress reports; stages in the order they run). Fresh memory is',
    'counted because its first touch costs this machine kind about 3.5 ms per MB (minor page faults of all threads, 4 KiB each):',
    '',
    '| stage | median s | fresh memory touched (MB) |',
    '|---|---:|---:|',
    ...Object.keys(runs[0].stages).filter((name) => name !== '').map((name) => `| ${name} | ${median(runs.map((r) => r.stages[name] ?? 0)).toFixed(2)} | ${((median(runs.map((r) => r.faults[name] ?? 0)) * 4) / 1024).toFixed(0)} |`),
    '',
  ].join('\n')
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, 'master-speed.md'), md)
  process.stdout.write(md)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
