/**
 * The actor layer on systems small enough to count by hand. Each expected number is derived in
 * the comment above it, from the semantics in docs/actors.md, not from faultline's output.
 */
import { List, Set as ISet } from 'immutable';
import { describe, expect, it } from 'vitest';
import { compile, SuccessorBuffer } from '../src/check/compile.js';
import { fpHigh, fpLow } from '../src/model/fingerprint.js';
import { bfs, explore } from '../src/check/bfs.js';
import { defineActorModel, role, system, type WorldState, type NetworkKind, type PartitionShapes } from '../src/index.js';
import voting from './fixtures/voting.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import { toPlain, type AnyModel, type Spec } from '../src/index.js';

function specOf(model: unknown, params: Record<string, unknown> = {}, faults: Record<string, unknown> = {}, variant?: string): Spec<WorldState> {
  const m = model as AnyModel;
  return buildSpec(m, resolveConfig(m, variant, params, faults)) as Spec<WorldState>;
}
/** The successors of a state, with their labels and events, as the explorer sees them. */
function stepsOf(spec: Spec<WorldState>, s: WorldState): { action: string; state: WorldState; event: ReturnType<SuccessorBuffer<WorldState>['event']> }[] {
  const m = compile(spec, { symmetry: false });
  const buf = new SuccessorBuffer<WorldState>();
  m.expand(s, buf);
  return Array.from({ length: buf.length }, (_, j) => ({ action: m.label(buf, j), state: buf.states[j]!, event: buf.event(j) }));
}
const count = (model: unknown, params: Record<string, unknown> = {}, faults: Record<string, unknown> = {}) => explore(specOf(model, params, faults)).stats.distinctStates;

/** Sender s sends A then B to receiver r at start; r appends what it gets to a list (or adds to a set). */
const twoMessages = defineActorModel({
  name: 'two-messages',
  params: {
    network: { default: 'unordered', choices: ['unordered', 'duplicating', 'fifo'] },
    record: { default: 'list', choices: ['list', 'set'] },
    messages: { default: 2, min: 1, max: 2 },
  },
  faults: {},
  build: ({ params }) =>
    system({
      network: params.network as NetworkKind,
      roles: {
        sender: role({
          ids: ['s'],
          durable: {},
          start: (self, ctx) => {
            ctx.send('r', { type: 'A' });
            if (params.messages > 1) ctx.send('r', { type: 'B' });
            return self;
          },
        }),
        receiver: role({
          ids: ['r'],
          durable: { got: List<string>(), seen: ISet<string>() },
          on: {
            A: (self) => (params.record === 'list' ? self.set('got', self.got.push('A')) : self.set('seen', self.seen.add('A'))),
            B: (self) => (params.record === 'list' ? self.set('got', self.got.push('B')) : self.set('seen', self.seen.add('B'))),
          },
        }),
      },
      invariants: {
        // Every message in flight goes from s to r; on that channel A (sent first) comes before B,
        // on a FIFO network by its queue and otherwise by the stable order. Holds under any fault.
        InFlight: (w) => {
          const between = w.messagesBetween('s', 'r');
          const types = between.map((m) => m.type).join('');
          return (
            between.length === w.messages().length &&
            between.every((m) => m.from === 's' && m.to === 'r') &&
            /^A*B*$/.test(types) &&
            w.messagesBetween('s', 'r', 'B').length === types.replace(/A/g, '').length &&
            w.messagesBetween('r', 's').length === 0
          );
        },
      },
    }),
});

describe('network semantics', () => {
  it('unordered: either message first', () => {
    // (in flight | received): {A,B}|[] → {B}|[A], {A}|[B] → {}|[A,B], {}|[B,A]: 5 states.
    const r = explore(specOf(twoMessages));
    expect(r.stats.distinctStates).toBe(5);
    expect(r.stats.diameter).toBe(2);
    // With a set at the receiver both orders end in the same state: 4.
    expect(count(twoMessages, { record: 'set' })).toBe(4);
  });

  it('fifo: one channel delivers in send order', () => {
    // [A,B]|[] → [B]|[A] → []|[A,B]: 3 states.
    expect(count(twoMessages, { network: 'fifo' })).toBe(3);
  });

  it('messagesBetween: the messages of a channel in order, by type on request (the InFlight invariant, under loss and copies)', () => {
    for (const network of ['unordered', 'fifo']) expect(explore(specOf(twoMessages, { network }, { drop: 1, duplicate: 1 })).result).toBe('ok');
    expect(explore(specOf(twoMessages, { network: 'duplicating', record: 'set' }, { drop: 1 })).result).toBe('ok');
  });

  it('duplicating: a message stays deliverable, and a delivery that changes nothing is a self-loop', () => {
    // The network stays {A,B}; the receiver's set is any subset of {A,B}: 4 states.
    const r = explore(specOf(twoMessages, { network: 'duplicating', record: 'set' }));
    expect(r.stats.distinctStates).toBe(4);
    // Every state has two deliveries (re-deliveries included): 1 initial + 4·2 generated.
    expect(r.stats.generatedStates).toBe(9);
  });
});

describe('faults, one at a time', () => {
  it('drop on an unordered network', () => {
    // (net, received, drops left): {A,B},[],1 → {B},[A],1  {A},[B],1  {B},[],0  {A},[],0
    // → {},[A,B],1  {},[A],0  {},[B,A],1  {},[B],0 (reached again from {B},[],0 and {A},[],0): 9.
    expect(count(twoMessages, {}, { drop: 1 })).toBe(9);
  });

  it('drop on a fifo channel may lose any queued message', () => {
    // [A,B],[],1 → [B],[A],1  [B],[],0  [A],[],0 → [],[A,B],1  [],[A],0  [],[B],0: 7.
    expect(count(twoMessages, { network: 'fifo' }, { drop: 1 })).toBe(7);
  });

  it('duplicate makes a second copy in flight', () => {
    // One message A: {A},[],1 → {},[A],1 and {A,A},[],0 → {A},[A],0 → {},[A,A],0: 5 states.
    expect(count(twoMessages, { messages: 1 }, { duplicate: 1 })).toBe(5);
    // A duplicating network already re-delivers: the duplicate fault adds nothing there.
    expect(count(twoMessages, { messages: 1, network: 'duplicating', record: 'set' }, { duplicate: 1 })).toBe(2);
  });

  it('rejects unknown faults and bad budgets in one line', () => {
    expect(() => specOf(twoMessages, {}, { flood: 1 })).toThrow(/unknown fault "flood" for two-messages; faults: crash, restart, drop, duplicate, partition/);
    expect(() => specOf(twoMessages, {}, { drop: -1 })).toThrow(/fault budget drop of two-messages must be a whole number/);
  });
});

/** One node: durable d, volatile v; it may bump (v: 0 → 1, d + 1) while v is 0 and d < 2. */
const bumper = defineActorModel({
  name: 'bumper',
  faults: { crash: 1, restart: 1 },
  build: () =>
    system({
      roles: {
        node: role({
          ids: ['n'],
          durable: { d: 0 },
          volatile: { v: 0 },
          steps: { bump: (self) => (self.v === 0 && self.d < 2 ? self.set('v', 1).set('d', self.d + 1) : null) },
        }),
      },
      invariants: { BelowTwo: (w) => w.get('node', 'n').d < 2 },
    }),
});

describe('crash and restart', () => {
  it('a crash loses volatile state and keeps durable state', () => {
    // (d, v, up, crash left, restart left):
    //   0,0,up,1,1 → 1,1,up,1,1 (bump) and 0,0,down,0,1 (crash)
    //   1,1,up,1,1 → 1,0,down,0,1 (crash: v lost, d kept) → 1,0,up,0,0 → 2,1,up,0,0
    //   0,0,down,0,1 → 0,0,up,0,0 → 1,1,up,0,0
    // 8 states; d reaches 2 only through a crash (v blocks a second bump).
    const spec = specOf(bumper);
    const all = explore(spec, { deadlock: false });
    expect(all.stats.distinctStates).toBe(8);
    const r = explore({ ...spec, invariants: { BelowTwo: spec.invariants!.BelowTwo! } });
    expect(r.result).toBe('violation');
    expect(r.violation!.trace.map((t) => t.action)).toEqual([null, 'n bump', 'crash n', 'restart n', 'n bump']);
    const afterCrash = r.violation!.trace[2]!.state;
    expect(toPlain(afterCrash.nodes.get('n'))).toEqual({ d: 1, v: 0 });
    expect(afterCrash.down.has('n')).toBe(true);
    expect(r.violation!.trace[2]!.event).toEqual({ kind: 'crash', node: 'n', lost: [] });
    // Without restarts the node stays down: 0,0,up → 1,1,up; crash from either: 4 states.
    expect(count(bumper, {}, { restart: 0 })).toBe(4);
  });

  it('a down node takes no steps, receives nothing, and loses the messages in flight to it', () => {
    const spec = specOf(twoMessages, {}, { crash: 2 });
    const c = compile(spec);
    const s0 = spec.init[0]!;
    const succ = stepsOf(spec, s0);
    const crash = succ.find((x) => x.action === 'crash r')!;
    expect(crash.event).toMatchObject({ kind: 'crash', node: 'r', lost: [{ type: 'A' }, { type: 'B' }] });
    expect(crash.state.net.size).toBe(0);
    // After r's crash: nothing to deliver; with one crash left, s may crash too.
    expect(stepsOf(spec, crash.state).map((x) => x.action)).toEqual(['crash s']);
    expect(c.isFault('crash')).toBe(true);
  });
});

/** A node that arms timer t at start; t counts firings up to 2 and re-arms itself below 2. */
const ticker = defineActorModel({
  name: 'ticker',
  faults: { crash: 1 },
  build: () =>
    system({
      roles: {
        node: role({
          ids: ['n'],
          durable: { fired: 0 },
          start: (self, ctx) => {
            ctx.setTimer('t');
            return self;
          },
          timers: {
            t: (self, ctx) => {
              if (self.fired + 1 < 2) ctx.setTimer('t');
              return self.set('fired', self.fired + 1);
            },
          },
        }),
      },
    }),
});

/** s sends M to r; r arms timer t at start. */
const raceModel = (timers: 'any' | 'quiet', partitions?: PartitionShapes) =>
  defineActorModel({
    name: 'race',
    faults: { partition: 1 },
    build: () =>
      system({
        timers,
        ...(partitions ? { partitions } : {}),
        roles: {
          sender: role({ ids: ['s'], durable: {}, start: (self, ctx) => (ctx.send('r', { type: 'M' }), self) }),
          receiver: role({
            ids: ['r'],
            durable: { got: false, fired: false },
            start: (self, ctx) => (ctx.setTimer('t'), self),
            on: { M: (self) => self.set('got', true) },
            timers: { t: (self) => self.set('fired', true) },
          }),
        },
      }),
  });

describe('durable fields a crash forgets (role forget)', () => {
  it('a crash resets the forgotten fields and the volatile ones, and keeps the other durable ones', () => {
    const r = role({ ids: ['n'], durable: { kept: 0, lost: 0 }, volatile: { v: 0 }, forget: ['lost'] });
    const s = r.initial.set('kept', 5).set('lost', 6).set('v', 7);
    expect(r.crash(s).toJS()).toEqual({ kept: 5, lost: 0, v: 0 });
    expect(r.durableFields).toEqual(['kept']);
    expect(r.volatileFields).toEqual(['v', 'lost']);
  });

  it('forgetting a field that is not durable is an error', () => {
    // @ts-expect-error -- v is not a durable field
    expect(() => role({ ids: ['n'], durable: { kept: 0 }, volatile: { v: 0 }, forget: ['v'] })).toThrow('role field v in forget is not a durable field');
  });
});

describe('timers', () => {
  it('fire at any step once armed, and a crash clears them', () => {
    // fired 0 (armed) → 1 (armed) → 2 (not armed): 3 states up; a crash from each: 3 more.
    expect(count(ticker)).toBe(6);
    expect(count(ticker, {}, { crash: 0 })).toBe(3);
  });

  it('quiet timers wait while a message to the node can be delivered', () => {
    // any: (got, fired) ∈ {ff, tf, ft, tt}: 4 states. quiet: ff → tf → tt: 3.
    expect(count(raceModel('any'), {}, { partition: 0 })).toBe(4);
    expect(count(raceModel('quiet'), {}, { partition: 0 })).toBe(3);
  });

  it('a partition blocks delivery across it until the heal; a quiet timer may then fire', () => {
    const spec = specOf(raceModel('quiet'));
    const cut = stepsOf(spec, spec.init[0]!).find((x) => x.action.startsWith('partition'))!;
    expect(cut.action).toBe('partition s | r');
    expect(cut.event).toEqual({ kind: 'partition', sides: [['s'], ['r']] });
    // M cannot cross, so the quiet timer may fire; the heal is always possible.
    expect(stepsOf(spec, cut.state).map((x) => x.action)).toEqual(['r timeout t', 'heal']);
  });
});

/** n nodes that do nothing: the states are the partitions. */
const idle = (n: number, partitions: PartitionShapes) =>
  defineActorModel({
    name: 'idle',
    faults: { partition: 1 },
    build: () => system({ partitions, roles: { node: role({ ids: ['a', 'b', 'c', 'd', 'e'].slice(0, n), durable: {} }) } }),
  });

describe('partition shapes', () => {
  // States: no cut with the budget, each split (budget spent), and healed: splits + 2.
  it('any: every split into two non-empty sides, 2^(n-1) - 1 of them', () => {
    expect(count(idle(4, 'any'))).toBe(7 + 2);
    expect(count(idle(5, 'any'))).toBe(15 + 2);
  });
  it('isolate: one node against the rest, n splits', () => {
    expect(count(idle(4, 'isolate'))).toBe(4 + 2);
  });
  it('majority: no split into equal halves; with 4 nodes, the 3 of the 7 splits that are 2|2 are left out', () => {
    expect(count(idle(4, 'majority'))).toBe(4 + 2);
    expect(count(idle(5, 'majority'))).toBe(15 + 2);
  });
  it('named sides', () => {
    expect(count(idle(4, [['a', 'b'], ['c']]))).toBe(2 + 2);
    expect(() => count(idle(3, [['a', 'x']]))).toThrow(/partitions: unknown node "x"/);
  });
});

/** JSON with object keys sorted: a canonical text of a state, independent of faultline's hashing. */
function sortedJson(x: unknown): string {
  if (Array.isArray(x)) return '[' + x.map(sortedJson).join(',') + ']';
  if (typeof x === 'object' && x !== null)
    return '{' + Object.keys(x).sort().map((k) => JSON.stringify(k) + ':' + sortedJson((x as Record<string, unknown>)[k])).join(',') + '}';
  return JSON.stringify(x);
}

/** Every reachable state by a plain BFS, deduplicated by canonical text. */
function allStates(spec: Spec<WorldState>): string[] {
  const seen = new Map<string, WorldState>();
  let frontier = spec.init.filter((s) => {
    const k = sortedJson(toPlain(s));
    return !seen.has(k) && (seen.set(k, s), true);
  });
  while (frontier.length) {
    const next: WorldState[] = [];
    for (const s of frontier)
      for (const { state } of stepsOf(spec, s)) {
        const k = sortedJson(toPlain(state));
        if (!seen.has(k)) {
          seen.set(k, state);
          next.push(state);
        }
      }
    frontier = next;
  }
  return [...seen.keys()];
}

/** Two messages on any network, with every message fault. */
const twoMessagesWithFaults = defineActorModel({
  name: 'two-messages-faults',
  params: { network: { default: 'unordered', choices: ['unordered', 'duplicating', 'fifo'] } },
  faults: { drop: 2, duplicate: 2, crash: 1, restart: 1 },
  build: ({ params }) =>
    system({
      network: params.network as NetworkKind,
      roles: {
        s: role({ ids: ['s'], durable: {}, start: (self, ctx) => (ctx.send('r', { type: 'A' }), ctx.send('r', { type: 'B' }), ctx.send('r', { type: 'A' }), self) }),
        r: role({ ids: ['r'], durable: { got: List<string>() }, on: { A: (self) => self.set('got', self.got.push('A')), B: (self) => self.set('got', self.got.push('B')) } }),
      },
    }),
});

/** Every reachable state (as the explorer keys them, without symmetry). */
function collectStates(spec: Spec<WorldState>): WorldState[] {
  const m = compile(spec, { symmetry: false });
  const seen = new Map<string, WorldState>();
  const key = (s: WorldState) => (m.key(s), `${fpHigh()}:${fpLow()}`);
  let frontier = m.init.filter((s) => !seen.has(key(s)) && (seen.set(key(s), s), true));
  const buf = new SuccessorBuffer<WorldState>();
  while (frontier.length) {
    const next: WorldState[] = [];
    for (const s of frontier) {
      m.expand(s, buf);
      for (let j = 0; j < buf.length; j++) if (!seen.has(key(buf.states[j]!))) (seen.set(key(buf.states[j]!), buf.states[j]!), next.push(buf.states[j]!));
      buf.clear();
    }
    frontier = next;
  }
  return [...seen.values()];
}

function permutationsOf<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutationsOf([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('symmetry reduction', () => {
  for (const n of [2, 3]) {
    it(`explores one state per orbit (brute force over all ${n === 2 ? 2 : 6} renamings, ${n} participants)`, () => {
      const full = specOf(voting, { participants: n, symmetric: false });
      const states = allStates(full);
      const ids = Array.from({ length: n }, (_, i) => `p${i + 1}`);
      // Orbit of a state: rename p1..pn in its canonical text by every permutation, re-canonicalise,
      // and keep the least text as the orbit's name.
      const orbits = new Set(
        states.map((text) =>
          permutationsOf(ids)
            .map((perm) => sortedJson(JSON.parse(text.replace(/\bp(\d+)\b/g, (_, d: string) => perm[Number(d) - 1]!))))
            .sort()[0],
        ),
      );
      const spec = specOf(voting, { participants: n });
      // Counts with no invariant to stop the search.
      const unreduced = explore({ ...full, invariants: {} });
      const reduced = explore({ ...spec, invariants: {} });
      expect(unreduced.stats.distinctStates).toBe(states.length);
      expect(reduced.stats.distinctStates).toBe(orbits.size);
      expect(reduced.stats.distinctStates).toBeLessThan(unreduced.stats.distinctStates);
      // The verdicts agree, and the reduced counterexample is concrete and as short.
      const ok = explore({ ...spec, invariants: { Agreement: spec.invariants!.Agreement! } });
      expect(ok.result).toBe('ok');
      const bad = explore(spec);
      const badFull = explore(full);
      expect(bad.result).toBe('violation');
      expect(bad.violation!.name).toBe('NotAllCommitted');
      expect(bad.violation!.trace.length).toBe(badFull.violation!.trace.length);
      // n votes delivered, then n outcomes: 2n steps.
      expect(bad.violation!.trace.length - 1).toBe(2 * n);
      // --no-symmetry: the symmetric model explored state by state.
      const off = compile({ ...spec, invariants: {} }, { symmetry: false });
      expect(off.reduced).toBe(false);
      expect(bfs(off).stats.distinctStates).toBe(states.length);
    });
  }

  it('nodes whose state holds plain arrays are ordered by content, so each orbit is one state', () => {
    // Three interchangeable nodes, each appending to a plain array up to twice: 3^3 = 27 states,
    // and one per multiset of three lengths from {0, 1, 2}: C(5, 3) = 10 orbits. (Equal arrays are
    // distinct objects, which Immutable's hash would tell apart.)
    const appender = (symmetric: boolean) =>
      defineActorModel({
        name: 'appender',
        faults: {},
        build: () =>
          system({
            roles: {
              node: role({
                ids: ['n1', 'n2', 'n3'],
                symmetric,
                // (A field may not start as an array, but a handler may put one there.)
                durable: { log: null as readonly number[] | null },
                steps: { append: (self) => ((self.log?.length ?? 0) < 2 ? self.set('log', [...(self.log ?? []), 1]) : null) },
              }),
            },
          }),
      });
    expect(count(appender(false))).toBe(27);
    expect(count(appender(true))).toBe(10);
  });

  /**
   * Every world reachable without reduction, and the orbits of its keys: that the key is the same
   * for every renaming (`perms`, applied by the system itself) of every world, and the number of
   * distinct keys. `unreduced` and `orbits` are checked by the caller.
   */
  function orbitsByBruteForce(spec: Spec<WorldState>, perms: number[][]): { unreduced: number; moved: number; orbits: number } {
    const plain = compile(spec, { symmetry: false });
    const reduced = compile(spec);
    const key = (m: typeof plain, s: unknown) => (m.key(s as WorldState), `${fpHigh()}:${fpLow()}`);
    const seen = new Map<string, WorldState>();
    let frontier = plain.init.filter((s) => !seen.has(key(plain, s)) && (seen.set(key(plain, s), s), true));
    const buf = new SuccessorBuffer<WorldState>();
    while (frontier.length) {
      const next: WorldState[] = [];
      for (const s of frontier) {
        plain.expand(s, buf);
        for (let j = 0; j < buf.length; j++) {
          const k = key(plain, buf.states[j]!);
          if (!seen.has(k)) {
            seen.set(k, buf.states[j]!);
            next.push(buf.states[j]!);
          }
        }
        buf.clear();
      }
      frontier = next;
    }
    const sym = (seen.values().next().value as WorldState).reader as unknown as { symmetry: { intern(p: number[]): unknown; image(s: WorldState, r: unknown): WorldState } };
    const renamings = perms.map((to) => sym.symmetry.intern(to.flatMap((j, i) => [i, j])));
    let moved = 0;
    const orbits = new Set<string>();
    for (const s of seen.values()) {
      const k = key(reduced, s);
      orbits.add(k);
      for (const r of renamings) if (key(reduced, sym.symmetry.image(s, r)) !== k) moved++;
    }
    return { unreduced: seen.size, moved, orbits: orbits.size };
  }

  it('Raft with two candidates of three servers: only s1 and s2 are interchangeable, and the reduced search finds exactly the orbits', async () => {
    // symmetric: [[s1, s2], [s3]]. By Burnside's lemma the orbits under {identity, s1↔s2} number
    // (worlds + worlds the swap fixes) / 2, between half the worlds and all of them.
    const { default: raft } = await import('../models/raft.js');
    const spec = specOf(raft, { candidates: 2, notify: false });
    const r = orbitsByBruteForce(spec, [[0, 1, 2], [1, 0, 2]]);
    expect(r.moved).toBe(0);
    expect(r.orbits).toBeGreaterThanOrEqual(r.unreduced / 2);
    expect(r.orbits).toBeLessThan(r.unreduced);
    expect(bfs(compile({ ...spec, invariants: {} })).stats.distinctStates).toBe(r.orbits);
    // s3 never stands: a renaming that moves it is not a symmetry of this model, and the key says so.
    const s3 = orbitsByBruteForce(spec, [[2, 1, 0]]);
    expect(s3.moved).toBeGreaterThan(0);
  });

  it('a role that names groups of interchangeable ids: each id of the role, in one group at most', () => {
    const bad = (symmetric: unknown) => () => role({ ids: ['a', 'b', 'c'], durable: {}, symmetric: symmetric as boolean });
    expect(bad([['a', 'x']])).toThrow(/"x" is not one of a, b, c/);
    expect(bad([['a', 'b'], ['b', 'c']])).toThrow(/b is in two groups/);
    expect(bad('yes')).toThrow(/symmetric must be true, false or a list of groups/);
    expect(role({ ids: ['a', 'b', 'c'], durable: {}, symmetric: [['a', 'b'], ['c']] }).symmetricGroups).toEqual([['a', 'b']]);
  });

  it('Raft (3 servers, defaults): the key is the same for every renaming of every reachable world, so the reduced search finds exactly the orbits', async () => {
    // A node's signature must not change when the world is renamed. Blanking every server id to
    // one name inside a map keyed by server ids (a leader's nextIndex) let entries collide, and
    // which one survived depended on the map's order: members of one orbit were keyed apart and
    // the search stored 18,682 worlds for 18,416 orbits (the orbits counted by brute force, here
    // and with the earlier engine's own renaming).
    const { default: raft } = await import('../models/raft.js');
    const spec = specOf(raft);
    const r = orbitsByBruteForce(spec, permutationsOf([0, 1, 2]));
    expect(r.unreduced).toBe(110_219);
    expect(r.moved).toBe(0);
    expect(r.orbits).toBe(18_416);
    expect(bfs(compile({ ...spec, invariants: {} })).stats.distinctStates).toBe(r.orbits);
  });

  it('choose gives one initial state per combination of votes', () => {
    // Each of 3 participants votes yes or no at start: 2^3 = 8 initial states; 4 up to renaming.
    expect(specOf(voting, { participants: 3, symmetric: false }).init.length).toBe(8);
    const r = explore(specOf(voting, { participants: 3 }), { maxDepth: 0 });
    expect(r.stats.distinctStates).toBe(4);
  });
});

describe('fingerprints kept up to date', () => {
  it.each([
    ['at-least-once (unordered, every fault)', 'models/examples/at-least-once.js', {}, {}],
    ['two-messages on a FIFO network, with loss and copies', null, { network: 'fifo' }, {}],
    ['zab (FIFO, crash and restart)', 'models/zab.js', {}, { crash: 1, restart: 1 }],
  ] as const)('%s: each step’s fingerprint terms equal the terms summed afresh', async (_name, file, params, faults) => {
    const model = file === null ? twoMessagesWithFaults : (await import(file === 'models/zab.js' ? '../models/zab.js' : '../models/examples/at-least-once.js')).default;
    const states = collectStates(specOf(model, params, faults));
    expect(states.length).toBeGreaterThan(50);
    let wrong = 0;
    for (const s of states) {
      const fresh = (s.reader as unknown as { sumOf(w: readonly number[]): { a: number; b: number } }).sumOf(s.words);
      if (fresh.a !== s.sa || fresh.b !== s.sb) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

describe('remembered answers', () => {
  it('an invariant is answered by what it read: the same answers as reading every world afresh', () => {
    // The invariant reads different parts on different paths (b's state only when a's is 2, the
    // messages only when b is down), so an answer must be keyed by every part it read.
    const model = defineActorModel({
      name: 'paths',
      faults: { crash: 1, restart: 1 },
      build: () =>
        system({
          roles: {
            node: role({
              ids: ['a', 'b'],
              durable: { x: 0 },
              steps: { bump: (self, ctx) => (self.x < 2 ? (ctx.send(ctx.id === 'a' ? 'b' : 'a', { type: 'Ping', x: self.x }), self.set('x', self.x + 1)) : null) },
              on: { Ping: (self) => self },
            }),
          },
          invariants: {
            Paths: (w) => (w.node('a').x === 2 ? w.node('b').x !== 1 : w.up('b') ? true : w.messages().length < 2),
          },
        }),
    });
    const spec = specOf(model);
    const all = allStates({ ...spec, invariants: {} });
    // The same predicate on the plain state, an independent reading.
    const plainAnswer = (p: { nodes: { a: { x: number }; b: { x: number } }; down: string[]; net: Record<string, number> }) =>
      p.nodes.a.x === 2 ? p.nodes.b.x !== 1 : !p.down.includes('b') ? true : Object.values(p.net).reduce((n, c) => n + c, 0) < 2;
    const states = collectStates({ ...spec, invariants: {} });
    expect(states.length).toBe(all.length);
    let falses = 0;
    for (const s of states) {
      const expected = plainAnswer(toPlain(s) as never);
      if (!expected) falses++;
      expect((spec.invariants!.Paths as { holds: (s: WorldState) => boolean }).holds(s)).toBe(expected);
    }
    expect(falses).toBeGreaterThan(0);
  });
});

describe('histories and ghost variables', () => {
  it('records invoke and ok in order, as the handlers call them', async () => {
    const { default: atLeastOnce } = await import('../models/examples/at-least-once.js');
    const spec = specOf(atLeastOnce, { requests: 2, retries: 0 }, { crash: 0, restart: 0, drop: 0, duplicate: 0 });
    // Without faults or retries the run is one line: Inc 1, Ack 1, Inc 2, Ack 2.
    const r = explore({ ...spec, invariants: { NotDone: (s: WorldState) => s.history.size < 4 } });
    expect(r.violation!.trace.length - 1).toBe(4);
    expect(toPlain(r.violation!.trace.at(-1)!.state.history)).toEqual([
      { process: 'client', type: 'invoke', f: 'inc', value: 1 },
      { process: 'client', type: 'ok', f: 'inc', value: 1 },
      { process: 'client', type: 'invoke', f: 'inc', value: 2 },
      { process: 'client', type: 'ok', f: 'inc', value: 2 },
    ]);
  });

  it('ghost variables change only through updateGhost and are part of the state', () => {
    const model = defineActorModel({
      name: 'ghostly',
      build: () =>
        system({
          ghost: ISet<string>(),
          roles: {
            node: role({
              ids: ['a', 'b'],
              durable: { done: false },
              steps: {
                mark: (self, ctx) => {
                  if (self.done) return null;
                  ctx.updateGhost((g: ISet<string>) => g.add(ctx.id));
                  return self.set('done', true);
                },
              },
            }),
          },
          invariants: { NotBoth: (w) => w.ghost.size < 2 },
        }),
    });
    // (a done, b done) ∈ 4 combinations, the ghost set mirrors them; both done breaks NotBoth in 2 steps.
    const r = explore(specOf(model));
    expect(r.violation!.trace.length - 1).toBe(2);
    expect(r.violation!.trace.at(-1)!.state.ghost).toEqual(ISet(['a', 'b']));
    expect(explore({ ...specOf(model), invariants: {} }).stats.distinctStates).toBe(4);
  });
});

describe('trace events', () => {
  it('every step of a replayed trace says what happened, in protocol-neutral terms', async () => {
    const { default: atLeastOnce } = await import('../models/examples/at-least-once.js');
    const r = explore(specOf(atLeastOnce, {}, { crash: 0, restart: 0, drop: 0, duplicate: 0 }, 'no-dedupe'));
    const events = r.violation!.trace.map((t) => t.event);
    const inc = { from: 'client', to: 'server', type: 'Inc', body: { id: 1 }, key: 'client→server Inc {"id":1}' };
    const ack = { from: 'server', to: 'client', type: 'Ack', body: { id: 1 }, key: 'server→client Ack {"id":1}' };
    expect(events).toEqual([
      { kind: 'init', nodes: [{ id: 'client', role: 'client' }, { id: 'server', role: 'server', volatile: ['seen'] }], sends: [inc], timersSet: ['client/retry'] },
      { kind: 'deliver', node: 'server', message: inc, sends: [ack] },
      { kind: 'timeout', node: 'client', timer: 'retry', sends: [inc] },
      { kind: 'deliver', node: 'server', message: inc, sends: [ack] },
    ]);
  });

  it('a send to a down node is marked lost', () => {
    const model = defineActorModel({
      name: 'lost',
      faults: { crash: 1 },
      build: () =>
        system({
          roles: {
            a: role({ ids: ['a'], durable: { sent: false }, steps: { go: (self, ctx) => (self.sent ? null : (ctx.send('b', { type: 'M' }), self.set('sent', true))) } }),
            b: role({ ids: ['b'], durable: {}, on: { M: (self) => self } }),
          },
        }),
    });
    const s = specOf(model);
    const crashed = stepsOf(s, s.init[0]!).find((x) => x.action === 'crash b')!;
    const go = stepsOf(s, crashed.state).find((x) => x.action === 'a go')!;
    expect(go.event).toEqual({ kind: 'local', node: 'a', step: 'go', sends: [{ from: 'a', to: 'b', type: 'M', body: {}, key: 'a→b M', lost: 'receiver down' }] });
    expect(go.state.net.size).toBe(0);
  });

  it('model mistakes are errors naming the step', () => {
    const bad = (on: (self: unknown, ctx: { send(to: string, m: { type: string }): void }) => unknown) =>
      defineActorModel({
        name: 'bad',
        build: () => system({ roles: { a: role({ ids: ['a'], durable: {}, start: on as never, on: { M: (self) => self } }) } }),
      });
    expect(() => specOf(bad((self, ctx) => (ctx.send('zz', { type: 'M' }), self)))).toThrow(/action start a threw: .*a sent M to unknown node "zz"/);
    expect(() => specOf(bad((self, ctx) => (ctx.send('a', { type: 'N' }), self)))).toThrow(/a sent N to a, whose role a has no handler for N/);
    expect(() => specOf(bad((self, ctx) => (ctx.send('a', { type: 'M', at: new Date(0) } as never), self)))).toThrow(/field of message M.at is a Date; messages hold plain data/);
    expect(() => specOf(bad(() => 42))).toThrow(/the handler returned number that is not a a state/);
  });

  it('a handler that is not a pure function of its state is reported (its outcome would be reused)', () => {
    let calls = 0;
    const impure = defineActorModel({
      name: 'impure',
      build: () =>
        system({
          roles: {
            a: role({
              ids: ['a'],
              durable: { n: 0 },
              // Reads state of its own (a counter outside the model): two runs from one state differ.
              steps: { tick: (self) => (self.n < 3 ? self.set('n', self.n + (calls++ % 2)) : null) },
            }),
          },
        }),
    });
    expect(() => explore(specOf(impure))).toThrow(/not deterministic: a tick at a did different things on two runs from the same state/);
  });
});
