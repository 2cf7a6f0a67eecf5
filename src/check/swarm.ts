/**
 * Swarm simulation (docs/scale-out.md, "Swarm simulation"): `simulate --shard i/n` runs shard i's
 * own random walks, as Spin's swarm verification does — many independent, differently tuned
 * searches rather than one search cut in parts. Shard i differs from the others in
 *
 * - its seeds: the seed of its k-th chunk of runs is a bijection of k·n + i (from the base seed),
 *   so no two shards of a run, and no two chunks of a shard, share a seed;
 * - the successor order: even shards prefer the model's first successors (protocol steps before
 *   faults, as `simulate` does), odd shards the last ones (faults first);
 * - the walk depth: shards 0–1 walk up to --depth steps, 2–3 half of it, 4–5 twice it, 6–7 a
 *   quarter, then again from the start (short walks give short counterexamples, long ones reach
 *   deep states).
 *
 * Each shard writes one JSON document, swarm-<i>-of-<n>.json; `mergeSwarm` adds the shards of a
 * folder up and keeps the shortest shrunk counterexample (the least steps, then the lowest shard).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../model/errors.js';
import { fingerprintHexOf as hex, fpHigh, fpLow } from '../model/fingerprint.js';
import { buildModel, runSimulation, type SimulateSettings } from './check.js';
import { compile, type Compiled } from './compile.js';
import { choicesOf } from './path.js';
import type { SimulationResult } from './simulate.js';
import type { RunInfo, Stats, StopReason } from './types.js';
import { type ModelRunKey, readRunParts, replayChoices } from './shard.js';

/** What shard `index` varies besides its seeds. */
export interface SwarmStrategy {
  readonly order: 'forward' | 'reverse';
  readonly depth: number;
}

const DEPTH_FACTORS = [1, 0.5, 2, 0.25] as const;

/** Shard `index`'s successor order and walk depth, from the run's --depth (see the top of this file). */
export function swarmStrategy(index: number, depth: number): SwarmStrategy {
  const factor = DEPTH_FACTORS[Math.floor(index / 2) % DEPTH_FACTORS.length]!;
  return { order: index % 2 === 0 ? 'forward' : 'reverse', depth: Math.max(1, Math.round(depth * factor)) };
}

const MASK = 0x7fffffff;

/** A bijection of 31-bit numbers (odd multipliers and xor-shifts), so distinct inputs give distinct seeds. */
function mix31(x: number): number {
  x = Math.imul(x, 0x2c1b3c6d) & MASK;
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39) & MASK;
  x ^= x >>> 15;
  return x;
}

/** The seed of chunk `k` of shard `index` of `count`: distinct for every (k, index) while k·count < 2³¹. */
export function swarmSeed(seed: number, index: number, count: number, k: number): number {
  const base = ((seed % 2 ** 31) + 2 ** 31) % 2 ** 31;
  return mix31((base + k * count + index) % 2 ** 31);
}

/** What was simulated: the same in every shard of one run (the merge compares them). */
export interface SwarmRunKey extends ModelRunKey {
  /** Runs per shard, and the depth and seed the shards' own are derived from. */
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  readonly count: number;
}

/** A shard's shrunk counterexample, as choices to replay. */
export interface SwarmViolation {
  readonly kind: 'invariant' | 'deadlock';
  readonly name: string;
  readonly length: number;
  /** The initial state's index, then each step's successor index (in the model's order). */
  readonly choices: readonly number[];
  /** The last state's fingerprint (hex), to check the replay against. */
  readonly key: string;
  /** Its length as found, after removing steps, and after fast-check's shrinking (= length). */
  readonly found: number | null;
  readonly minimized: number | null;
}

/** A swarm shard's document (its `swarm` field; the rest is `simulate --json`'s document of its own result). */
export interface SwarmFacts {
  readonly format: 1;
  readonly kind: 'simulate';
  readonly index: number;
  readonly count: number;
  readonly run: SwarmRunKey;
  readonly strategy: SwarmStrategy;
  /** The fast-check seeds of its chunks of runs. */
  readonly seeds: readonly number[];
  readonly runs: number;
  readonly steps: number;
  readonly deepest: number;
  readonly distinctStates: number;
  readonly durationMs: number;
  readonly peakMemoryBytes: number;
  readonly stopReason: StopReason | null;
  readonly violation: SwarmViolation | null;
}

export const SWARM_FILE = /^swarm-(\d+)-of-(\d+)\.json$/;

/** The file of shard `index` of `count`: `swarm-03-of-16.json`. */
export function swarmName(index: number, count: number): string {
  return `swarm-${String(index).padStart(String(count - 1).length, '0')}-of-${count}.json`;
}


export interface SwarmShardRun {
  readonly info: RunInfo;
  readonly result: SimulationResult<unknown>;
  readonly facts: SwarmFacts;
  /** Write the shard's document (`document`'s fields with `swarm: facts`) into `dir`, atomically. */
  write(dir: string, document: object): string;
}

/** Run swarm shard `index` of `count` of a model file: its seeds, order and depth (see the top of this file). */
export async function runSwarmShard(file: string, settings: SimulateSettings, plan: { readonly index: number; readonly count: number }): Promise<SwarmShardRun> {
  const { index, count } = plan;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`the shard count must be a whole number of at least 1, got ${String(count)}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new UsageError(`the shard index must be a whole number from 0 to ${count - 1}, got ${String(index)}`);
  const runs = settings.runs ?? 1000;
  const depth = settings.depth ?? 200;
  // Without a seed every shard must still agree on one: 0, so a rerun repeats the same runs.
  const seed = settings.seed ?? 0;
  const strategy = swarmStrategy(index, depth);
  const { info, result, compiled } = await runSimulation(
    file,
    { ...settings, runs, depth: strategy.depth, seed, order: strategy.order, chunkSeeds: (k) => swarmSeed(seed, index, count, k) },
    file,
  );
  const v = result.violation;
  let violation: SwarmViolation | null = null;
  if (v && (v.kind === 'invariant' || v.kind === 'deadlock')) {
    compiled.key(v.trace[v.trace.length - 1]!.state);
    const key = hex(fpHigh(), fpLow());
    violation = { kind: v.kind, name: v.name, length: v.trace.length - 1, choices: choicesOf(compiled, v.trace), key, found: result.simulation.found, minimized: result.simulation.minimized };
  }
  const sim = result.simulation;
  const facts: SwarmFacts = {
    format: 1,
    kind: 'simulate',
    index,
    count,
    run: {
      model: info.model,
      file,
      path: resolve(file),
      variant: info.variant,
      params: info.params,
      faults: info.faults ?? null,
      deadlock: settings.deadlock ?? null,
      runs,
      depth,
      seed,
      count,
    },
    strategy,
    seeds: sim.seeds ?? [],
    runs: sim.runs,
    steps: sim.steps,
    deepest: sim.deepest,
    distinctStates: sim.distinctStates,
    durationMs: result.stats.durationMs,
    peakMemoryBytes: result.stats.peakMemoryBytes,
    stopReason: result.stopReason,
    violation,
  };
  const write = (dir: string, document: object) => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, swarmName(index, count));
    writeFileSync(`${path}.tmp-${process.pid}`, JSON.stringify({ ...document, swarm: facts }, null, 1) + '\n');
    renameSync(`${path}.tmp-${process.pid}`, path);
    return path;
  };
  return { info, result, facts, write };
}

/** How the swarm's shards shared the runs. */
export interface Swarm {
  readonly shards: number;
  readonly shardRuns: readonly number[];
  readonly shardDurationsMs: readonly number[];
  readonly strategies: readonly SwarmStrategy[];
  /** The shard whose counterexample is reported, and how many shards found one. */
  readonly violationShard: number | null;
  readonly shardsFailing: number;
}

export interface MergedSwarm {
  readonly info: RunInfo;
  readonly result: SimulationResult<unknown>;
  readonly compiled: Compiled<unknown>;
  readonly swarm: Swarm;
}

/** Whether `dir` holds swarm shard files. */
export function hasSwarmFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((n) => SWARM_FILE.test(n));
}

/** Read the swarm documents of `dir`, checking that they are every shard of one run. */
export function readSwarm(dir: string): SwarmFacts[] {
  const describe = (s: SwarmFacts) => `${s.run.model} ${s.run.variant} ${JSON.stringify(s.run.params)}, seed ${s.run.seed}, ${s.count} shards`;
  return readRunParts<SwarmFacts>(dir, {
    file: SWARM_FILE,
    field: 'swarm',
    noun: 'swarm',
    writtenBy: 'swarm-<i>-of-<n>.json, written by simulate --shard',
    valid: (s) => s.format === 1 && s.kind === 'simulate',
    differ: (first, s) => `swarm shards of different runs (${describe(first)}; ${describe(s)})`,
    fileName: swarmName,
  });
}

/**
 * Merge the swarm shards in `dir`: runs and steps added up, and the shortest counterexample over
 * all of them, replayed on the model (loaded again). Distinct states are each shard's own, added
 * up: a state two shards saw counts twice (the walks keep fingerprints only in memory).
 */
export async function mergeSwarm(dir: string): Promise<MergedSwarm> {
  const shards = readSwarm(dir);
  const run = shards[0]!.run;
  const file = existsSync(resolve(run.file)) ? run.file : existsSync(run.path) ? run.path : null;
  if (file === null) throw new UsageError(`cannot find the model file the shards simulated, ${run.file} (run merge in the folder the shards ran in)`);
  const built = await buildModel(file, { variant: run.variant, params: run.params, ...(run.faults ? { faults: run.faults } : {}) }, run.file);
  const compiled = compile(built.spec, { symmetry: false });

  let pick: SwarmFacts | null = null;
  for (const s of shards) if (s.violation && (!pick || s.violation.length < pick.violation!.length)) pick = s;
  const violation = pick ? replayChoices(compiled, `swarm shard ${pick.index}`, pick.violation!) : null;
  const pv = pick?.violation ?? null;

  const sum = (f: (s: SwarmFacts) => number) => shards.reduce((a, s) => a + f(s), 0);
  const steps = sum((s) => s.steps);
  const durationMs = Math.max(...shards.map((s) => s.durationMs));
  const deepest = Math.max(...shards.map((s) => s.deepest));
  const distinct = sum((s) => s.distinctStates);
  const perSecond = durationMs > 0 ? Math.round((steps / durationMs) * 1000) : steps;
  const stats: Stats = {
    distinctStates: distinct,
    generatedStates: steps,
    diameter: deepest,
    durationMs,
    statesPerSecond: perSecond,
    actions: [],
    collisionProbability: 0,
    storeBytes: 0,
    peakMemoryBytes: Math.max(...shards.map((s) => s.peakMemoryBytes)),
  };
  const stopped = shards.find((s) => s.stopReason === 'interrupted') ?? shards.find((s) => s.stopReason === 'time-limit');
  const result: SimulationResult<unknown> = {
    result: violation ? (violation.kind === 'deadlock' ? 'deadlock' : 'violation') : 'ok',
    complete: false,
    stopReason: violation ? 'violation' : (stopped?.stopReason ?? null),
    stats,
    violation,
    simulation: {
      seed: run.seed,
      runs: sum((s) => s.runs),
      steps,
      stepsPerSecond: perSecond,
      deepest,
      distinctStates: distinct,
      found: pv?.found ?? null,
      minimized: pv?.minimized ?? null,
      shrunk: pv?.length ?? null,
    },
  };
  const swarm: Swarm = {
    shards: shards.length,
    shardRuns: shards.map((s) => s.runs),
    shardDurationsMs: shards.map((s) => s.durationMs),
    strategies: shards.map((s) => s.strategy),
    violationShard: pick ? pick.index : null,
    shardsFailing: shards.filter((s) => s.violation).length,
  };
  return { info: built.info, result, compiled, swarm };
}
