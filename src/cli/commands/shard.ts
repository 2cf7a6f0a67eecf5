/**
 * Sharded checks from the command line (docs/scale-out.md): `check --shard i/n --out dir` runs one
 * shard and writes its files; `merge dir` adds the shards up; `check --shards n` runs n shards as
 * local processes and merges them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, type CheckSettings } from '../../check/check.js';
import { clearShardFiles, type MergedRun, mergeShards, runShard } from '../../check/shard.js';
import { FaultlineError, UsageError } from '../../model/errors.js';
import { checkJson } from '../../report/json.js';
import { formatBytes, formatDuration, formatResult, runName } from '../../report/text.js';
import { visibleControls } from '../../report/trace.js';
import { writeIndex, writeReport } from '../../report/write.js';
import { expectationFor } from '../expectations.js';
import type { CheckArgs } from './check.js';
import { clearProgress, type Command, EXIT, exitCodeOf, interruptible, wholeAtLeast } from '../options.js';

export const BIN = fileURLToPath(new URL('../../../bin/faultline.mjs', import.meta.url));
const num = (n: number) => n.toLocaleString('en-US');

/** The options of `check` that sharding reads. */
export type ShardArgs = Omit<CheckArgs, 'typecheck'>;

/** Whether the command line asks for a sharded check. */
export function isSharded(args: ShardArgs): boolean {
  return args.shard !== undefined || args.shards !== undefined;
}

/** The sharding options that do not go together, or go only with --shard/--shards: one line each. */
export function checkShardOptions(args: ShardArgs, isFolder: boolean): void {
  const sharded = isSharded(args);
  if (!sharded) {
    if (args.splitDepth !== undefined) throw new UsageError('--split-depth goes with --shard or --shards');
    if (args.out !== undefined) throw new UsageError('--out goes with --shard or --shards (the folder of the shard files)');
    return;
  }
  if (args.shard !== undefined && args.shards !== undefined) throw new UsageError('give --shard i/n (one shard) or --shards n (all of them here), not both');
  if (isFolder) throw new UsageError(`a sharded check checks one model file; ${args.target} is a folder`);
  if (args.workers !== 1) throw new UsageError('--workers does not go with --shard or --shards: each shard is one process');
  if (args.splitDepth !== undefined) wholeAtLeast('split-depth', args.splitDepth, 0);
  if (args.shards !== undefined) wholeAtLeast('shards', args.shards, 1);
  if (args.shard !== undefined) {
    parseShard(args.shard);
    if (args.out === undefined || args.out === '') throw new UsageError('--shard needs --out <dir>: the folder its files go to, shared by every shard or collected for the merge');
    if (args.report !== undefined && args.report !== false) throw new UsageError('--report goes with merge (a shard has only its part of the result)');
  }
}

/** `--shard i/n` as numbers (0 ≤ i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count)
    throw new UsageError(`--shard expects i/n with 0 ≤ i < n, counted from 0 as Slurm's SLURM_ARRAY_TASK_ID and Kubernetes' JOB_COMPLETION_INDEX count; got "${text}"`);
  return { index, count };
}

/** The line said when the model has liveness properties a sharded run leaves out. */
function livenessLine(liveness: 'not-checked' | 'skipped' | null): string[] {
  return liveness === 'not-checked' ? ['  liveness: not checked — a sharded run checks invariants and deadlocks only (check without --shard for the liveness properties)'] : [];
}

/** `check --shard i/n --out dir`: run one shard, write its files, say what it found. */
export async function checkShard(args: ShardArgs, settings: CheckSettings): Promise<number> {
  const { index, count } = parseShard(args.shard!);
  const out = args.out!;
  const shard = await interruptible((signal) => runShard(args.target, { ...settings, limits: { ...settings.limits, signal } }, { index, count, ...(args.splitDepth !== undefined ? { splitDepth: args.splitDepth } : {}) }, args.target));
  const { info, result, facts } = shard;
  if (settings.onProgress) clearProgress(result.stats.durationMs);
  const doc = checkJson(info, result);
  const files = shard.write(out, doc);
  if (args.json) {
    process.stdout.write(JSON.stringify(files.document) + '\n');
    return EXIT.ok;
  }
  const s = result.stats;
  const v = result.violation;
  const lines = [
    facts.splitDepth === null
      ? `shard ${index}/${count} — ${runName(info)}: the search ended before the split level, so this shard did all of it (as every shard does)`
      : `shard ${index}/${count} — ${runName(info)}: split at depth ${facts.splitDepth}, ${num(facts.frontier)} states there, ${num(facts.owned)} of them this shard's`,
    `  ${num(s.distinctStates)} distinct states (${num(facts.prefixStates)} of them at depth ≤ ${facts.splitDepth ?? s.diameter}, which every shard has), ${num(s.generatedStates)} generated, ${formatDuration(s.durationMs)}, peak memory ${formatBytes(s.peakMemoryBytes)}`,
    v
      ? `  ${v.kind === 'witness' ? `✓ witness ${v.name} found` : v.kind === 'deadlock' ? '✗ Deadlock reached' : `✗ ${v.name} violated`} in ${v.trace.length - 1} steps: the first this shard met; merge picks the shortest over every shard`
      : result.complete
        ? `  nothing found in this shard's part`
        : `  search stopped early (${result.stopReason}): nothing found so far`,
    ...livenessLine(facts.liveness),
    `  wrote ${files.json} and ${files.fingerprints}; once all ${count} are done: faultline merge ${out}`,
  ];
  process.stdout.write(visibleControls(lines.join('\n') + '\n'));
  // The verdict is the merge's: a shard that did its part succeeded, so that a scheduler runs the merge after it.
  return EXIT.ok;
}

/** Print a merged run as `check` prints a result (text, JSON, report), with the sharding's figures. */
export async function showMerged(merged: MergedRun, args: { json: boolean; report?: string | boolean }): Promise<number> {
  const { info, result, sharding } = merged;
  if (args.json) process.stdout.write(JSON.stringify({ ...checkJson(info, result), sharding }) + '\n');
  else {
    const sum = sharding.shardStates.reduce((a, b) => a + b, 0);
    const split =
      sharding.splitDepth === null
        ? `${sharding.shards} shard${sharding.shards > 1 ? 's' : ''}; the search ended before the split level, so each did all of it`
        : `${sharding.shards} shard${sharding.shards > 1 ? 's' : ''} split at depth ${sharding.splitDepth} (${num(sharding.frontier)} states there, ${num(sharding.prefixStates)} at depth ≤ ${sharding.splitDepth})`;
    const slowest = Math.max(...sharding.shardDurationsMs);
    const work = sharding.shardDurationsMs.reduce((a, b) => a + b, 0);
    const lines = [
      `  sharded: ${split}`,
      `  the shards stored ${num(sum)} states, ${sharding.redundancy.toFixed(2)}× the distinct count (redundancy); slowest shard ${formatDuration(slowest)}, all shards ${formatDuration(work)}`,
      ...(sharding.violationShard !== null && sharding.shards > 1 ? [`  the shortest trace is shard ${sharding.violationShard}'s`] : []),
      ...livenessLine(sharding.liveness),
    ];
    // The sharding's lines go after the statistics, before the trace.
    const text = formatResult(info, result).split('\n');
    const at = text.findIndex((l, i) => i > 0 && l === '');
    text.splice(at < 0 ? text.length - 1 : at, 0, ...lines);
    process.stdout.write(visibleControls(text.join('\n')));
  }
  if (args.report !== undefined && args.report !== false) {
    const dir = typeof args.report === 'string' && args.report !== '' ? args.report : join('reports', info.model, info.variant);
    await writeReport(dir, info, result, merged.compiled, expectationFor(merged.model, info, false));
    if (dir === join('reports', info.model, info.variant)) writeIndex('reports');
    if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
  }
  return exitCodeOf(result, info.witness);
}

/**
 * The command line of shard `index` of `count` (`index` may be a shell variable's reference), from
 * the options of `check --shards` or `slurm`. With `shareMemory`, the shards run on this machine
 * and, unless --max-memory says otherwise, share its memory ceiling.
 */
export function shardArgv(args: Omit<ShardArgs, 'json' | 'workers'>, index: number | string, count: number, out: string, shareMemory: boolean): string[] {
  const a = ['check', args.target, '--shard', `${index}/${count}`, '--out', out, '--no-progress'];
  const opt = (name: string, v: string | number | undefined) => {
    if (v !== undefined) a.push(`--${name}`, String(v));
  };
  opt('variant', args.variant);
  for (const p of args.param ?? []) opt('param', p);
  for (const f of args.faults ?? []) opt('faults', f);
  opt('max-depth', args.maxDepth);
  opt('max-states', args.maxStates);
  opt('time-limit', args.timeLimit);
  opt('action-timeout', args.actionTimeout);
  opt('witness', args.witness);
  for (const i of args.invariant ?? []) opt('invariant', i);
  opt('split-depth', args.splitDepth);
  // Shards of one machine share its memory ceiling: by default each gets its part of it.
  opt('max-memory', args.maxMemory ?? (shareMemory ? Math.max(64, Math.floor((totalmem() * 0.8) / count / 2 ** 20)) : undefined));
  if (!args.deadlock) a.push('--no-deadlock');
  if (!args.symmetry) a.push('--no-symmetry');
  if (!args.liveness) a.push('--no-liveness');
  return a;
}

/**
 * Run `count` shards as processes of this machine, all at once (`argvOf(index)`: a shard's command
 * line after the faultline script), throwing one line when one fails. Ctrl-C stops them: each
 * writes what it found, and the merge says the run is incomplete.
 */
export async function runShardProcesses(count: number, argvOf: (index: number) => string[], progress: boolean): Promise<void> {
  const t0 = performance.now();
  const children: ChildProcess[] = [];
  let signalled = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // The shards run in their own process groups (a terminal's Ctrl-C reaches only this process):
    // each is told once, and ends with what it found; a second signal ends them all at once.
    signalled++;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signalled > 1 ? 'SIGKILL' : sig);
    if (signalled > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${sig}: stopping the shards, with what they found so far (again to quit at once)\n`);
  };
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAll);
  try {
    let done = 0;
    const status = () => {
      if (progress) process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}  shards: ${done} of ${count} done, ${formatDuration(performance.now() - t0)}${process.stderr.isTTY ? '' : '\n'}`);
    };
    status();
    const results = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const child = spawn(process.execPath, [BIN, ...argvOf(index)], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
        children.push(child);
        let stderr = '';
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (d: string) => {
          stderr = (stderr + d).slice(-4000);
        });
        return new Promise<{ index: number; code: number | null; stderr: string }>((resolve, reject) => {
          child.on('error', reject);
          child.on('close', (code) => {
            done++;
            status();
            resolve({ index, code, stderr });
          });
        });
      }),
    );
    if (progress && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const failed = results.find((r) => r.code !== 0);
    if (failed) {
      const line = failed.stderr.split('\n').filter((l) => l.trim() !== '').pop() ?? `exit code ${failed.code}`;
      throw new FaultlineError(`shard ${failed.index} of ${count}: ${line.replace(/^faultline: /, '')}`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAll);
  }
}

/** `check --shards n`: the n shards as processes of this machine (runShardProcesses), then the merge. */
export async function checkShards(args: ShardArgs, settings: CheckSettings): Promise<number> {
  const count = args.shards!;
  // The model, its variant and params, once here rather than n times in the shards.
  await buildModel(args.target, settings, args.target);
  const own = args.out === undefined || args.out === '';
  const out = own ? mkdtempSync(join(tmpdir(), 'faultline-shards-')) : args.out!;
  // The folder is this run's: shard files of an earlier one would not merge with its own.
  if (!own) clearShardFiles(out);
  const progress = args.progress ?? (process.stderr.isTTY === true && !args.json);
  try {
    await runShardProcesses(count, (index) => shardArgv(args, index, count, out, true), progress);
    const merged = await mergeShards(out);
    const code = await showMerged(merged, args);
    if (!own && !args.json) process.stdout.write(`  shard files: ${out}\n`);
    return code;
  } finally {
    if (own) rmSync(out, { recursive: true, force: true });
  }
}

export interface MergeArgs {
  dir: string;
  json: boolean;
  report?: string | boolean;
}

export const mergeCommand: Command<MergeArgs> = {
  usage: 'merge <dir>',
  describe: 'add up the shards of a sharded check (check --shard i/n --out dir: distinct states, diameter, shortest violation) or of a swarm simulation (simulate --shard i/n --out dir: runs, shortest counterexample)',
  options: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'the folder the shards wrote their files to' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
      .option('report', { type: 'string', describe: 'write a report folder (default dir reports/<model>/<variant>/)' }),
  run: async (args) => {
    let isDir = false;
    try {
      isDir = statSync(args.dir).isDirectory();
    } catch {
      throw new UsageError(`no such folder: ${args.dir}`);
    }
    if (!isDir) throw new UsageError(`${args.dir} is not a folder: give the folder the shards wrote to`);
    // Swarm simulation shards (simulate --shard) merge their own way; loaded only then (fast-check).
    const swarm = await import('./swarm.js');
    if (swarm.hasSwarmFiles(args.dir)) {
      if (readdirSync(args.dir).some((n) => /^shard-\d+-of-\d+\.json$/.test(n)))
        throw new UsageError(`${args.dir} holds shards of a check (shard-*.json) and of a simulation (swarm-*.json): give each run its own folder`);
      return swarm.showSwarm(await swarm.mergeSwarm(args.dir), args);
    }
    return showMerged(await mergeShards(args.dir), args);
  },
};
