/**
 * The analysis cache: a synthesised example's analyses are kept as a small JSON file keyed by everything
 * they depend on (synthesis version, the track file's name, size and date, seed, draw, segment length),
 * so a retraining synthesises only what changed, and a new schema or new labels need no audio at all.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { ExampleAnalyses, SynthesisTask } from './synthesis.js'

/** Bump when synthesis or labels change meaning (4: the multiband compressor's detector steps per 16 frames). */
export const SYNTHESIS_VERSION = 4

function keyOf(task: SynthesisTask): string {
  const stat = statSync(task.trackPath)
  const key = [SYNTHESIS_VERSION, basename(task.trackPath), stat.size, Math.round(stat.mtimeMs), task.seed, task.draw, task.segmentSeconds].join('|')
  return createHash('sha256').update(key).digest('hex').slice(0, 32)
}

/** JSON keeps non-finite levels (silence is -Infinity) as strings, and typed arrays as plain arrays. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (value instanceof Float64Array || value instanceof Float32Array) return Array.from(value)
  return value
}
function reviver(key: string, value: unknown): unknown {
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return Number(value)
  if (key === 'shortTermLufs' || key === 'momentaryLufs') return Float64Array.from(value as number[])
  return value
}

/** The cached analyses of `task`, if any. */
export function cachedExample(dir: string, task: SynthesisTask): ExampleAnalyses | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, `${keyOf(task)}.json`), 'utf8'), reviver) as ExampleAnalyses
  } catch {
    return undefined
  }
}

/** Keeps `example` for `task` (atomic write). */
export function storeExample(dir: string, task: SynthesisTask, example: ExampleAnalyses): void {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${keyOf(task)}.json`)
  writeFileSync(`${path}.tmp-${process.pid}`, JSON.stringify(example, replacer))
  renameSync(`${path}.tmp-${process.pid}`, path)
}
