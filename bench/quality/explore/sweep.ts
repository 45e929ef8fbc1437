/**
 * Exploration aid: score.ts's simulation under overrides of the matcher's constants, given as JSON:
 *   node dist/bench/quality/explore/sweep.js CACHE.json '{"eq":{"trust":0.7},"check":{"farStrengthFactor":1}}' ...
 */
import { ANALYTIC_DEFAULTS } from '../../../src/chain/analytic.js'
import { EQ_MATCH_DEFAULTS } from '../../../src/chain/analytic-eq.js'
import { REFERENCE_TRUST_DEFAULTS } from '../../../src/chain/reference-trust.js'
import { LOUDNESS_MATCH_DEFAULTS } from '../../../src/chain/loudness-match.js'

import { REFERENCE_CHECK } from '../../../src/report/reference-check.js'
import { loadCache, scoreAll } from './score.js'

const targets = { eq: EQ_MATCH_DEFAULTS, analytic: ANALYTIC_DEFAULTS, check: REFERENCE_CHECK, trust: REFERENCE_TRUST_DEFAULTS, loudness: LOUDNESS_MATCH_DEFAULTS } as Record<string, Record<string, unknown>>
const cache = loadCache(process.argv[2])
const saved = Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, { ...v }]))
for (const spec of process.argv.slice(3)) {
  for (const [k, v] of Object.entries(saved)) Object.assign(targets[k], v)
  const overrides = JSON.parse(spec) as Record<string, Record<string, unknown>>
  for (const [k, v] of Object.entries(overrides)) Object.assign(targets[k], v)
  console.log(`${spec}\n  ${scoreAll(cache)}`)
}
