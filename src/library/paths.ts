import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** Environment variable naming the user library folder. */
export const LIBRARY_ENV = 'REFMASTER_LIBRARY'
/** The user library's folder when the environment does not name one: `./library`, beside the user's work. */
export const DEFAULT_USER_LIBRARY_DIR = 'library'
/** Folder of the built-in library, at the root of the package. */
export const BUILTIN_LIBRARY_FOLDER = 'reference-tracks'

/**
 * The package root: the nearest folder above this module holding `reference-tracks/`. Found by walking
 * up because this module runs both from `src/library/` (tests, tsx) and from `dist/src/library/` (the bin).
 */
function packageRoot(): string {
  let dir = import.meta.dirname
  for (;;) {
    if (existsSync(join(dir, BUILTIN_LIBRARY_FOLDER))) return dir
    const parent = dirname(dir)
    if (parent === dir) return resolve(import.meta.dirname, '..', '..')
    dir = parent
  }
}

/** Absolute path of the built-in library (`reference-tracks/` in the package). */
export function builtinLibraryDir(): string {
  return join(packageRoot(), BUILTIN_LIBRARY_FOLDER)
}

/** Absolute path of the user library: `$REFMASTER_LIBRARY`, else `./library` in the working directory. */
export function userLibraryDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[LIBRARY_ENV] || DEFAULT_USER_LIBRARY_DIR)
}
