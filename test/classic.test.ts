/**
 * The classic TLA+ ports must count exactly as TLC does. Every expected number here comes from
 * outside faultline: TLC's published results (the TLA+ Examples manifest and Lamport's comment in
 * TwoPhase.tla), the figure for 8 RMs, or a derivation by hand written out below.
 */
import { describe, expect, it } from 'vitest';
import dieHard from '../models/classic/die-hard.js';
import tcommit from '../models/classic/tcommit.js';
import twoPhase from '../models/classic/two-phase.js';
import { toPlain } from '../src/index.js';
import { check } from './helpers.js';

describe('TwoPhase', () => {
  // Hand count of the reachable states with n RMs, by the TM's state:
  // - init: no Commit/Abort message, so each RM is working, aborted (by choice, no message),
  //   prepared and not yet in tmPrepared, or prepared and in tmPrepared: 4^n;
  // - committed: the TM saw every RM prepared and froze tmPrepared = RM; each RM is prepared or
  //   committed: 2^n;
  // - aborted: each RM either never prepared (working or aborted: 2 ways) or prepared (prepared
  //   or aborted, times in tmPrepared or not: 4 ways): 6^n.
  // Total 6^n + 4^n + 2^n: 288 for 3 (TLC, TLA+ Examples manifest), 50,816 for 6 (TwoPhase.tla's
  // closing comment) and 1,745,408 for 8 (the TLC figure).
  // The diameter is 3n + 1: n RMPrepare, n TMRcvPrepared, the decision, n receipts of it, and no
  // state is farther (TLC reports depth 11 = diameter + 1 for n = 3).
  const expected = (n: number) => 6 ** n + 4 ** n + 2 ** n;
  it('matches the formula against TLC’s published counts', () => {
    expect(expected(3)).toBe(288);
    expect(expected(6)).toBe(50_816);
    expect(expected(8)).toBe(1_745_408);
  });
  for (const n of [1, 2, 3, 4, 5, 6]) {
    it(`has ${expected(n)} distinct states and diameter ${3 * n + 1} with ${n} RMs`, () => {
      const r = check(twoPhase, { rms: n });
      expect(r.result).toBe('ok');
      expect(r.complete).toBe(true);
      expect(r.stats.distinctStates).toBe(expected(n));
      expect(r.stats.diameter).toBe(3 * n + 1);
    });
  }
  it('generates 1,146 states with 3 RMs, as TLC does (TLA+ Examples manifest: totalStates)', () => {
    expect(check(twoPhase, { rms: 3 }).stats.generatedStates).toBe(1146);
  });
  it('finds the 3-step counterexample when the TM commits without votes', () => {
    // Shortest by hand: TMCommit, one RM chooses to abort, another receives Commit.
    const r = check(twoPhase, { rms: 3 }, 'commit-without-votes');
    expect(r.result).toBe('violation');
    expect(r.violation!.name).toBe('TCConsistent');
    expect(r.violation!.trace.map((t) => t.action)).toEqual([null, 'TMCommit', 'RMChooseToAbort(r1)', 'RMRcvCommitMsg(r2)']);
  });
});

describe('TCommit', () => {
  it('has 34 distinct states, 94 generated, diameter 6 with 3 RMs (TLC: TLA+ Examples manifest, depth 7)', () => {
    // Also by hand: with nobody committed, 3 choices each (working/prepared/aborted) = 27; with
    // someone committed, everyone prepared or committed and not all prepared = 2^3 - 1 = 7.
    const r = check(tcommit, { rms: 3 });
    expect(r.result).toBe('ok');
    expect(r.stats.distinctStates).toBe(34);
    expect(r.stats.generatedStates).toBe(94);
    expect(r.stats.diameter).toBe(6);
  });
  it('with unchecked abort, breaks TCConsistent after all prepare, one commits, one aborts', () => {
    const r = check(tcommit, { rms: 3 }, 'unchecked-abort');
    expect(r.violation!.name).toBe('TCConsistent');
    expect(r.violation!.trace.length - 1).toBe(5);
  });
});

describe('Die Hard', () => {
  /** Independent reference: plain BFS over [big, small] pairs, counting shortest paths. */
  function reference(goal: number) {
    const moves = ([b, s]: [number, number]): [number, number][] => [
      [b, 3], [5, s], [b, 0], [0, s],
      [b + Math.min(s, 5 - b), s - Math.min(s, 5 - b)],
      [b - Math.min(b, 3 - s), s + Math.min(b, 3 - s)],
    ];
    const dist = new Map<string, number>([['0,0', 0]]);
    const paths = new Map<string, number>([['0,0', 1]]);
    let frontier: [number, number][] = [[0, 0]];
    while (frontier.length) {
      const next: [number, number][] = [];
      for (const st of frontier) {
        const d = dist.get(String(st))!;
        for (const t of moves(st)) {
          const k = String(t);
          if (!dist.has(k)) { dist.set(k, d + 1); paths.set(k, 0); next.push(t); }
          if (dist.get(k) === d + 1) paths.set(k, paths.get(k)! + paths.get(String(st))!);
        }
      }
      frontier = next;
    }
    const goals = [...dist.keys()].filter((k) => Number(k.split(',')[0]) === goal);
    const best = Math.min(...goals.map((k) => dist.get(k)!));
    const shortest = goals.filter((k) => dist.get(k) === best).reduce((n, k) => n + paths.get(k)!, 0);
    return { states: dist.size, diameter: Math.max(...dist.values()), best, shortest };
  }

  it('finds the unique shortest solution: 6 steps', () => {
    const ref = reference(4);
    expect(ref.best).toBe(6);
    expect(ref.shortest).toBe(1); // exactly one shortest path reaches big = 4
    const r = check(dieHard);
    expect(r.result).toBe('violation');
    expect(r.violation!.name).toBe('NotSolved');
    expect(r.violation!.trace.map((t) => t.action)).toEqual([
      null, 'FillBigJug', 'BigToSmall', 'EmptySmallJug', 'BigToSmall', 'FillBigJug', 'BigToSmall',
    ]);
    expect(toPlain(r.violation!.trace.at(-1)!.state)).toEqual({ big: 4, small: 3 });
  });

  it('reaches exactly the 16 states where a jug is empty or full when the goal is unreachable', () => {
    // Hand count: big in {0, 5} with any small (2 x 4 = 8) plus small in {0, 3} with big in 1..4
    // (2 x 4 = 8); all reachable. goal = 6 never holds, so the search is exhaustive.
    const r = check(dieHard, { goal: 6 });
    expect(r.result).toBe('ok');
    expect(r.stats.distinctStates).toBe(16);
    expect(r.stats.distinctStates).toBe(reference(6).states);
    expect(r.stats.diameter).toBe(reference(6).diameter);
  });
});
