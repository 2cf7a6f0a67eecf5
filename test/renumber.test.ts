/**
 * Normal forms (Spec.normalize), constraints (Spec.constraint) and the actor layer's renumbering,
 * on models small enough to enumerate by hand.
 */
import { Map as IMap, Record, Set as ISet } from 'immutable';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/check/compile.js';
import { bfs, explore } from '../src/check/bfs.js';
import { checkLiveness } from '../src/check/liveness.js';
import { defineActorModel, role, system } from '../src/index.js';
import { eventually, spec } from '../src/index.js';

// Two tickets a and b; either may jump above both (a := max(a, b) + 1). 0 means "no ticket yet".
// Only the order and distance of positive tickets matter, so the model shifts them down until the
// least is 1, and explores only states whose tickets differ by at most 1.
const Tickets = Record({ a: 0, b: 0 });
type Tickets = ReturnType<typeof Tickets>;
const shift = (s: Tickets): Tickets => {
  const least = Math.min(...[s.a, s.b].filter((x) => x > 0));
  if (!Number.isFinite(least) || least === 1) return s;
  const f = (x: number) => (x > 0 ? x - (least - 1) : 0);
  return Tickets({ a: f(s.a), b: f(s.b) });
};
const tickets = (withShift: boolean) =>
  spec({
    init: [Tickets()],
    actions: {
      a: (s: Tickets) => s.set('a', Math.max(s.a, s.b) + 1),
      b: (s: Tickets) => s.set('b', Math.max(s.a, s.b) + 1),
    },
    ...(withShift ? { normalize: shift } : {}),
    constraint: (s: Tickets) => Math.abs(s.a - s.b) <= 1 || s.a === 0 || s.b === 0,
    properties: { Tie: eventually((s: Tickets) => s.a === s.b && s.a > 0) },
  });

describe('normal forms and constraints', () => {
  it('explores one state per normal form, and does not expand states beyond the constraint', () => {
    // By hand: (0,0); (1,0), (0,1); (1,2), (2,1); then (1,2) →a (3,2) ≡ (2,1), →b (1,3) beyond;
    // (2,1) →a (3,1) beyond, →b (2,3) ≡ (1,2). (1,0) →a (2,0) ≡ (1,0). Seven states, two beyond.
    const r = explore(tickets(true));
    expect(r.result).toBe('ok');
    expect(r.complete).toBe(true);
    expect(r.stats.distinctStates).toBe(7);
    expect(r.stats.beyondConstraint).toBe(2);
    expect(r.stats.diameter).toBe(3);
  });

  it('without the normal form the same constraint still bounds the search, with more states', () => {
    // By hand, level by level: (0,0); (1,0), (0,1); (2,0), (1,2), (2,1), (0,2); (3,0), (2,3), (3,2),
    // (0,3) and the beyond (1,3), (3,1); (4,0), (3,4), (4,3), (0,4) and the beyond (2,4), (4,2). A
    // pair (k, 0) grows for ever (the constraint lets it through), so bound the depth: 19 states
    // down to depth 4, the two beyond at depth 3 found so when expanding it (those at 4 are not
    // looked at), where the normal form needed 7 in all.
    const r = explore(tickets(false), { maxDepth: 4 });
    expect(r.complete).toBe(false);
    expect(r.stats.distinctStates).toBe(1 + 2 + 4 + 6 + 6);
    expect(r.stats.beyondConstraint).toBe(2);
  });

  it('a cycle up to renumbering is a liveness lasso, and its trace stays concrete', () => {
    const m = compile(tickets(true), { symmetry: false });
    const r = checkLiveness(m, m.properties);
    expect(r.violation).toMatchObject({ name: 'Tie', shape: 'lasso' });
    const v = r.violation!;
    const states = v.trace.map((t) => [t.state.a, t.state.b]);
    // The shortest stem reaches (1,2) in two steps; the cycle a, b raises both tickets by 2 and
    // comes back to (1,2) shifted: (3,2), (3,4).
    expect(states).toEqual([[0, 0], [1, 0], [1, 2], [3, 2], [3, 4]]);
    expect(v.loop).toBe(2);
    expect(v.explanation).toContain('up to the model');
    // Each step of the concrete trace is a real step of the model.
    for (let k = 1; k < v.trace.length; k++) {
      const [pa, pb] = states[k - 1]!;
      const [na, nb] = states[k]!;
      const top = Math.max(pa!, pb!) + 1;
      expect((na === top && nb === pb) || (nb === top && na === pa)).toBe(true);
    }
  });

  it('a state beyond the constraint is never a stuck state', () => {
    // Only a moves: (0,0) → (1,0) → (2,0) ≡ (1,0) with the shift; with a constraint that stops at
    // a = 1 there is nothing after (1,0), yet it is not stuck: it is unexplored.
    const m = compile(
      spec({
        init: [Tickets()],
        actions: { a: (s: Tickets) => s.set('a', s.a + 1) },
        constraint: (s: Tickets) => s.a < 1,
        properties: { Never: eventually((s: Tickets) => s.a > 5) },
      }),
      { symmetry: false },
    );
    const safety = bfs(m);
    expect(safety.stats).toMatchObject({ distinctStates: 2, beyondConstraint: 1 });
    expect(checkLiveness(m, m.properties).violation).toBeNull();
  });
});

// An actor system whose ballots live in node fields, a map keyed by ballot, a ghost and messages.
const Seen = Record({ n: 0, who: '' });
const ballots = defineActorModel({
  name: 'ballots',
  build: () =>
    system({
      network: 'unordered',
      ghost: ISet<ReturnType<typeof Seen>>(),
      roles: {
        node: role({
          ids: ['x', 'y'],
          durable: { ballot: 0, other: 0, log: IMap<number, string>(), count: 7 },
          start: (self, ctx) => {
            const n = ctx.id === 'x' ? 5 : 6;
            ctx.send(ctx.id === 'x' ? 'y' : 'x', { type: 'Tell', n, note: 3 });
            ctx.updateGhost((g: ISet<ReturnType<typeof Seen>>) => g.add(Seen({ n, who: ctx.id })));
            return self.set('ballot', n).set('log', IMap([[n, ctx.id]]));
          },
          on: { Tell: (self, msg: { type: 'Tell'; n: number }) => self.set('other', msg.n) },
        }),
      },
      renumber: { fields: ['ballot', 'other', 'log', 'n'], stride: 2 },
    }),
});

describe('renumbering in actor systems', () => {
  it('shifts every named number — fields, map keys of named fields, ghost, messages — by a multiple of the stride', () => {
    const s = ballots.build({ variant: 'default', params: {}, faults: {} });
    const init = s.init[0]!;
    const n = s.normalize!(init);
    // Least ballot 5; the shift is the largest multiple of 2 below 5 - 1 + 1: 4. So 5 → 1, 6 → 2.
    // `count` (7) and the message's `note` (3) are not named: they stay.
    const x = n.nodes.get('x') as unknown as { ballot: number; other: number; log: IMap<number, string>; count: number };
    expect([x.ballot, x.other, x.count, [...x.log.keys()]]).toEqual([1, 0, 7, [1]]);
    expect((n.nodes.get('y') as unknown as { ballot: number }).ballot).toBe(2);
    expect([...(n.ghost as ISet<ReturnType<typeof Seen>>)].map((g) => g.n).sort()).toEqual([1, 2]);
    expect([...(n.net as IMap<string, number>).keys()].sort()).toEqual(['x→y Tell {"n":1,"note":3}', 'y→x Tell {"n":2,"note":3}']);
    // Normal forms are fixed points, and the original is left alone.
    expect(s.normalize!(n)).toBe(n);
    expect((init.nodes.get('x') as unknown as { ballot: number }).ballot).toBe(5);
  });
});
