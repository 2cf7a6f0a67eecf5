/**
 * A check split into shards that run as independent jobs (docs/scale-out.md).
 *
 * Every shard runs the same breadth-first prefix up to the split depth d, takes its part of the
 * level at d (the index-th of `count` runs of consecutive states), and carries the search on below
 * them in the prefix's store: states at depth ≤ d are known to every shard, and below them
 * each shard keeps its own seen set. It writes its store's fingerprints (fpfile.ts), its figures
 * and the first violation its breadth-first search met, with the choices that lead to it from an
 * initial state. `mergeShards` adds the shards of a folder up: the exact distinct count, the
 * diameter and the shortest violation over all of them (the argument is in docs/scale-out.md).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelError, UsageError } from '../model/errors.js';
import { fingerprintHexOf as hex, fpHigh, fpLow } from '../model/fingerprint.js';
import { type Level, newLevel, searchAsync, finished, type Searched } from './bfs.js';
import { prepareSafety, type CheckSettings, type CheckTarget } from './check.js';
import type { Compiled } from './compile.js';
import { explain } from './core.js';
import { BEYOND_CONSTRAINT, mergeFingerprintFiles, NOT_EXPANDED, writeFingerprintFile } from './fpfile.js';
import { follow } from './path.js';
import type { CheckResult, RunInfo, Stats, StopReason, Violation } from './types.js';
import type { AnyModel } from '../model/types.js';

/** Which shard to run: `index` of `count` (0-based), split at `splitDepth` or at the default level. */
export interface ShardPlan {
  readonly index: number;
  readonly count: number;
  /** The depth of the level to split (default: the first level with STATES_PER_SHARD states per shard). */
  readonly splitDepth?: number;
  /**
   * Which states of the level a shard takes: `blocks` (the default), the index-th of `count`
   * runs of consecutive states; `stride`, the states whose position is the index modulo `count`.
   * Both are correct; blocks repeat less work (consecutive states of a breadth-first level share
   * ancestors, and so descendants: docs/scale-out.md has the figures).
   */
  readonly partition?: 'blocks' | 'stride';
}

/** The default split: the first level holding at least this many states per shard. */
export const STATES_PER_SHARD = 256;

/** Which model a shard ran, as every kind of shard file names it. */
export interface ModelRunKey {
  readonly model: string;
  /** The model file as the shard was given it, and as an absolute path. */
  readonly file: string;
  readonly path: string;
  readonly variant: string;
  readonly params: RunInfo['params'];
  readonly faults: Record<string, number> | null;
  readonly deadlock: boolean | null;
}

/** What was checked: the same in every shard of one run (the merge compares them). */
export interface ShardRunKey extends ModelRunKey {
  readonly witness: string | null;
  readonly invariants: readonly string[] | null;
  readonly symmetry: boolean;
  readonly maxDepth: number | null;
  readonly maxStates: number | null;
  /** The split depth asked for (`auto`: the default rule). */
  readonly split: number | 'auto';
  readonly partition: 'blocks' | 'stride';
  readonly count: number;
}

/** The first violation a shard's search met, and the way to it. */
export interface ShardViolation {
  readonly kind: 'invariant' | 'deadlock';
  readonly name: string;
  /** Steps from an initial state. */
  readonly length: number;
  /**
   * The level whose expansion found it: a state that breaks an invariant is found as its level's
   * predecessor is expanded (length − 1), a deadlock when its own level is (length).
   */
  readonly level: number;
  /** The initial state's index in the model's initial states, then each step's successor index. */
  readonly choices: readonly number[];
  /** The last state's fingerprint (hex), to check the replay against. */
  readonly key: string;
}

/** A shard's document (its `shard` field; the rest of the file is `check --json`'s document of the shard's own result). */
export interface ShardFacts {
  readonly format: 1;
  readonly index: number;
  readonly count: number;
  readonly run: ShardRunKey;
  /** The depth split at; null when the search ended before it (every shard then did the whole search). */
  readonly splitDepth: number | null;
  /** States in the level split, and how many of them this shard took. */
  readonly frontier: number;
  readonly owned: number;
  /** A digest of the split level's fingerprints in order: equal in every shard of a deterministic model. */
  readonly frontierDigest: string;
  /** Distinct states at depth ≤ the split depth (every shard has them). */
  readonly prefixStates: number;
  /** Initial states, counted as `check` counts them in `generatedStates`. */
  readonly initialGenerated: number;
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly diameter: number;
  readonly durationMs: number;
  readonly peakMemoryBytes: number;
  readonly storeBytes: number;
  readonly complete: boolean;
  readonly stopReason: StopReason | null;
  readonly violation: ShardViolation | null;
  /** The fingerprint file, beside this one. */
  readonly fingerprints: { readonly file: string; readonly records: number };
  /** The model's liveness properties: `not-checked` (a sharded run checks safety only), `skipped` (--no-liveness), null (it has none). */
  readonly liveness: 'not-checked' | 'skipped' | null;
  /** Whether the model has a constraint (then the merge counts the states at its edge). */
  readonly constraint: boolean;
}

/** A shard that has run: its own result (its part only) and what it writes. */
export interface ShardRun {
  readonly info: RunInfo;
  /** The shard's own result: the first violation of its part (traced from an initial state), its figures. */
  readonly result: CheckResult<unknown>;
  readonly facts: Omit<ShardFacts, 'fingerprints'>;
  /**
   * Write the fingerprint file and the shard's document (`document`'s fields with `shard: facts`)
   * into `dir`; the document last, so that its presence says the shard is done.
   */
  write(dir: string, document: object): { json: string; fingerprints: string; document: object };
}

/** The files of shard `index` of `count`: `shard-03-of-16.json` and `.fp`. */
export function shardName(index: number, count: number): string {
  return `shard-${String(index).padStart(String(count - 1).length, '0')}-of-${count}`;
}

const SHARD_FILE = /^shard-(\d+)-of-(\d+)\.json$/;

/** Remove the shard files (a check's or a swarm simulation's) of an earlier run from `dir` (before a run that writes them all), returning how many. */
export function clearShardFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  const old = readdirSync(dir).filter((n) => /^(shard-\d+-of-\d+\.(json|fp)|swarm-\d+-of-\d+\.json)$/.test(n));
  for (const n of old) rmSync(join(dir, n), { force: true });
  return old.length;
}

function checkPlan(plan: ShardPlan): void {
  const { index, count, splitDepth } = plan;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`the shard count must be a whole number of at least 1, got ${String(count)}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new UsageError(`the shard index must be a whole number from 0 to ${count - 1}, got ${String(index)}`);
  if (splitDepth !== undefined && (!Number.isInteger(splitDepth) || splitDepth < 0)) throw new UsageError(`the split depth must be a whole number of at least 0, got ${String(splitDepth)}`);
  if (plan.partition !== undefined && plan.partition !== 'blocks' && plan.partition !== 'stride') throw new UsageError(`the partition must be blocks or stride, got ${String(plan.partition)}`);
}

/** A 32-bit FNV-1a digest of the fingerprints of ids [from, to) of a store, as hex. */
function digest(searched: Searched<unknown>, from: number, to: number): string {
  let h = 0x811c9dc5;
  const mix = (w: number) => {
    for (let k = 0; k < 4; k++) {
      h ^= (w >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  };
  for (let id = from; id < to; id++) {
    mix(searched.store.fpHigh(id));
    mix(searched.store.fpLow(id));
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}


/** Each state's successor count, by id, as the search reports expansions (NOT_EXPANDED until then). */
class SuccessorCounts {
  private a = new Uint32Array(1 << 14).fill(NOT_EXPANDED);
  readonly record = (id: number, n: number): void => {
    if (id >= this.a.length) {
      let len = this.a.length;
      while (len <= id) len *= 2;
      const b = new Uint32Array(len).fill(NOT_EXPANDED);
      b.set(this.a);
      this.a = b;
    }
    this.a[id] = n < 0 ? BEYOND_CONSTRAINT : n;
  };
  get(id: number): number {
    return id < this.a.length ? this.a[id]! : NOT_EXPANDED;
  }
}

/** The model file of a target, as given and as an absolute path (a sharded check needs a file: the merge loads the model again). */
function modelFile(target: CheckTarget, file: string | undefined): { file: string; path: string } {
  if (typeof target === 'string') return { file: file ?? target, path: resolve(target) };
  if (target instanceof URL) return { file: file ?? fileURLToPath(target), path: fileURLToPath(target) };
  throw new UsageError('a sharded check needs the model as a file (the merge loads it again): give its path or URL');
}

/**
 * Run shard `plan.index` of `plan.count`: the common prefix, then the search below this shard's
 * part of the split level. Safety only: invariants and deadlocks (or a witness).
 */
export async function runShard(target: CheckTarget, settings: CheckSettings, plan: ShardPlan, file?: string): Promise<ShardRun> {
  checkPlan(plan);
  const where = modelFile(target, file);
  const { built, compiled, budget, symmetry } = await prepareSafety(target, settings, where.file);
  const { index, count } = plan;
  const counts = new SuccessorCounts();
  const splitAt = plan.splitDepth;
  const partition = plan.partition ?? 'blocks';
  const prefix = await searchAsync(compiled, budget, {
    split: splitAt !== undefined ? (depth) => depth >= splitAt : (_depth, size) => size >= STATES_PER_SHARD * count,
    expanded: counts.record,
  });
  let end = prefix;
  let owned = 0;
  const frontier = prefix.split ? prefix.frontier.size : 0;
  const prefixStates = prefix.store.size;
  const frontierDigest = prefix.split ? digest(prefix, prefix.frontierStart, prefix.frontierStart + frontier) : '';
  if (prefix.split) {
    // This shard's part of the level (see ShardPlan.partition).
    const level: Level<unknown> = newLevel(compiled);
    const ids: number[] = [];
    const [from, to] = [Math.floor((index * frontier) / count), Math.floor(((index + 1) * frontier) / count)];
    const mine = partition === 'stride' ? (k: number) => k % count === index : (k: number) => k >= from && k < to;
    for (let k = 0; k < frontier; k++) {
      const s = prefix.frontier.take();
      if (mine(k)) {
        level.add(s);
        ids.push(prefix.frontierStart + k);
      }
    }
    owned = ids.length;
    end = await searchAsync(compiled, budget, { from: { searched: prefix, level, ids }, expanded: counts.record });
  }
  const result = finished(compiled, budget, end);

  const f = end.found;
  let violation: ShardViolation | null = null;
  if (f) {
    const path = end.store.pathTo(f.id);
    const length = path.length - 1;
    violation = {
      kind: f.kind,
      name: f.name,
      length,
      level: f.kind === 'deadlock' ? length : length - 1,
      choices: path.map((id) => end.store.choice(id)),
      key: hex(end.store.fpHigh(f.id), end.store.fpLow(f.id)),
    };
  }
  const hasLiveness = compiled.properties.length > 0 && !settings.witness;
  const facts: Omit<ShardFacts, 'fingerprints'> = {
    format: 1,
    index,
    count,
    run: {
      model: built.info.model,
      file: where.file,
      path: where.path,
      variant: built.info.variant,
      params: built.info.params,
      faults: built.info.faults ?? null,
      witness: settings.witness ?? null,
      invariants: settings.invariants ? [...settings.invariants] : null,
      symmetry,
      deadlock: settings.deadlock ?? null,
      maxDepth: settings.limits?.maxDepth ?? null,
      maxStates: settings.limits?.maxStates ?? null,
      split: splitAt ?? 'auto',
      partition,
      count,
    },
    splitDepth: prefix.split ? prefix.depth : null,
    frontier,
    owned,
    frontierDigest,
    prefixStates,
    initialGenerated: compiled.init.length,
    distinctStates: result.stats.distinctStates,
    generatedStates: result.stats.generatedStates,
    diameter: result.stats.diameter,
    durationMs: Math.round(result.stats.durationMs),
    peakMemoryBytes: result.stats.peakMemoryBytes,
    storeBytes: result.stats.storeBytes,
    complete: result.complete,
    stopReason: result.stopReason,
    violation,
    liveness: hasLiveness ? (settings.liveness === false ? 'skipped' : 'not-checked') : null,
    constraint: compiled.beyond !== null,
  };
  // The depth of a state from its id: the levels' ids are consecutive (Searched.levelStarts).
  const starts = end.levelStarts;
  const depthOf = (id: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const write = (dir: string, document: object) => {
    mkdirSync(dir, { recursive: true });
    const name = shardName(index, count);
    const fingerprints = join(dir, `${name}.fp`);
    const records = writeFingerprintFile(fingerprints, end.store, depthOf, (id) => counts.get(id));
    const json = join(dir, `${name}.json`);
    const doc = { ...document, shard: { ...facts, fingerprints: { file: `${name}.fp`, records } } };
    writeFileSync(`${json}.tmp-${process.pid}`, JSON.stringify(doc, null, 1) + '\n');
    renameSync(`${json}.tmp-${process.pid}`, json);
    return { json, fingerprints, document: doc };
  };
  return { info: built.info, result, facts, write };
}

// ------------------------------------------------------------------ merging

/** How the shards shared the work. */
export interface Sharding {
  readonly shards: number;
  /** The depth split at (null: the search ended before it, and every shard did all of it). */
  readonly splitDepth: number | null;
  readonly frontier: number;
  readonly prefixStates: number;
  /** Each shard's distinct states (the prefix's included) and search time. */
  readonly shardStates: readonly number[];
  readonly shardDurationsMs: readonly number[];
  /** The shards' distinct states added up, over the merged distinct count: the work sharding repeats. */
  readonly redundancy: number;
  /** The shard whose violation is reported. */
  readonly violationShard: number | null;
  /** See ShardFacts.liveness. */
  readonly liveness: 'not-checked' | 'skipped' | null;
}

/** A merged run: what was checked, the result as `check` would give it, and how the shards shared it. */
export interface MergedRun {
  readonly info: RunInfo;
  /** The model, loaded again. */
  readonly model: AnyModel;
  readonly result: CheckResult<unknown>;
  /** The model, compiled again (a report draws its state graph from it). */
  readonly compiled: Compiled<unknown>;
  readonly sharding: Sharding;
}

/** What shard documents of either kind (a check's, a swarm's) have in common. */
export interface RunPart {
  readonly index: number;
  readonly count: number;
  readonly run: unknown;
}

/** How to read the documents of one kind of shard (see readRunParts). */
export interface PartKind<T extends RunPart> {
  /** The file names, the JSON field holding the facts, and the documents' name in messages. */
  readonly file: RegExp;
  readonly field: string;
  readonly noun: string;
  /** What writes these files, for the message when there are none. */
  readonly writtenBy: string;
  /** Whether a parsed field is a document of this faultline. */
  valid(x: T): boolean;
  /** The two runs, for the message when a folder mixes them. */
  differ(first: T, other: T): string;
  fileName(index: number, count: number): string;
}

/**
 * The documents of `dir` of one kind, in shard order, checking that they are every shard of one
 * run (one line, naming the folder, for a missing folder or file, a foreign file, mixed runs).
 */
export function readRunParts<T extends RunPart>(dir: string, kind: PartKind<T>): T[] {
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${dir}`);
  const names = readdirSync(dir).filter((n) => kind.file.test(n));
  if (names.length === 0) throw new UsageError(`no ${kind.noun} files in ${dir} (${kind.writtenBy})`);
  const parts = names.map((name) => {
    let doc: { [field: string]: T | undefined };
    try {
      doc = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { [field: string]: T | undefined };
    } catch (e) {
      throw new UsageError(`${join(dir, name)}: not a ${kind.noun} document (${(e as Error).message.split('\n')[0]})`);
    }
    const x = doc[kind.field];
    if (!x || typeof x.index !== 'number' || typeof x.count !== 'number' || !x.run || !kind.valid(x))
      throw new UsageError(`${join(dir, name)}: not a ${kind.noun} document of this faultline (no "${kind.field}" field of format 1)`);
    return x;
  });
  const first = parts[0]!;
  const runOf = (x: T) => JSON.stringify(x.run);
  for (const x of parts) if (runOf(x) !== runOf(first)) throw new UsageError(`${dir} holds ${kind.differ(first, x)}: give each run its own folder`);
  const n = first.count;
  const byIndex = new Map(parts.map((x) => [x.index, x]));
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new UsageError(`${missing.length === 1 ? 'shard' : 'shards'} ${missing.join(', ')} of ${n} missing from ${dir} (${kind.fileName(missing[0]!, n)}…): not finished, or failed`);
  return Array.from({ length: n }, (_, i) => byIndex.get(i)!);
}

/** Read the shard documents of `dir`, checking that they are every shard of one run. */
export function readShards(dir: string): ShardFacts[] {
  const describe = (s: ShardFacts) => `${s.run.model} ${s.run.variant} ${JSON.stringify(s.run.params)}, ${s.count} shards`;
  const ordered = readRunParts<ShardFacts>(dir, {
    file: SHARD_FILE,
    field: 'shard',
    noun: 'shard',
    writtenBy: 'shard-<i>-of-<n>.json, written by check --shard, or swarm-<i>-of-<n>.json, by simulate --shard',
    valid: (s) => s.format === 1,
    differ: (first, s) => `shards of different runs (${describe(first)}; ${describe(s)}, split ${s.run.split})`,
    fileName: (i, n) => `${shardName(i, n)}.json`,
  });
  const first = ordered[0]!;
  for (const s of ordered)
    if (s.splitDepth !== first.splitDepth || s.frontier !== first.frontier || s.frontierDigest !== first.frontierDigest || s.prefixStates !== first.prefixStates)
      throw new ModelError(
        `shards 0 and ${s.index} split at different levels (depth ${first.splitDepth}, ${first.frontier} states; depth ${s.splitDepth}, ${s.frontier} states): the model is not deterministic, or they ran different versions of it`,
      );
  return ordered;
}

/** What a shard of either kind keeps of a violation: enough to replay it. */
export interface ReplayableViolation {
  readonly kind: 'invariant' | 'deadlock';
  readonly name: string;
  readonly length: number;
  /** The initial state's index, then each step's successor index. */
  readonly choices: readonly number[];
  /** The last state's fingerprint (hex). */
  readonly key: string;
}

/**
 * Rebuild a violation `who` found (`shard 3`, `swarm shard 3`) from its choices, checking that it
 * ends where the shard's did.
 */
export function replayChoices(model: Compiled<unknown>, who: string, v: ReplayableViolation): Violation<unknown> {
  const start = model.init[v.choices[0]!];
  const broken = (why: string) => new ModelError(`replaying ${who}'s ${v.name} trace: ${why}; the model is not deterministic, or the shard ran another version of it`);
  if (start === undefined) throw broken(`the model has no initial state ${v.choices[0]! + 1}`);
  const trace = follow(model, start, v.length, (k, _from, buf) => (v.choices[k]! < buf.length ? v.choices[k]! : -1), true);
  if (trace === null) throw broken('a step is not there');
  const last = trace[trace.length - 1]!.state;
  model.key(last);
  if (hex(fpHigh(), fpLow()) !== v.key) throw broken('it ends in another state');
  const explanation = v.kind === 'invariant' ? explain(model, v.name, last) : null;
  return { kind: model.witness !== null && v.kind === 'invariant' ? 'witness' : v.kind, name: v.name, explanation, trace };
}

/**
 * Merge the shards in `dir`: the union of their fingerprint files (streamed, see fpfile.ts), the
 * shortest violation over all of them (replayed on the model, loaded again), and the figures as
 * `check` gives them. `chunkRecords` sets how many records of each file are read at a time.
 */
export async function mergeShards(dir: string, options: { readonly chunkRecords?: number } = {}): Promise<MergedRun> {
  const shards = readShards(dir);
  const first = shards[0]!;
  const run = first.run;
  const paths = shards.map((s) => {
    const p = join(dir, basename(s.fingerprints.file));
    if (!existsSync(p)) throw new UsageError(`${p} is missing (shard ${s.index}'s fingerprints)`);
    return p;
  });
  const states = mergeFingerprintFiles(paths, options.chunkRecords);

  // The model again: for the trace, its explanation and the report's state graph.
  const file = existsSync(resolve(run.file)) ? run.file : existsSync(run.path) ? run.path : null;
  if (file === null) throw new UsageError(`cannot find the model file the shards checked, ${run.file} (run merge in the folder the shards ran in)`);
  const settings: CheckSettings = {
    variant: run.variant,
    params: run.params,
    ...(run.faults ? { faults: run.faults } : {}),
    ...(run.witness ? { witness: run.witness } : {}),
    ...(run.invariants ? { invariants: run.invariants } : {}),
    symmetry: run.symmetry,
    ...(run.deadlock !== null ? { deadlock: run.deadlock } : {}),
  };
  const { built, compiled } = await prepareSafety(file, settings, run.file);

  // The shortest violation: the least level, then the fewest steps, then the lowest shard.
  let pick: ShardFacts | null = null;
  for (const s of shards) {
    const v = s.violation;
    if (!v) continue;
    const p = pick?.violation;
    if (!p || v.level < p.level || (v.level === p.level && v.length < p.length)) pick = s;
  }
  const violation = pick ? replayChoices(compiled, `shard ${pick.index}`, pick.violation!) : null;
  const incomplete = shards.find((s) => !s.complete && s.stopReason !== 'violation');
  const stopReason: StopReason | null = violation ? 'violation' : (incomplete?.stopReason ?? null);

  const durationMs = Math.max(...shards.map((s) => s.durationMs));
  const n = states.distinct;
  const generated = first.initialGenerated + states.successors;
  const stats: Stats = {
    distinctStates: n,
    generatedStates: generated,
    diameter: states.diameter,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((n / durationMs) * 1000) : n,
    // Per action, a shard counts what it generated and found first: added up, those would count
    // the redundant work, and they cannot be told apart afterwards. The shard files have them.
    actions: [],
    collisionProbability: (n * Math.max(0, generated - n)) / 2 ** 64,
    storeBytes: Math.max(...shards.map((s) => s.storeBytes)),
    peakMemoryBytes: Math.max(...shards.map((s) => s.peakMemoryBytes)),
    ...(first.constraint ? { beyondConstraint: states.beyond } : {}),
  };
  const v = violation;
  const result: CheckResult<unknown> = {
    result: v ? (v.kind === 'deadlock' ? 'deadlock' : v.kind === 'witness' ? 'witness' : 'violation') : 'ok',
    complete: stopReason === null,
    stopReason,
    stats,
    violation,
  };
  const total = shards.reduce((a, s) => a + s.distinctStates, 0);
  const sharding: Sharding = {
    shards: shards.length,
    splitDepth: first.splitDepth,
    frontier: first.frontier,
    prefixStates: first.prefixStates,
    shardStates: shards.map((s) => s.distinctStates),
    shardDurationsMs: shards.map((s) => s.durationMs),
    redundancy: n > 0 ? total / n : 1,
    violationShard: pick ? pick.index : null,
    liveness: first.liveness,
  };
  return { info: built.info, model: built.model, result, compiled, sharding };
}
