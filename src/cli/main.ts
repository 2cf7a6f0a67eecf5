/**
 * The faultline command line (docs/cli.md): the commands are in commands/, one file each; this
 * file wires them into yargs and turns errors into one line on stderr and exit code 1.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { describeThrown, FaultlineError, UsageError } from '../model/errors.js';
import { benchCommand } from './commands/bench.js';
import { checkCommand } from './commands/check.js';
import { exploreCommand } from './commands/explore.js';
import { initCommand } from './commands/init.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/shard.js';
import { slurmCommand } from './commands/slurm.js';
import { regressCommand, regressWorkerCommand } from './commands/regress.js';
import { renderCommand, reportCommand } from './commands/render.js';
import { simulateCommand } from './commands/simulate.js';
import { type Command, EXIT } from './options.js';
import { errorJson } from '../report/json.js';

export { EXIT, exitCodeOf } from './options.js';

const COMMANDS = [initCommand, checkCommand, mergeCommand, slurmCommand, simulateCommand, exploreCommand, listCommand, regressCommand, renderCommand, reportCommand, benchCommand, regressWorkerCommand] as readonly Command<never>[];

/** faultline's version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The options a command declares (yargs keeps them, with their aliases, as keys). */
function knownOptions(y: Argv): string[] {
  return Object.keys((y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
}

/** The options given that the command does not know (yargs adds camelCase copies: those are skipped). */
function unknownOptions(args: Record<string, unknown>, y: Argv): string[] {
  const known = new Set(knownOptions(y));
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
  const given = Object.keys(args).filter((k) => k !== '_' && k !== '$0' && !known.has(k));
  return given.filter((k) => !given.some((g) => g !== k && camel(g) === k)).filter((k) => ![...known].some((n) => camel(n) === k));
}

/** "; did you mean --variant?" for the unknown options one or two edits away from a known one. */
function didYouMean(unknown: readonly string[], y: Argv): string {
  const known = knownOptions(y).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
  const hints: string[] = [];
  for (const arg of unknown) {
    const best = known.map((k) => [k, editDistance(arg, k)] as const).sort((a, b) => a[1] - b[1])[0];
    if (best && best[1] <= 2 && best[1] < arg.length / 2) hints.push(`--${best[0]}`);
  }
  return hints.length ? `; did you mean ${hints.join(', ')}?` : '';
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** An error of the operating system (a full disk, a folder that cannot be written). */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function systemMessage(e: NodeJS.ErrnoException): string {
  return ({ ENOSPC: 'no space left on the device', EACCES: 'permission denied', EROFS: 'read-only file system', ENOTDIR: 'not a folder', EISDIR: 'is a folder' } as Record<string, string>)[e.code!] ?? e.message.split('\n')[0]!;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  let command: Argv | null = null; // the command being parsed, for "did you mean"

  let failure: unknown = null;
  let cli: Argv = yargs(argv)
    .scriptName('faultline')
    .strict()
    .help()
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      failure = err ?? new UsageError(`${msg ?? 'invalid command line'} (see faultline --help)`);
    });
  for (const c of COMMANDS)
    cli = cli.command({
      command: c.usage,
      describe: c.describe,
      builder: (y) => (command = c.options(y)),
      handler: async (a) => {
        // yargs reports unknown options only after an async handler has run: check them first.
        const unknown = unknownOptions(a, command ?? cli);
        if (unknown.length) {
          const what = `Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
          throw new UsageError(`${what}${didYouMean(unknown, command ?? cli)} (see faultline ${c.usage.split(' ')[0]} --help)`);
        }
        // Words beyond the command's positionals (yargs, too, says so only after the handler ran).
        const extra = ((a as { _?: readonly (string | number)[] })._ ?? []).slice(1);
        if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.map(String).join(' ')} (see faultline ${c.usage.split(' ')[0]} --help)`);
        code = await c.run(a as never);
      },
    });
  cli = cli.demandCommand(1, 'give a command: check, merge, slurm, simulate, explore, list, init, regress, render, report or bench');
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
