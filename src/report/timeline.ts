/**
 * The client history of a trace as a Jepsen-style timeline: one lane per client (process), time
 * flowing right in steps, each operation a bar from the step it was invoked at to the step it
 * completed at; a pending operation (never completed) is open-ended, a failed one (certainly not
 * applied) hatched. When the trace breaks linearizability, the operation the explanation says
 * cannot be placed is marked, and the order the checker found before it is numbered.
 *
 * A history is what message-passing models record (`ctx.invoke`, `ok`, `fail`; docs/actors.md): a
 * `history` field of the state holding `{process, type, f, value}` events, appended to step by
 * step. Written as SVG directly (a few rectangles need no layout).
 */
import type { Plain } from '../model/values.js';
import { fitText } from './measure.js';
import { escapeHtml as x, type PlainTrace } from './trace.js';

export interface Operation {
  readonly process: string;
  readonly f: string;
  readonly input: Plain;
  /** The completion's value: undefined while pending. */
  output?: Plain;
  /** The step it was invoked at, and the step it completed at (null: pending). */
  readonly call: number;
  ret: number | null;
  /** How it completed: ok, fail, or null while pending. */
  type: 'ok' | 'fail' | null;
}

interface Event {
  readonly process: string;
  readonly type: string;
  readonly f: string;
  readonly value: Plain;
}

const isEvent = (p: Plain): p is { [k: string]: Plain } & Event =>
  typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p.process === 'string' && typeof p.f === 'string' && ['invoke', 'ok', 'fail'].includes(p.type as string);

/** The history of a step's state, if the state has one. */
function historyAt(state: Plain): Event[] | null {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return null;
  const h = state.history;
  return Array.isArray(h) && h.every(isEvent) ? (h as unknown as Event[]) : null;
}

/** The operations of a trace's history, with the step of each invocation and completion; null without a history. */
export function operationsOf(t: PlainTrace): Operation[] | null {
  const ops: Operation[] = [];
  const open = new Map<string, Operation>();
  let seen = 0;
  let any = false;
  for (let k = 0; k < t.steps.length; k++) {
    const h = historyAt(t.steps[k]!.state);
    if (h === null) return null;
    // A history only grows; one that shrank (a hand-edited trace) is read from its start again.
    const fresh = h.length >= seen ? h.slice(seen) : h;
    seen = h.length;
    for (const e of fresh) {
      any = true;
      if (e.type === 'invoke') {
        const op: Operation = { process: e.process, f: e.f, input: e.value, call: k, ret: null, type: null };
        ops.push(op);
        open.set(e.process, op);
      } else {
        const op = open.get(e.process);
        if (!op) continue;
        op.ret = k;
        op.output = e.value;
        op.type = e.type === 'ok' ? 'ok' : 'fail';
        open.delete(e.process);
      }
    }
  }
  return any ? ops : null;
}

const json = (v: Plain | undefined) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** An operation as a bar's label: `write 1`, `read → 1`, `cas [1,2] → true`. */
export function opText(op: Operation): string {
  const input = op.input === null ? '' : ` ${json(op.input)}`;
  const output = op.type === 'ok' && op.output !== null && op.output !== undefined ? ` → ${json(op.output)}` : '';
  return `${op.f}${input}${output}${op.type === 'fail' ? ' ✗ failed' : op.type === null ? ' (pending)' : ''}`;
}

/**
 * Which operations a linearizability explanation names: the order found (`after A, B, C`) and the
 * one that cannot be placed. Matched by client and function, then by the values the text shows.
 */
export function namedOperations(ops: readonly Operation[], explanation: string | null): { order: Operation[]; stuck: Operation | null } {
  const m = explanation ? /(?:after (.*), )?(?:no operation can come first, )?([^,]*?) cannot be placed/.exec(explanation) : null;
  if (!m) return { order: [], stuck: null };
  const used = new Set<Operation>();
  const find = (text: string): Operation | null => {
    let best: Operation | null = null;
    let score = -1;
    for (const op of ops) {
      if (used.has(op) || !(text === `${op.process} ${op.f}` || text.startsWith(`${op.process} ${op.f} `))) continue;
      const rest = text.slice(op.process.length + op.f.length + 1);
      let s = 0;
      if (op.output !== undefined && op.output !== null && rest.includes(JSON.stringify(op.output))) s += 2;
      if (op.input !== null && rest.includes(JSON.stringify(op.input))) s += 2;
      if (rest.includes('(pending)') === (op.type === null)) s += 1;
      if (s > score) [best, score] = [op, s];
    }
    if (best) used.add(best);
    return best;
  };
  const order = (m[1] ? m[1].split(', ') : []).map(find).filter((o): o is Operation => o !== null);
  return { order, stuck: find(m[2]!.replace(/^no operation can come first, /, '')) };
}

const PX = { font: 11, row: 30, bar: 18, left: 70, top: 44, step: 46 };

/**
 * The timeline as a standalone SVG, or null when the trace has no history. `width` is the most it
 * may take (it shrinks the step spacing, never the text).
 */
export function timelineSvg(t: PlainTrace, width = 1150): string | null {
  const ops = operationsOf(t);
  if (!ops) return null;
  const last = t.steps.length - 1;
  const lin = t.violation && /not linearizable/.test(t.violation.explanation ?? '') ? namedOperations(ops, t.violation.explanation) : { order: [], stuck: null };
  const processes = [...new Set(ops.map((o) => o.process))];
  // Lanes: a client's operations follow one another, except a pending one, which lasts to the end.
  const lanes: { process: string; busyUntil: number }[] = [];
  const laneOf = new Map<Operation, number>();
  for (const p of processes)
    for (const op of ops.filter((o) => o.process === p)) {
      let i = lanes.findIndex((l) => l.process === p && l.busyUntil <= op.call);
      if (i < 0) {
        const after = lanes.map((l) => l.process).lastIndexOf(p);
        i = after < 0 ? lanes.length : after + 1;
        lanes.splice(i, 0, { process: p, busyUntil: -1 });
        for (const [o, j] of laneOf) if (j >= i) laneOf.set(o, j + 1);
      }
      lanes[i]!.busyUntil = op.ret ?? Infinity;
      laneOf.set(op, i);
    }
  const step = Math.max(14, Math.min(PX.step, (width - PX.left - 60) / Math.max(1, last + 1)));
  const xAt = (k: number) => PX.left + 16 + k * step;
  const end = xAt(last) + 28;
  const w = Math.ceil(end + 12);
  const h = PX.top + lanes.length * PX.row + 16;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="${PX.font}">`);
  out.push(`<title>${x(`client operations of ${t.title}: one lane per client, each operation from its invocation to its completion`)}</title>`);
  out.push('<defs><pattern id="failed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef1f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b8c2cc" stroke-width="2"/></pattern>');
  out.push('<linearGradient id="pending"><stop offset="0.6" stop-color="#e7f1ff"/><stop offset="1" stop-color="#e7f1ff" stop-opacity="0"/></linearGradient></defs>');
  // The step axis: a tick and a faint line per step (labelled every few when they are dense).
  const every = step >= 22 ? 1 : step >= 11 ? 2 : 5;
  out.push(`<text x="8" y="14" font-weight="bold">${x(fitText(`${t.title} — client operations`, w - 16, PX.font))}</text>`);
  out.push(`<text x="8" y="${PX.top - 14}" fill="#5f6b7a">step</text>`);
  for (let k = 0; k <= last; k++) {
    const xk = xAt(k);
    out.push(`<line x1="${xk}" y1="${PX.top - 8}" x2="${xk}" y2="${h - 10}" stroke="#eef1f4"><title>${x(`step ${k}: ${t.steps[k]!.action ?? 'start'}`)}</title></line>`);
    if (k % every === 0 || k === last) out.push(`<text x="${xk}" y="${PX.top - 14}" text-anchor="middle" fill="#5f6b7a">${k}</text>`);
  }
  lanes.forEach((l, i) => {
    const y = PX.top + i * PX.row;
    if (i === 0 || lanes[i - 1]!.process !== l.process) out.push(`<text x="8" y="${y + PX.row / 2 + 4}" font-weight="bold">${x(l.process)}</text>`);
    out.push(`<line x1="${PX.left}" y1="${y + PX.row}" x2="${end}" y2="${y + PX.row}" stroke="#f3f5f7"/>`);
  });
  for (const op of ops) {
    const y = PX.top + laneOf.get(op)! * PX.row + (PX.row - PX.bar) / 2;
    // From its invocation to its completion; one that completes at the step it was invoked at is a short bar around it.
    const x0 = op.ret === op.call ? xAt(op.call) - 6 : xAt(op.call) + 1;
    const x1 = op.ret === null ? end : op.ret === op.call ? xAt(op.call) + 6 : xAt(op.ret) - 1;
    const bad = op === lin.stuck;
    const n = lin.order.indexOf(op);
    const fill = op.type === 'fail' ? 'url(#failed)' : op.type === null ? 'url(#pending)' : bad ? '#fde2e2' : '#e7f1ff';
    const stroke = bad ? '#c0392b' : op.type === 'fail' ? '#9aa5b1' : '#1f4e79';
    const when = `invoked at step ${op.call}, ${op.ret === null ? 'never completed (pending: it may have taken effect at any later time, or never)' : `${op.type === 'ok' ? 'completed' : 'failed'} at step ${op.ret}`}`;
    const title = `${op.process} ${opText(op)}\n${when}${bad ? '\ncannot be linearized: ' + (t.violation?.explanation ?? '') : n >= 0 ? `\nposition ${n + 1} in the order the checker found before it got stuck` : ''}`;
    out.push(`<g class="op${bad ? ' stuck' : ''}${op.type === null ? ' pending' : ''}"><title>${x(title)}</title>`);
    if (op.type === null) {
      // Open-ended: no right side, the fill fading out.
      out.push(`<rect x="${x0}" y="${y}" width="${x1 - x0}" height="${PX.bar}" fill="${fill}" stroke="none"/>`);
      out.push(`<path d="M${x1},${y} H${x0} V${y + PX.bar} H${x1}" fill="none" stroke="${stroke}" stroke-dasharray="4 3"/>`);
    } else out.push(`<rect x="${x0}" y="${y}" width="${x1 - x0}" height="${PX.bar}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${bad ? 2 : 1}"/>`);
    const label = `${bad ? '✗ ' : n >= 0 ? `${n + 1}. ` : ''}${opText(op)}`;
    // The label may run past a short bar, up to the next operation in its lane.
    const next = ops.filter((o) => laneOf.get(o) === laneOf.get(op) && o.call > op.call).map((o) => xAt(o.call))[0] ?? w;
    const room = Math.max(x1 - x0 - 8, next - x0 - 12, 40);
    out.push(`<text x="${x0 + 5}" y="${y + PX.bar / 2 + 4}" fill="${bad ? '#c0392b' : '#1d2731'}"${bad ? ' font-weight="bold"' : ''}>${x(fitText(label, room, PX.font))}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
