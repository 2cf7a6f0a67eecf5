/**
 * Random simulation: it finds a bug deeper than 20 steps, shrinks it to the length of the shortest
 * counterexample (as breadth-first search finds it), and the seed repeats a run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/check/compile.js';
import { explore } from '../src/check/bfs.js';
import { randomWalks as simulate } from '../src/check/simulate.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import type { AnyModel } from '../src/index.js';
import wraparound from '../models/examples/seq-wraparound.js';
import atLeastOnce from '../models/examples/at-least-once.js';

function specOf(model: unknown, variant: string, params: Record<string, unknown> = {}, faults: Record<string, unknown> = {}) {
  const m = model as AnyModel;
  return buildSpec(m, resolveConfig(m, variant, params, faults));
}

describe('simulate', () => {
  it('finds the wrap-around bug (32 steps) and shrinks it to the shortest trace', () => {
    // With 4 bits, message 16 has sequence number 0: 16 round trips (Data, Ack) = 32 steps is the
    // least that shows it; the 3 monitors' ticks are noise the shrinking must remove.
    const spec = specOf(wraparound, 'no-wraparound', { noise: 3 });
    const bfs = explore(spec);
    expect(bfs.violation!.trace.length - 1).toBe(32);
    const r = simulate(compile(spec), { runs: 50, depth: 400, seed: 7 });
    expect(r.result).toBe('violation');
    expect(r.violation!.name).toBe('AckedDelivered');
    expect(r.simulation.found!).toBeGreaterThan(32);
    expect(r.violation!.trace.length - 1).toBe(32);
    expect(r.violation!.trace.every((t) => t.action === null || !t.action.includes('tick'))).toBe(true);
  });

  it('removes the faults a run does not need', () => {
    // at-least-once without dedupe: 3 steps at least (two deliveries of one request, and a retry or
    // a duplicate to make the second copy); random runs inject faults that are not needed.
    const r = simulate(compile(specOf(atLeastOnce, 'no-dedupe')), { runs: 200, depth: 50, seed: 3 });
    expect(r.result).toBe('violation');
    expect(r.violation!.trace.length - 1).toBe(3);
  });

  it('the same seed repeats the same runs; a correct model passes', () => {
    const spec = specOf(wraparound, 'no-wraparound', { noise: 2 });
    const a = simulate(compile(spec), { runs: 20, depth: 300, seed: 11 });
    const b = simulate(compile(spec), { runs: 20, depth: 300, seed: 11 });
    const { stepsPerSecond: _a, ...sa } = a.simulation;
    const { stepsPerSecond: _b, ...sb } = b.simulation;
    expect(sb).toEqual(sa);
    expect(b.violation!.trace.map((t) => t.action)).toEqual(a.violation!.trace.map((t) => t.action));
    const ok = simulate(compile(specOf(wraparound, 'correct', { noise: 2 })), { runs: 20, depth: 100, seed: 11 });
    expect(ok.result).toBe('ok');
    expect(ok.simulation.runs).toBe(20);
    expect(ok.simulation.deepest).toBeLessThanOrEqual(100);
    expect(ok.simulation.deepest).toBeGreaterThan(50);
  });

  it('on the command line: exit 12, the seed, the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-sim-'));
    const r = spawnSync(
      process.execPath,
      ['bin/faultline.mjs', 'simulate', 'models/examples/seq-wraparound.ts', '--variant', 'no-wraparound', '--param', 'noise=2', '--depth', '300', '--runs', '20', '--seed', '5', '--report', dir],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(12);
    expect(r.stdout).toMatch(/^✗ AckedDelivered violated — seq-wraparound/);
    expect(r.stdout).toContain('seed 5 (--seed 5 repeats these runs)');
    expect(r.stdout).toMatch(/trace: 32 steps/);
    expect(existsSync(join(dir, 'sequence.svg'))).toBe(true);
    const bad = spawnSync(process.execPath, ['bin/faultline.mjs', 'simulate', 'models/examples/seq-wraparound.ts', '--runs', '0'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('faultline: --runs expects a whole number of at least 1, got 0\n');
  });
});
