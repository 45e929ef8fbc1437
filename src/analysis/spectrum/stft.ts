import { RealFft } from '../../dsp/fft.js'

/** Periodic Hann window of `size` points. */
export function hannWindow(size: number): Float32Array {
  const window = new Float32Array(size)
  for (let n = 0; n < size; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size)
  return window
}

/** Frames of `size` samples every `hop` that `forEachMidSideFrame` makes of `length` samples. */
export function midSideFrameCount(length: number, size: number, hop: number): number {
  return length >= size ? Math.floor((length - size) / hop) + 1 : length > 0 ? 1 : 0
}

/**
 * Short-time power spectra of mid (L+R)/2 and side (L-R)/2, one frame at a time. Each frame's power is
 * scaled so that a sine of amplitude A inside the frame sums to A^2/2 over its bins (Hann-window power
 * normalisation), i.e. band powers are mean squares. Mono input has a silent side.
 * `visit(frame, startSample, midPower, sidePower)` gets arrays of size/2+1 bins that are reused: copy what you keep.
 * Frames that `include` (given the frame's first sample) refuses are not transformed nor visited.
 * Returns the number of frames, visited or not.
 */
export function forEachMidSideFrame(
  channels: Float32Array[],
  size: number,
  hop: number,
  visit: (frame: number, startSample: number, midPower: Float64Array, sidePower: Float64Array) => void,
  include?: (startSample: number) => boolean,
): number {
  const fft = new RealFft(size)
  try {
    const window = hannWindow(size)
    let windowPower = 0
    for (let n = 0; n < size; n++) windowPower += window[n] * window[n]
    // One-sided power: |X_k|^2 * 2 / (N * sum w^2) makes a sine's bins sum to A^2 / 2.
    const scale = 2 / (size * windowPower)
    const bins = size / 2 + 1
    const left = channels[0]
    const right = channels.length > 1 ? channels[1] : channels[0]
    const length = left.length
    const midFrame = new Float32Array(size)
    const sideFrame = new Float32Array(size)
    const spectrum = new Float32Array(size)
    const midPower = new Float64Array(bins)
    const sidePower = new Float64Array(bins)
    const frames = midSideFrameCount(length, size, hop)
    for (let frame = 0; frame < frames; frame++) {
      const start = frame * hop
      if (include && !include(start)) continue
      // Past the end (only the last frame of a short signal) the frame is zero-padded.
      const available = Math.min(size, length - start)
      for (let n = 0; n < available; n++) {
        const l = left[start + n]
        const r = right[start + n]
        const w = 0.5 * window[n]
        midFrame[n] = (l + r) * w
        sideFrame[n] = (l - r) * w
      }
      midFrame.fill(0, available)
      sideFrame.fill(0, available)
      powerSpectrum(fft, midFrame, spectrum, midPower, scale)
      powerSpectrum(fft, sideFrame, spectrum, sidePower, scale)
      visit(frame, start, midPower, sidePower)
    }
    return frames
  } finally {
    fft.dispose()
  }
}

function powerSpectrum(fft: RealFft, frame: Float32Array, spectrum: Float32Array, power: Float64Array, scale: number): void {
  fft.forward(frame, spectrum)
  const half = frame.length / 2
  // DC and Nyquist are single-sided already: half weight keeps the sine normalisation consistent.
  power[0] = spectrum[0] * spectrum[0] * scale * 0.5
  power[half] = spectrum[1] * spectrum[1] * scale * 0.5
  for (let k = 1; k < half; k++) {
    const re = spectrum[2 * k]
    const im = spectrum[2 * k + 1]
    power[k] = (re * re + im * im) * scale
  }
}
