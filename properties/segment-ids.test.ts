/**
 * Segment-allocated IDs (docs/properties.md). fast-check generates the interleaving: a schedule is
 * the list of servers that take a step, in order (read max_id, write it, or hand out an ID). With a
 * compare-and-set the IDs are unique and each server's increase; with a plain read then a write,
 * fast-check finds a schedule that hands out an ID twice, and shrinks it to the shortest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicates, increasingPerServer, run } from './segment-ids.js';

/** Up to 4 servers, a segment length of 1 to 5, and a schedule of up to 60 steps. */
const setting = fc.record({ servers: fc.integer({ min: 2, max: 4 }), step: fc.integer({ min: 1, max: 5 }) });
// (size 'max': lengths up to 60, not fast-check's default of about 10.)
const schedule = (servers: number) => fc.array(fc.nat({ max: servers - 1 }), { maxLength: 60, size: 'max' });
const cases = setting.chain((s) => schedule(s.servers).map((steps) => ({ ...s, steps })));

describe('segment-allocated IDs with compare-and-set', () => {
  it('every ID is handed out once, each server’s IDs increase, and none is past max_id', () => {
    fc.assert(
      fc.property(cases, ({ servers, step, steps }) => {
        const r = run(steps, { servers, step, allocation: 'cas' });
        expect(duplicates(r)).toEqual([]);
        expect(increasingPerServer(r)).toBe(true);
        for (const { id } of r.issued) expect(id).toBeLessThanOrEqual(r.maxId);
      }),
      { numRuns: 500 },
    );
  });
});

describe('segment-allocated IDs with a plain read, then a write', () => {
  // Expected to fail. The shortest schedule that hands out an ID twice has 6 steps: each of two
  // servers must read max_id, write it and hand out an ID (3 steps each), and the second read must
  // come before the first write; fast-check shrinks what it finds to such a schedule.
  it('fast-check finds two servers taking the same segment', () => {
    const r = fc.check(
      fc.property(schedule(2), (steps) => duplicates(run(steps, { servers: 2, step: 3, allocation: 'read-then-write' })).length === 0),
      { seed: 20270129 },
    );
    expect(r.failed).toBe(true);
    const [steps] = r.counterexample!;
    const trace = run(steps, { servers: 2, step: 3, allocation: 'read-then-write' });
    console.log(`counterexample (expected): schedule [${steps.join(', ')}]\n  ${trace.log.join('\n  ')}`);
    expect(steps.length).toBe(6);
    expect(duplicates(trace)).toEqual([1]);
  });

  // Without CAS, a late write can also move max_id backwards, and a server then takes a segment it
  // has already used: its own IDs repeat. With segments of one ID the shortest schedule has 11
  // steps: server X takes two segments and hands out both IDs (6 steps), server Y, which read max_id
  // before X's first write, writes it back down (2 steps, its read among the first), and X reads,
  // writes and hands out its second ID again (3 steps).
  it('fast-check finds a server whose IDs do not increase', () => {
    const r = fc.check(
      fc.property(schedule(2), (steps) => increasingPerServer(run(steps, { servers: 2, step: 1, allocation: 'read-then-write' }))),
      { seed: 20270130 },
    );
    expect(r.failed).toBe(true);
    const [steps] = r.counterexample!;
    const trace = run(steps, { servers: 2, step: 1, allocation: 'read-then-write' });
    console.log(`counterexample (expected): schedule [${steps.join(', ')}]\n  ${trace.log.join('\n  ')}`);
    expect(steps.length).toBe(11);
    expect(increasingPerServer(trace)).toBe(false);
  });
});
