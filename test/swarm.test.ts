/**
 * Swarm simulation (src/check/swarm.ts, docs/scale-out.md): shards use disjoint seeds, the merge
 * keeps the shortest counterexample of the shards and it replays to a broken invariant, a correct
 * model adds the shards' runs up, and bad input gets one line.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './helpers.js';
import { runCheck, type SimulateSettings } from '../src/check/check.js';
import { firstBrokenInvariant } from '../src/check/core.js';
import { EXIT } from '../src/cli/options.js';
import { mergeSwarm, runSwarmShard, swarmSeed, swarmStrategy, type SwarmFacts } from '../src/check/swarm.js';

const tempDir = tempDirs('faultline-swarm-');

/** Run every swarm shard into a fresh folder, in this process; their documents' `swarm` fields. */
async function runAll(file: string, settings: SimulateSettings, count: number): Promise<{ dir: string; facts: SwarmFacts[] }> {
  const dir = tempDir();
  const facts: SwarmFacts[] = [];
  for (let index = 0; index < count; index++) {
    const shard = await runSwarmShard(file, settings, { index, count });
    shard.write(dir, {});
    facts.push(shard.facts);
  }
  return { dir, facts };
}

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/faultline.mjs', ...args], { encoding: 'utf8' });

describe('swarm shards', () => {
  it('use disjoint seeds, and the merge keeps the shortest counterexample, which replays', async () => {
    const file = 'models/classic/two-phase.ts';
    const settings: SimulateSettings = { variant: 'commit-without-votes', params: { rms: 3 }, runs: 200, seed: 11 };
    const { dir, facts } = await runAll(file, settings, 3);
    expect(new Set(facts.flatMap((f) => f.seeds)).size).toBe(3);
    // Diversified: the shards differ in successor order or depth, as swarmStrategy says.
    expect(facts.map((f) => f.strategy)).toEqual([0, 1, 2].map((i) => swarmStrategy(i, 200)));

    const merged = await mergeSwarm(dir);
    const v = merged.result.violation!;
    expect(v.name).toBe('TCConsistent');
    const lengths = facts.filter((f) => f.violation).map((f) => f.violation!.length);
    expect(v.trace.length - 1).toBe(Math.min(...lengths));
    // No run is shorter than the breadth-first shortest trace.
    const check = await runCheck(file, { variant: 'commit-without-votes', params: { rms: 3 } });
    expect(v.trace.length - 1).toBeGreaterThanOrEqual(check.result.violation!.trace.length - 1);
    // The replayed trace ends in a state that breaks the invariant.
    const last = v.trace[v.trace.length - 1]!.state;
    expect(merged.compiled.invariants[firstBrokenInvariant(merged.compiled, last, -1, -1)]?.name).toBe('TCConsistent');
    expect(merged.result.simulation.runs).toBe(facts.reduce((a, f) => a + f.runs, 0));
  });

  it('on a correct model, find nothing and add up their runs', async () => {
    // 150 runs a shard: three chunks of runs (64 each at most), each with its own seed.
    const { dir, facts } = await runAll('models/classic/two-phase.ts', { params: { rms: 3 }, runs: 150, depth: 20, seed: 3 }, 3);
    const merged = await mergeSwarm(dir);
    expect(merged.result.result).toBe('ok');
    // Disjoint: no seed is used twice over all the shards' chunks.
    const seeds = facts.flatMap((f) => f.seeds);
    expect(seeds).toHaveLength(9);
    expect(new Set(seeds).size).toBe(9);
    // Each shard makes the runs asked of it; the merge adds them up.
    expect(facts.map((f) => f.runs)).toEqual([150, 150, 150]);
    expect(merged.result.simulation.runs).toBe(450);
    expect(merged.result.simulation.steps).toBe(facts.reduce((a, f) => a + f.steps, 0));
  });

  it('repeat themselves: the same seed and index give the same runs', async () => {
    const settings: SimulateSettings = { variant: 'commit-without-votes', params: { rms: 3 }, runs: 100, seed: 4 };
    const [a, b] = [await runSwarmShard('models/classic/two-phase.ts', settings, { index: 1, count: 2 }), await runSwarmShard('models/classic/two-phase.ts', settings, { index: 1, count: 2 })];
    const { durationMs: _a, peakMemoryBytes: _pa, ...fa } = a.facts;
    const { durationMs: _b, peakMemoryBytes: _pb, ...fb } = b.facts;
    expect(fa).toEqual(fb);
  });

  it('derive distinct seeds for every shard and chunk', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 16; i++) for (let k = 0; k < 200; k++) seen.add(swarmSeed(-5, i, 16, k));
    expect(seen.size).toBe(16 * 200);
  });
});

describe('simulate --shards and merge on the command line', () => {
  it('finds the violation, exits as simulate does, and merge of the folder says the same', () => {
    const dir = tempDir();
    const args = ['simulate', 'models/examples/at-least-once.ts', '--variant', 'volatile-dedupe', '--runs', '200', '--depth', '60', '--seed', '1'];
    const r = cli(...args, '--shards', '3', '--out', dir, '--json');
    expect(r.stderr).toBe('');
    // simulate's exit code for a violation.
    expect(r.status).toBe(EXIT.violation);
    const doc = JSON.parse(r.stdout) as { violation: { length: number }; simulation: { runs: number }; swarm: { shards: number } };
    const files = readdirSync(dir).filter((n) => n.startsWith('swarm-'));
    expect(files).toHaveLength(3);
    const facts = files.map((n) => (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { swarm: SwarmFacts }).swarm);
    expect(doc.violation.length).toBe(Math.min(...facts.filter((f) => f.violation).map((f) => f.violation!.length)));
    expect(doc.simulation.runs).toBe(facts.reduce((a, f) => a + f.runs, 0));
    const again = cli('merge', dir, '--json');
    expect(again.status).toBe(EXIT.violation);
    expect((JSON.parse(again.stdout) as { violation: { length: number } }).violation.length).toBe(doc.violation.length);
  });

  it('gives one line and check --shard’s exit code for bad input', () => {
    const dir = tempDir();
    const model = 'models/classic/two-phase.ts';
    const expected = cli('check', model, '--shard', '3/3', '--out', dir).status;
    expect(expected).not.toBe(0);
    for (const bad of [
      ['simulate', model, '--shard', '3/3', '--out', dir],
      ['simulate', model, '--shard', '1/3'],
      ['simulate', model, '--shard', '0/2', '--shards', '2', '--out', dir],
    ]) {
      const r = cli(...bad);
      expect(r.status, bad.join(' ')).toBe(expected);
      expect(r.stderr.trim().split('\n'), bad.join(' ')).toHaveLength(1);
    }
  });

  it('refuses a folder mixing check shards and swarm shards, in one line', async () => {
    const { dir } = await runAll('models/classic/two-phase.ts', { params: { rms: 2 }, runs: 10, seed: 1 }, 1);
    expect(cli('check', 'models/classic/two-phase.ts', '--param', 'rms=2', '--shard', '0/1', '--out', dir).status).toBe(0);
    const r = cli('merge', dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/check.*simulation.*own folder/);
  });
});
