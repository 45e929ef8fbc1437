import { describe, expect, it } from 'vitest'
import { dbToGain, dbToPower, finiteOrNull, gainToDb, powerToDb } from '../../src/units/db.js'

describe('level conversions', () => {
  it('round-trips amplitude and power decibels', () => {
    for (const db of [-120, -23, -6.0206, 0, 3.5, 12]) {
      expect(gainToDb(dbToGain(db))).toBeCloseTo(db, 9)
      expect(powerToDb(dbToPower(db))).toBeCloseTo(db, 9)
    }
    expect(gainToDb(0.5)).toBeCloseTo(-6.0206, 4)
    expect(powerToDb(0.5)).toBeCloseTo(-3.0103, 4)
  })
  it('maps silence to -Infinity and non-finite levels to null', () => {
    expect(gainToDb(0)).toBe(-Infinity)
    expect(finiteOrNull(-Infinity)).toBeNull()
    expect(finiteOrNull(Number.NaN)).toBeNull()
    expect(finiteOrNull(-23)).toBe(-23)
  })
})
