import { RefmasterError } from '../errors.js'

/**
 * Parameter specs: every processor declares its parameters once, as an ordered table of units, ranges,
 * defaults and neutral values (after dasp-pytorch / DeepAFx-ST). Validation, the CLI, recipes and the
 * model's [0,1] outputs all read these tables, so a range is never typed twice.
 */
export type ParamUnit = 'dB' | 'Hz' | 'ms' | 'ratio' | 'fraction' | 'dBFS' | 'dBTP' | 'LUFS' | 'factor'

/** One parameter: its unit, inclusive range, default, the value that makes the processor do nothing, and how [0,1] maps onto the range. */
export interface ParamSpec {
  unit: ParamUnit
  min: number
  max: number
  default: number
  /** The value at which this parameter leaves the signal unchanged (when the others are neutral too). */
  neutral: number
  /** 'log' maps [0,1] geometrically (frequencies, times, ratios); 'linear' arithmetically. */
  scale: 'linear' | 'log'
  /** One line: what it does. */
  description: string
}

/** An ordered table of parameter specs. */
export type ParamTable = Readonly<Record<string, ParamSpec>>

/** The values of a parameter table: one number per parameter. */
export type ParamValues<T extends ParamTable> = { [K in keyof T]: number }

/** Declares a parameter table (checks that each default and neutral value lies within its range). */
export function defineParams<T extends ParamTable>(table: T): T {
  for (const [name, spec] of Object.entries(table)) {
    if (!(spec.min <= spec.default && spec.default <= spec.max && spec.min <= spec.neutral && spec.neutral <= spec.max)) {
      throw new Error(`parameter table: ${name} default/neutral outside [${spec.min}, ${spec.max}]`)
    }
    if (spec.scale === 'log' && spec.min <= 0) throw new Error(`parameter table: ${name} is log-scaled but min <= 0`)
  }
  return table
}

/** The defaults of a table. */
export function defaultParams<T extends ParamTable>(table: T): ParamValues<T> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, spec.default])) as ParamValues<T>
}

/** The neutral values of a table: the processor's identity. */
export function neutralParams<T extends ParamTable>(table: T): ParamValues<T> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, spec.neutral])) as ParamValues<T>
}

/**
 * Checks `values` against `table`: every parameter present, finite and within range. Throws
 * INVALID_PARAMETER naming the parameter, the range with its unit, and the value given.
 */
export function validateParams<T extends ParamTable>(table: T, values: ParamValues<T>, processor: string): ParamValues<T> {
  for (const [name, spec] of Object.entries(table)) {
    const value = (values as Record<string, number>)[name]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new RefmasterError('INVALID_PARAMETER', `${processor}.${name} must be within [${spec.min}, ${spec.max}] ${spec.unit}, got ${value}`)
    }
  }
  return values
}

/** Maps a normalised value u in [0,1] onto the parameter's range (clamped). */
export function denormalise(spec: ParamSpec, u: number): number {
  const t = Math.min(1, Math.max(0, u))
  return spec.scale === 'log' ? spec.min * Math.pow(spec.max / spec.min, t) : spec.min + (spec.max - spec.min) * t
}

/** `value` limited to the parameter's range [min, max]. */
export function clampToRange(spec: ParamSpec, value: number): number {
  return Math.min(spec.max, Math.max(spec.min, value))
}

/** Maps a parameter value onto [0,1] (the inverse of `denormalise`; clamped to the range first). */
export function normalise(spec: ParamSpec, value: number): number {
  const v = clampToRange(spec, value)
  return spec.scale === 'log' ? Math.log(v / spec.min) / Math.log(spec.max / spec.min) : (v - spec.min) / (spec.max - spec.min)
}
