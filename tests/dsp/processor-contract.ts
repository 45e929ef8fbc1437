import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { defaultParams, neutralParams, validateParams, type ParamTable, type ParamValues } from '../../src/dsp/params.js'
import { noise, sine } from '../helpers/signals.js'

/** Bit-for-bit equality of two sets of channels (much faster than a deep toEqual on long arrays). */
export function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((channel, c) => Buffer.from(channel.buffer, channel.byteOffset, channel.byteLength).equals(Buffer.from(b[c].buffer, b[c].byteOffset, b[c].byteLength)))
}

/**
 * The contract every processor in src/dsp keeps (STYLE.md habit 8): the input is untouched; length,
 * channel count and rate are kept; the output is finite and deterministic; neutral parameters give the
 * identity (within `identityToleranceDb` of full scale); defaults and `extraParams` validate.
 * Call it inside a test file: `processorContract('stereo width', STEREO_WIDTH_PARAMS, applyStereoWidth)`.
 */
export function processorContract<T extends ParamTable>(
  name: string,
  table: T,
  apply: (audio: Audio, params: ParamValues<T>) => Audio,
  options: { extraParams?: Array<Partial<ParamValues<T>>>; identityToleranceDb?: number; rates?: number[] } = {},
): void {
  const toleranceLinear = Math.pow(10, (options.identityToleranceDb ?? -120) / 20)
  const rates = options.rates ?? [44100, 48000, 96000]
  const paramSets = [defaultParams(table), ...(options.extraParams ?? []).map((p) => ({ ...defaultParams(table), ...p }))]

  describe(`${name}: processor contract`, () => {
    for (const sampleRateHz of rates) {
      const frames = Math.round(sampleRateHz * 1.5)
      const make = (): Audio => ({
        channels: [noise(frames, 0.25, 17), sine(sampleRateHz, 1.5, -12, 997).map((x, i) => x + 0.05 * Math.sin(i / 3000))],
        sampleRateHz,
      })

      it(`keeps length, channels and rate, leaves the input alone, and is finite and deterministic at ${sampleRateHz} Hz`, () => {
        for (const params of paramSets) {
          validateParams(table, params, name)
          const input = make()
          const copy = input.channels.map((c) => c.slice())
          const first = apply(input, params)
          const second = apply(make(), params)
          expect(sameBits(input.channels, copy), 'input modified').toBe(true)
          expect(first.sampleRateHz).toBe(sampleRateHz)
          expect(first.channels).toHaveLength(2)
          for (const channel of first.channels) {
            expect(channel).toHaveLength(frames)
            expect(channel.every(Number.isFinite), 'non-finite output').toBe(true)
          }
          expect(sameBits(first.channels, second.channels), 'not deterministic').toBe(true)
        }
      })

      it(`is the identity with neutral parameters at ${sampleRateHz} Hz`, () => {
        const input = make()
        const output = apply(input, neutralParams(table))
        let worst = 0
        for (let c = 0; c < 2; c++) {
          for (let n = 0; n < frames; n++) worst = Math.max(worst, Math.abs(output.channels[c][n] - input.channels[c][n]))
        }
        expect(worst).toBeLessThanOrEqual(toleranceLinear)
      })
    }

    it('handles mono input', () => {
      const mono: Audio = { channels: [noise(44100, 0.25, 5)], sampleRateHz: 44100 }
      const output = apply(mono, defaultParams(table))
      expect(output.channels).toHaveLength(1)
      expect(output.channels[0]).toHaveLength(44100)
    })
  })
}
