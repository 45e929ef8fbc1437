import type { EqCurve } from '../dsp/matching-eq.js'
import { interpolateCurveDb } from '../dsp/matching-eq.js'
import { THIRD_OCTAVE_BANDS, nominalBandName } from '../analysis/spectrum/frequency-bands.js'

/** A setting the matcher chose, said in words, with the numbers it rests on. */
export interface Reason {
  stage: 'eq' | 'dynamics' | 'width' | 'saturation' | 'loudness' | 'reference'
  text: string
}

/** Regions of the spectrum, named as engineers name them. */
const REGIONS: Array<{ belowHz: number; name: string }> = [
  { belowHz: 60, name: 'sub-bass' },
  { belowHz: 250, name: 'bass' },
  { belowHz: 800, name: 'low-mid' },
  { belowHz: 2500, name: 'midrange' },
  { belowHz: 6000, name: 'presence' },
  { belowHz: Infinity, name: 'air' },
]
/** EQ moves smaller than this are not worth a sentence (dB). */
const MIN_REPORTED_EQ_DB = 0.75
const MAX_EQ_REASONS = 4

function regionOf(hz: number): string {
  return REGIONS.find((region) => hz < region.belowHz)!.name
}

/**
 * The largest moves of an EQ curve (local extrema of the mid curve on third octaves) as sentences:
 * "cut 2.1 dB around 250 Hz: the mix has more low-mid energy than the reference".
 */
export function eqReasons(curve: EqCurve, strength: number, targetName: string): Reason[] {
  const centres = THIRD_OCTAVE_BANDS.map((band) => band.centreHz)
  const gains = centres.map((hz) => strength * interpolateCurveDb(curve.frequenciesHz, curve.midDb, hz))
  const extrema: Array<{ hz: number; db: number }> = []
  gains.forEach((db, i) => {
    const left = i > 0 ? gains[i - 1] : -Infinity * Math.sign(db)
    const right = i < gains.length - 1 ? gains[i + 1] : -Infinity * Math.sign(db)
    const isPeak = db > 0 ? db >= left && db >= right : db <= left && db <= right
    if (isPeak && Math.abs(db) >= MIN_REPORTED_EQ_DB) extrema.push({ hz: centres[i], db })
  })
  extrema.sort((a, b) => Math.abs(b.db) - Math.abs(a.db))
  const reasons: Reason[] = extrema.slice(0, MAX_EQ_REASONS).map(({ hz, db }) => ({
    stage: 'eq',
    text: `${db < 0 ? 'cut' : 'boost'} ${Math.abs(db).toFixed(1)} dB around ${nominalBandName(hz)} Hz: the mix has ${db < 0 ? 'more' : 'less'} ${regionOf(hz)} energy than ${targetName}`,
  }))
  if (reasons.length === 0) reasons.push({ stage: 'eq', text: `no tonal correction: the mix's tonal balance is already within ${MIN_REPORTED_EQ_DB} dB of ${targetName}'s broad shape` })
  return reasons
}
