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
  _pffft_transform(setup: number, input: number, output: number, work: number, direction: number): void
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scaling: number): void
  _pffft_aligned_malloc(bytes: number): number
  _pffft_aligned_free(pointer: number): void
}

const PFFFT_REAL = 0
const PFFFT_FORWARD = 0
const PFFFT_BACKWARD = 1
const BYTES_PER_FLOAT = 4

const wasm = (await (PFFFT as unknown as () => Promise<PffftModule>)()) as PffftModule

/** PFFFT's real transforms need a multiple of 32; we use powers of 2. */
function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 32 || (size & (size - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of 2 and at least 32, got ${size}`)
  }
}

/** A real FFT of one size, with its buffers in WebAssembly memory. Reuse it; call `dispose` when done. */
export class RealFft {
  readonly size: number
  private readonly setup: number
  private readonly inputPointer: number
  private readonly outputPointer: number
  private readonly workPointer: number

  constructor(size: number) {
    checkSize(size)
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

/**
 * Circular convolution with one fixed kernel, many blocks: PFFFT's unordered transforms
 * (pffft_transform) with the spectra multiplied in wasm SIMD (pffft_zconvolve_accumulate), so the
 * spectra never leave PFFFT's internal order nor WebAssembly memory (PFFFT's documented use for fast
 * convolution). Call `dispose` when done.
 */
export class FixedKernelConvolution {
  readonly size: number
  private readonly setup: number
  private readonly kernelPointer: number
  private readonly blockPointer: number
  private readonly spectrumPointer: number
  private readonly productPointer: number
  private readonly workPointer: number

  /** `kernel` (at most `size` taps) is zero-padded to `size`. */
  constructor(size: number, kernel: Float32Array) {
    checkSize(size)
    if (kernel.length > size) throw new RangeError(`kernel of ${kernel.length} taps does not fit an FFT of ${size}`)
    this.size = size
    this.setup = wasm._pffft_new_setup(size, PFFFT_REAL)
    const allocate = () => wasm._pffft_aligned_malloc(size * BYTES_PER_FLOAT)
    this.kernelPointer = allocate()
    this.blockPointer = allocate()
    this.spectrumPointer = allocate()
    this.productPointer = allocate()
    this.workPointer = allocate()
    const heap = wasm.HEAPF32
    const blockIndex = this.blockPointer / BYTES_PER_FLOAT
    heap.fill(0, blockIndex, blockIndex + size)
    heap.set(kernel, blockIndex)
    wasm._pffft_transform(this.setup, this.blockPointer, this.kernelPointer, this.workPointer, PFFFT_FORWARD)
  }

  /** `output` (length `size`) = `scale` x the circular convolution of `block` (length `size`) with the kernel. */
  run(block: Float32Array, output: Float32Array, scale: number): void {
    const { size, setup, blockPointer, spectrumPointer, productPointer, workPointer } = this
    // HEAPF32 is replaced when WebAssembly memory grows: read it on every call.
    const heap = wasm.HEAPF32
    const blockIndex = blockPointer / BYTES_PER_FLOAT
    const productIndex = productPointer / BYTES_PER_FLOAT
    heap.set(block.subarray(0, size), blockIndex)
    wasm._pffft_transform(setup, blockPointer, spectrumPointer, workPointer, PFFFT_FORWARD)
    heap.fill(0, productIndex, productIndex + size)
    wasm._pffft_zconvolve_accumulate(setup, spectrumPointer, this.kernelPointer, productPointer, scale)
    wasm._pffft_transform(setup, productPointer, blockPointer, workPointer, PFFFT_BACKWARD)
    output.set(wasm.HEAPF32.subarray(blockIndex, blockIndex + size))
  }

  /** Frees the WebAssembly memory. */
  dispose(): void {
    for (const pointer of [this.kernelPointer, this.blockPointer, this.spectrumPointer, this.productPointer, this.workPointer]) wasm._pffft_aligned_free(pointer)
    wasm._pffft_destroy_setup(this.setup)
  }
}
