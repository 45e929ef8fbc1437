/** The output format list and the extension mapping. */
import { describe, expect, it } from 'vitest'
import { formatFromExtension, isOutputFormat, OUTPUT_FORMATS } from '../../src/audio/formats.js'
import { RefmasterError } from '../../src/errors.js'

describe('output formats', () => {
  it('lists the six formats once', () => {
    expect([...OUTPUT_FORMATS]).toEqual(['wav16', 'wav24', 'wav32f', 'flac16', 'flac24', 'mp3'])
    expect(OUTPUT_FORMATS.every(isOutputFormat)).toBe(true)
    expect(isOutputFormat('ogg')).toBe(false)
  })

  it('maps .wav, .flac and .mp3 (any case) to wav24, flac24 and mp3', () => {
    expect(formatFromExtension('/out/master.wav')).toBe('wav24')
    expect(formatFromExtension('master.FLAC')).toBe('flac24')
    expect(formatFromExtension('dir.v2/master.Mp3')).toBe('mp3')
  })

  it('refuses other or missing extensions with USAGE, naming the extension', () => {
    for (const [path, named] of [['master.ogg', "'.ogg'"], ['master.aiff', "'.aiff'"], ['master', "'master'"]]) {
      let caught: unknown
      try {
        formatFromExtension(path)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(RefmasterError)
      expect((caught as RefmasterError).code).toBe('USAGE')
      expect((caught as RefmasterError).message).toContain(named)
    }
  })
})
