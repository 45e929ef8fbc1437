/**
 * The mastering systems the quality benchmark can run, by name (`--system NAME`). A system takes the mix
 * and the reference (both 44.1 kHz stereo, as the protocol's 24-bit WAV files hold them) and returns its
 * master; it must not modify its inputs (the runner passes copies anyway).
 */
import type { Audio } from '../../src/audio/audio.js'
import { masterTrack } from '../../src/master.js'
import { defaultModelDir } from '../../src/model/default-model.js'
import { loadModel, type LoadedModel } from '../../src/model/model-io.js'

let model: Promise<LoadedModel> | undefined
/** The settings model the `model` system uses: $REFMASTER_MODEL, else the shipped models/default (loaded once). */
const settingsModel = () => (model ??= loadModel(process.env.REFMASTER_MODEL ?? defaultModelDir()))

/** A reference-matching mastering system under test. */
export type MasteringSystem = (mix: Audio, reference: Audio) => Promise<Audio>

/** The unprocessed mix: the protocol's `identity` baseline (run_eval.py `cp {mix} {out}`). */
const identity: MasteringSystem = async (mix) => mix

/** Every system by name. Register new ones here, one line each. */
export const SYSTEMS: Readonly<Record<string, MasteringSystem>> = {
  identity,
  /** refmaster's analytic path with default strengths, target "reference" (ceiling -1 dBTP). */
  analytic: async (mix, reference) =>
    (await masterTrack({ mixName: 'mix', mix, references: [{ name: 'reference', audio: reference, weight: 1 }], target: 'reference', settingsSource: 'analytic' })).audio,
  /** refmaster with the settings model ($REFMASTER_MODEL or models/default), target "reference". */
  model: async (mix, reference) =>
    (await masterTrack({ mixName: 'mix', mix, references: [{ name: 'reference', audio: reference, weight: 1 }], target: 'reference', settingsSource: 'model', model: await settingsModel() })).audio,
}
