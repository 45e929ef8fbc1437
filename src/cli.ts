import { Command, CommanderError } from 'commander'
import { RefmasterError, toRefmasterError } from './errors.js'
import { registerAnalyze } from './cli/analyze.js'
import { registerMaster } from './cli/master.js'
import { registerServe } from './cli/serve.js'
import { registerGenres } from './cli/genres.js'
import { registerLibrary } from './cli/library.js'
import { registerTrain } from './cli/train.js'

/** Builds the `refmaster` command tree. */
export function buildProgram(): Command {
  const program = new Command()
  program
    .name('refmaster')
    .description('Reference-matching mastering: analyse a mix, master it toward a reference or genre, deliver it.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
  registerAnalyze(program)
  registerMaster(program)
  registerGenres(program)
  registerLibrary(program)
  registerServe(program)
  registerTrain(program)
  const override = (command: Command): void => {
    command.exitOverride()
    command.commands.forEach(override)
  }
  program.commands.forEach(override)
  return program
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the process exit status. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return error.exitCode === 0 ? 0 : 2
    }
    const failure = toRefmasterError(error)
    process.stderr.write(`refmaster: error [${failure.code}]: ${failure.message}\n`)
    return failure.exitCode
  }
}

export { RefmasterError }
