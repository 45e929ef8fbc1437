/**
 * The evaluation protocol's "un-mastering" of a clean excerpt into a plausible unmastered mix: a port of
 * ../shared/eval/degrade.py `apply`. Chain: low shelf -> high shelf -> 1-2 peaking bands -> mid/side width
 * -> expander -> gain -> headroom attenuation (sample peak kept at or below -1 dBFS).
 *
 * degrade.py draws the parameters with numpy's PCG64 generator seeded by crc32(track) + seed; rather than
 * reproduce that generator, we read the parameters it drew for every track from the protocol's
 * degradations-seed<N>.json and apply them here exactly as `apply` does (float64 throughout, the same
 * filter topology, envelope and percentile conventions).
 */
import { readFileSync } from 'node:fs'
import { crc32 } from 'node:zlib'

/** One band of the RBJ equaliser (degrade.py `_biquad`). */
export interface ShelfParams {
  freq_hz: number
  gain_db: number
}
export interface PeakParams extends ShelfParams {
  q: number
}
/** Expander settings (degrade.py `expand`). */
export interface ExpanderParams {
  ratio: number
  pivot_below_p90_db: number
  attack_ms: number
  release_ms: number
  max_gain_db: number
}
/** The parameters of one track's degradation, as degradations-seed<N>.json stores them (snake_case kept). */
export interface DegradationParams {
  seed: number
  gain_db: number
  low_shelf: ShelfParams
  high_shelf: ShelfParams
  peaks: PeakParams[]
  width: number
  expander?: ExpanderParams
  /** Extra attenuation applied so the sample peak stays at -1 dBFS; recomputed by `applyDegradation`. */
  headroom_db?: number
}

/** degrade.py `apply(max_peak_db=-1.0)`: the mix's sample peak ceiling (dBFS). */
export const MIX_MAX_PEAK_DBFS = -1
/** Floor of the envelope before taking its level (degrade.py `_envelope_db`: max(env, 1e-6)). */
const ENVELOPE_FLOOR = 1e-6
/** Envelope samples lower than the loudest by more than this are left out of the pivot percentile (dB). */
const PIVOT_WINDOW_DB = 60
const PIVOT_PERCENTILE = 90
/** degrade.py `apply`: floor of the peak before its level is taken. */
const PEAK_FLOOR = 1e-12

/** Reads degradations-seed<N>.json: track stem -> parameters. */
export function loadDegradations(path: string): Map<string, DegradationParams> {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, DegradationParams>
  return new Map(Object.entries(json))
}

/** run_eval.py's seed of a track: base seed + crc32(stem) mod 2^31. */
export function trackSeed(stem: string, baseSeed: number): number {
  return baseSeed + (crc32(Buffer.from(stem, 'utf8')) % 2 ** 31)
}

/** One second-order section as [b0, b1, b2, 1, a1, a2], normalised by a0. */
type Section = [number, number, number, number, number, number]

/** RBJ audio-EQ-cookbook biquad (degrade.py `_biquad`; shelves use slope S = 1). */
export function rbjBiquad(kind: 'peak' | 'lowshelf' | 'highshelf', f0Hz: number, gainDb: number, q: number, sampleRateHz: number): Section {
  const a = Math.pow(10, gainDb / 40)
  const w = (2 * Math.PI * f0Hz) / sampleRateHz
  const cw = Math.cos(w)
  const sw = Math.sin(w)
  let b: number[]
  let den: number[]
  if (kind === 'peak') {
    const al = sw / (2 * q)
    b = [1 + al * a, -2 * cw, 1 - al * a]
    den = [1 + al / a, -2 * cw, 1 - al / a]
  } else {
    const al = (sw / 2) * Math.sqrt(2) // S = 1
    const sq = 2 * Math.sqrt(a) * al
    const sgn = kind === 'lowshelf' ? 1 : -1
    b = [a * (a + 1 - sgn * (a - 1) * cw + sq), sgn * 2 * a * (a - 1 - sgn * (a + 1) * cw), a * (a + 1 - sgn * (a - 1) * cw - sq)]
    den = [a + 1 + sgn * (a - 1) * cw + sq, -sgn * 2 * (a - 1 + sgn * (a + 1) * cw), a + 1 + sgn * (a - 1) * cw - sq]
  }
  const a0 = den[0]
  return [b[0] / a0, b[1] / a0, b[2] / a0, 1, den[1] / a0, den[2] / a0]
}

/** scipy.signal.sosfilt: cascaded sections, transposed direct form II, zero initial state, float64. */
export function sosfilt(sections: Section[], input: Float64Array): Float64Array {
  const y = Float64Array.from(input)
  for (const section of sections) {
    const b0 = section[0]
    const b1 = section[1]
    const b2 = section[2]
    const a1 = section[4]
    const a2 = section[5]
    let z0 = 0
    let z1 = 0
    for (let n = 0; n < y.length; n++) {
      const xn = y[n]
      const yn = b0 * xn + z0
      z0 = b1 * xn - a1 * yn + z1
      z1 = b2 * xn - a2 * yn
      y[n] = yn
    }
  }
  return y
}

/**
 * degrade.py `_envelope_db`: stereo-linked peak envelope in dBFS, one value per sample. Peaks of 1 ms
 * blocks (int(sr / 1000) samples) drive a one-pole follower (attack and release coefficients per block),
 * whose level is linearly interpolated back to the samples (numpy.interp, clamped at the last block).
 */
export function envelopeDb(left: Float64Array, right: Float64Array, sampleRateHz: number, attackMs: number, releaseMs: number): Float64Array {
  const length = left.length
  const hop = Math.max(1, Math.trunc(sampleRateHz / 1000))
  const blocks = Math.floor(length / hop) + 1
  const peak = new Float64Array(blocks)
  for (let n = 0; n < length; n++) {
    const a = Math.max(Math.abs(left[n]), Math.abs(right[n]))
    const block = Math.floor(n / hop)
    if (a > peak[block]) peak[block] = a
  }
  const att = Math.exp(-1 / attackMs)
  const rel = Math.exp(-1 / releaseMs)
  const levelDb = new Float64Array(blocks)
  let e = 0
  for (let i = 0; i < blocks; i++) {
    const v = peak[i]
    e = v > e ? att * e + (1 - att) * v : rel * e + (1 - rel) * v
    levelDb[i] = 20 * Math.log10(Math.max(e, ENVELOPE_FLOOR))
  }
  const out = new Float64Array(length)
  for (let n = 0; n < length; n++) {
    const t = n / hop
    const j = Math.floor(t)
    if (j >= blocks - 1) {
      out[n] = levelDb[blocks - 1]
    } else {
      const slope = levelDb[j + 1] - levelDb[j]
      out[n] = slope * (t - j) + levelDb[j]
    }
  }
  return out
}

/** numpy.percentile(values, p) with its default linear interpolation between closest ranks. */
export function percentileLinear(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort()
  const position = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(position)
  const hi = Math.min(sorted.length - 1, lo + 1)
  const t = position - lo
  const a = sorted[lo]
  const b = sorted[hi]
  // numpy's _lerp: a + (b - a) t, evaluated from the nearer end for t >= 0.5
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
}

/** degrade.py `expand`: gain (ratio - 1) x (envelope - pivot) dB, clamped to +-max_gain_db, in place. */
export function expandInPlace(left: Float64Array, right: Float64Array, sampleRateHz: number, e: ExpanderParams): void {
  const levelDb = envelopeDb(left, right, sampleRateHz, e.attack_ms, e.release_ms)
  let maxDb = -Infinity
  for (const v of levelDb) if (v > maxDb) maxDb = v
  const loud = levelDb.filter((v) => v > maxDb - PIVOT_WINDOW_DB)
  const pivotDb = loud.length > 0 ? percentileLinear(loud, PIVOT_PERCENTILE) - e.pivot_below_p90_db : 0
  for (let n = 0; n < left.length; n++) {
    const gainDb = Math.min(e.max_gain_db, Math.max(-e.max_gain_db, (e.ratio - 1) * (levelDb[n] - pivotDb)))
    const gain = Math.pow(10, gainDb / 20)
    left[n] *= gain
    right[n] *= gain
  }
}

/** The degraded mix (float64, stereo) and the headroom attenuation that was applied. */
export interface Degraded {
  channels: [Float64Array, Float64Array]
  /** Attenuation applied to keep the sample peak at -1 dBFS (dB, <= 0); degrade.py's headroom_db. */
  headroomDb: number
}

/**
 * degrade.py `apply`: applies `p` to stereo `left`/`right` (float64; not modified) at `sampleRateHz`.
 * Mono input is the caller's business (run_eval.py decodes everything to two channels).
 */
export function applyDegradation(left: Float64Array, right: Float64Array, sampleRateHz: number, p: DegradationParams): Degraded {
  const sections: Section[] = [
    rbjBiquad('lowshelf', p.low_shelf.freq_hz, p.low_shelf.gain_db, 0, sampleRateHz),
    rbjBiquad('highshelf', p.high_shelf.freq_hz, p.high_shelf.gain_db, 0, sampleRateHz),
    ...p.peaks.map((band) => rbjBiquad('peak', band.freq_hz, band.gain_db, band.q, sampleRateHz)),
  ]
  const l = sosfilt(sections, left)
  const r = sosfilt(sections, right)
  for (let n = 0; n < l.length; n++) {
    const mid = (l[n] + r[n]) / 2
    const side = ((l[n] - r[n]) / 2) * p.width
    l[n] = mid + side
    r[n] = mid - side
  }
  if (p.expander) expandInPlace(l, r, sampleRateHz, p.expander)
  const gain = Math.pow(10, p.gain_db / 20)
  let peak = 0
  for (const channel of [l, r]) {
    for (let n = 0; n < channel.length; n++) {
      channel[n] *= gain
      const a = Math.abs(channel[n])
      if (a > peak) peak = a
    }
  }
  const peakDb = 20 * Math.log10(Math.max(peak, PEAK_FLOOR))
  const headroomDb = Math.min(0, MIX_MAX_PEAK_DBFS - peakDb)
  if (headroomDb < 0) {
    const attenuation = Math.pow(10, headroomDb / 20)
    for (const channel of [l, r]) for (let n = 0; n < channel.length; n++) channel[n] *= attenuation
  }
  return { channels: [l, r], headroomDb }
}
