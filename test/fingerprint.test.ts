import fc from 'fast-check';
import { fromJS, is, List, Map, OrderedMap, OrderedSet, Record, Set, Stack } from 'immutable';
import { describe, expect, it } from 'vitest';
import { fingerprintBigInt, fingerprintHex } from '../src/model/fingerprint.js';

/** Random plain JSON-like trees, turned into Immutable values with Maps and Lists. */
const leaf = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constantFrom('a', 'b', 'working', 'prepared', ''), fc.boolean(), fc.constant(null), fc.double({ noNaN: false }));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), tie('list'), tie('set')),
  map: fc.dictionary(fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'rm', 'type'), tie('node'), { maxKeys: 5 }).map((o) => Map(o)),
  list: fc.array(tie('node'), { maxLength: 4 }).map((a) => List(a)),
  set: fc.array(tie('node'), { maxLength: 4 }).map((a) => Set(a)),
})).node;

/** The same value rebuilt with every Map and Set filled in a shuffled order. */
function rebuildShuffled(x: unknown, rnd: () => number): unknown {
  const shuffle = <T>(a: T[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
  if (Map.isMap(x)) {
    let m = Map<unknown, unknown>();
    for (const [k, v] of shuffle([...(x as Map<unknown, unknown>).entries()])) m = m.set(k, rebuildShuffled(v, rnd));
    return m;
  }
  if (Set.isSet(x)) return Set<unknown>().withMutations((s) => { for (const v of shuffle([...(x as Set<unknown>)])) s.add(rebuildShuffled(v, rnd)); });
  if (List.isList(x)) return List((x as List<unknown>).map((v) => rebuildShuffled(v, rnd)));
  return x;
}

describe('fingerprints', () => {
  it('are equal for equal values built in shuffled insertion orders', () => {
    fc.assert(
      fc.property(tree, fc.integer(), (x, seed) => {
        let s = seed >>> 0;
        const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
        const y = rebuildShuffled(x, rnd);
        expect(is(x, y)).toBe(true);
        expect(fingerprintHex(y)).toBe(fingerprintHex(x));
      }),
      { numRuns: 2000 },
    );
  });

  it('differ whenever Immutable.is says the values differ (random pairs)', () => {
    fc.assert(
      fc.property(tree, tree, (x, y) => {
        if (!is(x, y)) expect(fingerprintHex(x)).not.toBe(fingerprintHex(y));
        else expect(fingerprintHex(x)).toBe(fingerprintHex(y));
      }),
      { numRuns: 5000 },
    );
  });

  it('are all distinct over a large sample of distinct small states', () => {
    // All 4^6 x 2^6 = 262,144 states of a 2PC-like shape (6 RM states, a set of up to 6 messages)
    // are structurally different: no two may share a fingerprint.
    const seen = new globalThis.Set<bigint>();
    const states = ['working', 'prepared', 'committed', 'aborted'];
    let n = 0;
    for (let code = 0; code < 4 ** 6 * 2 ** 6; code++) {
      let c = code;
      const rm = List([0, 1, 2, 3, 4, 5].map(() => { const v = states[c % 4]!; c = Math.floor(c / 4); return v; }));
      const msgs = Set([0, 1, 2, 3, 4, 5].filter((i) => (c >> i) & 1).map((i) => Map({ type: 'Prepared', rm: `r${i}` })));
      seen.add(fingerprintBigInt(Map({ rm, msgs })));
      n++;
    }
    expect(n).toBe(262_144);
    expect(seen.size).toBe(n);
  });

  it('tell types and nestings apart', () => {
    const values = [
      1, '1', 1.5, true, null, undefined, List([1]), Set([1]), OrderedSet([1]), Stack([1]), [1],
      Map({ a: 1 }), OrderedMap({ a: 1 }), { a: 1 }, Record({ a: 1 })(),
      List([List([1]), 2]), List([1, List([2])]), List([1, 2]), List([2, 1]),
      Map({ a: 1, b: 2 }), Map({ a: 2, b: 1 }), Map({ 1: 'a' }), Map([[1, 'a']]),
      Set(['a', 'b']), Set(['a']), Set([List(['a', 'b'])]), List(), Map(), Set(), '',
      fromJS({ x: [1, 2] }), fromJS({ x: [2, 1] }),
    ];
    const fps = values.map(fingerprintHex);
    expect(new globalThis.Set(fps).size).toBe(values.length);
  });

  it('are equal for Lists and Records however they were built (slices, shifts, long lists, defaults)', () => {
    for (const n of [0, 1, 5, 31, 32, 33, 100, 1100]) {
      const items = Array.from({ length: n }, (_, i) => `v${i}`);
      const direct = List(items);
      let pushed = List<string>();
      for (const v of items) pushed = pushed.push(v);
      const shifted = List(['x', 'y', ...items]).shift().shift();
      const unshifted = items.reduceRight((l, v) => l.unshift(v), List<string>());
      const sliced = List(['a', ...items, 'b']).slice(1, n + 1);
      const sized = List(items).setSize(n + 3).setSize(n);
      const fp = fingerprintHex(direct);
      for (const other of [pushed, shifted, unshifted, sliced, sized]) {
        expect(is(other, direct)).toBe(true);
        expect(fingerprintHex(other)).toBe(fp);
      }
      if (n > 0) expect(fingerprintHex(direct.set(n - 1, 'changed'))).not.toBe(fp);
    }
    const R = Record({ a: 1, b: List([2]) });
    expect(fingerprintHex(R({ a: 1 }))).toBe(fingerprintHex(R({ a: 5 }).set('a', 1)));
    expect(fingerprintHex(R())).toBe(fingerprintHex(R({ b: List([2]) })));
    expect(fingerprintHex(R({ a: 2 }))).not.toBe(fingerprintHex(R()));
  });

  it('follow Immutable.is on numbers: 0 equals -0, NaN equals NaN', () => {
    expect(fingerprintHex(List([0]))).toBe(fingerprintHex(List([-0])));
    expect(fingerprintHex(NaN)).toBe(fingerprintHex(0 / 0));
    expect(fingerprintHex(1)).not.toBe(fingerprintHex(1.0000001));
  });

  it('are the same for a cached collection and a fresh copy (the cache changes nothing)', () => {
    const a = Map({ x: List([1, 2, Set(['p', 'q'])]) });
    const first = fingerprintHex(a);
    expect(fingerprintHex(a)).toBe(first); // now cached
    expect(fingerprintHex(fromJS({ x: [1, 2, Set(['q', 'p'])] }))).toBe(first);
  });

  it('reject values that are not data', () => {
    expect(() => fingerprintHex(Map({ f: () => 1 }))).toThrow(/function/);
    expect(() => fingerprintHex(List([new Date()]))).toThrow(/Date/);
    expect(() => fingerprintHex(Map({ s: List([1]).toSeq() }))).toThrow(/Seq/);
  });
});
