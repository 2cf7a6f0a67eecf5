/**
 * The types every search strategy shares (breadth-first, parallel, liveness, simulation) and
 * every layer above reads: the options a search takes and the result it returns. Types only.
 */
import type { TraceEvent } from '../model/trace.js';

/** Bounds on a search. A search cut short by one says so (`complete: false`, `stopReason`). */
export interface Limits {
  /** Explore states at most this many steps from an initial state. */
  readonly maxDepth?: number;
  /** Stop once this many distinct states are found. */
  readonly maxStates?: number;
  /** Stop after this many milliseconds. */
  readonly timeLimitMs?: number;
  /**
   * Stop when the process's resident memory passes this many bytes (default: 80% of the
   * machine's). The search also stops, whatever this says, when the JavaScript heap nears the size
   * V8 may grow it to (`--max-old-space-size`), instead of letting V8 abort the process.
   */
  readonly maxMemoryBytes?: number;
  /**
   * Stop when `signal.aborted` (an AbortController's signal): how Ctrl-C ends a search with what
   * it found so far. Read between levels and every few milliseconds within one.
   */
  readonly signal?: AbortSignal;
  /**
   * A model's action that runs this long without returning is stopped and reported, naming the
   * action and the state (default 30 s; never past the time limit by more than a second).
   */
  readonly actionTimeoutMs?: number;
}

/** What a search strategy takes besides the compiled model. */
export interface CheckOptions extends Limits {
  /** Override the model's deadlock setting (false: states without successors are fine). */
  readonly deadlock?: boolean;
  /** Called about every `progressIntervalMs` (default 1000) while the search runs. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** A search's progress, as `onProgress` receives it. */
export interface Progress {
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly queued: number;
  readonly elapsedMs: number;
}

/** One step of a trace: the action taken and the state it led to. */
export interface TraceStep<S> {
  /** The action that led to this state; null for the initial state. */
  readonly action: string | null;
  readonly state: S;
  /** What happened at this step, if the model describes its steps (message-passing models do). */
  readonly event?: TraceEvent;
}

/** What a search found wrong (or, for a witness search, the example it asked for). */
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

/** Per action family: how many successors it produced, and how many of them were new. */
export interface ActionStats {
  readonly name: string;
  /** A fault of the environment (crash, loss, partition...) rather than a protocol step. */
  readonly fault: boolean;
  /** Successors this action produced. */
  readonly generated: number;
  /** Of those, states not seen before. */
  readonly distinct: number;
}

/** A search's statistics. */
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

/** Why a search ended before it had explored every reachable state. */
export type StopReason = 'violation' | 'max-depth' | 'max-states' | 'time-limit' | 'memory' | 'interrupted';

/** The liveness pass's own figures. */
export interface LivenessStats {
  readonly states: number;
  readonly edges: number;
  readonly durationMs: number;
  /** Every reachable state was in the graph (so "no violation" is a proof, within the model). */
  readonly complete: boolean;
}

/** What every strategy returns. */
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
  readonly liveness?: LivenessStats;
}

/** What was checked: the model, its variant and the parameters and fault budgets it was built with. */
export interface RunInfo {
  model: string;
  /** The model's file, when it was loaded from one. */
  file?: string;
  variant: string;
  params: Record<string, number | boolean | string>;
  /** Fault budgets, for a model that injects faults. */
  faults?: Record<string, number>;
  /** The witness searched for (`--witness`), if any. */
  witness?: string;
  /** The invariants checked, when only some were (`--invariant`). */
  invariants?: string[];
}

/** A whole check, as `check()` returns it: what was checked and what was found. */
export type CheckReport<S> = RunInfo & CheckResult<S>;
