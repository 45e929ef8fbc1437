/** TPDF dither and rounding: error statistics, determinism, clipping, purity. */
import { describe, expect, it } from 'vitest'
import { channelDitherSeed, DEFAULT_DITHER_SEED, tpdfDither } from '../../src/audio/dither.js'
import { integerLimits, quantizeRounded } from '../../src/audio/quantize.js'

const BITS = 16
const LSB = 2 ** -(BITS - 1)
const COUNT = 200_000

/** Quantisation errors in LSB for a constant input of `valueLsb` LSB. */
function errorsLsb(valueLsb: number, seed = DEFAULT_DITHER_SEED): Float64Array {
  const codes = tpdfDither(new Float32Array(COUNT).fill(valueLsb * LSB), BITS, seed)
  const constant = Math.fround(valueLsb * LSB) / LSB
  return Float64Array.from(codes, (code) => code - constant)
}

function mean(values: Float64Array): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length
}

function variance(values: Float64Array): number {
  const m = mean(values)
  return values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length
}

describe('tpdfDither', () => {
  it('on a constant on the code grid, errs by -1, 0 or +1 LSB with triangular odds 1/8, 3/4, 1/8 and mean 0', () => {
    for (const valueLsb of [0, 1000, -2345]) {
      const errors = errorsLsb(valueLsb)
      expect(errors.every((e) => e === -1 || e === 0 || e === 1)).toBe(true)
      const share = (v: number): number => errors.filter((e) => e === v).length / COUNT
      expect(share(0)).toBeCloseTo(0.75, 2)
      expect(share(1)).toBeCloseTo(0.125, 2)
      expect(share(-1)).toBeCloseTo(0.125, 2)
      expect(Math.abs(mean(errors))).toBeLessThan(0.005)
    }
  })

  it('between codes, errs within +-1.5 LSB with mean 0 and the signal-independent variance 1/4 LSB^2', () => {
    for (const valueLsb of [0.25, 0.5, 123.37, -77.81]) {
      const errors = errorsLsb(valueLsb)
      expect(errors.every((e) => Math.abs(e) <= 1.5)).toBe(true)
      expect(Math.abs(mean(errors))).toBeLessThan(0.005)
      // TPDF of +-1 LSB: dither variance 1/6 plus rounding 1/12, whatever the input (Lipshitz et al. 1992)
      expect(variance(errors)).toBeCloseTo(0.25, 2)
    }
  })

  it('is deterministic for a seed, differs between seeds, and leaves its input alone', () => {
    const input = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * 0.3)
    const copy = input.slice()
    const first = tpdfDither(input, BITS, 42)
    expect(tpdfDither(input, BITS, 42)).toEqual(first)
    expect(tpdfDither(input, BITS, 43)).not.toEqual(first)
    expect(input).toEqual(copy)
    expect(channelDitherSeed(42, 0)).not.toBe(channelDitherSeed(42, 1))
  })

  it('clips to the code range without wrapping', () => {
    const { minCode, maxCode } = integerLimits(BITS)
    const codes = tpdfDither(new Float32Array([2, -2, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]), BITS, 1)
    expect(Array.from(codes.subarray(0, 2))).toEqual([maxCode, minCode])
    expect(codes[2]).toBeGreaterThanOrEqual(maxCode - 1)
    expect(codes[3]).toBeLessThanOrEqual(minCode + 1)
    expect(Array.from(codes.subarray(4))).toEqual([maxCode, minCode])
  })
})

describe('quantizeRounded', () => {
  it('rounds to the nearest code, keeps on-grid values exactly, and clips', () => {
    const lsb24 = 2 ** -23
    const codes = quantizeRounded(new Float32Array([0, 5 * lsb24, 5.4 * lsb24, -5.6 * lsb24, 1, -1, 3, Number.NaN]), 24)
    expect(Array.from(codes)).toEqual([0, 5, 5, -6, 2 ** 23 - 1, -(2 ** 23), 2 ** 23 - 1, 0])
  })
})
