/**
 * The synthesisable part of the EBU loudness conformance suite, built from its recipes instead of the
 * EBU's WAV files (which we do not ship):
 *
 * - EBU Tech 3341 ("Loudness metering: 'EBU Mode' metering to supplement EBU R 128 loudness
 *   normalization", v3 January 2016 / v4 November 2023), section 2.9 Table 1 "Minimum requirements test
 *   signals", cases 1-5 and 9-23. Case 6 is 5.0 surround (refmaster handles at most two channels) and
 *   cases 7-8 are authentic programme material; neither can be synthesised here.
 * - EBU Tech 3342 ("Loudness Range: a measure to supplement EBU R 128 loudness normalization"), section 4
 *   Table 1, cases 1-4. Cases 5-6 are the same authentic programmes as Tech 3341 cases 7-8.
 *
 * Where the recipes come from. We could not read the EBU PDFs themselves (binary), so every recipe below
 * was pinned down from public material that transcribes or implements Table 1, cross-checked against
 * each other and against what is known of the EBU's own files (see the notes on each case):
 * - the C++ "loudness" library's Catch2 suite (tests synthesising Tech 3341 cases 1-6, 9-19 and Tech
 *   3342 cases 1-4; its `sineWaveTP` helper: 2 s, 10 ms linear fades, sin(2 pi n f / fs + phase));
 * - phonometry (jmrplens/phonometry, tests/reference_data) and several other projects' transcriptions of
 *   Table 1 (case wording "fs/6 at 0.50 FFS containing one period of fs/4 at 1.00 FFS ...");
 * - expected values and tolerances as listed by loudness-meter projects that run the EBU files
 *   (e.g. "Max true-peak = -6.0 +0.2/-0.4 dBTP", "LRA = 10 +-1 LU");
 * - the durations and sample peaks of the EBU v05 test-set files as logged by a third-party meter
 *   (Audio Wizard for foobar2000): case 9 lasts 15 s, case 12 10 s; cases 20-23 have sample peaks of
 *   -0.1, -0.5, -2.5 and -0.5 dBFS.
 *
 * Conventions. "dBFS" is the peak amplitude of a sine relative to full scale 1.0 (so -23 dBFS is an
 * amplitude of 10^(-23/20)); the loudness cases put the same 1 kHz sine, in phase, on both channels,
 * which by the BS.1770 calibration reads the dBFS value in LUFS. Silence is exact digital zero. The sine
 * phase runs on the global sample clock, so a tone that follows silence starts wherever the clock is;
 * every segment length in these recipes is a whole number of milliseconds, hence of 1 kHz periods, so
 * every tone starts at phase 0 at both 44.1 kHz and 48 kHz.
 */
import type { Audio } from '../../src/audio/audio.js'

// ---------------------------------------------------------------------------------------------------
// Constants, each with its source.
// ---------------------------------------------------------------------------------------------------

/** EBU Tech 3341 Table 1 cases 1-14 and Tech 3342 Table 1 cases 1-4: every tone is a 1 kHz sine. */
export const EBU_TONE_FREQUENCY_HZ = 1000

/** Sample rates at which we build the loudness cases (the EBU files are 48 kHz; 44.1 kHz is ours). */
export const LOUDNESS_CASE_SAMPLE_RATES_HZ: readonly number[] = [44100, 48000]

/**
 * EBU Tech 3341 Table 1 cases 15-23 define their tones as fractions of the sample rate fs (fs/4, fs/6,
 * fs/8); the EBU's files for them are 48 kHz, so 48 kHz is "the rate the document defines".
 */
export const TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ = 48000

/**
 * Extra rate for cases 15-18 only: the same continuous-time waveform (the 48 kHz case's frequency in
 * Hz, amplitude and phase at t = 0) sampled at 44.1 kHz. Not part of the document; see
 * `tech3341TruePeakSineCase`. Case 19 has no 44.1 kHz form (its 1.41 FFS sine sampled off the fs/4
 * grid has samples up to +2.98 dBFS, beyond full scale), nor have cases 20-23 (see
 * `tech3341TruePeakBurstCase`).
 */
export const TRUE_PEAK_EXTRA_SAMPLE_RATES_HZ: readonly number[] = [44100]

/** EBU Tech 3341 Table 1 cases 1-14: accepted tolerance of every M, S and I reading, +-0.1 LU. */
export const TECH3341_LOUDNESS_TOLERANCE_LU = 0.1

/** EBU Tech 3341 Table 1 cases 15-23: true-peak readings may be up to 0.2 dB high ... */
export const TECH3341_TRUE_PEAK_TOLERANCE_HIGH_DB = 0.2
/** ... and up to 0.4 dB low (+0.2/-0.4 dB). */
export const TECH3341_TRUE_PEAK_TOLERANCE_LOW_DB = 0.4

/** EBU Tech 3342 Table 1 cases 1-4: accepted tolerance of the loudness range, +-1 LU. */
export const TECH3342_LOUDNESS_RANGE_TOLERANCE_LU = 1

/** Level that stands for digital silence in a segment list. */
export const SILENCE_DBFS = -Infinity

/**
 * Length of the true-peak signals (cases 15-23). Not stated in the transcriptions we found; the C++
 * "loudness" suite uses 2 s (the EBU files are reported as about 3 s). The length does not change the
 * expected true peak.
 */
export const TECH3341_TRUE_PEAK_SIGNAL_DURATION_SECONDS = 2

/**
 * Linear fade-in and fade-out on the true-peak signals, "10 ms tapers" in the Table 1 transcriptions
 * (phonometry, and the C++ "loudness" suite's `sineWaveTP`). Shape (linear) per the C++ suite.
 */
export const TECH3341_TRUE_PEAK_FADE_SECONDS = 0.01

/** EBU Tech 3341 Table 1 cases 20-23: the signal is synthesised at 4 x fs, then decimated by 4 ... */
export const TECH3341_BURST_SYNTHESIS_FACTOR = 4
/**
 * ... with the anti-alias low-pass that Table 1 leaves unspecified. Our choice: 511-tap
 * Blackman-windowed sinc cut off at the output Nyquist frequency (fs/2), unity gain at DC. With it the
 * four decimated signals have sample peaks of -0.13, -0.46, -2.50, -0.46 dBFS, matching the -0.1, -0.5,
 * -2.5, -0.5 dBFS reported for the EBU's own seq-3341-20..23 files; a 0.9 fs/2 cut-off gives -0.15,
 * -0.55, -2.64, -0.55 instead.
 */
export const TECH3341_BURST_DECIMATION_FILTER_TAPS = 511
export const TECH3341_BURST_DECIMATION_CUTOFF_RATIO = 1

// ---------------------------------------------------------------------------------------------------
// Types.
// ---------------------------------------------------------------------------------------------------

/** Which reading of the meter an expectation is about (names of `LoudnessMeasurement` fields). */
export type EbuQuantity =
  | 'integratedLufs'
  | 'shortTermMaxLufs'
  | 'momentaryMaxLufs'
  | 'loudnessRangeLu'
  | 'truePeakDbtp'
  /** Every value of the short-term series whose 3 s window ends at or after `fromSeconds` (cases 9). */
  | 'shortTermLufs'
  /** Every value of the momentary series whose 400 ms window ends at or after `fromSeconds` (case 12). */
  | 'momentaryLufs'

/** One expected reading with its accepted window [value - toleranceLow, value + toleranceHigh]. */
export interface EbuExpectation {
  readonly quantity: EbuQuantity
  readonly value: number
  /** How far below `value` the reading may be (a positive number of dB / LU). */
  readonly toleranceLow: number
  /** How far above `value` the reading may be (a positive number of dB / LU). */
  readonly toleranceHigh: number
  /** For the series quantities: windows ending before this time (seconds) are not checked. */
  readonly fromSeconds?: number
  /**
   * Measure only this part of the signal, on its own: [startSeconds, endSeconds). Used by the "live
   * meter" cases 11 and 14, whose successive Max S / Max M values belong to successive tones.
   */
  readonly segment?: { readonly startSeconds: number; readonly endSeconds: number }
  /** Where the expectation comes from (document, table, case). */
  readonly source: string
}

/** One synthesised conformance case. */
export interface EbuConformanceCase {
  /** E.g. "tech3341-10-3", after the EBU file seq-3341-10-3. */
  readonly id: string
  /** The recipe in words. */
  readonly description: string
  readonly audio: Audio
  readonly expected: readonly EbuExpectation[]
}

/** A case recipe that can be built at any of the rates it lists. */
export interface EbuCaseDefinition {
  readonly id: string
  readonly sampleRatesHz: readonly number[]
  readonly build: (sampleRateHz: number) => EbuConformanceCase
}

/** A piece of a 1 kHz tone sequence: a level (SILENCE_DBFS for silence) held for a duration. */
export interface ToneSegment {
  readonly levelDbfs: number
  readonly durationSeconds: number
}

// ---------------------------------------------------------------------------------------------------
// Recipes as data.
// ---------------------------------------------------------------------------------------------------

/** EBU Tech 3341 Table 1 case 1: stereo 1 kHz sine at -23.0 dBFS for 20 s. */
export const TECH3341_CASE1_SEGMENTS: readonly ToneSegment[] = [{ levelDbfs: -23, durationSeconds: 20 }]
/** EBU Tech 3341 Table 1 case 2: as case 1 at -33.0 dBFS. */
export const TECH3341_CASE2_SEGMENTS: readonly ToneSegment[] = [{ levelDbfs: -33, durationSeconds: 20 }]
/** EBU Tech 3341 Table 1 case 3: -36.0 dBFS 10 s, -23.0 dBFS 60 s, -36.0 dBFS 10 s (relative gate). */
export const TECH3341_CASE3_SEGMENTS: readonly ToneSegment[] = [
  { levelDbfs: -36, durationSeconds: 10 },
  { levelDbfs: -23, durationSeconds: 60 },
  { levelDbfs: -36, durationSeconds: 10 },
]
/** EBU Tech 3341 Table 1 case 4: -72/-36/-23/-36/-72 dBFS for 10/10/60/10/10 s (absolute and relative gate). */
export const TECH3341_CASE4_SEGMENTS: readonly ToneSegment[] = [
  { levelDbfs: -72, durationSeconds: 10 },
  { levelDbfs: -36, durationSeconds: 10 },
  { levelDbfs: -23, durationSeconds: 60 },
  { levelDbfs: -36, durationSeconds: 10 },
  { levelDbfs: -72, durationSeconds: 10 },
]
/** EBU Tech 3341 Table 1 case 5: -26.0 dBFS 20 s, -20.0 dBFS 20.1 s, -26.0 dBFS 20 s (gate boundary). */
export const TECH3341_CASE5_SEGMENTS: readonly ToneSegment[] = [
  { levelDbfs: -26, durationSeconds: 20 },
  { levelDbfs: -20, durationSeconds: 20.1 },
  { levelDbfs: -26, durationSeconds: 20 },
]
/** EBU Tech 3341 Table 1 case 9: (1.34 s at -20.0 dBFS, 1.66 s at -30.0 dBFS) five times, 15 s. */
export const TECH3341_CASE9_PERIOD: readonly ToneSegment[] = [
  { levelDbfs: -20, durationSeconds: 1.34 },
  { levelDbfs: -30, durationSeconds: 1.66 },
]
export const TECH3341_CASE9_REPEATS = 5
/** EBU Tech 3341 Table 1 case 9: "S = -23.0 +-0.1 LUFS, constant after 3 s". */
export const TECH3341_CASE9_CONSTANT_AFTER_SECONDS = 3
/** EBU Tech 3341 Table 1 case 12: (0.18 s at -20.0 dBFS, 0.22 s at -30.0 dBFS) 25 times, 10 s. */
export const TECH3341_CASE12_PERIOD: readonly ToneSegment[] = [
  { levelDbfs: -20, durationSeconds: 0.18 },
  { levelDbfs: -30, durationSeconds: 0.22 },
]
export const TECH3341_CASE12_REPEATS = 25
/** EBU Tech 3341 Table 1 case 12: "M = -23.0 +-0.1 LUFS, constant after 1 s". */
export const TECH3341_CASE12_CONSTANT_AFTER_SECONDS = 1

/** EBU Tech 3341 Table 1 cases 10 and 13 come as 20 files each (seq-3341-10-1 ... -20, 13-1 ... -20). */
export const TECH3341_FILE_CASE_COUNT = 20
/** EBU Tech 3341 Table 1 cases 10 and 11: tone of 3 s; file / tone k starts after (k - 1) x 0.15 s of silence. */
export const TECH3341_CASE10_TONE_SECONDS = 3
export const TECH3341_CASE10_OFFSET_STEP_SECONDS = 0.15
/** EBU Tech 3341 Table 1 case 10: each file ends with 1 s of silence after its tone. */
export const TECH3341_CASE10_TRAILING_SILENCE_SECONDS = 1
/** EBU Tech 3341 Table 1 cases 10 and 13: every tone is at -23.0 dBFS. */
export const TECH3341_CASE10_AND_13_LEVEL_DBFS = -23
/** EBU Tech 3341 Table 1 cases 13 and 14: tone of 0.4 s; file / tone k starts after (k - 1) x 0.02 s of silence. */
export const TECH3341_CASE13_TONE_SECONDS = 0.4
export const TECH3341_CASE13_OFFSET_STEP_SECONDS = 0.02
/** EBU Tech 3341 Table 1 case 13: each file ends with 1 s of silence after its tone. */
export const TECH3341_CASE13_TRAILING_SILENCE_SECONDS = 1
/** EBU Tech 3341 Table 1 cases 11 and 14: tone k (k = 1 ... 20) is at -38 + (k - 1) dBFS, so -38 ... -19. */
export const TECH3341_CASE11_AND_14_FIRST_LEVEL_DBFS = -38
/**
 * EBU Tech 3341 Table 1 cases 11 and 14: each tone sits in a slot of twice the tone length
 * (6 s, 0.8 s): offset silence, tone, then silence filling the rest of the slot.
 */
export const TECH3341_CASE11_AND_14_SLOT_TONE_LENGTHS = 2

/** EBU Tech 3341 Table 1 cases 15-19: tones defined as fractions of fs, with amplitude and start phase. */
export interface TruePeakSineRecipe {
  readonly caseNumber: number
  /** The tone frequency is fs / divisor. */
  readonly sampleRateDivisor: number
  /** Peak amplitude as a fraction of full scale ("FFS"). */
  readonly amplitudeFfs: number
  readonly phaseDegrees: number
  readonly expectedTruePeakDbtp: number
}
export const TECH3341_TRUE_PEAK_SINE_CASES: readonly TruePeakSineRecipe[] = [
  { caseNumber: 15, sampleRateDivisor: 4, amplitudeFfs: 0.5, phaseDegrees: 0, expectedTruePeakDbtp: -6 },
  { caseNumber: 16, sampleRateDivisor: 4, amplitudeFfs: 0.5, phaseDegrees: 45, expectedTruePeakDbtp: -6 },
  { caseNumber: 17, sampleRateDivisor: 6, amplitudeFfs: 0.5, phaseDegrees: 60, expectedTruePeakDbtp: -6 },
  { caseNumber: 18, sampleRateDivisor: 8, amplitudeFfs: 0.5, phaseDegrees: 67.5, expectedTruePeakDbtp: -6 },
  { caseNumber: 19, sampleRateDivisor: 4, amplitudeFfs: 1.41, phaseDegrees: 45, expectedTruePeakDbtp: 3 },
]

/**
 * EBU Tech 3341 Table 1 cases 20-23: a sine at fs/6, 0.50 FFS, containing one period of a sine at fs/4,
 * 1.00 FFS (phase-continuous), synthesised at 4 fs, low-pass filtered and decimated with an offset of
 * 0, 1, 2, 3 samples (of the 4 fs clock). Expected max true peak 0.0 dBTP for each.
 */
export const TECH3341_BURST_BASE_DIVISOR = 6
export const TECH3341_BURST_BASE_AMPLITUDE_FFS = 0.5
export const TECH3341_BURST_DIVISOR = 4
export const TECH3341_BURST_AMPLITUDE_FFS = 1
export const TECH3341_BURST_EXPECTED_TRUE_PEAK_DBTP = 0
/** Case number of offset 0; offsets 1-3 are cases 21-23. */
export const TECH3341_BURST_FIRST_CASE = 20

/** EBU Tech 3342 Table 1 cases 1-4: 20 s stereo 1 kHz tone segments at these levels, and the expected LRA. */
export const TECH3342_SEGMENT_SECONDS = 20
export interface LoudnessRangeRecipe {
  readonly caseNumber: number
  readonly levelsDbfs: readonly number[]
  readonly expectedLoudnessRangeLu: number
}
export const TECH3342_CASES: readonly LoudnessRangeRecipe[] = [
  { caseNumber: 1, levelsDbfs: [-20, -30], expectedLoudnessRangeLu: 10 },
  { caseNumber: 2, levelsDbfs: [-20, -15], expectedLoudnessRangeLu: 5 },
  { caseNumber: 3, levelsDbfs: [-40, -20], expectedLoudnessRangeLu: 20 },
  { caseNumber: 4, levelsDbfs: [-50, -35, -20, -35, -50], expectedLoudnessRangeLu: 15 },
]

// ---------------------------------------------------------------------------------------------------
// Synthesis.
// ---------------------------------------------------------------------------------------------------

/** Peak amplitude (linear, full scale 1.0) of a level in dBFS; 0 for SILENCE_DBFS. */
export function amplitudeOfDbfs(levelDbfs: number): number {
  return levelDbfs === -Infinity ? 0 : Math.pow(10, levelDbfs / 20)
}

/**
 * sin(2 pi frequencyHz n / sampleRateHz + phaseRadians), with the phase reduced exactly (integer
 * arithmetic) when frequency and rate are whole numbers, so long signals do not lose precision.
 */
export function sineSample(frequencyHz: number, sampleRateHz: number, n: number, phaseRadians = 0): number {
  const cycles = Number.isInteger(frequencyHz) && Number.isInteger(sampleRateHz)
    ? ((frequencyHz * n) % sampleRateHz) / sampleRateHz
    : (frequencyHz * n) / sampleRateHz
  return Math.sin(2 * Math.PI * cycles + phaseRadians)
}

/** Frame index where each segment starts, plus the total, from the cumulated durations (no drift). */
export function segmentBoundaryFrames(segments: readonly ToneSegment[], sampleRateHz: number): number[] {
  const boundaries = [0]
  let elapsedSeconds = 0
  for (const segment of segments) {
    elapsedSeconds += segment.durationSeconds
    boundaries.push(Math.round(elapsedSeconds * sampleRateHz))
  }
  return boundaries
}

/**
 * The same 1 kHz (or `frequencyHz`) sine on both channels, in phase, stepping through `segments`;
 * phase runs on the global sample clock (see the file comment).
 */
export function stereoToneSequence(segments: readonly ToneSegment[], sampleRateHz: number, frequencyHz = EBU_TONE_FREQUENCY_HZ): Audio {
  const boundaries = segmentBoundaryFrames(segments, sampleRateHz)
  const left = new Float32Array(boundaries[boundaries.length - 1])
  segments.forEach((segment, index) => {
    const amplitude = amplitudeOfDbfs(segment.levelDbfs)
    if (amplitude === 0) return
    for (let n = boundaries[index]; n < boundaries[index + 1]; n++) left[n] = amplitude * sineSample(frequencyHz, sampleRateHz, n)
  })
  return { channels: [left, left.slice()], sampleRateHz }
}

/** `period` repeated `times` times. */
export function repeatSegments(period: readonly ToneSegment[], times: number): ToneSegment[] {
  return Array.from({ length: times }, () => period).flat()
}

/** Multiplies the first and last `fadeSeconds` of `samples` by a linear ramp (in place). */
export function applyLinearFades(samples: Float64Array | Float32Array, sampleRateHz: number, fadeSeconds: number): void {
  const fadeFrames = Math.round(fadeSeconds * sampleRateHz)
  for (let i = 0; i < fadeFrames && i < samples.length; i++) {
    const gain = i / fadeFrames
    samples[i] *= gain
    samples[samples.length - 1 - i] *= gain
  }
}

/** A copy of [startSeconds, endSeconds) of `audio` (rounded to frames). */
export function sliceAudio(audio: Audio, startSeconds: number, endSeconds: number): Audio {
  const start = Math.round(startSeconds * audio.sampleRateHz)
  const end = Math.round(endSeconds * audio.sampleRateHz)
  return { channels: audio.channels.map((channel) => channel.slice(start, end)), sampleRateHz: audio.sampleRateHz }
}

// ---------------------------------------------------------------------------------------------------
// Expectation helpers.
// ---------------------------------------------------------------------------------------------------

const TECH3341_TABLE1 = 'EBU Tech 3341 (v3 2016 / v4 2023) section 2.9 Table 1'
const TECH3342_TABLE1 = 'EBU Tech 3342 section 4 Table 1'

function loudnessExpectation(quantity: EbuQuantity, valueLufs: number, caseLabel: string, extra: Partial<EbuExpectation> = {}): EbuExpectation {
  return {
    quantity,
    value: valueLufs,
    toleranceLow: TECH3341_LOUDNESS_TOLERANCE_LU,
    toleranceHigh: TECH3341_LOUDNESS_TOLERANCE_LU,
    source: `${TECH3341_TABLE1} ${caseLabel}`,
    ...extra,
  }
}

function truePeakExpectation(valueDbtp: number, caseNumber: number): EbuExpectation {
  return {
    quantity: 'truePeakDbtp',
    value: valueDbtp,
    toleranceLow: TECH3341_TRUE_PEAK_TOLERANCE_LOW_DB,
    toleranceHigh: TECH3341_TRUE_PEAK_TOLERANCE_HIGH_DB,
    source: `${TECH3341_TABLE1} case ${caseNumber}`,
  }
}

function describeSegments(segments: readonly ToneSegment[]): string {
  return segments
    .map((s) => (s.levelDbfs === -Infinity ? `${s.durationSeconds} s silence` : `${s.durationSeconds} s at ${s.levelDbfs} dBFS`))
    .join(', ')
}

// ---------------------------------------------------------------------------------------------------
// Tech 3341 cases 1-5: integrated loudness (and M, S for 1-2).
// ---------------------------------------------------------------------------------------------------

function steadyToneCase(caseNumber: 1 | 2, segments: readonly ToneSegment[], sampleRateHz: number): EbuConformanceCase {
  const levelLufs = segments[0].levelDbfs
  const label = `case ${caseNumber}`
  return {
    id: `tech3341-${caseNumber}`,
    description: `Stereo 1 kHz sine, ${describeSegments(segments)}: M, S, I = ${levelLufs} LUFS (M and S read as their maxima)`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [
      loudnessExpectation('integratedLufs', levelLufs, label),
      loudnessExpectation('momentaryMaxLufs', levelLufs, label),
      loudnessExpectation('shortTermMaxLufs', levelLufs, label),
    ],
  }
}

/** EBU Tech 3341 Table 1 case 1: stereo 1 kHz sine, -23 dBFS, 20 s; M, S, I = -23.0 +-0.1 LUFS. */
export function tech3341Case1(sampleRateHz: number): EbuConformanceCase {
  return steadyToneCase(1, TECH3341_CASE1_SEGMENTS, sampleRateHz)
}

/** EBU Tech 3341 Table 1 case 2: stereo 1 kHz sine, -33 dBFS, 20 s; M, S, I = -33.0 +-0.1 LUFS. */
export function tech3341Case2(sampleRateHz: number): EbuConformanceCase {
  return steadyToneCase(2, TECH3341_CASE2_SEGMENTS, sampleRateHz)
}

function integratedCase(caseNumber: 3 | 4 | 5, segments: readonly ToneSegment[], sampleRateHz: number): EbuConformanceCase {
  return {
    id: `tech3341-${caseNumber}`,
    description: `Stereo 1 kHz sine: ${describeSegments(segments)}; I = -23.0 LUFS`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [loudnessExpectation('integratedLufs', -23, `case ${caseNumber}`)],
  }
}

/** EBU Tech 3341 Table 1 case 3: -36/-23/-36 dBFS for 10/60/10 s; I = -23.0 +-0.1 LUFS (relative gate). */
export function tech3341Case3(sampleRateHz: number): EbuConformanceCase {
  return integratedCase(3, TECH3341_CASE3_SEGMENTS, sampleRateHz)
}

/** EBU Tech 3341 Table 1 case 4: -72/-36/-23/-36/-72 dBFS, 10/10/60/10/10 s; I = -23.0 +-0.1 LUFS. */
export function tech3341Case4(sampleRateHz: number): EbuConformanceCase {
  return integratedCase(4, TECH3341_CASE4_SEGMENTS, sampleRateHz)
}

/** EBU Tech 3341 Table 1 case 5: -26/-20/-26 dBFS for 20/20.1/20 s; I = -23.0 +-0.1 LUFS. */
export function tech3341Case5(sampleRateHz: number): EbuConformanceCase {
  return integratedCase(5, TECH3341_CASE5_SEGMENTS, sampleRateHz)
}

// ---------------------------------------------------------------------------------------------------
// Tech 3341 cases 9-14: short-term and momentary dynamics.
// ---------------------------------------------------------------------------------------------------

/**
 * EBU Tech 3341 Table 1 case 9: stereo 1 kHz, (1.34 s at -20 dBFS, 1.66 s at -30 dBFS) x 5 = 15 s;
 * S = -23.0 +-0.1 LUFS, constant after 3 s (every complete 3 s window holds one whole period).
 */
export function tech3341Case9(sampleRateHz: number): EbuConformanceCase {
  const segments = repeatSegments(TECH3341_CASE9_PERIOD, TECH3341_CASE9_REPEATS)
  return {
    id: 'tech3341-9',
    description: `Stereo 1 kHz sine, (${describeSegments(TECH3341_CASE9_PERIOD)}) x ${TECH3341_CASE9_REPEATS}; S = -23.0 LUFS constant after 3 s`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [loudnessExpectation('shortTermLufs', -23, 'case 9', { fromSeconds: TECH3341_CASE9_CONSTANT_AFTER_SECONDS })],
  }
}

/**
 * EBU Tech 3341 Table 1 case 10 ("file-based meters"), file `fileNumber` (1-20, seq-3341-10-k):
 * (k - 1) x 0.15 s of silence, 3 s at -23 dBFS, 1 s of silence; Max S = -23.0 +-0.1 LUFS.
 */
export function tech3341Case10(fileNumber: number, sampleRateHz: number): EbuConformanceCase {
  const segments: ToneSegment[] = [
    { levelDbfs: SILENCE_DBFS, durationSeconds: roundMs((fileNumber - 1) * TECH3341_CASE10_OFFSET_STEP_SECONDS) },
    { levelDbfs: TECH3341_CASE10_AND_13_LEVEL_DBFS, durationSeconds: TECH3341_CASE10_TONE_SECONDS },
    { levelDbfs: SILENCE_DBFS, durationSeconds: TECH3341_CASE10_TRAILING_SILENCE_SECONDS },
  ]
  return {
    id: `tech3341-10-${fileNumber}`,
    description: `Stereo 1 kHz sine: ${describeSegments(segments)}; Max S = -23.0 LUFS`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [loudnessExpectation('shortTermMaxLufs', -23, `case 10 (file 10-${fileNumber})`)],
  }
}

/**
 * The slot layout of cases 11 and 14: tone k (1-20) at -38 + (k - 1) dBFS after (k - 1) x `stepSeconds`
 * of silence, in a slot of 2 x `toneSeconds`.
 */
function liveSeriesSegments(toneSeconds: number, stepSeconds: number): ToneSegment[] {
  const slotSeconds = TECH3341_CASE11_AND_14_SLOT_TONE_LENGTHS * toneSeconds
  const segments: ToneSegment[] = []
  for (let k = 1; k <= TECH3341_FILE_CASE_COUNT; k++) {
    const offsetSeconds = roundMs((k - 1) * stepSeconds)
    segments.push(
      { levelDbfs: SILENCE_DBFS, durationSeconds: offsetSeconds },
      { levelDbfs: TECH3341_CASE11_AND_14_FIRST_LEVEL_DBFS + (k - 1), durationSeconds: toneSeconds },
      { levelDbfs: SILENCE_DBFS, durationSeconds: roundMs(slotSeconds - toneSeconds - offsetSeconds) },
    )
  }
  return segments
}

function liveSeriesExpectations(quantity: 'shortTermMaxLufs' | 'momentaryMaxLufs', toneSeconds: number, caseNumber: number): EbuExpectation[] {
  const slotSeconds = TECH3341_CASE11_AND_14_SLOT_TONE_LENGTHS * toneSeconds
  return Array.from({ length: TECH3341_FILE_CASE_COUNT }, (_, index) =>
    loudnessExpectation(quantity, TECH3341_CASE11_AND_14_FIRST_LEVEL_DBFS + index, `case ${caseNumber} (tone ${index + 1})`, {
      segment: { startSeconds: roundMs(index * slotSeconds), endSeconds: roundMs((index + 1) * slotSeconds) },
    }),
  )
}

/**
 * EBU Tech 3341 Table 1 case 11 ("live meters"): 20 tones; tone k after (k - 1) x 0.15 s of silence,
 * 3 s at -38 + (k - 1) dBFS, then silence to the end of its 6 s slot (120 s in all). Max S must read
 * -38.0, -37.0, ... -19.0 +-0.1 LUFS, successive values; we check each tone's slot measured on its own
 * (levels rise, so the running maximum after tone k is the maximum within slot k).
 */
export function tech3341Case11(sampleRateHz: number): EbuConformanceCase {
  return {
    id: 'tech3341-11',
    description: 'Stereo 1 kHz sine, 20 tones of 3 s at -38 ... -19 dBFS, tone k after (k - 1) x 0.15 s of silence in a 6 s slot; successive Max S = -38 ... -19 LUFS',
    audio: stereoToneSequence(liveSeriesSegments(TECH3341_CASE10_TONE_SECONDS, TECH3341_CASE10_OFFSET_STEP_SECONDS), sampleRateHz),
    expected: liveSeriesExpectations('shortTermMaxLufs', TECH3341_CASE10_TONE_SECONDS, 11),
  }
}

/**
 * EBU Tech 3341 Table 1 case 12: stereo 1 kHz, (0.18 s at -20 dBFS, 0.22 s at -30 dBFS) x 25 = 10 s;
 * M = -23.0 +-0.1 LUFS, constant after 1 s (every complete 400 ms window holds one whole period).
 */
export function tech3341Case12(sampleRateHz: number): EbuConformanceCase {
  const segments = repeatSegments(TECH3341_CASE12_PERIOD, TECH3341_CASE12_REPEATS)
  return {
    id: 'tech3341-12',
    description: `Stereo 1 kHz sine, (${describeSegments(TECH3341_CASE12_PERIOD)}) x ${TECH3341_CASE12_REPEATS}; M = -23.0 LUFS constant after 1 s`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [loudnessExpectation('momentaryLufs', -23, 'case 12', { fromSeconds: TECH3341_CASE12_CONSTANT_AFTER_SECONDS })],
  }
}

/**
 * EBU Tech 3341 Table 1 case 13 ("file-based meters"), file `fileNumber` (1-20, seq-3341-13-k):
 * (k - 1) x 0.02 s of silence, 0.4 s at -23 dBFS, 1 s of silence; Max M = -23.0 +-0.1 LUFS.
 */
export function tech3341Case13(fileNumber: number, sampleRateHz: number): EbuConformanceCase {
  const segments: ToneSegment[] = [
    { levelDbfs: SILENCE_DBFS, durationSeconds: roundMs((fileNumber - 1) * TECH3341_CASE13_OFFSET_STEP_SECONDS) },
    { levelDbfs: TECH3341_CASE10_AND_13_LEVEL_DBFS, durationSeconds: TECH3341_CASE13_TONE_SECONDS },
    { levelDbfs: SILENCE_DBFS, durationSeconds: TECH3341_CASE13_TRAILING_SILENCE_SECONDS },
  ]
  return {
    id: `tech3341-13-${fileNumber}`,
    description: `Stereo 1 kHz sine: ${describeSegments(segments)}; Max M = -23.0 LUFS`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [loudnessExpectation('momentaryMaxLufs', -23, `case 13 (file 13-${fileNumber})`)],
  }
}

/**
 * EBU Tech 3341 Table 1 case 14 ("live meters"): as case 11 with tones of 0.4 s, offsets of
 * (k - 1) x 0.02 s and slots of 0.8 s (16 s in all); successive Max M = -38 ... -19 +-0.1 LUFS.
 */
export function tech3341Case14(sampleRateHz: number): EbuConformanceCase {
  return {
    id: 'tech3341-14',
    description: 'Stereo 1 kHz sine, 20 tones of 0.4 s at -38 ... -19 dBFS, tone k after (k - 1) x 0.02 s of silence in a 0.8 s slot; successive Max M = -38 ... -19 LUFS',
    audio: stereoToneSequence(liveSeriesSegments(TECH3341_CASE13_TONE_SECONDS, TECH3341_CASE13_OFFSET_STEP_SECONDS), sampleRateHz),
    expected: liveSeriesExpectations('momentaryMaxLufs', TECH3341_CASE13_TONE_SECONDS, 14),
  }
}

// ---------------------------------------------------------------------------------------------------
// Tech 3341 cases 15-23: true peak.
// ---------------------------------------------------------------------------------------------------

/**
 * EBU Tech 3341 Table 1 cases 15-19: stereo sine at fs/divisor with the given amplitude and start
 * phase, 10 ms linear fades; Max true peak as listed, +0.2/-0.4 dB.
 *
 * At the document's rate (48 kHz) the tone is exactly fs/4, fs/6 or fs/8, so its peaks sit at a fixed
 * place between samples (case 16: samples at +-0.354, peak 0.5 halfway between them). At any other rate
 * we keep the same continuous-time waveform instead: frequency in Hz of the 48 kHz case (12, 8, 6 kHz),
 * same amplitude and phase at t = 0, so the expected true peak (the sine's amplitude) is unchanged; the
 * inter-sample geometry is then not the document's. (Case 19 at another rate would have samples beyond
 * full scale; EBU_CONFORMANCE_CASES builds it at 48 kHz only.)
 */
export function tech3341TruePeakSineCase(caseNumber: number, sampleRateHz: number): EbuConformanceCase {
  const recipe = TECH3341_TRUE_PEAK_SINE_CASES.find((r) => r.caseNumber === caseNumber)
  if (recipe === undefined) throw new Error(`EBU Tech 3341 has no true-peak sine case ${caseNumber}`)
  const frequencyHz = TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ / recipe.sampleRateDivisor
  const phaseRadians = (recipe.phaseDegrees * Math.PI) / 180
  const frames = Math.round(TECH3341_TRUE_PEAK_SIGNAL_DURATION_SECONDS * sampleRateHz)
  const samples = new Float64Array(frames)
  for (let n = 0; n < frames; n++) samples[n] = recipe.amplitudeFfs * sineSample(frequencyHz, sampleRateHz, n, phaseRadians)
  applyLinearFades(samples, sampleRateHz, TECH3341_TRUE_PEAK_FADE_SECONDS)
  const channel = Float32Array.from(samples)
  const atDocumentRate = sampleRateHz === TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ
  return {
    id: `tech3341-${caseNumber}`,
    description:
      `Stereo sine at fs/${recipe.sampleRateDivisor} (${frequencyHz} Hz), ${recipe.amplitudeFfs} FFS, ${recipe.phaseDegrees} deg start phase, ` +
      `${TECH3341_TRUE_PEAK_SIGNAL_DURATION_SECONDS} s with 10 ms fades; max true peak ${recipe.expectedTruePeakDbtp} dBTP` +
      (atDocumentRate ? '' : ` (same continuous-time waveform at ${sampleRateHz} Hz: not a document case)`),
    audio: { channels: [channel, channel.slice()], sampleRateHz },
    expected: [truePeakExpectation(recipe.expectedTruePeakDbtp, caseNumber)],
  }
}

/** Blackman-windowed sinc low-pass, `taps` long, cut off at `cutoffCyclesPerSample`, unity DC gain. */
export function windowedSincLowPass(taps: number, cutoffCyclesPerSample: number): Float64Array {
  const h = new Float64Array(taps)
  const middle = (taps - 1) / 2
  let sum = 0
  for (let k = 0; k < taps; k++) {
    const m = k - middle
    const sinc = m === 0 ? 2 * cutoffCyclesPerSample : Math.sin(2 * Math.PI * cutoffCyclesPerSample * m) / (Math.PI * m)
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (taps - 1))
    h[k] = sinc * window
    sum += h[k]
  }
  for (let k = 0; k < taps; k++) h[k] /= sum
  return h
}

/**
 * The 4 fs waveform of cases 20-23, before filtering: a sine at fs/6, 0.5 FFS, with one period of a
 * sine at fs/4, 1.0 FFS, inserted at an upward zero crossing of the base near the middle; the base's
 * phase clock pauses during the burst, so both junctions are continuous. 10 ms linear fades.
 * Where the burst goes is not stated in the transcriptions we found (it does not change the peak).
 */
export function tech3341BurstWaveformAt4Fs(sampleRateHz: number): Float64Array {
  const factor = TECH3341_BURST_SYNTHESIS_FACTOR
  const frames = Math.round(TECH3341_TRUE_PEAK_SIGNAL_DURATION_SECONDS * sampleRateHz) * factor
  const basePeriod = TECH3341_BURST_BASE_DIVISOR * factor
  const burstLength = TECH3341_BURST_DIVISOR * factor
  const insertAt = Math.floor(frames / 2 / basePeriod) * basePeriod
  const x = new Float64Array(frames)
  let baseIndex = 0
  for (let i = 0; i < frames; i++) {
    if (i >= insertAt && i < insertAt + burstLength) {
      x[i] = TECH3341_BURST_AMPLITUDE_FFS * Math.sin((2 * Math.PI * (i - insertAt)) / burstLength)
    } else {
      x[i] = TECH3341_BURST_BASE_AMPLITUDE_FFS * Math.sin((2 * Math.PI * (baseIndex % basePeriod)) / basePeriod)
      baseIndex++
    }
  }
  applyLinearFades(x, sampleRateHz * factor, TECH3341_TRUE_PEAK_FADE_SECONDS)
  return x
}

/**
 * EBU Tech 3341 Table 1 cases 20-23 (`offsetSamples` 0-3 = cases 20-23): the burst waveform of
 * `tech3341BurstWaveformAt4Fs`, low-pass filtered (our filter: TECH3341_BURST_DECIMATION_*) and
 * decimated by 4 starting at `offsetSamples`; stereo, both channels alike. Max true peak 0.0 dBTP,
 * +0.2/-0.4 dB. Built at 48 kHz only: at 44.1 kHz the same continuous-time waveform (content up to
 * 24 kHz) cannot be represented.
 */
export function tech3341TruePeakBurstCase(offsetSamples: number, sampleRateHz = TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ): EbuConformanceCase {
  if (!Number.isInteger(offsetSamples) || offsetSamples < 0 || offsetSamples >= TECH3341_BURST_SYNTHESIS_FACTOR) {
    throw new Error(`EBU Tech 3341 cases 20-23 use offsets 0-3, got ${offsetSamples}`)
  }
  const factor = TECH3341_BURST_SYNTHESIS_FACTOR
  const x = tech3341BurstWaveformAt4Fs(sampleRateHz)
  const h = windowedSincLowPass(TECH3341_BURST_DECIMATION_FILTER_TAPS, (TECH3341_BURST_DECIMATION_CUTOFF_RATIO * 0.5) / factor)
  const half = (h.length - 1) / 2
  const frames = Math.floor((x.length - 1 - offsetSamples) / factor) + 1
  const channel = new Float32Array(frames)
  for (let k = 0; k < frames; k++) {
    const centre = offsetSamples + k * factor
    let acc = 0
    const first = Math.max(0, half - centre)
    const last = Math.min(h.length - 1, x.length - 1 - centre + half)
    for (let t = first; t <= last; t++) acc += h[t] * x[centre + t - half]
    channel[k] = acc
  }
  const caseNumber = TECH3341_BURST_FIRST_CASE + offsetSamples
  return {
    id: `tech3341-${caseNumber}`,
    description:
      `Sine at fs/6, 0.5 FFS, containing one period of fs/4 at 1.0 FFS, synthesised at 4 fs, low-pass filtered ` +
      `(511-tap Blackman sinc at fs/2) and decimated with a ${offsetSamples}-sample offset; max true peak 0.0 dBTP`,
    audio: { channels: [channel, channel.slice()], sampleRateHz },
    expected: [truePeakExpectation(TECH3341_BURST_EXPECTED_TRUE_PEAK_DBTP, caseNumber)],
  }
}

// ---------------------------------------------------------------------------------------------------
// Tech 3342 cases 1-4: loudness range.
// ---------------------------------------------------------------------------------------------------

/** EBU Tech 3342 Table 1 cases 1-4: stereo 1 kHz, 20 s segments at the listed levels; LRA +-1 LU. */
export function tech3342Case(caseNumber: number, sampleRateHz: number): EbuConformanceCase {
  const recipe = TECH3342_CASES.find((r) => r.caseNumber === caseNumber)
  if (recipe === undefined) throw new Error(`EBU Tech 3342 has no synthesisable case ${caseNumber}`)
  const segments = recipe.levelsDbfs.map((levelDbfs) => ({ levelDbfs, durationSeconds: TECH3342_SEGMENT_SECONDS }))
  return {
    id: `tech3342-${caseNumber}`,
    description: `Stereo 1 kHz sine: ${describeSegments(segments)}; LRA = ${recipe.expectedLoudnessRangeLu} LU`,
    audio: stereoToneSequence(segments, sampleRateHz),
    expected: [
      {
        quantity: 'loudnessRangeLu',
        value: recipe.expectedLoudnessRangeLu,
        toleranceLow: TECH3342_LOUDNESS_RANGE_TOLERANCE_LU,
        toleranceHigh: TECH3342_LOUDNESS_RANGE_TOLERANCE_LU,
        source: `${TECH3342_TABLE1} case ${caseNumber}`,
      },
    ],
  }
}

// ---------------------------------------------------------------------------------------------------
// The whole suite.
// ---------------------------------------------------------------------------------------------------

/** Every synthesisable case of the suite with the rates we build it at (built lazily, one at a time). */
export const EBU_CONFORMANCE_CASES: readonly EbuCaseDefinition[] = [
  { id: 'tech3341-1', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case1 },
  { id: 'tech3341-2', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case2 },
  { id: 'tech3341-3', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case3 },
  { id: 'tech3341-4', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case4 },
  { id: 'tech3341-5', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case5 },
  { id: 'tech3341-9', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case9 },
  ...fileCases(10, tech3341Case10),
  { id: 'tech3341-11', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case11 },
  { id: 'tech3341-12', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case12 },
  ...fileCases(13, tech3341Case13),
  { id: 'tech3341-14', sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ, build: tech3341Case14 },
  ...TECH3341_TRUE_PEAK_SINE_CASES.map((recipe) => ({
    id: `tech3341-${recipe.caseNumber}`,
    // Off the document's rate only where the continuous-time waveform stays within full scale.
    sampleRatesHz: recipe.amplitudeFfs <= 1 ? [TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ, ...TRUE_PEAK_EXTRA_SAMPLE_RATES_HZ] : [TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ],
    build: (sampleRateHz: number) => tech3341TruePeakSineCase(recipe.caseNumber, sampleRateHz),
  })),
  ...[0, 1, 2, 3].map((offsetSamples) => ({
    id: `tech3341-${TECH3341_BURST_FIRST_CASE + offsetSamples}`,
    sampleRatesHz: [TECH3341_TRUE_PEAK_SAMPLE_RATE_HZ],
    build: (sampleRateHz: number) => tech3341TruePeakBurstCase(offsetSamples, sampleRateHz),
  })),
  ...TECH3342_CASES.map((recipe) => ({
    id: `tech3342-${recipe.caseNumber}`,
    sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ,
    build: (sampleRateHz: number) => tech3342Case(recipe.caseNumber, sampleRateHz),
  })),
]

function fileCases(caseNumber: 10 | 13, build: (fileNumber: number, sampleRateHz: number) => EbuConformanceCase): EbuCaseDefinition[] {
  return Array.from({ length: TECH3341_FILE_CASE_COUNT }, (_, index) => ({
    id: `tech3341-${caseNumber}-${index + 1}`,
    sampleRatesHz: LOUDNESS_CASE_SAMPLE_RATES_HZ,
    build: (sampleRateHz: number) => build(index + 1, sampleRateHz),
  }))
}

/** Rounds a duration to whole milliseconds (0.15 x 3 is 0.44999... in binary). */
function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
