/**
 * The state graph in DOT: every reachable state and step when the space is small (up to
 * GRAPH_LIMIT states), with the counterexample's path highlighted; for a larger space, only the
 * path's neighbourhood — the states on it and every state one step off it.
 */
import { type Compiled, SuccessorBuffer } from '../check/compile.js';
import type { TraceStep } from '../check/explore.js';
import { fpHigh, fpLow } from '../check/fingerprint.js';
import { show } from '../model/values.js';
import { clip, dotString } from './trace.js';

/** The largest state space drawn whole. */
export const GRAPH_LIMIT = 300;

interface GNode {
  readonly id: number;
  readonly state: unknown;
  readonly init: boolean;
  terminal: boolean;
}

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
  const keyOf = (s: S): string => {
    model.key(s);
    return `${fpHigh()}:${fpLow()}`;
  };
  const nodes = new Map<string, GNode>();
  const edges = new Map<string, { from: number; to: number; label: string }>();
  const buf = new SuccessorBuffer<S>();
  const add = (s: S, init: boolean): GNode => {
    const k = keyOf(s);
    let n = nodes.get(k);
    if (!n) {
      n = { id: nodes.size, state: s, init, terminal: false };
      nodes.set(k, n);
    }
    return n;
  };
  const expandInto = (s: S, from: GNode): GNode[] => {
    model.expand(s, buf);
    const fresh: GNode[] = [];
    from.terminal = buf.length === 0;
    for (let j = 0; j < buf.length; j++) {
      const t = buf.states[j]!;
      if (t === s) continue;
      const before = nodes.size;
      const to = add(t, false);
      if (nodes.size > before) fresh.push(to);
      const e = `${from.id}>${to.id}`;
      if (!edges.has(e)) edges.set(e, { from: from.id, to: to.id, label: model.label(buf, j) });
    }
    buf.clear();
    return fresh;
  };

  // Try the whole space first.
  let mode: StateGraph['mode'] = 'full';
  let frontier = model.init.map((s) => add(s, true));
  while (frontier.length && nodes.size <= limit) {
    const next: GNode[] = [];
    for (const n of frontier) next.push(...expandInto(n.state as S, n));
    frontier = next;
  }
  if (nodes.size > limit) {
    if (!trace) return null;
    mode = 'neighbourhood';
    nodes.clear();
    edges.clear();
    add(trace[0]!.state, true);
    for (const step of trace) expandInto(step.state, add(step.state, false));
  }

  // The path, as node ids and edges.
  const onPath = new Map<number, number>();
  const pathEdges = new Set<string>();
  if (trace) {
    let prev: number | null = null;
    trace.forEach((step, k) => {
      const n = nodes.get(keyOf(step.state));
      if (!n) return;
      if (!onPath.has(n.id)) onPath.set(n.id, k);
      if (prev !== null) pathEdges.add(`${prev}>${n.id}`);
      prev = n.id;
    });
  }
  const lastId = trace ? nodes.get(keyOf(trace[trace.length - 1]!.state))?.id : undefined;

  const out: string[] = [];
  out.push('digraph states {');
  out.push(`  label=${dotString(`${title} — ${mode === 'full' ? `all ${nodes.size} reachable states` : `the counterexample and the states one step off it (${nodes.size})`}`)}; labelloc=t; fontname="Helvetica";`);
  out.push('  rankdir=TB; node [fontname="Helvetica", fontsize=9, shape=circle, width=0.3, fixedsize=false, style=filled, fillcolor="#eef2f6", color="#9aa5b1"];');
  out.push('  edge [fontname="Helvetica", fontsize=8, color="#b8c2cc", arrowsize=0.6];');
  for (const n of nodes.values()) {
    const k = onPath.get(n.id);
    const attrs: string[] = [`tooltip=${dotString(clip(show(n.state, 600), 600))}`];
    if (k !== undefined) attrs.push(`label=${dotString(String(k))}`, 'fillcolor="#cfe2f3"', 'color="#1f4e79"', 'penwidth=1.5');
    else attrs.push('label=""', 'width=0.15');
    if (n.init) attrs.push('peripheries=2');
    if (n.terminal && mode === 'full') attrs.push('shape=square');
    if (n.id === lastId) attrs.push('fillcolor="#fde2e2"', 'color="#c0392b"', 'penwidth=2');
    out.push(`  s${n.id} [${attrs.join(', ')}];`);
  }
  for (const [k, e] of edges) {
    const hot = pathEdges.has(k);
    const attrs = [`tooltip=${dotString(e.label)}`];
    if (hot) attrs.push(`label=${dotString(clip(e.label, 36))}`, 'color="#c0392b"', 'fontcolor="#c0392b"', 'penwidth=2.2');
    out.push(`  s${e.from} -> s${e.to} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return { dot: out.join('\n') + '\n', mode, states: nodes.size };
}
