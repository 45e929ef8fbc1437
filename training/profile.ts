/**
 * The target profile of a signal without the Meyda statistics (a profile has none): the reference and
 * goal sections of every example need only this, and Meyda is the slowest part of a track analysis.
 * Same measurements as src/analysis/track-analysis.ts `analyzeTrack` + src/chain/target-profile.ts `profileOf`.
 */
import type { Audio } from '../src/audio/audio.js'
import { bandDynamics } from '../src/analysis/band-dynamics.js'
import { loudPartGate, quantileSorted } from '../src/analysis/gating.js'
import { ABSOLUTE_GATE_LUFS, measureLoudness } from '../src/analysis/loudness/meter.js'
import { longTermSpectrum } from '../src/analysis/spectrum/ltas.js'
import { stereoImage } from '../src/analysis/stereo-image.js'
import type { TargetProfile } from '../src/chain/target-profile.js'
import { powerToDb } from '../src/units/db.js'

/** The profile of `audio` (as profileOf(analyzeTrack(audio)) gives it). */
export function profileOfAudio(audio: Audio): TargetProfile {
  const { channels, sampleRateHz } = audio
  const measured = measureLoudness(audio)
  const isLoud = loudPartGate(measured.momentaryLufs, measured.integratedLufs)
  const spectrum = longTermSpectrum(channels, sampleRateHz, isLoud)
  const gated = Array.from(measured.shortTermLufs).filter((level) => level > ABSOLUTE_GATE_LUFS).sort((a, b) => a - b)
  const percentile = (p: number) => (gated.length > 0 ? quantileSorted(gated, p) : -Infinity)
  let sum = 0
  let count = 0
  for (const channel of channels) {
    for (let n = 0; n < channel.length; n++) sum += channel[n] * channel[n]
    count += channel.length
  }
  return {
    integratedLufs: measured.integratedLufs,
    shortTermP10Lufs: percentile(0.1),
    shortTermP50Lufs: percentile(0.5),
    shortTermP95Lufs: percentile(0.95),
    loudnessRangeLu: measured.loudnessRangeLu,
    truePeakDbtp: measured.truePeakDbtp,
    plrDb: measured.truePeakDbtp - measured.integratedLufs,
    crestFactorDb: measured.samplePeakDbfs - powerToDb(sum / Math.max(1, count)),
    fine: spectrum.fine,
    thirdOctave: spectrum.thirdOctave,
    bands: bandDynamics(channels, sampleRateHz, isLoud),
    stereo: stereoImage(channels),
  }
}
