/**
 * Results of the BS.1770 / EBU R128 meter. Levels that do not exist (silence, everything gated out)
 * are -Infinity; a loudness range that cannot be computed (under 3 s of audio, or no short-term block
 * above the gates) is NaN. JSON output turns both into null.
 */
export interface LoudnessMeasurement {
  /** Gated integrated loudness, ITU-R BS.1770-4 section 2.8 (LUFS). */
  integratedLufs: number
  /** Highest momentary loudness (400 ms window, 100 ms hop), EBU Tech 3341 section 2.1 (LUFS). */
  momentaryMaxLufs: number
  /** Highest short-term loudness (3 s window, 100 ms hop), EBU Tech 3341 section 2.1 (LUFS). */
  shortTermMaxLufs: number
  /** Loudness range per EBU Tech 3342 (LU). */
  loudnessRangeLu: number
  /** Lower and upper ends of the loudness range, P10 and P95 of the gated short-term levels (LUFS). */
  loudnessRangeLowLufs: number
  loudnessRangeHighLufs: number
  /** True peak, at least 4x oversampled, ITU-R BS.1770-4 Annex 2 (dBTP). */
  truePeakDbtp: number
  /** Largest absolute sample value (dBFS). */
  samplePeakDbfs: number
  /** Per channel true peak (dBTP), in channel order. */
  channelTruePeakDbtp: number[]
  /** Short-term loudness every 100 ms (LUFS; -Infinity for digital silence). */
  shortTermLufs: Float64Array
  /** Momentary loudness every 100 ms (LUFS). */
  momentaryLufs: Float64Array
}
