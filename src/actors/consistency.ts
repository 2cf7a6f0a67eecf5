/**
 * Consistency checks over recorded client histories (the `ctx.invoke` / `ctx.ok` / `ctx.fail` events a
 * model writes): linearizability against a sequential specification, by Wing & Gong's search with
 * Lowe's memoisation (the P-compositional form of Porcupine: a key-value map is checked key by key),
 * and three session guarantees on a register — read-your-writes, monotonic reads, and "a completed
 * write is never lost". Each is a pure function of the history and also an invariant builder for
 * actor models (`invariants: { Linearizable: linearizable(register(0)) }`), cached per history so that
 * states sharing a history share the verdict.
 *
 * Conventions (Jepsen's): `invoke` carries the operation's argument, `ok` its result; `fail` means the
 * operation certainly did not take effect (it is dropped); an operation without a completion — its
 * client crashed, timed out, or invoked something else next — is *pending*: it may have taken effect at
 * any point after its invocation, or never.
 */
import { isImmutable, type List } from 'immutable';
import { ModelError } from '../model/errors.js';
import type { HistoryEvent, HistoryEventProps } from './world.js';

/** An operation of a history: its invocation and, unless pending, its completion. */
export interface Operation {
  /** Position in the list of operations (order of invocation). */
  readonly index: number;
  readonly process: string;
  readonly f: string;
  /** The argument given at the invocation (plain data). */
  readonly input: unknown;
  /** The result given at the completion (plain data); undefined while pending. */
  readonly output: unknown;
  /** Positions of the invocation and the completion in the history (completion Infinity: pending). */
  readonly call: number;
  readonly ret: number;
  readonly pending: boolean;
}

type EventLike = Pick<HistoryEventProps, 'process' | 'type' | 'f' | 'value'>;

const plain = (v: unknown): unknown => (isImmutable(v) ? (v as { toJS(): unknown }).toJS() : v);

/**
 * Pairs invocations with completions, per process. A process that invokes again before its last
 * operation completed leaves that one pending; a completion without an open invocation, or of another
 * operation, is an error in the model. Failed operations are left out.
 */
export function operations(history: readonly EventLike[]): Operation[] {
  const open = new Map<string, { f: string; input: unknown; call: number; index: number }>();
  const done = new Map<number, { output: unknown; ret: number }>();
  const calls: { process: string; f: string; input: unknown; call: number; index: number }[] = [];
  const failed = new Set<number>();
  history.forEach((e, at) => {
    if (e.type === 'invoke') {
      const op = { process: e.process, f: e.f, input: plain(e.value), call: at, index: calls.length };
      calls.push(op);
      open.set(e.process, op);
      return;
    }
    const op = open.get(e.process);
    if (op === undefined || op.f !== e.f)
      throw new ModelError(`history event ${at + 1}: ${e.process} completes ${e.f} (${e.type}) without invoking it`);
    open.delete(e.process);
    if (e.type === 'fail') failed.add(op.index);
    else done.set(op.index, { output: plain(e.value), ret: at });
  });
  const out: Operation[] = [];
  for (const c of calls) {
    if (failed.has(c.index)) continue;
    const d = done.get(c.index);
    out.push({ index: out.length, process: c.process, f: c.f, input: c.input, output: d?.output, call: c.call, ret: d?.ret ?? Infinity, pending: d === undefined });
  }
  return out;
}

/** A data type, as a sequential specification: what one operation does to the state, and whether its result fits. */
export interface DataType<S = unknown> {
  readonly name: string;
  readonly init: S;
  /** The state after `op` (boxed, as a state may itself be null), or null if its result (ignored while pending) is impossible from `state`. */
  step(state: S, op: Operation): { readonly state: S } | null;
  /** A string naming the state, for memoisation (JSON by default). */
  key?(state: S): string;
  /** Independent parts (e.g. a map's keys): linearizable iff every part is (Herlihy & Wing's locality). */
  partition?(op: Operation): string;
  /** The operation in words. */
  show?(op: Operation): string;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * A read/write register holding `initial`: `write` (input: the value), `read` (output: the value), and
 * `cas` (input: [expected, new], output: true if it swapped).
 */
export function register(initial: unknown = null): DataType<unknown> {
  return {
    name: 'register',
    init: initial,
    step: (s, op) => {
      switch (op.f) {
        case 'write':
          return { state: op.input };
        case 'read':
          return op.pending || same(op.output, s) ? { state: s } : null;
        case 'cas': {
          const [from, to] = op.input as [unknown, unknown];
          const swaps = same(from, s);
          if (!op.pending && op.output !== swaps) return null;
          return { state: swaps ? to : s };
        }
        default:
          throw new ModelError(`a register has no operation ${op.f} (read, write, cas)`);
      }
    },
    show: showRegisterOp,
  };
}

/**
 * A map of registers, each holding `initial` until written: `write` (input [key, value]), `read` (input
 * key, output the value), `cas` (input [key, expected, new], output true if it swapped). Checked key by key.
 */
export function keyValue(initial: unknown = null): DataType<unknown> {
  const reg = register(initial);
  const keyOf = (op: Operation) => String(op.f === 'read' ? op.input : (op.input as unknown[])[0]);
  const unkeyed = (op: Operation): Operation => {
    if (op.f === 'read') return { ...op, input: null };
    const [, ...rest] = op.input as unknown[];
    return { ...op, input: op.f === 'write' ? rest[0] : rest };
  };
  return {
    name: 'key-value map',
    init: initial,
    step: (s, op) => reg.step(s, unkeyed(op)),
    partition: keyOf,
    show: (op) => `${showRegisterOp(unkeyed(op))} at ${keyOf(op)}`,
  };
}

function showRegisterOp(op: Operation): string {
  const v = (x: unknown) => JSON.stringify(x) ?? 'undefined';
  const head = `${op.process} ${op.f}`;
  if (op.f === 'read') return op.pending ? `${head} (pending)` : `${head} → ${v(op.output)}`;
  if (op.f === 'cas') {
    const [from, to] = op.input as [unknown, unknown];
    return `${head} ${v(from)}→${v(to)}${op.pending ? ' (pending)' : op.output ? ' ok' : ' refused'}`;
  }
  return `${head} ${v(op.input)}${op.pending ? ' (pending)' : ''}`;
}

/** The verdict on a history: linearizable, or why not. */
export type LinearizabilityResult =
  | { readonly ok: true; readonly order: readonly Operation[] }
  | {
      readonly ok: false;
      /** The operations of the part (a map key, say) that cannot be ordered. */
      readonly part: string | null;
      /** The longest legal order the search found, of operations of that part. */
      readonly longest: readonly Operation[];
      /** A completed operation the longest order could not be extended with. */
      readonly stuck: Operation | null;
      readonly explanation: string;
    };

/**
 * Whether the history is linearizable with respect to `dataType`: some order of its completed operations
 * and some of its pending ones respects real time (an operation completed before another was invoked
 * comes first) and is a legal sequential run of the specification.
 */
export function checkLinearizable<S>(history: readonly EventLike[] | readonly Operation[], dataType: DataType<S>): LinearizabilityResult {
  const ops = toOperations(history);
  const parts = new Map<string, Operation[]>();
  for (const op of ops) {
    const p = dataType.partition?.(op) ?? '';
    const part = parts.get(p);
    if (part) part.push(op);
    else parts.set(p, [op]);
  }
  const order: Operation[] = [];
  for (const [part, partOps] of [...parts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const r = searchPart(partOps, dataType);
    if (!r.ok) {
      const show = dataType.show ?? ((op: Operation) => `${op.process} ${op.f}`);
      const where = dataType.partition ? ` (${part})` : '';
      const prefix = r.longest.length === 0 ? 'no operation can come first' : `after ${r.longest.map(show).join(', ')}`;
      const stuck = r.stuck ? `, ${show(r.stuck)} cannot be placed` : '';
      return {
        ok: false,
        part: dataType.partition ? part : null,
        longest: r.longest,
        stuck: r.stuck,
        explanation: `not linearizable${where}: ${prefix}${stuck} — no order of the ${partOps.length} operations respects real time and the ${dataType.name}`,
      };
    }
    order.push(...r.order);
  }
  return { ok: true, order };
}

function toOperations(history: readonly EventLike[] | readonly Operation[]): Operation[] {
  if (history.length > 0 && 'call' in (history[0] as object)) return [...(history as readonly Operation[])];
  return operations(history as readonly EventLike[]);
}

interface Entry {
  readonly op: Operation;
  readonly isCall: boolean;
  /** For a call entry: its return entry (null if pending). */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/**
 * Wing & Gong's search over a doubly linked list of call and return entries, in history order: take
 * the first entry; a call may be linearized now if its operation is legal in the current state (lift
 * its call and return out of the list and go back to the head); a return means its operation should
 * have been linearized by now, so backtrack. Lowe's memoisation: a (set of linearized operations,
 * state) pair seen before is not explored again. Success once no return is left — pending operations
 * need not be linearized.
 */
function searchPart<S>(ops: readonly Operation[], dataType: DataType<S>): { ok: true; order: Operation[] } | { ok: false; longest: Operation[]; stuck: Operation | null } {
  const key = dataType.key ?? ((s: S) => JSON.stringify(s) ?? 'undefined');
  const events: { time: number; entry: Entry }[] = [];
  for (const op of ops) {
    const call: Entry = { op, isCall: true, match: null, prev: null, next: null };
    events.push({ time: op.call, entry: call });
    if (!op.pending) {
      const ret: Entry = { op, isCall: false, match: null, prev: null, next: null };
      call.match = ret;
      events.push({ time: op.ret, entry: ret });
    }
  }
  events.sort((a, b) => a.time - b.time);
  const head: Entry = { op: ops[0]!, isCall: false, match: null, prev: null, next: null }; // sentinel
  let last = head;
  for (const { entry } of events) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  const lift = (e: Entry) => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match;
    if (m) {
      m.prev!.next = m.next;
      if (m.next) m.next.prev = m.prev;
    }
  };
  const unlift = (e: Entry) => {
    const m = e.match;
    if (m) {
      m.prev!.next = m;
      if (m.next) m.next.prev = m;
    }
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };
  let returnsLeft = ops.filter((op) => !op.pending).length;
  let linearized = 0n;
  let state = dataType.init;
  const seen = new Set<string>();
  const stack: { entry: Entry; state: S }[] = [];
  let longest: Operation[] = [];
  let stuck: Operation | null = null;
  let entry = head.next;
  while (returnsLeft > 0) {
    if (entry === null) break; // cannot happen while a return is left in the list
    if (entry.isCall) {
      const next = dataType.step(state, entry.op);
      if (next !== null) {
        const lin = linearized | (1n << BigInt(entry.op.index));
        const k = `${lin.toString(36)}|${key(next.state)}`;
        if (!seen.has(k)) {
          seen.add(k);
          stack.push({ entry, state });
          state = next.state;
          linearized = lin;
          if (entry.match) returnsLeft--;
          lift(entry);
          if (stack.length > longest.length) {
            longest = stack.map((s) => s.entry.op);
            stuck = null;
          }
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      if (stack.length === longest.length && stuck === null) stuck = entry.op;
      const top = stack.pop();
      if (top === undefined) return { ok: false, longest, stuck };
      unlift(top.entry);
      if (top.entry.match) returnsLeft++;
      linearized &= ~(1n << BigInt(top.entry.op.index));
      state = top.state;
      entry = top.entry.next;
    }
  }
  return { ok: true, order: stack.map((s) => s.entry.op) };
}

// ---- session guarantees on a register whose writes write distinct values

/** A violated session guarantee: the read and the write it should have seen, in words. */
export interface SessionViolation {
  readonly read: Operation;
  readonly write: Operation;
  readonly explanation: string;
}

interface Sources {
  /** The write whose value a read returned (null: the initial value). */
  readonly source: (read: Operation) => Operation | null;
  /** Whether `a` (a write, or null for the initial value) certainly comes before write `b`. */
  readonly older: (a: Operation | null, b: Operation) => boolean;
}

/**
 * Reads resolved to the writes they saw. Needs distinct written values (a read of a value written
 * twice is ambiguous, and an error); a read of a value never written is an error too — it breaks
 * every guarantee, and linearizability says so. "Older" is real-time order: a write that completed
 * before another was invoked comes before it in every execution; the initial value is older than every write.
 */
function sources(ops: readonly Operation[], initial: unknown): Sources {
  const byValue = new Map<string, Operation>();
  for (const w of ops.filter((o) => o.f === 'write')) {
    const v = JSON.stringify(w.input);
    if (byValue.has(v) || same(w.input, initial)) throw new ModelError(`session guarantees need distinct written values, none equal to the initial one: ${v} is written twice`);
    byValue.set(v, w);
  }
  const init = JSON.stringify(initial);
  const of = new Map<Operation, Operation | null>();
  for (const r of completedReads(ops)) {
    const v = JSON.stringify(r.output);
    const w = byValue.get(v);
    if (w === undefined && v !== init) throw new ModelError(`${r.process} read ${v}, a value nobody wrote`);
    of.set(r, w ?? null);
  }
  return { source: (r) => of.get(r)!, older: (a, b) => a === null || a.ret < b.call };
}

const completedReads = (ops: readonly Operation[]) => ops.filter((o) => o.f === 'read' && !o.pending);
const seenAs = (w: Operation | null) => (w === null ? 'the initial value' : `${JSON.stringify(w.input)} (${w.process}'s write)`);

/**
 * Read your writes: a read completes after a write of the same process only with that write's value or
 * one not older than it.
 */
export function readYourWrites(history: readonly EventLike[], initial: unknown = null): SessionViolation | null {
  return readAfterWrite(history, initial, true, (r, w, seen) => `${r.process} wrote ${JSON.stringify(w.input)}, then read ${seen}, which is older: read-your-writes broken`);
}

/** Monotonic reads: a process never reads a value older than one it has read before. */
export function monotonicReads(history: readonly EventLike[], initial: unknown = null): SessionViolation | null {
  const ops = operations(history);
  const src = sources(ops, initial);
  const reads = completedReads(ops);
  for (const r1 of reads)
    for (const r2 of reads) {
      if (r1.process !== r2.process || r1.ret >= r2.call) continue;
      const s1 = src.source(r1);
      const s2 = src.source(r2);
      if (s1 !== null && s2 !== s1 && src.older(s2, s1))
        return { read: r2, write: s1, explanation: `${r2.process} read ${seenAs(s1)}, then ${seenAs(s2)}, which is older: monotonic reads broken` };
    }
  return null;
}

/**
 * A completed write is never lost: a read invoked after a write completed (by any process) returns that
 * write's value or one not older than it.
 */
export function noLostWrites(history: readonly EventLike[], initial: unknown = null): SessionViolation | null {
  return readAfterWrite(history, initial, false, (r, w, seen) => `${w.process}'s write of ${JSON.stringify(w.input)} completed, then ${r.process} read ${seen}, which is older: the write is lost`);
}

/** The first read that returned something older than a write completed before it began (by its own process only, or by any). */
function readAfterWrite(
  history: readonly EventLike[],
  initial: unknown,
  ownWritesOnly: boolean,
  explain: (read: Operation, write: Operation, seen: string) => string,
): SessionViolation | null {
  const ops = operations(history);
  const src = sources(ops, initial);
  for (const r of completedReads(ops))
    for (const w of ops)
      if (w.f === 'write' && !w.pending && w.ret < r.call && (!ownWritesOnly || w.process === r.process)) {
        const s = src.source(r);
        if (s !== w && src.older(s, w)) return { read: r, write: w, explanation: explain(r, w, seenAs(s)) };
      }
  return null;
}

// ---- as invariants of actor models

/** What a history invariant reads of the world: any actor model's `World` is one. */
export interface HistoryView {
  readonly state: { readonly history: List<HistoryEvent> };
  readonly history: readonly HistoryEvent[];
}

/**
 * An invariant of any actor model that records a history. It names no roles, so it fits every
 * model's `invariants` without disturbing the inference of the model's own types.
 */
export interface HistoryInvariant {
  holds(w: HistoryView): boolean;
  explain(w: HistoryView): string;
  readonly description: string;
}

/** An invariant over the world's history, its verdict cached per (shared, immutable) history list. */
function historyInvariant<V>(check: (events: readonly EventLike[]) => V | null, explain: (v: V) => string, description: string): HistoryInvariant {
  const cache = new WeakMap<List<HistoryEvent>, { v: V | null }>();
  const verdict = (w: HistoryView) => {
    const h = w.state.history;
    let c = cache.get(h);
    if (c === undefined) {
      c = { v: check(w.history) };
      cache.set(h, c);
    }
    return c.v;
  };
  return { holds: (w) => verdict(w) === null, explain: (w) => explain(verdict(w)!), description };
}

/** The invariant "the history is linearizable with respect to `dataType`". */
export function linearizable<S>(dataType: DataType<S>): HistoryInvariant {
  return historyInvariant<string>(
    (events) => {
      const r = checkLinearizable(events, dataType);
      return r.ok ? null : r.explanation;
    },
    (s) => s,
    `the client history is linearizable (${dataType.name})`,
  );
}

/** The invariants of the three session guarantees, for a register holding `initial` at first. */
export const sessionGuarantees = {
  readYourWrites: (initial: unknown = null): HistoryInvariant =>
    historyInvariant<SessionViolation>((h) => readYourWrites(h, initial), (v) => v.explanation, 'each client reads its own completed writes'),
  monotonicReads: (initial: unknown = null): HistoryInvariant =>
    historyInvariant<SessionViolation>((h) => monotonicReads(h, initial), (v) => v.explanation, 'no client reads an older value after a newer one'),
  noLostWrites: (initial: unknown = null): HistoryInvariant =>
    historyInvariant<SessionViolation>((h) => noLostWrites(h, initial), (v) => v.explanation, 'a read after a completed write sees it or a newer one'),
};
