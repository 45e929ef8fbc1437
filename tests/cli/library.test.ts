import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/audio/decode.js'
import { encodeAudio } from '../../src/audio/encode.js'
import { LIBRARY_ENV } from '../../src/library/paths.js'
import { DEV_AUDIO, refmaster } from '../helpers/cli.js'

/** `refmaster library ...` as a user runs it, in a temporary user library named by $REFMASTER_LIBRARY. */
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-library-cli-'))
  process.env[LIBRARY_ENV] = join(dir, 'library')
  const song = await decodeFile(join(DEV_AUDIO, 'full', 'orchestral-revelation.ogg'))
  const start = 20 * song.sampleRateHz
  const end = start + 12 * song.sampleRateHz
  writeFileSync(join(dir, 'theme.flac'), await encodeAudio({ sampleRateHz: song.sampleRateHz, channels: song.channels.map((c) => c.slice(start, end)) }, 'flac24'))
})
afterAll(() => {
  delete process.env[LIBRARY_ENV]
  rmSync(dir, { recursive: true, force: true })
})

describe('refmaster library', () => {
  it('adds a track to a new genre, lists it, rebuilds, removes it', async () => {
    const added = await refmaster('library', 'add', join(dir, 'theme.flac'), '--genre', 'film', '--title', 'Revelation', '--artist', 'Joseph G. Toscano (Zhaytee)', '--licence', 'GPL-2+', '--source', 'wesnoth-1.16-music')
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).toContain('added film-revelation to film (1 track)')

    const list = await refmaster('library', 'list', '--genre', 'film', '--json')
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'film-revelation', genre: 'film', origin: 'user', title: 'Revelation', licence: 'GPL-2+', source: 'wesnoth-1.16-music' })])
    const table = await refmaster('library', 'list')
    expect(table.stdout.split('\n').filter((line) => /builtin|user/.test(line))).toHaveLength(41)

    const genres = await refmaster('genres', '--json')
    expect(JSON.parse(genres.stdout).genres.map((g: { name: string }) => g.name)).toContain('film')

    const rebuilt = await refmaster('library', 'rebuild', '--reanalyse')
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    expect(rebuilt.stdout).toMatch(/^analysed 1 track; 6 genres: ambient \(9\), electronic \(9\), film \(1\), orchestral \(9\), pop \(9\), rock \(4\)/)

    const removed = await refmaster('library', 'remove', 'film-revelation')
    expect(removed.code, removed.stderr).toBe(0)
    const after = await refmaster('genres', '--json')
    expect(JSON.parse(after.stdout).genres.map((g: { name: string }) => g.name)).not.toContain('film')

    const unknown = await refmaster('library', 'remove', 'film-revelation')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('[UNKNOWN_TRACK]')
    const badGenre = await refmaster('library', 'add', join(dir, 'theme.flac'), '--genre', 'Film Music!')
    expect(badGenre.code).toBe(2)
  })

  it('keeps every track when several processes add to the library at once', async () => {
    const titles = ['Theme A', 'Theme B', 'Theme C']
    const results = await Promise.all(titles.map((title) => refmaster('library', 'add', join(dir, 'theme.flac'), '--genre', 'film', '--title', title)))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const list = JSON.parse((await refmaster('library', 'list', '--genre', 'film', '--json')).stdout)
    expect(list.map((t: { title: string }) => t.title).sort()).toEqual(titles)
    for (const track of list) expect((await refmaster('library', 'remove', track.id)).code).toBe(0)
  })
})
