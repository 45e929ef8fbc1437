import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeFile } from '../../src/audio/decode.js'
import { analyzeTrack } from '../../src/analysis/track-analysis.js'
import { playbackTarget } from '../../src/chain/playback-targets.js'
import { referenceTrust } from '../../src/chain/reference-trust.js'
import { resolveStrengths } from '../../src/chain/strengths.js'
import { profileOf } from '../../src/chain/target-profile.js'
import { matchSettings } from '../../src/master.js'
import { defaultModelDir } from '../../src/model/default-model.js'
import { loadModel } from '../../src/model/model-io.js'
import { MODEL_CEILING_LOUDNESS_SHARE, MODEL_REFERENCE_PLR_TRUST, modelShare, predictSettings } from '../../src/model/predict.js'
import { DEV_AUDIO } from '../helpers/cli.js'

const analyse = async (path: string) => analyzeTrack(await decodeFile(join(DEV_AUDIO, path)))

describe('settings prediction with the shipped model', () => {
  it('applies its corrections for a reference of the same music and leaves other music to the analytic path', async () => {
    expect([modelShare(0), modelShare(0.25), modelShare(1), modelShare(1.5)]).toEqual([1, 0.75, 0, 0])
    const model = await loadModel(defaultModelDir())
    const mix = await analyse('pop/pop-01-music000.ogg')
    const other = await analyse('orchestral/orchestral-04-heroesrite.ogg')
    const strengths = resolveStrengths({})
    const predict = (target: ReturnType<typeof profileOf>) => {
      const { settings: base, referenceTrust: trust } = matchSettings(mix, target, 'the reference', playbackTarget('reference'), strengths, target.integratedLufs)
      const prediction = predictSettings(model, mix, target, base, strengths, trust)
      return { base, prediction, reference: prediction.loudnessReference?.({ integratedLufs: -20, truePeakDbtp: -6, plrDb: 14 }) }
    }

    // other music: no correction at all, the analytic settings bit for bit
    expect(referenceTrust(profileOf(mix), profileOf(other))).toBe(1)
    const far = predict(profileOf(other))
    expect(far.prediction.settings).toEqual(far.base)
    expect(far.prediction.loudnessReference).toBeUndefined()

    // the same music (the mix as its own reference): the model moves the settings
    expect(referenceTrust(profileOf(mix), profileOf(mix))).toBe(0)
    const same = predict(profileOf(mix))
    expect(same.prediction.settings).not.toEqual(same.base)
    expect(same.reference).not.toEqual(same.base.loudness.reference)
    // and trades loudness for PLR at the ceiling by its own share
    expect(same.base.loudness.ceilingLoudnessShare).toBeUndefined()
    expect(same.prediction.settings.loudness.ceilingLoudnessShare).toBe(MODEL_CEILING_LOUDNESS_SHARE)
    expect(same.base.loudness.referencePlrTrust).toBeUndefined()
    expect(same.prediction.settings.loudness.referencePlrTrust).toBe(MODEL_REFERENCE_PLR_TRUST)
  })
})
