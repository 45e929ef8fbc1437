import { FixedKernelConvolution } from './fft.js'

/** PFFFT's smallest real transform (./fft.ts). */
const MIN_FFT_SIZE = 32

/**
 * Linear convolution of a signal with a linear-phase FIR kernel by FFT overlap-save, with the kernel's
 * delay removed: output[n] = sum_k kernel[k] * input[n + centre - k], centre = (kernel.length - 1) / 2,
 * so the output has the input's length and stays sample-aligned with it (zero padding at both ends).
 * `output` may be `input` itself (in place): each block's input is read before any output that could
 * overwrite it is written, and the overlap between blocks is kept in the block buffer.
 */
export function convolveCentred(input: Float32Array, kernel: Float32Array, output: Float32Array = new Float32Array(input.length)): Float32Array {
  const taps = kernel.length
  const centre = (taps - 1) >> 1
  const fftSize = Math.max(MIN_FFT_SIZE, Math.pow(2, Math.ceil(Math.log2(taps * 4))))
  const history = taps - 1
  const blockSize = fftSize - history
  const length = input.length
  const convolution = new FixedKernelConvolution(fftSize, kernel)
  try {
    // block[i] = input[start - history + i]; circular outputs m >= history are the full convolution's
    // samples start - history + m, i.e. output samples start + m - history - centre.
    const block = new Float32Array(fftSize)
    const result = new Float32Array(fftSize)
    const scale = 1 / fftSize
    for (let start = 0; start < length + centre; start += blockSize) {
      block.copyWithin(0, blockSize)
      const count = Math.max(0, Math.min(blockSize, length - start))
      block.set(input.subarray(start, start + count), history)
      block.fill(0, history + count)
      convolution.run(block, result, scale)
      const first = Math.max(0, start - centre)
      const end = Math.min(length, start + blockSize - centre)
      output.set(result.subarray(first - start + centre + history, end - start + centre + history), first)
    }
    return output
  } finally {
    convolution.dispose()
  }
}
