/** The CLI as a user runs it: exit codes, one-line errors, JSON, model files anywhere on disk. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/faultline.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('faultline check', () => {
  it('TwoPhase with 3 RMs: 288 distinct states, exit 0, documented JSON', () => {
    const r = run('check', 'models/classic/two-phase.ts', '--param', 'rms=3', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ model: 'two-phase', variant: 'correct', params: { rms: 3 }, result: 'ok', complete: true, violation: null });
    expect(j.stats).toMatchObject({ distinctStates: 288, generatedStates: 1146, diameter: 10 });
  });

  it('a broken invariant exits 12 with the shortest trace', () => {
    const r = run('check', 'models/classic/two-phase.ts', '--variant', 'commit-without-votes');
    expect(r.code).toBe(12);
    expect(r.out).toMatch(/TCConsistent violated/);
    expect(r.out).toMatch(/shortest trace: 3 steps/);
    expect(r.out).toMatch(/tmState: init → committed/);
    expect(r.out).toMatch(/msgs: \+ Commit/);
    const j = JSON.parse(run('check', 'models/classic/two-phase.ts', '--variant', 'commit-without-votes', '--json').out);
    expect(j.violation).toMatchObject({ kind: 'invariant', name: 'TCConsistent', length: 3 });
    expect(j.violation.trace[0]).toEqual({ action: null, state: { rmState: ['working', 'working', 'working'], tmState: 'init', tmPrepared: [], msgs: [] } });
  });

  it('terminal states are fine where the model turns deadlock checking off (TCommit, as its TLC config does)', () => {
    const r = run('check', 'models/classic/tcommit.ts', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).stats).toMatchObject({ distinctStates: 34, generatedStates: 94 });
  });

  it.each([
    [['check', 'models/classic/two-phase.ts', '--variant', 'nope'], /unknown variant "nope" of two-phase; variants: correct, commit-without-votes/],
    [['check', 'models/classic/two-phase.ts', '--param', 'rms=three'], /param rms of two-phase must be a number/],
    [['check', 'models/classic/two-phase.ts', '--param', 'rms=2.5'], /must be a whole number/],
    [['check', 'models/classic/two-phase.ts', '--param', 'color=red'], /unknown param "color" of two-phase; params: rms/],
    [['check', 'models/classic/two-phase.ts', '--param', 'rms'], /--param expects name=value/],
    [['check', 'no/such/model.ts'], /no such file: no\/such\/model.ts/],
    [['check', 'test/fixtures/not-a-model.ts'], /has no model/],
    [['check', 'test/fixtures/throws.ts'], /action Inc threw on state #2 \(depth 2\) \{n: 2\}: n is two/],
    [['check', 'test/fixtures/nondeterministic.ts'], /not deterministic/],
    [['check', 'models/classic/two-phase.ts', '--varient', 'x'], /^faultline: Unknown argument: varient; did you mean --variant\? \(see faultline check --help\)$/m],
    [['check', 'models/classic/two-phase.ts', '--max-depht', '3'], /Unknown argument: max-depht; did you mean --max-depth\?/],
    [['regress', '--filtr', 'x'], /Unknown argument: filtr; did you mean --filter\?/],
    [['check', 'models/classic/two-phase.ts', '--param', 'constructor=1'], /unknown param "constructor" of two-phase; params: rms/],
    [['check', 'test/fixtures/bad-default.ts'], /defineModel\(bad-default\): the default of param n: must be at most 5, got 7/],
    [['check', 'test/fixtures/bad-name.ts'], /the variant name "..\/..\/escape" may hold only letters, digits/],
    [['check', 'test/fixtures/mutates.ts'], /action IncX mutated its input state, state #\d+ \(depth 3\) \{x: 3, y: 0\}/],
    [['check', 'test/fixtures/mutates.ts', '--workers', '2'], /action IncX mutated its input state, state #\d+ \(depth 3\) \{x: 3, y: 0\}/],
    [['frobnicate'], /Unknown argument/],
    [['check', 'test/fixtures/bad-build.ts', '--param', 'n=4'], /bad-build: build threw: RangeError: n above 3 is not supported/],
    [['check', 'models/classic/two-phase.ts', '--max-states', '-3'], /--max-states expects a non-negative number/],
  ])('%j fails with one clear line and exit 1', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  });

  it('a syntax error in a model says where: file:line:col and what, in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-'));
    const file = join(dir, 'typo.ts');
    writeFileSync(file, "import { defineModel } from 'faultline';\nexport default defineModel({\n  name: 'typo',\n  build: () => ({ init: [0], next: (n) => [n + ] }),\n});\n");
    const r = run('check', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot load .*typo\.ts: .*typo\.ts:4:47: Unexpected "\]"/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('checks a model file anywhere on disk, with faultline’s own immutable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-'));
    const file = join(dir, 'deadlocks.ts');
    writeFileSync(
      file,
      `import { defineModel, spec } from 'faultline';
       import { List, isImmutable } from 'immutable';
       export default defineModel({
         name: 'outside',
         params: { max: { default: 2, min: 0 } },
         build: ({ params }) => spec({
           init: [List([0])],
           actions: { Inc: (s) => (s.get(0)! < params.max ? s.set(0, s.get(0)! + 1) : null) },
           invariants: { Immutable: (s) => isImmutable(s) },
         }),
       });`,
    );
    const r = run('check', file, '--param', 'max=4');
    expect(r.code).toBe(11); // the counter stops at 4: a deadlock after 4 steps
    expect(r.out).toMatch(/Deadlock reached/);
    expect(r.out).toMatch(/shortest trace: 4 steps/);
    const off = run('check', file, '--param', 'max=4', '--no-deadlock', '--json');
    expect(off.code).toBe(0);
    expect(JSON.parse(off.out).stats.distinctStates).toBe(5); // the counter's values 0..4
  });

  it('an invariant broken in the initial state is a 0-step trace; --report writes the files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-report-'));
    const r = run('check', 'test/fixtures/bad-build.ts', '--param', 'n=3', '--report', dir);
    expect(r.code).toBe(12);
    expect(r.out).toMatch(/Small violated/);
    expect(r.out).toMatch(/shortest trace: 0 steps/);
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).violation).toMatchObject({ name: 'Small', length: 0 });
    expect(readFileSync(join(dir, 'trace.txt'), 'utf8')).toBe(r.out.replace(/\s+report: .*\n$/, '\n'));
  });

  it('a folder: every variant of every model, exit 0 although buggy variants break', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-folder-'));
    const r = run('check', 'models/classic', '--report', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/two-phase\s+commit-without-votes\s+violation: TCConsistent/);
    expect(r.out).toMatch(/two-phase\s+correct\s+ok\s+288/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.map((d: { model: string; variant: string }) => `${d.model}/${d.variant}`)).toEqual([
      'die-hard/default', 'tcommit/correct', 'tcommit/unchecked-abort', 'two-phase-natural/correct', 'two-phase/correct', 'two-phase/commit-without-votes',
    ]);
  });

  it('list shows params, defaults and variants', () => {
    const r = run('list', 'models/classic');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/two-phase/);
    expect(r.out).toMatch(/--param rms=3/);
    expect(r.out).toMatch(/--variant commit-without-votes/);
  });

  it('list: one line of at most 120 characters each (the whole texts are in --json), with a variant’s own defaults', () => {
    const r = run('list', 'models');
    const lines = r.out.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(120);
    expect(r.out).toMatch(/--variant commit-previous-term \[terms=4 candidates=2 timeouts=quiet notify=false\] {2}a leader/);
    const j = JSON.parse(run('list', 'models', '--json').out) as { name: string; variants: Record<string, string>; variantDefaults: Record<string, unknown> }[];
    const raft = j.find((m) => m.name === 'raft')!;
    expect(raft.variantDefaults['commit-previous-term']).toEqual({ params: { terms: 4, candidates: 2, timeouts: 'quiet', notify: false }, faults: {} });
    expect(raft.variants['commit-previous-term']!.length).toBeGreaterThan(100);
  });
});

describe('a variant’s own defaults', () => {
  it('are what check runs without options; a param given on the command line still wins, key by key', () => {
    const plain = JSON.parse(run('check', 'models/two-phase-commit.ts', '--variant', 'majority-commit', '--json').out) as { params: Record<string, unknown>; result: string };
    // With 2 participants (the model's default) a majority is everyone: the bug needs 3.
    expect(plain.params.participants).toBe(3);
    expect(plain.result).toBe('violation');
    const two = JSON.parse(run('check', 'models/two-phase-commit.ts', '--variant', 'majority-commit', '--param', 'participants=2', '--no-liveness', '--json').out) as { params: Record<string, unknown>; result: string };
    expect(two.params.participants).toBe(2);
    expect(two.result).toBe('ok');
  });

  it('are checked when the model is defined: an undeclared or ill-typed one is a one-line error', async () => {
    const { defineModel } = await import('../src/index.js');
    const build = () => ({ init: [0], actions: {} });
    expect(() => defineModel({ name: 'm', params: { n: { default: 1, min: 1 } }, variants: { a: 'x', b: { description: 'y', params: { n: 0 } } }, build })).toThrow(/variant b: .*n/);
    expect(() => defineModel({ name: 'm', variants: { a: 'x', b: { description: 'y', faults: { crash: 1 } } }, build })).toThrow(/variant b sets fault budget crash, which the model does not declare/);
  });
});

describe('actor models on the command line', () => {
  it('reports fault budgets and separates fault steps from protocol steps', () => {
    // no-dedupe double-counts after two deliveries of one request; the second copy needs one more
    // step (a retry or a duplicate): 3 steps is the least.
    const r = run('check', 'models/examples/at-least-once.ts', '--variant', 'no-dedupe', '--json');
    expect(r.code).toBe(12);
    const j = JSON.parse(r.out);
    expect(j.faults).toEqual({ crash: 1, restart: 1, drop: 1, duplicate: 1, partition: 0 });
    expect(j.violation).toMatchObject({ name: 'ExactlyOnce', length: 3 });
    const kinds = Object.fromEntries(j.stats.actions.map((a: { name: string; fault: boolean }) => [a.name, a.fault]));
    expect(kinds).toEqual({ 'recv Inc': false, 'timeout retry': false, 'recv Ack': false, crash: true, restart: true, drop: true, duplicate: true });
    const text = run('check', 'models/examples/at-least-once.ts', '--variant', 'no-dedupe').out;
    expect(text).toMatch(/faults crash=1,restart=1,drop=1,duplicate=1\n/);
    expect(text).toMatch(/protocol steps +generated +distinct\n(.*\n){3} +faults +generated +distinct\n/);
  });

  it('--faults overrides the budgets; a retry alone is enough to double-count', () => {
    const none = 'crash=0,restart=0,drop=0,duplicate=0';
    const r = run('check', 'models/examples/at-least-once.ts', '--variant', 'no-dedupe', '--faults', none, '--json');
    expect(r.code).toBe(12);
    // Messages spelled as every report spells them; each step's event says what happened.
    const trace = JSON.parse(r.out).violation.trace;
    expect(trace.map((s: { action: string | null }) => s.action)).toEqual([null, 'client→server Inc {id: 1}', 'client timeout retry', 'client→server Inc {id: 1}']);
    expect(trace[1].event).toEqual({
      kind: 'deliver',
      node: 'server',
      message: { from: 'client', to: 'server', type: 'Inc', body: { id: 1 }, text: 'client→server Inc {id: 1}' },
      sends: [{ from: 'server', to: 'client', type: 'Ack', body: { id: 1 }, text: 'server→client Ack {id: 1}' }],
    });
    expect(run('check', 'models/examples/at-least-once.ts', '--faults', none).code).toBe(0);
    // volatile-dedupe needs a crash of the server between the two deliveries.
    expect(run('check', 'models/examples/at-least-once.ts', '--variant', 'volatile-dedupe', '--faults', 'crash=0').code).toBe(0);
    expect(run('check', 'models/examples/at-least-once.ts', '--variant', 'volatile-dedupe').code).toBe(12);
  });

  it('--no-symmetry explores every state', () => {
    const counts = (...extra: string[]) => JSON.parse(run('check', 'test/fixtures/voting.ts', '--param', 'participants=3', '--json', ...extra).out).stats.distinctStates;
    const reduced = counts('--variant', 'default');
    expect(counts('--no-symmetry')).toBe(counts('--param', 'symmetric=false'));
    expect(reduced).toBeLessThan(counts('--no-symmetry'));
  });

  it.each([
    [['--faults', 'flood=1'], /^faultline: unknown fault "flood" for at-least-once; faults: crash, restart, drop, duplicate, partition\n$/],
    [['--faults', 'drop=x'], /^faultline: fault budget drop of at-least-once must be a whole number ≥ 0, got "x"\n$/],
    [['--faults', 'drop'], /^faultline: --faults expects name=value, got "drop"\n$/],
  ])('bad --faults %j: one line, exit 1', (args, message) => {
    const r = run('check', 'models/examples/at-least-once.ts', ...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  });

  it('a handler that returns nothing is a one-line model error naming the step and the state', () => {
    const r = run('check', 'test/fixtures/no-return.ts');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^faultline: action a→b Hi threw on state #0 \(depth 0\) .*: the handler returned nothing; return self \(no change\), the new state, or null \(not enabled\)\n$/);
  });

  it('list shows the default fault budgets', () => {
    expect(run('list', 'models/examples').out).toMatch(/--faults crash=1,restart=1,drop=1,duplicate=1,partition=0 {2}\(default fault budgets\)/);
  });
});

describe('witnesses: a trace on request', () => {
  it('finds the shortest path to a witness (exit 0), and says when none is reachable (exit 12)', () => {
    // AllAcked with 2 requests and no faults: Inc 1, Ack 1, Inc 2, Ack 2 — 4 deliveries, none shorter.
    const found = run('check', 'models/examples/at-least-once.ts', '--witness', 'AllAcked', '--json');
    expect(found.code).toBe(0);
    const j = JSON.parse(found.out);
    expect(j).toMatchObject({ result: 'witness', witness: 'AllAcked', violation: { kind: 'witness', name: 'AllAcked', length: 4 } });
    expect(j.violation.trace.map((s: { action: string | null }) => s.action)).toEqual([
      null,
      'client→server Inc {id: 1}',
      'server→client Ack {id: 1}',
      'client→server Inc {id: 2}',
      'server→client Ack {id: 2}',
    ]);
    // The correct variant never double counts: every state explored, exit 12.
    const none = run('check', 'models/examples/at-least-once.ts', '--witness', 'DoubleCount');
    expect(none.code).toBe(12);
    expect(none.out).toMatch(/^✗ witness DoubleCount not found — .*\n {2}no reachable state has it \(all explored\)\n {2}814 distinct states/);
    expect(run('check', 'models/examples/at-least-once.ts', '--variant', 'no-dedupe', '--witness', 'DoubleCount').code).toBe(0);
    const bad = run('check', 'models/examples/at-least-once.ts', '--witness', 'Nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('faultline: unknown witness "Nope"; witnesses: AllAcked, DoubleCount\n');
  });
});

describe('liveness on the command line', () => {
  it('a fair lasso exits 13 with the cycle marked in text, JSON and the sequence chart', () => {
    // The duel: a→b, b→a, then the same two deliveries forever (the states repeat from step 2).
    const r = run('check', 'test/fixtures/duel.ts', '--json');
    expect(r.code).toBe(13);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ result: 'liveness', violation: { kind: 'liveness', name: 'SomeoneDecides', length: 4, loop: 2 } });
    const text = run('check', 'test/fixtures/duel.ts').out;
    expect(text).toMatch(/^✗ liveness SomeoneDecides violated — duel/);
    expect(text).toContain('↺ back to step 2: steps 3–4 repeat forever');
    const dir = mkdtempSync(join(tmpdir(), 'faultline-live-'));
    run('check', 'test/fixtures/duel.ts', '--report', dir);
    const dot = readFileSync(join(dir, 'sequence.dot'), 'utf8');
    expect(dot).toMatch(/B0 \[class="band", .*tooltip="↺ steps 3–4 repeat forever \(back to the state after step 2\)"\]/);
    expect(dot).toMatch(/L3 \[.*label="↺ 3 /);
    expect(dot).toMatch(/LA -> LB \[class="lasso"/);
    expect(JSON.parse(readFileSync(join(dir, 'trace.itf.json'), 'utf8')).loop).toBe(2);
  });

  it('a stuck state: a partition that never heals keeps M from r; without partitions M arrives', () => {
    // Safety is checked first: with the invariant, the early timeout is a violation (exit 12).
    expect(run('check', 'test/fixtures/race.ts').code).toBe(12);
    // Without it: partition, then r's quiet timer fires (M cannot arrive), then no protocol step is
    // possible and r never got M. Faults are never forced, so the heal need not come.
    const r = run('check', 'test/fixtures/race.ts', '--variant', 'liveness-only', '--json');
    expect(r.code).toBe(13);
    const v = JSON.parse(r.out).violation;
    expect(v).toMatchObject({ kind: 'liveness', name: 'ReceivesM', length: 2 });
    expect(v.loop).toBeUndefined();
    expect(v.trace.map((s: { action: string | null }) => s.action)).toEqual([null, 'partition s | r', 'r timeout t']);
    expect(run('check', 'test/fixtures/race.ts', '--variant', 'liveness-only', '--faults', 'partition=0').code).toBe(0);
    expect(run('check', 'test/fixtures/duel.ts', '--no-liveness').code).toBe(0);
  });
});
