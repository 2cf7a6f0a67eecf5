/**
 * Swarm simulation from the command line (docs/scale-out.md, "Swarm simulation"):
 * `simulate --shard i/n --out dir` runs one shard and writes its document; `merge dir` adds the
 * shards up (mergeCommand sends swarm folders here); `simulate --shards n` runs n shards as local
 * processes and merges them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, type SimulateSettings } from '../../check/check.js';
import { clearShardFiles } from '../../check/shard.js';
import { hasSwarmFiles, type MergedSwarm, mergeSwarm, runSwarmShard } from '../../check/swarm.js';
import { UsageError } from '../../model/errors.js';
import { checkJson } from '../../report/json.js';
import { formatDuration, formatSimulation, runName } from '../../report/text.js';
import { visibleControls } from '../../report/trace.js';
import { writeReport } from '../../report/write.js';
import { EXIT, exitCodeOf, interruptible, wholeAtLeast } from '../options.js';
import { parseShard, runShardProcesses } from './shard.js';

export { hasSwarmFiles, mergeSwarm };

const num = (n: number) => n.toLocaleString('en-US');

/** The options of `simulate` that swarm mode reads. */
export interface SwarmArgs {
  model: string;
  variant?: string;
  param?: string[];
  faults?: string[];
  runs: number;
  depth: number;
  seed?: number;
  timeLimit?: number;
  actionTimeout?: number;
  deadlock: boolean;
  json: boolean;
  report?: string | boolean;
  progress?: boolean;
  shard?: string;
  shards?: number;
  out?: string;
}

/** The swarm options that do not go together, or go only with --shard/--shards: one line each. */
export function checkSwarmOptions(args: SwarmArgs): void {
  if (args.shard === undefined && args.shards === undefined) {
    if (args.out !== undefined) throw new UsageError('--out goes with --shard or --shards (the folder of the shard files)');
    return;
  }
  if (args.shard !== undefined && args.shards !== undefined) throw new UsageError('give --shard i/n (one shard) or --shards n (all of them here), not both');
  if (args.shards !== undefined) wholeAtLeast('shards', args.shards, 1);
  if (args.shard !== undefined) {
    parseShard(args.shard);
    if (args.out === undefined || args.out === '') throw new UsageError('--shard needs --out <dir>: the folder its files go to, shared by every shard or collected for the merge');
    if (args.report !== undefined && args.report !== false) throw new UsageError('--report goes with merge (a shard has only its part of the result)');
  }
}

/** `simulate --shard i/n --out dir`: run one swarm shard, write its document, say what it found. */
export async function simulateShard(args: SwarmArgs, settings: SimulateSettings): Promise<number> {
  const { index, count } = parseShard(args.shard!);
  const out = args.out!;
  const shard = await interruptible((signal) => runSwarmShard(args.model, { ...settings, signal }, { index, count }));
  const { info, result, facts } = shard;
  const doc = { ...checkJson(info, result), simulation: result.simulation };
  const file = shard.write(out, doc);
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...doc, swarm: facts }) + '\n');
    return EXIT.ok;
  }
  const v = facts.violation;
  const lines = [
    `swarm shard ${index}/${count} — ${runName(info)}: ${facts.strategy.order === 'forward' ? 'first successors first' : 'last successors first'}, walks up to ${facts.strategy.depth} steps, ${facts.seeds.length} seed${facts.seeds.length === 1 ? '' : 's'} of its own`,
    `  ${num(facts.runs)} runs, ${num(facts.steps)} steps, deepest ${facts.deepest}, ${num(facts.distinctStates)} distinct states seen, ${formatDuration(facts.durationMs)}`,
    v
      ? `  ✗ ${v.kind === 'deadlock' ? 'Deadlock reached' : `${v.name} violated`} in ${v.length} steps after shrinking: merge picks the shortest over every shard`
      : facts.stopReason === null
        ? '  no violation found in this shard\'s runs'
        : `  stopped early (${facts.stopReason}): no violation found so far`,
    `  wrote ${file}; once all ${count} are done: faultline merge ${out}`,
  ];
  process.stdout.write(visibleControls(lines.join('\n') + '\n'));
  // The verdict is the merge's: a shard that did its part succeeded, so that a scheduler runs the merge after it.
  return EXIT.ok;
}

/** Print a merged swarm as `simulate` prints a result (text, JSON, report), with the swarm's figures. */
export async function showSwarm(merged: MergedSwarm, args: { json: boolean; report?: string | boolean }): Promise<number> {
  const { info, result, swarm } = merged;
  if (args.json) process.stdout.write(JSON.stringify({ ...checkJson(info, result), simulation: result.simulation, swarm }) + '\n');
  else {
    const lines = [
      `  swarm: ${swarm.shards} shard${swarm.shards > 1 ? 's' : ''} with their own seeds, successor orders and depths; slowest shard ${formatDuration(Math.max(...swarm.shardDurationsMs))}; distinct states are each shard's, added up`,
      ...(swarm.violationShard !== null ? [`  ${swarm.shardsFailing} of ${swarm.shards} shards found a counterexample; the shortest is shard ${swarm.violationShard}'s`] : []),
    ];
    // The swarm's lines go after the simulation's figures, before the trace.
    const text = formatSimulation(info, result).split('\n');
    const at = text.findIndex((l) => l.startsWith('  simulation: '));
    text.splice(at < 0 ? text.length - 1 : at + 1, 0, ...lines);
    process.stdout.write(visibleControls(text.join('\n')));
  }
  if (args.report !== undefined && args.report !== false) {
    const dir = typeof args.report === 'string' && args.report !== '' ? args.report : join('reports', info.model, `${info.variant}-simulate`);
    await writeReport(dir, info, result, merged.compiled);
    if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
  }
  return exitCodeOf(result);
}

/** The command line of swarm shard `index` of `count`, from the options of `simulate --shards`. */
export function swarmArgv(args: SwarmArgs, index: number | string, count: number, out: string, seed: number): string[] {
  const a = ['simulate', args.model, '--shard', `${index}/${count}`, '--out', out, '--no-progress', '--runs', String(args.runs), '--depth', String(args.depth), '--seed', String(seed)];
  const opt = (name: string, v: string | number | undefined) => {
    if (v !== undefined) a.push(`--${name}`, String(v));
  };
  opt('variant', args.variant);
  for (const p of args.param ?? []) opt('param', p);
  for (const f of args.faults ?? []) opt('faults', f);
  opt('time-limit', args.timeLimit);
  opt('action-timeout', args.actionTimeout);
  if (!args.deadlock) a.push('--no-deadlock');
  return a;
}

/** `simulate --shards n`: the n swarm shards as processes of this machine, then the merge. */
export async function simulateShards(args: SwarmArgs, settings: SimulateSettings): Promise<number> {
  const count = args.shards!;
  // The model, its variant and params, once here rather than n times in the shards.
  await buildModel(args.model, settings, args.model);
  // One seed for every shard (each derives its own from it); random unless given, as simulate's.
  const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
  const own = args.out === undefined || args.out === '';
  const out = own ? mkdtempSync(join(tmpdir(), 'faultline-swarm-')) : args.out!;
  if (!own) clearShardFiles(out);
  const progress = args.progress ?? (process.stderr.isTTY === true && !args.json);
  try {
    await runShardProcesses(count, (index) => swarmArgv(args, index, count, out, seed), progress);
    const code = await showSwarm(await mergeSwarm(out), args);
    if (!own && !args.json) process.stdout.write(`  shard files: ${out}\n`);
    return code;
  } finally {
    if (own) rmSync(out, { recursive: true, force: true });
  }
}
