/**
 * Linkwitz-Riley crossovers (S. H. Linkwitz, "Active crossover networks for noncoincident drivers",
 * JAES 24(1), 1976): each split is a 4th-order LR pair, LP = B^2 and HP = H^2 with B and H the 2nd-order
 * Butterworth low- and high-pass (RBJ Cookbook sections, Q = 1/sqrt(2)). LP and HP are in phase at every
 * frequency and LP + HP = AP, the 2nd-order all-pass at the crossover with the same Q. Under the bilinear
 * transform this identity holds exactly, so the digital bands sum to an all-pass too.
 *
 * N bands are split as a balanced tree (for 4 bands: first at the middle crossover, then each half). As
 * usual for multiband LR splits, a branch is given the all-pass of every crossover it does not pass
 * through, so that every band carries the same phase and the bands sum to AP(f1) AP(f2) ... AP(fN-1) of
 * the input: flat magnitude.
 * Each split computes HP as AP - LP (exact by the identity), three biquads per split instead of four.
 */
import { RefmasterError } from '../errors.js'
import { DYNAMICS_CROSSOVERS_HZ } from '../analysis/spectrum/frequency-bands.js'
import { allPassCoefficients, biquadResponse, lowPassCoefficients, packSections, type ComplexResponse } from './biquad.js'
import { defineParams } from './params.js'

/** The range of one crossover frequency of the multiband processors (compressor, stereo width). */
export const CROSSOVER_PARAMS = defineParams({
  crossoverHz: {
    unit: 'Hz', min: 40, max: 16000, default: 1000, neutral: 1000, scale: 'log',
    description: 'edge between two adjacent bands (Linkwitz-Riley 4th order: -6 dB per band there, 24 dB/octave)',
  },
})

/** Default crossovers: the dynamics bands of the analysis (120 Hz, 1 kHz, 6 kHz), so that analysis and processing agree. */
export const DEFAULT_CROSSOVERS_HZ: readonly number[] = DYNAMICS_CROSSOVERS_HZ

/** Fewest crossovers of the multiband processors: 3 bands (DESIGN.md "The chain", 4: 3-4 bands). */
export const MIN_CROSSOVERS = 2
/** Most crossovers of the multiband processors: 4 bands. */
export const MAX_CROSSOVERS = 3

/** Frames per block: band buffers stay in cache (4 bands x 2 lanes x 8 KiB). */
export const CROSSOVER_BLOCK_FRAMES = 1024

/**
 * Checks a crossover list for the multiband processors: 2 or 3 frequencies, each within CROSSOVER_PARAMS'
 * range and below Nyquist, strictly ascending. Throws INVALID_PARAMETER naming the value.
 */
export function validateCrossovers(crossoversHz: readonly number[], processor: string, sampleRateHz: number): void {
  const { min, max } = CROSSOVER_PARAMS.crossoverHz
  if (!Array.isArray(crossoversHz) || crossoversHz.length < MIN_CROSSOVERS || crossoversHz.length > MAX_CROSSOVERS) {
    throw new RefmasterError('INVALID_PARAMETER', `${processor}.crossoversHz must hold ${MIN_CROSSOVERS} to ${MAX_CROSSOVERS} frequencies, got ${JSON.stringify(crossoversHz)}`)
  }
  const nyquistHz = sampleRateHz / 2
  const range = max < nyquistHz ? `[${min}, ${max}] Hz` : `[${min}, ${nyquistHz}) Hz (below Nyquist)`
  crossoversHz.forEach((f, i) => {
    if (typeof f !== 'number' || !(f >= min && f <= max && f < nyquistHz)) {
      throw new RefmasterError('INVALID_PARAMETER', `${processor}.crossoversHz[${i}] must be within ${range}, got ${f}`)
    }
    if (i > 0 && !(f > crossoversHz[i - 1])) {
      throw new RefmasterError('INVALID_PARAMETER', `${processor}.crossoversHz must be strictly ascending, got ${crossoversHz.join(', ')} Hz`)
    }
  })
}

/** One step of the split plan: a LR4 split of `source` (low stays there, high goes to `high`), or an all-pass in place. */
type Step =
  | { kind: 'split'; source: number; high: number; lowPass: Float64Array; allPass: Float64Array }
  | { kind: 'allpass'; source: number; allPass: Float64Array }

/** The steps that split band buffer `first` (holding bands first..last) into its bands; crossover k lies between bands k and k+1. */
function plan(first: number, last: number, crossoversHz: readonly number[], sampleRateHz: number, steps: Step[]): void {
  if (first === last) return
  const middle = Math.floor((first + last) / 2)
  const f = crossoversHz[middle]
  steps.push({
    kind: 'split', source: first, high: middle + 1,
    lowPass: packSections([lowPassCoefficients(sampleRateHz, f)]), allPass: packSections([allPassCoefficients(sampleRateHz, f)]),
  })
  // each half takes the all-passes of the crossovers that only the other half passes through
  for (let k = middle + 1; k < last; k++) steps.push({ kind: 'allpass', source: first, allPass: packSections([allPassCoefficients(sampleRateHz, crossoversHz[k])]) })
  for (let k = first; k < middle; k++) steps.push({ kind: 'allpass', source: middle + 1, allPass: packSections([allPassCoefficients(sampleRateHz, crossoversHz[k])]) })
  plan(first, middle, crossoversHz, sampleRateHz, steps)
  plan(middle + 1, last, crossoversHz, sampleRateHz, steps)
}

function buildPlan(crossoversHz: readonly number[], sampleRateHz: number): Step[] {
  for (let i = 0; i < crossoversHz.length; i++) {
    const f = crossoversHz[i]
    if (!(f > 0 && f < sampleRateHz / 2) || (i > 0 && !(f > crossoversHz[i - 1]))) {
      throw new RefmasterError('INVALID_PARAMETER', `crossovers must ascend strictly within (0, ${sampleRateHz / 2}) Hz, got ${crossoversHz.join(', ')}`)
    }
  }
  const steps: Step[] = []
  plan(0, crossoversHz.length, crossoversHz, sampleRateHz, steps)
  return steps
}

/**
 * A two-lane LR4 band splitter that runs block by block, keeping its filter state between blocks.
 * Usage per block: fill `input(lane)` (lanes 0 and 1, e.g. left/right or mid/side; fill an unused lane
 * with zeros), call `run(count)`, read `band(b, lane)`. `run` overwrites the input buffers (band 0 is
 * computed in place). Nothing is allocated after construction.
 */
export class CrossoverSplitter {
  /** Number of bands: crossovers + 1. */
  readonly bandCount: number
  /** Largest block `run` accepts, in frames. */
  readonly blockFrames: number
  private readonly buffers: Float64Array[][]
  private readonly steps: Step[]
  private readonly states: Float64Array[]

  constructor(crossoversHz: readonly number[], sampleRateHz: number, blockFrames = CROSSOVER_BLOCK_FRAMES) {
    this.bandCount = crossoversHz.length + 1
    this.blockFrames = blockFrames
    this.steps = buildPlan(crossoversHz, sampleRateHz)
    this.buffers = Array.from({ length: this.bandCount }, () => [new Float64Array(blockFrames), new Float64Array(blockFrames)])
    // split: 3 sections x 2 lanes x 2 state values; all-pass: 1 x 2 x 2
    this.states = this.steps.map((step) => new Float64Array(step.kind === 'split' ? 12 : 4))
  }

  /** The buffer to fill with lane `lane`'s next block of samples. */
  input(lane: number): Float64Array {
    return this.buffers[0][lane]
  }

  /** Band `band`'s block for `lane` after `run`. */
  band(band: number, lane: number): Float64Array {
    return this.buffers[band][lane]
  }

  /** Splits the first `count` samples of the input buffers (count <= blockFrames). */
  run(count: number): void {
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i]
      const source = this.buffers[step.source]
      if (step.kind === 'split') {
        const high = this.buffers[step.high]
        splitLanes(source[0], source[1], high[0], high[1], count, step.lowPass, step.allPass, this.states[i])
      } else {
        allPassLanes(source[0], source[1], count, step.allPass, this.states[i])
      }
    }
  }
}

/**
 * One LR4 split of two lanes: a and b become LP^2 of themselves, highA and highB receive AP - LP^2.
 * Transposed direct form II; both lanes and all three sections in one loop so their recursions overlap.
 */
function splitLanes(a: Float64Array, b: Float64Array, highA: Float64Array, highB: Float64Array, count: number, lp: Float64Array, ap: Float64Array, s: Float64Array): void {
  const l0 = lp[0], l1 = lp[1], l2 = lp[2], l3 = lp[3], l4 = lp[4]
  const p0 = ap[0], p1 = ap[1], p2 = ap[2], p3 = ap[3], p4 = ap[4]
  let a11 = s[0], a12 = s[1], a21 = s[2], a22 = s[3], a31 = s[4], a32 = s[5]
  let b11 = s[6], b12 = s[7], b21 = s[8], b22 = s[9], b31 = s[10], b32 = s[11]
  for (let n = 0; n < count; n++) {
    const xa = a[n]
    const xb = b[n]
    const ya = l0 * xa + a11
    a11 = l1 * xa - l3 * ya + a12
    a12 = l2 * xa - l4 * ya
    const yb = l0 * xb + b11
    b11 = l1 * xb - l3 * yb + b12
    b12 = l2 * xb - l4 * yb
    const za = l0 * ya + a21
    a21 = l1 * ya - l3 * za + a22
    a22 = l2 * ya - l4 * za
    const zb = l0 * yb + b21
    b21 = l1 * yb - l3 * zb + b22
    b22 = l2 * yb - l4 * zb
    const pa = p0 * xa + a31
    a31 = p1 * xa - p3 * pa + a32
    a32 = p2 * xa - p4 * pa
    const pb = p0 * xb + b31
    b31 = p1 * xb - p3 * pb + b32
    b32 = p2 * xb - p4 * pb
    a[n] = za
    b[n] = zb
    highA[n] = pa - za
    highB[n] = pb - zb
  }
  s[0] = a11; s[1] = a12; s[2] = a21; s[3] = a22; s[4] = a31; s[5] = a32
  s[6] = b11; s[7] = b12; s[8] = b21; s[9] = b22; s[10] = b31; s[11] = b32
}

/** A 2nd-order all-pass on two lanes in place (transposed direct form II). */
function allPassLanes(a: Float64Array, b: Float64Array, count: number, ap: Float64Array, s: Float64Array): void {
  const p0 = ap[0], p1 = ap[1], p2 = ap[2], p3 = ap[3], p4 = ap[4]
  let a1 = s[0], a2 = s[1], b1 = s[2], b2 = s[3]
  for (let n = 0; n < count; n++) {
    const xa = a[n]
    const xb = b[n]
    const ya = p0 * xa + a1
    a1 = p1 * xa - p3 * ya + a2
    a2 = p2 * xa - p4 * ya
    const yb = p0 * xb + b1
    b1 = p1 * xb - p3 * yb + b2
    b2 = p2 * xb - p4 * yb
    a[n] = ya
    b[n] = yb
  }
  s[0] = a1; s[1] = a2; s[2] = b1; s[3] = b2
}

/**
 * Splits whole channels (one or two) into bands: result[band][channel], each as long as the input.
 * For tests, analysis and reports; the processors stream through `CrossoverSplitter` instead.
 */
export function splitIntoBands(channels: readonly Float32Array[], crossoversHz: readonly number[], sampleRateHz: number): Float32Array[][] {
  const splitter = new CrossoverSplitter(crossoversHz, sampleRateHz)
  const length = channels[0].length
  const out = Array.from({ length: splitter.bandCount }, () => channels.map(() => new Float32Array(length)))
  for (let start = 0; start < length; start += splitter.blockFrames) {
    const count = Math.min(splitter.blockFrames, length - start)
    for (let lane = 0; lane < 2; lane++) {
      const input = splitter.input(lane)
      if (lane < channels.length) for (let n = 0; n < count; n++) input[n] = channels[lane][start + n]
      else input.fill(0)
    }
    splitter.run(count)
    for (let b = 0; b < splitter.bandCount; b++) {
      for (let c = 0; c < channels.length; c++) out[b][c].set(splitter.band(b, c).subarray(0, count), start)
    }
  }
  return out
}

function multiply(x: ComplexResponse, y: ComplexResponse): ComplexResponse {
  return { re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re }
}

function sectionResponse(packed: Float64Array, frequencyHz: number, sampleRateHz: number): ComplexResponse {
  return biquadResponse({ b0: packed[0], b1: packed[1], b2: packed[2], a1: packed[3], a2: packed[4] }, frequencyHz, sampleRateHz)
}

/**
 * The exact complex response of each band at `frequencyHz` (the split plan evaluated on H(e^{jw}) instead
 * of samples). Their sum is the all-pass AP(f1) ... AP(fN-1): magnitude 1.
 */
export function crossoverBandResponses(crossoversHz: readonly number[], frequencyHz: number, sampleRateHz: number): ComplexResponse[] {
  const bands: ComplexResponse[] = Array.from({ length: crossoversHz.length + 1 }, () => ({ re: 0, im: 0 }))
  bands[0] = { re: 1, im: 0 }
  for (const step of buildPlan(crossoversHz, sampleRateHz)) {
    const x = bands[step.source]
    const ap = sectionResponse(step.allPass, frequencyHz, sampleRateHz)
    if (step.kind === 'split') {
      const lp = sectionResponse(step.lowPass, frequencyHz, sampleRateHz)
      const low = multiply(multiply(lp, lp), x)
      const all = multiply(ap, x)
      bands[step.source] = low
      bands[step.high] = { re: all.re - low.re, im: all.im - low.im }
    } else {
      bands[step.source] = multiply(ap, x)
    }
  }
  return bands
}
