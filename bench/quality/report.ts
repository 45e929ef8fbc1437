/**
 * Summaries of per-track rows (run_eval.py `summarize`: mean / median / worst) and the Markdown report
 * that sets our systems beside the peers' rows from ../shared/eval/results/dev.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCsv } from './csv.js'
import { CEILING_DBTP, type Row } from './protocol.js'

export type Task = 'match' | 'cross'
export const TASKS: readonly Task[] = ['match', 'cross']

/** How the worst value of a column is picked (run_eval.py MATCH_COLS / CROSS_COLS). */
type Worst = 'max' | 'min'
export const MATCH_COLUMNS: Readonly<Record<string, Worst>> = {
  d_lufs: 'max',
  tbe_db: 'max',
  d_side_mid_db: 'max',
  d_plr_db: 'max',
  d_lra: 'max',
  mrstft: 'max',
  mrstft_logmag: 'max',
  abs_lag_samples: 'max',
  abs_len_diff: 'max',
  out_tp_dbtp: 'max',
  out_clipped: 'max',
  wall_s: 'max',
  xrt: 'min',
}
export const CROSS_COLUMNS: Readonly<Record<string, Worst>> = Object.fromEntries(
  ['d_lufs', 'tbe_db', 'd_side_mid_db', 'd_plr_db', 'd_lra', 'out_tp_dbtp', 'out_clipped', 'wall_s', 'xrt'].map((c) => [c, MATCH_COLUMNS[c]]),
)
/** Metrics compared between our identity and Python's, per track (the protocol's agreement check). */
export const AGREEMENT_COLUMNS = ['d_lufs', 'tbe_db', 'd_side_mid_db', 'd_plr_db', 'd_lra', 'mrstft', 'mrstft_logmag', 'out_tp_dbtp', 'abs_lag_samples'] as const

/** Mean, median and worst of one column. */
export interface Stat {
  mean: number
  median: number
  worst: number
  count: number
}

/** A system's rows for one task, from our run or a peer's CSV. */
export interface SystemRows {
  name: string
  /** 'ours' (this TypeScript run) or 'python' (../shared/eval/results). */
  source: 'ours' | 'python'
  rows: Row[]
}

function numeric(row: Row, column: string): number | undefined {
  const v = row[column]
  if (v === undefined || v === '') return undefined
  const x = typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)
  return Number.isNaN(x) ? undefined : x
}

/** Rows that did not fail. */
export function okRows(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.error === undefined || r.error === '')
}

/** run_eval.py `summarize` for one column; undefined when no row has it. */
export function stat(rows: readonly Row[], column: string, worst: Worst): Stat | undefined {
  const v = okRows(rows).flatMap((r) => {
    const x = numeric(r, column)
    return x === undefined ? [] : [x]
  })
  if (v.length === 0) return undefined
  const sorted = [...v].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { mean: v.reduce((s, x) => s + x, 0) / v.length, median, worst: worst === 'max' ? sorted[sorted.length - 1] : sorted[0], count: v.length }
}

/**
 * The peers' per-track rows in `dir` (files NAME-YYYYMMDD-TASK.csv; the latest date of each name),
 * restricted, when `pairs` is given, to the (track, reference track) pairs it holds (see `pairKey`): a
 * run on fewer tracks pairs some of them differently in the cross task.
 */
export function readPeerRows(dir: string, task: Task, pairs?: ReadonlySet<string>): SystemRows[] {
  let files: string[]
  try {
    files = readdirSync(dir)
  } catch {
    return []
  }
  const latest = new Map<string, string>()
  for (const file of files.sort()) {
    const match = /^(.+)-(\d{8})-(match|cross)\.csv$/.exec(file)
    if (match && match[3] === task) latest.set(match[1], file)
  }
  return [...latest].map(([name, file]) => {
    const rows = parseCsv(readFileSync(join(dir, file), 'utf8')) as Row[]
    return { name, source: 'python' as const, rows: pairs ? rows.filter((r) => pairs.has(pairKey(r))) : rows }
  })
}

/** Identifies a row by its track and reference track. */
export function pairKey(row: Row): string {
  return `${String(row.track)}\t${String(row.ref_track)}`
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x))

/** Constraint violations of one system's rows: true peak above the ceiling, clipped samples, wrong length. */
export function violations(rows: readonly Row[]): { ok: number; failed: number; overCeiling: number; worstTpDbtp: number; clippedTracks: number; clippedSamples: number; lengthMismatches: number | undefined } {
  const ok = okRows(rows)
  const tp = ok.map((r) => numeric(r, 'out_tp_dbtp') ?? -Infinity)
  const clipped = ok.map((r) => numeric(r, 'out_clipped') ?? 0)
  const lengths = ok.map((r) => numeric(r, 'abs_len_diff'))
  return {
    ok: ok.length,
    failed: rows.length - ok.length,
    overCeiling: tp.filter((x) => x > CEILING_DBTP).length,
    worstTpDbtp: Math.max(-Infinity, ...tp),
    clippedTracks: clipped.filter((x) => x > 0).length,
    clippedSamples: clipped.reduce((s, x) => s + x, 0),
    lengthMismatches: lengths.every((x) => x === undefined) ? undefined : lengths.filter((x) => x !== undefined && x !== 0).length,
  }
}

function label(s: SystemRows): string {
  return s.source === 'ours' ? `**${s.name}** (TS)` : `${s.name} (py)`
}

/** Metric table of one task: one column per system, cells mean / median / worst. */
function metricTable(task: Task, systems: readonly SystemRows[]): string[] {
  const columns = task === 'match' ? MATCH_COLUMNS : CROSS_COLUMNS
  const lines = [`| metric | ${systems.map(label).join(' | ')} |`, `|---|${systems.map(() => '---:|').join('')}`]
  for (const [column, worst] of Object.entries(columns)) {
    const cells = systems.map((s) => {
      const st = stat(s.rows, column, worst)
      return st ? `${fmt(st.mean)} / ${fmt(st.median)} / ${fmt(st.worst)}` : '-'
    })
    if (cells.some((c) => c !== '-')) lines.push(`| ${column} | ${cells.join(' | ')} |`)
  }
  return lines
}

function constraintTable(systems: readonly SystemRows[]): string[] {
  const lines = [
    `| system | tracks ok | failed | TP > ${CEILING_DBTP} dBTP | worst TP (dBTP) | tracks clipped | clipped samples | length != mix |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const s of systems) {
    const v = violations(s.rows)
    lines.push(`| ${label(s)} | ${v.ok} | ${v.failed} | ${v.overCeiling} | ${fmt(v.worstTpDbtp)} | ${v.clippedTracks} | ${v.clippedSamples} | ${v.lengthMismatches ?? '-'} |`)
  }
  return lines
}

/** Per-track |ours - python| of our identity against Python's identity rows, paired by track and reference. */
export function agreement(ours: readonly Row[], python: readonly Row[]): { column: string; meanOurs: number; meanPython: number; maxAbsDiff: number; pairs: number }[] {
  const byTrack = new Map(okRows(python).map((r) => [pairKey(r), r]))
  return AGREEMENT_COLUMNS.flatMap((column) => {
    const pairs = okRows(ours).flatMap((r) => {
      const p = byTrack.get(pairKey(r))
      const a = numeric(r, column)
      const b = p ? numeric(p, column) : undefined
      return a === undefined || b === undefined ? [] : [[a, b] as const]
    })
    if (pairs.length === 0) return []
    return [{
      column,
      meanOurs: pairs.reduce((s, [a]) => s + a, 0) / pairs.length,
      meanPython: pairs.reduce((s, [, b]) => s + b, 0) / pairs.length,
      maxAbsDiff: Math.max(...pairs.map(([a, b]) => Math.abs(a - b))),
      pairs: pairs.length,
    }]
  })
}

/** What the report's header states about the run. */
export interface RunInfo {
  date: string
  command: string
  audio: string
  trackCount: number
  segmentSeconds: number
  degradations: string
  groups: string
  peersDir: string
  seconds: number
  warnings: string[]
}

const TITLES: Record<Task, string> = {
  match: 'match: output vs clean target A (reference = B of the same track)',
  cross: 'cross: output vs reference B of another track of the group',
}

/** The Markdown report: per task, metrics side by side, constraint violations, identity agreement. */
export function formatReport(info: RunInfo, results: ReadonlyMap<Task, SystemRows[]>, peers: ReadonlyMap<Task, SystemRows[]>): string {
  const md = [
    `# Quality benchmark (reference-matching protocol) — ${info.date}`,
    '',
    `- command: \`${info.command}\``,
    `- audio: \`${info.audio}\` (${info.trackCount} tracks), segments ${info.segmentSeconds} s, degradations from \`${info.degradations}\`, groups: \`${info.groups}\``,
    `- peers: per-track CSVs of \`${info.peersDir}\` (Python reference run_eval.py), restricted to the same (track, reference) pairs`,
    `- run time: ${info.seconds.toFixed(1)} s`,
    '- protocol: ../shared/eval/README.md, ported in bench/quality/ (tests/bench/quality-protocol.test.ts checks it against the Python).',
    '  Our d_lra uses refmaster\'s LRA unrounded; the Python rows use ffmpeg\'s, printed to 0.1 LU.',
    '- cells: mean / median / worst (worst = max, or min for xrt); lower is better except xrt.',
    '',
  ]
  for (const task of TASKS) {
    const ours = results.get(task)
    if (!ours) continue
    const all = [...ours, ...(peers.get(task) ?? [])]
    md.push(`## ${TITLES[task]}`, '', ...metricTable(task, all), '', '### Constraints', '', ...constraintTable(all), '')
    const ourIdentity = ours.find((s) => s.name === 'identity')
    const pyIdentity = peers.get(task)?.find((s) => s.name === 'identity')
    if (ourIdentity && pyIdentity) {
      md.push('### identity: TypeScript port vs Python reference (paired by track and reference)', '', '| metric | mean (TS) | mean (py) | max abs diff per track | tracks |', '|---|---:|---:|---:|---:|')
      for (const a of agreement(ourIdentity.rows, pyIdentity.rows)) md.push(`| ${a.column} | ${fmt(a.meanOurs)} | ${fmt(a.meanPython)} | ${a.maxAbsDiff.toFixed(4)} | ${a.pairs} |`)
      md.push('')
    }
    for (const s of ours) for (const r of s.rows) if (r.error) md.push(`- failed: ${s.name} ${r.track}: ${r.error}`)
  }
  if (info.warnings.length) md.push('## Warnings', '', ...info.warnings.map((w) => `- ${w}`), '')
  return md.join('\n')
}
