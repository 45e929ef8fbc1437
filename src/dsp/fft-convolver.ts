import { RealFft } from './fft.js'

/**
 * Linear convolution of a signal with a linear-phase FIR kernel by FFT overlap-add, with the kernel's
 * delay removed: output[n] = sum_k kernel[k] * input[n + centre - k], centre = (kernel.length - 1) / 2,
 * so the output has the input's length and stays sample-aligned with it (zero padding at both ends).
 */
export function convolveCentred(input: Float32Array, kernel: Float32Array): Float32Array {
  const taps = kernel.length
  const centre = (taps - 1) >> 1
  const fftSize = Math.pow(2, Math.ceil(Math.log2(taps * 4)))
  const blockSize = fftSize - taps + 1
  const fft = new RealFft(fftSize)
  try {
    const kernelSpectrum = new Float32Array(fftSize)
    const padded = new Float32Array(fftSize)
    padded.set(kernel)
    fft.forward(padded, kernelSpectrum)

    // The full convolution is input.length + taps - 1 long; we keep [centre, centre + input.length).
    const output = new Float32Array(input.length)
    const block = new Float32Array(fftSize)
    const spectrum = new Float32Array(fftSize)
    const result = new Float32Array(fftSize)
    const scale = 1 / fftSize
    for (let start = 0; start < input.length; start += blockSize) {
      const count = Math.min(blockSize, input.length - start)
      block.set(input.subarray(start, start + count))
      block.fill(0, count)
      fft.forward(block, spectrum)
      multiplySpectra(spectrum, kernelSpectrum)
      fft.inverse(spectrum, result)
      // Block output sample m is full-convolution sample start + m, i.e. output sample start + m - centre.
      const first = Math.max(0, centre - start)
      const last = Math.min(count + taps - 1, input.length - start + centre)
      for (let m = first; m < last; m++) output[start + m - centre] += result[m] * scale
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
