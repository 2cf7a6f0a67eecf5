/**
 * The faultline command line (docs/cli.md): the commands are in commands/, one file each; this
 * file wires them into yargs and turns errors into one line on stderr and exit code 1.
 */
import yargs, { type Argv } from 'yargs';
import { describeThrown, FaultlineError, UsageError } from '../model/errors.js';
import { benchCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { listCommand } from './commands/list.js';
import { regressCommand, regressWorkerCommand } from './commands/regress.js';
import { renderCommand, reportCommand } from './commands/render.js';
import { simulateCommand } from './commands/simulate.js';
import { type Command, EXIT } from './options.js';
import { errorJson } from '../report/json.js';

export { EXIT, exitCodeOf } from './options.js';

const COMMANDS = [checkCommand, simulateCommand, listCommand, regressCommand, renderCommand, reportCommand, benchCommand, regressWorkerCommand] as readonly Command<never>[];

/** An error of the operating system (a full disk, a folder that cannot be written). */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function systemMessage(e: NodeJS.ErrnoException): string {
  return ({ ENOSPC: 'no space left on the device', EACCES: 'permission denied', EROFS: 'read-only file system', ENOTDIR: 'not a folder', EISDIR: 'is a folder' } as Record<string, string>)[e.code!] ?? e.message.split('\n')[0]!;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  let failure: unknown = null;
  let cli: Argv = yargs(argv)
    .scriptName('faultline')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      failure = err ?? new UsageError(`${msg ?? 'invalid command line'} (see faultline --help)`);
    });
  for (const c of COMMANDS)
    cli = cli.command({
      command: c.usage,
      describe: c.describe,
      builder: (y) => c.options(y).strict(),
      handler: async (a) => {
        code = await c.run(a as never);
      },
    });
  cli = cli.demandCommand(1, 'give a command: check, simulate, list, regress, render, report or bench');
  try {
    await cli.parseAsync();
  } catch (e) {
    failure ??= e;
  }
  if (failure !== null) {
    let line: string;
    if (failure instanceof FaultlineError) line = failure.message.split('\n')[0]!;
    else if (isSystemError(failure)) line = `${failure.syscall ?? 'i/o'} ${failure.path ?? ''} failed: ${failure.code} (${systemMessage(failure)})`.replace('  ', ' ');
    else {
      line = `internal error: ${describeThrown(failure)}`;
      if (process.env.FAULTLINE_DEBUG) process.stderr.write(String((failure as Error).stack) + '\n');
    }
    process.stderr.write(`faultline: ${line}\n`);
    // A program reading --json gets a document even then.
    if (argv.includes('--json')) process.stdout.write(JSON.stringify(errorJson({}, line)) + '\n');
    return EXIT.error;
  }
  return code;
}
