/**
 * Test helpers for tests/audio: external tools (ffmpeg, sox) for making and checking fixtures, a
 * temporary directory that is removed afterwards, and sine generation and measurement.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RefmasterError, type ErrorCode } from '../../src/errors.js'

/** True when `command` runs (ffmpeg and ffprobe take -version, sox --version). */
function toolWorks(command: string, versionFlag: string): boolean {
  return spawnSync(command, [versionFlag], { stdio: 'ignore' }).status === 0
}

/** Which fixture tools are installed. Tests that need one are skipped, with the reason in their name, only if it is missing. */
export const TOOLS = {
  ffmpeg: toolWorks('ffmpeg', '-version') && toolWorks('ffprobe', '-version'),
  sox: toolWorks('sox', '--version'),
}

/** A suffix for describe() names saying why a block is skipped. */
export function skipNote(tool: keyof typeof TOOLS): string {
  return TOOLS[tool] ? '' : ` (SKIPPED: ${tool} is not installed; install it to run these tests)`
}

/** Runs a command quietly, throwing with its stderr if it fails. */
export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** ffmpeg with a lavfi source expression (e.g. "aevalsrc=...") to `outPath`, with extra output options. */
export function ffmpegFromLavfi(source: string, outPath: string, outputOptions: string[]): void {
  run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, ...outputOptions, outPath])
}

/** An aevalsrc source: one sine per channel, `amplitudes[i]` at `frequenciesHz[i]`. */
export function sineSource(frequenciesHz: number[], amplitudes: number[], sampleRateHz: number, seconds: number): string {
  const exprs = frequenciesHz.map((f, i) => `${amplitudes[i]}*sin(2*PI*${f}*t)`).join('|')
  return `aevalsrc=${exprs}:s=${sampleRateHz}:d=${seconds}`
}

/** A temporary directory under os.tmpdir(); call `remove()` in afterAll. */
export function makeTempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'refmaster-audio-test-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A sine of `amplitude` (full scale 1.0) at `frequencyHz`, starting at phase `phaseRadians`. */
export function sine(frequencyHz: number, sampleRateHz: number, frames: number, amplitude = 0.5, phaseRadians = 0): Float32Array {
  const out = new Float32Array(frames)
  for (let i = 0; i < frames; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz + phaseRadians)
  return out
}

/**
 * Amplitude and phase of the component of `samples[start, end)` at a known frequency, by least squares
 * against sin and cos (exact for a pure sine; other components average out over many periods).
 */
export function sineComponent(samples: Float32Array, sampleRateHz: number, frequencyHz: number, start: number, end: number): { amplitude: number; phaseRadians: number } {
  let ss = 0, cc = 0, sc = 0, xs = 0, xc = 0
  for (let i = start; i < end; i++) {
    const w = (2 * Math.PI * frequencyHz * i) / sampleRateHz
    const s = Math.sin(w), c = Math.cos(w)
    ss += s * s; cc += c * c; sc += s * c; xs += samples[i] * s; xc += samples[i] * c
  }
  const det = ss * cc - sc * sc
  const a = (xs * cc - xc * sc) / det
  const b = (xc * ss - xs * sc) / det
  return { amplitude: Math.hypot(a, b), phaseRadians: Math.atan2(b, a) }
}

/** Frequency of a sine from its rising zero crossings (linear interpolation), over `samples[start, end)`. */
export function zeroCrossingFrequencyHz(samples: Float32Array, sampleRateHz: number, start: number, end: number): number {
  let first = -1, last = -1, count = 0
  for (let i = start + 1; i < end; i++) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      const t = i - 1 + samples[i - 1] / (samples[i - 1] - samples[i])
      if (first < 0) first = t
      last = t
      count++
    }
  }
  return ((count - 1) * sampleRateHz) / (last - first)
}

/** RMS of `samples[start, end)`. */
export function rms(samples: Float32Array, start = 0, end = samples.length): number {
  let sum = 0
  for (let i = start; i < end; i++) sum += samples[i] * samples[i]
  return Math.sqrt(sum / (end - start))
}

/** Runs `action` and returns the RefmasterError it rejects with (failing the test if it resolves or throws something else). */
export async function refmasterErrorOf(action: () => unknown): Promise<RefmasterError> {
  try {
    await action()
  } catch (error) {
    if (error instanceof RefmasterError) return error
    throw new Error(`expected a RefmasterError, got ${String(error)}`, { cause: error })
  }
  throw new Error('expected a RefmasterError, but nothing was thrown')
}

/** The error code `action` rejects with. */
export async function errorCodeOf(action: () => unknown): Promise<ErrorCode> {
  return (await refmasterErrorOf(action)).code
}

/** Deterministic pseudo-random bytes (xorshift32), for corrupting fixtures the same way every run. */
export function pseudoRandomBytes(length: number, seed = 12345): Uint8Array {
  const out = new Uint8Array(length)
  let state = seed | 0 || 1
  for (let i = 0; i < length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    out[i] = state & 0xff
  }
  return out
}

/** Index of the first sample where two channels differ (-1 when identical, including length). */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i
  return -1
}
