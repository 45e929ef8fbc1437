import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { baseSettings, exampleRows, synthesise } from '../../training/synthesis.js'
import { renderChain } from '../../src/chain/apply.js'
import type { LevelSummary } from '../../src/chain/loudness-match.js'
import { listLibrary, splitByTrack } from '../../training/train.js'
import { encodeStageFeatures, INPUT_SIZE, OUTPUT_SIZE, STAGE_INPUT_SIZE } from '../../src/model/schema.js'
import { DEV_AUDIO } from '../helpers/cli.js'


describe('training data synthesis', () => {
  it('is deterministic for (track, seed, draw) and gives features and labels in [0, 1]', async () => {
    const task = { trackPath: join(DEV_AUDIO, 'pop', 'pop-01-music000.ogg'), seed: 5, draw: 1, segmentSeconds: 4 }
    const x = await synthesise(task)
    const y = await synthesise(task)
    const a = exampleRows(x)
    const b = exampleRows(y)
    expect(b.features).toEqual(a.features)
    expect(b.labels).toEqual(a.labels)
    expect(a.features).toHaveLength(INPUT_SIZE)
    expect(a.labels).toHaveLength(OUTPUT_SIZE)
    for (const v of [...a.features, ...a.labels]) expect(v >= 0 && v <= 1).toBe(true)
    expect(x.mixAudio.channels[0].length).toBe(4 * 44100)
    expect(Array.from(y.goalAudio.channels[1])).toEqual(Array.from(x.goalAudio.channels[1]))
    const other = exampleRows(await synthesise({ ...task, draw: 2 }))
    expect(other.features).not.toEqual(a.features)
  })

  it('measures the loudness stage input as the loudness stage of the render reads it (the stage features of training and of mastering agree)', async () => {
    const example = await synthesise({ trackPath: join(DEV_AUDIO, 'rock', 'rock-01-armygeddon.ogg'), seed: 3, draw: 2, segmentSeconds: 4 })
    const base = baseSettings(example)
    let seen: LevelSummary | undefined
    const rendered = renderChain(example.mixAudio, base, undefined, { loudnessReference: (stageInput) => ((seen = stageInput), base.loudness.reference!) })
    expect(rendered.reference).toEqual(base.loudness.reference)
    expect(seen!.integratedLufs).toBeCloseTo(example.stageInput.integratedLufs, 2)
    expect(seen!.plrDb).toBeCloseTo(example.stageInput.plrDb, 2)
    const rows = exampleRows(example)
    expect(rows.stageFeatures).toEqual(Array.from(encodeStageFeatures(seen!, example.mix, example.reference, base)).map((v) => expect.closeTo(v, 3)))
    expect(rows.stageFeatures).toHaveLength(STAGE_INPUT_SIZE)
  })

  it('splits the library by track, per genre, the same way for a seed', () => {
    const library = listLibrary(DEV_AUDIO, ['full', 'licences'])
    expect(library.length).toBe(40)
    const split = splitByTrack(library, 0.2, 1)
    expect(split.train.length + split.heldOut.length).toBe(40)
    const heldOut = new Set(split.heldOut.map((t) => t.path))
    expect(split.train.some((t) => heldOut.has(t.path))).toBe(false)
    expect(new Set(split.heldOut.map((t) => t.genre)).size).toBe(5)
    expect(splitByTrack(library, 0.2, 1)).toEqual(split)
  })

  it('deals the library into K folds that hold every track out once, of balanced sizes, and train on every genre', () => {
    const library = listLibrary(DEV_AUDIO, ['full', 'licences'])
    const folds = [0, 1, 2, 3, 4].map((index) => splitByTrack(library, 0.2, 1, { index, count: 5 }))
    const heldOut = folds.flatMap((f) => f.heldOut.map((t) => t.path))
    expect(heldOut.sort()).toEqual(library.map((t) => t.path).sort())
    for (const fold of folds) {
      expect(fold.train.length + fold.heldOut.length).toBe(40)
      expect(fold.heldOut).toHaveLength(8)
      expect(new Set(fold.train.map((t) => t.genre)).size).toBe(5)
    }
  })
})
