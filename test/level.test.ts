/** A BFS level's compact forms (src/check/level.ts): what goes in comes out equal, in order, laid out the same. */
import fc from 'fast-check';
import { is, List, Map as IMap, Record, Set as ISet } from 'immutable';
import { describe, expect, it } from 'vitest';
import { levelFor, sameLayout } from '../src/check/level.js';
import { fingerprintHex } from '../src/model/fingerprint.js';

const State = Record({ votes: List<string>(), phase: 'init', sent: ISet<string>(), round: 0 }, 'State');
const Other = Record({ votes: List<string>(), phase: 'init', sent: ISet<string>(), round: 0 }, 'Other');

const phases = ['init', 'voting', 'done'] as const;
const recordState = fc
  .record({
    votes: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    phase: fc.constantFrom(...phases),
    sent: fc.uniqueArray(fc.constantFrom('m1', 'm2', 'm3'), { maxLength: 3 }),
    round: fc.integer({ min: 0, max: 2 }),
    other: fc.boolean(),
  })
  // Fields set one by one, as a model's actions do: a field equal to its default is stored as such.
  .map(({ votes, phase, sent, round, other }) => (other ? Other() : State()).set('votes', List(votes)).set('phase', phase).set('sent', ISet(sent)).set('round', round));

/** What the level must preserve: equality, fingerprint, field order, and Immutable's own record equality. */
function same(a: unknown, b: unknown): void {
  expect(is(a, b)).toBe(true);
  expect(fingerprintHex(a)).toBe(fingerprintHex(b));
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
}

describe('levels of Record states', () => {
  it('give back each state equal to the one added, in order, even mixed with a state of another record type', () => {
    fc.assert(
      fc.property(fc.array(recordState, { minLength: 1, maxLength: 60 }), (states) => {
        const level = levelFor(State());
        for (const s of states) level.add(s);
        expect(level.size).toBe(states.length);
        for (const s of states) same(level.take(), s);
      }),
      { numRuns: 300 },
    );
  });

  it('keep one copy of a field value that many states share', () => {
    const level = levelFor(State());
    const big = List(Array.from({ length: 100 }, (_, i) => `v${i}`));
    // Equal but not the same object: two lists built apart.
    level.add(State({ votes: big, round: 1 }));
    level.add(State({ votes: List(big.toArray()), round: 2 }));
    const a = level.take() as ReturnType<typeof State>;
    const b = level.take() as ReturnType<typeof State>;
    expect(a.votes).toBe(b.votes);
    expect([a.round, b.round]).toEqual([1, 2]);
  });

  it('keep a field at its default a default, as the Record constructor does', () => {
    const level = levelFor(State());
    const explicit = State({ phase: 'init' });
    level.add(explicit);
    const back = level.take();
    same(back, explicit);
    expect(back.equals(State())).toBe(true);
  });
});

describe('levels of Map states', () => {
  const init = IMap<string, unknown>([
    ['rmState', IMap([['r1', 'working']])],
    ['tmState', 'init'],
    ['msgs', ISet()],
  ]);
  it('give back equal Maps with their keys in the same order, and Maps of other keys as they are', () => {
    const states = [
      init,
      init.set('tmState', 'committed'),
      init.set('msgs', ISet([IMap({ type: 'Commit' })])),
      init.delete('msgs'),
      init.delete('tmState').set('tmState', 'aborted'), // same keys, another order
      init.set('extra', 1),
    ];
    const level = levelFor(init);
    for (const s of states) level.add(s);
    for (const s of states) {
      const back = level.take() as IMap<string, unknown>;
      same(back, s);
      expect([...back.keys()]).toEqual([...s.keys()]);
    }
  });
});

describe('levels of other states', () => {
  it('hold plain values as they are', () => {
    const level = levelFor<unknown>({ a: 1 });
    const xs = [{ a: 1 }, { a: 2 }, 'x'];
    for (const x of xs) level.add(x);
    for (const x of xs) expect(level.take()).toBe(x);
  });
});

describe('sameLayout', () => {
  it('tells equal collections built in another order apart, and nothing else', () => {
    expect(sameLayout(ISet(['a', 'b']), ISet(['a', 'b']))).toBe(true);
    expect(sameLayout(ISet(['a', 'b']), ISet(['b', 'a']))).toBe(false);
    expect(is(ISet(['a', 'b']), ISet(['b', 'a']))).toBe(true);
    expect(sameLayout(List([IMap({ x: 1, y: 2 })]), List([IMap({ x: 1, y: 2 })]))).toBe(true);
    expect(sameLayout(List([IMap({ x: 1, y: 2 })]), List([IMap({ y: 2, x: 1 })]))).toBe(false);
    expect(sameLayout(State({ round: 1 }), State({ round: 1 }))).toBe(true);
    expect(sameLayout(State({ round: 1 }), Other({ round: 1 }))).toBe(false);
    expect(sameLayout(State({ round: 1 }), State({ round: 2 }))).toBe(false);
    expect(sameLayout(List([1]), ISet([1]))).toBe(false);
  });

  it('keeps a level from handing back a Set in another order than it was added', () => {
    const level = levelFor(State());
    level.add(State({ sent: ISet(['m1', 'm2']), round: 1 }));
    level.add(State({ sent: ISet(['m2', 'm1']), round: 2 }));
    level.take();
    expect([...(level.take() as ReturnType<typeof State>).sent]).toEqual(['m2', 'm1']);
  });
});
