/**
 * The held-out summary written into the model card: mean of each protocol metric for the analytic
 * path and the model, over all held-out examples and over the identity ones (S = identity: the
 * evaluation protocol's own case), and whether the model meets issue 5's targets.
 */
import { METRICS, type Evaluation, type Metric } from './evaluate.js'

/** Issue 5: the model must beat the analytic path on these by at least this share... */
export const MUST_IMPROVE: readonly Metric[] = ['mrstft', 'd_plr_db']
export const MIN_IMPROVEMENT = 0.1
/** ...and be no worse on these. */
export const MUST_NOT_WORSEN: readonly Metric[] = ['tbe_db', 'd_lufs']

export interface MetricMeans {
  examples: number
  analytic: Record<Metric, number>
  model: Record<Metric, number>
  /** (analytic - model) / analytic per metric: positive = the model is better. */
  improvement: Record<Metric, number>
}

export interface HeldOutReport {
  all: MetricMeans
  identity: MetricMeans
  meetsTargets: boolean
  perExample: Evaluation[]
}

function means(list: Evaluation[]): MetricMeans {
  const mean = (side: 'analytic' | 'model', m: Metric) => list.reduce((s, e) => s + e[side][m], 0) / Math.max(1, list.length)
  const analytic = Object.fromEntries(METRICS.map((m) => [m, mean('analytic', m)])) as Record<Metric, number>
  const model = Object.fromEntries(METRICS.map((m) => [m, mean('model', m)])) as Record<Metric, number>
  const improvement = Object.fromEntries(METRICS.map((m) => [m, analytic[m] > 0 ? (analytic[m] - model[m]) / analytic[m] : 0])) as Record<Metric, number>
  return { examples: list.length, analytic, model, improvement }
}

/** Summarises the held-out evaluations. */
export function summarise(evaluations: Evaluation[]): HeldOutReport {
  const all = means(evaluations)
  const meetsTargets = evaluations.length > 0 && MUST_IMPROVE.every((m) => all.improvement[m] >= MIN_IMPROVEMENT) && MUST_NOT_WORSEN.every((m) => all.model[m] <= all.analytic[m])
  return { all, identity: means(evaluations.filter((e) => e.identity)), meetsTargets, perExample: evaluations }
}

/** The summary as a Markdown table. */
export function formatHeldOut(report: HeldOutReport): string {
  const line = (m: Metric, x: MetricMeans) => `| ${m} | ${x.analytic[m].toFixed(3)} | ${x.model[m].toFixed(3)} | ${(100 * x.improvement[m]).toFixed(1)}% |`
  const table = (title: string, x: MetricMeans) => [`${title} (${x.examples} examples)`, '', '| metric | analytic | model | model better by |', '|---|---:|---:|---:|', ...METRICS.map((m) => line(m, x))].join('\n')
  return [table('held-out, all draws', report.all), '', table('held-out, S = identity (the protocol case)', report.identity), '', `targets met: ${report.meetsTargets ? 'yes' : 'no'}`].join('\n')
}
