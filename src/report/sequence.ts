/**
 * A counterexample as a message sequence chart in Graphviz DOT: one lifeline per node, time flowing
 * down one row per step, each message a straight arrow from the step that sent it to the step that
 * delivered it. Drawn from the generic trace events (src/model/trace.ts), not from any protocol.
 *
 * Layout: every position is pinned here and Graphviz only draws (`nop2`, i.e. `neato -n2`, with
 * `splines=line`): each lane is a fixed column, evenly spaced, each step a fixed row as tall as
 * what it holds, so nothing moves and every arrow is one straight segment. A step's box sits
 * centred on its lane. A message still in flight at the end is a short open stub under its
 * sender, labelled with its receiver. Labels are shortened to fit; every node and edge carries its
 * whole text as a tooltip, which the SVG keeps as the element's `<title>` (svg.ts).
 */
import type { MessageInfo, NodeInfo, TraceEvent } from '../model/trace.js';
import type { Plain } from '../model/values.js';
import { fitText, linesWidth, textWidth } from './measure.js';
import { Spelling } from './spell.js';
import { dotString, type PlainTrace } from './trace.js';

/** What a chart draws, for its legend. */
export type Mark =
  | 'message'
  | 'copy'
  | 'again'
  | 'inflight'
  | 'dropped'
  | 'lost'
  | 'down'
  | 'change'
  | 'timeout'
  | 'local'
  | 'step'
  | 'crash'
  | 'restart'
  | 'duplicate'
  | 'partition'
  | 'lasso'
  | 'violation'
  | 'witness';

export interface SequenceChart {
  readonly dot: string;
  /** The kinds of mark the chart uses (its legend lists these). */
  readonly marks: ReadonlySet<Mark>;
}

export const COLORS = {
  line: '#9aa5b1',
  down: '#c5ccd3',
  message: '#1f4e79',
  copy: '#7b3fa0',
  lost: '#c0392b',
  inflight: '#6b7785',
  violation: '#c0392b',
  witness: '#1e7b34',
  timeout: '#fff3cd',
  local: '#e7f1ff',
  crash: '#f8d7da',
  restart: '#d4edda',
  duplicate: '#efe3f7',
  partition: '#f5c04a40',
  partitionLine: '#e0a526',
  lasso: '#e8a3a333',
  lassoLine: '#c0392b',
};

// Font sizes (points) and the spacing derived from them.
const FS = { title: 13, head: 10, row: 9.5, box: 9, msg: 8.5 } as const;
const LINE = (fs: number) => fs * 1.22;
/** The largest width a chart aims for, in points: about the width of the report page (1.33 px a point). */
const TARGET = 1000;
const ROW_MIN = 30;
/** The narrowest lane: room for a stub's label between two lifelines. */
const LANE_MIN = 130;
const ROW_GAP = 10;

interface Lane {
  readonly id: string;
  readonly role?: string;
  readonly keyFields: readonly string[];
}

interface Cell {
  readonly kind: 'box' | 'dot' | 'cross';
  /** Lines as drawn (each fitted to the lane) and the whole text. */
  lines: string[];
  readonly full: string;
  readonly fill: string;
  border?: string;
  w: number;
  h: number;
}

interface Row {
  readonly label: string;
  readonly full: string;
  readonly cells: Map<number, Cell>;
  /** Centre and how far it reaches above and below. */
  y: number;
  up: number;
  down: number;
}

interface Send {
  readonly row: number;
  readonly lane: number;
  readonly m: MessageInfo;
}

type ArrowKind = 'deliver' | 'copy' | 'again' | 'drop' | 'lost';

interface Arrow {
  readonly from: Send;
  readonly row: number;
  readonly lane: number;
  readonly kind: ArrowKind;
  readonly m: MessageInfo;
}

interface Stub {
  readonly row: number;
  readonly lane: number;
  readonly to: number;
  readonly kind: 'inflight' | 'down';
  readonly m: MessageInfo;
}

/** The nodes of the system: from the first event if it lists them, else from every event. */
function lanesOf(t: PlainTrace): Lane[] {
  const first = t.steps[0]?.event;
  if (first?.kind === 'init' && first.nodes?.length) return first.nodes.map((n: NodeInfo) => ({ id: n.id, role: n.role, keyFields: n.keyFields ?? [] }));
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
  return seen.length ? seen.map((id) => ({ id, keyFields: [] })) : [{ id: 'system', keyFields: [] }];
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

/** The mark a step's event puts on its node's lifeline: text and fill. */
function eventHead(e: TraceEvent | undefined, sp: Spelling): { text: string; fill: string; mark: Mark } | null {
  switch (e?.kind) {
    case 'timeout':
      return { text: `timeout ${e.timer}`, fill: COLORS.timeout, mark: 'timeout' };
    case 'local':
      return { text: `▶ ${e.step}`, fill: COLORS.local, mark: 'local' };
    case 'crash':
      return { text: '✖ crash', fill: COLORS.crash, mark: 'crash' };
    case 'restart':
      return { text: '↻ restart', fill: COLORS.restart, mark: 'restart' };
    case 'duplicate':
      return { text: `copy of ${sp.body(e.message)}`, fill: COLORS.duplicate, mark: 'duplicate' };
    case 'step':
      return { text: e.text, fill: COLORS.local, mark: 'step' };
    default:
      return null;
  }
}

/** The node acting at a step, if any. */
function activeNode(e: TraceEvent | undefined): string | undefined {
  if (!e) return undefined;
  if ('node' in e) return e.node;
  if (e.kind === 'drop' || e.kind === 'duplicate') return e.message.to;
  return undefined;
}

/** Lines packed from parts joined by `, `, each at most `width` wide, at most `max` lines (the last ending in … if cut). */
function packLines(parts: readonly string[], width: number, fs: number, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur}, ${p}` : p;
    if (cur && textWidth(next + ',', fs) > width) {
      lines.push(cur + ',');
      cur = p;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  const out = lines.slice(0, max).map((l) => fitText(l, width, fs));
  if (lines.length > max) out[max - 1] = fitText(out[max - 1]!.replace(/,$/, '') + ' …', width, fs);
  return out;
}

/** The text of a violation: what the last state breaks. */
function violationText(v: NonNullable<PlainTrace['violation']>): { head: string; body: string } {
  if (v.kind === 'deadlock') return { head: '✗ deadlock: no step is possible', body: '' };
  if (v.kind === 'witness') return { head: `★ witness ${v.name}`, body: v.explanation ?? '' };
  if (v.kind === 'liveness') return { head: `✗ liveness ${v.name} violated`, body: v.explanation ?? '' };
  return { head: `✗ ${v.name} violated`, body: v.explanation ?? '' };
}

/** Words wrapped to lines at most `width` wide. */
function wrap(text: string, width: number, fs: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let cur = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = cur ? `${cur} ${word}` : word;
      if (cur && textWidth(next, fs) > width) {
        lines.push(cur);
        cur = word;
      } else cur = next;
    }
    lines.push(fitText(cur, width, fs));
  }
  return lines;
}

const num = (x: number) => String(Math.round(x * 10) / 10);
/** A pinned position; Graphviz's y axis points up. */
const pos = (x: number, y: number) => `pos="${num(x)},${num(-y)}!"`;
/** A Graphviz size in inches from points. */
const inch = (pt: number) => (pt / 72).toFixed(3);

export function sequenceChart(t: PlainTrace): SequenceChart {
  const sp = new Spelling(t);
  const lanes = lanesOf(t);
  const n = lanes.length;
  const generic = !t.steps.some((s) => s.event);
  const index = new Map(lanes.map((l, i) => [l.id, i]));
  const last = t.steps.length - 1;
  const marks = new Set<Mark>();
  const hi = t.violation?.kind === 'witness' ? COLORS.witness : COLORS.violation;
  const loop = t.loop !== undefined && t.loop !== null && t.loop < last ? t.loop : null;

  // ---------------------------------------------------------------- what each row holds
  const headers = lanes.map((l) => {
    const name = l.role && l.role !== l.id ? `${l.id} (${l.role})` : l.id;
    const start = nodeState(t.steps[0]!.state, l.id, generic);
    return { name, parts: generic ? [] : sp.nodeFields(l.id, start), full: generic ? name : `${name}\n${sp.nodeValue(l.id, start)}` };
  });

  const rows: Row[] = [];
  for (let k = 0; k <= last; k++) {
    const step = t.steps[k]!;
    const e = step.event;
    const action = k === 0 ? 'start' : (sp.action(step) ?? '');
    const inLoop = loop !== null && k > loop;
    const cells = new Map<number, Cell>();
    const active = activeNode(e) ?? (generic && k > 0 ? lanes[0]!.id : undefined);
    lanes.forEach((l, i) => {
      if (k === 0) {
        if (e && 'sends' in e && e.sends.some((m) => m.from === l.id)) cells.set(i, { kind: 'dot', lines: [], full: `${l.id} starts`, fill: '#222222', w: 5, h: 5 });
        return;
      }
      const before = nodeState(t.steps[k - 1]!.state, l.id, generic);
      const after = nodeState(step.state, l.id, generic);
      const changes = sp.changes(before, after, l.keyFields);
      const head = l.id === active ? eventHead(e, sp) : null;
      if (head) marks.add(head.mark);
      if (e?.kind === 'drop' && l.id === active) {
        cells.set(i, { kind: 'cross', lines: ['✕'], full: `✂ ${sp.message(e.message)} dropped by the network`, fill: 'none', w: 12, h: 12 });
        return;
      }
      const lost = e?.kind === 'crash' && l.id === active && e.lost.length ? [`✕ lost: ${e.lost.map((m) => m.type).join(', ')}`] : [];
      const lines = [...(head ? [head.text] : generic ? [action] : []), ...lost, ...changes];
      if (lines.length) {
        if (changes.length) marks.add('change');
        const full = [...(head ? [head.text] : generic ? [action] : []), ...(e?.kind === 'crash' ? e.lost.map((m) => `✕ lost: ${sp.message(m)}`) : []), ...changes].join('\n');
        cells.set(i, { kind: 'box', lines, full: `${l.id} at step ${k}\n${full}`, fill: head?.fill ?? '#ffffff', w: 0, h: 0 });
      } else if (l.id === active) cells.set(i, { kind: 'dot', lines: [], full: `${l.id} at step ${k}: no change`, fill: '#222222', w: 5, h: 5 });
    });
    if (k === last && t.violation) {
      const c = active !== undefined ? cells.get(index.get(active) ?? -1) : undefined;
      if (c) c.border = hi;
    }
    rows.push({ label: `${inLoop ? '↺ ' : ''}${k}  ${action}`, full: `step ${k}: ${action}`, cells, y: 0, up: 0, down: 0 });
  }

  // ---------------------------------------------------------------- messages: arrows and stubs
  const arrows: Arrow[] = [];
  const stubs: Stub[] = [];
  const pending = new Map<string, Send[]>();
  const copies = new Set<Send>();
  const lastSend = new Map<string, Send>();
  const lane = (id: string) => index.get(id) ?? 0;
  const take = (m: MessageInfo): Send | null => pending.get(m.key)?.shift() ?? null;
  for (let k = 0; k <= last; k++) {
    const e = t.steps[k]!.event;
    if (e?.kind === 'deliver') {
      const src = take(e.message);
      const from = src ?? lastSend.get(e.message.key);
      if (from) arrows.push({ from, row: k, lane: lane(e.message.to), kind: src ? (copies.has(src) ? 'copy' : 'deliver') : 'again', m: e.message });
    } else if (e?.kind === 'drop') {
      const src = take(e.message);
      if (src) arrows.push({ from: src, row: k, lane: lane(e.message.to), kind: 'drop', m: e.message });
    } else if (e?.kind === 'duplicate') {
      const q = pending.get(e.message.key);
      const orig = q?.[0];
      if (orig) {
        const copy = { ...orig };
        copies.add(copy);
        q!.push(copy);
      }
    } else if (e?.kind === 'crash') {
      for (const m of e.lost) {
        const src = take(m);
        if (src) arrows.push({ from: src, row: k, lane: lane(e.node), kind: 'lost', m });
      }
    }
    if (e && 'sends' in e)
      for (const m of e.sends) {
        if (m.lost) {
          stubs.push({ row: k, lane: lane(m.from), to: lane(m.to), kind: 'down', m });
          continue;
        }
        const p: Send = { row: k, lane: lane(m.from), m };
        const q = pending.get(m.key) ?? [];
        q.push(p);
        pending.set(m.key, q);
        lastSend.set(m.key, p);
      }
  }
  for (const q of pending.values()) for (const p of q) stubs.push({ row: p.row, lane: p.lane, to: lane(p.m.to), kind: 'inflight', m: p.m });
  stubs.sort((a, b) => a.row - b.row || a.lane - b.lane || a.to - b.to);

  // ---------------------------------------------------------------- widths
  const rowLabels = rows.map((r) => fitText(r.label, 200, FS.row));
  const stepW = Math.max(70, linesWidth(rowLabels, FS.row)) + 14;
  const boxLines = rows.flatMap((r) => [...r.cells.values()].flatMap((c) => c.lines));
  const want = Math.max(linesWidth(headers.map((h) => h.name), FS.head + 1), linesWidth(boxLines, FS.box) + 14, linesWidth(headers.flatMap((h) => h.parts), FS.box) + 12) + 18;
  const widest = n <= 2 ? 380 : 250;
  const laneW = Math.round(Math.max(LANE_MIN, Math.min(want, widest, (TARGET - stepW) / n)));
  const inner = laneW - 18;
  const x = (i: number) => stepW + laneW * (i + 0.5);
  const right = stepW + laneW * n;

  // Fit every box to its lane: at most 5 lines.
  for (const r of rows)
    for (const c of r.cells.values()) {
      if (c.kind !== 'box') continue;
      const fitted = c.lines.map((l) => fitText(l, inner - 10, FS.box));
      c.lines = fitted.length > 5 ? [...fitted.slice(0, 4), `… ${fitted.length - 4} more`] : fitted;
      c.w = Math.min(inner, linesWidth(c.lines, FS.box) + 12);
      c.h = c.lines.length * LINE(FS.box) + 8;
    }
  const headerLines = headers.map((h) => [fitText(h.name, inner - 10, FS.head), ...packLines(h.parts, inner - 10, FS.box, 3)]);
  const headerH = Math.max(...headerLines.map((ls) => LINE(FS.head) + (ls.length - 1) * LINE(FS.box) + 10));

  // ---------------------------------------------------------------- rows: where each sits
  const bands: { from: number; to: number; label: string; fill: string; line: string; mark: Mark }[] = [];
  t.steps.forEach((s, k) => {
    if (s.event?.kind === 'partition')
      bands.push({ from: k, to: last, label: 'partition: ' + s.event.sides.map((x) => x.join(' ')).join('  |  '), fill: COLORS.partition, line: COLORS.partitionLine, mark: 'partition' });
    if (s.event?.kind === 'heal') {
      const open = [...bands].reverse().find((b) => b.mark === 'partition' && b.to === last && b.from < k);
      if (open) open.to = k - 1;
    }
  });
  if (loop !== null) bands.push({ from: loop + 1, to: last, label: `↺ steps ${loop + 1}–${last} repeat forever (back to the state after step ${loop})`, fill: COLORS.lasso, line: COLORS.lassoLine, mark: 'lasso' });
  for (const b of bands) marks.add(b.mark);

  const top = 24;
  const headerY = top + headerH / 2;
  let cursor = top + headerH + 12;
  const half = (c: Cell | undefined) => (c ? { w: c.w / 2, h: c.h / 2 } : { w: 1, h: 1 });
  const cellAt = (row: number, i: number) => rows[row]!.cells.get(i);
  // Where each arrow's label goes: just under its end, on the side it comes from.
  const labelAt: { x: number; y: number; text: string }[] = [];
  const stubsOf = new Map<number, Stub[]>();
  for (const s of stubs) stubsOf.set(s.row, [...(stubsOf.get(s.row) ?? []), s]);
  rows.forEach((r, k) => {
    const opening = bands.filter((b) => b.from === k).length;
    const cells = [...r.cells.values()];
    r.up = Math.max(ROW_MIN / 2, ...cells.map((c) => c.h / 2));
    r.down = r.up;
    r.y = cursor + opening * 14 + r.up;
    // Stubs hang below their sender, one line each.
    const own = stubsOf.get(k) ?? [];
    own.forEach((s, j) => {
      const h = half(cellAt(k, s.lane));
      r.down = Math.max(r.down, h.h + 8 + (j + 1) * LINE(FS.msg) + 2);
    });
    cursor = r.y + r.down + ROW_GAP;
  });
  // Arrow ends and labels, now that every row has its place.
  const rowOf = (k: number) => rows[k]!;
  for (const a of arrows) {
    const tx = x(a.from.lane);
    const ty = rowOf(a.from.row).y;
    const hx = x(a.lane);
    const hy = rowOf(a.row).y;
    const h = half(cellAt(a.row, a.lane));
    const dx = hx - tx;
    const dy = hy - ty;
    const s = Math.min(dx === 0 ? Infinity : h.w / Math.abs(dx), dy === 0 ? Infinity : h.h / Math.abs(dy), 1);
    // Where the arrow meets its head's box.
    const end = { x: hx - dx * s, y: hy - dy * s };
    if (a.kind === 'lost') {
      labelAt.push({ x: 0, y: 0, text: '' });
      continue;
    }
    const suffix = a.kind === 'copy' ? ' (copy)' : a.kind === 'again' ? ' (again)' : a.kind === 'drop' ? ' ✂ dropped' : '';
    // The message shortened to the room there is; what kind of arrow it is is never cut.
    const fit = (room: number) => fitText(sp.short(a.m, 40), Math.max(50, Math.min(room, 230) - textWidth(suffix, FS.msg)), FS.msg) + suffix;
    const lh = LINE(FS.msg);
    if (dx >= 0) {
      const edge = dx === 0 ? hx + h.w + 3 : Math.min(end.x, hx - h.w) - 3;
      const text = fit(dx === 0 ? right - edge : edge - stepW);
      const w = textWidth(text, FS.msg);
      labelAt.push({ x: dx === 0 ? edge + w / 2 : edge - w / 2, y: (dx === 0 ? hy - h.h : end.y) + 2 + lh / 2, text });
    } else {
      const edge = Math.max(end.x, hx + h.w) + 3;
      const text = fit(right + 40 - edge);
      labelAt.push({ x: edge + textWidth(text, FS.msg) / 2, y: end.y + 2 + lh / 2, text });
    }
  }

  // ---------------------------------------------------------------- DOT
  const out: string[] = [];
  const w = (s: string) => out.push(s);
  const what = !t.violation ? '' : violationText(t.violation).head.replace(/^[✗★] /, ' — ');
  w('// Every position is pinned: draw it with neato -n2 (neato -n2 -Tsvg sequence.dot), not dot.');
  w('digraph {');
  w('  graph [splines=line, outputorder=edgesfirst, pad=0.15];');
  w('  node [fontname="Helvetica", fontsize=9, margin="0.06,0.03"];');
  w('  edge [fontname="Helvetica", fontsize=8.5, arrowsize=0.7];');
  w('');
  w('  // title, row labels and bands');
  const title = t.title + what;
  const titleText = fitText(title, Math.max(right, 400), FS.title);
  w(`  T [class="label", shape=plaintext, fontsize=${FS.title}, ${pos(textWidth(titleText, FS.title) / 2, 8)}, label=${dotString(titleText)}, tooltip=${dotString(title)}];`);
  bands.forEach((b, j) => {
    const y0 = rowOf(b.from).y - rowOf(b.from).up - 14 * (bands.filter((o) => o.from === b.from).indexOf(b) + 1) - 3;
    const y1 = rowOf(b.to).y + rowOf(b.to).down + 3;
    const x0 = stepW - 6;
    w(`  B${j} [class="band", shape=box, style=filled, fillcolor="${b.fill}", color="${b.line}", penwidth=0.6, fixedsize=true, label="", width=${inch(right - x0 + 4)}, height=${inch(y1 - y0)}, ${pos((x0 + right + 4) / 2, (y0 + y1) / 2)}, tooltip=${dotString(b.label)}];`);
    const text = fitText(b.label, right - x0 - 10, FS.msg + 0.5);
    w(`  BL${j} [class="label", shape=box, style=filled, fillcolor="#ffffffd9", color="none", margin="0.02,0.005", width=0.1, fontsize=${FS.msg + 0.5}, fontcolor="${b.line === COLORS.lassoLine ? COLORS.lassoLine : '#8a6100'}", height=0.15, ${pos(x0 + 6 + textWidth(text, FS.msg + 0.5) / 2, y0 + 8)}, label=${dotString(text)}, tooltip=${dotString(b.label)}];`);
  });
  rows.forEach((r, k) => {
    const bad = k === last && t.violation !== null;
    const text = rowLabels[k]!;
    w(`  L${k} [class="label", shape=plaintext, fontsize=${FS.row}, height=0.15, ${pos(textWidth(text, FS.row) / 2 + 2, r.y)}, label=${dotString(text)}, tooltip=${dotString(r.full)}${bad ? `, fontcolor="${hi}", fontname="Helvetica-Bold"` : ''}];`);
  });
  if (loop !== null) {
    // The lasso's way back: from the last row up to the first row of the cycle, in the margin.
    const y0 = rowOf(loop + 1).y;
    const y1 = rowOf(last).y;
    w(`  LA [class="point", shape=point, width=0.01, style=invis, ${pos(-8, y1)}, tooltip="↺ back"];`);
    w(`  LB [class="point", shape=point, width=0.01, style=invis, ${pos(-8, y0)}, tooltip="↺ back"];`);
  }
  w('');
  w('  // lifelines: a header box, then one node per step');
  lanes.forEach((_, i) => {
    const lines = headerLines[i]!;
    w(`  h${i} [class="header", shape=box, style="rounded,filled", fillcolor="#eef2f6", color="#9aa5b1", fontsize=${FS.head}, width=${inch(inner)}, height=${inch(headerH)}, fixedsize=true, ${pos(x(i), headerY)}, label=${dotString(lines.join('\n'))}, tooltip=${dotString(headers[i]!.full)}];`);
  });
  rows.forEach((r, k) => {
    lanes.forEach((l, i) => {
      const c = r.cells.get(i);
      const id = `n${k}_${i}`;
      const at = pos(x(i), r.y);
      if (!c) w(`  ${id} [class="point", shape=point, width=0.01, style=invis, ${at}, tooltip=${dotString(`${l.id} at step ${k}`)}];`);
      else if (c.kind === 'dot') w(`  ${id} [class="mark", shape=point, width=0.07, color="${c.border ?? '#222222'}", ${at}, tooltip=${dotString(c.full)}];`);
      else if (c.kind === 'cross')
        w(`  ${id} [class="mark", shape=plaintext, fontsize=14, fontcolor="${COLORS.lost}", width=0.17, height=0.17, fixedsize=true, ${at}, label="✕", tooltip=${dotString(c.full)}];`);
      else {
        const edge = c.border ? `, color="${c.border}", penwidth=2` : ', color="#55606b"';
        w(`  ${id} [class="mark", shape=box, style="rounded,filled", fillcolor="${c.fill}", fontsize=${FS.box}, width=${inch(c.w)}, height=${inch(c.h)}, ${at}, label=${dotString(c.lines.join('\n'))}, tooltip=${dotString(c.full)}${edge}];`);
      }
    });
  });
  if (t.violation) {
    marks.add(t.violation.kind === 'witness' ? 'witness' : 'violation');
    const v = violationText(t.violation);
    const width = Math.max(right - stepW, 300);
    const lines = [fitText(v.head, width, FS.box + 1), ...(v.body ? wrap(v.body, width, FS.box) : [])];
    const h = LINE(FS.box + 1) + (lines.length - 1) * LINE(FS.box) + 10;
    const wide = linesWidth(lines, FS.box + 1) + 16;
    const fill = t.violation.kind === 'witness' ? '#e6f4ea' : '#fde2e2';
    w(
      `  V [class="label", shape=note, style=filled, fillcolor="${fill}", color="${hi}", fontcolor="${hi}", fontsize=${FS.box}, width=${inch(wide)}, height=${inch(h)}, ${pos(stepW + wide / 2, cursor + 6 + h / 2)}, label=${dotLines(lines)}, tooltip=${dotString(`${v.head}\n${v.body}`.trim())}];`,
    );
  }

  // Arrow labels and stub ends.
  arrows.forEach((a, j) => {
    const l = labelAt[j]!;
    if (!l.text) return;
    const color = a.kind === 'copy' ? COLORS.copy : a.kind === 'drop' ? COLORS.lost : COLORS.message;
    w(`  ML${j} [class="label", shape=box, style=filled, fillcolor="#ffffffd9", color="none", fontsize=${FS.msg}, fontcolor="${color}", margin="0.02,0.005", height=0.12, width=0.1, ${pos(l.x, l.y)}, label=${dotString(l.text)}, tooltip=${dotString(arrowTitle(a))}];`);
  });
  const stubIndex = new Map<number, number>();
  stubs.forEach((s, j) => {
    const k = stubIndex.get(s.row) ?? 0;
    stubIndex.set(s.row, k + 1);
    const h = half(cellAt(s.row, s.lane));
    const dir = s.to > s.lane || (s.to === s.lane && s.lane < n - 1) ? 1 : -1;
    const end = { x: x(s.lane) + dir * (h.w + 20), y: rowOf(s.row).y + h.h + 8 + (k + 0.5) * LINE(FS.msg) };
    const room = dir > 0 ? right + 60 - end.x : end.x - stepW;
    const text = fitText(`${sp.short(s.m, 34)} → ${s.m.to}${s.kind === 'down' ? ' ✕ down' : ' (in flight)'}`, Math.max(60, Math.min(room, 250)), FS.msg);
    const tw = textWidth(text, FS.msg);
    const color = s.kind === 'down' ? COLORS.lost : COLORS.inflight;
    w(`  S${j} [class="point", shape=point, width=0.01, style=invis, ${pos(end.x, end.y)}, tooltip=${dotString(stubTitle(s, sp))}];`);
    w(`  SL${j} [class="label", shape=box, style=filled, fillcolor="#ffffffd9", color="none", fontsize=${FS.msg}, fontcolor="${color}", height=0.12, width=0.1, margin="0.02,0.005", ${pos(end.x + dir * (tw / 2 + 4), end.y)}, label=${dotString(text)}, tooltip=${dotString(stubTitle(s, sp))}];`);
    marks.add(s.kind === 'down' ? 'lost' : 'inflight');
  });

  w('');
  w('  // lifelines, dashed while the node is down');
  const down = new Set<string>();
  const segs: string[] = [];
  lanes.forEach((l, i) => segs.push(`  h${i} -> n0_${i} [class="lifeline", arrowhead=none, headclip=false, tailclip=false, penwidth=1.3, color="${COLORS.line}", tooltip=${dotString(`${l.id}'s lifeline`)}];`));
  for (let k = 0; k < last; k++) {
    const e = t.steps[k]!.event;
    if (e?.kind === 'crash') down.add(e.node);
    if (e?.kind === 'restart') down.delete(e.node);
    lanes.forEach((l, i) => {
      const off = down.has(l.id);
      if (off) marks.add('down');
      segs.push(
        `  n${k}_${i} -> n${k + 1}_${i} [class="lifeline", arrowhead=none, headclip=false, tailclip=false, ${off ? `style=dashed, color="${COLORS.down}"` : `penwidth=1.3, color="${COLORS.line}"`}, tooltip=${dotString(off ? `${l.id} is down (steps ${k}–${k + 1})` : `${l.id}'s lifeline`)}];`,
      );
    });
  }
  for (const s of segs) w(s);
  if (loop !== null) w(`  LA -> LB [class="lasso", color="${COLORS.lassoLine}", penwidth=1.2, arrowsize=0.6, tooltip=${dotString(`↺ after step ${last} the trace returns to the state after step ${loop}`)}];`);
  w('');
  w('  // messages: straight from the step that sent them to the step that delivered them');
  arrows.forEach((a, j) => {
    const from = `n${a.from.row}_${a.from.lane}`;
    const to = `n${a.row}_${a.lane}`;
    const style =
      a.kind === 'lost'
        ? `color="${COLORS.lost}", style=dashed, arrowhead=tee`
        : a.kind === 'drop'
          ? `color="${COLORS.lost}", style=dashed, arrowhead=none`
          : a.kind === 'copy'
            ? `color="${COLORS.copy}"`
            : `color="${COLORS.message}"${a.kind === 'again' ? ', style=dashed' : ''}`;
    marks.add(a.kind === 'deliver' ? 'message' : a.kind === 'drop' ? 'dropped' : a.kind);
    w(`  ${from} -> ${to} [id="m${j}", class="message", ${style}, tooltip=${dotString(arrowTitle(a))}];`);
  });
  stubs.forEach((s, j) => {
    const style = s.kind === 'down' ? `color="${COLORS.lost}", style=dashed, arrowhead=tee` : `color="${COLORS.inflight}", style=dashed, arrowhead=empty`;
    w(`  n${s.row}_${s.lane} -> S${j} [id="s${j}", class="message stub", ${style}, tooltip=${dotString(stubTitle(s, sp))}];`);
  });
  w('}');
  return { dot: out.join('\n') + '\n', marks };

  function arrowTitle(a: Arrow): string {
    const m = sp.message(a.m);
    const sent = `sent at step ${a.from.row}`;
    switch (a.kind) {
      case 'deliver':
        return `${m}\n${sent}, delivered at step ${a.row}`;
      case 'copy':
        return `${m} (a copy made by the network)\n${sent}, delivered at step ${a.row}`;
      case 'again':
        return `${m} (delivered again)\n${sent}, delivered again at step ${a.row}`;
      case 'drop':
        return `${m}\n${sent}, dropped by the network at step ${a.row}`;
      case 'lost':
        return `${m}\n${sent}, lost when ${a.m.to} crashed at step ${a.row}`;
    }
  }
}

function stubTitle(s: Stub, sp: Spelling): string {
  return s.kind === 'down' ? `${sp.message(s.m)}\nsent at step ${s.row} to ${s.m.to}, which was down: lost` : `${sp.message(s.m)}\nsent at step ${s.row}, still in flight at the end`;
}

/** A DOT string of left-justified lines. */
function dotLines(lines: readonly string[]): string {
  return '"' + lines.map((l) => dotString(l).slice(1, -1)).join('\\l') + '\\l"';
}

/** The chart's layers, bottom first (svg.ts, inLayers): messages cross boxes, labels sit on messages. */
export const LAYERS = ['band', 'lifeline', 'point', 'header', 'mark', 'message', 'lasso', 'label'];

/** The chart's DOT alone. */
export function sequenceDot(t: PlainTrace): string {
  return sequenceChart(t).dot;
}
