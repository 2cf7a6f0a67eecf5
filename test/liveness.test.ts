/**
 * Liveness verdicts on graphs small enough to decide by hand, and on random graphs against a
 * brute-force reference (every subset of states as a candidate cycle).
 */
import fc from 'fast-check';
import { Map as IMap } from 'immutable';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/check/compile.js';
import { checkLiveness, livenessOfGraph, livenessRecorder } from '../src/check/liveness.js';
import { bfsAsync } from '../src/check/bfs.js';
import { Budget } from '../src/check/core.js';
import type { Graph } from '../src/check/graph.js';
import { alwaysEventually, eventually, leadsTo, spec, type Property } from '../src/index.js';

type St = IMap<string, number>;
/** An explicit graph: edges [from, to, label, fault?]; states are Maps {n}. */
function graph(edges: [number, number, string, boolean?][], inits: number[], props: Record<string, Property<St>>, deadlock = true) {
  const st = (n: number) => IMap({ n });
  const faultFamilies = [...new Set(edges.filter((e) => e[3]).map((e) => e[2]))];
  return compile(
    spec({
      init: inits.map(st),
      next: (s: St) => edges.filter(([f]) => f === s.get('n')).map(([, t, label]) => ({ action: label, family: label, state: t === s.get('n') ? s : st(t) })),
      properties: props,
      faultActions: faultFamilies,
      deadlock,
    }),
    { symmetry: false },
  );
}
const at = (k: number) => (s: St) => s.get('n') === k;
const live = (m: ReturnType<typeof graph>) => checkLiveness(m, m.properties);
const ns = (trace: readonly { state: St }[]) => trace.map((t) => t.state.get('n'));

describe('liveness by hand', () => {
  it('a stuck state short of the goal is a counterexample', () => {
    // 0 → 1, and 1 has no step: stuck there, 2 never reached.
    const r = live(graph([[0, 1, 'A'], [2, 2, 'Z']], [0], { Reach2: eventually(at(2)) }));
    expect(r.violation).toMatchObject({ name: 'Reach2', shape: 'stuck', loop: null });
    expect(ns(r.violation!.trace)).toEqual([0, 1]);
  });

  it('a fair cycle is a counterexample: the exit is not enabled all along it', () => {
    // 0 ⇄ 1 by A and B; C: 0 → 2 only at 0. Weak fairness does not force C.
    const r = live(graph([[0, 1, 'A'], [1, 0, 'B'], [0, 2, 'C']], [0], { Reach2: eventually(at(2)) }));
    expect(r.violation).toMatchObject({ shape: 'lasso', loop: 0 });
    expect(ns(r.violation!.trace)).toEqual([0, 1, 0]);
  });

  it('an unfair cycle is not: the exit stays enabled and is never taken', () => {
    // 0 ⇄ 1 by A and B; C: 0 → 2 and D: 1 → 2 are one step (label C at both): enabled all along.
    const r = live(graph([[0, 1, 'A'], [1, 0, 'B'], [0, 2, 'C'], [1, 2, 'C'], [2, 2, 'Z']], [0], { Reach2: eventually(at(2)) }));
    expect(r.violation).toBeNull();
    expect(r.complete).toBe(true);
  });

  it('a cycle through a fault is not: faults are finite', () => {
    // Crash 0 → 1 (fault), Retry 1 → 0; Go 0 → 2. Without faults on cycles: no lasso, no stuck state.
    const g = graph([[0, 1, 'Crash', true], [1, 0, 'Retry'], [0, 2, 'Go'], [2, 2, 'Z']], [0], { Reach2: eventually(at(2)) });
    expect(live(g).violation).toBeNull();
    // But crashing into a state with no protocol step is stuck, whatever faults remain.
    const h = graph([[0, 1, 'Crash', true], [1, 0, 'Restart', true], [0, 2, 'Go'], [2, 2, 'Z']], [0], { Reach2: eventually(at(2)) });
    expect(live(h).violation).toMatchObject({ shape: 'stuck' });
    expect(ns(live(h).violation!.trace)).toEqual([0, 1]);
  });

  it('a self-loop is stuttering: stuck unless another step leaves', () => {
    const r = live(graph([[0, 0, 'Wait']], [0], { Reach1: eventually(at(1)) }));
    expect(r.violation).toMatchObject({ shape: 'stuck' });
  });

  it('always-eventually and leads-to', () => {
    // 0 → 1 → 2 → 1 ...: 0 is visited once, so □◇(n=0) fails by the cycle 1 ⇄ 2.
    const g = graph([[0, 1, 'A'], [1, 2, 'B'], [2, 1, 'C']], [0], { Often0: alwaysEventually(at(0)), Often1: alwaysEventually(at(1)) });
    const r = checkLiveness(g, g.properties);
    expect(r.violation).toMatchObject({ name: 'Often0', shape: 'lasso' });
    expect(checkLiveness(g, [g.properties[1]!]).violation).toBeNull();
    // 2 leads to 1 (C is forced), 0 leads to 3 fails (3 is unreachable; the cycle 1 ⇄ 2 is fair).
    const h = graph([[0, 1, 'A'], [1, 2, 'B'], [2, 1, 'C']], [0], { Back: leadsTo(at(2), at(1)), Never: leadsTo(at(0), at(3)) });
    expect(checkLiveness(h, [h.properties[0]!]).violation).toBeNull();
    const never = checkLiveness(h, [h.properties[1]!]).violation!;
    expect(never.shape).toBe('lasso');
    expect(ns(never.trace)).toEqual([0, 1, 2, 1]);
    expect(never.loop).toBe(1);
  });
});

/** Reference: a counterexample to eventually(goal) exists iff some state reachable from an initial state through non-goal states is stuck, or some set of such states is strongly connected by protocol steps with a fair tour. */
function reference(edges: [number, number, number, boolean][], inits: number[], goal: number[]): boolean {
  const bad = (v: number) => !goal.includes(v);
  const seen = new Set(inits.filter(bad));
  const stack = [...seen];
  while (stack.length) {
    const u = stack.pop()!;
    for (const [f, t] of edges) if (f === u && bad(t) && !seen.has(t)) (seen.add(t), stack.push(t));
  }
  const region = [...seen];
  const moves = (u: number) => edges.filter(([f, t, , fault]) => f === u && !fault && t !== u);
  if (region.some((u) => moves(u).length === 0)) return true;
  for (let mask = 1; mask < 1 << region.length; mask++) {
    const S = region.filter((_, i) => (mask >> i) & 1);
    const inner = edges.filter(([f, t, , fault]) => !fault && S.includes(f) && S.includes(t));
    if (inner.length === 0) continue;
    // strongly connected: every state reaches every other by inner edges
    const reach = (a: number) => {
      const r = new Set([a]);
      const st = [a];
      while (st.length) {
        const u = st.pop()!;
        for (const [f, t] of inner) if (f === u && !r.has(t)) (r.add(t), st.push(t));
      }
      return r;
    };
    if (!S.every((a) => S.every((b) => reach(a).has(b)))) continue;
    if (S.length === 1 && !inner.some(([f, t]) => f === t)) continue;
    const enabled = (u: number) => new Set(edges.filter(([f, , , fault]) => f === u && !fault).map(([, , l]) => l));
    const always = [...enabled(S[0]!)].filter((l) => S.every((u) => enabled(u).has(l)));
    if (always.every((l) => inner.some(([, , m]) => m === l))) return true;
  }
  return false;
}

describe('liveness on random graphs', () => {
  it('finds a counterexample to eventually(goal) exactly when the brute-force reference does, and it is a real one', () => {
    const arb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: 2 }), fc.boolean()), { maxLength: 12 }),
        inits: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 2 }),
        goal: fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ edges, inits, goal }) => {
        // Labels are per source state and letter, so equal letters at two states are one step only
        // when they agree; use the letter alone to exercise shared fairness units.
        const uniq = [...new Map(edges.map((e) => [`${e[0]}>${e[1]}:${e[2]}`, e])).values()];
        // A label is a fault or a protocol step, not both.
        const typed = uniq.map(([f, t, l]) => [f, t, l, l === 2] as [number, number, number, boolean]);
        const g = graph(
          typed.map(([f, t, l, fault]) => [f, t, `L${l}`, fault]),
          inits,
          { Goal: eventually((s: St) => goal.includes(s.get('n')!)) },
        );
        const r = checkLiveness(g, g.properties);
        expect(r.violation !== null).toBe(reference(typed, inits, goal));
        const v = r.violation;
        if (v) {
          const path = ns(v.trace) as number[];
          expect(inits).toContain(path[0]);
          for (const x of path) expect(goal).not.toContain(x);
          for (let i = 1; i < path.length; i++) expect(typed.some(([f, t]) => f === path[i - 1] && t === path[i])).toBe(true);
          if (v.shape === 'lasso') expect(path.at(-1)).toBe(path[v.loop!]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the graph the safety search records as it goes gives what the liveness pass finds with a search of its own', async () => {
    const arb = fc.integer({ min: 1, max: 6 }).chain((n) => {
      const states = fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 });
      return fc.record({
        edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: 3 })), { maxLength: 14 }),
        inits: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 3 }),
        goal: states,
        again: states,
        p: states,
        q: states,
      });
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ edges, inits, goal, again, p, q }) => {
        const inSet = (xs: number[]) => (s: St) => xs.includes(s.get('n')!);
        const m = graph(
          edges.map(([f, t, l]) => [f, t, `L${l}`, l === 3]),
          inits,
          { Goal: eventually(inSet(goal)), Again: alwaysEventually(inSet(again)), Answer: leadsTo(inSet(p), inSet(q)) },
          false,
        );
        let recorded: Graph | null = null;
        const safety = await bfsAsync(m, new Budget(), {
          record: (store) => {
            const r = livenessRecorder(m, store);
            recorded = r.graph;
            return r;
          },
        });
        expect(safety.result).toBe('ok');
        const mine = livenessOfGraph(m, recorded!, m.properties);
        const own = checkLiveness(m, m.properties);
        expect([mine.states, mine.edges]).toEqual([own.states, own.edges]);
        expect(mine.states).toBe(safety.stats.distinctStates);
        const shown = (r: typeof own) => r.violation && { ...r.violation, trace: r.violation.trace.map((t) => [t.action, (t.state as St).get('n')]) };
        expect(shown(mine)).toEqual(shown(own));
      }),
      { numRuns: 500 },
    );
  });
});

describe('fair restarts (system fairRestarts)', async () => {
  const { check, defineActorModel, role, system } = await import('../src/index.js');
  // One node that finishes by a local step; it may crash once and restart once. The states
  // (done, up, crashes left, restarts left): F,up,1,1 → T,up,1,1 (finish) and F,down,0,1 (crash);
  // T,up,1,1 → T,down,0,1 → T,up,0,0; F,down,0,1 → F,up,0,0 → T,up,0,0: 6 states.
  const finisher = (fairRestarts: boolean) =>
    defineActorModel({
      name: 'finisher',
      faults: { crash: 1, restart: 1 },
      build: () =>
        system({
          fairRestarts,
          roles: { n: role({ ids: ['n'], durable: { done: false }, steps: { finish: (self) => (self.done ? null : self.set('done', true)) } }) },
          properties: { Finished: { eventually: (w) => w.get('n', 'n').done } },
        }),
    });

  it('without them, a node that crashes before finishing may stay down: a stuck state one step away', async () => {
    const r = await check(finisher(false));
    expect(r).toMatchObject({ result: 'liveness', stats: { distinctStates: 6 } });
    expect(r.violation!.trace.map((t) => t.action)).toEqual([null, 'crash n']);
  });

  it('with them, the restart is a fair step: every fair behaviour finishes', async () => {
    const r = await check(finisher(true));
    expect(r).toMatchObject({ result: 'ok', complete: true, stats: { distinctStates: 6 } });
    // No symmetry: the safety search recorded the graph, all 6 states and their steps.
    expect(r.liveness).toMatchObject({ states: 6, complete: true });
  });

  it('a safety search cut short by a limit leaves the liveness pass to search within the limits itself', async () => {
    const r = await check(finisher(false), { limits: { maxStates: 4 } });
    expect(r).toMatchObject({ result: 'ok', complete: false, stopReason: 'max-states', stats: { distinctStates: 4 } });
    expect(r.liveness).toMatchObject({ complete: false });
  });
});

describe('a liveness pass cut short', async () => {
  const { check, defineActorModel, role, system } = await import('../src/index.js');
  // Two interchangeable nodes, each finishing once. Safety, up to symmetry: 3 states (none done,
  // one done, both); the liveness graph has no symmetry reduction: 4 states (none, a, b, both).
  const pair = defineActorModel({
    name: 'pair',
    build: () =>
      system({
        roles: { n: role({ ids: ['a', 'b'], symmetric: true, durable: { done: false }, steps: { finish: (self) => (self.done ? null : self.set('done', true)) } }) },
        properties: { Finished: { eventually: (w) => w.get('n', 'a').done && w.get('n', 'b').done } },
      }),
  });

  it('leaves the check incomplete and says why: stopReason is null only for a complete run', async () => {
    expect(await check(pair)).toMatchObject({ result: 'ok', complete: true, stopReason: null, stats: { distinctStates: 3 }, liveness: { states: 4, complete: true } });
    // 4 states at most: the safety search finishes (3), the liveness graph does not (it needs 4 and their edges).
    const cut = await check(pair, { limits: { maxStates: 4 } });
    expect(cut).toMatchObject({ result: 'ok', complete: false, stopReason: 'max-states', stats: { distinctStates: 3 }, liveness: { complete: false } });
  });
});
