import { describe, expect, it } from 'vitest'
import { LOUDNESS_MATCH_DEFAULTS, matchLoudness } from '../../src/chain/loudness-match.js'

const level = (integratedLufs: number, truePeakDbtp: number) => ({ integratedLufs, truePeakDbtp, plrDb: truePeakDbtp - integratedLufs })

describe('matchLoudness', () => {
  it('reproduces the reference exactly when the mix already has its PLR and its peak is under the ceiling', () => {
    const m = matchLoudness(level(-30, -14), level(-18, -2), -1)
    expect(m.plrDb).toBeCloseTo(16, 12)
    expect(m.targetLufs).toBeCloseTo(-18, 12)
    expect(m.peakDbtp).toBeCloseTo(-2, 12)
  })

  it('follows the closed form between the reference loudness and the peak-anchored level', () => {
    const options = { ...LOUDNESS_MATCH_DEFAULTS, referencePlrTrust: 0.25, peakAnchorWeight: 0.5, ceilingLoudnessShare: 0 }
    // mix PLR 16, reference PLR 12 (L -14, TP -2): PLR = 0.25 * 12 + 0.75 * 16 = 15; peak anchor -2 - 15 = -17
    const m = matchLoudness(level(-30, -14), level(-14, -2), 0, 0, options)
    expect(m.plrDb).toBeCloseTo(15, 12)
    expect(m.targetLufs).toBeCloseTo(0.5 * -14 + 0.5 * -17, 12)
    expect(m.peakDbtp).toBeCloseTo(-15.5 + 15, 12)
  })

  it('gives up a share of the matched peak\'s excess over the ceiling in loudness, the rest in PLR', () => {
    // mix and reference PLR 10 dB, reference at -8 LUFS peaking at +2 dBTP: matched -8 LUFS, peak +2, 3 dB over -1 dBTP
    const m = matchLoudness(level(-20, -10), level(-8, 2), -1, 0, { ...LOUDNESS_MATCH_DEFAULTS, referencePlrTrust: 0.5, peakAnchorWeight: 0.5, ceilingLoudnessShare: 0.25 })
    expect(m.targetLufs).toBeCloseTo(-8 - 0.25 * 3, 12)
    expect(m.peakDbtp).toBe(-1)
  })

  it('takes a reference of other music (trust 1) for the goal: its loudness and PLR, the excess over the ceiling shared as for other music', () => {
    const options = { ...LOUDNESS_MATCH_DEFAULTS, otherMusicPlrTrust: 1, otherMusicPeakAnchorWeight: 0, otherMusicCeilingLoudnessShare: 0.75 }
    // mix PLR 10, reference PLR 14 at -10 LUFS, peaking at +4 dBTP: PLR 14, matched -10 LUFS, 5 dB over -1 dBTP
    const other = matchLoudness(level(-20, -10), level(-10, 4), -1, 1, options)
    expect(other.plrDb).toBeCloseTo(14, 12)
    expect(other.targetLufs).toBeCloseTo(-10 - 0.75 * 5, 12)
    expect(other.peakDbtp).toBe(-1)
    // half trust: every share half way between the two kinds of reference
    const half = matchLoudness(level(-20, -10), level(-10, 4), -1, 0.5, options)
    const t = (options.referencePlrTrust + 1) / 2
    const plrDb = t * 14 + (1 - t) * 10
    const matchedLufs = (1 - options.peakAnchorWeight / 2) * -10 + (options.peakAnchorWeight / 2) * (4 - plrDb)
    const share = (options.ceilingLoudnessShare + 0.75) / 2
    expect(half.plrDb).toBeCloseTo(plrDb, 12)
    expect(half.targetLufs).toBeCloseTo(matchedLufs - share * Math.max(0, matchedLufs + plrDb + 1), 12)
  })

  it('never puts the peak above the playback ceiling, nor below the limiter range', () => {
    expect(matchLoudness(level(-20, -4), level(-8, 1.5), -1).peakDbtp).toBe(-1)
    expect(matchLoudness(level(-40, -30), level(-40, -30), -1).peakDbtp).toBe(-6)
  })

  it('falls back to the reference loudness and the ceiling when a level is not finite (silence)', () => {
    const m = matchLoudness(level(-Infinity, -Infinity), level(-14, -1), -1)
    expect(m).toEqual({ targetLufs: -14, peakDbtp: -1, plrDb: 13 })
  })
})
