import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'

/** The repository root, found from this file whether it runs as TypeScript or compiled under dist/. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return dir
}

export const REPO_ROOT = findRepoRoot()
/** The shared folder beside the repository (dev audio, eval protocol); REFMASTER_SHARED overrides it. */
export const SHARED_DIR = resolve(process.env.REFMASTER_SHARED ?? join(REPO_ROOT, '..', 'shared'))
export const DEV_AUDIO_DIR = join(SHARED_DIR, 'audio', 'dev')
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results')
