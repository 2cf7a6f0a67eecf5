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
import { type Compiled, SuccessorBuffer } from './compile.js';
import { Counters, expandOrThrow, explain, firstBrokenInvariant, statistics } from './core.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { choicesOf, followLabels, initialStep, successorStep } from './path.js';
import { FingerprintSet } from './store.js';
import type { CheckResult, Stats, TraceStep } from './types.js';

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

/** Random walks through a compiled model; a failing walk is shrunk (see the top of this file). */
export function randomWalks<S>(model: Compiled<S>, options: SimulateOptions = {}): SimulationResult<S> {
  const t0 = performance.now();
  const runs = options.runs ?? 1000;
  const depth = options.depth ?? 200;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const deadlockOn = options.deadlock ?? model.deadlock;
  const timeLimit = options.timeLimitMs ?? Infinity;
  const seen = new FingerprintSet();
  const counters = new Counters();
  let deepest = 0;
  let generated = 0;
  let shrinking = false;
  let firstFailure: number | null = null;
  const buf = new SuccessorBuffer<S>();

  const expand = (s: S, k: number): void => expandOrThrow(model, s, buf, -1, k);
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
    const trace: TraceStep<S>[] = keep ? [initialStep(model, s)] : [];
    if (!shrinking) record(s);
    let bad = broken(s);
    let k = 1;
    for (; bad === null && k <= Math.min(depth, choices.length - 1); k++) {
      expand(s, k - 1);
      if (buf.length === 0) {
        if (deadlockOn) bad = { kind: 'deadlock', name: 'Deadlock' };
        break;
      }
      const j = choices[k]! % buf.length;
      const t = buf.states[j]!;
      if (keep) trace.push(successorStep(model, buf, j));
      if (!shrinking) {
        counters.generatedBy(buf.families[j]!);
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
  let timedOut = false;
  const property = fc.property(arb, (choices) => {
    if (!shrinking) {
      // Past the time limit, fast-check may still ask for a run or two before it stops: skipped, not counted.
      if (performance.now() - t0 > timeLimit) {
        timedOut = true;
        return true;
      }
      generated++;
    }
    const w = walk(choices, false);
    if (w.broken !== null && !shrinking) firstFailure = w.length;
    return w.broken === null;
  });
  const first = fc.check(property, { numRuns: runs, seed, endOnFailure: true, ...(Number.isFinite(timeLimit) ? { interruptAfterTimeLimit: Math.max(1, Math.floor(timeLimit)) } : {}) });
  if (first.interrupted) timedOut = true;
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
  const steps = counters.generated;
  // A walk's statistics: steps taken (not distinct states) per second while searching, and no
  // collision estimate or constraint count (states are not stored).
  const { beyondConstraint: _beyond, ...base } = statistics(model, { start: t0, distinct: seen.size, counters, diameter: deepest, families: model.families, storeBytes: 0 });
  const stats: Stats = { ...base, statesPerSecond: searchMs > 0 ? Math.round((steps / searchMs) * 1000) : steps, collisionProbability: 0 };
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
  if (!result || !result.broken) return { result: 'ok', complete: false, stopReason: timedOut ? 'time-limit' : null, stats, violation: null, simulation };
  const v = result.broken;
  const explanation = v.kind === 'invariant' ? explain(model, v.name, result.trace[result.trace.length - 1]!.state) : null;
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
  /** The walk that takes these steps from the same initial state, if it still breaks the same way. */
  const replay = (labels: readonly string[]): Walk<S> | null => {
    const start = w.trace[0]!.state;
    if (sameBreak(broken(start), target)) return { trace: [w.trace[0]!], broken: target, length: 0 };
    // Up to the first state that breaks something: the same break shortens the walk, another rejects it.
    const all = followLabels(model, start, labels, (s) => broken(s) !== null);
    if (all === null) return null;
    const last = all.length - 1;
    const b = last > 0 ? broken(all[last]!.state) : null;
    if (b) return sameBreak(b, target) ? { trace: all, broken: b, length: last } : null;
    if (target.kind === 'deadlock' && deadlockOn) {
      model.expand(all[all.length - 1]!.state, buf);
      const dead = buf.length === 0;
      buf.clear();
      return dead ? { trace: all, broken: target, length: all.length - 1 } : null;
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
