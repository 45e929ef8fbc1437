/** The BS.1770 / EBU R128 loudness and peak meter. */
export { measureLoudness, integratedFromBlocks, loudnessRangeFromShortTerm } from './meter.js'
export { truePeak, peaksOf, TRUE_PEAK_OVERSAMPLING } from './true-peak.js'
export { kWeightingCoefficients } from './k-weighting.js'
export type { LoudnessMeasurement } from './types.js'
