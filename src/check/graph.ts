/**
 * The reachable state graph held explicitly: every state, and every step as an edge with its
 * label. The liveness pass searches it for stuck states and fair cycles; reports draw it. Far
 * costlier per state than the fingerprint store of bfs.ts (states are kept), so it is built only
 * when a strategy needs the edges.
 */
import { ModelError } from '../model/errors.js';
import { type Compiled, SuccessorBuffer } from './compile.js';
import { Budget, expandOrThrow, keyText } from './core.js';
import { follow } from './path.js';
import type { TraceStep } from './types.js';

/** A step's fairness unit: its label without the choices a handler made (`[yes]`). */
export function fairnessUnit(label: string): string {
  return label.replace(/ \[[^\]]*\]$/, '');
}

export interface Graph<S> {
  readonly states: S[];
  /** Whether each state was expanded (not beyond the constraint or the limits). */
  readonly expanded: boolean[];
  /** Per state: its edges as parallel arrays — target, label id, successor index, fault, fairness unit. */
  readonly to: number[][];
  readonly label: number[][];
  readonly index: number[][];
  readonly fault: boolean[][];
  readonly unit: number[][];
  /** Per state: the fairness units of the protocol steps it enables. */
  readonly enabled: Set<number>[];
  /** The breadth-first tree: each state's parent (-1 for an initial state) and the edge from it. */
  readonly parent: number[];
  readonly parentEdge: number[];
  /** Label text by label id. */
  readonly labels: string[];
  /** Every reachable state is in the graph. */
  complete: boolean;
}

/**
 * Build the graph breadth first, one state per seen-set key, within the budget's limits (the graph
 * is then incomplete). A step to the state itself (an action that changes nothing) is a self-loop.
 */
export function reachableGraph<S>(model: Compiled<S>, budget: Budget = new Budget()): Graph<S> {
  const b = new GraphBuilder(model);
  const g = b.graph;
  let frontier = [...new Set(model.init.map((s) => b.add(s, -1, -1)))];
  for (let depth = 0; frontier.length; depth++) {
    if (depth >= budget.maxDepth) {
      g.complete = false;
      break;
    }
    const next: number[] = [];
    for (const u of frontier) {
      if (g.states.length >= budget.maxStates || budget.expired()) {
        g.complete = false;
        return g;
      }
      if (model.beyond !== null && model.beyond(g.states[u]!)) continue; // beyond the constraint: a dead end we know nothing about
      next.push(...b.expand(u, depth));
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
    if (!b.graph.expanded[u]) b.expand(u, k);
    prev = u;
  });
  b.graph.complete = false;
  return b.graph;
}

/** Adds states (one per key) and the edges of expanded ones to a graph. */
class GraphBuilder<S> {
  readonly graph: Graph<S> = { states: [], expanded: [], to: [], label: [], index: [], fault: [], unit: [], enabled: [], parent: [], parentEdge: [], labels: [], complete: true };
  private readonly ids = new Map<string, number>();
  private readonly unitIds = new Map<string, number>();
  private readonly labelIds = new Map<string, number>();
  private readonly buf = new SuccessorBuffer<S>();

  constructor(private readonly model: Compiled<S>) {}

  private intern(m: Map<string, number>, s: string, list?: string[]): number {
    let i = m.get(s);
    if (i === undefined) {
      i = m.size;
      m.set(s, i);
      list?.push(s);
    }
    return i;
  }

  /** The id of `s`'s key, adding it (reached from `parent` by its edge `edge`) if it is new. */
  add(s: S, parent: number, edge: number): number {
    const g = this.graph;
    const k = keyText(this.model, s);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = g.states.length;
      this.ids.set(k, id);
      g.states.push(s);
      g.expanded.push(false);
      g.to.push([]);
      g.label.push([]);
      g.index.push([]);
      g.fault.push([]);
      g.unit.push([]);
      g.enabled.push(new Set());
      g.parent.push(parent);
      g.parentEdge.push(edge);
    }
    return id;
  }

  /** Expand state `u` (at `depth`, for error messages); returns the states it added. */
  expand(u: number, depth: number): number[] {
    const { model, buf, graph: g } = this;
    const s = g.states[u]!;
    const added: number[] = [];
    expandOrThrow(model, s, buf, u, depth);
    g.expanded[u] = true;
    for (let j = 0; j < buf.length; j++) {
      const t = buf.states[j]!;
      const label = model.label(buf, j);
      const fault = model.isFault(model.families[buf.families[j]!]!);
      const before = g.states.length;
      const v = t === s ? u : this.add(t, u, g.to[u]!.length);
      if (g.states.length > before) added.push(v);
      g.to[u]!.push(v);
      g.label[u]!.push(this.intern(this.labelIds, label, g.labels));
      g.index[u]!.push(j);
      g.fault[u]!.push(fault);
      const unit = this.intern(this.unitIds, fairnessUnit(label));
      g.unit[u]!.push(unit);
      if (!fault) g.enabled[u]!.add(unit);
    }
    buf.clear();
    return added;
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
      if (cur === g.states[u]) return g.index[u]![e]!;
      const want = keyText(model, g.states[g.to[u]![e]!]!);
      const fault = g.fault[u]![e]!;
      for (let j = 0; j < buf.length; j++) if (model.isFault(model.families[buf.families[j]!]!) === fault && keyText(model, buf.states[j]!) === want) return j;
      throw new ModelError(`liveness: rebuilding the trace, no step leads on from step ${k}: the model's normalize is not a renaming its steps respect`);
    },
    false,
  )!;
}
