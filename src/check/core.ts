/**
 * What every search strategy shares: limits and the clock, invariant verdicts, explanations, the
 * one wording of a model's misbehaviour, the seen-set key as text, and the statistics at the end.
 * A strategy (bfs.ts, parallel.ts, liveness.ts, simulate.ts) is a loop over these.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Script } from 'node:vm';
import { ActionError, describeThrown, ModelError } from '../model/errors.js';
import { show } from '../model/values.js';
import type { Compiled } from './compile.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { NO_PARENT, type StateStore } from './store.js';
import type { CheckOptions, Progress, Stats, StopReason } from './types.js';

// ------------------------------------------------------------------ limits and the clock

/** Run a search that pauses (see bfs.ts) to its end, without pausing. */
export function drain<R>(search: Generator<void, R, void>): R {
  for (;;) {
    const r = search.next();
    if (r.done) return r.value;
  }
}

/**
 * What a search has found so far, for a search cut short in the middle of a stretch (Ctrl-C while
 * an action runs): set by the search once its tables exist.
 */
export interface SoFar<R> {
  result?: () => R;
}

/**
 * Run a search that pauses to its end, letting the event loop run at most every YIELD_MS. Each
 * stretch between pauses (about CHECK_MS of work) runs under V8's watchdog (a vm script with a
 * timeout, which interrupts even a loop that never returns): a model's action stuck for
 * `stuckMs` ends the search with an error naming the action and the state.
 *
 * Ctrl-C between stretches reaches the process's SIGINT handler (the CLI's aborts the budget's
 * signal, and the search stops at its next check). Ctrl-C during a stretch would wait for the
 * stretch to end — for ever, or until the timeout, if an action is stuck — so, when somebody
 * listens for SIGINT and the search says what it has found `soFar`, the stretch is run with
 * `breakOnSigint`: V8 stops it where it is, the listeners get the signal, and the search ends
 * with what it had found.
 */
export async function drainAsync<R>(search: Generator<void, R, void>, budget?: Budget, soFar?: SoFar<R>): Promise<R> {
  for (;;) {
    const breakOnSigint = soFar !== undefined && process.listenerCount('SIGINT') > 0;
    let r: IteratorResult<void, R>;
    try {
      r = watchedStretch(search, Math.round(budget ? budget.stuckMs() : DEFAULT_STUCK_MS), breakOnSigint);
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' && soFar?.result) {
        // The signal was kept from the listeners while the stretch ran: hand it on.
        process.emit('SIGINT', 'SIGINT');
        return soFar.result();
      }
      throw e;
    }
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Run a search that pauses to its end without letting the event loop run (a worker thread's part
 * of a level), each stretch under V8's watchdog as in drainAsync.
 */
export function drainWatched<R>(search: Generator<void, R, void>, budget: Budget): R {
  for (;;) {
    const r = watchedStretch(search, Math.round(budget.stuckMs()), false);
    if (r.done) return r.value;
  }
}

/**
 * One stretch of a search: until it is done or YIELD_MS have passed, under V8's watchdog (a
 * watchdog per stretch costs a thread start, so not one per pause of the search). A stretch
 * longer than `stuckMs` is a stuck action: a StuckError naming the action and the state.
 */
function watchedStretch<R>(search: Generator<void, R, void>, stuckMs: number, breakOnSigint: boolean): IteratorResult<void, R> {
  const g = globalThis as { __faultlineStep?: () => IteratorResult<void, R> };
  g.__faultlineStep = () => {
    const until = performance.now() + YIELD_MS;
    for (;;) {
      const r = search.next();
      if (r.done || performance.now() >= until) return r;
    }
  };
  try {
    return STEP.runInThisContext({ timeout: stuckMs, breakOnSigint }) as IteratorResult<void, R>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new StuckError(`${working()} did not return within ${+(stuckMs / 1000).toFixed(1)} s`);
    throw e;
  } finally {
    g.__faultlineStep = undefined;
  }
}

/** A model's action that did not return in time (a ModelError the parallel search reports as it is). */
export class StuckError extends ModelError {}

const YIELD_MS = 50;

/** How long one step of the search may take before the model is reported stuck (see drainAsync). */
export const DEFAULT_STUCK_MS = 30_000;

const STEP = new Script('globalThis.__faultlineStep()', { filename: 'faultline-search-step' });

/** What the search is doing, for a report of a stuck model: the state being expanded and the action. */
export const running = { id: -1, depth: 0, state: undefined as unknown, action: '' };

function working(): string {
  return `action ${running.action || '(successors)'} on ${where(running.id, running.depth, running.state)}`;
}

/** About how often (ms) a search loop reads the clock and the interrupt (Budget.due). */
const CHECK_MS = 10;
/** ... and the memory in use (Budget.stop). */
const MEMORY_MS = 50;

/** The default memory ceiling: 80% of the machine's memory. */
export function defaultMemoryCeiling(): number {
  return Math.floor(totalmem() * 0.8);
}

/**
 * The heap ceiling: 90% of the old generation V8 may grow to (`--max-old-space-size`), past which
 * it aborts. heap_size_limit also counts the young generation (up to a quarter, at most 96 MiB).
 */
const HEAP_CEILING = (() => {
  const limit = getHeapStatistics().heap_size_limit;
  return Math.floor((limit - Math.min(limit / 4, 96 * 2 ** 20)) * 0.9);
})();

/**
 * A search's limits with their defaults filled in, and its clock. The deadline is absolute, so a
 * second pass given the same `Budget` (liveness after safety) gets what the first one left.
 */
export class Budget {
  readonly maxDepth: number;
  readonly maxStates: number;
  /** `performance.now()` at the start. */
  readonly start: number;
  /** `performance.now()` after which the search stops (Infinity without a time limit). */
  readonly deadline: number;
  readonly deadlock: boolean | undefined;
  /** How long one action may run (Limits.actionTimeoutMs). */
  readonly actionTimeoutMs: number;
  /** Resident bytes above which the search stops (see Limits.maxMemoryBytes). */
  readonly maxMemoryBytes: number;
  private readonly signal: { readonly aborted: boolean } | undefined;
  private readonly abortSignal: AbortSignal | undefined;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly progressEvery: number;
  private lastProgress: number;
  // The pace of `due()`: a check every `stride` calls, the stride adapted so that checks come
  // about every CHECK_MS whatever one call costs.
  private stride = 1;
  private countdown = 1;
  private lastCheck: number;
  private lastMemoryCheck = -Infinity;

  /**
   * `interrupt` is what says the search was interrupted: by default `options.signal`; a worker
   * thread reads a flag its coordinator sets (see `onInterrupt`).
   */
  constructor(options: CheckOptions = {}, start = performance.now(), interrupt: { readonly aborted: boolean } | undefined = options.signal) {
    this.maxDepth = options.maxDepth ?? Infinity;
    this.maxStates = options.maxStates ?? Infinity;
    this.start = start;
    this.deadline = options.timeLimitMs === undefined ? Infinity : start + options.timeLimitMs;
    this.maxMemoryBytes = options.maxMemoryBytes ?? defaultMemoryCeiling();
    this.actionTimeoutMs = options.actionTimeoutMs ?? DEFAULT_STUCK_MS;
    this.signal = interrupt;
    this.abortSignal = options.signal;
    this.deadlock = options.deadlock;
    this.onProgress = options.onProgress;
    this.progressEvery = options.progressIntervalMs ?? 1000;
    this.lastProgress = start;
    this.lastCheck = start;
  }

  /**
   * Whether a search loop should call `stop()` now: true about every CHECK_MS of work, however
   * long one unit of work (one state's expansion) takes. Cheap: a countdown, the clock read only
   * when it runs out.
   */
  due(): boolean {
    if (--this.countdown > 0) return false;
    const now = performance.now();
    const took = now - this.lastCheck;
    this.lastCheck = now;
    if (took < CHECK_MS / 2 && this.stride < 1 << 16) this.stride *= 2;
    else if (took > CHECK_MS * 2 && this.stride > 1) this.stride = Math.max(1, this.stride >> 2);
    this.countdown = this.stride;
    return true;
  }

  /** How long the next stretch of work may run before the model counts as stuck (see drainAsync). */
  stuckMs(now = performance.now()): number {
    return Math.max(1, Math.min(this.actionTimeoutMs, this.deadline - now + 1000));
  }

  /** Why the search must stop now, or null: the time limit, the memory ceiling, an interrupt. */
  stop(now = performance.now()): 'time-limit' | 'memory' | 'interrupted' | null {
    if (this.signal?.aborted) return 'interrupted';
    if (now >= this.deadline) return 'time-limit';
    // The heap is read at every check (a few hundred nanoseconds: a search that fills it can grow
    // it by tens of MiB in 50 ms, and V8 aborts the process rather than let it pass its limit); the
    // resident size every MEMORY_MS (it costs a system call: at every check it took 1.4% of a Raft
    // search).
    if (getHeapStatistics().used_heap_size > HEAP_CEILING) return 'memory';
    if (now - this.lastMemoryCheck >= MEMORY_MS || now < this.lastMemoryCheck) {
      this.lastMemoryCheck = now;
      if (process.memoryUsage.rss() > this.maxMemoryBytes) return 'memory';
    }
    return null;
  }

  /** Call `f` when the search is interrupted (at once if it already was); returns how to stop listening. */
  onInterrupt(f: () => void): () => void {
    const signal = this.abortSignal;
    if (!signal) return () => {};
    if (signal.aborted) f();
    signal.addEventListener('abort', f);
    return () => signal.removeEventListener('abort', f);
  }

  /** The deadline as a wall-clock time (`Date.now()` scale), for worker threads. */
  wallDeadline(): number {
    return this.deadline === Infinity ? Infinity : Date.now() + (this.deadline - performance.now());
  }

  /** Call `onProgress` if it is due (or with `force`); `p` is built only then. */
  progress(p: () => Progress, now = performance.now(), force = false): void {
    if (this.onProgress && (force || now - this.lastProgress >= this.progressEvery)) {
      this.lastProgress = now;
      this.onProgress(p());
    }
  }

  /** Whether deadlocks count for this model. */
  deadlockOn<S>(model: Compiled<S>): boolean {
    return this.deadlock ?? model.deadlock;
  }
}

// ------------------------------------------------------------------ a model's misbehaviour

/** Describe a state in an error message: its number, depth and a short rendering. */
export function where(id: number, depth: number, s: unknown): string {
  return id < 0 ? `state ${show(s, 300)}` : `state #${id} (depth ${depth}) ${show(s, 300)}`;
}

/** The error for an action (or anything else of the model) that threw while expanding `s`. */
export function actionThrew(e: unknown, at: string): ModelError {
  if (e instanceof ActionError && mutated(e.thrown))
    return new ModelError(`action ${e.action} mutated its input state, ${at} (a state is a value: return a changed copy, or use Immutable.js): ${describeThrown(e.thrown)}`, e.thrown);
  if (e instanceof ActionError) return new ModelError(`action ${e.action} threw on ${at}: ${describeThrown(e.thrown)}`, e.thrown);
  if (e instanceof ModelError) return e;
  return new ModelError(`the model threw on ${at}: ${describeThrown(e)}`, e);
}

/** Whether an exception is strict mode refusing a change to a frozen (plain) state. */
function mutated(e: unknown): boolean {
  return e instanceof TypeError && /read[- ]only|not extensible|Cannot add property|Cannot delete property|Cannot assign to|object is not extensible/i.test(e.message);
}

/** Expand `s` into `out`, turning an exception into a ModelError that says which action and state. */
export function expandOrThrow<S>(model: Compiled<S>, s: S, out: Parameters<Compiled<S>['expand']>[1], id: number, depth: number): void {
  running.id = id;
  running.depth = depth;
  running.state = s;
  try {
    model.expand(s, out);
  } catch (e) {
    throw actionThrew(e, where(id, depth, s));
  }
}

// ------------------------------------------------------------------ invariants

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

/** The model's explanation of why invariant `name` fails in `s`, if it gives one. */
export function explain<S>(model: Compiled<S>, name: string, s: S): string | null {
  const inv = model.invariants.find((i) => i.name === name);
  if (!inv?.explain) return null;
  try {
    return inv.explain(s);
  } catch (e) {
    return `(explain threw: ${describeThrown(e)})`;
  }
}

// ------------------------------------------------------------------ keys

/** The seen-set key of a state as text (for Maps keyed by state). */
export function keyText<S>(model: Compiled<S>, s: S): string {
  model.key(s);
  return `${fpHigh()}:${fpLow()}`;
}

// ------------------------------------------------------------------ what a search found

/** The first problem a search found: which state, and what is wrong with it. */
export interface Found {
  readonly kind: 'invariant' | 'deadlock';
  readonly name: string;
  readonly id: number;
}

/**
 * What a newly stored state ends, if anything: the invariant it breaks (`bad`, the index from
 * firstBrokenInvariant), or the state bound it reaches.
 */
export function stopAtNew<S>(model: Compiled<S>, bad: number, id: number, stored: number, maxStates: number): { found: Found | null; stopReason: StopReason | null } | null {
  if (bad >= 0) return { found: { kind: 'invariant', name: model.invariants[bad]!.name, id }, stopReason: null };
  if (stored >= maxStates) return { found: null, stopReason: 'max-states' };
  return null;
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

// ------------------------------------------------------------------ statistics

/** The counters a search keeps as it goes, per action family. */
export class Counters {
  generated = 0;
  /** States beyond the model's constraint (checked, not expanded). */
  beyond = 0;
  readonly famGenerated: number[] = [];
  readonly famDistinct: number[] = [];

  generatedBy(family: number): void {
    this.generated++;
    this.famGenerated[family] = (this.famGenerated[family] ?? 0) + 1;
  }
  newBy(family: number): void {
    this.famDistinct[family] = (this.famDistinct[family] ?? 0) + 1;
  }
  /** `n` successors of `family` at once. */
  generatedMany(family: number, n: number): void {
    this.generated += n;
    this.famGenerated[family] = (this.famGenerated[family] ?? 0) + n;
  }
}

/** The statistics at the end of a search. */
export function statistics<S>(
  model: Compiled<S>,
  r: { start: number; distinct: number; counters: Counters; diameter: number; families: readonly string[]; storeBytes: number },
): Stats {
  const durationMs = performance.now() - r.start;
  const n = r.distinct;
  const c = r.counters;
  return {
    distinctStates: n,
    generatedStates: c.generated,
    diameter: r.diameter,
    durationMs,
    statesPerSecond: durationMs > 0 ? Math.round((n / durationMs) * 1000) : n,
    actions: r.families.map((name, k) => ({ name, fault: model.isFault(name), generated: c.famGenerated[k] ?? 0, distinct: c.famDistinct[k] ?? 0 })),
    collisionProbability: (n * Math.max(0, c.generated - n)) / 2 ** 64,
    storeBytes: r.storeBytes,
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    ...(model.beyond !== null ? { beyondConstraint: c.beyond } : {}),
  };
}
