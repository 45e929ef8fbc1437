/**
 * Level conversions: the only place in refmaster that writes 20*log10 or 10*log10.
 * Silence maps to -Infinity, never NaN.
 */

/** Amplitude ratio to decibels: 20*log10(gain). */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(Math.abs(gain))
}

/** Decibels to amplitude ratio: 10^(db/20). */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20)
}

/** Power (energy) ratio to decibels: 10*log10(power). */
export function powerToDb(power: number): number {
  return 10 * Math.log10(power)
}

/** Decibels to power ratio: 10^(db/10). */
export function dbToPower(db: number): number {
  return Math.pow(10, db / 10)
}

/** A level for JSON: finite numbers as they are, -Infinity / NaN as null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null
}
