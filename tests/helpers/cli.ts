import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
/** The built `refmaster` command (npm ci builds it). */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'refmaster.js')
/** The dev audio set beside the repository. */
export const DEV_AUDIO = join(import.meta.dirname, '..', '..', '..', 'shared', 'audio', 'dev')

/** Runs `refmaster ...args` as a user would and returns its exit code and output streams. */
export async function refmaster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string }
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr }
  }
}
