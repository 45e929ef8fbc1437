import { describe, expect, it } from 'vitest'
import { LOUDNESS_MATCH_DEFAULTS, loudnessMatchOptions, matchLoudness } from '../../src/chain/loudness-match.js'
import { MODEL_LOUDNESS_MATCH } from '../../src/model/predict.js'
import { matchingEqStrength, solveReferenceLevels } from '../../training/labels.js'

describe('training labels: the matching EQ strength', () => {
  const base = [6, 3, 0, -2, -4, 1, 5]

  it('is the least-squares scale of the analytic curve onto the oracle curve, whatever their levels', () => {
    expect(matchingEqStrength(base, base)).toBeCloseTo(1, 12)
    expect(matchingEqStrength(base, base.map((db) => 0.4 * db + 7))).toBeCloseTo(0.4, 12)
    // an oracle curve at right angles to the analytic one: none of it
    const centred = base.map((db) => db - base.reduce((s, v) => s + v, 0) / base.length)
    const orthogonal = centred.map((_, i) => (i === 0 ? centred[1] : i === 1 ? -centred[0] : 0))
    expect(matchingEqStrength(base, orthogonal)).toBeCloseTo(0, 12)
  })

  it('stays within the strength range 0..1, and is 1 for a flat analytic curve', () => {
    expect(matchingEqStrength(base, base.map((db) => -db))).toBe(0)
    expect(matchingEqStrength(base, base.map((db) => 3 * db))).toBe(1)
    expect(matchingEqStrength([2, 2, 2], [1, -1, 0])).toBe(1)
  })
})

describe('training labels: the reference levels', () => {
  const stageInput = { integratedLufs: -20, truePeakDbtp: -5, plrDb: 15 }
  const reference = { integratedLufs: -10, truePeakDbtp: -0.5, plrDb: 9.5 }
  // a goal that peaks above any usual ceiling: the labels hold its own levels, the ceiling is inference's business
  const goal = { integratedLufs: -8.5, truePeakDbtp: 1.3, plrDb: 9.8 }

  it.each([0, 0.3, 1])('make the loudness match aim at the goal\'s own loudness and PLR before the ceiling (trust %s)', (trust) => {
    const solved = solveReferenceLevels(stageInput, reference, goal, trust)
    const modelMatch = loudnessMatchOptions(MODEL_LOUDNESS_MATCH)
    const aim = matchLoudness(stageInput, solved, Infinity, trust, modelMatch)
    expect(aim.targetLufs).toBeCloseTo(goal.integratedLufs, 2)
    expect(aim.plrDb).toBeCloseTo(goal.plrDb, 2)
    // the reference moves as a whole: its loudness and true peak by the same amount
    expect(solved.truePeakDbtp - solved.integratedLufs).toBeCloseTo(reference.truePeakDbtp - reference.integratedLufs, 9)
    // under a -1 dBTP ceiling the match gives up the 2.3 dB excess by its share, half and half at 0.5
    const capped = matchLoudness(stageInput, solved, -1, trust, { ...modelMatch, ceilingLoudnessShare: 0.5 })
    const share = 0.5 + (LOUDNESS_MATCH_DEFAULTS.otherMusicCeilingLoudnessShare - 0.5) * trust
    expect(capped.targetLufs).toBeCloseTo(goal.integratedLufs - share * 2.3, 2)
    expect(capped.peakDbtp).toBe(-1)
  })
})
