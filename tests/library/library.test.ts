import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { RefmasterError } from '../../src/errors.js'
import { openLibrary, type Library } from '../../src/library/library.js'
import { sine, stereo } from '../helpers/signals.js'
import { DEV_AUDIO } from '../helpers/cli.js'

let dir: string
let library: Library
const cut = (audio: Audio, startSeconds: number, seconds: number): Audio => ({
  sampleRateHz: audio.sampleRateHz,
  channels: audio.channels.map((c) => c.slice(Math.round(startSeconds * audio.sampleRateHz), Math.round((startSeconds + seconds) * audio.sampleRateHz))),
})

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-library-'))
  const song = await decodeFile(join(DEV_AUDIO, '..', 'dev', 'full', 'rock-internaldegeneration.ogg'))
  writeFileSync(join(dir, 'my-rock.wav'), await encodeAudio(cut(song, 150, 12), 'wav24'))
  writeFileSync(join(dir, 'short.wav'), await encodeAudio(cut(song, 150, 4), 'wav24'))
  writeFileSync(join(dir, 'tone-32k.wav'), await encodeAudio(stereo(sine(32000, 12, -20, 440), 32000), 'wav16'))
  library = openLibrary({ userDir: join(dir, 'library') })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the user library', () => {
  it('starts as the built-in library and writes nothing until something is added', () => {
    expect(library.list()).toHaveLength(40)
    expect(library.genre('rock').trackIds).toHaveLength(4)
    expect(existsSync(join(dir, 'library'))).toBe(false)
  })

  it('adds a track to a genre and to a new genre, rebuilds, removes, and comes back to the built-in profiles', async () => {
    const builtinRock = library.genre('rock')
    const added = await library.add({ file: join(dir, 'my-rock.wav'), genre: 'rock', title: 'My Rock', artist: 'Me', licence: 'CC0-1.0' })
    expect(added).toMatchObject({ id: 'rock-my-rock', genre: 'rock', origin: 'user', licence: 'CC0-1.0' })
    expect(existsSync(added.audioPath) && existsSync(added.profilePath)).toBe(true)
    const rock = library.genre('rock')
    expect(rock.trackIds).toEqual([...builtinRock.trackIds, 'rock-my-rock'])
    expect(rock.profile.fine.totalDb).not.toEqual(builtinRock.profile.fine.totalDb)

    const second = await library.add({ file: join(dir, 'my-rock.wav'), genre: 'Lo-Fi' })
    expect(second).toMatchObject({ id: 'lo-fi-my-rock', genre: 'lo-fi', artist: 'unknown', licence: 'unknown' })
    expect(library.genres().map((g) => g.name)).toEqual(['ambient', 'electronic', 'lo-fi', 'orchestral', 'pop', 'rock'])
    expect(library.genre('lo-fi').summary.trackCount).toBe(1)
    const again = await library.add({ file: join(dir, 'my-rock.wav'), genre: 'rock', title: 'My Rock' })
    expect(again.id).toBe('rock-my-rock-2')

    // A rebuild re-analyses the user's tracks (only theirs) and gives the same profiles.
    const cacheBefore = readFileSync(join(dir, 'library', 'genres.json'), 'utf8')
    const rebuilt = await library.rebuild({ reanalyse: true })
    expect(rebuilt.analysed.sort()).toEqual(['lo-fi-my-rock', 'rock-my-rock', 'rock-my-rock-2'])
    expect(readFileSync(join(dir, 'library', 'genres.json'), 'utf8')).toBe(cacheBefore)
    expect((await library.rebuild()).analysed).toEqual([])

    for (const id of ['rock-my-rock', 'rock-my-rock-2', 'lo-fi-my-rock']) expect(library.remove(id).id).toBe(id)
    expect(existsSync(added.audioPath) || existsSync(added.profilePath)).toBe(false)
    expect(library.genres().map((g) => g.name)).toEqual(['ambient', 'electronic', 'orchestral', 'pop', 'rock'])
    expect(library.genre('rock').profile).toEqual(builtinRock.profile)
  })

  it('hides a removed built-in track from its genre', () => {
    library.remove('rock-04-mutilatedmime')
    expect(library.genre('rock').trackIds).toEqual(['rock-01-armygeddon', 'rock-02-chaosgod', 'rock-03-internaldegeneration'])
    expect(library.list().some((t) => t.id === 'rock-04-mutilatedmime')).toBe(false)
    // A new opening of the same folder sees the same library (the cache is current).
    expect(openLibrary({ userDir: join(dir, 'library') }).genre('rock').trackIds).toHaveLength(3)
  })

  it('refuses what cannot be a reference, with the value and the rule', async () => {
    await expect(library.add({ file: join(dir, 'my-rock.wav'), genre: 'Rock & Roll' })).rejects.toThrow(/genre must be lower-case/)
    await expect(library.add({ file: join(dir, 'short.wav'), genre: 'rock' })).rejects.toThrow(/at least 10 s long, got 4.0 s/)
    await expect(library.add({ file: join(dir, 'tone-32k.wav'), genre: 'rock' })).rejects.toThrow(/at least 44100 Hz, got 32000 Hz/)
    await expect(library.add({ file: join(dir, 'missing.wav'), genre: 'rock' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    expect(() => library.remove('no-such-track')).toThrow(RefmasterError)
    expect(() => library.remove('no-such-track')).toThrow(expect.objectContaining({ code: 'UNKNOWN_TRACK' }))
  })
})
