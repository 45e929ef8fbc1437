import { describe, expect, it } from 'vitest'
import { matchingEqStrength } from '../../training/labels.js'

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
