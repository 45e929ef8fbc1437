import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The CLI and service tests run the built program as users do: build it from the current sources first.
 * Every temporary folder of the run (the tests', and those of the servers, databases and browsers they
 * start, which inherit TMPDIR) goes into one folder, removed at the end, so a run leaves nothing in the
 * system's temporary directory however a test ends.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' })
  const runDir = mkdtempSync(join(tmpdir(), 'refmaster-tests-'))
  // PostgreSQL runs as its own user when the tests run as root (bench/infra.ts): it must reach its folder.
  chmodSync(runDir, 0o755)
  process.env.TMPDIR = runDir
  return () => rmSync(runDir, { recursive: true, force: true })
}
