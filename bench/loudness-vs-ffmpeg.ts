/**
 * Our meter against ffmpeg's `ebur128` filter (an independent BS.1770 implementation) on every file of
 * ../shared/audio/dev: integrated loudness, loudness range and true peak. ffmpeg prints one decimal, so
 * up to 0.05 of each difference is its rounding. Tolerances (issue 3): 0.1 LU, 0.5 LU, 0.3 dB.
 * Writes bench/results/loudness-vs-ffmpeg.md. Needs ffmpeg on PATH (the product itself never does).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { decodeFile } from '../src/audio/decode.js'
import { measureLoudness } from '../src/analysis/loudness/index.js'
import { DEV_AUDIO_DIR, RESULTS_DIR } from './paths.js'

const TOLERANCE = { integratedLu: 0.1, rangeLu: 0.5, truePeakDb: 0.3 }

function audioFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return audioFiles(path)
    return /\.(ogg|wav|flac|mp3|opus)$/i.test(name) ? [path] : []
  })
}

function ffmpegEbur128(path: string): { integratedLufs: number; rangeLu: number; truePeakDbtp: number } {
  const args = ['-nostats', '-hide_banner', '-i', path, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-']
  const run = spawnSync('ffmpeg', args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
  if (run.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${run.stderr.slice(-500)}`)
  return parseSummary(run.stderr)
}

function parseSummary(log: string) {
  const summary = log.slice(log.lastIndexOf('Summary:'))
  const grab = (key: string) => {
    const match = new RegExp(`${key}:\\s+(-?[\\d.]+|-inf)`).exec(summary)
    if (!match) throw new Error(`ffmpeg summary has no ${key}`)
    return match[1] === '-inf' ? -Infinity : Number(match[1])
  }
  return { integratedLufs: grab('I'), rangeLu: grab('LRA'), truePeakDbtp: grab('Peak') }
}

interface Row {
  file: string
  ours: { integratedLufs: number; rangeLu: number; truePeakDbtp: number }
  ffmpeg: { integratedLufs: number; rangeLu: number; truePeakDbtp: number }
  diff: Record<keyof typeof TOLERANCE, number>
}

async function main(): Promise<void> {
  const rows: Row[] = []
  for (const path of audioFiles(DEV_AUDIO_DIR)) {
    const ours = measureLoudness(await decodeFile(path))
    const theirs = ffmpegEbur128(path)
    rows.push({
      file: relative(DEV_AUDIO_DIR, path),
      ours: { integratedLufs: ours.integratedLufs, rangeLu: ours.loudnessRangeLu, truePeakDbtp: ours.truePeakDbtp },
      ffmpeg: theirs,
      diff: {
        integratedLu: ours.integratedLufs - theirs.integratedLufs,
        rangeLu: ours.loudnessRangeLu - theirs.rangeLu,
        truePeakDb: ours.truePeakDbtp - theirs.truePeakDbtp,
      },
    })
  }
  const worst = (key: keyof typeof TOLERANCE) => Math.max(...rows.map((r) => Math.abs(r.diff[key])))
  const mean = (key: keyof typeof TOLERANCE) => rows.reduce((s, r) => s + Math.abs(r.diff[key]), 0) / rows.length
  const ok = (key: keyof typeof TOLERANCE) => (worst(key) <= TOLERANCE[key] ? 'yes' : 'NO')
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x))
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]
  const md = [
    '# Loudness meter against ffmpeg ebur128',
    '',
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} with ${ffmpegVersion}, on the ${rows.length} files of ../shared/audio/dev.`,
    'ffmpeg prints one decimal: up to 0.05 of every difference is its rounding.',
    '',
    '| quantity | mean abs diff | worst abs diff | tolerance | within |',
    '|---|---|---|---|---|',
    `| integrated (LU) | ${mean('integratedLu').toFixed(3)} | ${worst('integratedLu').toFixed(3)} | ${TOLERANCE.integratedLu} | ${ok('integratedLu')} |`,
    `| loudness range (LU) | ${mean('rangeLu').toFixed(3)} | ${worst('rangeLu').toFixed(3)} | ${TOLERANCE.rangeLu} | ${ok('rangeLu')} |`,
    `| true peak (dB) | ${mean('truePeakDb').toFixed(3)} | ${worst('truePeakDb').toFixed(3)} | ${TOLERANCE.truePeakDb} | ${ok('truePeakDb')} |`,
    '',
    '| file | I ours | I ffmpeg | LRA ours | LRA ffmpeg | TP ours | TP ffmpeg |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.file} | ${f(r.ours.integratedLufs)} | ${f(r.ffmpeg.integratedLufs)} | ${f(r.ours.rangeLu)} | ${f(r.ffmpeg.rangeLu)} | ${f(r.ours.truePeakDbtp)} | ${f(r.ffmpeg.truePeakDbtp)} |`),
    '',
  ].join('\n')
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(join(RESULTS_DIR, 'loudness-vs-ffmpeg.md'), md)
  process.stdout.write(md)
}

await main()
