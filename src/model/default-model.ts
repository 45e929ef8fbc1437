/**
 * Which settings source a master uses when the user does not say: the shipped model `models/default`
 * when it exists and its card shows that it beat the analytic path on held-out tracks (issue 5's
 * targets), else the analytic path, with a note saying why.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CARD_JSON, readCard } from './model-io.js'
import { SCHEMA_FINGERPRINT } from './schema.js'

/** Where the settings come from. */
export type SettingsSource = 'model' | 'analytic'
export const SETTINGS_SOURCES: readonly SettingsSource[] = ['model', 'analytic']

/** The shipped model: models/default at the package root (this file is src/model/ or dist/src/model/). */
export function defaultModelDir(): string {
  const up = import.meta.url.includes('/dist/src/') ? '../../../' : '../../'
  return fileURLToPath(new URL(`${up}models/default`, import.meta.url))
}

/** The default choice and, when it is the analytic path, why. */
export function defaultSettingsSource(modelDir = defaultModelDir()): { source: SettingsSource; note?: string } {
  if (!existsSync(`${modelDir}/${CARD_JSON}`)) return { source: 'analytic', note: `no shipped model in ${modelDir}: using the analytic settings` }
  const card = readCard(modelDir)
  if (card.schemaFingerprint !== SCHEMA_FINGERPRINT) return { source: 'analytic', note: `the shipped model was trained for schema ${String(card.schemaFingerprint)}, this refmaster's is ${SCHEMA_FINGERPRINT}: using the analytic settings` }
  const heldOut = card.heldOut as { meetsTargets?: boolean } | undefined
  if (!heldOut?.meetsTargets) return { source: 'analytic', note: 'the shipped model does not beat the analytic settings on held-out tracks (README, "The settings model"): using the analytic settings; --settings model uses it anyway' }
  return { source: 'model' }
}
