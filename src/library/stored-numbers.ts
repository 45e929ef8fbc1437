/** Numbers in the library's JSON files: rounded on the way out, non-finite ones kept as null. */

/**
 * Decimals kept in stored profiles: 0.001 dB / Hz / correlation is far below what separates two
 * masters (the evaluation reports tonal balance to 0.01 dB), and keeps a track's file near 10 kB.
 */
const STORED_DECIMALS = 3

/** Rounds every number in a JSON-like value to STORED_DECIMALS; non-finite numbers become null. */
export function rounded(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    const scale = 10 ** STORED_DECIMALS
    return Math.round(value * scale) / scale
  }
  if (Array.isArray(value)) return value.map(rounded)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]))
  return value
}

/** Reads nulls (non-finite numbers on the way out) back as NaN, which the medians skip. */
export function revived(value: unknown): unknown {
  if (value === null) return Number.NaN
  if (Array.isArray(value)) return value.map(revived)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revived(v)]))
  return value
}

