// Links this package's own `refmaster` command into node_modules/.bin, so that `npx refmaster` and
// `node_modules/.bin/refmaster` work right after `npm ci` in a clone (npm links only dependencies' bins).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const binDir = join(root, 'node_modules', '.bin')
const link = join(binDir, 'refmaster')
mkdirSync(binDir, { recursive: true })
rmSync(link, { force: true })
symlinkSync(relative(binDir, join(root, 'bin', 'refmaster.js')), link)
