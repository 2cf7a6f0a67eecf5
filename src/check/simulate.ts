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
import { Budget, Counters, drain, drainAsync, expandOrThrow, explain, firstBrokenInvariant, type SoFar, statistics } from './core.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { choicesOf, follow, followLabels, initialStep, successorStep } from './path.js';
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
  /** Stop trying new runs when aborted (Ctrl-C): the result says "interrupted". */
  readonly signal?: AbortSignal;
  /** How long one action may run before the model is reported stuck (default 30 s; see Limits). */
  readonly actionTimeoutMs?: number;
  /** Called once the first runs are made, then about every `progressIntervalMs` (default 1000). */
  readonly onProgress?: (p: SimulationProgress) => void;
  readonly progressIntervalMs?: number;
  /**
   * Which successor a choice picks: `forward` (the default), choice `c` takes successor `c mod n`,
   * so smaller choices prefer the model's first actions (protocol steps before faults); `reverse`
   * takes successor `n − 1 − (c mod n)`, preferring the last ones. Swarm shards vary it (swarm.ts).
   */
  readonly order?: 'forward' | 'reverse';
  /** The seed of chunk k of runs (default: derived from `seed`); swarm shards give disjoint ones. */
  readonly chunkSeeds?: (k: number) => number;
}

/** How far a simulation has got, as `onProgress` receives it. */
export interface SimulationProgress {
  readonly runs: number;
  readonly steps: number;
  readonly deepest: number;
  readonly distinctStates: number;
  readonly elapsedMs: number;
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
  /** With the `chunkSeeds` option: the fast-check seeds the runs were made from. */
  readonly seeds?: readonly number[];
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
  return drain(walks(model, options));
}

/**
 * The same, letting the event loop run every few milliseconds (so Ctrl-C ends it with the runs it
 * made), with every stretch under the action watchdog (see drainAsync).
 */
export function randomWalksAsync<S>(model: Compiled<S>, options: SimulateOptions = {}): Promise<SimulationResult<S>> {
  const soFar: SoFar<SimulationResult<S>> = {};
  return drainAsync(walks(model, options, soFar), budgetOf(options), soFar);
}

function budgetOf(options: SimulateOptions): Budget {
  return new Budget({
    ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
    ...(options.actionTimeoutMs !== undefined ? { actionTimeoutMs: options.actionTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * Runs are made CHUNK at a time, each chunk one fast-check run with its own seed (the first chunk
 * with the seed itself), so the search can pause between chunks; the runs depend on the seed only.
 */
const CHUNK = 64;

function chunkSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  let h = Math.imul(seed ^ Math.imul(k, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

function* walks<S>(model: Compiled<S>, options: SimulateOptions = {}, soFar: SoFar<SimulationResult<S>> = {}): Generator<void, SimulationResult<S>, void> {
  const t0 = performance.now();
  const budget = budgetOf(options);
  const runs = options.runs ?? 1000;
  const depth = options.depth ?? 200;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const deadlockOn = options.deadlock ?? model.deadlock;
  const reverse = options.order === 'reverse';
  const seedsUsed: number[] = [];
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
      const j = reverse ? buf.length - 1 - (choices[k]! % buf.length) : choices[k]! % buf.length;
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

  let searchMs = -1; // set when the runs end
  let found: number | null = null;
  let shrunk: number | null = null;
  let minimized: number | null = null;
  let result: Walk<S> | null = null;

  // 1. Random runs (fast-check generates them from the seed) until one fails.
  const arb = fc.array(fc.nat(), { minLength: 1, maxLength: depth + 1, size: 'max' });
  let timedOut = false;
  let interrupted = false;
  let deadline = t0 + timeLimit;
  const property = fc.property(arb, (choices) => {
    if (!shrinking) {
      // Past the time limit, fast-check may still ask for a run or two before it stops: skipped, not counted.
      if (performance.now() > deadline) {
        timedOut = true;
        return true;
      }
      generated++;
    }
    const w = walk(choices, false);
    if (w.broken !== null && !shrinking) firstFailure = w.length;
    return w.broken === null;
  });
  let failing: { seed: number; choices: number[] } | null = null;
  let lastProgress = t0;
  soFar.result = () => summary(null, 'interrupted');
  for (let k = 0; generated < runs && !timedOut; k++) {
    const why = budget.stop();
    if (why === 'interrupted') {
      interrupted = true;
      break;
    }
    if (why === 'time-limit') {
      timedOut = true;
      break;
    }
    const chunkSeedK = options.chunkSeeds ? options.chunkSeeds(k) : chunkSeed(seed, k);
    seedsUsed.push(chunkSeedK);
    const r = fc.check(property, { numRuns: Math.min(CHUNK, runs - generated), seed: chunkSeedK, endOnFailure: true, ...(Number.isFinite(timeLimit) ? { interruptAfterTimeLimit: Math.max(1, Math.floor(deadline - performance.now())) } : {}) });
    if (r.interrupted) timedOut = true;
    if (r.failed && r.counterexample) {
      failing = { seed: chunkSeedK, choices: r.counterexample[0] ?? [0] };
      break;
    }
    const now = performance.now();
    if (options.onProgress && (k === 0 || now - lastProgress >= (options.progressIntervalMs ?? 1000))) {
      lastProgress = now;
      options.onProgress({ runs: generated, steps: counters.generated, deepest, distinctStates: seen.size, elapsedMs: now - t0 });
    }
    yield;
  }
  deadline = Infinity; // shrinking has its own limit
  searchMs = performance.now() - t0;

  /** The result, from the walk to report (or none) and why the runs stopped. */
  function summary(w: Walk<S> | null, why: 'time-limit' | 'interrupted' | null): SimulationResult<S> {
    const steps = counters.generated;
    const ms = searchMs >= 0 ? searchMs : performance.now() - t0;
    // A walk's statistics: steps taken (not distinct states) per second while searching, and no
    // collision estimate or constraint count (states are not stored).
    const { beyondConstraint: _beyond, ...base } = statistics(model, { start: t0, distinct: seen.size, counters, diameter: deepest, families: model.families, storeBytes: 0 });
    const stats: Stats = { ...base, statesPerSecond: ms > 0 ? Math.round((steps / ms) * 1000) : steps, collisionProbability: 0 };
    const simulation: SimulationInfo = { seed, runs: generated, steps, stepsPerSecond: stats.statesPerSecond, deepest, distinctStates: seen.size, found, shrunk, minimized, ...(options.chunkSeeds ? { seeds: seedsUsed } : {}) };
    if (!w || !w.broken) return { result: 'ok', complete: false, stopReason: why, stats, violation: null, simulation };
    const v = w.broken;
    const explanation = v.kind === 'invariant' ? explain(model, v.name, w.trace[w.trace.length - 1]!.state) : null;
    return {
      result: v.kind === 'deadlock' ? 'deadlock' : 'violation',
      complete: false,
      stopReason: 'violation',
      stats,
      violation: { kind: v.kind, name: v.name, explanation, trace: w.trace },
      simulation,
    };
  }

  if (failing) {
    shrinking = true;
    found = firstFailure;
    // Interrupted while shrinking: the shortest walk so far.
    soFar.result = () => summary(result ?? walk(failing.choices, true), null);
    // 2. Remove steps that are not needed (fast, deterministic).
    result = minimize(model, walk(failing.choices, true), broken, deadlockOn);
    minimized = result.trace.length - 1;
    yield;
    // 3. Let fast-check shrink the choices of that run (fewer steps, earlier successors: protocol
    //    steps before faults), for a bounded time; then remove steps again.
    const again = fc.check(property, { numRuns: 1, seed: failing.seed, examples: [[walkChoices(model, result.trace, reverse)]], interruptAfterTimeLimit: options.shrinkMs ?? 3000 });
    if (again.failed && again.counterexample) {
      const w = walk(again.counterexample[0] ?? [0], true);
      if (w.broken && sameBreak(w.broken, result.broken)) {
        const m = minimize(model, w, broken, deadlockOn);
        if (m.trace.length <= result.trace.length) result = m;
      }
    }
    shrunk = result.trace.length - 1;
  }
  return summary(result, interrupted ? 'interrupted' : timedOut ? 'time-limit' : null);
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

/** The choices that make `walk` take the steps of `trace` (successor indices, mirrored in reverse order). */
function walkChoices<S>(model: Compiled<S>, trace: readonly TraceStep<S>[], reverse: boolean): number[] {
  const choices = choicesOf(model, trace);
  if (!reverse) return choices;
  const lengths: number[] = [];
  follow(model, trace[0]!.state, trace.length - 1, (k, _from, buf) => {
    lengths.push(buf.length);
    return choices[k]! < buf.length ? choices[k]! : -1;
  }, false);
  return choices.map((c, k) => (k === 0 || lengths[k - 1] === undefined ? c : Math.max(0, lengths[k - 1]! - 1 - c)));
}

function sameBreak(a: Walk<unknown>['broken'], b: Walk<unknown>['broken']): boolean {
  return a !== null && b !== null && a.kind === b.kind && a.name === b.name;
}
