/**
 * `--workers 2` must give exactly what the sequential search gives: the same counts (per action
 * too), diameter, verdict and trace. The sequential results are themselves checked against TLC and
 * hand counts in classic.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// With FAULTLINE_DEBUG, the parallel search says on stderr how each level was split and moved,
// and whether it fell back to one thread.
const check = (...args: string[]) => {
  const debug = !args.includes('--quiet-debug');
  args = args.filter((a) => a !== '--quiet-debug');
  const r = spawnSync(process.execPath, ['bin/faultline.mjs', 'check', ...args, '--json'], { encoding: 'utf8', env: { ...process.env, ...(debug ? { FAULTLINE_DEBUG: '1' } : {}) } });
  const j = r.stdout ? JSON.parse(r.stdout) : null;
  if (j?.stats) {
    delete j.stats.durationMs;
    delete j.stats.statesPerSecond;
    delete j.stats.peakMemoryBytes;
  }
  return { code: r.status, json: j, err: r.stderr };
};

describe('parallel search', () => {
  it.each([
    ['test/fixtures/bad-build.ts'], // a deadlock in the initial state
    ['models/classic/two-phase.ts', '--param', 'rms=5'],
    ['models/classic/two-phase.ts', '--variant', 'commit-without-votes', '--param', 'rms=4'],
    ['models/classic/tcommit.ts', '--variant', 'unchecked-abort'],
    ['models/classic/die-hard.ts'],
    ['models/classic/two-phase.ts', '--param', 'rms=5', '--max-states', '3000'],
    ['models/classic/two-phase.ts', '--param', 'rms=5', '--max-depth', '7'],
    // Actor models: Records of several roles, message keys, symmetry, trace events.
    ['models/examples/at-least-once.ts', '--param', 'requests=3,retries=2'],
    ['models/examples/at-least-once.ts', '--variant', 'volatile-dedupe', '--param', 'requests=3,retries=2'],
    ['test/fixtures/voting.ts', '--param', 'participants=4'],
    ['models/examples/at-least-once.ts', '--param', 'requests=3,retries=2', '--witness', 'AllAcked'],
  ].map((a) => [a]))('%j: same result with 2 workers as with 1', (args: string[]) => {
    const one = check(...args, '--workers', '1');
    const two = check(...args, '--workers', '2');
    expect(two.code).toBe(one.code);
    expect(two.json).toEqual(one.json);
    // And the workers really did the search (a failure in one reruns it on one thread, silently
    // but for this debug line).
    expect(two.err).not.toContain('fell back');
  });

  // States moved between workers to even out their parts must arrive intact. An actor model's
  // states are moved as ids into its tables, with each node state or message sent once per pair of
  // workers: a mistake in that translation gives different successors, so different counts.
  it.each([
    ['models/raft.ts', '--no-liveness'],
    ['models/paxos.ts', '--no-liveness', '--faults', 'crash=0,restart=0'],
    ['models/examples/at-least-once.ts', '--param', 'requests=3,retries=2', '--no-liveness'],
    // Plain states move as rows of field-value numbers, each value sent once (src/check/level.ts):
    // a Record root, and a Map root whose Sets of Maps must keep their order.
    ['models/classic/two-phase.ts', '--param', 'rms=5'],
    ['models/classic/two-phase-natural.ts', '--param', 'rms=5'],
  ].map((a) => [a]))('%j: states moved between workers give the same search', (args: string[]) => {
    const one = check(...args, '--workers', '1');
    const two = check(...args, '--workers', '2');
    expect(two.json).toEqual(one.json);
    expect(two.err).not.toContain('fell back');
    const moved = [...two.err.matchAll(/sizes (\d+),(\d+) -> (\d+),(\d+)/g)].filter((m) => m[1] !== m[3]);
    expect(moved.length, 'no level was rebalanced: the test does not test moving states').toBeGreaterThan(0);
  });

  it('a model that throws gets the sequential search’s error', () => {
    const one = check('test/fixtures/throws.ts', '--quiet-debug');
    const two = check('test/fixtures/throws.ts', '--workers', '2', '--quiet-debug');
    expect(two.code).toBe(1);
    expect(two.err).toBe(one.err);
  });
});
