/**
 * `npm run bench:quality`: the evaluation protocol (../shared/eval/README.md) on the 40 dev excerpts,
 * in TypeScript, for every system named with --system (repeatable; default identity). Writes
 * bench/results/quality.md (mean / median / worst per metric beside the peers' Python results, and the
 * constraint violations) and bench/results/quality-<system>-<task>.csv (per track).
 *
 *   node dist/bench/quality/run.js [--system NAME]... [--limit N] [--tasks match,cross] [--audio DIR]
 *     [--groups CSV] [--degradations JSON] [--seed N] [--seg S] [--out DIR] [--peers DIR] [--keep DIR]
 *
 * --keep DIR also writes the excerpts and the masters there as 32-bit float WAV (runner.ts keepDir), for
 * analyses such as explore/decompose.py.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEV_AUDIO_DIR, RESULTS_DIR, SHARED_DIR } from '../paths.js'
import { formatCsv } from './csv.js'
import { loadDegradations } from './degrade.js'
import { DEFAULT_SEGMENT_SECONDS } from './protocol.js'
import { formatReport, pairKey, readPeerRows, TASKS, type SystemRows, type Task } from './report.js'
import { runProtocol } from './runner.js'
import { SYSTEMS } from './systems.js'
import { findTracks, readGroups } from './tracks.js'

/** The peers' results and the exact degradations of the dev set (../shared/eval/results/dev). */
const PEERS_DIR = join(SHARED_DIR, 'eval', 'results', 'dev')
/** Folders of the dev set that are not the 40 excerpts: whole tracks (README "Run": link only the group folders). */
const DEV_EXCLUDED_FOLDERS = ['full']

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: run.js [--system NAME]... [--limit N] [--tasks match,cross] [--audio DIR] [--groups CSV] [--degradations JSON] [--seed N] [--seg S] [--out DIR] [--peers DIR] [--keep DIR]\nsystems: ${Object.keys(SYSTEMS).join(', ')}\n`)
  process.exit(2)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      system: { type: 'string', multiple: true },
      limit: { type: 'string' },
      tasks: { type: 'string', default: 'match,cross' },
      audio: { type: 'string' },
      groups: { type: 'string' },
      degradations: { type: 'string' },
      seed: { type: 'string', default: '0' },
      seg: { type: 'string', default: String(DEFAULT_SEGMENT_SECONDS) },
      out: { type: 'string', default: RESULTS_DIR },
      peers: { type: 'string', default: PEERS_DIR },
      keep: { type: 'string' },
    },
  })
  const names = values.system ?? ['identity']
  for (const name of names) if (!SYSTEMS[name]) usage(`unknown system '${name}'`)
  const tasks = values.tasks.split(',') as Task[]
  for (const task of tasks) if (!TASKS.includes(task)) usage(`unknown task '${task}' (match, cross)`)
  const limit = values.limit === undefined ? undefined : Number(values.limit)
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 2)) usage(`--limit must be an integer >= 2, got ${values.limit}`)
  const seed = Number(values.seed)
  const segmentSeconds = Number(values.seg)
  const audioDir = values.audio ?? DEV_AUDIO_DIR
  const groupsPath = values.groups ?? (values.audio ? undefined : join(DEV_AUDIO_DIR, 'groups.csv'))
  const degradationsPath = values.degradations ?? join(PEERS_DIR, `degradations-seed${seed}.json`)

  const trackPaths = findTracks(audioDir, values.audio ? [] : DEV_EXCLUDED_FOLDERS).slice(0, limit)
  if (trackPaths.length < 2) usage(`need at least 2 tracks in ${audioDir}`)
  const started = performance.now()
  const { results, warnings } = await runProtocol({
    trackPaths,
    groups: groupsPath ? readGroups(groupsPath) : undefined,
    degradations: loadDegradations(degradationsPath),
    baseSeed: seed,
    systems: names.map((name) => ({ name, run: SYSTEMS[name] })),
    tasks,
    segmentSeconds,
    onProgress: (message) => process.stderr.write(`${message}\n`),
    keepDir: values.keep,
  })
  const seconds = (performance.now() - started) / 1000

  mkdirSync(values.out, { recursive: true })
  for (const [task, systems] of results) {
    for (const s of systems) writeFileSync(join(values.out, `quality-${s.name}-${task}.csv`), formatCsv(s.rows))
  }
  const pairsRun = (task: Task) => new Set(results.get(task)?.[0]?.rows.map(pairKey))
  const peers = new Map<Task, SystemRows[]>(tasks.map((task) => [task, readPeerRows(values.peers, task, pairsRun(task))]))
  const report = formatReport(
    {
      date: new Date().toISOString().slice(0, 10),
      command: `bench/quality/run ${process.argv.slice(2).join(' ')}`.trim(),
      audio: audioDir + (values.audio ? '' : ' (group folders, not full/)'),
      trackCount: trackPaths.length,
      segmentSeconds,
      degradations: degradationsPath,
      groups: groupsPath ?? 'none (next track)',
      peersDir: values.peers,
      seconds,
      warnings,
    },
    results,
    peers,
  )
  writeFileSync(join(values.out, 'quality.md'), report + '\n')
  process.stdout.write(report + '\n')
  process.stderr.write(`wrote ${join(values.out, 'quality.md')} in ${seconds.toFixed(1)} s\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
