/**
 * Sharded checks (src/check/shard.ts, docs/scale-out.md): the shards of a run, merged, give what
 * one process gives — the distinct count, the diameter, the number of states generated, the
 * verdict and the length of the shortest trace — for every shard count, split depth and partition
 * of the split level; and the merge checks what it is given.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './helpers.js';
import { runCheck, type CheckSettings } from '../src/check/check.js';
import { mergeShards, runShard, shardName, type ShardFacts, type ShardPlan } from '../src/check/shard.js';

const tempDir = tempDirs('faultline-shard-');

/** Run every shard of a run into a fresh folder, in this process. */
async function runAll(file: string, settings: CheckSettings, count: number, plan: Omit<ShardPlan, 'index' | 'count'> = {}): Promise<string> {
  const dir = tempDir();
  for (let index = 0; index < count; index++) (await runShard(file, settings, { index, count, ...plan })).write(dir, {});
  return dir;
}

/** The shard documents' `shard` fields. */
function facts(dir: string, count: number): ShardFacts[] {
  return Array.from({ length: count }, (_, i) => (JSON.parse(readFileSync(join(dir, `${shardName(i, count)}.json`), 'utf8')) as { shard: ShardFacts }).shard);
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly settings: CheckSettings;
  /** Split depths to try besides the default (which, on these small models, may not split at all). */
  readonly splits: readonly number[];
  /** Leave out the default split (to keep the test fast). */
  readonly noDefault?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'two-phase rms=4', file: 'models/classic/two-phase.ts', settings: { params: { rms: 4 } }, splits: [2, 6] },
  { name: 'at-least-once requests=2 (actors, faults)', file: 'models/examples/at-least-once.ts', settings: { params: { requests: 2 } }, splits: [3] },
  { name: 'at-least-once, witness AllAcked', file: 'models/examples/at-least-once.ts', settings: { params: { requests: 2 }, witness: 'AllAcked' }, splits: [2] },
  { name: 'two-phase commit-without-votes (violation)', file: 'models/classic/two-phase.ts', settings: { variant: 'commit-without-votes' }, splits: [1, 2, 5] },
  { name: 'paxos, no faults', file: 'models/paxos.ts', settings: { faults: { crash: 0, restart: 0 } }, splits: [8], noDefault: true },
  { name: 'paxos ignore-promised-values (violation)', file: 'models/paxos.ts', settings: { variant: 'ignore-promised-values', faults: { crash: 0, restart: 0 } }, splits: [4, 9] },
  { name: 'raft no-up-to-date-check (violation)', file: 'models/raft.ts', settings: { variant: 'no-up-to-date-check' }, splits: [5] },
];

describe('merged shards equal one process', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const one = (await runCheck(c.file, { ...c.settings, liveness: false })).result;
      const runs: Omit<ShardPlan, 'index' | 'count'>[] = [
        ...[...(c.noDefault ? [] : [undefined]), ...c.splits].map((splitDepth) => ({ ...(splitDepth !== undefined ? { splitDepth } : {}) })),
        // The other partition of the split level, at the first split depth.
        { splitDepth: c.splits[0]!, partition: 'stride' },
      ];
      for (const plan of runs)
        for (const n of [1, 2, 3, 5]) {
          const dir = await runAll(c.file, c.settings, n, plan);
          // Seven records of each file at a time: the merge crosses many chunk boundaries.
          const merged = await mergeShards(dir, { chunkRecords: 7 });
          const r = merged.result;
          const what = `${n} shards, split ${plan.splitDepth ?? 'default'}${plan.partition ? ', ' + plan.partition : ''}`;
          expect(r.result, what).toBe(one.result);
          expect(r.violation?.kind, what).toBe(one.violation?.kind);
          expect(r.violation?.name, what).toBe(one.violation?.name);
          expect(r.violation?.trace.length, what).toBe(one.violation?.trace.length);
          const split = plan.splitDepth;
          // Split above the shortest trace's end or the deepest state: the shards really split.
          if (split !== undefined && split < (one.violation ? one.violation.trace.length - 1 : one.stats.diameter)) expect(merged.sharding.splitDepth, what).toBe(split);
          // The bad state is stored at its depth (the shortest trace's length): the diameter reaches it.
          if (r.violation) expect(r.stats.diameter, what).toBeGreaterThanOrEqual(r.violation.trace.length - 1);
          if (!one.violation) {
            expect(r.complete, what).toBe(true);
            expect(r.stats.distinctStates, what).toBe(one.stats.distinctStates);
            expect(r.stats.diameter, what).toBe(one.stats.diameter);
            expect(r.stats.generatedStates, what).toBe(one.stats.generatedStates);
          }
          // One shard is the whole search: it stores exactly the distinct states.
          if (n === 1) expect(merged.sharding.redundancy, what).toBe(1);
          expect(merged.sharding.redundancy, what).toBeGreaterThanOrEqual(1);
        }
    });
});

describe('the shortest violation over the shards', () => {
  it('is the merge of shards that met longer ones, or none', async () => {
    // Paxos ignore-promised-values breaks Agreement in 14 steps (specs/paxos.yaml); split at depth 4
    // into 5, most shards' parts hold no such short run: they meet a longer one, or none.
    const one = (await runCheck('models/paxos.ts', { variant: 'ignore-promised-values', faults: { crash: 0, restart: 0 } })).result;
    const dir = await runAll('models/paxos.ts', { variant: 'ignore-promised-values', faults: { crash: 0, restart: 0 } }, 5, { splitDepth: 4 });
    const shards = facts(dir, 5);
    const lengths = shards.map((s) => s.violation?.length ?? Infinity);
    expect(Math.min(...lengths)).toBe(one.violation!.trace.length - 1);
    expect(lengths.some((l) => l > Math.min(...lengths))).toBe(true);
    const merged = await mergeShards(dir);
    expect(merged.sharding.violationShard).toBe(lengths.indexOf(Math.min(...lengths)));
    // The trace goes through the prefix: from an initial state, through the split level.
    expect(merged.result.violation!.trace[0]!.action).toBe(null);
    expect(merged.result.violation!.trace.length - 1).toBe(14);
  });

  it('is found in the prefix when it is shorter than the split depth, by every shard alike', async () => {
    const dir = await runAll('models/classic/two-phase.ts', { variant: 'commit-without-votes' }, 3, { splitDepth: 8 });
    const shards = facts(dir, 3);
    expect(shards.every((s) => s.splitDepth === null && s.violation?.length === 3)).toBe(true);
    expect((await mergeShards(dir)).result.violation!.trace.length - 1).toBe(3);
  });
});

describe('bounds', () => {
  it('a shard stopped by a bound leaves the merged run incomplete, with its reason', async () => {
    const dir = await runAll('models/classic/two-phase.ts', { params: { rms: 4 }, limits: { maxStates: 400 } }, 2, { splitDepth: 4 });
    const r = (await mergeShards(dir)).result;
    expect(r.complete).toBe(false);
    expect(r.stopReason).toBe('max-states');
  });
});

describe('merge checks its input', () => {
  const settings: CheckSettings = { params: { rms: 3 } };
  it('a missing shard, shards of two runs, a damaged fingerprint file, a folder without shards', async () => {
    const dir = await runAll('models/classic/two-phase.ts', settings, 3, { splitDepth: 3 });
    const other = await runAll('models/classic/two-phase.ts', { params: { rms: 2 } }, 3, { splitDepth: 3 });

    const missing = tempDir();
    for (const i of [0, 2]) for (const ext of ['json', 'fp']) copyFileSync(join(dir, `${shardName(i, 3)}.${ext}`), join(missing, `${shardName(i, 3)}.${ext}`));
    await expect(mergeShards(missing)).rejects.toThrow(/shard 1 of 3 missing/);

    const mixed = tempDir();
    for (const i of [0, 1]) for (const ext of ['json', 'fp']) copyFileSync(join(dir, `${shardName(i, 3)}.${ext}`), join(mixed, `${shardName(i, 3)}.${ext}`));
    for (const ext of ['json', 'fp']) copyFileSync(join(other, `${shardName(2, 3)}.${ext}`), join(mixed, `${shardName(2, 3)}.${ext}`));
    await expect(mergeShards(mixed)).rejects.toThrow(/different runs/);

    truncateSync(join(dir, `${shardName(1, 3)}.fp`), 100);
    await expect(mergeShards(dir)).rejects.toThrow(/shard-1-of-3\.fp: .*cut short/);

    await expect(mergeShards(tempDir())).rejects.toThrow(/no shard files/);
    await expect(mergeShards(join(tempDir(), 'nowhere'))).rejects.toThrow(/no such folder/);
  });
});

describe('the command line', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/faultline.mjs', ...args], { encoding: 'utf8' });

  it('check --shards 2 gives check --json\'s figures; merge of the kept shard files the same', () => {
    const out = tempDir();
    const one = JSON.parse(cli('check', 'models/classic/two-phase.ts', '--param', 'rms=3', '--json').stdout) as { stats: { distinctStates: number; generatedStates: number; diameter: number } };
    const r = cli('check', 'models/classic/two-phase.ts', '--param', 'rms=3', '--shards', '2', '--split-depth', '3', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as typeof one & { result: string; sharding: { shards: number; splitDepth: number } };
    expect(doc.result).toBe('ok');
    expect(doc.sharding).toMatchObject({ shards: 2, splitDepth: 3 });
    expect([doc.stats.distinctStates, doc.stats.generatedStates, doc.stats.diameter]).toEqual([one.stats.distinctStates, one.stats.generatedStates, one.stats.diameter]);
    const m = cli('merge', out);
    expect(m.status).toBe(0);
    expect(m.stdout).toContain(`${one.stats.distinctStates.toLocaleString('en-US')} distinct states`);
    expect(m.stdout).toMatch(/2 shards split at depth 3/);
  });

  it('bad sharding options are one line each, exit 1', () => {
    for (const [args, message] of [
      [['--shard', '3/3', '--out', 'x'], /--shard expects i\/n with 0 ≤ i < n/],
      [['--shard', '0/2'], /--shard needs --out/],
      [['--split-depth', '2'], /--split-depth goes with --shard or --shards/],
      [['--shards', '2', '--workers', '2'], /--workers does not go with/],
    ] as const) {
      const r = cli('check', 'models/classic/two-phase.ts', ...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const m = cli('merge', 'no/such/folder');
    expect(m.status).toBe(1);
    expect(m.stderr).toBe('faultline: no such folder: no/such/folder\n');
  });
});

describe('random graphs', () => {
  const graphs = fc.integer({ min: 1, max: 14 }).chain((n) =>
    fc.record({
      edges: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }),
      inits: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 3 }),
      bad: fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
      deadlock: fc.boolean(),
      count: fc.constantFrom(1, 2, 3, 5),
      splitDepth: fc.integer({ min: 0, max: 4 }),
      partition: fc.constantFrom('blocks' as const, 'stride' as const),
    }),
  );

  it('merged shards give one process\'s count, diameter, generated states, verdict and trace length', async () => {
    await fc.assert(
      fc.asyncProperty(graphs, async ({ edges, inits, bad, deadlock, count, splitDepth, partition }) => {
        const settings: CheckSettings = { params: { graph: JSON.stringify({ edges, inits, bad }), deadlock } };
        const one = (await runCheck('test/fixtures/graph.ts', settings)).result;
        const r = (await mergeShards(await runAll('test/fixtures/graph.ts', settings, count, { splitDepth, partition }))).result;
        if (one.violation) {
          // A state breaking Good is met as its predecessor's level is expanded, a deadlock as its
          // own is: with both at the first such level, which one a search meets first depends on the
          // order within the level. Otherwise the kind is the same, and so is the length.
          const level = (v: NonNullable<typeof one.violation>) => v.trace.length - 1 - (v.kind === 'deadlock' ? 0 : 1);
          expect(r.violation).not.toBe(null);
          expect(level(r.violation!)).toBe(level(one.violation));
          expect(r.violation!.trace.length).toBeLessThanOrEqual(one.violation.trace.length);
        } else {
          expect(r.result).toBe('ok');
          expect([r.stats.distinctStates, r.stats.diameter, r.stats.generatedStates]).toEqual([one.stats.distinctStates, one.stats.diameter, one.stats.generatedStates]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
