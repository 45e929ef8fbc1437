import type { JobStore } from './job-store.js'
import type { JobQueue } from './queue.js'

/** Upper bounds (s) of the render-time histogram: a 30 s clip takes a few seconds, a 20-minute mix minutes. */
export const DURATION_BUCKETS_S = [2, 5, 10, 20, 40, 80, 160, 320, 640]
/** Window of the render-time histogram (ms): the last day of finished versions. */
const DURATION_WINDOW_MS = 24 * 3600 * 1000

/** Prometheus text exposition (format 0.0.4) of the queue and the jobs, read from the shared store. */
export async function prometheusMetrics(store: JobStore, queue: JobQueue): Promise<string> {
  const [counts, depth, durations] = await Promise.all([store.counts(), queue.depth(), store.recentDurations(Date.now() - DURATION_WINDOW_MS)])
  const lines = [
    '# HELP refmaster_queue_depth Versions waiting in the queue.',
    '# TYPE refmaster_queue_depth gauge',
    `refmaster_queue_depth ${depth}`,
    '# HELP refmaster_versions Versions by state (queued, running) in the job store.',
    '# TYPE refmaster_versions gauge',
    `refmaster_versions{state="queued"} ${counts.queued}`,
    `refmaster_versions{state="running"} ${counts.running}`,
    '# HELP refmaster_job_failures Versions that failed in the last 24 h.',
    '# TYPE refmaster_job_failures gauge',
    `refmaster_job_failures ${durations.filter((d) => d.state === 'failed').length}`,
    '# HELP refmaster_job_duration_seconds Render time of versions finished in the last 24 h.',
    '# TYPE refmaster_job_duration_seconds histogram',
  ]
  const done = durations.filter((d) => d.state === 'done').map((d) => d.seconds)
  for (const bound of DURATION_BUCKETS_S) lines.push(`refmaster_job_duration_seconds_bucket{le="${bound}"} ${done.filter((s) => s <= bound).length}`)
  lines.push(`refmaster_job_duration_seconds_bucket{le="+Inf"} ${done.length}`)
  lines.push(`refmaster_job_duration_seconds_sum ${done.reduce((sum, s) => sum + s, 0).toFixed(3)}`)
  lines.push(`refmaster_job_duration_seconds_count ${done.length}`)
  return lines.join('\n') + '\n'
}
