/** Network semantics (src/actors/network.ts): what may be delivered, lost, copied, and kept in one shape per content. */
import { is } from 'immutable';
import { describe, expect, it } from 'vitest';
import { fingerprintHex } from '../src/model/fingerprint.js';
import { network, type Net } from '../src/actors/network.js';

const m = (from: string, to: string, type: string) => `${from}→${to} ${type}`;
const send = (kind: 'unordered' | 'duplicating' | 'fifo', ...keys: string[]): Net => keys.reduce((net, k) => network(kind).send(net, k), network(kind).empty);

describe('unordered network (a multiset)', () => {
  const n = network('unordered');
  it('keeps copies, delivers any message, one copy at a time', () => {
    const net = send('unordered', m('a', 'b', 'X'), m('c', 'b', 'Y'), m('a', 'b', 'X'));
    expect(n.all(net)).toEqual([m('a', 'b', 'X'), m('a', 'b', 'X'), m('c', 'b', 'Y')]);
    expect(n.deliverable(net)).toEqual([m('a', 'b', 'X'), m('c', 'b', 'Y')]);
    const once = n.consume(net, m('a', 'b', 'X'));
    expect(n.all(once)).toEqual([m('a', 'b', 'X'), m('c', 'b', 'Y')]);
    expect(n.all(n.consume(once, m('a', 'b', 'X')))).toEqual([m('c', 'b', 'Y')]);
  });
  it('a drop or a duplicate of each distinct message; a crash loses everything to the node', () => {
    const net = send('unordered', m('a', 'b', 'X'), m('a', 'b', 'X'), m('b', 'a', 'Z'));
    expect(n.drops(net).map((c) => [c.key, n.all(c.net).length])).toEqual([[m('a', 'b', 'X'), 2], [m('b', 'a', 'Z'), 2]]);
    expect(n.duplicates(net).map((c) => n.all(c.net).length)).toEqual([4, 4]);
    const { net: after, lost } = n.dropTo(net, 'b');
    expect(lost).toEqual([m('a', 'b', 'X'), m('a', 'b', 'X')]);
    expect(n.all(after)).toEqual([m('b', 'a', 'Z')]);
    expect(n.between(net, 'a', 'b')).toEqual([m('a', 'b', 'X'), m('a', 'b', 'X')]);
  });
  it('one shape per content: the same messages sent in any order are equal, and empty again is empty', () => {
    const x = send('unordered', m('a', 'b', 'X'), m('c', 'b', 'Y'));
    const y = send('unordered', m('c', 'b', 'Y'), m('a', 'b', 'X'));
    expect(fingerprintHex(x)).toBe(fingerprintHex(y));
    const emptied = n.consume(n.consume(x, m('a', 'b', 'X')), m('c', 'b', 'Y'));
    expect(is(emptied, n.empty)).toBe(true);
  });
  it('renames keys for symmetry, merging copies that become equal', () => {
    const net = send('unordered', m('a', 'b', 'X'), m('c', 'b', 'X'));
    const renamed = n.map(net, (k) => k.replace(/^c/, 'a'));
    expect(n.all(renamed)).toEqual([m('a', 'b', 'X'), m('a', 'b', 'X')]);
  });
});

describe('duplicating network (the set of messages ever sent)', () => {
  const n = network('duplicating');
  it('delivers a message any number of times and has nothing to duplicate', () => {
    const net = send('duplicating', m('a', 'b', 'X'), m('a', 'b', 'X'));
    expect(n.all(net)).toEqual([m('a', 'b', 'X')]);
    expect(n.consume(net, m('a', 'b', 'X'))).toBe(net);
    expect(n.duplicates(net)).toEqual([]);
    expect(n.all(n.drops(net)[0]!.net)).toEqual([]);
  });
});

describe('fifo network (a queue per channel)', () => {
  const n = network('fifo');
  it('delivers only the head of each channel, in order', () => {
    const net = send('fifo', m('a', 'b', 'X1'), m('a', 'b', 'X2'), m('c', 'b', 'Y'));
    expect(n.deliverable(net)).toEqual([m('a', 'b', 'X1'), m('c', 'b', 'Y')]);
    const next = n.consume(net, m('a', 'b', 'X1'));
    expect(n.deliverable(next)).toEqual([m('a', 'b', 'X2'), m('c', 'b', 'Y')]);
    expect(n.between(net, 'a', 'b')).toEqual([m('a', 'b', 'X1'), m('a', 'b', 'X2')]);
  });
  it('loses any one message (equal neighbours once), copies arrive right behind the original', () => {
    const net = send('fifo', m('a', 'b', 'X'), m('a', 'b', 'X'), m('a', 'b', 'Y'));
    expect(n.drops(net).map((c) => n.all(c.net))).toEqual([
      [m('a', 'b', 'X'), m('a', 'b', 'Y')],
      [m('a', 'b', 'X'), m('a', 'b', 'X')],
    ]);
    expect(n.duplicates(net).map((c) => n.all(c.net))).toEqual([
      [m('a', 'b', 'X'), m('a', 'b', 'X'), m('a', 'b', 'X'), m('a', 'b', 'Y')],
      [m('a', 'b', 'X'), m('a', 'b', 'X'), m('a', 'b', 'Y'), m('a', 'b', 'Y')],
    ]);
  });
  it('a crash empties the channels into the node; an emptied channel leaves no trace', () => {
    const net = send('fifo', m('a', 'b', 'X'), m('b', 'a', 'Z'));
    const { net: after, lost } = n.dropTo(net, 'b');
    expect(lost).toEqual([m('a', 'b', 'X')]);
    expect(fingerprintHex(after)).toBe(fingerprintHex(send('fifo', m('b', 'a', 'Z'))));
    expect(is(n.consume(after, m('b', 'a', 'Z')), n.empty)).toBe(true);
  });
});
