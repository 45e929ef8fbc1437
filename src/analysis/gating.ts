import { INTEGRATED_RELATIVE_GATE_LU, MOMENTARY_WINDOW_SECONDS, BLOCK_STEP_SECONDS } from './loudness/meter.js'

/**
 * "The loud part of the track" (DESIGN.md): the instants whose momentary loudness passes the BS.1770
 * relative gate, i.e. lies within 10 LU of the integrated loudness. Spectra and band dynamics are taken
 * there only, so that intros, fades and silences do not skew them. For a track with no gated block
 * (silence), every instant counts.
 */
export function loudPartGate(momentaryLufs: Float64Array, integratedLufs: number): (timeSeconds: number) => boolean {
  if (!Number.isFinite(integratedLufs) || momentaryLufs.length === 0) return () => true
  const gateLufs = integratedLufs + INTEGRATED_RELATIVE_GATE_LU
  const last = momentaryLufs.length - 1
  return (timeSeconds: number) => {
    // Momentary block j covers [j * step, j * step + 400 ms): take the one centred nearest.
    const j = Math.round((timeSeconds - MOMENTARY_WINDOW_SECONDS / 2) / BLOCK_STEP_SECONDS)
    return momentaryLufs[Math.min(last, Math.max(0, j))] > gateLufs
  }
}

/** Value at fraction `p` (0..1) of ascending `sorted` values, by linear interpolation (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * p
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
}
