/**
 * The protocol's main loop (../shared/eval/run_eval.py `main`), in process: every system on every track,
 * match and cross, sequentially. Pass 1 builds each excerpt once and runs the match task (the only one
 * that needs the clean A); pass 2 runs the cross task from the kept mixes and references.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Audio } from '../../src/audio/audio.js'
import { writeAudioFile } from '../../src/audio/encode.js'
import { trackSeed, type DegradationParams } from './degrade.js'
import { loadExcerpt, score, type Excerpt, type Row } from './protocol.js'
import type { SystemRows, Task } from './report.js'
import type { MasteringSystem } from './systems.js'
import { partner, stemOf } from './tracks.js'

export interface ProtocolOptions {
  /** Track files in protocol order (tracks.ts findTracks), already limited. */
  trackPaths: readonly string[]
  /** Track stem -> genre group (cross partners); undefined pairs each track with the next. */
  groups?: ReadonlyMap<string, string>
  /** degradations-seed<N>.json: stem -> parameters. */
  degradations: ReadonlyMap<string, DegradationParams>
  /** Base seed the degradations were drawn with (run_eval.py --seed); checked against the file. */
  baseSeed: number
  systems: ReadonlyArray<{ name: string; run: MasteringSystem }>
  tasks: readonly Task[]
  segmentSeconds?: number
  onProgress?: (message: string) => void
  /** Called with every excerpt once it is built (tests use it to check the mixes). */
  onExcerpt?: (excerpt: Excerpt) => void
  /**
   * Where to keep the audio (32-bit float WAV; for analyses such as explore/decompose.py): every excerpt's
   * STEM-goal, STEM-mix and STEM-reference, and every master as TASK/STEM-SYSTEM.
   */
  keepDir?: string
}

export interface ProtocolResult {
  results: Map<Task, SystemRows[]>
  warnings: string[]
}

function copy(audio: Audio): Audio {
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((c) => c.slice()) }
}

function paramsFor(stem: string, options: ProtocolOptions): DegradationParams {
  const params = options.degradations.get(stem)
  if (!params) throw new Error(`no degradation parameters for track '${stem}' in the degradations file`)
  const seed = trackSeed(stem, options.baseSeed)
  if (params.seed !== seed) throw new Error(`degradation of '${stem}' was drawn with seed ${params.seed}, but base seed ${options.baseSeed} gives ${seed}`)
  return params
}

async function runOne(system: MasteringSystem, mixStem: string, mix: Audio, reference: Audio, goal: Excerpt['targetAnalysis'], goalSignal: Audio | undefined, keepPath?: string): Promise<Row> {
  const started = performance.now()
  const output = await system(copy(mix), copy(reference), mixStem)
  const wallSeconds = (performance.now() - started) / 1000
  if (keepPath) await keep(keepPath, output)
  return score(output, goal, goalSignal, mix.channels[0].length, wallSeconds)
}

async function keep(path: string, audio: Audio): Promise<void> {
  mkdirSync(dirname(path), { recursive: true })
  await writeAudioFile(path, audio, 'wav32f')
}

/** Runs `systems` over the tracks; rows per task and system, in track order, failures recorded as `error`. */
export async function runProtocol(options: ProtocolOptions): Promise<ProtocolResult> {
  const stems = options.trackPaths.map(stemOf)
  const log = options.onProgress ?? (() => undefined)
  const warnings: string[] = []
  const rows = new Map<Task, Map<string, Row[]>>(options.tasks.map((t) => [t, new Map(options.systems.map((s) => [s.name, []]))]))
  const kept: Omit<Excerpt, 'target' | 'targetAnalysis'>[] = []
  const keptAs = (task: Task, stem: string, system: string) => (options.keepDir ? join(options.keepDir, task, `${stem}-${system}.wav`) : undefined)

  for (const [i, path] of options.trackPaths.entries()) {
    const stem = stems[i]
    const excerpt = await loadExcerpt(path, stem, paramsFor(stem, options), options.segmentSeconds)
    options.onExcerpt?.(excerpt)
    if (options.keepDir) {
      for (const [name, audio] of [['goal', excerpt.target], ['mix', excerpt.mix], ['reference', excerpt.reference]] as const) await keep(join(options.keepDir, `${stem}-${name}.wav`), audio)
    }
    if (excerpt.warning) warnings.push(excerpt.warning)
    const params = options.degradations.get(stem)
    if (params?.headroom_db !== undefined && Math.abs(params.headroom_db - excerpt.headroomDb) > 1e-6) {
      warnings.push(`${stem}: headroom ${excerpt.headroomDb.toFixed(6)} dB differs from the file's ${params.headroom_db.toFixed(6)} dB (decoding differs?)`)
    }
    for (const system of options.systems) {
      const taskRows = rows.get('match')?.get(system.name)
      if (!taskRows) continue
      const row: Row = { track: stem, ref_track: stem, group: options.groups?.get(stem) ?? '' }
      try {
        Object.assign(row, await runOne(system.run, stem, excerpt.mix, excerpt.reference, excerpt.targetAnalysis, excerpt.target, keptAs('match', stem, system.name)))
      } catch (error) {
        row.error = error instanceof Error ? error.message : String(error)
      }
      taskRows.push(row)
      log(`match ${system.name} ${stem}: ${brief(row)}`)
    }
    const { target: _target, targetAnalysis: _targetAnalysis, ...rest } = excerpt
    kept.push(rest)
    log(`prepared ${i + 1}/${stems.length} ${stem}`)
  }

  const crossRows = rows.get('cross')
  if (crossRows) {
    for (const [i, stem] of stems.entries()) {
      const j = partner(i, stems, options.groups)
      for (const system of options.systems) {
        const row: Row = { track: stem, ref_track: stems[j], group: options.groups?.get(stem) ?? '' }
        try {
          Object.assign(row, await runOne(system.run, stem, kept[i].mix, kept[j].reference, kept[j].referenceAnalysis, undefined, keptAs('cross', stem, system.name)))
        } catch (error) {
          row.error = error instanceof Error ? error.message : String(error)
        }
        crossRows.get(system.name)?.push(row)
        log(`cross ${system.name} ${stem} <- ${stems[j]}: ${brief(row)}`)
      }
    }
  }

  const results = new Map<Task, SystemRows[]>()
  for (const [task, bySystem] of rows) results.set(task, [...bySystem].map(([name, r]) => ({ name, source: 'ours' as const, rows: r })))
  return { results, warnings }
}

function brief(row: Row): string {
  if (row.error) return `error: ${row.error}`
  const keys = ['d_lufs', 'tbe_db', 'd_side_mid_db', 'd_plr_db', 'd_lra', 'mrstft', 'out_tp_dbtp']
  return keys.filter((k) => typeof row[k] === 'number').map((k) => `${k}=${(row[k] as number).toFixed(3)}`).join(' ')
}
