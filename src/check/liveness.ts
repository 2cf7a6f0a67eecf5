/**
 * Liveness under weak fairness of the protocol's steps (docs/liveness.md).
 *
 * A second breadth-first pass records the reachable graph: every state, every edge with its
 * label, and which protocol steps each state enables. For each property, the states where its goal
 * does not hold (the region) are searched for
 * - a stuck state: no protocol step leads anywhere else (faults may remain: they are never forced);
 * - a fair lasso: a cycle of protocol steps inside the region on which every protocol step that
 *   stays enabled all along it is also taken on it (faults may happen before the cycle, not on it:
 *   the environment injects finitely many). A strongly connected component contains a fair cycle exactly when
 *   its full tour is fair: a step enabled in all of its states must label one of its edges.
 * Fault steps get no fairness. Liveness is checked without symmetry reduction, so traces are
 * concrete.
 */
import type { Property } from '../model/types.js';
import type { Compiled } from './compile.js';
import { Budget, drain, drainAsync, type SoFar } from './core.js';
import { fingerprint, fpHigh, fpLow } from '../model/fingerprint.js';
import { buildGraph, type Graph, GraphRecorder, graphTrace, type Predicate } from './graph.js';
import type { StateStore } from './store.js';
import type { StopReason, TraceStep } from './types.js';

export interface CompiledProperty<S> {
  readonly name: string;
  readonly property: Property<S>;
}

export interface LivenessViolation<S> {
  readonly name: string;
  /** `stuck`: the trace ends in a state where no protocol step can happen; `lasso`: it loops. */
  readonly shape: 'stuck' | 'lasso';
  readonly explanation: string;
  /** For a lasso, the index of the trace step the last step returns to. */
  readonly loop: number | null;
  readonly trace: readonly TraceStep<S>[];
}

export interface LivenessResult<S> {
  readonly violation: LivenessViolation<S> | null;
  /** Every reachable state was explored (so "no violation" is a proof, within the model). */
  readonly complete: boolean;
  /** Why the graph was cut short: null when it is complete. */
  readonly stopReason: StopReason | null;
  readonly states: number;
  readonly edges: number;
  readonly durationMs: number;
}

/**
 * Strongly connected components of the protocol steps among the states `inside` (fault steps are
 * left out: the environment injects finitely many faults), by Tarjan's algorithm, iteratively.
 */
function sccs(g: Graph, inside: (v: number) => boolean, nodes: number[]): number[][] {
  const n = g.size;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  // The depth-first path: a state and the next of its edges to look at.
  const workV: number[] = [];
  const workE: number[] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index[root] !== -1) continue;
    workV.push(root);
    workE.push(0);
    index[root] = counter;
    low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (workV.length) {
      const top = workV.length - 1;
      const v = workV[top]!;
      const i = workE[top]!;
      if (i < g.degree(v)) {
        workE[top] = i + 1;
        const w = g.to(v, i);
        if (!inside(w) || g.fault(v, i)) continue;
        if (index[w] === -1) {
          index[w] = counter;
          low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          workV.push(w);
          workE.push(0);
        } else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!);
      } else {
        workV.pop();
        workE.pop();
        if (workV.length) {
          const p = workV[workV.length - 1]!;
          low[p] = Math.min(low[p]!, low[v]!);
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          out.push(comp);
        }
      }
    }
  }
  return out;
}

/** Shortest path (as [state, edge index] steps) from `from` to `target` by protocol steps into `allowed`. */
function pathWithin(g: Graph, from: number, target: (v: number) => boolean, allowed: (v: number) => boolean): [number, number][] | null {
  const prev = new Map<number, [number, number]>([[from, [-1, -1]]]);
  let frontier = [from];
  while (frontier.length) {
    const next: number[] = [];
    for (const u of frontier) {
      if (target(u) && u !== from) return unwind(prev, u);
      for (let e = 0; e < g.degree(u); e++) {
        const v = g.to(u, e);
        if (!allowed(v) || g.fault(u, e)) continue;
        if (target(v) && !prev.has(v)) {
          prev.set(v, [u, e]);
          return unwind(prev, v);
        }
        if (!prev.has(v)) {
          prev.set(v, [u, e]);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return null;
}

function unwind(prev: Map<number, [number, number]>, v: number): [number, number][] {
  const steps: [number, number][] = [];
  for (let x = v; ; ) {
    const [u, e] = prev.get(x)!;
    if (u < 0) break;
    steps.push([u, e]);
    x = u;
  }
  return steps.reverse();
}

/** Search the reachable graph for a stuck state or a fair cycle that breaks one of `properties`, within `budget`. */
export function checkLiveness<S>(model: Compiled<S>, properties: readonly CompiledProperty<S>[], budget: Budget = new Budget()): LivenessResult<S> {
  return drain(liveness(model, properties, budget));
}

/** checkLiveness, letting the event loop run every few milliseconds while the graph is built (see bfsAsync). */
export function checkLivenessAsync<S>(model: Compiled<S>, properties: readonly CompiledProperty<S>[], budget: Budget = new Budget()): Promise<LivenessResult<S>> {
  const soFar: SoFar<LivenessResult<S>> = {};
  return drainAsync(liveness(model, properties, budget, soFar), budget, soFar);
}

/**
 * The conditions the liveness pass reads in each state, in order: per property its goal (`q` of
 * leadsTo, else `p`), and for leadsTo its trigger `p` after it.
 */
function predicates<S>(properties: readonly CompiledProperty<S>[]): Predicate<S>[] {
  return properties.flatMap(({ name, property: p }) => (p.kind === 'leadsTo' ? [{ what: name, holds: p.q }, { what: name, holds: p.p }] : [{ what: name, holds: p.p }]));
}

/**
 * A recorder of the graph the liveness pass needs, for a search that numbers its states in `store`
 * (the safety search records it as it goes when it has no symmetry reduction: livenessOfGraph).
 */
export function livenessRecorder<S>(model: Compiled<S>, store: StateStore): GraphRecorder<S> {
  return new GraphRecorder(model, store, predicates(model.properties));
}

function* liveness<S>(model: Compiled<S>, properties: readonly CompiledProperty<S>[], budget: Budget, soFar: SoFar<LivenessResult<S>> = {}): Generator<void, LivenessResult<S>, void> {
  const t0 = performance.now();
  // Cut short in the middle of a stretch (see drainAsync): nothing proved.
  soFar.result = () => ({ violation: null, complete: false, stopReason: budget.stop() ?? 'interrupted', states: 0, edges: 0, durationMs: performance.now() - t0 });
  const g = yield* buildGraph(model, budget, predicates(properties));
  return livenessOfGraph(model, g, properties, t0);
}

/**
 * The liveness pass over a graph already recorded (with the predicates of `properties`, in their
 * order: see livenessRecorder).
 */
export function livenessOfGraph<S>(model: Compiled<S>, g: Graph, properties: readonly CompiledProperty<S>[], t0 = performance.now()): LivenessResult<S> {
  const n = g.size;
  const all = (keep: (v: number) => boolean): number[] => {
    const out: number[] = [];
    for (let v = 0; v < n; v++) if (keep(v)) out.push(v);
    return out;
  };
  /** Trace steps from an initial state to v along the BFS tree. */
  const prefixTo = (v: number): [number, number][] => {
    const steps: [number, number][] = [];
    for (let x = v; g.parent(x) >= 0; x = g.parent(x)) steps.push([g.parent(x), g.parentEdge(x)]);
    return steps.reverse();
  };
  const toTrace = (start: number, steps: [number, number][]): TraceStep<S>[] => graphTrace(model, g, start, steps);
  const rootOf = (v: number) => {
    let x = v;
    while (g.parent(x) >= 0) x = g.parent(x);
    return x;
  };

  let k = 0; // the property's first predicate
  for (const { name, property: prop } of properties) {
    const goal = k;
    const trigger = k + 1;
    k += prop.kind === 'leadsTo' ? 2 : 1;
    const region = new Uint8Array(n);
    for (let v = 0; v < n; v++) region[v] = g.holds(goal, v) ? 0 : 1;
    const inRegion = (v: number) => region[v] === 1;
    // Where bad behaviours may start.
    let starts: number[];
    if (prop.kind === 'eventually') starts = model.init.length ? all((v) => g.parent(v) === -1 && inRegion(v)) : [];
    else if (prop.kind === 'alwaysEventually') starts = all(inRegion);
    else starts = all((v) => inRegion(v) && g.holds(trigger, v));
    if (starts.length === 0) continue;
    // The region reachable from the starts, staying in the region; BFS parents within it.
    const reach = new Int32Array(n).fill(-2);
    const via = new Int32Array(n).fill(-1);
    let frontier = starts;
    for (const s of starts) reach[s] = -1;
    const order: number[] = [...starts];
    while (frontier.length) {
      const next: number[] = [];
      for (const u of frontier)
        for (let e = 0; e < g.degree(u); e++) {
          const v = g.to(u, e);
          if (inRegion(v) && reach[v] === -2) {
            reach[v] = u;
            via[v] = e;
            next.push(v);
            order.push(v);
          }
        }
      frontier = next;
    }
    const inR = (v: number) => reach[v] !== -2;
    const pathInRegion = (v: number): { start: number; steps: [number, number][] } => {
      const steps: [number, number][] = [];
      let x = v;
      while (reach[x]! >= 0) {
        steps.push([reach[x]!, via[x]!]);
        x = reach[x]!;
      }
      return { start: x, steps: steps.reverse() };
    };
    /** The full trace to v: to the start state, then inside the region. */
    const traceTo = (v: number) => {
      const inside = pathInRegion(v);
      const pre = prop.kind === 'eventually' ? [] : prefixTo(inside.start);
      const root = prop.kind === 'eventually' ? inside.start : rootOf(inside.start);
      return { root, steps: [...pre, ...inside.steps] };
    };
    const goalText = prop.description ?? name;
    type Candidate = LivenessViolation<S>;
    let best: Candidate | null = null;
    // Stuck states.
    for (const v of order) {
      if (!g.expanded(v)) continue;
      let moves = false;
      for (let e = 0; e < g.degree(v) && !moves; e++) moves = !g.fault(v, e) && g.to(v, e) !== v;
      if (moves) continue;
      const { root, steps } = traceTo(v);
      best = { name, shape: 'stuck', loop: null, explanation: `stuck: no protocol step can happen, and ${goalText} does not hold`, trace: toTrace(root, steps) };
      break;
    }
    // Fair cycles.
    for (const comp of sccs(g, inR, order)) {
      const set = new Set(comp);
      const c0 = comp[0]!;
      let selfLoop = false;
      if (comp.length === 1) for (let e = 0; e < g.degree(c0) && !selfLoop; e++) selfLoop = g.to(c0, e) === c0 && !g.fault(c0, e);
      if (comp.length === 1 && !selfLoop) continue;
      if (comp.some((v) => !g.expanded(v))) continue;
      // Units enabled in every state of the component, and the units its edges take.
      let always = g.enabled(c0);
      for (const v of comp) {
        const here = g.enabled(v);
        always = new Set([...always].filter((x: number) => here.has(x)));
      }
      const taken = new Map<number, [number, number]>();
      for (const v of comp)
        for (let e = 0; e < g.degree(v); e++) {
          if (!set.has(g.to(v, e)) || g.fault(v, e)) continue;
          const unit = g.unit(v, e);
          if (!taken.has(unit)) taken.set(unit, [v, e]);
        }
      const unfair = [...always].filter((u) => !taken.has(u));
      if (unfair.length) continue;
      // Enter the component at its state nearest to the start, then tour the required edges.
      const entry = order.find((v) => set.has(v))!;
      const required = [...always].map((u) => taken.get(u)!);
      if (required.length === 0) {
        let e = -1;
        for (let i = 0; i < g.degree(entry) && e < 0; i++) if (set.has(g.to(entry, i)) && !g.fault(entry, i)) e = i;
        if (e >= 0) required.push([entry, e]);
        else required.push([...taken.values()][0]!);
      }
      const cycle: [number, number][] = [];
      let cur = entry;
      for (const [u, e] of required) {
        if (cur !== u) cycle.push(...pathWithin(g, cur, (x) => x === u, (x) => set.has(x))!);
        cycle.push([u, e]);
        cur = g.to(u, e);
      }
      if (cur !== entry) cycle.push(...pathWithin(g, cur, (x) => x === entry, (x) => set.has(x))!);
      const { root, steps } = traceTo(entry);
      const trace = toTrace(root, [...steps, ...cycle]);
      fingerprint(trace[steps.length]!.state);
      const [hi, lo] = [fpHigh(), fpLow()];
      fingerprint(trace[trace.length - 1]!.state);
      const renamed = hi !== fpHigh() || lo !== fpLow() ? ` — its last step returns to step ${steps.length}'s state up to the model's renumbering` : '';
      if (!best || trace.length < best.trace.length)
        best = {
          name,
          shape: 'lasso',
          loop: steps.length,
          explanation: `a fair cycle (steps ${steps.length + 1}–${steps.length + cycle.length}, repeating forever${renamed}) on which ${goalText} never holds`,
          trace,
        };
      break;
    }
    if (best) return { violation: best, complete: g.complete, stopReason: g.stopReason, states: n, edges: g.edges, durationMs: performance.now() - t0 };
  }
  return { violation: null, complete: g.complete, stopReason: g.stopReason, states: n, edges: g.edges, durationMs: performance.now() - t0 };
}
