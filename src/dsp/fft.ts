/**
 * Real FFT through PFFFT compiled to WebAssembly with SIMD (@echogarden/pffft-wasm): the only file that
 * imports it. Sizes must be multiples of 32 with factors 2, 3 and 5 (PFFFT's rule); we use powers of 2.
 * Spectra use PFFFT's ordered layout: [Re(0), Re(N/2), Re(1), Im(1), Re(2), Im(2), ...].
 * Transforms are unscaled: inverse(forward(x)) = N * x.
 */
import PFFFT from '@echogarden/pffft-wasm/simd'

interface PffftModule {
  HEAPF32: Float32Array
  _pffft_new_setup(size: number, transform: number): number
  _pffft_destroy_setup(setup: number): void
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void
  _pffft_aligned_malloc(bytes: number): number
  _pffft_aligned_free(pointer: number): void
}

const PFFFT_REAL = 0
const PFFFT_FORWARD = 0
const PFFFT_BACKWARD = 1
const BYTES_PER_FLOAT = 4

const wasm = (await (PFFFT as unknown as () => Promise<PffftModule>)()) as PffftModule

/** A real FFT of one size, with its buffers in WebAssembly memory. Reuse it; call `dispose` when done. */
export class RealFft {
  readonly size: number
  private readonly setup: number
  private readonly inputPointer: number
  private readonly outputPointer: number
  private readonly workPointer: number

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 32 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of 2 and at least 32, got ${size}`)
    }
    this.size = size
    this.setup = wasm._pffft_new_setup(size, PFFFT_REAL)
    this.inputPointer = wasm._pffft_aligned_malloc(size * BYTES_PER_FLOAT)
    this.outputPointer = wasm._pffft_aligned_malloc(size * BYTES_PER_FLOAT)
    this.workPointer = wasm._pffft_aligned_malloc(size * BYTES_PER_FLOAT)
  }

  /** Forward transform of `input` (length `size`) into `spectrum` (ordered layout). */
  forward(input: Float32Array, spectrum: Float32Array): void {
    this.run(input, spectrum, PFFFT_FORWARD)
  }

  /** Unscaled inverse transform of `spectrum` (ordered layout) into `output`. */
  inverse(spectrum: Float32Array, output: Float32Array): void {
    this.run(spectrum, output, PFFFT_BACKWARD)
  }

  /** Frees the WebAssembly memory. */
  dispose(): void {
    wasm._pffft_aligned_free(this.inputPointer)
    wasm._pffft_aligned_free(this.outputPointer)
    wasm._pffft_aligned_free(this.workPointer)
    wasm._pffft_destroy_setup(this.setup)
  }

  private run(source: Float32Array, target: Float32Array, direction: number): void {
    // HEAPF32 is replaced when WebAssembly memory grows: read it on every call.
    const heap = wasm.HEAPF32
    const inputIndex = this.inputPointer / BYTES_PER_FLOAT
    const outputIndex = this.outputPointer / BYTES_PER_FLOAT
    heap.set(source.subarray(0, this.size), inputIndex)
    wasm._pffft_transform_ordered(this.setup, this.inputPointer, this.outputPointer, this.workPointer, direction)
    target.set(wasm.HEAPF32.subarray(outputIndex, outputIndex + this.size))
  }
}
