/**
 * The state graph in DOT: every reachable state and step when the space is small (up to
 * GRAPH_LIMIT states), with the counterexample's path highlighted; for a larger space, only the
 * path's neighbourhood — the states on it and every state one step off it.
 */
import type { Compiled } from '../check/compile.js';
import { Budget, keyText } from '../check/core.js';
import { type DrawnGraph, pathNeighbourhood, reachableGraph } from '../check/graph.js';
import type { TraceStep } from '../check/types.js';
import { toPlain } from '../model/values.js';
import { Spelling } from './spell.js';
import { clip, dotString } from './trace.js';

/** The largest state space drawn whole. */
export const GRAPH_LIMIT = 300;

export interface StateGraph {
  readonly dot: string;
  /** `full`: every reachable state; `neighbourhood`: the path and the states one step off it. */
  readonly mode: 'full' | 'neighbourhood';
  readonly states: number;
}

/**
 * Draw the graph of `model`, highlighting `trace` if given. Returns null when the space is too
 * large to draw whole and there is no path to draw around.
 */
export function stateGraphDot<S>(model: Compiled<S>, trace: readonly TraceStep<S>[] | null, title: string, limit = GRAPH_LIMIT): StateGraph | null {
  let drawn: DrawnGraph<S> = reachableGraph(model, new Budget({ maxStates: limit + 1 }));
  let mode: StateGraph['mode'] = 'full';
  if (!drawn.graph.complete) {
    if (!trace) return null;
    mode = 'neighbourhood';
    drawn = pathNeighbourhood(model, trace);
  }
  const { graph: g, states } = drawn;
  // One arrow per pair of states (the first step's label), no self-loops.
  const edges = new Map<string, { from: number; to: number; label: string }>();
  for (let u = 0; u < states.length; u++)
    for (let e = 0; e < g.degree(u); e++) {
      const v = g.to(u, e);
      const k = `${u}>${v}`;
      if (v !== u && !edges.has(k)) edges.set(k, { from: u, to: v, label: g.label(u, e) });
    }
  const ids = new Map<string, number>();
  states.forEach((s, id) => ids.set(keyText(model, s), id));
  const idOf = (s: S) => ids.get(keyText(model, s));

  // The path, as node ids and edges.
  const onPath = new Map<number, number>();
  const pathEdges = new Set<string>();
  if (trace) {
    let prev: number | null = null;
    trace.forEach((step, k) => {
      const id = idOf(step.state);
      if (id === undefined) return;
      if (!onPath.has(id)) onPath.set(id, k);
      if (prev !== null) pathEdges.add(`${prev}>${id}`);
      prev = id;
    });
  }
  const lastId = trace ? idOf(trace[trace.length - 1]!.state) : undefined;
  // Step labels spelled as the other reports spell them (messages with their key fields first).
  const sp = new Spelling({ steps: (trace ?? []).map((t) => ({ action: t.action, state: null, ...(t.event ? { event: t.event } : {}) })) });

  const out: string[] = [];
  out.push('digraph {');
  out.push(`  label=${dotString(`${title} — ${mode === 'full' ? `all ${states.length} reachable states` : `the counterexample and the states one step off it (${states.length})`}`)}; labelloc=t; fontname="Helvetica";`);
  out.push('  rankdir=TB; node [fontname="Helvetica", fontsize=9, shape=circle, width=0.3, fixedsize=false, style=filled, fillcolor="#eef2f6", color="#9aa5b1"];');
  out.push('  edge [fontname="Helvetica", fontsize=8, color="#b8c2cc", arrowsize=0.6];');
  for (let id = 0; id < states.length; id++) {
    const k = onPath.get(id);
    const attrs: string[] = [`tooltip=${dotString(clip(sp.stateLines(toPlain(states[id])).join('\n'), 1200))}`];
    if (k !== undefined) attrs.push(`label=${dotString(String(k))}`, 'fillcolor="#cfe2f3"', 'color="#1f4e79"', 'penwidth=1.5');
    else attrs.push('label=""', 'width=0.15');
    if (g.parent(id) === -1) attrs.push('peripheries=2');
    if (mode === 'full' && g.expanded(id) && g.degree(id) === 0) attrs.push('shape=square');
    if (id === lastId) attrs.push('fillcolor="#fde2e2"', 'color="#c0392b"', 'penwidth=2');
    out.push(`  s${id} [${attrs.join(', ')}];`);
  }
  for (const [k, e] of edges) {
    const hot = pathEdges.has(k);
    const label = sp.label(e.label);
    const attrs = [`tooltip=${dotString(label)}`];
    if (hot) attrs.push(`label=${dotString(clip(label, 36))}`, 'color="#c0392b"', 'fontcolor="#c0392b"', 'penwidth=2.2');
    out.push(`  s${e.from} -> s${e.to} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return { dot: out.join('\n') + '\n', mode, states: states.length };
}
