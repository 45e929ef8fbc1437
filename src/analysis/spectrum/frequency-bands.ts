/**
 * Frequency grids used across refmaster: base-10 third-octave bands (IEC 61260-1:2014, G = 10^(3/10),
 * centres 1000 * 10^(k/10)) and a finer 1/12-octave grid for matching EQ, plus the crossover points of
 * the four dynamics bands.
 */

/** A band of the spectrum: centre and edges in Hz. */
export interface FrequencyBand {
  centreHz: number
  lowHz: number
  highHz: number
}

/** Third-octave centre indices k (f = 1000 * 10^(k/10)): 31.5 Hz (k = -15) to 16 kHz (k = 12), the eval's 28 bands. */
const THIRD_OCTAVE_FIRST_INDEX = -15
const THIRD_OCTAVE_LAST_INDEX = 12

/** The 28 third-octave bands from 31.5 Hz to 16 kHz that the evaluation protocol's tonal balance uses. */
export const THIRD_OCTAVE_BANDS: readonly FrequencyBand[] = Array.from(
  { length: THIRD_OCTAVE_LAST_INDEX - THIRD_OCTAVE_FIRST_INDEX + 1 },
  (_, i) => {
    const centreHz = 1000 * Math.pow(10, (THIRD_OCTAVE_FIRST_INDEX + i) / 10)
    return { centreHz, lowHz: centreHz * Math.pow(10, -0.05), highHz: centreHz * Math.pow(10, 0.05) }
  },
)

/** ISO 266 preferred numbers (R10 series) that name third-octave bands: 1, 1.25, 1.6 ... 8, times powers of 10. */
const R10_PREFERRED = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8]

/** Nominal name of a third-octave centre frequency: "31.5", "125", "1.6k", "16k" (ISO 266). */
export function nominalBandName(centreHz: number): string {
  const decade = Math.floor(Math.log10(centreHz) + 1e-9)
  const mantissa = centreHz / Math.pow(10, decade)
  const nearest = R10_PREFERRED.reduce((best, x) => (Math.abs(Math.log(x / mantissa)) < Math.abs(Math.log(best / mantissa)) ? x : best))
  const nominalHz = Number((nearest * Math.pow(10, decade)).toPrecision(3))
  return nominalHz >= 1000 ? `${nominalHz / 1000}k` : `${nominalHz}`
}

/** Fine grid: 1/12 octave from 20 Hz up to 20 kHz (ten octaves, 120 bands). */
export const FINE_BANDS_PER_OCTAVE = 12
const FINE_LOWEST_CENTRE_HZ = 20
const FINE_BAND_COUNT = 120

/** Fine bands up to `nyquistHz` (bands whose upper edge passes Nyquist are dropped). */
export function fineBands(nyquistHz: number): FrequencyBand[] {
  const halfBand = Math.pow(2, 1 / (2 * FINE_BANDS_PER_OCTAVE))
  const bands: FrequencyBand[] = []
  for (let i = 0; i <= FINE_BAND_COUNT; i++) {
    const centreHz = FINE_LOWEST_CENTRE_HZ * Math.pow(2, i / FINE_BANDS_PER_OCTAVE)
    if (centreHz * halfBand > nyquistHz) break
    bands.push({ centreHz, lowHz: centreHz / halfBand, highHz: centreHz * halfBand })
  }
  return bands
}

/**
 * Crossovers of the four dynamics bands (low, low-mid, high-mid, high), Hz. Common mastering multiband
 * splits: below the kick/bass fundamentals, the body of most instruments, presence, air.
 */
export const DYNAMICS_CROSSOVERS_HZ: readonly number[] = [120, 1000, 6000]

/** The dynamics bands as FrequencyBands (outer edges 20 Hz and Nyquist); centre is the geometric mean. */
export function dynamicsBands(nyquistHz: number): FrequencyBand[] {
  const edges = [20, ...DYNAMICS_CROSSOVERS_HZ, nyquistHz]
  return edges.slice(0, -1).map((lowHz, i) => ({ lowHz, highHz: edges[i + 1], centreHz: Math.sqrt(lowHz * edges[i + 1]) }))
}

/**
 * Power in each band from a power spectrum with bins `binHz` apart: the sum of the bins whose centre lies
 * in [lowHz, highHz). A band narrower than a bin, holding none, takes the power density interpolated
 * linearly at its centre times its width, so fine low bands stay smooth instead of empty.
 */
export function bandPowers(binPower: Float64Array, binHz: number, bands: readonly FrequencyBand[]): Float64Array {
  const out = new Float64Array(bands.length)
  const lastBin = binPower.length - 1
  for (let b = 0; b < bands.length; b++) {
    const { lowHz, highHz, centreHz } = bands[b]
    const first = Math.ceil(lowHz / binHz)
    const last = Math.min(lastBin, Math.ceil(highHz / binHz) - 1)
    let sum = 0
    for (let k = first; k <= last; k++) sum += binPower[k]
    if (last < first) {
      const position = Math.min(lastBin, centreHz / binHz)
      const below = Math.floor(position)
      const above = Math.min(lastBin, below + 1)
      const t = position - below
      sum = ((1 - t) * binPower[below] + t * binPower[above]) * ((highHz - lowHz) / binHz)
    }
    out[b] = sum
  }
  return out
}
