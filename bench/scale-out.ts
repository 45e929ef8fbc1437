/**
 * Scale-out throughput (issue 8): the same batch of jobs through one API process with 1, 2 and 4
 * `refmaster worker` processes (one render at a time each), on Redis (BullMQ) and PostgreSQL started
 * here on loopback; jobs per minute, and the API's latency (/healthz and GET /api/jobs/:id) meanwhile.
 * Writes bench/results/scale-out.md and .json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { devExcerpts, percentile, pollLatency, writeClips } from './clips.js'
import { missingInfrastructure, startPostgres, startRedis } from './infra.js'
import { RESULTS_DIR } from './paths.js'
import { startRefmaster } from './processes.js'

const WORKER_COUNTS = [1, 2, 4]
const JOBS = Number(process.env.BENCH_JOBS ?? 12)
const CLIP_SECONDS = 30
const POLL_MS = 100

const missing = missingInfrastructure()
if (missing) {
  process.stderr.write(`scale-out benchmark needs Redis and PostgreSQL: ${missing}\n`)
  process.exit(2)
}

const scratch = mkdtempSync(join(tmpdir(), 'refmaster-scale-'))
const rows: Array<{ workers: number; seconds: number; jobsPerMinute: number; healthP50: number; healthP99: number; statusP99: number }> = []
try {
  const clips = await writeClips(scratch, JOBS, CLIP_SECONDS)
  const reference = devExcerpts()[1]
  for (const count of WORKER_COUNTS) {
    const [redis, postgres] = await Promise.all([startRedis(), startPostgres()])
    const env = { REDIS_URL: redis.url, DATABASE_URL: postgres.url, WORKER_CONCURRENCY: '1' }
    const dataDir = join(scratch, `data-${count}`)
    const api = await startRefmaster('serve', env, dataDir)
    const workers = await Promise.all(Array.from({ length: count }, () => startRefmaster('worker', env, dataDir)))
    try {
      const health = pollLatency(`${api.url}/healthz`, POLL_MS)
      const started = performance.now()
      const { openAsBlob } = await import('node:fs')
      const ids = await Promise.all(
        clips.map(async (clip) => {
          const body = new FormData()
          body.append('mix', await openAsBlob(clip.path), 'mix.wav')
          body.append('reference', await openAsBlob(reference), 'reference.ogg')
          const response = await fetch(`${api.url}/api/jobs`, { method: 'POST', body })
          if (response.status !== 202) throw new Error(`submit: HTTP ${response.status} ${await response.text()}`)
          return (await response.json()).id as string
        }),
      )
      const statusLatencies: number[] = []
      for (const id of ids) {
        for (;;) {
          const start = performance.now()
          const job = await (await fetch(`${api.url}/api/jobs/${id}`)).json()
          statusLatencies.push(performance.now() - start)
          if (job.state === 'done') break
          if (job.state !== 'queued' && job.state !== 'running') throw new Error(`job ${id} ${job.state}: ${JSON.stringify(job.error)}`)
          await new Promise((resolve) => setTimeout(resolve, POLL_MS * 5))
        }
      }
      const seconds = (performance.now() - started) / 1000
      const healthLatencies = await health.stop()
      rows.push({ workers: count, seconds, jobsPerMinute: (JOBS * 60) / seconds, healthP50: percentile(healthLatencies, 50), healthP99: percentile(healthLatencies, 99), statusP99: percentile(statusLatencies, 99) })
      process.stderr.write(`${count} worker(s): ${JOBS} jobs in ${seconds.toFixed(1)} s\n`)
    } finally {
      await Promise.all([api, ...workers].map((p) => p.stop()))
      await redis.kill()
      await postgres.stop()
    }
  }
  const base = rows[0].jobsPerMinute
  const md = [
    '# Scale-out throughput: API + N workers on Redis (BullMQ) and PostgreSQL',
    '',
    `Made by \`npm run bench:scale\` on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average at the end ${loadavg()[0].toFixed(1)} (other work on the machine shares its cores).`,
    `${JOBS} jobs (${CLIP_SECONDS} s clips of different dev excerpts, one reference, 24-bit WAV) submitted at once to one API process; each worker renders one job at a time. Redis and PostgreSQL run on the same machine.`,
    '',
    '| workers | all done | jobs a minute | vs 1 worker | /healthz p50 / p99 | GET job p99 |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.workers} | ${r.seconds.toFixed(1)} s | ${r.jobsPerMinute.toFixed(1)} | ${(r.jobsPerMinute / base).toFixed(2)}x | ${r.healthP50.toFixed(1)} / ${r.healthP99.toFixed(1)} ms | ${r.statusP99.toFixed(1)} ms |`),
    '',
    `This machine has ${cpus().length} cores: a render is single-threaded, so throughput can grow up to about ${cpus().length}x and then stops, with more workers only sharing the same cores (and the API sharing them too).`,
    'On more machines, each worker machine adds its cores: throughput grows with the total number of cores across workers, until the shared file volume, PostgreSQL or Redis (a few small writes per job) become the limit.',
    '',
  ].join('\n')
  writeFileSync(join(RESULTS_DIR, 'scale-out.md'), md)
  writeFileSync(join(RESULTS_DIR, 'scale-out.json'), JSON.stringify({ date: new Date().toISOString(), jobs: JOBS, clipSeconds: CLIP_SECONDS, rows }, null, 2) + '\n')
  process.stdout.write(md)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
