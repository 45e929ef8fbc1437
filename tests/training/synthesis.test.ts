import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { exampleRows, synthesise } from '../../training/synthesis.js'
import { listLibrary, splitByTrack } from '../../training/train.js'
import { INPUT_SIZE, OUTPUT_SIZE } from '../../src/model/schema.js'
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
})
