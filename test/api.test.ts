/**
 * The public API: the export list is pinned (an export added or removed is a decision, made here),
 * and `check`/`simulate` do what the CLI does.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { check, checkJson, defineModel, ModelError, simulate, spec, UsageError } from '../src/index.js';
import dieHard from '../models/classic/die-hard.js';

const VALUES = [
  'FAULT_KINDS', 'FaultlineError', 'HistoryEvent', 'ModelError', 'UsageError', 'World',
  'alwaysEventually', 'check', 'checkJson', 'checkLinearizable', 'defineActorModel', 'defineModel', 'each', 'eventually',
  'fingerprintHex', 'keyValue', 'leadsTo', 'linearizable', 'messages', 'monotonicReads', 'noLostWrites', 'operations', 'range',
  'readYourWrites', 'register', 'role', 'sessionGuarantees', 'show', 'simulate', 'spec', 'system', 'toPlain',
];

const TYPES = [
  'Action', 'ActionResult', 'ActionStats', 'ActorInvariant', 'ActorModelDefinition', 'ActorProperty', 'ActorSystem', 'AnyModel',
  'BooleanParam', 'BuildConfig', 'CheckJson', 'EventJson', 'ExpectedJson', 'MessageJson', 'NodeInfo', 'CheckReport', 'CheckResult', 'CheckSettings', 'CheckTarget', 'Ctx', 'DataType',
  'FaultBudgets', 'FaultKind', 'Handler', 'HistoryEventProps', 'HistoryInvariant', 'HistoryView', 'Invariant', 'Json', 'Limits',
  'LinearizabilityResult', 'LivenessStats', 'Message', 'MessageHandler', 'MessageHandlers', 'MessageInfo', 'Model', 'ModelDefinition', 'NetworkKind',
  'NoFields', 'NodeView', 'NumberParam', 'Operation', 'ParamDefinition', 'ParamDefinitions', 'ParamValue', 'ParamValues',
  'PartitionShapes', 'Plain', 'Progress', 'Property', 'Renumbering', 'Result', 'Role', 'RoleDefinition', 'Roles', 'RunInfo',
  'SentMessage', 'SessionViolation', 'SimulateOptions', 'SimulateSettings', 'SimulationInfo', 'SimulationProgress', 'SimulationResult', 'Spec', 'StateOf',
  'Stats', 'StepEffects', 'StopReason', 'StringParam', 'Successor', 'TraceEvent', 'TraceStep', 'VariantInfo', 'Violation', 'WorldState',
];

describe('the public API', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(api).sort()).toEqual([...VALUES].sort());
  });

  it('exports exactly the documented types, each with a doc comment, and no export *', () => {
    const text = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');
    expect(text).not.toMatch(/export \*/);
    const types: string[] = [];
    for (const m of text.matchAll(/export (type )?\{([^}]*)\}/g)) {
      for (const item of m[2]!.split(',').map((x) => x.trim()).filter(Boolean)) {
        if (m[1] || item.startsWith('type ')) types.push(item.replace(/^type /, ''));
      }
    }
    expect(types.sort()).toEqual([...TYPES].sort());
    // Every export statement follows its one-line doc comment.
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.startsWith('export ')) expect(lines[i - 1], `no doc comment above: ${line}`).toMatch(/^\/\*\*.*\*\/$/);
    });
  });
});

describe('check() from a program', () => {
  it('checks a model file as the CLI does: TwoPhase with 3 RMs has 288 states (as TLC counts)', async () => {
    const r = await check('models/classic/two-phase.ts', { params: { rms: 3 } });
    expect(r).toMatchObject({ model: 'two-phase', variant: 'correct', params: { rms: 3 }, result: 'ok', complete: true, violation: null });
    expect(r.stats).toMatchObject({ distinctStates: 288, generatedStates: 1146, diameter: 10 });
  });

  it('checks a model object; Die Hard reaches 4 gallons in 6 steps (the published solution)', async () => {
    const r = await check(dieHard);
    expect(r.result).toBe('violation');
    expect(r.violation!.trace.length - 1).toBe(6);
  });

  it('checks only the invariants asked for: the shortest trace breaking that one', async () => {
    // A counter 0, 1, 2, ...: Below3 breaks first at 3 (3 steps), Below4 at 4.
    const counter = defineModel({
      name: 'counter',
      build: () => spec<number>({ init: [0], next: (n) => (n < 6 ? [{ action: 'inc', state: n + 1 }] : []), invariants: { Below3: (n) => n < 3, Below4: (n) => n < 4 }, deadlock: false }),
    });
    const all = await check(counter);
    expect(all.violation).toMatchObject({ name: 'Below3' });
    expect(all.violation!.trace.length - 1).toBe(3);
    const one = await check(counter, { invariants: ['Below4'] });
    expect(one).toMatchObject({ invariants: ['Below4'], violation: { name: 'Below4' } });
    expect(one.violation!.trace.length - 1).toBe(4);
    await expect(check(counter, { invariants: ['Below5'] })).rejects.toThrow('unknown invariant "Below5"; invariants: Below3, Below4');
  });

  it('runs the liveness pass after safety, as the CLI does', async () => {
    const r = await check('test/fixtures/duel.ts');
    expect(r.result).toBe('liveness');
    expect(r.violation).toMatchObject({ kind: 'liveness', name: 'SomeoneDecides', loop: expect.any(Number) });
    const off = await check('test/fixtures/duel.ts', { liveness: false });
    expect(off.result).toBe('ok');
  });

  it('on worker threads, loading the model by its module URL: the same result as one thread', async () => {
    const url = new URL('../models/examples/at-least-once.ts', import.meta.url);
    const settings = { params: { requests: 2, retries: 2 }, liveness: false };
    const one = await check(url, settings);
    const two = await check(url, { ...settings, workers: 2 });
    const strip = (r: typeof one) => ({ ...r, stats: { ...r.stats, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0, storeBytes: 0 } });
    expect(strip(two)).toEqual(strip(one));
  });

  it('says why workers need a file, and rejects bad settings with a UsageError', async () => {
    await expect(check(dieHard, { workers: 2 })).rejects.toThrow(UsageError);
    await expect(check(dieHard, { workers: 0 })).rejects.toThrow(/workers expects a whole number of at least 1/);
    await expect(check(dieHard, { limits: { maxStates: -1 } })).rejects.toThrow(/maxStates expects a non-negative number/);
    await expect(check('models/classic/two-phase.ts', { variant: 'nope' })).rejects.toThrow(UsageError);
    await expect(check('test/fixtures/throws.ts')).rejects.toThrow(ModelError);
  });

  it('checkJson of the result is the document `check --json` prints', async () => {
    const cli = spawnSync(process.execPath, ['bin/faultline.mjs', 'check', 'models/classic/tcommit.ts', '--variant', 'unchecked-abort', '--json'], { encoding: 'utf8' });
    const untimed = (j: { stats: Record<string, unknown> | null }) => ({ ...j, stats: { ...j.stats, durationMs: 0, statesPerSecond: 0, peakMemoryBytes: 0 } });
    const doc = checkJson(await check('models/classic/tcommit.ts', { variant: 'unchecked-abort' }));
    expect(untimed(JSON.parse(JSON.stringify(doc)))).toEqual(untimed(JSON.parse(cli.stdout)));
  });

  it('stops at a limit and says so', async () => {
    const r = await check('models/classic/two-phase.ts', { params: { rms: 4 }, limits: { maxStates: 100 } });
    expect(r).toMatchObject({ complete: false, stopReason: 'max-states' });
    expect(r.stats.distinctStates).toBe(100);
  });
});

describe('simulate() from a program', () => {
  it('finds the wrap-around bug and shrinks it to the shortest trace (32 steps: 16 round trips)', async () => {
    const r = await simulate('models/examples/seq-wraparound.ts', { variant: 'no-wraparound', params: { noise: 3 }, runs: 50, depth: 400, seed: 7 });
    expect(r.result).toBe('violation');
    expect(r.violation!.trace.length - 1).toBe(32);
    expect(r.simulation.seed).toBe(7);
  });
});
