/**
 * The reachable state graph: every step as an edge with its label. The liveness pass searches it
 * for stuck states and fair cycles; reports draw it. States are numbered in the order found
 * (breadth first), and a state's edges are stored together, in its successors' order, in flat
 * arrays. The graph keeps per state its fingerprint (in a StateStore), its place in the
 * breadth-first tree and the truth of the predicates it was recorded for (the liveness
 * properties' conditions), not the state itself: a trace is rebuilt by replaying edges from an
 * initial state (graphTrace). A graph built to be drawn keeps its states as well.
 *
 * The graph is recorded by a GraphRecorder, either during the safety search itself (bfs.ts, when
 * no symmetry reduction makes the two searches differ) or by a search of its own (buildGraph).
 */
import { describeThrown, ModelError } from '../model/errors.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { type Compiled, SuccessorBuffer } from './compile.js';
import { Budget, drain, expandOrThrow } from './core.js';
import { follow } from './path.js';
import { NO_PARENT, StateStore } from './store.js';
import type { StopReason, TraceStep } from './types.js';

/** A step's fairness unit: its label without the choices a handler made (`[yes]`). */
export function fairnessUnit(label: string): string {
  return label.replace(/ \[[^\]]*\]$/, '');
}

/** A growable array of 32-bit integers. */
class Ints {
  a = new Int32Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/** A condition on states whose truth the graph records for each state as it is found. */
export interface Predicate<S> {
  /** Named in the error when it throws (`property <what> threw`). */
  readonly what: string;
  readonly holds: (s: S) => boolean;
}

export class Graph {
  /** Label text by label id. */
  readonly labels: string[] = [];
  /** Every reachable state is in the graph. */
  complete = true;
  /** Why the graph is incomplete (null while it is complete). */
  stopReason: StopReason | null = null;
  // Per state: the breadth-first tree (parent, or -1; the edge from it, or for an initial state its
  // index in the model's initial states), its first edge (-1: not expanded) and how many it has.
  private readonly parents = new Ints();
  private readonly parentEdges = new Ints();
  private readonly first = new Ints();
  private readonly count = new Ints();
  // Per edge: its target and label id. A state's e-th edge is its e-th successor (every successor
  // is an edge, self-loops included); whether it is a fault and its fairness unit go with the label.
  private readonly eTo = new Ints();
  private readonly eLabel = new Ints();
  /** Per label id: 1 for a fault step, and its fairness unit. */
  private readonly labelFault: number[] = [];
  private readonly labelUnit: number[] = [];
  /** Per predicate, per state: 1 where it holds. */
  private readonly facts: Uint8Array[];

  constructor(
    /** The states' fingerprints (ids are the graph's state numbers). */
    readonly store: StateStore,
    predicates: number,
  ) {
    this.facts = Array.from({ length: predicates }, () => new Uint8Array(1024));
  }

  /** States in the graph. */
  get size(): number {
    return this.parents.n;
  }
  /** u's parent in the breadth-first tree (-1 for an initial state). */
  parent(u: number): number {
    return this.parents.a[u]!;
  }
  /** The index of the edge from u's parent to u; for an initial state, its index in the model's initial states. */
  parentEdge(u: number): number {
    return this.parentEdges.a[u]!;
  }
  /** Whether state u was expanded (not beyond the constraint or the limits). */
  expanded(u: number): boolean {
    return this.first.a[u]! >= 0;
  }
  /** How many edges leave u. */
  degree(u: number): number {
    return this.count.a[u]!;
  }
  /** The target of u's e-th edge. */
  to(u: number, e: number): number {
    return this.eTo.a[this.first.a[u]! + e]!;
  }
  /** Whether u's e-th edge is a fault. */
  fault(u: number, e: number): boolean {
    return this.labelFault[this.eLabel.a[this.first.a[u]! + e]!] === 1;
  }
  /** The fairness unit of u's e-th edge. */
  unit(u: number, e: number): number {
    return this.labelUnit[this.eLabel.a[this.first.a[u]! + e]!]!;
  }
  /** The label of u's e-th edge. */
  label(u: number, e: number): string {
    return this.labels[this.eLabel.a[this.first.a[u]! + e]!]!;
  }
  /** Whether predicate k held in state u. */
  holds(k: number, u: number): boolean {
    return this.facts[k]![u] === 1;
  }
  /** The fairness units of the protocol steps u enables. */
  enabled(u: number): Set<number> {
    const out = new Set<number>();
    for (let e = 0; e < this.count.a[u]!; e++) if (!this.fault(u, e)) out.add(this.unit(u, e));
    return out;
  }
  /** Edges in all. */
  get edges(): number {
    return this.eTo.n;
  }

  /** Number state u (the next number), reached from `parent` by its edge `edge`, with the predicates' truth in it. */
  addState(parent: number, edge: number, facts: readonly boolean[]): void {
    const u = this.parents.n;
    this.parents.push(parent);
    this.parentEdges.push(edge);
    this.first.push(-1);
    this.count.push(0);
    for (let k = 0; k < facts.length; k++) {
      let f = this.facts[k]!;
      if (u === f.length) {
        const b = new Uint8Array(f.length * 2);
        b.set(f);
        this.facts[k] = f = b;
      }
      f[u] = facts[k] ? 1 : 0;
    }
  }
  /** Start u's edges (call once, when it is expanded, then addEdge for each). */
  startEdges(u: number): void {
    this.first.a[u] = this.eTo.n;
  }
  /** Add u's next edge (its next successor), to state `to`, with label id `label`. */
  addEdge(u: number, to: number, label: number): void {
    this.eTo.push(to);
    this.eLabel.push(label);
    this.count.a[u]!++;
  }
  /** Name the next label id: its text, whether it is a fault step, its fairness unit. */
  addLabel(text: string, fault: boolean, unit: number): number {
    this.labels.push(text);
    this.labelFault.push(fault ? 1 : 0);
    this.labelUnit.push(unit);
    return this.labels.length - 1;
  }
}

/**
 * Records a graph from a search that numbers its states as a StateStore does: `state` for each new
 * state as it is stored, `expanded` then `edge` for each successor of a state it expands.
 */
export class GraphRecorder<S> {
  readonly graph: Graph;
  /** Label ids by text, of protocol steps and of faults. */
  private readonly labelIds = new Map<string, number>();
  private readonly faultIds = new Map<string, number>();
  private readonly unitIds = new Map<string, number>();
  /** Per action family: 1 if its steps are faults, 0 if not, undefined until first met. */
  private readonly unfair: (number | undefined)[] = [];
  private readonly facts: boolean[];

  constructor(
    private readonly model: Compiled<S>,
    store: StateStore,
    private readonly predicates: readonly Predicate<S>[] = [],
    /** The states themselves, in order, when they are kept (for drawing). */
    readonly states: S[] | null = null,
  ) {
    this.graph = new Graph(store, predicates.length);
    this.facts = predicates.map(() => false);
  }

  /** State `id` (the next number) was stored: reached from `parent` by successor `choice` (for an initial state: -1 and its index). */
  state(s: S, parent: number, choice: number): void {
    const ps = this.predicates;
    const facts = this.facts;
    for (let k = 0; k < ps.length; k++) {
      const p = ps[k]!;
      try {
        facts[k] = p.holds(s);
      } catch (e) {
        throw new ModelError(`property ${p.what} threw: ${describeThrown(e)}`, e);
      }
    }
    this.graph.addState(parent, choice, facts);
    this.states?.push(s);
  }

  /** State u is expanded: its edges follow. */
  expanded(u: number): void {
    this.graph.startEdges(u);
  }

  /** Successor j of u's expansion in `buf` (its next edge: successors are recorded in order) is state v. */
  edge(u: number, v: number, buf: SuccessorBuffer<S>, j: number): void {
    const model = this.model;
    const text = model.label(buf, j);
    const family = buf.families[j]!;
    let unfair = this.unfair[family];
    if (unfair === undefined) this.unfair[family] = unfair = model.isUnfair(model.families[family]!) ? 1 : 0;
    const fault = unfair === 1;
    const ids = fault ? this.faultIds : this.labelIds;
    let label = ids.get(text);
    if (label === undefined) {
      const unitText = fairnessUnit(text);
      let unit = this.unitIds.get(unitText);
      if (unit === undefined) this.unitIds.set(unitText, (unit = this.unitIds.size));
      ids.set(text, (label = this.graph.addLabel(text, fault, unit)));
    }
    this.graph.addEdge(u, v, label);
  }
}

/** A graph with its states (for drawing). */
export interface DrawnGraph<S> {
  readonly graph: Graph;
  readonly states: readonly S[];
}

/**
 * The whole graph with its states, breadth first, one state per seen-set key, within the
 * budget's limits (the graph is then incomplete). A step to the state itself is a self-loop.
 */
export function reachableGraph<S>(model: Compiled<S>, budget: Budget = new Budget()): DrawnGraph<S> {
  const states: S[] = [];
  return { graph: drain(buildGraph(model, budget, [], states)), states };
}

/**
 * Build the graph breadth first (recording `predicates` in each state, and keeping the states in
 * `keep` if given), pausing (yielding) whenever the budget is due for a check.
 */
export function* buildGraph<S>(model: Compiled<S>, budget: Budget, predicates: readonly Predicate<S>[] = [], keep: S[] | null = null): Generator<void, Graph, void> {
  const b = new Builder(model, predicates, keep);
  const g = b.rec.graph;
  let frontier: S[] = [];
  model.init.forEach((s, i) => {
    const before = g.size;
    b.add(s, NO_PARENT, i);
    if (g.size > before) frontier.push(s);
  });
  let base = 0;
  for (let depth = 0; frontier.length; depth++) {
    if (depth >= budget.maxDepth) {
      g.complete = false;
      g.stopReason = 'max-depth';
      break;
    }
    const next: S[] = [];
    const nextBase = g.size;
    for (let k = 0; k < frontier.length; k++) {
      const u = base + k;
      if (g.size >= budget.maxStates) {
        g.complete = false;
        g.stopReason = 'max-states';
        return g;
      }
      if (budget.due()) {
        const stop = budget.stop();
        if (stop !== null) {
          g.complete = false;
          g.stopReason = stop;
          return g;
        }
        yield;
      }
      const s = frontier[k]!;
      if (model.beyond !== null && model.beyond(s)) continue; // beyond the constraint: a dead end we know nothing about
      b.expand(u, s, depth, next);
    }
    frontier = next;
    base = nextBase;
  }
  return g;
}

/**
 * The states of a trace and every state one step off it, with the steps from the trace's states:
 * the part of a graph too large to build whole that a report can still draw.
 */
export function pathNeighbourhood<S>(model: Compiled<S>, trace: readonly TraceStep<S>[]): DrawnGraph<S> {
  const states: S[] = [];
  const b = new Builder(model, [], states);
  const g = b.rec.graph;
  let prev = NO_PARENT;
  trace.forEach((step, k) => {
    const u = b.add(step.state, prev, -1);
    if (!g.expanded(u)) b.expand(u, step.state, k, []);
    prev = u;
  });
  g.complete = false;
  return { graph: g, states };
}

/** Adds states (one per key) and the edges of expanded ones to a graph of its own. */
class Builder<S> {
  readonly rec: GraphRecorder<S>;
  private readonly store = new StateStore();
  private readonly buf = new SuccessorBuffer<S>();

  constructor(
    private readonly model: Compiled<S>,
    predicates: readonly Predicate<S>[],
    keep: S[] | null,
  ) {
    this.rec = new GraphRecorder(model, this.store, predicates, keep);
  }

  /** The number of `s`'s key, adding it (reached from `parent` by its successor `choice`) if it is new. */
  add(s: S, parent: number, choice: number): number {
    this.model.key(s);
    const id = this.store.add(fpHigh(), fpLow(), parent, choice < 0 ? 0 : choice);
    if (id < 0) return this.store.seen;
    this.rec.state(s, parent, choice);
    return id;
  }

  /** Expand state u, `s` (at `depth`, for error messages); the states it adds are appended to `added`. */
  expand(u: number, s: S, depth: number, added: S[]): void {
    const { model, buf, rec } = this;
    expandOrThrow(model, s, buf, u, depth);
    rec.expanded(u);
    for (let j = 0; j < buf.length; j++) {
      const t = buf.states[j]!;
      let v = u;
      if (t !== s) {
        const before = rec.graph.size;
        v = this.add(t, u, j);
        if (rec.graph.size > before) added.push(t);
      }
      rec.edge(u, v, buf, j);
    }
    buf.clear();
  }
}

/**
 * The concrete trace from initial state `start` of the graph along `steps` (pairs of a state and
 * the index of one of its edges), replayed from the model's initial state. Each step takes the
 * edge's own successor when it reaches the edge's target (by key); with a normal form
 * (Spec.normalize) the state reached may be a renamed copy of the one the graph numbered, whose
 * successors come in another order, so otherwise the step takes the first successor of the same
 * kind (fault or not) whose key is the target's.
 */
export function graphTrace<S>(model: Compiled<S>, g: Graph, start: number, steps: readonly (readonly [number, number])[]): TraceStep<S>[] {
  const store = g.store;
  const reaches = (buf: SuccessorBuffer<S>, j: number, v: number): boolean => {
    model.key(buf.states[j]!);
    return fpHigh() === store.fpHigh(v) && fpLow() === store.fpLow(v);
  };
  return follow(
    model,
    model.init[g.parentEdge(start)]!,
    steps.length,
    (k, _cur, buf) => {
      const [u, e] = steps[k - 1]!;
      const v = g.to(u, e);
      // u's e-th edge is its e-th successor.
      if (e < buf.length && reaches(buf, e, v)) return e;
      const fault = g.fault(u, e);
      for (let i = 0; i < buf.length; i++) if (model.isUnfair(model.families[buf.families[i]!]!) === fault && reaches(buf, i, v)) return i;
      throw new ModelError(`liveness: rebuilding the trace, no step leads on from step ${k}: the model's normalize is not a renaming its steps respect`);
    },
    false,
  )!;
}
