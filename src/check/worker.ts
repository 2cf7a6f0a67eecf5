/**
 * One worker thread of the parallel explorer (see parallel.ts). It holds a contiguous part of the
 * current BFS level, expands it, drops successors already in the shared seen-state store, checks
 * invariants on the rest, and reports them (fingerprints and positions only) for the coordinating
 * thread to merge in order. The states stay here; only the ones moved for balance are encoded.
 */
import { describeThrown } from '../model/errors.js';
import { ActionError, BEYOND, type Compiled, SuccessorBuffer } from './compile.js';
import { Budget, drainWatched, expandOrThrow, firstBrokenInvariant, StuckError } from './core.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import { FingerprintSet, seenIn, type StoreView } from './store.js';
import { type ExportedRows, Rows } from './level.js';
import { decode, encode, type Encoded, newLink, registerRecords, UnknownRecordType } from './transfer.js';
import { watchRecords } from '../model/records.js';
import type { Link } from '../model/values.js';

/** What a worker needs to build the same compiled model as the coordinating thread. */
export interface WorkerSetup {
  /** The model's module, as a URL. */
  readonly module: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly faults: Readonly<Record<string, unknown>>;
  readonly symmetry: boolean;
  readonly witness: string | null;
  readonly invariants: readonly string[] | null;
}

export type ToWorker =
  | { type: 'hold'; init: number[] }
  | {
      type: 'expand';
      view: StoreView;
      deadline: number;
      /** How long one action may run (Budget.actionTimeoutMs). */
      actionTimeoutMs: number;
      /** Set to 1 by the coordinating thread when the search is interrupted (Ctrl-C). */
      interrupt: Int32Array;
      /** The id and depth of the first state of this worker's part, for messages about a state. */
      firstId: number;
      depth: number;
    }
  | { type: 'keep'; keep: Uint8Array }
  /** The families of the last part's first `upTo` successors (for a search that stops inside the level). */
  | { type: 'fams'; upTo: number }
  | { type: 'give'; count: number; fromHead: boolean; to: number }
  | { type: 'take'; states: ExportedRows<Encoded>; atHead: boolean; from: number }
  /** Whether the states offered by the last 'give' were taken: if so let them go, else keep them. */
  | { type: 'given'; taken: boolean };

export interface Expanded {
  type: 'expanded';
  /** Successors per state of this worker's part, in order. */
  counts: Uint32Array;
  /** Family (this worker's numbering, see `families`) of each candidate. */
  candFam: Uint16Array;
  /** Successors per family (this worker's numbering), in all. */
  famTotals: number[];
  /** Positions (in the flat successor order) of successors not yet in the store. */
  cand: Uint32Array;
  candHi: Uint32Array;
  candLo: Uint32Array;
  /** Index of the first invariant each candidate breaks, or -1. */
  candBad: Int16Array;
  families: string[];
  /** Why this thread stopped before the end of its part, or null. */
  stopped: 'time-limit' | 'memory' | 'interrupted' | null;
  /** Time spent expanding (milliseconds). */
  ms: number;
}
export type FromWorker =
  | Expanded
  | { type: 'ok' }
  | { type: 'offered'; states: ExportedRows<Encoded> }
  | { type: 'fams'; fams: Uint16Array }
  /** A 'take' refused: the states hold a Record type this thread has never met (model/records.ts). */
  | { type: 'refused' }
  | { type: 'error'; message: string; stuck?: boolean };

export interface Port {
  postMessage(m: FromWorker, transfer?: ArrayBuffer[]): void;
  on(event: 'message', f: (m: ToWorker) => void): void;
}

class Grow<T extends Uint32Array | Uint16Array | Int16Array> {
  n = 0;
  constructor(
    public a: T,
    private readonly make: (n: number) => T,
  ) {}
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = this.make(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): T {
    return this.a.slice(0, this.n) as T;
  }
}

export function serveWorker<S>(model: Compiled<S>, port: Port): void {
  let frontier: Rows<S> = Rows.like(model.init[0]);
  let candidates: Rows<S> = frontier.empty();
  const buf = new SuccessorBuffer<S>();
  const thisLevel = new FingerprintSet();
  watchRecords();
  for (const s of model.init) registerRecords(s);
  let registered = false;
  let offered: { count: number; fromHead: boolean; to: number } | null = null;
  // Every successor's family in the last part expanded: asked for only if the search stops inside the level.
  const fams = new Grow(new Uint16Array(1024), (n) => new Uint16Array(n));
  // States moved for balance go over a link per other worker and direction, so that what a packed
  // state refers to (an actor model's node states, messages) crosses once, not with every state.
  const links = new Map<string, Link>();
  const link = (key: string): Link => {
    let l = links.get(key);
    if (l === undefined) links.set(key, (l = newLink()));
    return l;
  };

  function* expandPart(m: Extract<ToWorker, { type: 'expand' }>): Generator<void, Expanded, void> {
    const t0 = performance.now();
    const view = m.view;
    const counts = new Uint32Array(frontier.length);
    fams.n = 0;
    const candFam = new Grow(new Uint16Array(256), (n) => new Uint16Array(n));
    const famTotals: number[] = [];
    const cand = new Grow(new Uint32Array(256), (n) => new Uint32Array(n));
    const candHi = new Grow(new Uint32Array(256), (n) => new Uint32Array(n));
    const candLo = new Grow(new Uint32Array(256), (n) => new Uint32Array(n));
    const candBad = new Grow(new Int16Array(256), (n) => new Int16Array(n));
    // A new level: new rows, with their own table of field values (the last level's go with it).
    candidates = Rows.like(model.init[0]);
    thisLevel.clear();
    let pos = 0;
    let stopped: Expanded['stopped'] = null;
    for (let i = 0; i < frontier.length; i++) {
      if (budget.due()) {
        if ((stopped = budget.stop()) !== null) break;
        yield;
      }
      const s = frontier.get(i);
      frontier.release(i); // let it go once expanded, as the sequential search does
      if (model.beyond !== null && model.beyond(s)) {
        counts[i] = BEYOND;
        continue;
      }
      expandOrThrow(model, s, buf, m.firstId + i, m.depth);
      counts[i] = buf.length;
      for (let j = 0; j < buf.length; j++, pos++) {
        const t = buf.states[j]!;
        const f = buf.families[j]!;
        fams.push(f);
        famTotals[f] = (famTotals[f] ?? 0) + 1;
        if (t === s) continue;
        model.key(t);
        const hi = fpHigh();
        const lo = fpLow();
        // Seen before this level, or earlier in this part of it: the merge would drop it too.
        if (seenIn(view, hi, lo) || !thisLevel.add(hi, lo)) continue;
        const bad = firstBrokenInvariant(model, t, -1, -1);
        cand.push(pos);
        candHi.push(hi);
        candLo.push(lo);
        candBad.push(bad);
        candFam.push(f);
        candidates.push(t);
      }
    }
    buf.clear();
    if (!registered && candidates.length > 0) {
      // Record types reachable later are met here first; remember them for decoding.
      registerRecords(candidates.get(0));
      registered = true;
    }
    return {
      type: 'expanded',
      counts,
      candFam: candFam.done(),
      famTotals: Array.from(famTotals, (n) => n ?? 0),
      cand: cand.done(),
      candHi: candHi.done(),
      candLo: candLo.done(),
      candBad: candBad.done(),
      families: model.families.slice(),
      stopped,
      ms: performance.now() - t0,
    };
  }
  // The time left, this thread's own heap and the coordinator's interrupt flag (the main thread
  // reads which it was: Budget.stop); each stretch of the part under the action watchdog.
  let budget = new Budget();
  const expand = (m: Extract<ToWorker, { type: 'expand' }>): Expanded => {
    const interrupt = m.interrupt;
    budget = new Budget({ ...(m.deadline === Infinity ? {} : { timeLimitMs: Math.max(0, m.deadline - Date.now()) }), actionTimeoutMs: m.actionTimeoutMs }, performance.now(), {
      get aborted() {
        return Atomics.load(interrupt, 0) === 1;
      },
    });
    return drainWatched(expandPart(m), budget);
  };

  port.on('message', (m: ToWorker) => {
    try {
      switch (m.type) {
        case 'hold':
          frontier = Rows.like(model.init[0]);
          for (const i of m.init) frontier.push(model.init[i]!);
          port.postMessage({ type: 'ok' });
          return;
        case 'expand': {
          const r = expand(m);
          port.postMessage(r, [r.counts.buffer, r.candFam.buffer, r.cand.buffer, r.candHi.buffer, r.candLo.buffer, r.candBad.buffer] as ArrayBuffer[]);
          return;
        }
        case 'fams': {
          const upTo = fams.a.slice(0, m.upTo);
          port.postMessage({ type: 'fams', fams: upTo }, [upTo.buffer] as ArrayBuffer[]);
          return;
        }
        case 'keep': {
          const next = candidates.empty();
          for (let k = 0; k < candidates.length; k++) if (m.keep[k]) next.copy(candidates, k);
          frontier = next;
          candidates = next.empty();
          port.postMessage({ type: 'ok' });
          return;
        }
        case 'give': {
          // Offered, not yet given: the taker may not be able to rebuild them (see 'take').
          offered = { count: m.count, fromHead: m.fromHead, to: m.to };
          const out = link(`to ${m.to}`);
          const [a, b] = m.fromHead ? [0, m.count] : [frontier.length - m.count, frontier.length];
          const states = frontier.export(a, b, (x) => encode(x, out));
          port.postMessage({ type: 'offered', states }, [states.rows.buffer] as ArrayBuffer[]);
          return;
        }
        case 'given': {
          const o = offered!;
          offered = null;
          if (m.taken) frontier = o.fromHead ? frontier.slice(o.count) : frontier.slice(0, frontier.length - o.count);
          // What was sent on the link did not arrive: both ends start it again.
          else links.delete(`to ${o.to}`);
          port.postMessage({ type: 'ok' });
          return;
        }
        case 'take': {
          const from = link(`from ${m.from}`);
          const moved = frontier.empty();
          try {
            moved.import(m.states, (e) => decode(e, from));
          } catch (e) {
            if (!(e instanceof UnknownRecordType)) throw e;
            links.delete(`from ${m.from}`);
            port.postMessage({ type: 'refused' });
            return;
          }
          const joined = frontier.empty();
          for (const part of m.atHead ? [moved, frontier] : [frontier, moved]) for (let i = 0; i < part.length; i++) joined.copy(part, i);
          frontier = joined;
          port.postMessage({ type: 'ok' });
          return;
        }
      }
    } catch (e) {
      const message = e instanceof ActionError || e instanceof StuckError ? e.message : describeThrown(e);
      port.postMessage({ type: 'error', message, stuck: e instanceof StuckError });
    }
  });
}
