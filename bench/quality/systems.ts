/**
 * The mastering systems the quality benchmark can run, by name (`--system NAME`). A system takes the mix
 * and the reference (both 44.1 kHz stereo, as the protocol's 24-bit WAV files hold them) and returns its
 * master; it must not modify its inputs (the runner passes copies anyway).
 */
import type { Audio } from '../../src/audio/audio.js'
import { masterTrack } from '../../src/master.js'
import { defaultModelDir } from '../../src/model/default-model.js'
import { loadModel, type LoadedModel } from '../../src/model/model-io.js'
import { stemOf } from './tracks.js'

let model: Promise<LoadedModel> | undefined
/** The settings model the `model` system uses: $REFMASTER_MODEL, else the shipped models/default (loaded once). */
const settingsModel = () => (model ??= loadModel(process.env.REFMASTER_MODEL ?? defaultModelDir()))

/**
 * Models of a K-fold cross-validation (`refmaster train --fold I/K`), $REFMASTER_MODELS (folders separated
 * by ':'), by the name (file stem) of each track they held out: every track is mastered by the model that
 * never saw it.
 */
let foldModels: Promise<Map<string, LoadedModel>> | undefined
const modelsByHeldOutTrack = () =>
  (foldModels ??= (async () => {
    const dirs = (process.env.REFMASTER_MODELS ?? '').split(':').filter(Boolean)
    if (dirs.length === 0) throw new Error('the model-cv system needs $REFMASTER_MODELS: the fold models\' folders, separated by ":"')
    const byTrack = new Map<string, LoadedModel>()
    for (const loaded of await Promise.all(dirs.map((dir) => loadModel(dir)))) {
      for (const track of loaded.card.heldOutTracks) byTrack.set(stemOf(track), loaded)
    }
    return byTrack
  })())

/** A reference-matching mastering system under test; `mixTrack` names the track the mix was made from. */
export type MasteringSystem = (mix: Audio, reference: Audio, mixTrack: string) => Promise<Audio>

/** refmaster with a settings model, target "reference" (ceiling -1 dBTP). */
const masterWithModel = async (mix: Audio, reference: Audio, model: LoadedModel) =>
  (await masterTrack({ mixName: 'mix', mix, references: [{ name: 'reference', audio: reference, weight: 1 }], target: 'reference', settingsSource: 'model', model })).audio

/** The unprocessed mix: the protocol's `identity` baseline (run_eval.py `cp {mix} {out}`). */
const identity: MasteringSystem = async (mix) => mix

/** Every system by name. Register new ones here, one line each. */
export const SYSTEMS: Readonly<Record<string, MasteringSystem>> = {
  identity,
  /** refmaster's analytic path with default strengths, target "reference" (ceiling -1 dBTP). */
  analytic: async (mix, reference) =>
    (await masterTrack({ mixName: 'mix', mix, references: [{ name: 'reference', audio: reference, weight: 1 }], target: 'reference', settingsSource: 'analytic' })).audio,
  /** refmaster with the settings model ($REFMASTER_MODEL or models/default), target "reference". */
  model: async (mix, reference) => masterWithModel(mix, reference, await settingsModel()),
  /** The model, cross-validated: each mix mastered by the fold model that held its track out ($REFMASTER_MODELS). */
  'model-cv': async (mix, reference, mixTrack) => {
    const model = (await modelsByHeldOutTrack()).get(mixTrack)
    if (!model) throw new Error(`no model in $REFMASTER_MODELS held out '${mixTrack}'`)
    return masterWithModel(mix, reference, model)
  },
}
