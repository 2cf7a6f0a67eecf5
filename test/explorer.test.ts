import fc from 'fast-check';
import { List, Map } from 'immutable';
import { describe, expect, it } from 'vitest';
import { explore } from '../src/check/bfs.js';
import { each, spec } from '../src/index.js';

/** A model over an explicit graph: states are node numbers wrapped in a Map. */
function graphSpec(edges: number[][], inits: number[], bad: readonly number[] = [], deadlock = true) {
  const st = (n: number) => Map({ n });
  return spec({
    init: inits.map(st),
    next: (s) => (edges[s.get('n')!] ?? []).map((t, i) => ({ action: `E${i}(${s.get('n')}->${t})`, state: st(t) })),
    invariants: { Good: (s) => !bad.includes(s.get('n')!) },
    deadlock,
  });
}

/** Reference BFS over the explicit graph, written independently of the explorer. */
function referenceBfs(edges: number[][], inits: number[], bad: number[]) {
  const dist = new globalThis.Map<number, number>();
  let frontier: number[] = [];
  let generated = 0;
  for (const i of inits) { generated++; if (!dist.has(i)) { dist.set(i, 0); frontier.push(i); } }
  while (frontier.length) {
    const next: number[] = [];
    for (const u of frontier) for (const v of edges[u] ?? []) { generated++; if (!dist.has(v)) { dist.set(v, dist.get(u)! + 1); next.push(v); } }
    frontier = next;
  }
  const badDist = [...dist.entries()].filter(([n]) => bad.includes(n)).map(([, d]) => d);
  const deadDist = [...dist.entries()].filter(([n]) => (edges[n] ?? []).length === 0).map(([, d]) => d);
  return { distinct: dist.size, generated, diameter: Math.max(...dist.values()), firstBad: badDist.length ? Math.min(...badDist) : null, firstDead: deadDist.length ? Math.min(...deadDist) : null, dist };
}

const graphs = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    edges: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
    inits: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 3 }),
    bad: fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
  }),
);

describe('explorer on hand-counted systems', () => {
  it('counts a diamond with a self-loop: 4 states, 6 generated, diameter 2', () => {
    // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 3: states {0,1,2,3}; generated = 1 init + 5 edges.
    const r = explore(graphSpec([[1, 2], [3], [3], [3]], [0]));
    expect(r).toMatchObject({ result: 'ok', complete: true });
    expect(r.stats).toMatchObject({ distinctStates: 4, generatedStates: 6, diameter: 2 });
  });

  it('checks invariants on initial states', () => {
    const r = explore(graphSpec([[0]], [0], [0]));
    expect(r.result).toBe('violation');
    expect(r.violation!.trace).toHaveLength(1);
  });

  it('reports a deadlock as a state with no successors at all (a self-loop is not one)', () => {
    expect(explore(graphSpec([[1], [1]], [0])).result).toBe('ok');
    const r = explore(graphSpec([[1], [2], []], [0]));
    expect(r.result).toBe('deadlock');
    expect(r.violation!.trace.map((t) => t.state.get('n'))).toEqual([0, 1, 2]);
    expect(explore(graphSpec([[1], [2], []], [0], [], false)).result).toBe('ok');
    expect(explore(graphSpec([[1], [2], []], [0]), { deadlock: false }).result).toBe('ok');
  });

  it('treats the same state built two ways as one state', () => {
    const r = explore(spec({
      init: [Map<string, number>({ a: 1, b: 2 }), Map<string, number>({ b: 2, a: 1 })],
      actions: { Swap: (s) => Map([['b', s.get('b')!], ['a', s.get('a')!]]) },
    }));
    expect(r.stats.distinctStates).toBe(1);
    expect(r.stats.generatedStates).toBe(3);
  });

  it('bounds: --max-depth d visits exactly the states within distance d', () => {
    // A chain 0 -> 1 -> ... -> 9: within distance 3 are 0..3.
    const chain = Array.from({ length: 10 }, (_, i) => (i < 9 ? [i + 1] : [i]));
    const r = explore(graphSpec(chain, [0]), { maxDepth: 3 });
    expect(r).toMatchObject({ complete: false, stopReason: 'max-depth' });
    expect(r.stats.distinctStates).toBe(4);
    expect(r.stats.diameter).toBe(3);
    const s = explore(graphSpec(chain, [0]), { maxStates: 5 });
    expect(s).toMatchObject({ complete: false, stopReason: 'max-states' });
    expect(s.stats.distinctStates).toBe(5);
  });

  it('a counter that never stops is cut by a time limit and says so', () => {
    const r = explore(spec({ init: [List([0])], actions: { Inc: (s) => s.set(0, s.get(0)! + 1) } }), { timeLimitMs: 200 });
    expect(r).toMatchObject({ result: 'ok', complete: false, stopReason: 'time-limit' });
  });

  it('each(over, step, when): the condition is checked once per state and disables every argument', () => {
    // Counter 0..3; Add(x) for x in [1, 2] only while the counter is even: from 0 -> 1, 2; from
    // 2 -> 3 (4 is cut by the bound below); 1 and 3 are odd, so nothing. States {0, 1, 2, 3}.
    let whenCalls = 0;
    const r = explore(
      spec({
        init: [List([0])],
        deadlock: false,
        actions: {
          Add: each(
            [1, 2],
            (s: List<number>, x) => (s.get(0)! + x <= 3 ? s.set(0, s.get(0)! + x) : null),
            (s) => (whenCalls++, s.get(0)! % 2 === 0),
          ),
        },
      }),
    );
    expect(r.stats.distinctStates).toBe(4);
    expect(r.stats.generatedStates).toBe(1 + 2 + 1); // init, 0 -> 1 and 2, 2 -> 3
    expect(whenCalls).toBeGreaterThanOrEqual(4); // once per expanded state (plus determinism re-checks)
    expect(r.stats.actions).toEqual([{ name: 'Add', fault: false, generated: 3, distinct: 3 }]);
    const bad = spec({ init: [List([0])], actions: { Add: each([1], (s: List<number>) => s, () => { throw new Error('no'); }) } });
    expect(() => explore(bad)).toThrow(/action Add threw on state #0/);
  });

  it('canonical: states with the same canonical value are explored once, traces stay concrete', () => {
    // Two counters a, b in 0..2 that each count up: 9 states; up to swapping a and b (canonical =
    // the sorted pair) there are 6: {0,0} {0,1} {0,2} {1,1} {1,2} {2,2}.
    const counters = (canonical: boolean) =>
      spec({
        init: [List([0, 0])],
        deadlock: false,
        ...(canonical ? { canonical: (s: List<number>) => s.sort() } : {}),
        actions: { Inc: each([0, 1], (s: List<number>, i) => (s.get(i)! < 2 ? s.set(i, s.get(i)! + 1) : null)) },
        invariants: { NotBoth2: (s) => !(s.get(0) === 2 && s.get(1) === 1) },
      });
    const plain = explore(counters(false));
    const reduced = explore(counters(true));
    expect(plain.result).toBe('violation');
    expect(reduced.result).toBe('violation');
    const ok = (c: boolean) => explore({ ...counters(c), invariants: {} }).stats.distinctStates;
    expect(ok(false)).toBe(9);
    expect(ok(true)).toBe(6);
    // The reduced trace is a real path of the model: each step changes one counter by one.
    const t = reduced.violation!.trace.map((x) => x.state.toArray());
    for (let i = 1; i < t.length; i++) expect(Math.abs(t[i]![0]! - t[i - 1]![0]!) + Math.abs(t[i]![1]! - t[i - 1]![1]!)).toBe(1);
  });

  it('names the action and the state when an action throws', () => {
    const bad = spec({ init: [Map({ n: 0 })], actions: { Inc: (s) => { if (s.get('n') === 1) throw new Error('boom'); return s.set('n', 1); } } });
    expect(() => explore(bad)).toThrow(/action Inc threw on state #1 \(depth 1\) \{n: 1\}: boom/);
  });

  it('matches a reference BFS on random graphs: counts, diameter, verdict, shortest trace that replays', () => {
    fc.assert(
      fc.property(graphs, ({ edges, inits, bad }) => {
        const ref = referenceBfs(edges, inits, bad);
        const r = explore(graphSpec(edges, inits, bad, false));
        if (ref.firstBad === null) {
          expect(r.result).toBe('ok');
          expect(r.stats.distinctStates).toBe(ref.distinct);
          expect(r.stats.generatedStates).toBe(ref.generated);
          expect(r.stats.diameter).toBe(ref.diameter);
        } else {
          expect(r.result).toBe('violation');
          const trace = r.violation!.trace.map((t) => t.state.get('n')!);
          expect(trace.length - 1).toBe(ref.firstBad);
          expect(bad).toContain(trace.at(-1));
          expect(inits).toContain(trace[0]);
          for (let i = 1; i < trace.length; i++) expect(edges[trace[i - 1]!]).toContain(trace[i]);
        }
        const d = explore(graphSpec(edges, inits, [], true));
        if (ref.firstDead === null) expect(d.result).toBe('ok');
        else {
          expect(d.result).toBe('deadlock');
          expect(d.violation!.trace.length - 1).toBe(ref.firstDead);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('properties of the explorer against references', () => {
  it('--max-depth d visits exactly the states within distance d (random graphs)', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 0, max: 6 }), ({ edges, inits }, d) => {
        const ref = referenceBfs(edges, inits, []);
        const within = [...ref.dist.values()].filter((x) => x <= d).length;
        const r = explore(graphSpec(edges, inits, [], false), { maxDepth: d });
        expect(r.stats.distinctStates).toBe(within);
        expect(r.stats.diameter).toBe(Math.min(d, ref.diameter));
        if (ref.diameter > d) expect(r.complete).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  /**
   * A random symmetric system: k interchangeable nodes, each with a value in 0..m-1; node i may
   * move from a to b when the random relation allows it and fewer than `cap` nodes hold b. The
   * initial states are closed under permutation and the invariant counts values, so renaming nodes
   * maps the system onto itself.
   */
  const symmetric = fc
    .record({ k: fc.integer({ min: 2, max: 4 }), m: fc.integer({ min: 2, max: 3 }) })
    .chain(({ k, m }) =>
      fc.record({
        k: fc.constant(k),
        m: fc.constant(m),
        moves: fc.array(fc.array(fc.boolean(), { minLength: m, maxLength: m }), { minLength: m, maxLength: m }),
        cap: fc.integer({ min: 1, max: k }),
        inits: fc.array(fc.array(fc.integer({ min: 0, max: m - 1 }), { minLength: k, maxLength: k }), { minLength: 1, maxLength: 2 }),
        limit: fc.integer({ min: 1, max: k + 1 }),
      }),
    );

  const permutations = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  it('symmetry reduction keeps the verdict and the shortest trace, and explores one state per orbit (random systems)', () => {
    fc.assert(
      fc.property(symmetric, ({ k, m, moves, cap, inits, limit }) => {
        const count = (s: readonly number[], v: number) => s.filter((x) => x === v).length;
        const succ = (s: readonly number[]) => {
          const out: number[][] = [];
          for (let i = 0; i < k; i++) for (let b = 0; b < m; b++) if (moves[s[i]!]![b] && s[i] !== b && count(s, b) < cap) out.push(s.map((x, j) => (j === i ? b : x)));
          return out;
        };
        const closed = [...new Set(inits.flatMap((t) => permutations(t.map((_, i) => i)).map((p) => JSON.stringify(p.map((j) => t[j])))))].map((x) => JSON.parse(x) as number[]);
        const badValue = m - 1;
        const ok = (s: readonly number[]) => count(s, badValue) < limit;
        // Reference: BFS over tuples; orbits are the sorted tuples; the first bad distance.
        const dist = new globalThis.Map<string, number>(closed.map((t) => [JSON.stringify(t), 0]));
        let frontier = closed;
        for (let d = 1; frontier.length; d++) {
          const next: number[][] = [];
          for (const s of frontier)
            for (const t of succ(s)) {
              const key = JSON.stringify(t);
              if (!dist.has(key)) (dist.set(key, d), next.push(t));
            }
          frontier = next;
        }
        const orbits = new Set([...dist.keys()].map((x) => JSON.stringify((JSON.parse(x) as number[]).sort())));
        const badDist = [...dist].filter(([x]) => !ok(JSON.parse(x) as number[])).map(([, d]) => d);

        const perms = permutations([...Array(k).keys()]).slice(1);
        const base = spec({
          init: closed.map((t) => List(t)),
          next: (s) => succ(s.toArray()).map((t) => ({ action: 'Move', state: List(t) })),
          invariants: { Few: (s) => ok(s.toArray()) },
          deadlock: false,
        });
        const reduced = { ...base, symmetry: (s: List<number>) => perms.map((p) => List(p.map((j) => s.get(j)!))) };
        const a = explore(base);
        const b = explore(reduced);
        expect(b.result).toBe(a.result);
        if (badDist.length) {
          expect(a.violation!.trace.length - 1).toBe(Math.min(...badDist));
          expect(b.violation!.trace.length - 1).toBe(Math.min(...badDist));
        } else {
          expect(a.stats.distinctStates).toBe(dist.size);
          expect(b.stats.distinctStates).toBe(orbits.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
