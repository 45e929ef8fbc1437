import { RealFft } from './fft.js'

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
  const fft = new RealFft(fftSize)
  try {
    const kernelSpectrum = new Float32Array(fftSize)
    const padded = new Float32Array(fftSize)
    padded.set(kernel)
    fft.forward(padded, kernelSpectrum)

    // block[i] = input[start - history + i]; circular outputs m >= history are the full convolution's
    // samples start - history + m, i.e. output samples start + m - history - centre.
    const block = new Float32Array(fftSize)
    const spectrum = new Float32Array(fftSize)
    const result = new Float32Array(fftSize)
    const scale = 1 / fftSize
    for (let start = 0; start < length + centre; start += blockSize) {
      block.copyWithin(0, blockSize)
      const count = Math.max(0, Math.min(blockSize, length - start))
      block.set(input.subarray(start, start + count), history)
      block.fill(0, history + count)
      fft.forward(block, spectrum)
      multiplySpectra(spectrum, kernelSpectrum)
      fft.inverse(spectrum, result)
      const first = Math.max(0, start - centre)
      const end = Math.min(length, start + blockSize - centre)
      for (let n = first, m = first - start + centre + history; n < end; n++, m++) output[n] = result[m] * scale
    }
    return output
  } finally {
    fft.dispose()
  }
}

/** a *= b for spectra in PFFFT's ordered real layout ([DC, Nyquist, re1, im1, ...]). */
function multiplySpectra(a: Float32Array, b: Float32Array): void {
  a[0] *= b[0]
  a[1] *= b[1]
  for (let k = 2; k < a.length; k += 2) {
    const re = a[k] * b[k] - a[k + 1] * b[k + 1]
    const im = a[k] * b[k + 1] + a[k + 1] * b[k]
    a[k] = re
    a[k + 1] = im
  }
}
