/**
 * The TypeScript evaluation protocol (bench/quality) against the Python reference (../shared/eval) on three
 * dev excerpts chosen to cover its paths: a 48 kHz file (resampled), a mix that needs headroom attenuation,
 * and a clean A that exceeds full scale (clipped by the 24-bit WAV). Runs run_eval.py with the identity
 * system and degrade.py, and compares, per track, every metric within the tolerances below.
 * Skipped, with the reason in the suite's name, when python3 with numpy/scipy, ffmpeg or ../shared is missing.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/audio/decode.js'
import { DEV_AUDIO_DIR, SHARED_DIR } from '../../bench/paths.js'
import { parseCsv } from '../../bench/quality/csv.js'
import { applyDegradation, loadDegradations, type DegradationParams } from '../../bench/quality/degrade.js'
import type { Excerpt, Row } from '../../bench/quality/protocol.js'
import type { Task } from '../../bench/quality/report.js'
import { runProtocol } from '../../bench/quality/runner.js'
import { SYSTEMS } from '../../bench/quality/systems.js'
import { findTracks, readGroups } from '../../bench/quality/tracks.js'

/** Debian's python3 with numpy and scipy (../shared/eval/README.md); REFMASTER_PYTHON overrides it. */
const PYTHON = process.env.REFMASTER_PYTHON ?? '/usr/bin/python3'
const EVAL_DIR = join(SHARED_DIR, 'eval')
const GROUPS_CSV = join(DEV_AUDIO_DIR, 'groups.csv')
/** Shorter than the protocol's 25 s to keep the test quick; every code path is the same. */
const SEGMENT_SECONDS = 10
const SEED = 0
/** group folder / file of the three excerpts */
const EXCERPTS = ['ambient/ambient-01-anewjourney.ogg', 'electronic/electronic-03-digitalpursuit.ogg', 'rock/rock-02-chaosgod.ogg']
const FORTY_FOUR_K_STEMS = new Set(['electronic-03-digitalpursuit', 'rock-02-chaosgod'])

/**
 * Per-track tolerances (absolute). d_lra: run_eval.py takes both loudness ranges from ffmpeg's summary,
 * printed to 0.1 LU, and ours follows its convention within ~0.05 LU, so two rounded values can differ
 * from ours by up to 0.1 + 0.05. Counts (lag, length, clipped samples) must match exactly.
 */
const TOLERANCE: Record<string, number> = {
  d_lufs: 0.02,
  tbe_db: 0.02,
  d_side_mid_db: 0.02,
  d_plr_db: 0.05,
  d_lra: 0.15,
  mrstft: 0.01,
  mrstft_logmag: 0.01,
  out_lufs: 0.02,
  goal_lufs: 0.02,
  out_side_mid: 0.02,
  goal_side_mid: 0.02,
  out_plr: 0.05,
  goal_plr: 0.05,
  out_tp_dbtp: 0.01,
  abs_lag_samples: 0,
  abs_len_diff: 0,
  out_clipped: 0,
}
/** degrade.ts against degrade.py on the same float64 input (observed ~1e-13). */
const DEGRADE_TOLERANCE = 1e-9
/** Our mix (own decoder) against the 24-bit mix.wav run_eval.py writes (ffmpeg's decoder), 44.1 kHz files. */
const MIX_WAV_TOLERANCE = 1e-5

function missingPrerequisite(): string | undefined {
  if (!existsSync(join(EVAL_DIR, 'run_eval.py'))) return `${EVAL_DIR}/run_eval.py not found`
  for (const excerpt of EXCERPTS) if (!existsSync(join(DEV_AUDIO_DIR, excerpt))) return `${join(DEV_AUDIO_DIR, excerpt)} not found`
  if (spawnSync(PYTHON, ['-c', 'import numpy, scipy'], { stdio: 'ignore' }).status !== 0) return `${PYTHON} with numpy and scipy is not available`
  for (const tool of ['ffmpeg', 'ffprobe']) if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0) return `${tool} is not on PATH`
  return undefined
}

/** Runs a command to completion; resolves with stdout, rejects with stderr's tail. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))))
  })
}

function readF64(path: string): Float64Array {
  const bytes = readFileSync(path)
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

function deinterleave(x: Float64Array): [Float64Array, Float64Array] {
  const n = x.length / 2
  const l = new Float64Array(n)
  const r = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    l[i] = x[2 * i]
    r[i] = x[2 * i + 1]
  }
  return [l, r]
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}

/** Deep equality with numbers equal to 1e-12 relative (numpy's exp/log may differ in the last bits across builds). */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number')
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)))
  } else if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', path).toBe(true)
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort())
    for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
  } else {
    expect(actual, path).toEqual(expected)
  }
}

const skipReason = missingPrerequisite()
if (skipReason) console.warn(`tests/bench/quality-protocol.test.ts SKIPPED: ${skipReason}`)

describe.skipIf(skipReason !== undefined)(`quality protocol: TypeScript port vs ../shared/eval (Python)${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`, () => {
  let work = ''
  let pythonWork = ''
  const python = new Map<Task, Map<string, Row>>()
  const ours = new Map<Task, Map<string, Row>>()
  const excerpts = new Map<string, Excerpt>()
  let referenceParams: Record<string, DegradationParams> = {}

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'quality-protocol-'))
    const audio = join(work, 'audio')
    for (const excerpt of EXCERPTS) {
      const [group, file] = excerpt.split('/')
      mkdirSync(join(audio, group), { recursive: true })
      symlinkSync(join(DEV_AUDIO_DIR, excerpt), join(audio, group, file))
    }
    mkdirSync(join(work, 'degrade'))
    const trackPaths = findTracks(audio)
    // the Python runs and ours side by side (two cores)
    const runEval = run(PYTHON, [join(EVAL_DIR, 'run_eval.py'), '--system', 'identity', '--audio', audio, '--groups', GROUPS_CSV, '--out', join(work, 'out'), '--seg', String(SEGMENT_SECONDS), '--seed', String(SEED), '--keep'], work)
    const degradeReference = run(PYTHON, [fileURLToPath(new URL('degrade-reference.py', import.meta.url)), EVAL_DIR, join(work, 'degrade'), String(SEGMENT_SECONDS), String(SEED), ...trackPaths], work)
    const { results } = await runProtocol({
      trackPaths,
      groups: readGroups(GROUPS_CSV),
      degradations: loadDegradations(join(SHARED_DIR, 'eval', 'results', 'dev', `degradations-seed${SEED}.json`)),
      baseSeed: SEED,
      systems: [{ name: 'identity', run: SYSTEMS.identity }],
      tasks: ['match', 'cross'],
      segmentSeconds: SEGMENT_SECONDS,
      onExcerpt: (excerpt) => excerpts.set(excerpt.stem, excerpt),
      keepDir: join(work, 'keep'),
    })
    for (const [task, systems] of results) ours.set(task, new Map(systems[0].rows.map((r) => [String(r.track), r])))
    const evalStdout = await runEval
    pythonWork = /work folder kept: (.+)/.exec(evalStdout)?.[1]?.trim() ?? ''
    for (const task of ['match', 'cross'] as const) {
      const csv = readdirSync(join(work, 'out')).find((f) => f.endsWith(`-${task}.csv`))
      if (!csv) throw new Error(`run_eval.py wrote no ${task} CSV`)
      python.set(task, new Map(parseCsv(readFileSync(join(work, 'out', csv), 'utf8')).map((r) => [r.track, r])))
    }
    referenceParams = JSON.parse(await degradeReference) as Record<string, DegradationParams>
  }, 180_000)

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
    if (pythonWork.startsWith(tmpdir())) rmSync(pythonWork, { recursive: true, force: true })
  })

  it('degradations-seed0.json holds the parameters degrade.py draws (headroom aside: it depends on the segment)', () => {
    const file = loadDegradations(join(SHARED_DIR, 'eval', 'results', 'dev', `degradations-seed${SEED}.json`))
    for (const [stem, params] of Object.entries(referenceParams)) {
      const { headroom_db: _drawn, ...drawn } = params
      const { headroom_db: _stored, ...stored } = file.get(stem) ?? ({} as DegradationParams)
      expectClose(stored, drawn, stem)
    }
  })

  it('degrade.ts reproduces degrade.py sample for sample (same float64 input)', () => {
    for (const [stem, params] of Object.entries(referenceParams)) {
      const [l, r] = deinterleave(readF64(join(work, 'degrade', `${stem}.A.f64`)))
      const [pl, pr] = deinterleave(readF64(join(work, 'degrade', `${stem}.mix.f64`)))
      const degraded = applyDegradation(l, r, 44100, params)
      const diff = Math.max(maxAbsDiff(degraded.channels[0], pl), maxAbsDiff(degraded.channels[1], pr))
      expect(diff, `${stem}: max |TS - Python| of the mix`).toBeLessThan(DEGRADE_TOLERANCE)
      expect(degraded.headroomDb).toBeCloseTo(params.headroom_db ?? 0, 9)
    }
  })

  it('keeps every excerpt and every master as float WAV when asked (keepDir, run.js --keep)', async () => {
    for (const [stem, excerpt] of excerpts) {
      const kept = async (name: string) => (await decodeFile(join(work, 'keep', name))).channels
      expect(await kept(`${stem}-goal.wav`)).toEqual(excerpt.target.channels)
      expect(await kept(`${stem}-reference.wav`)).toEqual(excerpt.reference.channels)
      // the identity system's master is the mix
      for (const task of ['match', 'cross']) expect(await kept(`${task}/${stem}-identity.wav`), task).toEqual(excerpt.mix.channels)
    }
  })

  it('the mixes match the 24-bit mix.wav files run_eval.py writes (44.1 kHz sources)', async () => {
    expect(pythonWork, 'run_eval.py --keep printed its work folder').not.toBe('')
    for (const stem of FORTY_FOUR_K_STEMS) {
      const wav = await decodeFile(join(pythonWork, `${stem}.mix.wav`))
      const mix = excerpts.get(stem)?.mix
      expect(mix).toBeDefined()
      for (let c = 0; c < 2; c++) expect(maxAbsDiff(mix!.channels[c], wav.channels[c]), `${stem} channel ${c}`).toBeLessThan(MIX_WAV_TOLERANCE)
    }
  })

  for (const task of ['match', 'cross'] as const) {
    it(`${task}: every metric agrees per track within the stated tolerances`, () => {
      const failures: string[] = []
      const report: string[] = []
      const pyRows = python.get(task)!
      for (const [track, row] of ours.get(task)!) {
        const py = pyRows.get(track)
        expect(py, `Python row for ${track}`).toBeDefined()
        expect(row.ref_track).toBe(py!.ref_track)
        for (const [column, tolerance] of Object.entries(TOLERANCE)) {
          if (py![column] === undefined || py![column] === '') continue
          const diff = Math.abs(Number(row[column]) - Number(py![column]))
          report.push(`${track} ${column}: ts ${Number(row[column]).toFixed(4)} py ${Number(py![column]).toFixed(4)} diff ${diff.toFixed(4)}`)
          if (!(diff <= tolerance)) failures.push(`${track} ${column}: |${row[column]} - ${py![column]}| = ${diff} > ${tolerance}`)
        }
      }
      if (process.env.QUALITY_PROTOCOL_VERBOSE) console.log(report.join('\n'))
      expect(failures).toEqual([])
      expect(ours.get(task)!.size).toBe(EXCERPTS.length)
    })
  }
})
