/**
 * The core types every layer shares: a model is a set of initial states, a pure successor
 * function and named invariants, built from typed parameters and a named variant.
 */
import type { TraceEvent } from './trace.js';

// ---------------------------------------------------------------- parameters

export interface NumberParam {
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  /** Only whole numbers (the default). */
  readonly integer?: boolean;
  readonly description?: string;
}
export interface BooleanParam {
  readonly default: boolean;
  readonly description?: string;
}
export interface StringParam {
  readonly default: string;
  /** The allowed values, if only some are. */
  readonly choices?: readonly string[];
  readonly description?: string;
}
export type ParamDefinition = NumberParam | BooleanParam | StringParam;
export type ParamDefinitions = { readonly [name: string]: ParamDefinition };

/**
 * The values a model's `build` receives, typed from the parameters' defaults: a number, a boolean,
 * or a string — the union of its `choices` when it declares them (`network: 'fifo' | 'unordered'`).
 */
export type ParamValues<P extends ParamDefinitions> = {
  readonly [K in keyof P]: P[K]['default'] extends number
    ? number
    : P[K]['default'] extends boolean
      ? boolean
      : P[K] extends { readonly choices: readonly (infer C extends string)[] }
        ? C
        : string;
};
export type ParamValue = number | boolean | string;

// ---------------------------------------------------------------- transitions

/** One successor of a state: the action's label (e.g. `Prepare(r1)`) and the state it leads to. */
export interface Successor<S> {
  readonly action: string;
  readonly state: S;
  /**
   * The action family the per-action statistics count this step under (default: the label up to
   * its first parenthesis).
   */
  readonly family?: string;
  /** What happened, for reports (see TraceEvent). */
  readonly event?: TraceEvent;
}

/**
 * What a trace shows of a successor written by `Spec.successors`, made only when a trace or a
 * report asks (the same describer serves every state where the same step happens).
 */
export interface StepDescriber<S> {
  /** The step's label, e.g. `p1→c Vote {"yes":true}`. */
  label(from: S, to: S): string;
  /** What happened, for reports. */
  event?(from: S, to: S): TraceEvent | undefined;
}

/** Where `Spec.successors` writes: a successor's state, its family (an index into `families`), its describer. */
export interface SuccessorSink<S> {
  add(state: S, family: number, step: StepDescriber<S>): void;
}

/** What an action returns: no successor (`null`/`undefined`: not enabled), one, or several. */
export type ActionResult<S> = S | null | undefined | readonly S[];

/**
 * A named action, TLA+-style. Either a function of the state, or a function of the state and one
 * argument drawn from `over` (like `\E rm \in RM : Prepare(rm)`), labelled `Name(arg)`.
 */
export type Action<S> =
  | ((s: S) => ActionResult<S>)
  | {
      readonly over: readonly unknown[];
      readonly step: (s: S, arg: never) => ActionResult<S>;
      /** Checked once per state before trying the arguments: false disables them all. */
      readonly when?: (s: S) => boolean;
    };

/** An invariant: a predicate that must hold in every reachable state. */
export type Invariant<S> =
  | ((s: S) => boolean)
  | {
      readonly holds: (s: S) => boolean;
      /** Says in words what breaks it, for the counterexample report. */
      readonly explain?: (s: S) => string;
      readonly description?: string;
    };

/**
 * A liveness property over states (docs/liveness.md): `eventually(p)` — every fair behaviour from
 * an initial state reaches p; `alwaysEventually(p)` — p holds again and again, forever;
 * `leadsTo(p, q)` — whenever p holds, q holds then or later.
 */
export type Property<S> =
  | { readonly kind: 'eventually'; readonly p: (s: S) => boolean; readonly description?: string }
  | { readonly kind: 'alwaysEventually'; readonly p: (s: S) => boolean; readonly description?: string }
  | { readonly kind: 'leadsTo'; readonly p: (s: S) => boolean; readonly q: (s: S) => boolean; readonly description?: string };

/** What a model's `build` returns: everything the explorer needs. */
export interface Spec<S> {
  /** One or more initial states. */
  readonly init: readonly S[];
  /**
   * The successors of a state, in a deterministic order. Give either `next` or `actions`
   * (or both: `actions` first, then `next`), or `successors`.
   */
  readonly next?: (s: S) => Iterable<Successor<S>>;
  /** Named actions, tried in the order written. */
  readonly actions?: { readonly [name: string]: Action<S> };
  /**
   * For a layer that generates successors in bulk (message-passing models): write them straight
   * into the explorer's buffer, each with an action family (by number) and a describer, so that
   * no label or event is built unless a trace needs it. Given instead of `next` and `actions`.
   */
  readonly successors?: { readonly families: readonly string[]; expand(s: S, out: SuccessorSink<S>): void };
  readonly invariants?: { readonly [name: string]: Invariant<S> };
  /** Liveness properties, checked under weak fairness of the protocol's steps. */
  readonly properties?: { readonly [name: string]: Property<S> };
  /** Report states without successors as deadlocks (default true). */
  readonly deadlock?: boolean;
  /**
   * A representative of the state's equivalence class (used for symmetry reduction): states with
   * the same canonical value are explored once. Traces stay concrete.
   */
  readonly canonical?: (s: S) => unknown;
  /**
   * The images of a state under the model's symmetries (e.g. every permutation of interchangeable
   * node ids; the identity may be left out). States with a common image are explored once: the
   * explorer keys each state by the least fingerprint among it and its images. Invariants must
   * not tell symmetric states apart. Only the images' fingerprints are used, so an image may be any value
   * that fingerprints as the renamed state would. Give `canonical` or `symmetry`, not both.
   */
  readonly symmetry?: (s: S) => Iterable<unknown>;
  /**
   * Key a state by the least fingerprint among its images alone, not counting the state itself:
   * for a `symmetry` that returns a subset of the orbit every member of the orbit agrees on (the
   * renamings that sort interchangeable nodes by their own state, say), which need not contain it.
   */
  readonly symmetryImagesOnly?: boolean;
  /**
   * A renaming the protocol cannot observe, applied to every state before it is keyed: states
   * with the same normal form are one state — in the liveness pass as well (unlike symmetry,
   * which `--no-symmetry` turns off). The use: shifting every ballot, term or epoch by the same
   * amount, so that a duel that raises ballots forever closes into a cycle. Traces stay concrete.
   */
  readonly normalize?: (s: S) => S;
  /**
   * TLC's CONSTRAINT: a state where it is false is checked against the invariants but not
   * expanded. Exhaustive results then hold within the constraint; liveness looks for stuck states
   * and cycles only among expanded states.
   */
  readonly constraint?: (s: S) => boolean;
  /**
   * Action families that are faults of the environment (a crash, a lost message) rather than
   * steps of the protocol: statistics list them apart, and liveness gives them no fairness.
   */
  readonly faultActions?: readonly string[];
  /**
   * Fault families that liveness nevertheless treats as fair steps (e.g. `restart`: a crashed node
   * eventually comes back while its budget allows). Statistics still list them as faults.
   */
  readonly fairFaults?: readonly string[];
  /**
   * Named predicates to find an example of (`--witness Name`): the explorer then looks for the
   * nearest reachable state where the predicate holds and reports the path to it.
   */
  readonly witnesses?: { readonly [name: string]: (s: S) => boolean };
  /** Describes an initial state for reports (e.g. the messages the nodes sent on start). */
  readonly initEvent?: (s: S) => TraceEvent | undefined;
}

// ---------------------------------------------------------------- models

/** Fault budgets: how many times each kind of fault may happen in one run (e.g. `crash: 1`). */
export type FaultBudgets = { readonly [kind: string]: number };

export interface BuildConfig<P extends ParamDefinitions, V extends string> {
  readonly params: ParamValues<P>;
  readonly variant: V;
  /** The fault budgets: the model's defaults with the user's overrides (`--faults`). */
  readonly faults: FaultBudgets;
}

/**
 * What a variant is: one sentence on what it changes; or an object with that sentence as
 * `description` and
 * - `params` / `faults`: the params and fault budgets this variant is checked with unless the
 *   user sets them (over the model's own defaults) — a buggy variant whose bug needs a larger
 *   configuration than the model's default one declares it here, so that checking it without
 *   options shows the bug;
 * - `mutant: true` for a **mutant**: the correct variant with one protective rule removed or
 *   weakened, kept to prove that the regression cases of the correct variant would notice that
 *   rule missing. A mutant is checked like any variant (`--variant`), but `faultline list` and
 *   checking a folder leave it out, and a test requires a regression case in which it fails.
 */
export type VariantInfo<P extends ParamDefinitions = ParamDefinitions> =
  | string
  | {
      readonly description: string;
      readonly mutant?: true;
      readonly params?: Partial<ParamValues<P>>;
      readonly faults?: FaultBudgets;
    };

export interface ModelDefinition<S = unknown, P extends ParamDefinitions = ParamDefinitions, V extends string = string> {
  readonly name: string;
  readonly description?: string;
  readonly params?: P;
  /** Variant name → one sentence on what it changes. The first is the default. */
  readonly variants?: { readonly [K in V]: VariantInfo<P> };
  /**
   * The kinds of fault the model supports, with their default budgets. `--faults kind=n`
   * overrides a budget; naming a kind not listed here is an error.
   */
  readonly faults?: FaultBudgets;
  readonly build: (config: BuildConfig<P, V>) => Spec<S>;
}

/** A definition as returned by `defineModel`: recognisable when loaded from a file. */
export type Model<S = unknown, P extends ParamDefinitions = ParamDefinitions, V extends string = string> = ModelDefinition<S, P, V> & {
  readonly kind: 'faultline/model';
};

/** Any model, for code that handles models generically. */
export type AnyModel = Model<unknown, ParamDefinitions, string>;
