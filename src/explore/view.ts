/**
 * What the explorer's page shows of one state, as plain JSON: for a message-passing world one card
 * per node (role, fields, up or down, armed timers), the messages in flight, the partition and the
 * fault budgets left; for any other model one card with the state. Built from the plain state and
 * the trace's events only (as the reports are), every value in the reports' spelling.
 */
import type { NodeInfo } from '../model/trace.js';
import type { Plain } from '../model/values.js';
import { messageOf, type Spelling } from '../report/spell.js';

/** One field of a card: `term: 1`. */
export interface FieldView {
  readonly name: string;
  /** The value as the reports spell it. */
  readonly value: string;
  /** A key field of the role (shown first). */
  readonly key: boolean;
  /** Lost on a crash (a volatile field, or a durable one the variant forgets); false: durable. */
  readonly volatile: boolean;
  /** Changed by the step that led here. */
  readonly changed: boolean;
}

export interface NodeView {
  readonly id: string;
  readonly role: string;
  readonly up: boolean;
  readonly fields: readonly FieldView[];
  /** The node's armed timers, by name. */
  readonly timers: readonly string[];
  /** Its state, timers or up/down changed at the step that led here. */
  readonly changed: boolean;
}

/** A message in flight. */
export interface InFlightView {
  /** `client→server Inc {id: 1}`. */
  readonly text: string;
  readonly from: string;
  readonly to: string;
  /** Copies in flight (a duplicating or unordered network keeps a count). */
  readonly count: number;
  /** Held up by the partition in force: it waits for the heal. */
  readonly held: boolean;
}

export interface BudgetView {
  readonly kind: string;
  readonly left: number;
  readonly total: number;
}

/** A message-passing world. */
export interface ActorsView {
  readonly kind: 'actors';
  readonly nodes: readonly NodeView[];
  readonly inFlight: readonly InFlightView[];
  /** The two sides of the partition in force, or null. */
  readonly partition: readonly [readonly string[], readonly string[]] | null;
  readonly budgets: readonly BudgetView[];
  /** The world's other parts that hold something (ghost variables, the client history). */
  readonly other: readonly FieldView[];
}

/** Any other model's state: one card, a line per field. */
export interface PlainView {
  readonly kind: 'plain';
  readonly fields: readonly FieldView[];
}

export type StateView = ActorsView | PlainView;

type Obj = { [k: string]: Plain };
const isObj = (p: Plain | undefined): p is Obj => typeof p === 'object' && p !== null && !Array.isArray(p);
const same = (a: Plain | undefined, b: Plain | undefined) => JSON.stringify(a) === JSON.stringify(b);
const strings = (p: Plain | undefined): string[] => (Array.isArray(p) ? p.filter((x): x is string => typeof x === 'string') : []);

/**
 * The view of `state` (reached from `before`, null at the start) in a system whose nodes the
 * trace's first event lists; `budgets` are the run's fault budgets (what the view says is left of).
 */
export function stateView(state: Plain, before: Plain | null, nodes: readonly NodeInfo[] | undefined, sp: Spelling, budgets: Readonly<Record<string, number>>): StateView {
  if (nodes?.length && isObj(state) && isObj(state.nodes)) return actorsView(state, before, nodes, sp, budgets);
  const prev = isObj(before) ? before : null;
  if (!isObj(state)) return { kind: 'plain', fields: [{ name: 'state', value: sp.value(state), key: false, volatile: false, changed: before !== null && !same(before, state) }] };
  return {
    kind: 'plain',
    fields: Object.entries(state).map(([name, v]) => ({ name, value: sp.value(v), key: false, volatile: false, changed: prev !== null && !same(prev[name], v) })),
  };
}

function actorsView(w: Obj, before: Plain | null, infos: readonly NodeInfo[], sp: Spelling, totals: Readonly<Record<string, number>>): ActorsView {
  const prev = isObj(before) ? before : null;
  const nodes = w.nodes as Obj;
  const prevNodes = prev && isObj(prev.nodes) ? prev.nodes : null;
  const down = new Set(strings(w.down));
  const timers = strings(w.timers);
  const prevDown = new Set(strings(prev?.down));
  const prevTimers = strings(prev?.timers);
  const timersOf = (list: readonly string[], id: string) => list.filter((t) => t.startsWith(id + '/')).map((t) => t.slice(id.length + 1));
  const cards = infos.map((n): NodeView => {
    const s = nodes[n.id] ?? null;
    const p = prevNodes ? (prevNodes[n.id] ?? null) : null;
    const keys = n.keyFields ?? [];
    const lost = new Set(n.volatile ?? []);
    const entries = isObj(s) ? Object.entries(s) : [['state', s] as [string, Plain]];
    const ordered = [...keys.flatMap((k) => entries.filter(([e]) => e === k)), ...entries.filter(([k]) => !keys.includes(k))];
    const fields = ordered.map(([name, v]) => ({
      name,
      value: sp.value(v),
      key: keys.includes(name),
      volatile: lost.has(name),
      changed: prev !== null && !same(isObj(p) ? p[name] : p, v),
    }));
    const mine = timersOf(timers, n.id);
    const changed = prev !== null && (!same(p, s) || prevDown.has(n.id) !== down.has(n.id) || !same(timersOf(prevTimers, n.id), mine));
    return { id: n.id, role: n.role, up: !down.has(n.id), fields, timers: mine, changed };
  });
  const partition = cutSides(w.cut);
  const heldUp = (from: string, to: string) => partition !== null && partition[0].includes(from) !== partition[0].includes(to);
  const inFlight: InFlightView[] = [];
  if (isObj(w.net))
    for (const [k, v] of Object.entries(w.net)) {
      // Unordered and duplicating networks: message key → copies; FIFO: channel `a→b` → its queue.
      const keys = Array.isArray(v) ? strings(v) : [k];
      const count = typeof v === 'number' ? v : 1;
      for (const key of keys) {
        const m = messageOf(key);
        if (!m) continue;
        inFlight.push({ text: sp.value(key), from: m.from, to: m.to, count, held: heldUp(m.from, m.to) });
      }
    }
  const left = isObj(w.budget) ? w.budget : {};
  const budgets = Object.entries(totals)
    .filter(([, total]) => total > 0)
    .map(([kind, total]) => ({ kind, total, left: typeof left[kind] === 'number' ? left[kind] : 0 }));
  const empty = (v: Plain | undefined) => v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
  const known = new Set(['nodes', 'down', 'timers', 'net', 'cut', 'budget']);
  const other = Object.entries(w)
    .filter(([k, v]) => !known.has(k) && !empty(v))
    .map(([name, v]) => ({ name, value: sp.value(v), key: false, volatile: false, changed: prev !== null && !same(prev[name], v) }));
  return { kind: 'actors', nodes: cards, inFlight, partition, budgets, other };
}

/** The partition as the world writes it (`a,b|c,d`), as its two sides. */
function cutSides(cut: Plain | undefined): [string[], string[]] | null {
  if (typeof cut !== 'string' || !cut.includes('|')) return null;
  const [a, b] = cut.split('|') as [string, string];
  return [a.split(',').filter(Boolean), b.split(',').filter(Boolean)];
}
