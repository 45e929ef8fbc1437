/**
 * EBU conformance of the loudness meter: every synthesisable case of EBU Tech 3341 Table 1 (cases 1-5,
 * 9-23) and EBU Tech 3342 Table 1 (cases 1-4), built by tests/helpers/ebu-signals.ts, at 44.1 and
 * 48 kHz (true-peak cases at the document's 48 kHz, cases 15-19 also at 44.1 kHz), each reading checked
 * against the document's tolerance. One test per case and rate; a failure lists every reading of the
 * case with measured value, expected value and tolerance.
 */
import { describe, expect, it } from 'vitest'
import { measureLoudness } from '../../../src/analysis/loudness/index.js'
import type { LoudnessMeasurement } from '../../../src/analysis/loudness/types.js'
import {
  EBU_CONFORMANCE_CASES,
  sliceAudio,
  type EbuConformanceCase,
  type EbuExpectation,
  type EbuQuantity,
} from '../../helpers/ebu-signals.js'

/** Short-term window, EBU Tech 3341 section 2.1. */
const SHORT_TERM_WINDOW_SECONDS = 3
/** Momentary window, EBU Tech 3341 section 2.1 (the BS.1770-4 gating block). */
const MOMENTARY_WINDOW_SECONDS = 0.4
/** Step of the momentary and short-term series in LoudnessMeasurement ("every 100 ms", types.ts). */
const SERIES_STEP_SECONDS = 0.1
/** Slack for floating-point noise at the edges of a tolerance window (not a tolerance of its own). */
const COMPARISON_SLACK = 1e-9

const UNIT: Record<EbuQuantity, string> = {
  integratedLufs: 'LUFS',
  shortTermMaxLufs: 'LUFS',
  momentaryMaxLufs: 'LUFS',
  loudnessRangeLu: 'LU',
  truePeakDbtp: 'dBTP',
  shortTermLufs: 'LUFS',
  momentaryLufs: 'LUFS',
}

interface CheckResult {
  readonly pass: boolean
  readonly line: string
}

/**
 * End time (s) of each window of a momentary / short-term series. The meter may list complete windows
 * only (window j covers [j step, j step + window]) or one value per step from the start (value j ends at
 * (j + 1) step); the series length tells which. Anything else is reported rather than guessed.
 */
function seriesWindowEndsSeconds(length: number, durationSeconds: number, windowSeconds: number): Float64Array {
  const completeWindows = durationSeconds + COMPARISON_SLACK >= windowSeconds
    ? Math.floor((durationSeconds - windowSeconds) / SERIES_STEP_SECONDS + 1e-6) + 1
    : 0
  const ends = new Float64Array(length)
  if (length === completeWindows) {
    for (let j = 0; j < length; j++) ends[j] = windowSeconds + j * SERIES_STEP_SECONDS
  } else if (Math.abs(length - durationSeconds / SERIES_STEP_SECONDS) <= 1) {
    for (let j = 0; j < length; j++) ends[j] = (j + 1) * SERIES_STEP_SECONDS
  } else {
    throw new Error(
      `cannot place a series of ${length} values on ${durationSeconds} s of audio (expected ${completeWindows} complete ${windowSeconds} s windows, or one per ${SERIES_STEP_SECONDS} s)`,
    )
  }
  return ends
}

function withinTolerance(measured: number, expectation: EbuExpectation): boolean {
  return (
    Number.isFinite(measured) &&
    measured >= expectation.value - expectation.toleranceLow - COMPARISON_SLACK &&
    measured <= expectation.value + expectation.toleranceHigh + COMPARISON_SLACK
  )
}

function formatLevel(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value)
}

/** Checks one expectation against a measurement of (the relevant part of) the case's audio. */
function checkExpectation(measurement: LoudnessMeasurement, durationSeconds: number, expectation: EbuExpectation): CheckResult {
  const unit = UNIT[expectation.quantity]
  const expected = `${expectation.value} ${unit} (+${expectation.toleranceHigh}/-${expectation.toleranceLow})`
  const where = expectation.segment
    ? ` of [${expectation.segment.startSeconds}, ${expectation.segment.endSeconds}) s measured alone`
    : ''
  let pass: boolean
  let measured: string
  let what: string = expectation.quantity
  if (expectation.quantity === 'shortTermLufs' || expectation.quantity === 'momentaryLufs') {
    const isShortTerm = expectation.quantity === 'shortTermLufs'
    const series = isShortTerm ? measurement.shortTermLufs : measurement.momentaryLufs
    const ends = seriesWindowEndsSeconds(series.length, durationSeconds, isShortTerm ? SHORT_TERM_WINDOW_SECONDS : MOMENTARY_WINDOW_SECONDS)
    const fromSeconds = expectation.fromSeconds ?? 0
    const values: number[] = []
    for (let j = 0; j < series.length; j++) if (ends[j] >= fromSeconds - COMPARISON_SLACK) values.push(series[j])
    const outside = values.filter((v) => !withinTolerance(v, expectation))
    pass = values.length > 0 && outside.length === 0
    what = `every ${expectation.quantity} value with its window ending at or after ${fromSeconds} s`
    measured = values.length === 0
      ? 'no such window'
      : `${formatLevel(Math.min(...values))} .. ${formatLevel(Math.max(...values))} over ${values.length} windows` +
        (outside.length > 0 ? `, ${outside.length} outside` : '')
  } else {
    const value = measurement[expectation.quantity]
    pass = withinTolerance(value, expectation)
    measured = formatLevel(value)
  }
  return { pass, line: `${pass ? 'ok  ' : 'FAIL'} ${what}${where}: measured ${measured}, expected ${expected} [${expectation.source}]` }
}

/** Measures the case (and each segment an expectation asks for, on its own) and checks every reading. */
function evaluateCase(testCase: EbuConformanceCase): CheckResult[] {
  const measurements = new Map<string, { measurement: LoudnessMeasurement; durationSeconds: number }>()
  const measure = (expectation: EbuExpectation) => {
    const key = expectation.segment ? `${expectation.segment.startSeconds}-${expectation.segment.endSeconds}` : 'whole'
    let entry = measurements.get(key)
    if (entry === undefined) {
      const audio = expectation.segment
        ? sliceAudio(testCase.audio, expectation.segment.startSeconds, expectation.segment.endSeconds)
        : testCase.audio
      entry = { measurement: measureLoudness(audio), durationSeconds: audio.channels[0].length / audio.sampleRateHz }
      measurements.set(key, entry)
    }
    return entry
  }
  return testCase.expected.map((expectation) => {
    const { measurement, durationSeconds } = measure(expectation)
    return checkExpectation(measurement, durationSeconds, expectation)
  })
}

const rows = EBU_CONFORMANCE_CASES.flatMap((definition) =>
  definition.sampleRatesHz.map((sampleRateHz) => ({ id: definition.id, sampleRateHz, build: definition.build })),
)

describe('EBU Tech 3341 / Tech 3342 conformance on synthesised test signals', () => {
  it.each(rows)('$id at $sampleRateHz Hz', ({ sampleRateHz, build }) => {
    const testCase = build(sampleRateHz)
    const results = evaluateCase(testCase)
    const report = [`${testCase.id} at ${sampleRateHz} Hz: ${testCase.description}`, ...results.map((r) => `  ${r.line}`)].join('\n')
    expect(results.filter((r) => !r.pass).map((r) => r.line), report).toEqual([])
  })
})
