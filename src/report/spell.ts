/**
 * One human spelling of a trace's messages, steps and values, for every report: the chart, the
 * step table, the text trace and `--json`. A message is `s1→s2 RequestVote {term: 1, lastIndex: 0,
 * lastTerm: 0}`: its sender's key fields first (a role's `keyFields`, carried by the trace's first
 * event), then the others in name order. The canonical key a message-passing model keeps inside the
 * engine (`s1→s2 RequestVote {"lastIndex":0,...}`) is never shown: wherever a state holds one (the
 * network), the message's spelling stands in its place.
 */
import { parseMessageKey as parseKey } from '../actors/codec.js';
import type { MessageInfo, TraceEvent } from '../model/trace.js';
import type { Plain } from '../model/values.js';
import { diffPlain } from './diff.js';
import { clip } from './trace.js';

/** What the spelling of a trace needs: its steps' events and states. */
export interface SpelledTrace {
  readonly steps: readonly { readonly action: string | null; readonly state: Plain; readonly event?: TraceEvent }[];
}

const BARE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;
const isObj = (p: Plain): p is { [k: string]: Plain } => typeof p === 'object' && p !== null && !Array.isArray(p);

/** Every message an event names (sent, delivered, lost, copied). */
export function messagesOf(e: TraceEvent | undefined): readonly MessageInfo[] {
  if (!e) return [];
  const out: MessageInfo[] = [];
  if ('message' in e) out.push(e.message);
  if ('sends' in e) out.push(...e.sends);
  if (e.kind === 'crash') out.push(...e.lost);
  return out;
}

/** The message a canonical key found in a state names (its sender, receiver, type and body), or null. */
export function messageOf(key: string): MessageInfo | null {
  return parseKey(key);
}

/** A step's label with its handler's choices, as the engine writes them: `label [yes, 2]`. */
function withChoices(label: string, e: TraceEvent): string {
  const choices = 'choices' in e ? e.choices : undefined;
  return choices?.length ? `${label} [${choices.join(', ')}]` : label;
}

export class Spelling {
  /** Key fields by node id. */
  private readonly keys = new Map<string, readonly string[]>();
  /** A message's spelling by its canonical key. */
  private readonly byKey = new Map<string, string>();
  /** Per message type: the fields whose value differs between two of the trace's messages. */
  private readonly varying = new Map<string, Set<string>>();

  constructor(t: SpelledTrace) {
    const first = t.steps[0]?.event;
    if (first?.kind === 'init') for (const n of first.nodes ?? []) if (n.keyFields?.length) this.keys.set(n.id, n.keyFields);
    const seen = new Map<string, Map<string, string>>();
    for (const s of t.steps)
      for (const m of messagesOf(s.event)) {
        if (typeof m.key === 'string') this.byKey.set(m.key, this.message(m));
        let fields = seen.get(m.type);
        if (!fields) seen.set(m.type, (fields = new Map()));
        let vary = this.varying.get(m.type);
        if (!vary) this.varying.set(m.type, (vary = new Set()));
        for (const [f, v] of Object.entries(m.body ?? {})) {
          const text = JSON.stringify(v);
          const before = fields.get(f);
          if (before === undefined) fields.set(f, text);
          else if (before !== text) vary.add(f);
        }
      }
  }

  /** The key fields of a node's state and of the messages it sends. */
  keyFieldsOf(node: string): readonly string[] {
    return this.keys.get(node) ?? [];
  }

  /** The fields of a message's body in the order they are shown: key fields first. */
  private fields(m: MessageInfo): [string, Plain][] {
    return ordered(Object.entries((m.body ?? {}) as { [k: string]: Plain }), this.keyFieldsOf(m.from));
  }

  /** `RequestVote {term: 1, lastIndex: 0, lastTerm: 0}`. */
  body(m: MessageInfo): string {
    const f = this.fields(m);
    return f.length ? `${m.type} {${f.map(([k, v]) => `${field(k)}: ${this.value(v)}`).join(', ')}}` : m.type;
  }

  /** `s1→s2 RequestVote {term: 1, lastIndex: 0, lastTerm: 0}`: the whole message. */
  message(m: MessageInfo): string {
    return `${m.from}→${m.to} ${this.body(m)}`;
  }

  /**
   * The message's type and as many fields as fit in `max` characters: the sender's key fields
   * always, then the fields that differ between the trace's messages of this type, then the
   * rest; a field left out shows as `…`.
   */
  short(m: MessageInfo, max: number): string {
    const f = this.fields(m);
    if (f.length === 0) return m.type;
    const keys = this.keyFieldsOf(m.from);
    const vary = this.varying.get(m.type) ?? new Set<string>();
    const rank = (k: string) => (keys.includes(k) ? 0 : vary.has(k) ? 1 : 2);
    const shown = new Set<string>();
    const text = (cut: boolean) => {
      const parts = f.filter(([k]) => shown.has(k)).map(([k, v]) => `${field(k)}: ${clip(this.value(v), 24)}`);
      return `${m.type} {${parts.join(', ')}${cut ? (parts.length ? ', …' : '…') : ''}}`;
    };
    for (const [k] of [...f].sort((a, b) => rank(a[0]) - rank(b[0]))) {
      shown.add(k);
      if (rank(k) > 0 && text(shown.size < f.length).length > max) {
        shown.delete(k);
        break;
      }
    }
    return text(shown.size < f.length);
  }

  /** A step's label as people read it: a delivery (or a lost or copied message) spelled out. */
  action(step: { readonly action: string | null; readonly event?: TraceEvent }): string | null {
    const e = step.event;
    if (e?.kind === 'deliver') return withChoices(this.message(e.message), e);
    if (e?.kind === 'drop' || e?.kind === 'duplicate') return `${e.kind} ${this.message(e.message)}`;
    return step.action === null ? null : this.label(step.action);
  }

  /**
   * An engine's step label with any message key in it spelled out: `s1→s2 RequestVote {...}`,
   * `drop s1→s2 ...`, and a handler's choices after it (`... [yes]`).
   */
  label(text: string): string {
    if (!text.includes('→')) return text;
    const fault = /^(drop |duplicate )/.exec(text)?.[1] ?? '';
    let rest = text.slice(fault.length);
    let choices = '';
    const known = this.byKey.get(rest) ?? (parseKey(rest) ? this.keyText(rest) : undefined);
    if (known === undefined && rest.endsWith(']') && rest.includes(' [')) {
      choices = rest.slice(rest.lastIndexOf(' ['));
      rest = rest.slice(0, rest.lastIndexOf(' ['));
    }
    const m = known ?? this.keyText(rest);
    return m === undefined ? text : fault + m + choices;
  }

  /** The spelling of a canonical key, whether or not the trace's events name the message. */
  private keyText(key: string): string | undefined {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const m = parseKey(key);
    if (!m) return undefined;
    const text = this.message(m);
    this.byKey.set(key, text);
    return text;
  }

  /** A value as `showPlain` writes it, with each message key spelled out (and shown bare). */
  value(p: Plain): string {
    if (p === null) return 'null';
    if (typeof p === 'string') {
      const m = p.includes('→') ? this.keyText(p) : undefined;
      if (m !== undefined) return m;
      return BARE.test(p) && p !== 'null' && p !== 'true' && p !== 'false' ? p : JSON.stringify(p);
    }
    if (typeof p !== 'object') return String(p);
    if (Array.isArray(p)) return `[${p.map((x) => this.value(x)).join(', ')}]`;
    return `{${Object.entries(p)
      .map(([k, v]) => `${(k.includes('→') ? this.keyText(k) : undefined) ?? field(k)}: ${this.value(v)}`)
      .join(', ')}}`;
  }

  /** A node's state with its key fields first. */
  nodeValue(node: string, p: Plain): string {
    return isObj(p) ? `{${this.nodeFields(node, p).join(', ')}}` : this.value(p);
  }

  /** A node's state field by field, `term: 1`, key fields first (nothing for a state that is not a record). */
  nodeFields(node: string, p: Plain): string[] {
    return isObj(p) ? ordered(Object.entries(p), this.keyFieldsOf(node)).map(([k, v]) => `${field(k)}: ${this.value(v)}`) : [];
  }

  /** A path of a change, with message keys in it spelled out. */
  path(path: string): string {
    if (!path.includes('→')) return path;
    let out = path;
    for (const [k, m] of this.byKey) if (out.includes(k)) out = out.split(k).join(m);
    return out;
  }

  /** One line per change between two values: `term: 0 → 1`, `votes: + s2`; `keyFields` first. */
  changes(before: Plain, after: Plain, keyFields: readonly string[] = []): string[] {
    const rank = (path: string) => {
      const i = keyFields.indexOf(path.split(/[.[]/)[0]!);
      return i < 0 ? keyFields.length : i;
    };
    const changes = diffPlain(before, after);
    const sorted = keyFields.length ? changes.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.path) - rank(b.c.path) || a.i - b.i).map((x) => x.c) : changes;
    return sorted.map((c) => {
      const path = this.path(c.path);
      if (c.kind === 'added') return `${path}: + ${this.value(c.after!)}`;
      if (c.kind === 'removed') return `${path}: − ${this.value(c.before!)}`;
      return `${path}: ${this.value(c.before!)} → ${this.value(c.after!)}`;
    });
  }

  /**
   * A whole state, one line per part: for a message-passing world, one per node (key fields
   * first), then each other field that holds something; for any other record, one per field.
   */
  stateLines(state: Plain): string[] {
    if (!isObj(state)) return [this.value(state)];
    const empty = (v: Plain) => v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
    const nodes: Plain = state.nodes ?? null;
    if (isObj(nodes)) {
      const rest = Object.entries(state).filter(([k, v]) => k !== 'nodes' && !empty(v));
      return [...Object.entries(nodes).map(([id, s]) => `${id}: ${this.nodeValue(id, s)}`), ...rest.map(([k, v]) => `${field(k)}: ${this.value(v)}`)];
    }
    const lines = Object.entries(state).map(([k, v]) => `${field(k)}: ${this.value(v)}`);
    return lines.length ? lines : ['{}'];
  }
}

/** Entries with the named keys first, in the order named, then the others as they were. */
export function ordered<T>(entries: [string, T][], first: readonly string[]): [string, T][] {
  if (first.length === 0) return entries;
  const head = first.flatMap((k) => entries.filter(([e]) => e === k));
  return [...head, ...entries.filter(([k]) => !first.includes(k))];
}

function field(k: string): string {
  return BARE.test(k) ? k : JSON.stringify(k);
}
