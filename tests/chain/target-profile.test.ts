import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { blendProfiles, profileForRate } from '../../src/chain/target-profile.js'
import { parseGenreProfiles } from '../../src/library/genre-profiles.js'
import { builtinLibraryDir } from '../../src/library/paths.js'
import { fineBands, THIRD_OCTAVE_BANDS } from '../../src/analysis/spectrum/frequency-bands.js'

const path = join(builtinLibraryDir(), 'genres.json')
const genres = parseGenreProfiles(readFileSync(path, 'utf8'), path).genres
const rock = genres.find((g) => g.name === 'rock')!.profile
const pop = genres.find((g) => g.name === 'pop')!.profile

describe('target profiles of genres', () => {
  it('a stored profile is unchanged at 44.1 and 48 kHz, and cut to the analysis grids below', () => {
    expect(profileForRate(rock, 44100)).toBe(rock)
    expect(profileForRate(rock, 96000)).toBe(rock)
    const at32k = profileForRate(rock, 32000)
    expect(at32k.fine.frequenciesHz).toHaveLength(fineBands(16000).length)
    expect(at32k.thirdOctave.frequenciesHz).toHaveLength(THIRD_OCTAVE_BANDS.filter((b) => b.highHz <= 16000).length)
    expect(at32k.bands.at(-1)!.highHz).toBe(16000)
    expect(at32k.fine.totalDb[10]).toBe(rock.fine.totalDb[10])
  })

  it('a blend of genres normalises the weights: rock:3 + pop:1 is 3/4 of the way to rock', () => {
    const blend = blendProfiles([{ profile: rock, weight: 3 }, { profile: pop, weight: 1 }])
    expect(blend.integratedLufs).toBeCloseTo(0.75 * rock.integratedLufs + 0.25 * pop.integratedLufs, 9)
    expect(blend.thirdOctave.totalDb[5]).toBeCloseTo(0.75 * rock.thirdOctave.totalDb[5] + 0.25 * pop.thirdOctave.totalDb[5], 9)
    const same = blendProfiles([{ profile: rock, weight: 30 }, { profile: pop, weight: 10 }])
    expect(same.integratedLufs).toBeCloseTo(blend.integratedLufs, 9)
  })
})
