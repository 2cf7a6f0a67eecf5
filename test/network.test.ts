/** Network semantics on packed words (src/actors/network.ts): what may be delivered, lost, copied, and kept in one shape per content. */
import { describe, expect, it } from 'vitest';
import type { Sum } from '../src/actors/hash.js';
import { network, type MessageFacts, type NetworkKind, Words } from '../src/actors/network.js';

// Three nodes a=0, b=1, c=2; channels numbered in the order of their names (a→b < a→c < b→a ...).
const nodes = ['a', 'b', 'c'];
const channels = nodes.flatMap((x) => nodes.map((y) => `${x}→${y}`)).sort();
const keys: string[] = [];
const facts: MessageFacts = { before: (x, y) => keys[x]! < keys[y]!, to: [], from: [], channel: [], hi: [], lo: [] };
/** The id of a message `from→to type` (numbered in order of first use, not of keys). */
const m = (from: string, to: string, type: string): number => {
  const key = `${from}→${to} ${type}`;
  let id = keys.indexOf(key);
  if (id < 0) {
    id = keys.push(key) - 1;
    facts.to.push(nodes.indexOf(to));
    facts.from.push(nodes.indexOf(from));
    facts.channel.push(channels.indexOf(`${from}→${to}`));
    // A content fingerprint of the key (any function of the key will do here).
    facts.hi.push([...key].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5));
    facts.lo.push([...key].reduce((h, c) => Math.imul(h + c.charCodeAt(0), 0x9e3779b1), 7));
  }
  return id;
};
// Ids in an order different from the keys' order, so that sorting by key is tested.
const Z = m('c', 'b', 'Z');
const X = m('a', 'b', 'X');
const Y = m('c', 'b', 'Y');
const X2 = m('a', 'b', 'X2');
const W = m('b', 'a', 'W');

/** The sum of a net's terms from scratch. */
function termsOf(kind: NetworkKind, w: number[]): Sum {
  const sum = { a: 0, b: 0 };
  network(kind, facts).terms(w, 0, sum);
  return sum;
}

/** A net with these messages sent in order (no header: the net starts at 0). */
function sent(kind: NetworkKind, ...ids: number[]): number[] {
  const out = new Words();
  const sum = { a: 0, b: 0 };
  for (const id of ids) network(kind, facts).send(out, 0, id, sum);
  const w = out.take();
  expect(sum).toEqual(termsOf(kind, w));
  return w;
}
const all = (kind: NetworkKind, w: number[]) => {
  const out: number[] = [];
  network(kind, facts).all(w, 0, out);
  return out.map((id) => keys[id]);
};
const deliverable = (kind: NetworkKind, w: number[]) => {
  const out: number[] = [];
  network(kind, facts).deliverable(w, 0, out);
  return out.map((id) => keys[id]);
};
/** Apply `f` to a copy of the net; the sum it keeps must match the terms of the result. */
function edit(kind: NetworkKind, w: number[], f: (out: Words, sum: Sum) => void): number[] {
  const out = new Words();
  network(kind, facts).copy(w, 0, out);
  const sum = termsOf(kind, w);
  f(out, sum);
  const after = out.take();
  expect(sum).toEqual(termsOf(kind, after));
  return after;
}

describe('unordered network (a multiset)', () => {
  const n = network('unordered', facts);
  it('keeps copies in key order, delivers any message, one copy at a time', () => {
    const w = sent('unordered', Z, X, Y, X);
    expect(all('unordered', w)).toEqual(['a→b X', 'a→b X', 'c→b Y', 'c→b Z']);
    expect(deliverable('unordered', w)).toEqual(['a→b X', 'c→b Y', 'c→b Z']);
    const once = edit('unordered', w, (o, sum) => n.consume(o, 0, X, sum));
    expect(all('unordered', once)).toEqual(['a→b X', 'c→b Y', 'c→b Z']);
    expect(all('unordered', edit('unordered', once, (o, sum) => n.consume(o, 0, X, sum)))).toEqual(['c→b Y', 'c→b Z']);
  });
  it('one loss or copy per distinct message; a crash loses everything to the node', () => {
    const w = sent('unordered', X, X, W);
    const points: number[] = [];
    n.lossPoints(w, 0, points);
    expect(points.filter((_, i) => i % 2 === 0).map((id) => keys[id])).toEqual(['a→b X', 'b→a W'].sort());
    const afterLoss = points.filter((_, i) => i % 2 === 1).map((p) => all('unordered', edit('unordered', w, (o, sum) => n.remove(o, 0, p, sum))));
    expect(afterLoss).toEqual([['a→b X', 'b→a W'], ['a→b X', 'a→b X']]);
    const copies: number[] = [];
    n.copyPoints(w, 0, copies);
    expect(copies.filter((_, i) => i % 2 === 1).map((p) => all('unordered', edit('unordered', w, (o, sum) => n.duplicate(o, 0, p, sum))).length)).toEqual([4, 4]);
    const after = edit('unordered', w, (o, sum) => n.dropTo(o, 0, nodes.indexOf('b'), sum));
    expect(all('unordered', after)).toEqual(['b→a W']);
    const between: number[] = [];
    n.between(w, 0, 0, 1, between);
    expect(between.map((id) => keys[id])).toEqual(['a→b X', 'a→b X']);
  });
  it('one shape per content: the same messages sent in any order give the same words; emptied is empty', () => {
    expect([...sent('unordered', X, Y, Z)]).toEqual([...sent('unordered', Z, Y, X)]);
    const emptied = edit('unordered', sent('unordered', X, Y), (o, sum) => (n.consume(o, 0, X, sum), n.consume(o, 0, Y, sum)));
    expect(emptied.length).toBe(0);
  });
  it('renames messages for symmetry, back into key order', () => {
    const w = sent('unordered', X, Z);
    const out = new Words();
    n.map(w, 0, (id) => (id === X ? W : id), out);
    expect(all('unordered', out.take())).toEqual(['b→a W', 'c→b Z']);
  });
  it('the terms of a net do not depend on ids or order, only on the messages and their copies', () => {
    expect(termsOf('unordered', sent('unordered', X, Y))).toEqual(termsOf('unordered', sent('unordered', Y, X)));
    expect(termsOf('unordered', sent('unordered', X, X))).not.toEqual(termsOf('unordered', sent('unordered', X)));
    // Renamed by a bijection, the terms are those of the renamed net as `map` writes it.
    const f = (id: number) => (id === X ? W : id === W ? X : id);
    const w = sent('unordered', X, Z, Z);
    const mapped = new Words();
    n.map(w, 0, f, mapped);
    const sum = { a: 0, b: 0 };
    n.terms(w, 0, sum, f);
    expect(sum).toEqual(termsOf('unordered', mapped.take()));
  });
});

describe('duplicating network (the set of messages ever sent)', () => {
  const n = network('duplicating', facts);
  it('delivers a message any number of times and has nothing to duplicate', () => {
    const w = sent('duplicating', X, X);
    expect(all('duplicating', w)).toEqual(['a→b X']);
    expect([...edit('duplicating', w, (o, sum) => n.consume(o, 0, X, sum))]).toEqual([...w]);
    const copies: number[] = [];
    n.copyPoints(w, 0, copies);
    expect(copies).toEqual([]);
    const points: number[] = [];
    n.lossPoints(w, 0, points);
    expect(all('duplicating', edit('duplicating', w, (o, sum) => n.remove(o, 0, points[1]!, sum)))).toEqual([]);
  });
});

describe('fifo network (a queue per channel)', () => {
  const n = network('fifo', facts);
  it('delivers only the head of each channel, channels in the order of their names', () => {
    const w = sent('fifo', Y, X2, X);
    expect(deliverable('fifo', w)).toEqual(['a→b X2', 'c→b Y']);
    const next = edit('fifo', w, (o, sum) => n.consume(o, 0, X2, sum));
    expect(deliverable('fifo', next)).toEqual(['a→b X', 'c→b Y']);
    const between: number[] = [];
    n.between(w, 0, 0, 1, between);
    expect(between.map((id) => keys[id])).toEqual(['a→b X2', 'a→b X']);
  });
  it('loses any one message (equal neighbours once); a copy arrives right behind the original', () => {
    const w = sent('fifo', X, X, X2);
    const points: number[] = [];
    n.lossPoints(w, 0, points);
    expect(points.filter((_, i) => i % 2 === 1).map((p) => all('fifo', edit('fifo', w, (o, sum) => n.remove(o, 0, p, sum))))).toEqual([
      ['a→b X', 'a→b X2'],
      ['a→b X', 'a→b X'],
    ]);
    expect(points.filter((_, i) => i % 2 === 1).map((p) => all('fifo', edit('fifo', w, (o, sum) => n.duplicate(o, 0, p, sum))))).toEqual([
      ['a→b X', 'a→b X', 'a→b X', 'a→b X2'],
      ['a→b X', 'a→b X', 'a→b X2', 'a→b X2'],
    ]);
  });
  it('a crash empties the channels into the node; an emptied channel leaves no trace', () => {
    const w = sent('fifo', X, W);
    const after = edit('fifo', w, (o, sum) => n.dropTo(o, 0, nodes.indexOf('b'), sum));
    expect([...after]).toEqual([...sent('fifo', W)]);
    expect(edit('fifo', after, (o, sum) => n.consume(o, 0, W, sum)).length).toBe(0);
  });
});
