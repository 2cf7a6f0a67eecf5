/**
 * A counterexample as a message sequence chart in Graphviz DOT: one lifeline per node, time
 * flowing down one row per step, each message an arrow from the step that sent it to the step that
 * delivered it. Drawn from the generic trace events (src/model/trace.ts), not from any protocol.
 *
 * Layout (plain `dot`): one node per (lifeline, step), the nodes of a step in a `rank=same`
 * subgraph, each lifeline a chain of heavy arrowless edges so it stays vertical; message arrows
 * have `constraint=false`, so they never disturb the layout. The step column on the left names
 * each step; a partition is a shaded cluster over the rows it lasts.
 */
import type { MessageInfo, TraceEvent } from '../model/trace.js';
import { type Plain, showPlain } from '../model/values.js';
import { diffPlain, showChange } from './diff.js';
import { clip, dotString, type PlainTrace } from './trace.js';

interface Lifeline {
  readonly id: string;
  readonly role?: string;
}

const COLORS = {
  line: '#9aa5b1',
  down: '#d5dbe1',
  message: '#1f4e79',
  copy: '#7b3fa0',
  lost: '#c0392b',
  inflight: '#8795a1',
  violation: '#c0392b',
  witness: '#1e7b34',
};

/** The nodes of the system: from the first event if it lists them, else from every event. */
function lifelinesOf(t: PlainTrace): Lifeline[] {
  const first = t.steps[0]?.event;
  if (first?.kind === 'init' && first.nodes?.length) return first.nodes.map((n) => ({ id: n.id, role: n.role }));
  const seen: string[] = [];
  const add = (id: string | undefined) => {
    if (id !== undefined && !seen.includes(id)) seen.push(id);
  };
  for (const { event: e } of t.steps) {
    if (!e) continue;
    if ('node' in e) add(e.node);
    if ('message' in e) (add(e.message.from), add(e.message.to));
    if ('sends' in e) for (const m of e.sends) (add(m.from), add(m.to));
    if (e.kind === 'partition') e.sides.flat().forEach(add);
  }
  return seen.length ? seen.map((id) => ({ id })) : [{ id: 'system' }];
}

function messageText(m: MessageInfo): string {
  const body = Object.keys(m.body).length ? ' ' + showPlain(m.body as Plain) : '';
  return clip(m.type + body, 40);
}

/** The part of a state that belongs to one node (a message-passing state keeps them in `nodes`). */
function nodeState(state: Plain, id: string, generic: boolean): Plain {
  if (generic) return state;
  if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
    const nodes = state.nodes;
    if (typeof nodes === 'object' && nodes !== null && !Array.isArray(nodes)) return nodes[id] ?? null;
  }
  return null;
}

/** One line per changed field, at most `max` lines. */
function changeLines(before: Plain, after: Plain, max = 4): string[] {
  const lines = diffPlain(before, after).map((c) => clip(showChange(c), 44));
  return lines.length > max ? [...lines.slice(0, max - 1), `… ${lines.length - max + 1} more`] : lines;
}

function eventHead(e: TraceEvent | undefined): { text: string; fill: string } | null {
  switch (e?.kind) {
    case 'timeout':
      return { text: `timeout ${e.timer}`, fill: '#fff3cd' };
    case 'local':
      return { text: `▶ ${e.step}`, fill: '#e7f1ff' };
    case 'crash':
      return { text: '✖ crash', fill: '#f8d7da' };
    case 'restart':
      return { text: '↻ restart', fill: '#d4edda' };
    case 'duplicate':
      return { text: `copy of ${messageText(e.message)}`, fill: '#efe3f7' };
    case 'step':
      return { text: clip(e.text, 44), fill: '#e7f1ff' };
    default:
      return null;
  }
}

interface Pending {
  readonly step: number;
  readonly from: string;
  readonly copy: boolean;
  readonly message: MessageInfo;
}

export function sequenceDot(t: PlainTrace): string {
  const lines = lifelinesOf(t);
  const generic = !t.steps.some((s) => s.event);
  const index = new Map(lines.map((l, i) => [l.id, i]));
  const last = t.steps.length - 1;
  const node = (k: number, id: string) => `n${k}_${index.get(id) ?? 0}`;
  const out: string[] = [];
  const arrows: string[] = [];
  const w = (s: string) => out.push(s);

  w('digraph sequence {');
  const what = !t.violation
    ? ''
    : t.violation.kind === 'deadlock'
      ? ' — deadlock'
      : t.violation.kind === 'witness'
        ? ` — witness ${t.violation.name}`
        : t.violation.kind === 'liveness'
          ? ` — liveness ${t.violation.name} violated`
          : ` — ${t.violation.name} violated`;
  w(`  label=${dotString(t.title + what)}; labelloc=t; fontname="Helvetica"; fontsize=14;`);
  const hi = t.violation?.kind === 'witness' ? COLORS.witness : COLORS.violation;
  w('  rankdir=TB; newrank=true; nodesep=0.5; ranksep=0.22; splines=true;');
  w('  node [fontname="Helvetica", fontsize=10];');
  w('  edge [fontname="Helvetica", fontsize=9];');
  w('');

  // Header: one box per lifeline, with the node's starting state.
  w('  // lifelines');
  w('  { rank=same; Lh [shape=plaintext, label="step"];');
  lines.forEach((l, i) => {
    const start = showPlain(nodeState(t.steps[0]!.state, l.id, generic));
    const label = [l.role && l.role !== l.id ? `${l.id} (${l.role})` : l.id, clip(start, 44)].filter((x) => x !== 'null' && x !== '' && x !== '{}').join('\n');
    w(`    h${i} [shape=box, style="rounded,filled", fillcolor="#eef2f6", group=life${i}, label=${dotString(label)}];`);
  });
  w(`    ${['Lh', ...lines.map((_, i) => `h${i}`)].join(' -> ')} [style=invis]; }`);

  // Partitions: which rows each one covers.
  const bands: { from: number; to: number; label: string; fill: string; color: string }[] = [];
  t.steps.forEach((s, k) => {
    if (s.event?.kind === 'partition')
      bands.push({ from: k, to: last, label: 'partition: ' + s.event.sides.map((x) => x.join(' ')).join('  |  '), fill: '#fff8e1', color: '#f0c36d' });
    if (s.event?.kind === 'heal' && bands.length) bands[bands.length - 1]!.to = k - 1;
  });
  // A lasso: the steps after `loop` repeat forever; shaded unless a partition band is in the way.
  if (t.loop !== undefined && t.loop !== null && t.loop < last) {
    const from = t.loop + 1;
    if (!bands.some((b) => b.to >= from)) bands.push({ from, to: last, label: `↺ steps ${from}–${last} repeat forever (back to the state after step ${t.loop})`, fill: '#fdecea', color: '#e8a3a3' });
  }
  const bandOf = (k: number) => bands.findIndex((b) => k >= b.from && k <= b.to);

  const pending = new Map<string, Pending[]>();
  const lastSend = new Map<string, Pending>();
  const take = (m: MessageInfo): Pending | null => {
    const q = pending.get(m.key);
    const p = q?.shift();
    return p ?? null;
  };
  const arrow = (from: Pending, m: MessageInfo, k: number, attrs: string) =>
    arrows.push(`  ${node(from.step, from.from)} -> ${node(k, m.to)} [constraint=false, ${attrs}];`);

  const down = new Set<string>();
  const rows: string[][] = [];
  const segments: string[] = [];
  for (let k = 0; k <= last; k++) {
    const step = t.steps[k]!;
    const e = step.event;
    const row: string[] = [];
    const bad = k === last && t.violation !== null;
    const actionText = k === 0 ? 'start' : (step.action ?? '');
    const inLoop = t.loop !== undefined && t.loop !== null && k > t.loop;
    row.push(`    L${k} [shape=plaintext, label=${dotString(`${inLoop ? '↺ ' : ''}${k}  ${clip(actionText, 48)}`)}${bad ? `, fontcolor="${hi}", fontname="Helvetica-Bold"` : ''}];`);

    const active = e && 'node' in e ? e.node : e?.kind === 'drop' || e?.kind === 'duplicate' ? e.message.to : generic && k > 0 ? lines[0]!.id : undefined;
    lines.forEach((l, i) => {
      const before = k > 0 ? nodeState(t.steps[k - 1]!.state, l.id, generic) : null;
      const after = nodeState(step.state, l.id, generic);
      const changes = k > 0 ? changeLines(before, after) : [];
      const head = l.id === active ? eventHead(e) : null;
      const id = `n${k}_${i}`;
      if (e?.kind === 'drop' && l.id === active) {
        row.push(`    ${id} [shape=plaintext, group=life${i}, label="✕", fontcolor="${COLORS.lost}", fontsize=16];`);
      } else if (head || changes.length || (generic && k > 0)) {
        const text = [head?.text ?? (generic ? clip(actionText, 44) : ''), ...changes].filter((x) => x !== '').join('\n');
        const fill = head?.fill ?? '#ffffff';
        const edge = bad && l.id === active ? `, color="${hi}", penwidth=2` : '';
        row.push(`    ${id} [shape=box, style="rounded,filled", fillcolor="${fill}", fontsize=9, group=life${i}, label=${dotString(text)}${edge}];`);
      } else {
        const big = l.id === active;
        row.push(`    ${id} [shape=point, width=${big ? 0.09 : 0.05}, color="${big ? '#222222' : COLORS.line}", group=life${i}];`);
      }
    });
    if (bad) {
      const v = t.violation!;
      const text =
        v.kind === 'deadlock'
          ? '✗ deadlock: no step is possible'
          : v.kind === 'witness'
            ? `★ witness ${v.name}`
            : `✗ ${v.name}${v.explanation ? '\n' + clip(v.explanation, 80) : ''}`;
      const fill = v.kind === 'witness' ? '#e6f4ea' : '#fde2e2';
      row.push(`    V [shape=note, style=filled, fillcolor="${fill}", color="${hi}", fontcolor="${hi}", label=${dotString(text)}];`);
    }
    row.push(`    ${[`L${k}`, ...lines.map((_, i) => `n${k}_${i}`), ...(bad ? ['V'] : [])].join(' -> ')} [style=invis];`);
    rows.push(row);

    // Messages: what this step delivered or lost, then what it sent.
    if (e?.kind === 'deliver') {
      const src = take(e.message);
      const again = src ?? lastSend.get(e.message.key);
      if (again)
        arrow(again, e.message, k, `label=${dotString(messageText(e.message) + (src ? (src.copy ? ' (copy)' : '') : ' (again)'))}, color="${src?.copy ? COLORS.copy : COLORS.message}", fontcolor="${src?.copy ? COLORS.copy : COLORS.message}"`);
    } else if (e?.kind === 'drop') {
      const src = take(e.message);
      if (src) arrow(src, e.message, k, `label=${dotString(messageText(e.message) + ' ✂ dropped')}, color="${COLORS.lost}", fontcolor="${COLORS.lost}", style=dashed, arrowhead=none`);
    } else if (e?.kind === 'duplicate') {
      const q = pending.get(e.message.key);
      const orig = q?.[0];
      if (orig) q!.push({ ...orig, copy: true });
    } else if (e?.kind === 'crash') {
      for (const m of e.lost) {
        const src = take(m);
        if (src) arrow(src, m, k, `label=${dotString(messageText(m) + ' ✕ lost')}, color="${COLORS.lost}", fontcolor="${COLORS.lost}", style=dashed, arrowhead=none`);
      }
      down.add(e.node);
    } else if (e?.kind === 'restart') down.delete(e.node);
    if (e && 'sends' in e)
      for (const m of e.sends) {
        if (m.lost) {
          arrows.push(`  ${node(k, m.from)} -> ${node(k, m.to)} [constraint=false, label=${dotString(messageText(m) + ' ✕ receiver down')}, color="${COLORS.lost}", fontcolor="${COLORS.lost}", style=dashed, arrowhead=tee];`);
          continue;
        }
        const p: Pending = { step: k, from: m.from, copy: false, message: m };
        const q = pending.get(m.key) ?? [];
        q.push(p);
        pending.set(m.key, q);
        lastSend.set(m.key, p);
      }
    // Lifeline segments into the next row: dashed while the node is down.
    if (k < last) {
      const segs = lines.map((l, i) =>
        down.has(l.id)
          ? `  n${k}_${i} -> n${k + 1}_${i} [arrowhead=none, weight=100, style=dashed, color="${COLORS.down}"];`
          : `  n${k}_${i} -> n${k + 1}_${i} [arrowhead=none, weight=100, penwidth=1.5, color="${COLORS.line}"];`,
      );
      segments.push(...segs);
    }
  }
  // Messages still in flight at the end.
  for (const q of pending.values())
    for (const p of q)
      arrow(p, p.message, last, `label=${dotString(messageText(p.message) + ' (in flight)')}, color="${COLORS.inflight}", fontcolor="${COLORS.inflight}", style=dotted`);

  w('');
  w('  // steps, one row each');
  for (let k = 0; k <= last; k++) {
    const b = bandOf(k);
    const open = b >= 0 && bands[b]!.from === k;
    if (open) {
      const band = bands[b]!;
      const name = band.label.startsWith('partition') ? `cluster_partition${b}` : 'cluster_cycle';
      w(`  subgraph ${name} { label=${dotString(band.label)}; labeljust=l; style=filled; fillcolor="${band.fill}"; color="${band.color}"; fontsize=10;`);
    }
    w(`  { rank=same;`);
    for (const r of rows[k]!) w(r);
    w('  }');
    if (b >= 0 && bands[b]!.to === k) w('  }');
  }
  w('');
  w('  // lifelines');
  lines.forEach((_, i) => w(`  h${i} -> n0_${i} [arrowhead=none, weight=100, penwidth=1.5, color="${COLORS.line}"];`));
  w(`  Lh -> L0 [style=invis, weight=100];`);
  for (let k = 0; k < last; k++) {
    w(`  L${k} -> L${k + 1} [style=invis, weight=100];`);
  }
  for (const s of segments) w(s);
  w('');
  w('  // messages');
  for (const a of arrows) w(a);
  w('}');
  return out.join('\n') + '\n';
}
