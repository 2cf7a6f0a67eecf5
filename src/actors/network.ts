/**
 * Network semantics: how in-flight messages are kept and which may be delivered next.
 *
 * - `unordered`: a multiset (Map key → copies). Any message in flight may be delivered next;
 *   delivering consumes one copy.
 * - `duplicating`: a set of every message ever sent (Map key → 1). Delivering does not consume:
 *   a message may be delivered again, any number of times (TLA+'s `msgs` set, as in Paxos specs).
 * - `fifo`: one queue per directed channel (Map "a→b" → List of keys); only a queue's head may be
 *   delivered (TCP, as ZAB assumes).
 *
 * Every function returns the same net object when nothing changes, and keeps one shape per
 * content (no zero counts, no empty queues), so equal networks have equal fingerprints.
 */
import { List, Map as IMap } from 'immutable';

export type NetworkKind = 'unordered' | 'duplicating' | 'fifo';
export const NETWORK_KINDS: readonly NetworkKind[] = ['unordered', 'duplicating', 'fifo'];

/** The in-flight messages, in the representation of the network's kind. */
export type Net = IMap<string, number> | IMap<string, List<string>>;

/** A fault's alternative: which message, and the network after it. */
export interface NetChange {
  readonly key: string;
  readonly net: Net;
}

export interface Network {
  readonly kind: NetworkKind;
  readonly empty: Net;
  send(net: Net, key: string): Net;
  /** Keys of the messages that could be delivered next (each distinct key once), sorted. */
  deliverable(net: Net): string[];
  /** The network after delivering one copy of `key`. */
  consume(net: Net, key: string): Net;
  /** Losing one message: every distinct outcome. */
  drops(net: Net): NetChange[];
  /** Copying one message: every distinct outcome (none on a duplicating network). */
  duplicates(net: Net): NetChange[];
  /** Remove every message to `node`; returns the keys removed (with repeats). */
  dropTo(net: Net, node: string): { net: Net; lost: string[] };
  /** Every message in flight, with repeats, in a stable order. */
  all(net: Net): string[];
  /** The messages in flight from `from` to `to`, with repeats (on a FIFO network, in queue order). */
  between(net: Net, from: string, to: string): string[];
  /** Rebuild with every key (and channel) transformed, for symmetry. */
  map(net: Net, f: (key: string) => string): Net;
}

const receiver = (key: string): string => key.slice(key.indexOf('→') + 1, key.indexOf(' ', key.indexOf('→')));
const channelOf = (key: string): string => key.slice(0, key.indexOf(' ', key.indexOf('→')));

function counted(duplicating: boolean): Network {
  type M = IMap<string, number>;
  const sortedKeys = (net: M): string[] => [...net.keys()].sort();
  return {
    kind: duplicating ? 'duplicating' : 'unordered',
    empty: IMap<string, number>(),
    send: (net, key) => {
      const m = net as M;
      if (duplicating) return m.has(key) ? m : m.set(key, 1);
      return m.set(key, (m.get(key) ?? 0) + 1);
    },
    deliverable: (net) => sortedKeys(net as M),
    consume: (net, key) => {
      if (duplicating) return net;
      const m = net as M;
      const n = m.get(key) ?? 0;
      return n <= 1 ? m.remove(key) : m.set(key, n - 1);
    },
    drops: (net) => {
      const m = net as M;
      return sortedKeys(m).map((key) => {
        const n = m.get(key)!;
        return { key, net: n <= 1 || duplicating ? m.remove(key) : m.set(key, n - 1) };
      });
    },
    duplicates: (net) => {
      if (duplicating) return [];
      const m = net as M;
      return sortedKeys(m).map((key) => ({ key, net: m.set(key, m.get(key)! + 1) }));
    },
    dropTo: (net, node) => {
      let m = net as M;
      const lost: string[] = [];
      for (const key of sortedKeys(m)) {
        if (receiver(key) !== node) continue;
        for (let i = 0; i < m.get(key)!; i++) lost.push(key);
        m = m.remove(key);
      }
      return { net: m, lost };
    },
    all: (net) => sortedKeys(net as M).flatMap((key) => Array<string>((net as M).get(key)!).fill(key)),
    between: (net, from, to) => {
      const prefix = `${from}→${to} `;
      return [...(net as M).keys()]
        .filter((key) => key.startsWith(prefix))
        .sort()
        .flatMap((key) => Array<string>((net as M).get(key)!).fill(key));
    },
    map: (net, f) => {
      let out = IMap<string, number>();
      for (const [key, n] of net as M) {
        const k = f(key);
        out = out.set(k, duplicating ? 1 : (out.get(k) ?? 0) + n);
      }
      return out;
    },
  };
}

function fifo(): Network {
  type M = IMap<string, List<string>>;
  const channels = (net: M): string[] => [...net.keys()].sort();
  const without = (m: M, ch: string, q: List<string>, i: number): M => (q.size === 1 ? m.remove(ch) : m.set(ch, q.remove(i)));
  return {
    kind: 'fifo',
    empty: IMap<string, List<string>>(),
    send: (net, key) => {
      const m = net as M;
      const ch = channelOf(key);
      return m.set(ch, (m.get(ch) ?? List<string>()).push(key));
    },
    deliverable: (net) => channels(net as M).map((ch) => (net as M).get(ch)!.first()!),
    consume: (net, key) => {
      const m = net as M;
      const ch = channelOf(key);
      const q = m.get(ch)!;
      return without(m, ch, q, 0);
    },
    drops: (net) => {
      const m = net as M;
      const out: NetChange[] = [];
      for (const ch of channels(m)) {
        const q = m.get(ch)!;
        // Losing either of two equal neighbours leaves the same queue: keep one outcome each.
        for (let i = 0; i < q.size; i++) if (i === 0 || q.get(i) !== q.get(i - 1)) out.push({ key: q.get(i)!, net: without(m, ch, q, i) });
      }
      return out;
    },
    duplicates: (net) => {
      const m = net as M;
      const out: NetChange[] = [];
      for (const ch of channels(m)) {
        const q = m.get(ch)!;
        // The copy arrives right behind the original (a retransmission seen twice).
        for (let i = 0; i < q.size; i++) if (i === 0 || q.get(i) !== q.get(i - 1)) out.push({ key: q.get(i)!, net: m.set(ch, q.insert(i + 1, q.get(i)!)) });
      }
      return out;
    },
    dropTo: (net, node) => {
      let m = net as M;
      const lost: string[] = [];
      for (const ch of channels(m)) {
        if (ch.slice(ch.indexOf('→') + 1) !== node) continue;
        lost.push(...m.get(ch)!);
        m = m.remove(ch);
      }
      return { net: m, lost };
    },
    all: (net) => channels(net as M).flatMap((ch) => [...(net as M).get(ch)!]),
    between: (net, from, to) => [...((net as M).get(`${from}→${to}`) ?? [])],
    map: (net, f) => {
      let out = IMap<string, List<string>>();
      for (const q of (net as M).values()) {
        const keys = q.map(f);
        out = out.set(channelOf(keys.first()!), keys);
      }
      return out;
    },
  };
}

export function network(kind: NetworkKind): Network {
  return kind === 'fifo' ? fifo() : counted(kind === 'duplicating');
}

export { receiver as receiverOf };
