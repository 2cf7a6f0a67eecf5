/**
 * The reachable state graph held explicitly: every state, and every step as an edge with its
 * label. The liveness pass searches it for stuck states and fair cycles; reports draw it. Far
 * costlier per state than the fingerprint store of bfs.ts (states are kept), so it is built only
 * when a strategy needs the edges. States are numbered in the order found (breadth first), and a
 * state's edges are stored together, in its successors' order, in flat arrays.
 */
import { ModelError } from '../model/errors.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { type Compiled, SuccessorBuffer } from './compile.js';
import { Budget, drain, expandOrThrow, keyText } from './core.js';
import { follow } from './path.js';
import { StateStore } from './store.js';
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

export class Graph<S> {
  readonly states: S[] = [];
  /** The breadth-first tree: each state's parent (-1 for an initial state) and the edge from it. */
  readonly parent: number[] = [];
  readonly parentEdge: number[] = [];
  /** Label text by label id. */
  readonly labels: string[] = [];
  /** Every reachable state is in the graph. */
  complete = true;
  /** Why the graph is incomplete (null while it is complete). */
  stopReason: StopReason | null = null;
  /** Per state: its first edge (-1: not expanded) and how many it has. */
  private readonly first: number[] = [];
  private readonly count: number[] = [];
  // Per edge: target, label id, successor index, fault (0/1), fairness unit.
  private readonly eTo = new Ints();
  private readonly eLabel = new Ints();
  private readonly eIndex = new Ints();
  private readonly eFault = new Ints();
  private readonly eUnit = new Ints();

  /** Whether state u was expanded (not beyond the constraint or the limits). */
  expanded(u: number): boolean {
    return this.first[u]! >= 0;
  }
  /** How many edges leave u. */
  degree(u: number): number {
    return this.count[u]!;
  }
  /** The target of u's e-th edge. */
  to(u: number, e: number): number {
    return this.eTo.a[this.first[u]! + e]!;
  }
  /** Whether u's e-th edge is a fault. */
  fault(u: number, e: number): boolean {
    return this.eFault.a[this.first[u]! + e] === 1;
  }
  /** The fairness unit of u's e-th edge. */
  unit(u: number, e: number): number {
    return this.eUnit.a[this.first[u]! + e]!;
  }
  /** The label of u's e-th edge. */
  label(u: number, e: number): string {
    return this.labels[this.eLabel.a[this.first[u]! + e]!]!;
  }
  /** The successor index (in its state's expansion) of u's e-th edge. */
  index(u: number, e: number): number {
    return this.eIndex.a[this.first[u]! + e]!;
  }
  /** The fairness units of the protocol steps u enables. */
  enabled(u: number): Set<number> {
    const out = new Set<number>();
    for (let e = 0; e < this.count[u]!; e++) if (!this.fault(u, e)) out.add(this.unit(u, e));
    return out;
  }
  /** Edges in all. */
  get edges(): number {
    return this.eTo.n;
  }

  /** Number a new state (reached from `parent` by its edge `edge`). */
  addState(s: S, parent: number, edge: number): number {
    const id = this.states.length;
    this.states.push(s);
    this.parent.push(parent);
    this.parentEdge.push(edge);
    this.first.push(-1);
    this.count.push(0);
    return id;
  }
  /** Start u's edges (call once, when it is expanded, then addEdge for each). */
  startEdges(u: number): void {
    this.first[u] = this.eTo.n;
  }
  addEdge(u: number, to: number, label: number, index: number, fault: boolean, unit: number): void {
    this.eTo.push(to);
    this.eLabel.push(label);
    this.eIndex.push(index);
    this.eFault.push(fault ? 1 : 0);
    this.eUnit.push(unit);
    this.count[u]!++;
  }
}

/**
 * Build the graph breadth first, one state per seen-set key, within the budget's limits (the graph
 * is then incomplete). A step to the state itself (an action that changes nothing) is a self-loop.
 */
export function reachableGraph<S>(model: Compiled<S>, budget: Budget = new Budget()): Graph<S> {
  return drain(buildGraph(model, budget));
}

/** reachableGraph, pausing (yielding) whenever the budget is due for a check. */
export function* buildGraph<S>(model: Compiled<S>, budget: Budget): Generator<void, Graph<S>, void> {
  const b = new GraphBuilder(model);
  const g = b.graph;
  let frontier = [...new Set(model.init.map((s) => b.add(s, -1, -1)))];
  for (let depth = 0; frontier.length; depth++) {
    if (depth >= budget.maxDepth) {
      g.complete = false;
      g.stopReason = 'max-depth';
      break;
    }
    const next: number[] = [];
    for (const u of frontier) {
      if (g.states.length >= budget.maxStates) {
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
      if (model.beyond !== null && model.beyond(g.states[u]!)) continue; // beyond the constraint: a dead end we know nothing about
      b.expand(u, depth, next);
    }
    frontier = next;
  }
  return g;
}

/**
 * The states of a trace and every state one step off it, with the steps from the trace's states:
 * the part of a graph too large to build whole that a report can still draw.
 */
export function pathNeighbourhood<S>(model: Compiled<S>, trace: readonly TraceStep<S>[]): Graph<S> {
  const b = new GraphBuilder(model);
  let prev = -1;
  trace.forEach((step, k) => {
    const u = b.add(step.state, prev, -1);
    if (!b.graph.expanded(u)) b.expand(u, k, []);
    prev = u;
  });
  b.graph.complete = false;
  return b.graph;
}

/** Adds states (one per key) and the edges of expanded ones to a graph. */
class GraphBuilder<S> {
  readonly graph = new Graph<S>();
  private readonly ids = new StateStore();
  private readonly labelIds = new Map<string, number>();
  /** The fairness unit of each label id. */
  private readonly unitOfLabel: number[] = [];
  private readonly unitIds = new Map<string, number>();
  private readonly buf = new SuccessorBuffer<S>();

  constructor(private readonly model: Compiled<S>) {}

  /** The id of `s`'s key, adding it (reached from `parent` by its edge `edge`) if it is new. */
  add(s: S, parent: number, edge: number): number {
    this.model.key(s);
    const hi = fpHigh();
    const lo = fpLow();
    const id = this.ids.find(hi, lo);
    if (id >= 0) return id;
    this.ids.add(hi, lo, parent, edge < 0 ? 0 : edge);
    return this.graph.addState(s, parent, edge);
  }

  private labelId(label: string): number {
    let i = this.labelIds.get(label);
    if (i === undefined) {
      i = this.graph.labels.length;
      this.labelIds.set(label, i);
      this.graph.labels.push(label);
      const unit = fairnessUnit(label);
      let u = this.unitIds.get(unit);
      if (u === undefined) this.unitIds.set(unit, (u = this.unitIds.size));
      this.unitOfLabel.push(u);
    }
    return i;
  }

  /** Expand state `u` (at `depth`, for error messages); the states it adds are appended to `added`. */
  expand(u: number, depth: number, added: number[]): void {
    const { model, buf, graph: g } = this;
    const s = g.states[u]!;
    expandOrThrow(model, s, buf, u, depth);
    g.startEdges(u);
    for (let j = 0; j < buf.length; j++) {
      const t = buf.states[j]!;
      const label = this.labelId(model.label(buf, j));
      const fault = model.isUnfair(model.families[buf.families[j]!]!);
      const before = g.states.length;
      const v = t === s ? u : this.add(t, u, g.degree(u));
      if (g.states.length > before) added.push(v);
      g.addEdge(u, v, label, j, fault, this.unitOfLabel[label]!);
    }
    buf.clear();
  }
}

/**
 * The concrete trace from state `start` of the graph along `steps` (pairs of a state and the index
 * of one of its edges). The graph keeps one state per key; with a normal form (Spec.normalize) the
 * state an edge reaches may be a renamed copy of the one kept, so at each step the trace takes the
 * successor of the state actually reached whose key is the next state's.
 */
export function graphTrace<S>(model: Compiled<S>, g: Graph<S>, start: number, steps: readonly (readonly [number, number])[]): TraceStep<S>[] {
  return follow(
    model,
    g.states[start]!,
    steps.length,
    (k, cur, buf) => {
      const [u, e] = steps[k - 1]!;
      if (cur === g.states[u]) return g.index(u, e);
      const want = keyText(model, g.states[g.to(u, e)]!);
      const fault = g.fault(u, e);
      for (let j = 0; j < buf.length; j++) if (model.isUnfair(model.families[buf.families[j]!]!) === fault && keyText(model, buf.states[j]!) === want) return j;
      throw new ModelError(`liveness: rebuilding the trace, no step leads on from step ${k}: the model's normalize is not a renaming its steps respect`);
    },
    false,
  )!;
}
