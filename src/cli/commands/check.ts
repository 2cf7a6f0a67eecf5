/** `faultline check <file | folder>`: check one model, or every variant of every model in a folder. */
import { statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { runCheck, type CheckSettings } from '../../check/check.js';
import type { CheckResult, Progress, RunInfo } from '../../check/types.js';
import { describeThrown, FaultlineError, UsageError } from '../../model/errors.js';
import { loadModel, modelFiles } from '../../model/load.js';
import { variantNames } from '../../model/define.js';
import type { AnyModel } from '../../model/types.js';
import { checkJson, errorJson } from '../../report/json.js';
import { formatDuration, formatResult } from '../../report/text.js';
import { writeIndex, writeReport } from '../../report/write.js';
import { clearProgress, type Command, EXIT, exitCodeOf, interruptible, limitsOf, parseParams, printProgress, wholeAtLeast, modelRunOptions } from '../options.js';
import { expectationFor } from '../expectations.js';
import { typecheck } from '../typecheck.js';
import { checkShard, checkShardOptions, checkShards } from './shard.js';

export interface CheckArgs {
  target: string;
  variant?: string;
  param?: string[];
  faults?: string[];
  maxDepth?: number;
  maxStates?: number;
  timeLimit?: number;
  maxMemory?: number;
  actionTimeout?: number;
  progress?: boolean;
  deadlock: boolean;
  symmetry: boolean;
  liveness: boolean;
  witness?: string;
  invariant?: string[];
  json: boolean;
  report?: string | boolean;
  workers: number;
  typecheck?: boolean;
  shard?: string;
  shards?: number;
  splitDepth?: number;
  out?: string;
}

/** The settings of `runCheck` from the command line. */
function settingsOf(args: CheckArgs, variant: string | undefined, progress: boolean, signal?: AbortSignal): CheckSettings {
  return {
    ...(variant !== undefined ? { variant } : {}),
    params: parseParams(args.param),
    faults: parseParams(args.faults, 'faults'),
    symmetry: args.symmetry !== false,
    liveness: args.liveness !== false,
    ...(args.witness ? { witness: args.witness } : {}),
    ...(args.invariant?.length ? { invariants: args.invariant.map(String) } : {}),
    ...(args.deadlock ? {} : { deadlock: false }),
    workers: workerCount(args.workers),
    limits: limitsOf(args, signal),
    ...(progress ? { onProgress: printProgress, onSafetyResult: printSafetyResult, progressIntervalMs: process.stderr.isTTY ? 1000 : 5000 } : {}),
  };
}

/** --workers, at most one per core: more only add start-up and hand-over work (said once on stderr). */
function workerCount(asked: number | undefined): number {
  const n = wholeAtLeast('workers', asked ?? 1, 1)!;
  const cores = availableParallelism();
  if (n <= cores) return n;
  if (!warnedWorkers) process.stderr.write(`faultline: --workers ${n} on a machine with ${cores} cores: using ${cores}\n`);
  warnedWorkers = true;
  return cores;
}
let warnedWorkers = false;

/** On a terminal, the safety verdict as the liveness pass starts (it may take a while, or be stopped). */
function printSafetyResult(r: CheckResult<unknown>): void {
  const s = r.stats;
  const scope = r.complete ? 'in every reachable state' : `in the ${s.distinctStates.toLocaleString('en-US')} states explored (${r.stopReason})`;
  process.stderr.write(`\r\x1b[K  invariants hold ${scope}: ${s.distinctStates.toLocaleString('en-US')} states, ${formatDuration(s.durationMs)}; now the liveness pass\n`);
}

/** The report folder asked for: the given one, or `base/<model>/<variant>`. */
function reportDir(args: CheckArgs, info: RunInfo, base = 'reports'): string | null {
  if (args.report === undefined || args.report === false) return null;
  return typeof args.report === 'string' && args.report !== '' ? args.report : join(base, info.model, info.variant);
}

async function checkFile(args: CheckArgs): Promise<number> {
  const model = await loadModel(args.target);
  const progress = args.progress ?? (process.stderr.isTTY === true && !args.json);
  const { info, result, compiled } = await interruptible((signal) => runCheck(model, settingsOf(args, args.variant, progress, signal), args.target));
  if (progress) clearProgress(result.stats.durationMs);
  if (args.json) process.stdout.write(JSON.stringify(checkJson(info, result)) + '\n');
  else process.stdout.write(formatResult(info, result));
  const dir = reportDir(args, info);
  if (dir !== null) {
    await writeReport(dir, info, result, compiled, expectationFor(model, info, args.liveness !== false));
    if (dir === join('reports', info.model, info.variant)) writeIndex('reports');
    if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
  }
  return exitCodeOf(result, args.witness);
}

/**
 * One check with its report, as `regress` runs a case in a worker process: the JSON document
 * `check --json --report dir` would print.
 */
export async function checkForRegress(args: CheckArgs): Promise<ReturnType<typeof checkJson>> {
  const model = await loadModel(args.target);
  const { info, result, compiled } = await runCheck(model, settingsOf(args, args.variant, false), args.target);
  const dir = reportDir(args, info);
  if (dir !== null) await writeReport(dir, info, result, compiled);
  return checkJson(info, result);
}

/** Every variant of every model in a folder, with default params: a table, and reports/ if asked. */
async function checkFolder(args: CheckArgs): Promise<number> {
  return interruptible((signal) => checkFolderUntil(args, signal));
}

async function checkFolderUntil(args: CheckArgs, signal: AbortSignal): Promise<number> {
  const t0 = performance.now();
  const files = modelFiles(args.target);
  if (files.length === 0) throw new UsageError(`no model files in ${args.target}`);
  const base = typeof args.report === 'string' && args.report !== '' ? args.report : 'reports';
  const docs: unknown[] = [];
  let failed = false;
  // Load every model first: the table's columns and the count of runs are known before the first run.
  const loaded: { file: string; model: AnyModel | null; error?: string }[] = [];
  for (const file of files) {
    try {
      loaded.push({ file, model: await loadModel(file) });
    } catch (e) {
      loaded.push({ file, model: null, error: e instanceof FaultlineError ? e.message.split('\n')[0]! : describeThrown(e) });
    }
  }
  const runs = loaded.flatMap(({ model }) => (model ? (args.variant ? [args.variant] : variantNames(model)).map((variant) => ({ model, variant })) : []));
  const table = new Table(
    ['model', 'variant', 'result', 'states', 'diameter', 'trace', 'time'],
    [Math.max(5, ...runs.map((r) => r.model.name.length)), Math.max(7, ...runs.map((r) => r.variant.length)), 34, 9, 8, 5, 0],
    args.json,
  );
  const status = new StatusLine(args.progress ?? (process.stderr.isTTY === true && !args.json));
  let done = 0;
  for (const { file, model, error } of loaded) {
    if (signal.aborted) break;
    if (!model) {
      failed = true;
      table.row([relative('.', file), '', 'error: ' + error!, '', '', '', '']);
      docs.push(errorJson({ file }, error!));
      continue;
    }
    for (const variant of args.variant ? [args.variant] : variantNames(model)) {
      if (signal.aborted) break;
      const head = `[${++done}/${runs.length}] ${model.name} ${variant}`;
      status.start(head);
      try {
        const settings = { ...settingsOf(args, variant, false, signal), onProgress: (p: Progress) => status.show(`${head}  ${p.distinctStates.toLocaleString('en-US')} states, depth ${p.depth}, ${formatDuration(p.elapsedMs)}`), progressIntervalMs: 1000 };
        const { info, result, compiled } = await runCheck(model, settings, file);
        const v = result.violation;
        status.clear();
        table.row([
          model.name,
          variant,
          result.result === 'ok' ? (result.complete ? 'ok' : `ok (${result.stopReason})`) : `${result.result}: ${v?.name}`,
          result.stats.distinctStates.toLocaleString('en-US'),
          String(result.stats.diameter),
          v ? String(v.trace.length - 1) : '',
          formatDuration(result.stats.durationMs),
        ]);
        docs.push(checkJson(info, result));
        if (args.report !== undefined && args.report !== false) await writeReport(join(base, info.model, info.variant), info, result, compiled, expectationFor(model, info, args.liveness !== false));
      } catch (e) {
        failed = true;
        status.clear();
        table.row([model.name, variant, 'error: ' + describeThrown(e), '', '', '', '']);
        docs.push(errorJson({ model: model.name, file, variant }, describeThrown(e)));
      }
    }
  }
  status.clear();
  if (args.json) process.stdout.write(JSON.stringify(docs) + '\n');
  else process.stdout.write(`${done} of ${runs.length} variants checked${signal.aborted ? ' (interrupted)' : ''} in ${formatDuration(performance.now() - t0)}\n`);
  if (args.report !== undefined && args.report !== false) {
    writeFileSync(join(base, 'summary.json'), JSON.stringify(docs, null, 2) + '\n');
    writeIndex(base);
    if (!args.json) process.stdout.write(`reports written under ${base}/ — open ${join(base, 'index.html')}\n`);
  }
  return failed ? EXIT.error : EXIT.ok;
}

/** The folder table, printed a row at a time (columns fixed in advance; numbers right-aligned). */
class Table {
  constructor(
    header: string[],
    private readonly widths: number[],
    private readonly quiet: boolean,
  ) {
    this.row(header);
  }
  row(cells: string[]): void {
    if (this.quiet) return;
    const line = cells.map((cell, c) => (c >= 3 && c <= 5 ? cell.padStart(this.widths[c]!) : cell.padEnd(this.widths[c]!))).join('  ');
    process.stdout.write(line.trimEnd() + '\n');
  }
}

/**
 * What is running, on stderr: on a terminal one line rewritten in place (cleared before a row of
 * the table is printed); elsewhere, with --progress, a line when a run starts and every 5 s.
 */
class StatusLine {
  private last = -Infinity;
  private shown = false;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly on: boolean) {}
  /** A run begins: always said. */
  start(text: string): void {
    this.last = -Infinity;
    this.show(text);
  }
  /** How the run is going: on a terminal at once, elsewhere at most every 5 s. */
  show(text: string): void {
    if (!this.on) return;
    if (this.tty) {
      const width = (process.stderr.columns || 100) - 1;
      process.stderr.write(`\r\x1b[K${[...text].slice(0, width).join('')}`);
      this.shown = true;
      return;
    }
    const now = performance.now();
    if (now - this.last < 5000) return;
    this.last = now;
    process.stderr.write(text + '\n');
  }
  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

export const checkCommand: Command<CheckArgs> = {
  usage: 'check <target>',
  describe: 'explore a model (a file) or every variant of every model in a folder',
  options: (y) =>
    modelRunOptions(y.positional('target', { type: 'string', demandOption: true, describe: 'model file, or a folder of models' }))
      .option('max-depth', { type: 'number', describe: 'explore states at most this many steps deep' })
      .option('max-states', { type: 'number', describe: 'stop after this many distinct states' })
      .option('time-limit', { type: 'number', describe: 'stop after this many seconds' })
      .option('progress', { type: 'boolean', describe: 'print progress on stderr (default: when stderr is a terminal; otherwise a line every 5 s)' })
      .option('action-timeout', { type: 'number', describe: "a model's action that runs this many seconds without returning is stopped and reported (default 30)" })
      .option('max-memory', { type: 'number', describe: "stop when the process's memory reaches this many MiB (default: 80% of the machine's)" })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report states without successors (--no-deadlock: do not)' })
      .option('liveness', { type: 'boolean', default: true, describe: "check the model's liveness properties (--no-liveness: safety only)" })
      .option('witness', { type: 'string', describe: 'find the shortest path to a state where this witness of the model holds' })
      .option('invariant', { type: 'string', array: true, describe: "check only this invariant of the model (repeatable; default: all)" })
      .option('symmetry', { type: 'boolean', default: true, describe: "use the model's symmetry reduction (--no-symmetry: explore every state)" })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads for the search (same results, faster on big models)' })
      .option('report', { type: 'string', describe: 'write result.json and trace.txt (default dir reports/<model>/<variant>/)' })
      .option('typecheck', { type: 'boolean', default: false, describe: 'type-check the model (and what it imports) first; stop on a type error' })
      .option('shard', { type: 'string', describe: 'run shard i of n (0 ≤ i < n) of a sharded check, writing its files to --out; then faultline merge (docs/scale-out.md)' })
      .option('shards', { type: 'number', describe: 'run a sharded check as n processes of this machine, and merge them' })
      .option('split-depth', { type: 'number', describe: 'with --shard/--shards: the depth of the level split between the shards (default: the first with 256 states a shard)' })
      .option('out', { type: 'string', describe: 'with --shard: the folder of the shard files (with --shards: keep them there)' }),
  run: async (args) => {
    const isDir = (() => {
      try {
        return statSync(args.target).isDirectory();
      } catch {
        return false;
      }
    })();
    checkShardOptions(args, isDir);
    if (args.typecheck) await typecheck(args.target);
    const progress = args.progress ?? (process.stderr.isTTY === true && !args.json);
    if (args.shards !== undefined) return checkShards(args, settingsOf(args, args.variant, progress));
    if (args.shard !== undefined) return checkShard(args, settingsOf(args, args.variant, progress));
    return isDir ? checkFolder(args) : checkFile(args);
  },
};
