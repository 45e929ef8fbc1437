import { describe, expect, it } from 'vitest'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { matchLoudness } from '../../src/chain/loudness-match.js'
import { playbackTarget } from '../../src/chain/playback-targets.js'
import { resolveStrengths } from '../../src/chain/strengths.js'
import { profileOf } from '../../src/chain/target-profile.js'
import { matchSettings } from '../../src/master.js'
import { referenceFromOutputs } from '../../src/model/predict.js'
import { decodeMatchOutputs, OUTPUT_SIZE, STAGE_OUTPUT_COUNT } from '../../src/model/schema.js'
import { noise } from '../helpers/signals.js'

const RATE = 44100
function analysedNoise(seed: number, amplitude: number) {
  const left = noise(RATE * 4, amplitude, seed)
  const right = noise(RATE * 4, amplitude, seed + 1)
  return analyzeTrack({ sampleRateHz: RATE, channels: [left, right] })
}

describe('the loudness outputs during the render', () => {
  const mix = analysedNoise(1, 0.05)
  const reference = profileOf(analysedNoise(3, 0.3))
  const base = matchSettings(mix, reference, 'the reference', playbackTarget('reference'), resolveStrengths({}), reference.integratedLufs).settings
  const ceiling = base.limiter.ceilingDbtp

  it('solves the reference levels that make the loudness match aim where the outputs say, for the stage input it is given', () => {
    for (const stageInput of [{ integratedLufs: -24, truePeakDbtp: -9, plrDb: 15 }, { integratedLufs: -18, truePeakDbtp: -8, plrDb: 10 }]) {
      const analytic = matchLoudness(stageInput, base.loudness.reference!, ceiling, base.loudness.referenceTrust)
      // 0.5 everywhere: the analytic match
      const neutral = referenceFromOutputs(new Float32Array(OUTPUT_SIZE).fill(0.5), base, stageInput)!
      const again = matchLoudness(stageInput, neutral, ceiling, base.loudness.referenceTrust)
      expect(again.targetLufs).toBeCloseTo(analytic.targetLufs, 2)
      expect(again.plrDb).toBeCloseTo(analytic.plrDb, 2)
      // quieter and denser than the analytic match, its peaks under the ceiling
      const u = new Float32Array(OUTPUT_SIZE).fill(0.5)
      u[0] = 0.4
      u[1] = 0.45
      expect(STAGE_OUTPUT_COUNT).toBe(2)
      const aim = decodeMatchOutputs(u, analytic)
      expect(aim.targetLufs).toBeLessThan(analytic.targetLufs - 1)
      const solved = matchLoudness(stageInput, referenceFromOutputs(u, base, stageInput)!, ceiling, base.loudness.referenceTrust)
      expect(solved.targetLufs).toBeCloseTo(aim.targetLufs, 2)
      expect(solved.peakDbtp).toBeCloseTo(Math.min(ceiling, aim.targetLufs + aim.plrDb), 2)
    }
  })
})
