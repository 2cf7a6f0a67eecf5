/**
 * The breadth-first explorer.
 *
 * Level by level from the initial states: every distinct state is checked against every
 * invariant when it is first found, so the first violation has a shortest trace, and the order of
 * work (and so every count) is the same on every run. Only fingerprints and parent links are
 * kept per seen state (see store.ts); the states of the current and the next level are the only
 * states held in memory. A counterexample is rebuilt by replaying the recorded choices.
 */
import { describeThrown, ModelError } from '../model/errors.js';
import type { TraceEvent } from '../model/trace.js';
import type { Spec } from '../model/types.js';
import { show } from '../model/values.js';
import { ActionError, compile, type Compiled, SuccessorBuffer } from './compile.js';
import { fpHigh, fpLow } from './fingerprint.js';
import { NO_PARENT, StateStore } from './store.js';

export interface CheckOptions {
  /** Explore states at most this many steps from an initial state. */
  readonly maxDepth?: number;
  /** Stop once this many distinct states are found. */
  readonly maxStates?: number;
  /** Stop after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Override the model's deadlock setting (false: states without successors are fine). */
  readonly deadlock?: boolean;
  /** Called about every `progressIntervalMs` (default 1000) while the search runs. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressIntervalMs?: number;
}

export interface Progress {
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly queued: number;
  readonly elapsedMs: number;
}

export interface TraceStep<S> {
  /** The action that led to this state; null for the initial state. */
  readonly action: string | null;
  readonly state: S;
  /** What happened at this step, if the model describes its steps (message-passing models do). */
  readonly event?: TraceEvent;
}

export interface Violation<S> {
  /** `witness`: not a violation but the example a `--witness` search asked for. */
  readonly kind: 'invariant' | 'deadlock' | 'witness' | 'liveness';
  /** The invariant's name, or `Deadlock`. */
  readonly name: string;
  /** The model's explanation of what breaks, if its invariant gives one. */
  readonly explanation: string | null;
  /** From an initial state to the bad state; its length minus one is the number of steps. */
  readonly trace: readonly TraceStep<S>[];
  /** A liveness lasso: the index of the step the trace's last step returns to (it loops forever). */
  readonly loop?: number | null;
}

export interface ActionStats {
  readonly name: string;
  /** A fault of the environment (crash, loss, partition...) rather than a protocol step. */
  readonly fault: boolean;
  /** Successors this action produced. */
  readonly generated: number;
  /** Of those, states not seen before. */
  readonly distinct: number;
}

export interface Stats {
  readonly distinctStates: number;
  /** Initial states plus every successor computed (TLC's "states generated"). */
  readonly generatedStates: number;
  /** The largest distance from an initial state among the states found (TLC's depth minus one). */
  readonly diameter: number;
  readonly durationMs: number;
  readonly statesPerSecond: number;
  readonly actions: readonly ActionStats[];
  /** Estimated probability that a fingerprint collision hid a state: n·(g−n)/2^64. */
  readonly collisionProbability: number;
  /** Bytes held by the seen-state store. */
  readonly storeBytes: number;
  /** The process's peak resident memory so far. */
  readonly peakMemoryBytes: number;
  /** States beyond the model's constraint: checked, not expanded (absent without a constraint). */
  readonly beyondConstraint?: number;
}

export type StopReason = 'violation' | 'max-depth' | 'max-states' | 'time-limit';

export interface CheckResult<S> {
  /** With a witness search: `witness` when found, `ok` when no reachable state has it. */
  readonly result: 'ok' | 'violation' | 'deadlock' | 'witness' | 'liveness';
  /** True when every reachable state was explored. */
  readonly complete: boolean;
  /** Why the search ended early; null when it is complete. */
  readonly stopReason: StopReason | null;
  readonly stats: Stats;
  readonly violation: Violation<S> | null;
  /** The liveness pass, when the model has properties. */
  readonly liveness?: { readonly states: number; readonly edges: number; readonly durationMs: number; readonly complete: boolean };
}

/** Describe a state in an error message: its number, depth and a short rendering. */
function where(id: number, depth: number, s: unknown): string {
  return `state #${id} (depth ${depth}) ${show(s, 300)}`;
}

export function explore<S>(spec: Spec<S>, options: CheckOptions = {}): CheckResult<S> {
  return exploreCompiled(compile(spec), options);
}

export function exploreCompiled<S>(model: Compiled<S>, options: CheckOptions = {}): CheckResult<S> {
  const t0 = performance.now();
  const maxDepth = options.maxDepth ?? Infinity;
  const maxStates = options.maxStates ?? Infinity;
  const timeLimit = options.timeLimitMs ?? Infinity;
  const deadlockOn = options.deadlock ?? model.deadlock;
  const progressEvery = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;
  const invariants = model.invariants;

  const store = new StateStore();
  const buf = new SuccessorBuffer<S>();
  const famGenerated: number[] = [];
  const famDistinct: number[] = [];
  let generated = 0;
  let depth = 0;
  let maxLevel = 0;
  let stopReason: StopReason | null = null;
  let found: Found | null = null;

  const fp = model.key;
  const beyond = model.beyond;
  let beyondCount = 0;

  /** Check every invariant on a newly found state; record the first that fails. */
  const checkInvariants = (s: S, id: number, d: number): boolean => {
    const bad = firstBrokenInvariant(model, s, id, d);
    if (bad >= 0) found = { kind: 'invariant', name: invariants[bad]!.name, id };
    return bad < 0;
  };

  const expandAt = (s: S, id: number, d: number, out: SuccessorBuffer<S>): void => {
    try {
      model.expand(s, out);
    } catch (e) {
      if (e instanceof ActionError) throw new ModelError(`action ${e.action} threw on ${where(id, d, s)}: ${describeThrown(e.thrown)}`, e.thrown);
      throw e;
    }
  };

  // Determinism spot check: every 4096th state is expanded twice and the two results compared.
  const recheck = new SuccessorBuffer<S>();
  const fpsOf = (out: SuccessorBuffer<S>): string[] => {
    const r: string[] = [];
    for (let j = 0; j < out.length; j++) {
      fp(out.states[j]!);
      r.push(`${fpHigh()}:${fpLow()}`);
    }
    return r;
  };
  const checkDeterminism = (s: S, id: number, d: number): void => {
    const first = fpsOf(buf);
    expandAt(s, id, d, recheck);
    const second = fpsOf(recheck);
    if (first.length !== second.length || first.some((x, j) => x !== second[j])) {
      let j = 0;
      while (j < first.length && first[j] === second[j]) j++;
      const act = j < buf.length ? model.label(buf, j) : j < recheck.length ? model.label(recheck, j) : '?';
      throw new ModelError(
        `the model is not deterministic: expanding ${where(id, d, s)} twice gave different successors (first difference at successor ${j + 1}, action ${act})`,
      );
    }
    recheck.clear();
  };

  // ---- initial states
  const start = takeInitialStates(model, store, maxStates);
  generated = start.generated;
  found = start.found;
  stopReason = start.stopReason;
  let frontier: (S | undefined)[] = start.held.map((i) => model.init[i]!);

  let levelStart = 0; // id of frontier[0]
  let expanded = 0;
  let lastProgress = t0;
  let timeChecks = 0;

  search: while (frontier.length > 0 && !found && stopReason === null) {
    maxLevel = depth;
    if (depth >= maxDepth) {
      stopReason = 'max-depth';
      break;
    }
    const nextFrontier: S[] = [];
    for (let i = 0; i < frontier.length; i++) {
      const s = frontier[i]!;
      frontier[i] = undefined; // let the state go once expanded
      const id = levelStart + i;
      if (beyond !== null && beyond(s)) {
        beyondCount++;
        continue;
      }
      expandAt(s, id, depth, buf);
      expanded++;
      if ((expanded & 4095) === 1) checkDeterminism(s, id, depth);
      const n = buf.length;
      if (n === 0 && deadlockOn) {
        found = { kind: 'deadlock', name: 'Deadlock', id };
        break search;
      }
      const states = buf.states;
      const fams = buf.families;
      for (let j = 0; j < n; j++) {
        const t = states[j]!;
        const f = fams[j]!;
        generated++;
        famGenerated[f] = (famGenerated[f] ?? 0) + 1;
        // An action that changes nothing returns its input (Immutable returns the same object
        // for a no-op update): a self-loop to a state already stored, nothing to hash or look up.
        if (t === s) continue;
        let nid: number;
        try {
          fp(t);
        } catch (e) {
          throw new ModelError(`action ${model.label(buf, j)} on ${where(id, depth, s)} produced a state faultline cannot fingerprint: ${describeThrown(e)}`, e);
        }
        nid = store.add(fpHigh(), fpLow(), id, j);
        if (nid < 0) continue;
        famDistinct[f] = (famDistinct[f] ?? 0) + 1;
        nextFrontier.push(t);
        if (!checkInvariants(t, nid, depth + 1)) {
          maxLevel = depth + 1;
          break search;
        }
        if (store.size >= maxStates) {
          stopReason = 'max-states';
          maxLevel = depth + 1;
          break search;
        }
      }
      if ((++timeChecks & 255) === 0) {
        const now = performance.now();
        if (now - t0 >= timeLimit) {
          stopReason = 'time-limit';
          break search;
        }
        if (onProgress && now - lastProgress >= progressEvery) {
          lastProgress = now;
          onProgress({
            distinctStates: store.size,
            generatedStates: generated,
            depth,
            queued: frontier.length - i - 1 + nextFrontier.length,
            elapsedMs: now - t0,
          });
        }
      }
    }
    buf.clear();
    levelStart += frontier.length;
    frontier = nextFrontier;
    if (nextFrontier.length > 0) depth++;
  }
  buf.clear();

  return finishSearch(model, store, {
    t0,
    generated,
    diameter: maxLevel,
    families: model.families,
    famGenerated,
    famDistinct,
    found: found as Found | null,
    stopReason,
    beyond: beyondCount,
  });
}

/** Index of the first invariant `s` breaks, or -1; an invariant that throws is a model error. */
export function firstBrokenInvariant<S>(model: Compiled<S>, s: S, id: number, depth: number): number {
  const invariants = model.invariants;
  for (let k = 0; k < invariants.length; k++) {
    const inv = invariants[k]!;
    let ok: boolean;
    try {
      ok = inv.holds(s);
    } catch (e) {
      throw new ModelError(`invariant ${inv.name} threw on ${where(id, depth, s)}: ${describeThrown(e)}`, e);
    }
    if (!ok) return k;
  }
  return -1;
}

/** Add the distinct initial states to the store, in order, checking invariants and the bound. */
export function takeInitialStates<S>(model: Compiled<S>, store: StateStore, maxStates: number) {
  const held: number[] = [];
  let generated = 0;
  let found: Found | null = null;
  let stopReason: StopReason | null = null;
  for (let i = 0; i < model.init.length && !found && stopReason === null; i++) {
    const s = model.init[i]!;
    generated++;
    model.key(s);
    const id = store.add(fpHigh(), fpLow(), NO_PARENT, i);
    if (id < 0) continue;
    held.push(i);
    const bad = firstBrokenInvariant(model, s, id, 0);
    if (bad >= 0) found = { kind: 'invariant', name: model.invariants[bad]!.name, id };
    else if (store.size >= maxStates) stopReason = 'max-states';
  }
  return { held, generated, found, stopReason };
}

/** The first problem a search found: which state, and what is wrong with it. */
export interface Found {
  readonly kind: 'invariant' | 'deadlock';
  readonly name: string;
  readonly id: number;
}

/** Statistics, verdict and (replayed) counterexample at the end of a search. */
export function finishSearch<S>(
  model: Compiled<S>,
  store: StateStore,
  r: {
    t0: number;
    generated: number;
    diameter: number;
    families: readonly string[];
    famGenerated: readonly number[];
    famDistinct: readonly number[];
    found: Found | null;
    stopReason: StopReason | null;
    beyond?: number;
  },
): CheckResult<S> {
  const f = r.found;
  const stopReason = f ? 'violation' : r.stopReason;
  const durationMs = performance.now() - r.t0;
  const n = store.size;
  const stats: Stats = {
    distinctStates: n,
    generatedStates: r.generated,
    diameter: r.diameter,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((n / durationMs) * 1000) : n,
    actions: r.families.map((name, k) => ({ name, fault: model.isFault(name), generated: r.famGenerated[k] ?? 0, distinct: r.famDistinct[k] ?? 0 })),
    collisionProbability: (n * Math.max(0, r.generated - n)) / 2 ** 64,
    storeBytes: store.bytes,
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    ...(model.beyond !== null ? { beyondConstraint: r.beyond ?? 0 } : {}),
  };
  let violation: Violation<S> | null = null;
  if (f) {
    const trace = replay(model, store, f.id);
    const inv = f.kind === 'invariant' ? model.invariants.find((i) => i.name === f.name) : undefined;
    let explanation: string | null = null;
    if (inv?.explain) {
      try {
        explanation = inv.explain(trace[trace.length - 1]!.state);
      } catch (e) {
        explanation = `(explain threw: ${describeThrown(e)})`;
      }
    }
    violation = { kind: model.witness !== null && f.kind === 'invariant' ? 'witness' : f.kind, name: f.name, explanation, trace };
  }
  return {
    result: f ? (f.kind === 'deadlock' ? 'deadlock' : model.witness !== null ? 'witness' : 'violation') : 'ok',
    complete: stopReason === null,
    stopReason,
    stats,
    violation,
  };
}

/**
 * Rebuild the trace to state `id` by replaying the recorded choices from its initial state,
 * checking at each step that the model produces the state that was found during the search.
 */
export function replay<S>(model: Compiled<S>, store: StateStore, id: number): TraceStep<S>[] {
  const path = store.pathTo(id);
  const fpOf = (s: S): [number, number] => {
    model.key(s);
    return [fpHigh(), fpLow()];
  };
  const root = path[0]!;
  let s: S = model.init[store.choice(root)] as S;
  const first = model.initEvent?.(s);
  const trace: TraceStep<S>[] = [first ? { action: null, state: s, event: first } : { action: null, state: s }];
  const buf = new SuccessorBuffer<S>();
  for (let k = 1; k < path.length; k++) {
    const pid = path[k]!;
    try {
      model.expand(s, buf);
    } catch (e) {
      const act = e instanceof ActionError ? e.action : 'next';
      throw new ModelError(`the model is not deterministic: replaying the trace, action ${act} threw on ${where(path[k - 1]!, k - 1, s)} although it did not during the search`);
    }
    const c = store.choice(pid);
    const t = c < buf.length ? buf.states[c] : undefined;
    const [hi, lo] = t === undefined ? [-1, -1] : fpOf(t);
    if (t === undefined || hi !== store.fpHigh(pid) || lo !== store.fpLow(pid)) {
      throw new ModelError(
        `the model is not deterministic: replaying the trace from ${where(path[k - 1]!, k - 1, s)}, successor ${c + 1} is not the state found during the search`,
      );
    }
    const event = buf.event(c);
    trace.push(event ? { action: model.label(buf, c), state: t as S, event } : { action: model.label(buf, c), state: t as S });
    s = t as S;
  }
  return trace;
}
