/**
 * Which tracks the protocol runs and how they pair up: ports of ../shared/eval/run_eval.py
 * `find_tracks`, `read_groups` and `partner`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, extname, join, relative, sep } from 'node:path'
import { parseCsv } from './csv.js'

/** Extensions run_eval.py picks up (case-insensitive). */
const AUDIO_EXTENSIONS = new Set(['.flac', '.wav', '.ogg', '.opus', '.mp3'])

/** A file's stem: its name without the extension (pathlib's Path.stem). */
export function stemOf(path: string): string {
  return basename(path, extname(path))
}

/**
 * run_eval.py `find_tracks`: audio files under `dir`, recursively (following symlinked folders), sorted
 * as Python sorts paths (part by part). Folders named in `excludeFolders` directly under `dir` are
 * skipped: the dev set's `full/` holds whole tracks that are not part of the 40 excerpts.
 */
export function findTracks(dir: string, excludeFolders: readonly string[] = []): string[] {
  const found: string[] = []
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      if (statSync(path).isDirectory()) {
        if (!(folder === dir && excludeFolders.includes(name))) walk(path)
      } else if (AUDIO_EXTENSIONS.has(extname(name).toLowerCase())) {
        found.push(path)
      }
    }
  }
  walk(dir)
  const parts = (path: string) => relative(dir, path).split(sep)
  return found.sort((x, y) => {
    const a = parts(x)
    const b = parts(y)
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
    return a.length - b.length
  })
}

/** run_eval.py `read_groups`: CSV with a file/path/track/name/id column and a group/genre column -> stem -> group. */
export function readGroups(path: string): Map<string, string> {
  const rows = parseCsv(readFileSync(path, 'utf8'))
  if (rows.length === 0) throw new Error(`${path}: no rows`)
  const columns = new Map(Object.keys(rows[0]).map((c) => [c.toLowerCase(), c]))
  const key = ['file', 'path', 'track', 'name', 'id'].map((c) => columns.get(c)).find((c) => c !== undefined)
  const group = ['group', 'genre'].map((c) => columns.get(c)).find((c) => c !== undefined)
  if (!key || !group) throw new Error(`${path}: needs a file/path/track/name/id column and a group/genre column`)
  return new Map(rows.map((row) => [stemOf(row[key]), row[group]]))
}

/** run_eval.py `partner`: index of the cross task's reference track (next track of the same group, cyclic). */
export function partner(i: number, stems: readonly string[], groups: ReadonlyMap<string, string> | undefined): number {
  const group = groups?.get(stems[i])
  if (groups && group !== undefined) {
    const same = stems.flatMap((s, k) => (groups.get(s) === group ? [k] : []))
    if (same.length > 1) return same[(same.indexOf(i) + 1) % same.length]
  }
  return (i + 1) % stems.length
}
