import { lowPassCoefficients, type BiquadCoefficients } from './biquad.js'

/**
 * Zero-phase Linkwitz-Riley band split for the processors that must keep the master sample-aligned with
 * the mix (DESIGN.md: A/B comparison and our evaluation depend on it). An IIR LR4 crossover sums to an
 * all-pass: flat in magnitude, but its group delay at the low crossover (several ms near 100 Hz) shifts
 * the music against the mix. Here each low band is a 2nd-order Butterworth low-pass run forward and then
 * backward: zero phase, with magnitude |B|^2, exactly the LR4 low-pass magnitude (Linkwitz 1976). The
 * band above is the residual, input - low, whose magnitude 1 - |B|^2 is exactly the LR4 high-pass. So
 * the bands are in phase with the input and sum back to it exactly.
 */

/** Runs one biquad over `samples` forward (direction 1) or backward (-1) in place, from rest. */
function biquadInPlace(samples: Float32Array, c: BiquadCoefficients, direction: 1 | -1): void {
  const { b0, b1, b2, a1, a2 } = c
  let z1 = 0
  let z2 = 0
  const length = samples.length
  for (let i = 0; i < length; i++) {
    const n = direction === 1 ? i : length - 1 - i
    const x = samples[n]
    // Transposed direct form II.
    const y = b0 * x + z1
    z1 = b1 * x - a1 * y + z2
    z2 = b2 * x - a2 * y
    samples[n] = y
  }
}

/**
 * `biquadInPlace` forward over two arrays of one length at once, from `inputA`/`inputB` into
 * `outputA`/`outputB` (which may be the inputs): each recursion is bound by its own latency, so
 * interleaving two independent ones nearly halves the time. Each lane's arithmetic is `biquadInPlace`'s.
 */
function biquadPairForward(inputA: Float32Array, inputB: Float32Array, outputA: Float32Array, outputB: Float32Array, c: BiquadCoefficients): void {
  const { b0, b1, b2, a1, a2 } = c
  let az1 = 0, az2 = 0, bz1 = 0, bz2 = 0
  const length = inputA.length
  for (let n = 0; n < length; n++) {
    const ax = inputA[n], bx = inputB[n]
    const ay = b0 * ax + az1
    const by = b0 * bx + bz1
    az1 = b1 * ax - a1 * ay + az2
    bz1 = b1 * bx - a1 * by + bz2
    az2 = b2 * ax - a2 * ay
    bz2 = b2 * bx - a2 * by
    outputA[n] = ay
    outputB[n] = by
  }
}

/**
 * The same backward over two arrays in place; with `residualA`/`residualB`, each output (as stored,
 * float32) is also subtracted from them. (One function for both directions, with separate input and
 * output arrays, ran the zero-phase split of 4 stereo minutes in 505 ms instead of 393 ms.)
 */
function biquadPairBackward(a: Float32Array, b: Float32Array, c: BiquadCoefficients, residualA?: Float32Array, residualB?: Float32Array): void {
  const { b0, b1, b2, a1, a2 } = c
  let az1 = 0, az2 = 0, bz1 = 0, bz2 = 0
  for (let n = a.length - 1; n >= 0; n--) {
    const ax = a[n], bx = b[n]
    const ay = b0 * ax + az1
    const by = b0 * bx + bz1
    az1 = b1 * ax - a1 * ay + az2
    bz1 = b1 * bx - a1 * by + bz2
    az2 = b2 * ax - a2 * ay
    bz2 = b2 * bx - a2 * by
    a[n] = ay
    b[n] = by
    if (residualA && residualB) {
      residualA[n] -= a[n]
      residualB[n] -= b[n]
    }
  }
}

/** `forwardBackwardInPlace` on every channel (two of one length run as a pair). */
export function forwardBackwardChannelsInPlace(channels: readonly Float32Array[], c: BiquadCoefficients): void {
  if (channels.length === 2 && channels[0].length === channels[1].length) {
    const [a, b] = channels
    biquadPairForward(a, b, a, b, c)
    biquadPairBackward(a, b, c)
  } else {
    for (const channel of channels) forwardBackwardInPlace(channel, c)
  }
}

/** Runs `c` forward then backward over `samples`, in place (zero phase, magnitude |H|^2). */
export function forwardBackwardInPlace(samples: Float32Array, c: BiquadCoefficients): Float32Array {
  biquadInPlace(samples, c, 1)
  biquadInPlace(samples, c, -1)
  return samples
}

/** Runs `c` forward then backward over a copy of `input` (zero phase, magnitude |H|^2). */
export function forwardBackward(input: Float32Array, c: BiquadCoefficients): Float32Array {
  return forwardBackwardInPlace(input.slice(), c)
}

/**
 * Zero-phase LR4 low band of `input` at `cutoffHz` (-6 dB there): forward-backward 2nd-order Butterworth,
 * written into `output` (which may be `input`) when given.
 */
export function zeroPhaseLowBand(input: Float32Array, cutoffHz: number, sampleRateHz: number, output?: Float32Array): Float32Array {
  const coefficients = lowPassCoefficients(sampleRateHz, cutoffHz)
  if (!output) return forwardBackward(input, coefficients)
  if (output !== input) output.set(input)
  return forwardBackwardInPlace(output, coefficients)
}

/**
 * One step of the split on two lanes: low = the forward-backward low-pass of residual, and residual -=
 * low, in two passes instead of four (the forward pass reads the residual where it is, the subtraction
 * rides on the backward pass). The same bits as those steps apart.
 */
function splitPairStep(residualA: Float32Array, residualB: Float32Array, lowA: Float32Array, lowB: Float32Array, c: BiquadCoefficients): void {
  biquadPairForward(residualA, residualB, lowA, lowB, c)
  biquadPairBackward(lowA, lowB, c, residualA, residualB)
}

/**
 * The bands of `channels` split at ascending `crossoversHz`, lowest first, one band at a time: each
 * yielded entry holds one array per channel, and the bands of a channel sum to the channel. It works in
 * two sets of channel arrays (the residual and the band below the next crossover), taken from `scratch`
 * (two arrays per channel, as long as the channels; their contents are overwritten) or made, so every band
 * but the last is yielded in the same arrays: read a band before asking for the next.
 */
export function* zeroPhaseBands(channels: readonly Float32Array[], crossoversHz: readonly number[], sampleRateHz: number, scratch?: readonly Float32Array[]): Generator<Float32Array[]> {
  const count = channels.length
  const scratchArray = (i: number) => scratch?.[i] ?? new Float32Array(channels[0].length)
  const residual = channels.map((channel, c) => {
    const copy = scratchArray(c)
    copy.set(channel)
    return copy
  })
  const low = crossoversHz.length > 0 ? channels.map((_, c) => scratchArray(count + c)) : []
  for (const cutoffHz of crossoversHz) {
    const coefficients = lowPassCoefficients(sampleRateHz, cutoffHz)
    if (count === 2) {
      splitPairStep(residual[0], residual[1], low[0], low[1], coefficients)
    } else {
      low.forEach((band, c) => band.set(residual[c]))
      forwardBackwardChannelsInPlace(low, coefficients)
      residual.forEach((channel, c) => {
        const band = low[c]
        for (let n = 0; n < channel.length; n++) channel[n] -= band[n]
      })
    }
    yield low
  }
  yield residual
}
