/**
 * JSON form of analyses and reports: typed arrays become plain arrays, and levels that do not exist
 * (-Infinity for silence, NaN for an LRA that cannot be computed) become null, as the CLI documents.
 */
export function toJsonValue(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, jsonReplacer))
}

/** `JSON.stringify` replacer implementing the rules above. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null))
  }
  return value
}
