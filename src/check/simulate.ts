/**
 * Random simulation (docs/simulation.md): random walks far deeper than a breadth-first search
 * reaches, generated and shrunk with fast-check, then cut down further by removing steps (delta
 * debugging over the steps' labels) so the counterexample is short enough to read.
 *
 * A run is a list of choices; at each step the walk takes successor `choice mod n` of the current
 * state (so smaller choices mean earlier successors: protocol steps before faults). It stops at the
 * first state that breaks an invariant, at a state with no successors, or after `depth` steps.
 */
import fc from 'fast-check';
import { describeThrown, ModelError } from '../model/errors.js';
import { type Compiled, SuccessorBuffer } from './compile.js';
import type { CheckResult, Stats, TraceStep } from './explore.js';
import { firstBrokenInvariant } from './explore.js';
import { fpHigh, fpLow } from './fingerprint.js';
import { FingerprintSet } from './store.js';

export interface SimulateOptions {
  /** Random runs to try (default 1000). */
  readonly runs?: number;
  /** Steps per run at most (default 200). */
  readonly depth?: number;
  /** The seed; the same seed gives the same runs. Default: random. */
  readonly seed?: number;
  /** Report states without successors (default: the model's setting). */
  readonly deadlock?: boolean;
  /** Stop trying new runs after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Time fast-check may spend shrinking a failing run (default 3000 ms). */
  readonly shrinkMs?: number;
}

export interface SimulationInfo {
  readonly seed: number;
  /** Runs generated (not counting the ones fast-check tried while shrinking). */
  readonly runs: number;
  readonly steps: number;
  readonly stepsPerSecond: number;
  /** The longest run, in steps. */
  readonly deepest: number;
  readonly distinctStates: number;
  /** Length of the failing run as found. */
  readonly found: number | null;
  /** After removing the steps it does not need. */
  readonly minimized: number | null;
  /** Finally, after fast-check shrank its choices and steps were removed again: the trace reported. */
  readonly shrunk: number | null;
}

export type SimulationResult<S> = CheckResult<S> & { readonly simulation: SimulationInfo };

interface Walk<S> {
  /** The trace (states and labels), and what broke at its end. */
  readonly trace: TraceStep<S>[];
  readonly broken: { kind: 'invariant' | 'deadlock'; name: string } | null;
  /** Steps taken. */
  readonly length: number;
}

export function simulate<S>(model: Compiled<S>, options: SimulateOptions = {}): SimulationResult<S> {
  const t0 = performance.now();
  const runs = options.runs ?? 1000;
  const depth = options.depth ?? 200;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const deadlockOn = options.deadlock ?? model.deadlock;
  const timeLimit = options.timeLimitMs ?? Infinity;
  const seen = new FingerprintSet();
  const famSteps: number[] = [];
  let steps = 0;
  let deepest = 0;
  let generated = 0;
  let shrinking = false;
  let firstFailure: number | null = null;
  const buf = new SuccessorBuffer<S>();

  const expand = (s: S): void => {
    try {
      model.expand(s, buf);
    } catch (e) {
      throw new ModelError(`simulation: a step threw: ${describeThrown(e)}`, e);
    }
  };
  const broken = (s: S): Walk<S>['broken'] => {
    const k = firstBrokenInvariant(model, s, -1, -1);
    return k >= 0 ? { kind: 'invariant', name: model.invariants[k]!.name } : null;
  };
  const initial = (choice: number): S => model.init[choice % model.init.length]!;
  const record = (s: S) => {
    model.key(s);
    seen.add(fpHigh(), fpLow());
  };

  /** One walk, guided by `choices`; with `keep`, the trace is returned. */
  const walk = (choices: readonly number[], keep: boolean): Walk<S> => {
    let s = initial(choices[0] ?? 0);
    const ev0 = keep ? model.initEvent?.(s) : undefined;
    const trace: TraceStep<S>[] = keep ? [ev0 ? { action: null, state: s, event: ev0 } : { action: null, state: s }] : [];
    if (!shrinking) record(s);
    let bad = broken(s);
    let k = 1;
    for (; bad === null && k <= Math.min(depth, choices.length - 1); k++) {
      expand(s);
      if (buf.length === 0) {
        if (deadlockOn) bad = { kind: 'deadlock', name: 'Deadlock' };
        break;
      }
      const j = choices[k]! % buf.length;
      const t = buf.states[j]!;
      if (keep) {
        const event = buf.event(j);
        trace.push(event ? { action: model.label(buf, j), state: t, event } : { action: model.label(buf, j), state: t });
      }
      if (!shrinking) {
        steps++;
        const f = buf.families[j]!;
        famSteps[f] = (famSteps[f] ?? 0) + 1;
        record(t);
      }
      buf.clear();
      s = t;
      bad = broken(s);
    }
    if (!shrinking) deepest = Math.max(deepest, k - 1);
    return { trace, broken: bad, length: k - 1 };
  };

  // 1. Random runs (fast-check generates them from the seed) until one fails.
  const arb = fc.array(fc.nat(), { minLength: 1, maxLength: depth + 1, size: 'max' });
  const property = fc.property(arb, (choices) => {
    if (!shrinking) {
      generated++;
      if (performance.now() - t0 > timeLimit) return true;
    }
    const w = walk(choices, false);
    if (w.broken !== null && !shrinking) firstFailure = w.length;
    return w.broken === null;
  });
  const first = fc.check(property, { numRuns: runs, seed, endOnFailure: true });
  const searchMs = performance.now() - t0;
  let found: number | null = null;
  let shrunk: number | null = null;
  let minimized: number | null = null;
  let result: Walk<S> | null = null;
  if (first.failed && first.counterexample) {
    shrinking = true;
    found = firstFailure;
    // 2. Remove steps that are not needed (fast, deterministic).
    result = minimize(model, walk(first.counterexample[0] ?? [0], true), broken, deadlockOn);
    minimized = result.trace.length - 1;
    // 3. Let fast-check shrink the choices of that run (fewer steps, earlier successors: protocol
    //    steps before faults), for a bounded time; then remove steps again.
    const again = fc.check(property, { numRuns: 1, seed, examples: [[choicesOf(model, result.trace)]], interruptAfterTimeLimit: options.shrinkMs ?? 3000 });
    if (again.failed && again.counterexample) {
      const w = walk(again.counterexample[0] ?? [0], true);
      if (w.broken && sameBreak(w.broken, result.broken)) {
        const m = minimize(model, w, broken, deadlockOn);
        if (m.trace.length <= result.trace.length) result = m;
      }
    }
    shrunk = result.trace.length - 1;
  }
  const durationMs = performance.now() - t0;
  const stats: Stats = {
    distinctStates: seen.size,
    generatedStates: steps,
    diameter: deepest,
    durationMs,
    statesPerSecond: searchMs > 0 ? Math.round((steps / searchMs) * 1000) : steps,
    actions: model.families.map((name, f) => ({ name, fault: model.isFault(name), generated: famSteps[f] ?? 0, distinct: 0 })),
    collisionProbability: 0,
    storeBytes: 0,
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
  };
  const simulation: SimulationInfo = {
    seed,
    runs: generated,
    steps,
    stepsPerSecond: stats.statesPerSecond,
    deepest,
    distinctStates: seen.size,
    found,
    shrunk,
    minimized,
  };
  if (!result || !result.broken) return { result: 'ok', complete: false, stopReason: null, stats, violation: null, simulation };
  const v = result.broken;
  const last = result.trace[result.trace.length - 1]!.state;
  const inv = model.invariants.find((i) => i.name === v.name);
  let explanation: string | null = null;
  if (v.kind === 'invariant' && inv?.explain) {
    try {
      explanation = inv.explain(last);
    } catch (e) {
      explanation = `(explain threw: ${describeThrown(e)})`;
    }
  }
  return {
    result: v.kind === 'deadlock' ? 'deadlock' : 'violation',
    complete: false,
    stopReason: 'violation',
    stats,
    violation: { kind: v.kind, name: v.name, explanation, trace: result.trace },
    simulation,
  };
}

/**
 * Delta debugging over the steps of a failing walk: try removing chunks of steps (halves, then
 * quarters, ... then single steps), replaying the remaining labels from the same initial state;
 * keep a removal when every remaining step is still possible and the walk still breaks the same
 * way, at or before its end.
 */
function minimize<S>(model: Compiled<S>, w: Walk<S>, broken: (s: S) => Walk<S>['broken'], deadlockOn: boolean): Walk<S> {
  const buf = new SuccessorBuffer<S>();
  const target = w.broken!;
  const replay = (labels: readonly string[]): Walk<S> | null => {
    let s = w.trace[0]!.state;
    const trace: TraceStep<S>[] = [w.trace[0]!];
    if (sameBreak(broken(s), target)) return { trace, broken: target, length: 0 };
    for (const label of labels) {
      model.expand(s, buf);
      let j = -1;
      for (let i = 0; i < buf.length; i++)
        if (model.label(buf, i) === label) {
          j = i;
          break;
        }
      if (j < 0) {
        buf.clear();
        return null;
      }
      const t = buf.states[j]!;
      const event = buf.event(j);
      trace.push(event ? { action: label, state: t, event } : { action: label, state: t });
      buf.clear();
      s = t;
      const b = broken(s);
      if (b) return sameBreak(b, target) ? { trace, broken: b, length: trace.length - 1 } : null;
    }
    if (target.kind === 'deadlock' && deadlockOn) {
      model.expand(s, buf);
      const dead = buf.length === 0;
      buf.clear();
      return dead ? { trace, broken: target, length: trace.length - 1 } : null;
    }
    return null;
  };
  let best = w;
  let labels = w.trace.slice(1).map((t) => t.action!);
  // Passes with chunks from half the steps down to one, until a pass removes nothing.
  for (let before = Infinity; labels.length < before; ) {
    before = labels.length;
    for (let chunk = Math.max(1, Math.floor(labels.length / 2)); chunk >= 1; chunk = chunk === 1 ? 0 : Math.max(1, Math.floor(chunk / 2))) {
      for (let i = 0; i < labels.length; ) {
        const r = replay([...labels.slice(0, i), ...labels.slice(i + chunk)]);
        if (r) {
          best = r;
          labels = r.trace.slice(1).map((t) => t.action!);
        } else i += chunk;
      }
    }
  }
  return best;
}

function sameBreak(a: Walk<unknown>['broken'], b: Walk<unknown>['broken']): boolean {
  return a !== null && b !== null && a.kind === b.kind && a.name === b.name;
}

/** The choices that make a walk follow `trace` (the index of each step among its state's successors). */
function choicesOf<S>(model: Compiled<S>, trace: readonly TraceStep<S>[]): number[] {
  const buf = new SuccessorBuffer<S>();
  const choices = [model.init.indexOf(trace[0]!.state)];
  for (let k = 1; k < trace.length; k++) {
    model.expand(trace[k - 1]!.state, buf);
    let j = 0;
    while (j < buf.length && model.label(buf, j) !== trace[k]!.action) j++;
    choices.push(j);
    buf.clear();
  }
  return choices;
}
