import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

/** The CLI and service tests run the built program as users do: build it from the current sources first. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' })
}
