import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Audio } from '../../src/audio/audio.js'
import { decodeFile } from '../../src/audio/decode.js'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { referenceTrust } from '../../src/chain/reference-trust.js'
import { applyTonalEq, TONAL_EQ_PARAMS } from '../../src/dsp/tonal-eq.js'
import { applyMatchingEq } from '../../src/dsp/matching-eq.js'
import { checkReference, lossyCut, REFERENCE_CHECK, tonalBalanceDistanceDb } from '../../src/report/reference-check.js'
import { openLibrary } from '../../src/library/library.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { neutralParams } from '../../src/dsp/params.js'
import { DEV_AUDIO } from '../helpers/cli.js'
import { noise } from '../helpers/signals.js'

const SECONDS = 20

function section(audio: Audio, fromSeconds: number): Audio {
  const from = Math.round(fromSeconds * audio.sampleRateHz)
  return { sampleRateHz: audio.sampleRateHz, channels: audio.channels.map((c) => c.slice(from, from + SECONDS * audio.sampleRateHz)) }
}

/** A drastic tilt, 12 dB less bass and low mids and 12 dB more treble (far beyond a mixing error), 12 dB down so nothing clips. */
function tilted(audio: Audio): Audio {
  const eq = applyTonalEq(audio, { ...neutralParams(TONAL_EQ_PARAMS), lowShelfHz: 500, lowShelfGainDb: -12, highShelfHz: 2000, highShelfGainDb: 12 })
  return { ...eq, channels: eq.channels.map((c) => c.map((x) => x / 4)) }
}

const analyse = (audio: Audio) => analyzeTrack(audio, undefined, { meydaFeatures: false })
const trustOf = (a: ReturnType<typeof analyse>, b: ReturnType<typeof analyse>) => referenceTrust({ fine: a.spectrum.fine, bands: a.bands }, { fine: b.spectrum.fine, bands: b.bands })

describe('the reference check on real music', () => {
  it('lowers the EQ strength for a tonally far section of the same song, and keeps it for far other music', async () => {
    const song = await decodeFile(join(DEV_AUDIO, 'rock', 'rock-02-chaosgod.ogg'))
    const other = await decodeFile(join(DEV_AUDIO, 'orchestral', 'orchestral-03-casualtiesofwar.ogg'))
    const mix = analyse(section(song, 0))
    const sameSong = tilted(section(song, 35))
    const otherMusic = tilted(section(other, 35))
    const keptEq = (trust: number) => REFERENCE_CHECK.farStrengthFactor + (REFERENCE_CHECK.otherMusicFarEqFactor - REFERENCE_CHECK.farStrengthFactor) * trust
    for (const [reference, isSameSong] of [[sameSong, true], [otherMusic, false]] as const) {
      const analysis = analyse(reference)
      expect(tonalBalanceDistanceDb(analysis, mix)).toBeGreaterThan(REFERENCE_CHECK.farTonalBalanceDb)
      const trust = trustOf(mix, analysis)
      if (isSameSong) expect(trust).toBe(0)
      else expect(trust).toBeGreaterThan(0.5)
      const check = checkReference('ref.wav', reference, analysis, mix)
      expect(check.warnings.join('\n')).toMatch(/very far from the mix in tonal balance/)
      expect(check.strengthFactors.eq, check.warnings.join('\n')).toBeCloseTo(keptEq(trust), 2)
      expect(check.warnings.join('\n')).toMatch(check.strengthFactors.eq < 1 ? /EQ strength lowered to 0\.\d+/ : /other music, whose tonal balance is the goal/)
    }
    expect(keptEq(1)).toBeGreaterThan(keptEq(0))
  })

  it('says a reference cut above 16 kHz looks lossy, and keeps the EQ strength, limiting the EQ to below the cut', async () => {
    const song = await decodeFile(join(DEV_AUDIO, 'pop', 'pop-05-music004.ogg'))
    const mix = analyse(section(song, 0))
    // The dev excerpts are Vorbis decodes, cut above 16 kHz themselves: a faint noise floor gives this one a top octave.
    const music = section(song, 35)
    const whole = { ...music, channels: music.channels.map((c, k) => { const hiss = noise(c.length, 0.003, 7 + k); return c.map((x, n) => x + hiss[n]) }) }
    // An encoder's low-pass: 90 dB down from 15.5 kHz (the matching EQ's linear-phase FIR as the filter).
    const cut = applyMatchingEq(whole, { strength: 1, curve: { frequenciesHz: [14000, 15500], midDb: [0, -90], sideDb: [0, -90] } })
    for (const [reference, lossy] of [[whole, false], [cut, true]] as const) {
      const check = checkReference('ref.wav', reference, analyse(reference), mix)
      const warnings = check.warnings.join('\n')
      expect(/looks lossy/.test(warnings), warnings).toBe(lossy)
      expect(check.spectrumTopHz).toBe(lossy ? REFERENCE_CHECK.lossyTopHz : Infinity)
      expect(check.strengthFactors.eq).toBe(1)
    }
  })

  it('finds the same cut in the built-in genres whose files are cut (Vorbis decodes), so a genre master does not follow it either', () => {
    const userDir = mkdtempSync(join(tmpdir(), 'refmaster-lossy-'))
    try {
      const library = openLibrary({ userDir })
      for (const name of ['pop', 'electronic']) expect(lossyCut(library.genre(name).profile.fine, 44100).topHz).toBe(REFERENCE_CHECK.lossyTopHz)
      // Rock's excerpts keep their top octave.
      expect(lossyCut(library.genre('rock').profile.fine, 44100).topHz).toBe(Infinity)
      // Below 40 kHz the test's top band does not exist: nothing is called lossy.
      expect(lossyCut(library.genre('pop').profile.fine, 32000).topHz).toBe(Infinity)
    } finally {
      rmSync(userDir, { recursive: true, force: true })
    }
  })
})

