/** Compiling a Spec (src/check/compile.ts): successors in order, labels, families, keys, errors. */
import { List, Map } from 'immutable';
import { describe, expect, it } from 'vitest';
import { compile, SuccessorBuffer } from '../src/check/compile.js';
import { fpHigh, fpLow } from '../src/model/fingerprint.js';
import { each, spec } from '../src/index.js';

type S = Map<string, number>;
const st = (x: number, y = 0): S => Map({ x, y });

function successors<T>(m: ReturnType<typeof compile<T>>, s: T): { label: string; family: string; state: T }[] {
  const buf = new SuccessorBuffer<T>();
  m.expand(s, buf);
  return Array.from({ length: buf.length }, (_, j) => ({ label: m.label(buf, j), family: m.families[buf.families[j]!]!, state: buf.states[j]! }));
}

const key = <T>(m: ReturnType<typeof compile<T>>, s: T) => (m.key(s), `${fpHigh()}:${fpLow()}`);

describe('compile', () => {
  it('tries actions in the order written, `each` once per argument, then next', () => {
    const m = compile(
      spec<S>({
        init: [st(0)],
        actions: {
          Inc: (s) => s.update('x', (x) => x! + 1),
          Set: each([5, 7], (s, v) => s.set('y', v)),
          Never: () => null,
          Both: (s) => [s.set('x', 10), s.set('x', 11)],
        },
        next: function* (s) {
          yield { action: 'Reset(all)', state: st(0) };
          yield { action: 'Tick', state: s, family: 'clock' };
        },
      }),
    );
    const succ = successors(m, st(1));
    expect(succ.map((x) => x.label)).toEqual(['Inc', 'Set(5)', 'Set(7)', 'Both', 'Both', 'Reset(all)', 'Tick']);
    expect(succ.map((x) => x.family)).toEqual(['Inc', 'Set', 'Set', 'Both', 'Both', 'Reset', 'clock']);
    expect(succ.map((x) => x.state.toJS())).toEqual([{ x: 2, y: 0 }, { x: 1, y: 5 }, { x: 1, y: 7 }, { x: 10, y: 0 }, { x: 11, y: 0 }, { x: 0, y: 0 }, { x: 1, y: 0 }]);
    expect(m.families).toEqual(['Inc', 'Set', 'Never', 'Both', 'Reset', 'clock']);
  });

  it('`each(..., when)` asks `when` once and skips every argument when it is false', () => {
    let asked = 0;
    const m = compile(spec<S>({ init: [st(0)], actions: { Pick: each([1, 2, 3], (s, v) => s.set('x', v), (s) => (asked++, s.get('x') === 0)) } }));
    expect(successors(m, st(0))).toHaveLength(3);
    expect(successors(m, st(9))).toHaveLength(0);
    expect(asked).toBe(2);
  });

  it('names the action that threw, with its argument', () => {
    const m = compile(spec<S>({ init: [st(0)], actions: { Div: each([0, 1], (s, d) => { if (d === 0) throw new Error('zero'); return s; }) } }));
    expect(() => successors(m, st(0))).toThrow(/Div\(0\)/);
  });

  it('rejects malformed specs in words', () => {
    expect(() => compile({ init: [] } as never)).toThrow(/no initial state/);
    expect(() => compile({ init: [1] } as never)).toThrow(/neither next nor actions/);
    expect(() => compile({ init: [1], actions: { A: 3 } } as never)).toThrow(/action A must be a function/);
    expect(() => compile({ init: [1], actions: {}, invariants: { I: 'x' } } as never)).toThrow(/invariant I must be a function/);
    expect(() => compile({ init: [1], actions: {}, canonical: (s: number) => s, symmetry: () => [] } as never)).toThrow(/either canonical or symmetry/);
    expect(() => compile({ init: [1], actions: {} }, { witness: 'Nope' })).toThrow(/unknown witness "Nope"/);
  });

  it('a witness search turns the witness into the only invariant and stops counting deadlocks', () => {
    const m = compile(spec<S>({ init: [st(0)], actions: {}, invariants: { Small: (s) => s.get('x')! < 5 }, witnesses: { Big: (s) => s.get('x')! > 3 } }), { witness: 'Big' });
    expect(m.invariants.map((i) => i.name)).toEqual(['Big']);
    expect(m.invariants[0]!.holds(st(4))).toBe(false);
    expect(m.deadlock).toBe(false);
    expect(m.witness).toBe('Big');
  });

  it('keys states by their symmetry orbit (least fingerprint of the images), or not with symmetry off', () => {
    // Two interchangeable slots: a state and its swap are one orbit.
    const swap = (s: List<number>) => List([s.get(1)!, s.get(0)!]);
    const sp = spec<List<number>>({ init: [List([0, 0])], actions: {}, symmetry: (s) => [swap(s)] });
    const on = compile(sp);
    const off = compile(sp, { symmetry: false });
    expect(key(on, List([1, 2]))).toBe(key(on, List([2, 1])));
    expect(key(off, List([1, 2]))).not.toBe(key(off, List([2, 1])));
    expect(on.reduced).toBe(true);
    expect(off.reduced).toBe(false);
  });

  it('keys by the normal form even with symmetry off, and knows the constraint', () => {
    const sp = spec<S>({ init: [st(0)], actions: {}, normalize: (s) => s.set('x', s.get('x')! % 3), constraint: (s) => s.get('y')! < 2 });
    const m = compile(sp, { symmetry: false });
    expect(key(m, st(1))).toBe(key(m, st(4)));
    expect(key(m, st(1))).not.toBe(key(m, st(2)));
    expect(m.beyond!(st(0, 1))).toBe(false);
    expect(m.beyond!(st(0, 2))).toBe(true);
  });
});
