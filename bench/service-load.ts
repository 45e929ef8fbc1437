/**
 * Service load (issue 6): 20 concurrent 30-second jobs against `refmaster serve` (the built server, a fresh
 * data folder). All must complete, none lost or mixed up (each master is correlated with every mix: its
 * own must be the best match), while /healthz is polled; its p99 latency must stay under 100 ms.
 * Writes bench/results/service-load.md and .json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'

import { decodeAudio } from '../src/audio/decode.js'
import { correlation, devExcerpts, percentile, pollLatency, writeClips } from './clips.js'
import { RESULTS_DIR } from './paths.js'
import { startRefmaster } from './processes.js'

const JOBS = Number(process.env.BENCH_JOBS ?? 20)
const CLIP_SECONDS = 30
const HEALTH_POLL_MS = 50
const TARGET_P99_MS = 100

const scratch = mkdtempSync(join(tmpdir(), 'refmaster-load-'))
const server = await startRefmaster('serve', {}, join(scratch, 'data'))
try {
  const url = server.url
  const mixes = await writeClips(scratch, JOBS, CLIP_SECONDS)
  const reference = devExcerpts()[1]
  const poller = pollLatency(`${url}/healthz`, HEALTH_POLL_MS)

  const started = performance.now()
  const { openAsBlob } = await import('node:fs')
  const ids = await Promise.all(
    mixes.map(async ({ path }) => {
      const body = new FormData()
      body.append('mix', await openAsBlob(path), 'mix.wav')
      body.append('reference', await openAsBlob(reference), 'reference.ogg')
      body.append('format', 'wav24')
      const response = await fetch(`${url}/api/jobs`, { method: 'POST', body })
      if (response.status !== 202) throw new Error(`submit: HTTP ${response.status} ${await response.text()}`)
      return (await response.json()).id as string
    }),
  )
  const acceptedSeconds = (performance.now() - started) / 1000
  const jobs = await Promise.all(
    ids.map(async (id) => {
      for (;;) {
        const job = await (await fetch(`${url}/api/jobs/${id}`)).json()
        if (['done', 'failed', 'cancelled'].includes(job.state)) return job
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }),
  )
  const totalSeconds = (performance.now() - started) / 1000
  const latencies = await poller.stop()

  const masters = await Promise.all(jobs.map(async (job) => (job.state === 'done' ? decodeAudio(new Uint8Array(await (await fetch(`${url}${job.downloads.wav24}`)).arrayBuffer())) : null)))
  let matched = 0
  const minOwn: number[] = []
  masters.forEach((master, i) => {
    if (!master) return
    const scores = mixes.map((mix) => correlation(master, mix.audio))
    const best = scores.indexOf(Math.max(...scores))
    if (best === i && master.channels[0].length === mixes[i].audio.channels[0].length) matched++
    minOwn.push(scores[i])
  })
  const done = jobs.filter((job) => job.state === 'done').length
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
    jobs: JOBS,
    clipSeconds: CLIP_SECONDS,
    done,
    matchedOwnMix: matched,
    lowestOwnCorrelation: Math.min(...minOwn),
    acceptedSeconds,
    totalSeconds,
    healthz: { samples: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies) },
  }
  const md = [
    '# Service load: concurrent 30-second jobs',
    '',
    `Made by \`npm run bench:load\` on ${result.date.slice(0, 10)}; ${result.machine}; default settings (worker concurrency: cores - 1).`,
    `${JOBS} jobs (a ${CLIP_SECONDS} s clip of a different dev excerpt each, one reference, 24-bit WAV) submitted at once; /healthz polled every ${HEALTH_POLL_MS} ms throughout.`,
    '',
    '| what | measured | target | met |',
    '|---|---|---|---|',
    `| jobs completed | ${done} / ${JOBS} | all | ${done === JOBS ? 'yes' : 'NO'} |`,
    `| masters matching their own mix (best correlation, exact length) | ${matched} / ${JOBS} (lowest own correlation ${result.lowestOwnCorrelation.toFixed(3)}) | all | ${matched === JOBS ? 'yes' : 'NO'} |`,
    `| /healthz p99 (p50, max) over ${latencies.length} requests | ${result.healthz.p99Ms.toFixed(1)} ms (${result.healthz.p50Ms.toFixed(1)}, ${result.healthz.maxMs.toFixed(1)}) | < ${TARGET_P99_MS} ms | ${result.healthz.p99Ms < TARGET_P99_MS ? 'yes' : 'NO'} |`,
    `| all ${JOBS} accepted (uploads checked) | ${acceptedSeconds.toFixed(1)} s | - | - |`,
    `| all ${JOBS} done | ${totalSeconds.toFixed(1)} s (${((JOBS * 60) / totalSeconds).toFixed(1)} jobs a minute) | - | - |`,
    '',
  ].join('\n')
  writeFileSync(join(RESULTS_DIR, 'service-load.md'), md)
  writeFileSync(join(RESULTS_DIR, 'service-load.json'), JSON.stringify(result, null, 2) + '\n')
  process.stdout.write(md)
  if (done !== JOBS || matched !== JOBS) process.exitCode = 1
} finally {
  await server.stop()
  rmSync(scratch, { recursive: true, force: true })
}

