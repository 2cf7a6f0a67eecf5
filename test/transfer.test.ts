import { fromJS, is, List, Map, OrderedMap, OrderedSet, Record, Set, Stack } from 'immutable';
import { describe, expect, it } from 'vitest';
import { fingerprintHex } from '../src/model/fingerprint.js';
import { decode, encode, UnknownRecordType } from '../src/check/transfer.js';

describe('moving states between threads', () => {
  it('rebuilds every kind of value equal, with the same fingerprint', () => {
    const Msg = Record({ type: 'Prepare', from: '', to: '' }, 'Msg');
    const values = [
      Map({ a: 1, b: List([1, 'x', null, true]) }),
      Set([Map({ type: 'Commit' }), 'Abort']),
      OrderedMap([['z', 1], ['a', 2]]),
      OrderedSet([3, 1, 2]),
      Stack([1, 2]),
      Map([[List([1]), Set(['k'])]]),
      Map({ msgs: Set([Msg({ from: 'c', to: 'p1' }), Msg({ type: 'Vote' })]) }),
      fromJS({ nested: { deep: [1, 2, { x: 'y' }] } }),
    ];
    for (const v of values) {
      const back = decode(structuredClone(encode(v)));
      expect(is(back, v)).toBe(true);
      expect(fingerprintHex(back)).toBe(fingerprintHex(v));
    }
    // Plain arrays and objects are equal by structure for faultline (Immutable.is compares them by
    // identity), so only the fingerprint can say they came back the same.
    const plain = Map({ plain: [1, { a: 2 }] });
    expect(fingerprintHex(decode(structuredClone(encode(plain))))).toBe(fingerprintHex(plain));
  });

  it('refuses a Record type this thread has never met', () => {
    expect(() => decode(['R', 'Unknown|a,b', 'a', 1, 'b', 2])).toThrow(UnknownRecordType);
  });
});
