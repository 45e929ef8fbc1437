/**
 * The settings sources the service offers: the analytic matcher, the shipped model (`models/default`)
 * and models trained through the API (DATA_DIR/models/<id>). A job records the source that was active
 * when it was made, so all its versions use the same one.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defaultModelDir, defaultSettingsSource } from '../model/default-model.js'
import { loadModel, type LoadedModel } from '../model/model-io.js'

/** The analytic matcher's id. */
export const ANALYTIC_ID = 'analytic'
/** The shipped model's id. */
export const BUILT_IN_MODEL_ID = 'default'

let initial: string | undefined

/** The active source when none was ever chosen: what `refmaster master` uses by default (decided once: the shipped model does not change). */
export function initialActiveSource(): string {
  initial ??= defaultSettingsSource().source === 'model' ? BUILT_IN_MODEL_ID : ANALYTIC_ID
  return initial
}

/** The model folder of a source id (null for the analytic matcher). */
export function modelDirOf(id: string, modelsDir: string): string | null {
  if (id === ANALYTIC_ID) return null
  return id === BUILT_IN_MODEL_ID ? defaultModelDir() : join(modelsDir, id)
}

/** Loaded models of this thread, by folder: a trained model's files never change once in place. */
const loaded = new Map<string, Promise<LoadedModel>>()

/**
 * What `masterTrack` needs for the source `id`: the analytic matcher, or the loaded model. A model that
 * has since been deleted falls back to the analytic matcher, with a warning for the report.
 */
export async function settingsFor(id: string | undefined, modelsDir: string): Promise<{ settingsSource: 'analytic' | 'model'; model?: LoadedModel; warning?: string }> {
  const dir = modelDirOf(id ?? ANALYTIC_ID, modelsDir)
  if (dir === null) return { settingsSource: 'analytic' }
  if (!loaded.has(dir)) {
    if (!existsSync(dir)) return { settingsSource: 'analytic', warning: `the model '${id}' this job was made with has been deleted: these settings are the analytic matcher's` }
    const loading = loadModel(dir)
    loading.catch(() => loaded.delete(dir))
    loaded.set(dir, loading)
  }
  return { settingsSource: 'model', model: await loaded.get(dir)! }
}
