/**
 * decodeFile on fixtures made by ffmpeg and sox in every container, sample format and rate we support:
 * sample rate, channel count, length, and each channel's sine frequency and level.
 * Stereo fixtures carry 1000 Hz at 0.5 on the left and 1500 Hz at 0.25 on the right, so a channel swap
 * or a merged channel shows.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/audio/decode.js'
import { gainToDb } from '../../src/units/db.js'
import { ffmpegFromLavfi, firstDifference, makeTempDir, run, sineComponent, sineSource, skipNote, TOOLS, zeroCrossingFrequencyHz } from './support.js'

const SECONDS = 1
const LEFT = { frequencyHz: 1000, amplitude: 0.5 }
const RIGHT = { frequencyHz: 1500, amplitude: 0.25 }

interface Fixture {
  readonly file: string
  readonly tool: 'ffmpeg' | 'sox'
  /** Rate and channels of the source; `decodedRateHz` when the codec changes it (Opus is always 48 kHz). */
  readonly rateHz: number
  readonly channels: 1 | 2
  readonly decodedRateHz?: number
  /** ffmpeg output options, or sox output options before the file name. */
  readonly options: string[]
  readonly lossy: boolean
  /** Allowed level error in dB. */
  readonly levelToleranceDb: number
}

const lossless = (file: string, tool: Fixture['tool'], rateHz: number, channels: 1 | 2, options: string[], levelToleranceDb = 0.01): Fixture =>
  ({ file, tool, rateHz, channels, options, lossy: false, levelToleranceDb })
const lossy = (file: string, rateHz: number, channels: 1 | 2, options: string[], decodedRateHz?: number): Fixture =>
  ({ file, tool: 'ffmpeg', rateHz, channels, options, lossy: true, levelToleranceDb: 0.5, decodedRateHz })

const FIXTURES: readonly Fixture[] = [
  lossless('u8-44k-stereo.wav', 'ffmpeg', 44100, 2, ['-c:a', 'pcm_u8'], 0.1),
  lossless('s16-44k-stereo.wav', 'ffmpeg', 44100, 2, ['-c:a', 'pcm_s16le']),
  lossless('s16-32k-mono.wav', 'ffmpeg', 32000, 1, ['-c:a', 'pcm_s16le']),
  lossless('s24-48k-stereo-extensible.wav', 'ffmpeg', 48000, 2, ['-c:a', 'pcm_s24le']),
  lossless('s32-96k-stereo.wav', 'ffmpeg', 96000, 2, ['-c:a', 'pcm_s32le']),
  lossless('f32-192k-stereo.wav', 'ffmpeg', 192000, 2, ['-c:a', 'pcm_f32le']),
  lossless('f64-44k-mono.wav', 'ffmpeg', 44100, 1, ['-c:a', 'pcm_f64le']),
  lossless('s24-48k-stereo-rf64.wav', 'ffmpeg', 48000, 2, ['-c:a', 'pcm_s24le', '-rf64', 'always']),
  lossless('s24-384k-stereo.wav', 'ffmpeg', 384000, 2, ['-c:a', 'pcm_s24le']),
  lossless('sox-s24-44k-stereo.wav', 'sox', 44100, 2, ['-b', '24']),
  lossless('sox-f32-48k-stereo.wav', 'sox', 48000, 2, ['-e', 'floating-point', '-b', '32']),
  lossless('sox-f64-96k-mono.wav', 'sox', 96000, 1, ['-e', 'floating-point', '-b', '64']),
  lossless('sox-u8-8k-mono.wav', 'sox', 8000, 1, ['-e', 'unsigned-integer', '-b', '8'], 0.1),
  lossless('s16-44k-stereo.aiff', 'ffmpeg', 44100, 2, ['-c:a', 'pcm_s16be']),
  lossless('s24-96k-stereo.aiff', 'ffmpeg', 96000, 2, ['-c:a', 'pcm_s24be']),
  lossless('f32-48k-mono-aifc.aiff', 'ffmpeg', 48000, 1, ['-c:a', 'pcm_f32be']),
  lossless('s16le-44k-stereo-sowt.aiff', 'ffmpeg', 44100, 2, ['-c:a', 'pcm_s16le', '-f', 'aiff']),
  lossless('sox-s24-48k-stereo.aiff', 'sox', 48000, 2, ['-b', '24']),
  lossless('sox-s16-32k-stereo.aifc', 'sox', 32000, 2, ['-b', '16']),
  lossless('s16-44k-stereo.flac', 'ffmpeg', 44100, 2, ['-c:a', 'flac', '-sample_fmt', 's16']),
  lossless('s24-96k-stereo.flac', 'ffmpeg', 96000, 2, ['-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24']),
  lossless('s24-192k-mono.flac', 'ffmpeg', 192000, 1, ['-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24']),
  lossless('sox-s24-48k-stereo.flac', 'sox', 48000, 2, ['-b', '24']),
  lossless('s16-44k-stereo-ogg-flac.oga', 'ffmpeg', 44100, 2, ['-c:a', 'flac', '-f', 'ogg']),
  lossy('320k-44k-stereo.mp3', 44100, 2, ['-c:a', 'libmp3lame', '-b:a', '320k']),
  lossy('192k-48k-mono.mp3', 48000, 1, ['-c:a', 'libmp3lame', '-b:a', '192k']),
  lossy('256k-32k-stereo.mp3', 32000, 2, ['-c:a', 'libmp3lame', '-b:a', '256k']),
  lossy('128k-22k-stereo-mpeg2.mp3', 22050, 2, ['-c:a', 'libmp3lame', '-b:a', '128k']),
  lossy('44k-stereo.ogg', 44100, 2, ['-c:a', 'libvorbis', '-q:a', '6']),
  lossy('48k-mono.ogg', 48000, 1, ['-c:a', 'libvorbis', '-q:a', '6']),
  lossy('32k-stereo.ogg', 32000, 2, ['-c:a', 'libvorbis', '-q:a', '6']),
  lossy('96k-stereo.ogg', 96000, 2, ['-c:a', 'libvorbis', '-q:a', '6']),
  lossy('192k-stereo.ogg', 192000, 2, ['-c:a', 'libvorbis', '-q:a', '6']),
  lossy('48k-stereo.opus', 48000, 2, ['-c:a', 'libopus', '-b:a', '192k']),
  lossy('48k-mono.opus', 48000, 1, ['-c:a', 'libopus', '-b:a', '128k']),
  lossy('from-44k-stereo.opus', 44100, 2, ['-c:a', 'libopus', '-b:a', '192k'], 48000),
]

/** Lossy decoders may add or trim up to about one codec frame at the ends. */
const LOSSY_LENGTH_TOLERANCE_FRAMES = 2048
/** Frequency measured by zero crossings over 0.8 s: well within 0.05% for any of these fixtures. */
const FREQUENCY_TOLERANCE_RATIO = 5e-4

function makeFixture(dir: string, fixture: Fixture): string {
  const path = join(dir, fixture.file)
  const stereo = fixture.channels === 2
  if (fixture.tool === 'ffmpeg') {
    const source = stereo
      ? sineSource([LEFT.frequencyHz, RIGHT.frequencyHz], [LEFT.amplitude, RIGHT.amplitude], fixture.rateHz, SECONDS)
      : sineSource([LEFT.frequencyHz], [LEFT.amplitude], fixture.rateHz, SECONDS)
    ffmpegFromLavfi(source, path, fixture.options)
  } else {
    // sox: one synth tone per channel, at full scale, then scaled per channel with 'remix' gains
    const synth = stereo ? ['synth', `${SECONDS}`, 'sine', `${LEFT.frequencyHz}`, 'sine', `${RIGHT.frequencyHz}`] : ['synth', `${SECONDS}`, 'sine', `${LEFT.frequencyHz}`]
    const gains = stereo ? ['remix', `1v${LEFT.amplitude}`, `2v${RIGHT.amplitude}`] : ['vol', `${LEFT.amplitude}`]
    run('sox', ['-n', '-r', `${fixture.rateHz}`, '-c', `${fixture.channels}`, ...fixture.options, path, ...synth, ...gains])
  }
  return path
}

describe(`decodeFile on ffmpeg and sox fixtures${skipNote('ffmpeg')}${skipNote('sox')}`, () => {
  const available = FIXTURES.filter((fixture) => TOOLS[fixture.tool])
  const temp = makeTempDir()
  const paths = new Map<string, string>()
  beforeAll(() => {
    for (const fixture of available) paths.set(fixture.file, makeFixture(temp.path, fixture))
  })
  afterAll(() => temp.remove())

  it.skipIf(available.length === 0).each(available.map((fixture) => [fixture.file, fixture] as const))('%s', async (_, fixture) => {
    const audio = await decodeFile(paths.get(fixture.file) as string)
    const rateHz = fixture.decodedRateHz ?? fixture.rateHz
    expect(audio.sampleRateHz).toBe(rateHz)
    expect(audio.channels.length).toBe(fixture.channels)
    const frames = audio.channels[0].length
    if (fixture.lossy) expect(Math.abs(frames - rateHz * SECONDS)).toBeLessThanOrEqual(LOSSY_LENGTH_TOLERANCE_FRAMES)
    else expect(frames).toBe(rateHz * SECONDS)
    const tones = fixture.channels === 2 ? [LEFT, RIGHT] : [LEFT]
    tones.forEach((tone, channelIndex) => {
      const samples = audio.channels[channelIndex]
      const [start, end] = [Math.floor(frames * 0.1), Math.floor(frames * 0.9)]
      const measuredHz = zeroCrossingFrequencyHz(samples, rateHz, start, end)
      expect(Math.abs(measuredHz / tone.frequencyHz - 1)).toBeLessThan(FREQUENCY_TOLERANCE_RATIO)
      const { amplitude } = sineComponent(samples, rateHz, tone.frequencyHz, start, end)
      expect(Math.abs(gainToDb(amplitude / tone.amplitude))).toBeLessThan(fixture.levelToleranceDb)
    })
  })
})

describe(`FLAC and WAV of the same codes decode identically${skipNote('ffmpeg')}`, () => {
  const temp = makeTempDir()
  afterAll(() => temp.remove())
  it.skipIf(!TOOLS.ffmpeg).each([
    ['16-bit', 'pcm_s16le', ['-c:a', 'flac', '-sample_fmt', 's16']],
    ['24-bit', 'pcm_s24le', ['-c:a', 'flac', '-sample_fmt', 's32', '-bits_per_raw_sample', '24']],
    ['16-bit Ogg FLAC', 'pcm_s16le', ['-c:a', 'flac', '-sample_fmt', 's16', '-f', 'ogg']],
  ])('%s', async (name, wavCodec, flacOptions) => {
    const wav = join(temp.path, `${name}.wav`)
    const flac = join(temp.path, `${name}.flac`)
    ffmpegFromLavfi(sineSource([997, 3001], [0.99, 0.7], 48000, 0.5), wav, ['-c:a', wavCodec])
    run('ffmpeg', ['-v', 'error', '-y', '-i', wav, ...flacOptions, flac])
    const [fromWav, fromFlac] = [await decodeFile(wav), await decodeFile(flac)]
    expect(fromFlac.channels.length).toBe(2)
    fromFlac.channels.forEach((channel, index) => expect(firstDifference(channel, fromWav.channels[index])).toBe(-1))
  })
})

describe(`MP3 channel width${skipNote('ffmpeg')}`, () => {
  const temp = makeTempDir()
  afterAll(() => temp.remove())
  it.skipIf(!TOOLS.ffmpeg)('keeps a stereo MP3 with identical channels stereo (audio-decode would merge them)', async () => {
    const path = join(temp.path, 'dual-mono.mp3')
    ffmpegFromLavfi(sineSource([1000], [0.5], 44100, 1), path, ['-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k'])
    const audio = await decodeFile(path)
    expect(audio.channels.length).toBe(2)
    expect(firstDifference(audio.channels[0], audio.channels[1])).toBe(-1)
  })
})
