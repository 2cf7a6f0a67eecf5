/**
 * The breadth-first explorer.
 *
 * Level by level from the initial states: every distinct state is checked against every
 * invariant when it is first found, so the first violation has a shortest trace, and the order of
 * work (and so every count) is the same on every run. Only fingerprints and parent links are
 * kept per seen state (see store.ts); the states of the current and the next level are the only
 * states held in memory. A counterexample is rebuilt by replaying the recorded choices.
 */
import type { Spec } from '../model/types.js';
export type { Level } from './level.js';
import { compile, type Compiled, SuccessorBuffer } from './compile.js';
import { Budget, Counters, drain, drainAsync, type SoFar, expandOrThrow, explain, firstBrokenInvariant, type Found, statistics, stopAtNew, takeInitialStates, where } from './core.js';
import { describeThrown, ModelError } from '../model/errors.js';
import { type Level, levelFor } from './level.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { replayStored } from './path.js';
import { NO_PARENT, StateStore } from './store.js';
import type { GraphRecorder } from './graph.js';
import type { CheckOptions, CheckResult, StopReason, Violation } from './types.js';

/** Check a Spec's invariants and deadlocks breadth first (no liveness: see check.ts). */
export function explore<S>(spec: Spec<S>, options: CheckOptions = {}): CheckResult<S> {
  return bfs(compile(spec), new Budget(options));
}

/** The breadth-first search of a compiled model, within `budget`. */
export function bfs<S>(model: Compiled<S>, budget: Budget = new Budget()): CheckResult<S> {
  return finished(model, budget, drain(levels(model, budget)));
}

/**
 * The same search, letting the event loop run every few milliseconds — so that a signal handler
 * (Ctrl-C) can abort the budget's signal and the search end with what it found so far.
 */
export async function bfsAsync<S>(model: Compiled<S>, budget: Budget = new Budget(), hooks: SearchHooks<S> = {}): Promise<CheckResult<S>> {
  return finished(model, budget, await searchAsync(model, budget, hooks));
}

/**
 * The search with `hooks` (see SearchHooks: stop at a level and hand it over, carry on from a level
 * of an earlier search, hear of every expansion), returning where it stands rather than a result:
 * a shard of a distributed check (shard.ts) is a search split at a level and one carried on from it.
 */
export function searchAsync<S>(model: Compiled<S>, budget: Budget, hooks: SearchHooks<S> = {}): Promise<Searched<S>> {
  const soFar: SoFar<Searched<S>> = {};
  return drainAsync(levels(model, budget, soFar, hooks), budget, soFar);
}

/** Where a search stands when it ends: what `finished` makes a result of, and what a search can carry on from. */
export interface Searched<S> {
  readonly store: StateStore;
  readonly counters: Counters;
  /** The deepest level reached. */
  readonly diameter: number;
  readonly found: Found | null;
  readonly stopReason: StopReason | null;
  /** Stopped because `SearchHooks.split` asked to, before expanding `frontier`. */
  readonly split: boolean;
  /** The level that was to be expanded next (after a split: every state of it, not yet taken). */
  readonly frontier: Level<S>;
  /** The frontier's depth, and the id of its first state (its ids are consecutive). */
  readonly depth: number;
  readonly frontierStart: number;
  /**
   * The first id of each level, from depth 0: level k holds the ids from levelStarts[k] up to
   * levelStarts[k + 1] (the last entry may be the start of a level that holds nothing).
   */
  readonly levelStarts: readonly number[];
}

/** What a search may be asked besides its budget. */
export interface SearchHooks<S> {
  /**
   * Stop before expanding the level at `depth`, of `size` states, if this says so: the result is
   * `split`, with that level as its `frontier`.
   */
  readonly split?: (depth: number, size: number) => boolean;
  /**
   * Carry on from a level of an earlier search, in its store (so that a trace leads back through
   * the earlier search to an initial state): `level` holds states of `from.frontier`, `ids` their
   * ids in `from.store`.
   */
  readonly from?: { readonly searched: Searched<S>; readonly level: Level<S>; readonly ids: readonly number[] };
  /**
   * Called once state `id` has been expanded, with its number of successors; -1 for a state beyond
   * the model's constraint (checked, not expanded).
   */
  readonly expanded?: (id: number, successors: number) => void;
  /**
   * Record the graph as the search goes (every stored state and every step, self-loops included),
   * in a recorder made for the search's store. Not with `from`.
   */
  readonly record?: (store: StateStore) => GraphRecorder<S>;
}

/** The result of a search that has ended. */
export function finished<S>(model: Compiled<S>, budget: Budget, r: Searched<S>): CheckResult<S> {
  return finishSearch(model, r.store, budget, { counters: r.counters, diameter: r.diameter, families: model.families, found: r.found, stopReason: r.stopReason });
}

/** The search itself; it pauses (yields) whenever the budget is due for a check. */
function* levels<S>(model: Compiled<S>, budget: Budget, soFar: SoFar<Searched<S>> = {}, hooks: SearchHooks<S> = {}): Generator<void, Searched<S>, void> {
  const maxDepth = budget.maxDepth;
  const maxStates = budget.maxStates;
  const deadlockOn = budget.deadlockOn(model);
  const from = hooks.from?.searched;
  const store = from ? from.store : new StateStore();
  const buf = new SuccessorBuffer<S>();
  const counters = from ? from.counters : new Counters();
  const levelStarts = from ? [...from.levelStarts] : [0];
  let depth = from ? from.depth : 0;
  let maxLevel = depth;
  let stopReason: StopReason | null = null;
  let found: Found | null = null;
  let split = false;
  const fp = model.key;
  const beyond = model.beyond;
  const onExpanded = hooks.expanded;
  const rec = hooks.record && !from ? hooks.record(store) : null;

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
    expandOrThrow(model, s, recheck, id, d);
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

  let frontier: Level<S>;
  // The level expanded last, every state taken: the next level reuses it (not one given by `from`).
  let spent: Level<S> | null = null;
  let levelStart = 0; // id of frontier[0], unless the ids are given (`firstIds`)
  let firstIds: readonly number[] | null = null;
  const searched = (why: StopReason | null): Searched<S> => ({
    store,
    counters,
    diameter: maxLevel,
    found,
    stopReason: why,
    split,
    frontier,
    depth,
    frontierStart: levelStart,
    levelStarts,
  });
  // Cut short in the middle of a stretch (see drainAsync): what was found up to there.
  soFar.result = () => searched('interrupted');

  if (hooks.from) {
    frontier = hooks.from.level;
    firstIds = hooks.from.ids;
  } else {
    // ---- initial states
    const start = takeInitialStates(model, store, maxStates);
    counters.generated = start.generated;
    found = start.found;
    stopReason = start.stopReason;
    frontier = newLevel(model);
    for (const i of start.held) {
      frontier.add(model.init[i]!);
      rec?.state(model.init[i]!, NO_PARENT, i);
    }
  }

  let expanded = 0;

  search: while (frontier.size > 0 && !found && stopReason === null) {
    maxLevel = depth;
    if (depth >= maxDepth) {
      stopReason = 'max-depth';
      break;
    }
    if (hooks.split?.(depth, frontier.size)) {
      split = true;
      break;
    }
    const nextFrontier = spent !== null ? spent.recycle() : newLevel(model);
    spent = null;
    const nextStart = store.size; // every state of this level is stored: the next one's ids start here
    levelStarts[depth + 1] = nextStart;
    const levelSize = frontier.size;
    for (let i = 0; i < levelSize; i++) {
      const s = frontier.take(); // the level lets the state go once taken
      const id = firstIds !== null ? firstIds[i]! : levelStart + i;
      if (beyond !== null && beyond(s)) {
        counters.beyond++;
        onExpanded?.(id, -1);
        continue;
      }
      expandOrThrow(model, s, buf, id, depth);
      expanded++;
      if ((expanded & 4095) === 1) checkDeterminism(s, id, depth);
      rec?.expanded(id);
      const n = buf.length;
      onExpanded?.(id, n);
      if (n === 0 && deadlockOn) {
        found = { kind: 'deadlock', name: 'Deadlock', id };
        break search;
      }
      const states = buf.states;
      const fams = buf.families;
      for (let j = 0; j < n; j++) {
        const t = states[j]!;
        const f = fams[j]!;
        counters.generatedBy(f);
        // An action that changes nothing returns its input (Immutable returns the same object
        // for a no-op update): a self-loop to a state already stored, nothing to hash or look up.
        if (t === s) {
          rec?.edge(id, id, buf, j);
          continue;
        }
        try {
          fp(t);
        } catch (e) {
          throw new ModelError(`action ${model.label(buf, j)} on ${where(id, depth, s)} produced a state faultline cannot fingerprint: ${describeThrown(e)}`, e);
        }
        const nid = store.add(fpHigh(), fpLow(), id, j);
        if (nid < 0) {
          rec?.edge(id, store.seen, buf, j);
          continue;
        }
        if (rec !== null) {
          rec.state(t, id, j);
          rec.edge(id, nid, buf, j);
        }
        counters.newBy(f);
        nextFrontier.add(t);
        const stop = stopAtNew(model, firstBrokenInvariant(model, t, nid, depth + 1), nid, store.size, maxStates);
        if (stop) {
          ({ found, stopReason } = stop);
          maxLevel = depth + 1;
          break search;
        }
      }
      if (budget.due()) {
        const now = performance.now();
        const why = budget.stop(now);
        if (why !== null) {
          stopReason = why;
          break search;
        }
        yield;
        budget.progress(
          () => ({ distinctStates: store.size, generatedStates: counters.generated, depth, queued: levelSize - i - 1 + nextFrontier.size, elapsedMs: now - budget.start }),
          now,
        );
      }
    }
    buf.clear();
    if (firstIds === null) spent = frontier;
    firstIds = null;
    levelStart = nextStart;
    frontier = nextFrontier;
    if (nextFrontier.size > 0) depth++;
  }
  buf.clear();
  return searched(stopReason);
}

/** An empty level for the states of `model`. */
export function newLevel<S>(model: Compiled<S>): Level<S> {
  return levelFor(model.init[0]);
}

/** Statistics, verdict and (replayed) counterexample at the end of a search over a store. */
export function finishSearch<S>(
  model: Compiled<S>,
  store: StateStore,
  budget: Budget,
  r: { counters: Counters; diameter: number; families: readonly string[]; found: Found | null; stopReason: StopReason | null },
): CheckResult<S> {
  const f = r.found;
  const stopReason = f ? 'violation' : r.stopReason;
  const stats = statistics(model, { start: budget.start, distinct: store.size, counters: r.counters, diameter: r.diameter, families: r.families, storeBytes: store.bytes });
  let violation: Violation<S> | null = null;
  if (f) {
    const trace = replayStored(model, store, f.id);
    const explanation = f.kind === 'invariant' ? explain(model, f.name, trace[trace.length - 1]!.state) : null;
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
