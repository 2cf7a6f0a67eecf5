/**
 * The history checks: linearizability (Wing & Gong with Lowe's memoisation) on hand-made histories
 * whose verdicts are argued in the comments, and against a brute-force search over every order on
 * random small histories; the three session guarantees on hand-made histories; and the invariant
 * builders inside an explored actor model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../src/check/bfs.js';
import {
  checkLinearizable,
  defineActorModel,
  keyValue,
  linearizable,
  monotonicReads,
  noLostWrites,
  operations,
  readYourWrites,
  register,
  role,
  sessionGuarantees,
  system,
  type Operation,
} from '../src/index.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import type { AnyModel } from '../src/index.js';

type Ev = { process: string; type: 'invoke' | 'ok' | 'fail'; f: string; value: unknown };
/** `h('c1 invoke write 1', 'c1 ok write', ...)`: process, type, operation, value (JSON, optional). */
const h = (...lines: string[]): Ev[] =>
  lines.map((l) => {
    const [process = '', type = '', f = '', ...rest] = l.split(' ');
    return { process, type: type as Ev['type'], f, value: rest.length ? JSON.parse(rest.join(' ')) : null };
  });
const lin = (events: Ev[], initial: unknown = 0) => checkLinearizable(events, register(initial)).ok;

describe('operations', () => {
  it('pairs invocations with completions, drops failures, and leaves the rest pending', () => {
    const ops = operations(h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 0', 'c3 invoke write 2', 'c3 fail write', 'c2 invoke read', 'c1 invoke read'));
    expect(ops.map((o) => [o.process, o.f, o.input, o.output, o.call, o.ret])).toEqual([
      ['c1', 'write', 1, undefined, 0, Infinity], // superseded by c1's next invocation: pending
      ['c2', 'read', null, 0, 1, 2],
      ['c2', 'read', null, undefined, 5, Infinity],
      ['c1', 'read', null, undefined, 6, Infinity],
    ]);
  });
  it('a completion without its invocation is an error', () => {
    expect(() => operations(h('c1 ok read 0'))).toThrow(/c1 completes read \(ok\) without invoking it/);
  });
});

describe('linearizability of a register (initially 0)', () => {
  it('a read after a completed write must see it', () => {
    // w(1) returns before r is invoked: r must come after w in any order, so it reads 1.
    expect(lin(h('c1 invoke write 1', 'c1 ok write', 'c2 invoke read', 'c2 ok read 1'))).toBe(true);
    const r = checkLinearizable(h('c1 invoke write 1', 'c1 ok write', 'c2 invoke read', 'c2 ok read 0'), register(0));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.longest.map((o) => o.f)).toEqual(['write']);
      expect(r.stuck?.f).toBe('read');
      expect(r.explanation).toBe('not linearizable: after c1 write 1, c2 read → 0 cannot be placed — no order of the 2 operations respects real time and the register');
    }
  });

  it('a read overlapping a write may see either value', () => {
    for (const v of [0, 1]) expect(lin(h('c1 invoke write 1', 'c2 invoke read', `c2 ok read ${v}`, 'c1 ok write'))).toBe(true);
    expect(lin(h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 2', 'c1 ok write'))).toBe(false); // nobody wrote 2
  });

  it('new/old inversion: two reads, each overlapping the write, in real-time order 1 then 0', () => {
    // w(1) spans both reads; c2 reads 1 and returns; c3 then reads 0. Each read alone is fine, but
    // c3's read follows c2's, which follows w: c3 must read 1.
    const both = h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 1', 'c3 invoke read', 'c3 ok read 0', 'c1 ok write');
    expect(lin(both)).toBe(false);
    expect(lin(both.filter((e) => e.process !== 'c3'))).toBe(true);
    expect(lin(both.filter((e) => e.process !== 'c2'))).toBe(true);
    // The same two reads overlapping each other: order c3's read (0), w, c2's read (1).
    expect(lin(h('c1 invoke write 1', 'c2 invoke read', 'c3 invoke read', 'c2 ok read 1', 'c3 ok read 0', 'c1 ok write'))).toBe(true);
  });

  it('concurrent writes take one order, and later reads must agree on it', () => {
    const writes = ['c1 invoke write 1', 'c2 invoke write 2', 'c1 ok write', 'c2 ok write'];
    // Both writes done: the last of the two is the value; reading 1 then 2 needs both orders.
    expect(lin(h(...writes, 'c3 invoke read', 'c3 ok read 1', 'c3 invoke read', 'c3 ok read 2'))).toBe(false);
    expect(lin(h(...writes, 'c3 invoke read', 'c3 ok read 2', 'c3 invoke read', 'c3 ok read 2'))).toBe(true);
    expect(lin(h(...writes, 'c3 invoke read', 'c3 ok read 1', 'c4 invoke read', 'c4 ok read 1'))).toBe(true);
  });

  it('a pending write may take effect at any time after its invocation, or never', () => {
    expect(lin(h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 0', 'c2 invoke read', 'c2 ok read 1'))).toBe(true);
    expect(lin(h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 1', 'c2 invoke read', 'c2 ok read 0'))).toBe(false);
    expect(lin(h('c2 invoke read', 'c2 ok read 1', 'c1 invoke write 1'))).toBe(false); // not before its invocation
    expect(lin(h('c1 invoke write 1', 'c2 invoke read', 'c2 ok read 0'))).toBe(true); // never
  });

  it('a failed write never took effect', () => {
    expect(lin(h('c1 invoke write 1', 'c1 fail write', 'c2 invoke read', 'c2 ok read 1'))).toBe(false);
    expect(lin(h('c1 invoke write 1', 'c1 fail write', 'c2 invoke read', 'c2 ok read 0'))).toBe(true);
  });

  it('compare-and-set: of two concurrent swaps from 0, one succeeds', () => {
    const swaps = (a: boolean, b: boolean) => h('c1 invoke cas [0,1]', 'c2 invoke cas [0,2]', `c1 ok cas ${a}`, `c2 ok cas ${b}`, 'c3 invoke read', 'c3 ok read 2');
    expect(lin(swaps(true, true))).toBe(false);
    expect(lin(swaps(false, true))).toBe(true);
    expect(lin(swaps(true, false))).toBe(false); // then the register holds 1
  });

  it('a map is checked key by key, and the explanation names the key', () => {
    const kv = (x: number) => h('c1 invoke write ["x",1]', 'c1 ok write', 'c2 invoke read "y"', 'c2 ok read null', 'c2 invoke read "x"', `c2 ok read ${x}`);
    expect(checkLinearizable(kv(1), keyValue(null)).ok).toBe(true);
    const r = checkLinearizable(kv(0), keyValue(null));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.part).toBe('x');
      expect(r.explanation).toMatch(/^not linearizable \(x\): after c1 write 1 at x, c2 read → 0 at x cannot be placed/);
    }
  });

  it('twelve concurrent writes and a read are checked without blowing up (memoisation)', () => {
    // 12 clients each write their number, all concurrently; then one read of 7. Without memoisation the
    // search would try up to 12! orders; with it, at most 2^12 (set, state) pairs.
    const n = 12;
    const events = [
      ...Array.from({ length: n }, (_, i) => `c${i} invoke write ${i}`),
      ...Array.from({ length: n }, (_, i) => `c${i} ok write`),
      'r invoke read',
      'r ok read 7',
    ];
    expect(lin(h(...events))).toBe(true);
    expect(lin(h(...events.slice(0, -1), 'r ok read 99'))).toBe(false);
  });
});

// ---- against brute force

/** Every order of the completed operations and any subset of the pending ones, respecting real time, run on a register. */
function bruteForce(ops: Operation[], initial: number): boolean {
  const done = ops.filter((o) => !o.pending);
  const pending = ops.filter((o) => o.pending);
  for (let mask = 0; mask < 1 << pending.length; mask++) {
    const chosen = [...done, ...pending.filter((_, i) => mask & (1 << i))];
    if (permutations(chosen).some((order) => legal(order, initial))) return true;
  }
  return false;
}
function legal(order: Operation[], initial: number): boolean {
  for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (order[j]!.ret < order[i]!.call) return false;
  let v = initial;
  for (const op of order) {
    if (op.f === 'write') v = op.input as number;
    else if (!op.pending && op.output !== v) return false;
  }
  return true;
}
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/**
 * Random histories of up to 3 clients and 6 operations on a register of 0..2: each step moves one
 * client — it invokes a read or a write, or completes its operation (a read returns the value the
 * simulated register holds, or any value; a write takes effect at its completion, or is left pending,
 * or fails). Both verdicts are common.
 */
const histories = fc
  .array(fc.record({ client: fc.integer({ min: 0, max: 2 }), v: fc.integer({ min: 0, max: 2 }), how: fc.integer({ min: 0, max: 3 }) }), { maxLength: 14 })
  .map((steps) => {
    const events: Ev[] = [];
    const open = new Map<number, { f: string; v: number }>();
    let reg = 0;
    let ops = 0;
    for (const { client, v, how } of steps) {
      const p = `c${client}`;
      const op = open.get(client);
      if (op === undefined) {
        if (ops === 6) continue;
        ops++;
        const f = how % 2 === 0 ? 'read' : 'write';
        open.set(client, { f, v });
        events.push({ process: p, type: 'invoke', f, value: f === 'write' ? v : null });
      } else {
        open.delete(client);
        if (op.f === 'read') events.push({ process: p, type: 'ok', f: 'read', value: how === 0 ? v : reg });
        else if (how === 0) continue; // pending
        else if (how === 1) events.push({ process: p, type: 'fail', f: 'write', value: null });
        else {
          reg = op.v;
          events.push({ process: p, type: 'ok', f: 'write', value: null });
        }
      }
    }
    return events;
  });

describe('linearizability against brute force', () => {
  it('agrees with trying every order, on random histories', () => {
    fc.assert(
      fc.property(histories, (events) => {
        expect(checkLinearizable(events, register(0)).ok).toBe(bruteForce(operations(events), 0));
      }),
      { numRuns: 2000, seed: 20261124 },
    );
  });
  it('the random histories are not all of one verdict', () => {
    const verdicts = fc.sample(histories, { numRuns: 400, seed: 7 }).map((e) => bruteForce(operations(e), 0));
    expect(verdicts.filter((v) => v).length).toBeGreaterThan(40);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(40);
  });
});

describe('session guarantees (initially 0, distinct written values)', () => {
  it('read your writes: a client reads its own completed write or something newer', () => {
    const v = readYourWrites(h('c1 invoke write 1', 'c1 ok write', 'c1 invoke read', 'c1 ok read 0'), 0);
    expect(v?.explanation).toBe('c1 wrote 1, then read the initial value, which is older: read-your-writes broken');
    // Another client's stale read is not a read-your-writes violation, but the write is lost to it.
    const other = h('c1 invoke write 1', 'c1 ok write', 'c2 invoke read', 'c2 ok read 0');
    expect(readYourWrites(other, 0)).toBeNull();
    expect(noLostWrites(other, 0)?.explanation).toBe("c1's write of 1 completed, then c2 read the initial value, which is older: the write is lost");
    // A newer write of someone else is fine: c2's 2 was invoked after c1's 1 completed.
    expect(readYourWrites(h('c1 invoke write 1', 'c1 ok write', 'c2 invoke write 2', 'c2 ok write', 'c1 invoke read', 'c1 ok read 2'), 0)).toBeNull();
  });

  it('monotonic reads: never an older value after a newer one', () => {
    const writes = ['c1 invoke write 1', 'c1 ok write', 'c2 invoke write 2', 'c2 ok write']; // 1 before 2
    const v = monotonicReads(h(...writes, 'c3 invoke read', 'c3 ok read 2', 'c3 invoke read', 'c3 ok read 1'), 0);
    expect(v?.explanation).toBe("c3 read 2 (c2's write), then 1 (c1's write), which is older: monotonic reads broken");
    expect(monotonicReads(h(...writes, 'c3 invoke read', 'c3 ok read 1', 'c3 invoke read', 'c3 ok read 2'), 0)).toBeNull();
    // Concurrent writes have no order: 2 then 1 is monotonic, though not linearizable.
    const concurrent = h('c1 invoke write 1', 'c2 invoke write 2', 'c1 ok write', 'c2 ok write', 'c3 invoke read', 'c3 ok read 2', 'c3 invoke read', 'c3 ok read 1');
    expect(monotonicReads(concurrent, 0)).toBeNull();
    expect(lin(concurrent)).toBe(false);
  });

  it('a completed write is never lost: every later read sees it or a newer one', () => {
    expect(noLostWrites(h('c1 invoke write 1', 'c1 ok write', 'c2 invoke read', 'c2 ok read 1'), 0)).toBeNull();
    // A read overlapping the write may still return the old value.
    expect(noLostWrites(h('c1 invoke write 1', 'c2 invoke read', 'c1 ok write', 'c2 ok read 0'), 0)).toBeNull();
  });

  it('refuses histories it cannot judge', () => {
    expect(() => noLostWrites(h('c1 invoke write 1', 'c1 ok write', 'c2 invoke write 1', 'c2 ok write'), 0)).toThrow(/distinct written values/);
    expect(() => noLostWrites(h('c1 invoke read', 'c1 ok read 5'), 0)).toThrow(/c1 read 5, a value nobody wrote/);
  });
});

// ---- as invariants of a model

/**
 * Client c writes 1 to replica a, then reads from replica b. Variant `replicated`: a forwards the write
 * to b before acknowledging. Variant `local`: it does not, so the read can return 0.
 */
const twoReplicas = defineActorModel({
  name: 'two-replicas',
  variants: { replicated: 'a acknowledges once b has the value', local: 'a acknowledges at once' },
  faults: {},
  build: ({ variant }) =>
    system({
      network: 'unordered',
      roles: {
        client: role({
          ids: ['c'],
          durable: { phase: 'idle' },
          start: (self, ctx) => {
            ctx.invoke('write', 1);
            ctx.send('a', { type: 'Write', v: 1 });
            return self.set('phase', 'writing');
          },
          on: {
            Ack: (self, _m, ctx) => {
              ctx.ok('write');
              ctx.invoke('read');
              ctx.send('b', { type: 'Read' });
              return self.set('phase', 'reading');
            },
            Value: (self, m: { type: 'Value'; v: number }, ctx) => {
              ctx.ok('read', m.v);
              return self.set('phase', 'done');
            },
          },
        }),
        replica: role({
          ids: ['a', 'b'],
          durable: { v: 0 },
          on: {
            Write: (self, m: { type: 'Write'; v: number }, ctx) => {
              if (variant === 'replicated' && ctx.id === 'a') ctx.send('b', { type: 'Copy', v: m.v, to: ctx.from! });
              else ctx.reply({ type: 'Ack' });
              return self.set('v', m.v);
            },
            Copy: (self, m: { type: 'Copy'; v: number; to: string }, ctx) => {
              ctx.send('c', { type: 'Ack' });
              return self.set('v', m.v);
            },
            Read: (self, _m, ctx) => {
              ctx.reply({ type: 'Value', v: self.v });
              return self;
            },
          },
        }),
      },
      invariants: {
        Linearizable: linearizable(register(0)),
        ReadYourWrites: sessionGuarantees.readYourWrites(0),
        NoLostWrites: sessionGuarantees.noLostWrites(0),
        MonotonicReads: sessionGuarantees.monotonicReads(0),
      },
    }),
});

describe('history invariants in a model', () => {
  const run = (variant: string) => {
    const m = twoReplicas as unknown as AnyModel;
    return explore(buildSpec(m, resolveConfig(m, variant, {}, {})));
  };
  it('hold when the write reaches the replica that is read', () => {
    expect(run('replicated').result).toBe('ok');
  });
  it('the first one checked breaks, with the checker explanation, when it does not', () => {
    const r = run('local');
    expect(r.result).toBe('violation');
    expect(r.violation!.name).toBe('Linearizable');
    // The four deliveries: Write at a, Ack at c (which sends the read), Read at b, Value 0 at c.
    expect(r.violation!.trace.length - 1).toBe(4);
    expect(r.violation!.explanation).toMatch(/after c write 1, c read → 0 cannot be placed/);
  });
});
