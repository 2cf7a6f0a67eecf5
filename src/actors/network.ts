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

export type NetworkKind = 'unordered' | 'duplicating' | 'fifo';
export const NETWORK_KINDS: readonly NetworkKind[] = ['unordered', 'duplicating', 'fifo'];

/** What the network needs to know of messages: their keys' order, receivers and channels. */
export interface MessageFacts {
  /** Whether message a's key sorts before message b's. */
  before(a: number, b: number): boolean;
  /** The receiver's slot, the sender's slot and the channel of each message id. */
  readonly to: number[];
  readonly from: number[];
  readonly channel: number[];
}

/** A growable scratch array of words, reused from call to call. */
export class Words {
  a = new Int32Array(64);
  n = 0;
  reset(): void {
    this.n = 0;
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  /** Insert `count` words at `pos` (uninitialised), shifting the rest. */
  open(pos: number, count: number): void {
    while (this.n + count > this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a.copyWithin(pos + count, pos, this.n);
    this.n += count;
  }
  close(pos: number, count: number): void {
    this.a.copyWithin(pos, pos + count, this.n);
    this.n -= count;
  }
}

export interface Network {
  readonly kind: NetworkKind;
  /** Message ids that could be delivered next (each distinct once), in delivery order, appended to `out`. */
  deliverable(w: Int32Array, at: number, out: number[]): void;
  /** Copy the net of `w` into `out` (which holds the header already). */
  copy(w: Int32Array, at: number, out: Words): void;
  /** In `out` (a world's words, net from `at`): deliver one copy of `id` (a delivery on the net). */
  consume(out: Words, at: number, id: number): void;
  /** In `out`: send `id`. */
  send(out: Words, at: number, id: number): void;
  /** Losing one message: for each distinct outcome, the message id and where it stands (a position to `remove`). */
  lossPoints(w: Int32Array, at: number, out: number[]): void;
  /** In `out`: lose the message at `point` (from lossPoints). */
  remove(out: Words, at: number, point: number): void;
  /** Copying one message: for each distinct outcome, the message id and its point (none on a duplicating network). */
  copyPoints(w: Int32Array, at: number, out: number[]): void;
  /** In `out`: copy the message at `point`. */
  duplicate(out: Words, at: number, point: number): void;
  /** In `out`: remove every message to slot `node`; the ids removed (with repeats, in order) are appended to `lost`. */
  dropTo(out: Words, at: number, node: number, lost: number[]): void;
  /** Every message in flight, with repeats, in a stable order, appended to `out`. */
  all(w: Int32Array, at: number, out: number[]): void;
  /** The messages in flight from slot `from` to slot `to`, with repeats (on a FIFO network, in queue order). */
  between(w: Int32Array, at: number, from: number, to: number, out: number[]): void;
  /** Write the net of `w` with every message id mapped by `f` (a bijection) into `out`, in order again. */
  map(w: Int32Array, at: number, f: (id: number) => number, out: Words): void;
  /**
   * Words naming the net's content (message fingerprints, not ids), appended to `out` — of the net
   * with its message ids mapped by `f` (a bijection) if given, as `map` would write it.
   */
  content(w: Int32Array, at: number, hi: readonly number[], lo: readonly number[], out: Words, f?: (id: number) => number): void;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** unordered and duplicating: pairs (id, copies) in key order. */
function counted(m: MessageFacts, duplicating: boolean): Network {
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
    consume(out, at, id) {
      if (duplicating) return;
      const p = find(out, at, id);
      if (p < 0) return;
      if (out.a[p + 1]! > 1) out.a[p + 1]!--;
      else out.close(p, 2);
    },
    send(out, at, id) {
      const p = find(out, at, id);
      if (p >= 0) {
        if (!duplicating) out.a[p + 1]!++;
        return;
      }
      const q = -p - 1;
      out.open(q, 2);
      out.a[q] = id;
      out.a[q + 1] = 1;
    },
    lossPoints(w, at, out) {
      for (let p = at; p < w.length; p += 2) out.push(w[p]!, p);
    },
    remove(out, _at, point) {
      if (!duplicating && out.a[point + 1]! > 1) out.a[point + 1]!--;
      else out.close(point, 2);
    },
    copyPoints(w, at, out) {
      if (duplicating) return;
      for (let p = at; p < w.length; p += 2) out.push(w[p]!, p);
    },
    duplicate(out, _at, point) {
      out.a[point + 1]!++;
    },
    dropTo(out, at, node, lost) {
      for (let p = at; p < out.n; ) {
        const id = out.a[p]!;
        if (m.to[id] === node) {
          for (let c = out.a[p + 1]!; c > 0; c--) lost.push(id);
          out.close(p, 2);
        } else p += 2;
      }
    },
    all(w, at, out) {
      for (let p = at; p < w.length; p += 2) for (let c = w[p + 1]!; c > 0; c--) out.push(w[p]!);
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
    content(w, at, hi, lo, out, f) {
      // A multiset: the sum of its entries' hashes, whatever the order of ids.
      let sa = 0;
      let sb = 0;
      for (let p = at; p < w.length; p += 2) {
        const id = f ? f(w[p]!) : w[p]!;
        const c = w[p + 1]!;
        const ea = mix((hi[id]! + Math.imul(c, 0x9e3779b1)) | 0);
        const eb = mix((lo[id]! ^ Math.imul(ea, 0x85ebca6b)) + c);
        sa = (sa + ea) | 0;
        sb = (sb + eb) | 0;
      }
      out.push((w.length - at) >> 1);
      out.push(sa);
      out.push(sb);
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
  /** Remove the message at position `q` of the run at `p`. */
  const removeAt = (out: Words, p: number, q: number): void => {
    if (out.a[p + 1] === 1) out.close(p, 3);
    else {
      out.a[p + 1]!--;
      out.close(q, 1);
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
    consume(out, at, id) {
      const p = findChannel(out, at, m.channel[id]!);
      if (p >= 0) removeAt(out, p, p + 2);
    },
    send(out, at, id) {
      const ch = m.channel[id]!;
      const p = findChannel(out, at, ch);
      if (p >= 0) {
        const end = p + 2 + out.a[p + 1]!;
        out.open(end, 1);
        out.a[end] = id;
        out.a[p + 1]!++;
      } else {
        const q = -p - 1;
        out.open(q, 3);
        out.a[q] = ch;
        out.a[q + 1] = 1;
        out.a[q + 2] = id;
      }
    },
    lossPoints(w, at, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) {
        const len = w[p + 1]!;
        // Losing either of two equal neighbours leaves the same queue: one outcome each.
        for (let i = 0; i < len; i++) if (i === 0 || w[p + 2 + i] !== w[p + 1 + i]) out.push(w[p + 2 + i]!, p * 65536 + i);
      }
    },
    remove(out, _at, point) {
      const p = Math.floor(point / 65536);
      removeAt(out, p, p + 2 + (point % 65536));
    },
    copyPoints(w, at, out) {
      this.lossPoints(w, at, out);
    },
    duplicate(out, _at, point) {
      // The copy arrives right behind the original (a retransmission seen twice).
      const p = Math.floor(point / 65536);
      const q = p + 2 + (point % 65536);
      out.open(q + 1, 1);
      out.a[q + 1] = out.a[q]!;
      out.a[p + 1]!++;
    },
    dropTo(out, at, node, lost) {
      for (let p = at; p < out.n; ) {
        const len = out.a[p + 1]!;
        if (m.to[out.a[p + 2]!] === node) {
          for (let i = 0; i < len; i++) lost.push(out.a[p + 2 + i]!);
          out.close(p, 2 + len);
        } else p += 2 + len;
      }
    },
    all(w, at, out) {
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) for (let i = 0; i < w[p + 1]!; i++) out.push(w[p + 2 + i]!);
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
    content(w, at, hi, lo, out, f) {
      // Runs in channel order: with `f`, the channels the renamed messages travel on.
      const runs: number[] = [];
      for (let p = at; p < w.length; p += 2 + w[p + 1]!) runs.push(f ? m.channel[f(w[p + 2]!)]! : w[p]!, p);
      if (f) {
        const pairs = [];
        for (let k = 0; k < runs.length; k += 2) pairs.push([runs[k]!, runs[k + 1]!]);
        pairs.sort((x, y) => x[0]! - y[0]!);
        runs.length = 0;
        for (const [c, p] of pairs) runs.push(c!, p!);
      }
      for (let k = 0; k < runs.length; k += 2) {
        const p = runs[k + 1]!;
        const len = w[p + 1]!;
        out.push(runs[k]!);
        out.push(len);
        for (let i = 0; i < len; i++) {
          const id = f ? f(w[p + 2 + i]!) : w[p + 2 + i]!;
          out.push(hi[id]!);
          out.push(lo[id]!);
        }
      }
    },
  };
}

export function network(kind: NetworkKind, m: MessageFacts): Network {
  return kind === 'fifo' ? fifo(m) : counted(m, kind === 'duplicating');
}
