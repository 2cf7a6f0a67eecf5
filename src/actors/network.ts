/**
 * Network semantics on packed worlds: how the in-flight messages are kept in a world's words, and
 * which may be delivered, lost or copied next.
 *
 * - `unordered`: a multiset — pairs (message id, copies), in the order of the messages' keys. Any
 *   message in flight may be delivered next; delivering consumes one copy.
 * - `duplicating`: the set of every message ever sent — pairs (message id, 1). Delivering does not
 *   consume: a message may be delivered again, any number of times (TLA+'s `msgs` set, as in
 *   Paxos specs).
 * - `fifo`: a queue per directed channel — runs (channel, length, message ids...), in channel
 *   order. Only a queue's head may be delivered (TCP, as ZAB assumes).
 *
 * Everything here works on plain integer arrays (the net part of a world's words, from `at`):
 * equal contents have equal words, so the content fingerprint and equality are by words.
 */

import { addTerm, channelTerm, messageTerm, type Sum } from './hash.js';

export type NetworkKind = 'unordered' | 'duplicating' | 'fifo';
export const NETWORK_KINDS: readonly NetworkKind[] = ['unordered', 'duplicating', 'fifo'];

/** What the network needs to know of messages: their keys' order, receivers, channels, fingerprints. */
export interface MessageFacts {
  /** Whether message a's key sorts before message b's. */
  before(a: number, b: number): boolean;
  /** The receiver's slot, the sender's slot and the channel of each message id. */
  readonly to: number[];
  readonly from: number[];
  readonly channel: number[];
  /** The content fingerprint of each message id (its key's), high and low 32 bits. */
  readonly hi: number[];
  readonly lo: number[];
}

/**
 * A world's words: small integers in a plain array (V8 allocates and copies these far faster
 * than typed arrays, which matters when every successor is a new one).
 */
export type Words32 = readonly number[];

/** A growable scratch array of words, reused from call to call. */
export class Words {
  a: number[] = new Array<number>(64).fill(0);
  n = 0;
  reset(): void {
    this.n = 0;
  }
  private room(n: number): void {
    while (this.a.length < n) this.a.push(0);
  }
  /** Start from a copy of `w`. */
  load(w: Words32): void {
    this.room(w.length);
    const a = this.a;
    for (let i = 0; i < w.length; i++) a[i] = w[i]!;
    this.n = w.length;
  }
  push(x: number): void {
    if (this.n === this.a.length) this.a.push(0);
    this.a[this.n++] = x;
  }
  /** Insert `count` words at `pos` (uninitialised), shifting the rest. */
  open(pos: number, count: number): void {
    this.room(this.n + count);
    const a = this.a;
    for (let i = this.n - 1; i >= pos; i--) a[i + count] = a[i]!;
    this.n += count;
  }
  close(pos: number, count: number): void {
    const a = this.a;
    for (let i = pos; i + count < this.n; i++) a[i] = a[i + count]!;
    this.n -= count;
  }
  /** The words as a new array. */
  take(): number[] {
    return this.a.slice(0, this.n);
  }
}

export interface Network {
  readonly kind: NetworkKind;
  /** Message ids that could be delivered next (each distinct once), in delivery order, appended to `out`. */
  deliverable(w: Words32, at: number, out: number[]): void;
  /** Copy the net of `w` into `out` (which holds the header already). */
  copy(w: Words32, at: number, out: Words): void;
  /**
   * In `out` (a world's words, net from `at`): deliver one copy of `id`. Every change below also
   * updates `sum`, the world's fingerprint terms (hash.ts), for the parts it changes.
   */
  consume(out: Words, at: number, id: number, sum: Sum): void;
  /** In `out`: send `id`. */
  send(out: Words, at: number, id: number, sum: Sum): void;
  /** Losing one message: for each distinct outcome, the message id and where it stands (a position to `remove`). */
  lossPoints(w: Words32, at: number, out: number[]): void;
  /** In `out`: lose the message at `point` (from lossPoints). */
  remove(out: Words, at: number, point: number, sum: Sum): void;
  /** Copying one message: for each distinct outcome, the message id and its point (none on a duplicating network). */
  copyPoints(w: Words32, at: number, out: number[]): void;
  /** In `out`: copy the message at `point`. */
  duplicate(out: Words, at: number, point: number, sum: Sum): void;
  /** In `out`: remove every message to slot `node`. */
  dropTo(out: Words, at: number, node: number, sum: Sum): void;
  /** Every message in flight, with repeats, in a stable order, appended to `out`. */
  all(w: Words32, at: number, out: number[]): void;
  /** Call `f` with every message in flight and its copies (a FIFO queue's repeats one by one). */
  each(w: Words32, at: number, f: (id: number, copies: number) => void): void;
  /** The messages in flight from slot `from` to slot `to`, with repeats (on a FIFO network, in queue order). */
  between(w: Words32, at: number, from: number, to: number, out: number[]): void;
  /** Write the net of `w` with every message id mapped by `f` (a bijection) into `out`, in order again. */
  map(w: Words32, at: number, f: (id: number) => number, out: Words): void;
  /** Add the terms of the net's parts to `sum` — of the net with its ids mapped by `f` (a bijection) if given, as `map` would write it. */
  terms(w: Words32, at: number, sum: Sum, f?: (id: number) => number): void;
}

/** unordered and duplicating: pairs (id, copies) in key order. */
function counted(m: MessageFacts, duplicating: boolean): Network {
  /** The message at pair position p with `copies` copies now (its term follows). */
  const recount = (out: Words, p: number, sum: Sum, copies: number): void => {
    const id = out.a[p]!;
    messageTerm(m.hi[id]!, m.lo[id]!, out.a[p + 1]!);
    addTerm(sum, -1);
    messageTerm(m.hi[id]!, m.lo[id]!, copies);
    addTerm(sum, 1);
    out.a[p + 1] = copies;
  };
  /** One copy fewer of the message at pair position p (none left: the pair goes). */
  const take = (out: Words, p: number, sum: Sum): void => {
    const c = out.a[p + 1]!;
    if (c > 1 && !duplicating) recount(out, p, sum, c - 1);
    else {
      const id = out.a[p]!;
      messageTerm(m.hi[id]!, m.lo[id]!, c);
      addTerm(sum, -1);
      out.close(p, 2);
    }
  };
  /** The position of id's pair in out, or of the pair it would go before (as a negative: -(pos+1)). */
  const find = (out: Words, at: number, id: number): number => {
    const a = out.a;
    for (let p = at; p < out.n; p += 2) {
      const x = a[p]!;
      if (x === id) return p;
      if (m.before(id, x)) return -(p + 1);
    }
    return -(out.n + 1);
  };
  return {
    kind: duplicating ? 'duplicating' : 'unordered',
    deliverable(w, at, out) {
      for (let p = at; p < w.length; p += 2) out.push(w[p]!);
    },
    copy(w, at, out) {
      for (let p = at; p < w.length; p++) out.push(w[p]!);
    },
    consume(out, at, id, sum) {
      if (duplicating) return;
      const p = find(out, at, id);
      if (p >= 0) take(out, p, sum);
    },
    send(out, at, id, sum) {
      const p = find(out, at, id);
      if (p >= 0) {
        if (!duplicating) recount(out, p, sum, out.a[p + 1]! + 1);
        return;
      }
      const q = -p - 1;
      out.open(q, 2);
      out.a[q] = id;
      out.a[q + 1] = 1;
      messageTerm(m.hi[id]!, m.lo[id]!, 1);
      addTerm(sum, 1);
    },
    lossPoints(w, at, out) {
      for (let p = at; p < w.length; p += 2) out.push(w[p]!, p);
    },
    remove(out, _at, point, sum) {
      take(out, point, sum);
    },
    copyPoints(w, at, out) {
      if (duplicating) return;
      for (let p = at; p < w.length; p += 2) out.push(w[p]!, p);
    },
    duplicate(out, _at, point, sum) {
      recount(out, point, sum, out.a[point + 1]! + 1);
    },
    dropTo(out, at, node, sum) {
      for (let p = at; p < out.n; ) {
        const id = out.a[p]!;
        if (m.to[id] === node) {
          messageTerm(m.hi[id]!, m.lo[id]!, out.a[p + 1]!);
          addTerm(sum, -1);
          out.close(p, 2);
        } else p += 2;
      }
    },
    all(w, at, out) {
      for (let p = at; p < w.length; p += 2) for (let c = w[p + 1]!; c > 0; c--) out.push(w[p]!);
    },
    each(w, at, f) {
      for (let p = at; p < w.length; p += 2) f(w[p]!, w[p + 1]!);
    },
    between(w, at, from, to, out) {
      for (let p = at; p < w.length; p += 2) {
        const id = w[p]!;
        if (m.from[id] === from && m.to[id] === to) for (let c = w[p + 1]!; c > 0; c--) out.push(id);
      }
    },
    map(w, at, f, out) {
      const start = out.n;
      for (let p = at; p < w.length; p += 2) {
        // Insertion into the key order (nets are short).
        const id = f(w[p]!);
        let q = start;
        while (q < out.n && m.before(out.a[q]!, id)) q += 2;
        out.open(q, 2);
        out.a[q] = id;
        out.a[q + 1] = w[p + 1]!;
      }
    },
    terms(w, at, sum, f) {
      for (let p = at; p < w.length; p += 2) {
        const id = f ? f(w[p]!) : w[p]!;
        messageTerm(m.hi[id]!, m.lo[id]!, w[p + 1]!);
        addTerm(sum, 1);
      }
    },
  };
}

/** fifo: runs (channel, length, ids...) in channel order. */
function fifo(m: MessageFacts): Network {
  /** The position of channel ch's run in out, or where it would go (as -(pos+1)). */
  const findChannel = (out: Words, at: number, ch: number): number => {
    const a = out.a;
    for (let p = at; p < out.n; p += 2 + a[p + 1]!) {
      const c = a[p]!;
      if (c === ch) return p;
      if (c > ch) return -(p + 1);
    }
    return -(out.n + 1);
  };
  /** Add (1) or take away (-1) the term of the run at `p`. */
  const runTerm = (out: Words, p: number, sum: Sum, sign: number): void => {
    channelTerm(out.a[p]!, out.a, p + 2, out.a[p + 1]!, m.hi, m.lo);
    addTerm(sum, sign);
  };
  /** Remove the message at position `q` of the run at `p`. */
  const removeAt = (out: Words, p: number, q: number, sum: Sum): void => {
    runTerm(out, p, sum, -1);
    if (out.a[p + 1] === 1) out.close(p, 3);
    else {
      out.a[p + 1]!--;
      out.close(q, 1);
      runTerm(out, p, sum, 1);
    }
  };
  return {
    kind: 'fifo',
    deliverable(w, at, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) out.push(w[p + 2]!);
    },
    copy(w, at, out) {
      for (let p = at; p < w.length; p++) out.push(w[p]!);
    },
    consume(out, at, id, sum) {
      const p = findChannel(out, at, m.channel[id]!);
      if (p >= 0) removeAt(out, p, p + 2, sum);
    },
    send(out, at, id, sum) {
      const ch = m.channel[id]!;
      const p = findChannel(out, at, ch);
      if (p >= 0) {
        runTerm(out, p, sum, -1);
        const end = p + 2 + out.a[p + 1]!;
        out.open(end, 1);
        out.a[end] = id;
        out.a[p + 1]!++;
        runTerm(out, p, sum, 1);
      } else {
        const q = -p - 1;
        out.open(q, 3);
        out.a[q] = ch;
        out.a[q + 1] = 1;
        out.a[q + 2] = id;
        runTerm(out, q, sum, 1);
      }
    },
    lossPoints(w, at, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) {
        const len = w[p + 1]!;
        // Losing either of two equal neighbours leaves the same queue: one outcome each.
        for (let i = 0; i < len; i++) if (i === 0 || w[p + 2 + i] !== w[p + 1 + i]) out.push(w[p + 2 + i]!, p * 65536 + i);
      }
    },
    remove(out, _at, point, sum) {
      const p = Math.floor(point / 65536);
      removeAt(out, p, p + 2 + (point % 65536), sum);
    },
    copyPoints(w, at, out) {
      this.lossPoints(w, at, out);
    },
    duplicate(out, _at, point, sum) {
      // The copy arrives right behind the original (a retransmission seen twice).
      const p = Math.floor(point / 65536);
      const q = p + 2 + (point % 65536);
      runTerm(out, p, sum, -1);
      out.open(q + 1, 1);
      out.a[q + 1] = out.a[q]!;
      out.a[p + 1]!++;
      runTerm(out, p, sum, 1);
    },
    dropTo(out, at, node, sum) {
      for (let p = at; p < out.n; ) {
        const len = out.a[p + 1]!;
        if (m.to[out.a[p + 2]!] === node) {
          runTerm(out, p, sum, -1);
          out.close(p, 2 + len);
        } else p += 2 + len;
      }
    },
    all(w, at, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) for (let i = 0; i < w[p + 1]!; i++) out.push(w[p + 2 + i]!);
    },
    each(w, at, f) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) for (let i = 0; i < w[p + 1]!; i++) f(w[p + 2 + i]!, 1);
    },
    between(w, at, from, to, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) {
        const head = w[p + 2]!;
        if (m.from[head] === from && m.to[head] === to) for (let i = 0; i < w[p + 1]!; i++) out.push(w[p + 2 + i]!);
      }
    },
    map(w, at, f, out) {
      const start = out.n;
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) {
        const len = w[p + 1]!;
        const first = f(w[p + 2]!);
        const ch = m.channel[first]!;
        let q = start;
        while (q < out.n && out.a[q]! < ch) q += 2 + out.a[q + 1]!;
        out.open(q, 2 + len);
        out.a[q] = ch;
        out.a[q + 1] = len;
        out.a[q + 2] = first;
        for (let i = 1; i < len; i++) out.a[q + 2 + i] = f(w[p + 2 + i]!);
      }
    },
    terms(w, at, sum, f) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) {
        channelTerm(f ? m.channel[f(w[p + 2]!)]! : w[p]!, w, p + 2, w[p + 1]!, m.hi, m.lo, f);
        addTerm(sum, 1);
      }
    },
  };
}

export function network(kind: NetworkKind, m: MessageFacts): Network {
  return kind === 'fifo' ? fifo(m) : counted(m, kind === 'duplicating');
}
