import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { SCHEMA_FINGERPRINT } from '../../src/model/schema.js'
import { DEV_AUDIO, refmaster } from '../helpers/cli.js'

/** `refmaster train` on a tiny library (2 genres x 2 tracks, one draw each), then `master --settings model`. */
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-train-'))
  for (const [genre, files] of [['pop', ['pop-01-music000.ogg', 'pop-02-music001.ogg']], ['ambient', ['ambient-01-anewjourney.ogg', 'ambient-02-aberrations.ogg']]] as const) {
    mkdirSync(join(dir, 'library', genre), { recursive: true })
    for (const file of files) symlinkSync(join(DEV_AUDIO, genre, file), join(dir, 'library', genre, file))
  }
  const song = await decodeFile(join(DEV_AUDIO, 'pop', 'pop-03-music002.ogg'))
  const cut = (start: number, gain: number): Audio => ({ sampleRateHz: song.sampleRateHz, channels: song.channels.map((c) => c.slice(start * song.sampleRateHz, (start + 8) * song.sampleRateHz).map((x) => x * gain)) })
  writeFileSync(join(dir, 'mix.wav'), await encodeAudio(cut(0, 0.3), 'wav24'))
  writeFileSync(join(dir, 'ref.wav'), await encodeAudio(cut(40, 1), 'wav24'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('refmaster train', () => {
  it('trains a model folder with a card, then masters with it', async () => {
    const out = join(dir, 'models', 'tiny')
    const trained = await refmaster('train', '--references', join(dir, 'library'), '--out', out, '--draws', '1', '--held-out-draws', '1', '--epochs', '2', '--segment-seconds', '4', '--no-cache')
    expect(trained.code, trained.stderr).toBe(0)
    expect(trained.stdout).toContain('held-out')
    expect(trained.stderr).toContain('epoch 2/2')
    const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'))
    expect(card.schemaFingerprint).toBe(SCHEMA_FINGERPRINT)
    expect(card.trainingTracks).toHaveLength(2)
    expect(card.heldOutTracks).toHaveLength(2)
    expect(card.heldOut.all.examples).toBe(2)
    expect(typeof card.heldOut.all.model.mrstft).toBe('number')

    const mastered = await refmaster('master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '--settings', 'model', '--model', out, '-o', join(dir, 'out.wav'), '--report', join(dir, 'report.json'))
    expect(mastered.code, mastered.stderr).toBe(0)
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))
    expect(report.settingsSource.source).toBe('model')
    expect(report.settingsSource.schemaFingerprint).toBe(SCHEMA_FINGERPRINT)
    expect(report.measurements.after.truePeakDbtp).toBeLessThanOrEqual(-1)
    expect(report.reasons.some((r: { text: string }) => r.text.startsWith('model:'))).toBe(true)
    // the loudness outputs are predicted during the render, from what the earlier stages deliver, and the
    // settings keep the reference levels the loudness match read
    expect(report.reasons.some((r: { text: string }) => r.text.startsWith('model: match the loudness') && r.text.includes('what the earlier stages deliver'))).toBe(true)
    expect(typeof report.settings.loudness.reference.plrDb).toBe('number')
    expect(report.settingsSource.predictionMs).toBeLessThan(50)
    const out2 = await decodeFile(join(dir, 'out.wav'))
    expect(out2.channels[0].length).toBe(8 * 44100)

    const analytic = await refmaster('master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '--settings', 'analytic', '-o', join(dir, 'out-a.wav'), '--report', join(dir, 'report-a.json'))
    expect(analytic.code, analytic.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(dir, 'report-a.json'), 'utf8')).settingsSource.source).toBe('analytic')

    // a model of another schema is refused, naming both fingerprints
    writeFileSync(join(out, 'card.json'), JSON.stringify({ ...card, schemaFingerprint: '0000000000000000' }))
    const refused = await refmaster('master', join(dir, 'mix.wav'), '--reference', join(dir, 'ref.wav'), '--model', out, '-o', join(dir, 'out-x.wav'))
    expect(refused.code).toBe(10)
    expect(refused.stderr).toContain('0000000000000000')
    expect(refused.stderr).toContain(SCHEMA_FINGERPRINT)
  })

  it('explains a bad library', async () => {
    const result = await refmaster('train', '--references', join(dir, 'nowhere'), '--out', join(dir, 'models', 'x'))
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('nowhere')
    const neither = await refmaster('train', '--out', join(dir, 'models', 'x'))
    expect(neither.code).toBe(2)
    expect(neither.stderr).toContain('give either --references DIR or --library')
    const unknown = await refmaster('train', '--library', '--genre', 'polka', '--out', join(dir, 'models', 'x'))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no genre 'polka' in the reference library; genres: .*rock/)
    for (const fold of ['2', '5/5', '0/1']) {
      const badFold = await refmaster('train', '--references', join(dir, 'library'), '--fold', fold, '--out', join(dir, 'models', 'x'))
      expect(badFold.code, fold).toBe(2)
      expect(badFold.stderr).toContain(`got ${fold === '2' ? '2' : fold}`)
    }
    expect(existsSync(join(dir, 'models', 'x'))).toBe(false)
  })

  it('names a library file it cannot decode, with the input error\'s exit code, and writes no model', async () => {
    const library = join(dir, 'bad-library')
    mkdirSync(join(library, 'pop'), { recursive: true })
    for (const file of ['pop-01-music000.ogg', 'pop-02-music001.ogg']) symlinkSync(join(DEV_AUDIO, 'pop', file), join(library, 'pop', file))
    const train = (out: string) => refmaster('train', '--references', library, '--out', out, '--draws', '1', '--held-out-draws', '1', '--epochs', '2', '--segment-seconds', '4', '--no-cache')
    // not audio at all: refused before any work
    writeFileSync(join(library, 'pop', 'notes.wav'), 'these are my notes, not audio')
    const foreign = await train(join(dir, 'models', 'foreign'))
    expect(foreign.code, foreign.stderr).toBe(4)
    expect(foreign.stderr).toContain(join(library, 'pop', 'notes.wav'))
    expect(foreign.stderr).not.toContain('synthesis')
    // a WAV cut short: found when it is decoded, in a worker thread, and named with its own code
    const wav = await encodeAudio({ sampleRateHz: 44100, channels: [new Float32Array(44100 * 6).fill(0.1), new Float32Array(44100 * 6).fill(0.1)] }, 'wav16')
    writeFileSync(join(library, 'pop', 'notes.wav'), wav.subarray(0, 4000))
    const truncated = await train(join(dir, 'models', 'truncated'))
    expect(truncated.code, truncated.stderr).toBe(5)
    expect(truncated.stderr).toMatch(/TRUNCATED_FILE.*notes\.wav/)
    expect(existsSync(join(dir, 'models', 'foreign')) || existsSync(join(dir, 'models', 'truncated'))).toBe(false)
  })
})
