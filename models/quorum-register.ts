/**
 * A quorum-replicated read/write register: NWR, with WARO as W = N (the study notes' claims about
 * them: docs/notes.md#quorum-nwr).
 *
 * N replicas (r1..rN) each keep a value and its version, durably. A version is a pair (counter,
 * writer), compared counter first and writer id second, so two writers never make equal versions.
 * The protocol is ABD's (Attiya, Bar-Noy and Dolev), on the notes' N, W and R:
 * - write v: ask every replica for its version and wait for R answers (the query phase); then send
 *   (highest counter + 1, own id, v) to every replica and finish after W acknowledgements. A lone
 *   writer skips the query: its own count of its writes is the highest counter (ABD's
 *   single-writer register);
 * - read: ask every replica and wait for R answers, take the highest version (as the notes say);
 *   then write that version back to every replica and finish, with its value, after W
 *   acknowledgements;
 * - a replica takes a value whose version is higher than its own, and acknowledges every store.
 * Clients never give up (ABD blocks while too few replicas answer) and do one operation at a time,
 * `ops` each. Writers w1, w2 write distinct values (w1 writes 1, w2 writes 2; then 3 and 4 with
 * ops = 2), readers a, b, c read. An answer that comes after its phase is over is never read (its
 * handler is not enabled), so it stays in flight instead of adding a step.
 *
 * Because replicas keep everything durably and clients have no timeouts, a crash, a lost message or
 * a partition is, for safety, the same as messages that are slow — the unordered network already
 * lets any message wait for ever. Faults only matter to the availability property.
 */
import { defineActorModel, linearizable, operations, range, register, role, sessionGuarantees, system, type Ctx, type HistoryEvent, type Message } from 'faultline';
import { Set as ISet } from 'immutable';

type Version = { readonly ver: number; readonly by: string };
type Phase = 'idle' | 'query' | 'store';

export default defineActorModel({
  name: 'quorum-register',
  description: 'A register on N replicas with write quorum W and read quorum R (NWR, ABD-style), and WARO as W = N, R = 1.',
  params: {
    n: { default: 3, min: 1, max: 10, description: 'N, the number of replicas' },
    w: { default: 0, min: 0, max: 10, description: 'W, the acknowledgements a store waits for; 0: the variant’s choice (⌊N/2⌋+1, N for the WARO variants)' },
    r: { default: 0, min: 0, max: 10, description: 'R, the answers a query waits for; 0: the variant’s choice (N−W+1, N−W for small-quorums, 1 for the WARO variants)' },
    writers: { default: 1, min: 0, max: 2, description: 'writer clients (w1, w2)' },
    readers: { default: 1, min: 0, max: 3, description: 'reader clients (a, b, c)' },
    ops: { default: 1, min: 1, max: 2, description: 'operations each client performs, one after the other' },
    fanout: {
      default: 'all',
      choices: ['all', 'quorum'],
      description:
        'all: a request goes to every replica and the first R answers (W acknowledgements) count, as in the notes; quorum: it goes to exactly R (W) replicas, chosen nondeterministically — far fewer states, and the same behaviours for queries, but a store then never reaches more than W replicas, and a request to a crashed replica waits for ever (use all for availability)',
    },
  },
  variants: {
    correct: 'ABD with W + R > N: versions (counter, writer) from a query phase, readers write back what they return — linearizable; with a crash every operation still completes while a majority is up',
    'small-quorums': 'the same protocol with R = N − W (2 and 1 for N = 3), so W + R = N: a read quorum can miss the last write quorum and a read after a completed write returns the old value',
    'no-write-back': {
      description:
        'W + R > N, but a reader returns the highest value it saw without writing it back: a write still in progress is seen by one reader and missed by a later one, a new/old inversion',
      params: { readers: 2 },
      faults: { crash: 0 },
    },
    'local-versions': {
      description:
        'each writer numbers its writes 1, 2, … itself, without the query phase, and versions are compared by number alone: two writers make version 1 with different values, and a later write is lost; checked with two writers, W = 1 and R = 3 (a lone writer numbering its own writes is ABD’s single-writer register, and correct)',
      params: { writers: 2, w: 1, r: 3, fanout: 'quorum' },
      faults: { crash: 0 },
    },
    waro: {
      description:
        'write all, read one (W = N, R = 1) with ABD’s phases: linearizable, but one crashed replica blocks every write — and every read, whose write-back needs all N too',
      params: { readers: 0 },
    },
    'waro-fail': {
      description:
        'WARO whose writer, not hearing from every replica in time, reports the write as failed (the notes: “otherwise it counts as failed”), though replicas it reached keep the value: a read returns the failed write',
      faults: { crash: 0 },
    },
    'counter-only': {
      description: 'mutant of correct: versions are compared by counter alone, not (counter, writer): two writers’ concurrent writes get equal versions with different values',
      mutant: true,
    },
    'take-any': { description: 'mutant of correct: a replica takes every value it is sent, even one with a lower version than its own', mutant: true },
  },
  faults: { crash: 1, restart: 0, drop: 0, partition: 0 },
  build: ({ params, variant }) => {
    const replicas = range('r', params.n);
    const N = replicas.length;
    const waro = variant === 'waro' || variant === 'waro-fail';
    const W = params.w > 0 ? params.w : waro ? N : Math.floor(N / 2) + 1;
    const R = params.r > 0 ? params.r : waro ? 1 : variant === 'small-quorums' ? N - W : N - W + 1;
    if (W > N || R > N || R < 1) throw new Error(`quorum-register: need 1 ≤ W ≤ N and 1 ≤ R ≤ N, got N=${N}, W=${W}, R=${R}`);
    const majority = Math.floor(N / 2) + 1;
    const writers = range('w', params.writers);
    const readers = ['a', 'b', 'c'].slice(0, params.readers);
    const writeBack = variant !== 'no-write-back';
    const localVersions = variant === 'local-versions';
    /** A writer asks a read quorum for the highest version first, unless it is the only writer (or local-versions). */
    const queryPhase = writers.length > 1 && !localVersions;
    /** Writer i's k-th value (k from 1): distinct, never 0 (the initial value). */
    const valueOf = (i: number, k: number) => i + 1 + writers.length * (k - 1);
    /** Whether version a is higher than b: (counter, writer) lexicographically, or by counter alone. */
    const newer = (a: Version, b: Version) => a.ver > b.ver || (!localVersions && variant !== 'counter-only' && a.ver === b.ver && a.by > b.by);

    /** Send a request: to every replica, or to a chosen set of exactly `size` of them. */
    const subsets = (from: readonly string[], k: number): string[][] =>
      k === 0 ? [[]] : from.flatMap((r, i) => subsets(from.slice(i + 1), k - 1).map((q) => [r, ...q]));
    const quorums = { [R]: subsets(replicas, R), [W]: subsets(replicas, W) };
    const send = (ctx: Ctx, size: number, msg: Message) => {
      if (params.fanout === 'all') ctx.broadcast('replica', msg);
      else for (const r of ctx.choose(quorums[size]!)) ctx.send(r, msg);
    };

    return system({
      network: 'unordered',
      // A partition cuts one node off from the rest: enough to block WARO, and cheap.
      partitions: 'isolate',
      roles: {
        replica: role({
          ids: replicas,
          symmetric: true,
          durable: { val: 0, ver: 0, by: '' },
          on: {
            Get: (self, msg: { type: 'Get'; tag: number }, ctx) => {
              ctx.reply({ type: 'Value', tag: msg.tag, ver: self.ver, by: self.by, val: self.val });
              return self;
            },
            Put: (self, msg: { type: 'Put'; tag: number; ver: number; by: string; val: number }, ctx) => {
              ctx.reply({ type: 'Ack', tag: msg.tag });
              return newer(msg, self) || variant === 'take-any' ? self.set('ver', msg.ver).set('by', msg.by).set('val', msg.val) : self;
            },
          },
        }),
        writer: role({
          ids: writers,
          crashes: false,
          // `got`: the replicas that answered this phase; `ver`: the highest counter seen (query
          // phase), then the counter of the version being stored.
          durable: { started: 0, phase: 'idle' as Phase, got: ISet<string>(), ver: 0, val: 0 },
          steps: {
            write: (self, ctx) => {
              if (self.phase !== 'idle' || self.started === params.ops) return null;
              const tag = self.started + 1;
              const val = valueOf(ctx.index, tag);
              ctx.invoke('write', val);
              if (variant === 'waro-fail') ctx.setTimer('patience');
              const next = self.set('started', tag).set('val', val).set('got', ISet());
              if (!queryPhase) {
                // The writer's own count of its writes is the version: ABD's single-writer
                // register, where nobody else writes; local-versions does it with two writers.
                send(ctx, W, { type: 'Put', tag, ver: tag, by: ctx.id, val });
                return next.set('phase', 'store').set('ver', tag);
              }
              send(ctx, R, { type: 'Get', tag });
              return next.set('phase', 'query').set('ver', 0);
            },
          },
          on: {
            Value: (self, msg: { type: 'Value'; tag: number; ver: number }, ctx) => {
              if (self.phase !== 'query' || msg.tag !== self.started) return null; // late: left in flight, never read
              const got = self.got.add(ctx.from!);
              const ver = Math.max(self.ver, msg.ver);
              if (got.size < R) return self.set('got', got).set('ver', ver);
              send(ctx, W, { type: 'Put', tag: self.started, ver: ver + 1, by: ctx.id, val: self.val });
              return self.set('phase', 'store').set('got', ISet()).set('ver', ver + 1);
            },
            Ack: (self, msg: { type: 'Ack'; tag: number }, ctx) => {
              if (self.phase !== 'store' || msg.tag !== self.started) return null;
              const got = self.got.add(ctx.from!);
              if (got.size < W) return self.set('got', got);
              ctx.ok('write');
              ctx.cancelTimer('patience');
              return self.set('phase', 'idle').set('got', ISet());
            },
          },
          timers: {
            // waro-fail only: not every replica acknowledged in time — the notes call the write failed.
            patience: (self, ctx) => {
              if (self.phase === 'idle') return self;
              ctx.fail('write');
              return self.set('phase', 'idle').set('got', ISet());
            },
          },
        }),
        reader: role({
          ids: readers,
          symmetric: true,
          crashes: false,
          // `got`: the replicas that answered this phase; ver/by/val: the highest version seen.
          durable: { started: 0, phase: 'idle' as Phase, got: ISet<string>(), ver: 0, by: '', val: 0 },
          steps: {
            read: (self, ctx) => {
              if (self.phase !== 'idle' || self.started === params.ops) return null;
              ctx.invoke('read');
              send(ctx, R, { type: 'Get', tag: self.started + 1 });
              return self.set('started', self.started + 1).set('phase', 'query').set('got', ISet()).set('ver', 0).set('by', '').set('val', 0);
            },
          },
          on: {
            Value: (self, msg: { type: 'Value'; tag: number; ver: number; by: string; val: number }, ctx) => {
              if (self.phase !== 'query' || msg.tag !== self.started) return null;
              const got = self.got.add(ctx.from!);
              // The highest version wins; among equal ones (local-versions) the first answer.
              const best = got.size === 1 || newer(msg, self) ? self.set('ver', msg.ver).set('by', msg.by).set('val', msg.val) : self;
              if (got.size < R) return best.set('got', got);
              if (!writeBack) {
                ctx.ok('read', best.val);
                return best.set('phase', 'idle').set('got', ISet());
              }
              send(ctx, W, { type: 'Put', tag: self.started, ver: best.ver, by: best.by, val: best.val });
              return best.set('phase', 'store').set('got', ISet());
            },
            Ack: (self, msg: { type: 'Ack'; tag: number }, ctx) => {
              if (self.phase !== 'store' || msg.tag !== self.started) return null;
              const got = self.got.add(ctx.from!);
              if (got.size < W) return self.set('got', got);
              ctx.ok('read', self.val);
              return self.set('phase', 'idle').set('got', ISet());
            },
          },
        }),
      },
      invariants: {
        // INV-FailedWriteInvisible: no read returns a write its writer reported failed.
        FailedWriteInvisible: {
          holds: (w) => failedWriteRead(w.history) === null,
          explain: (w) => failedWriteRead(w.history)!,
        },
        // INV-RLW (read-latest-write): a read invoked after a write completed returns it or a newer
        // write.
        NoLostWrites: sessionGuarantees.noLostWrites(0),
        // INV-CAP-C: the history is that of one register (it implies INV-NoInversion).
        Linearizable: linearizable(register(0)),
      },
      witnesses: {
        // A write completed and the replicas hold different values (the register is linearizable all
        // the same: docs/notes.md#cap-same-value).
        ReplicasDiffer: (w) =>
          w.history.some((e) => e.type === 'ok' && e.f === 'write') && new Set(w.states('replica').map((s) => s.val)).size > 1,
        // local-versions: two replicas hold the same version with different values.
        VersionConflict: (w) => {
          const s = w.states('replica');
          const same = (x: Version, y: Version) => x.ver === y.ver && (localVersions || x.by === y.by);
          return s.some((x) => x.ver > 0 && s.some((y) => same(x, y) && x.val !== y.val));
        },
        // The intersection (docs/notes.md#quorum-read-rule): a read invoked after a write completed
        // returned that write.
        ReadLatest: (w) => readOfCompletedWrite(w.history),
      },
      properties: {
        // The availability a majority quorum promises: every client finishes all its operations,
        // unless fewer than a majority of replicas are up and on its side of a partition.
        // Every client has done all its operations, or fewer than a majority of replicas are up
        // and on its side.
        MajorityAvailable: {
          alwaysEventually: (w) =>
            [...w.of('writer'), ...w.of('reader')].every(({ id, state: c }) => {
              if (c.started === params.ops && c.phase === 'idle') return true;
              const side = w.partition?.find((s) => s.includes(id)) ?? null;
              return replicas.filter((r) => w.up(r) && (side === null || side.includes(r))).length < majority;
            }),
        },
      },
    });
  },
});

/** The first read that returned the value of a write its writer reported failed, in words, or null. */
function failedWriteRead(history: readonly HistoryEvent[]): string | null {
  const failed = new Set<string>();
  const open = new Map<string, unknown>();
  for (const e of history) {
    if (e.type === 'invoke') open.set(e.process, e.value);
    else if (e.type === 'fail' && e.f === 'write') failed.add(JSON.stringify(open.get(e.process)));
  }
  for (const e of history)
    if (e.type === 'ok' && e.f === 'read' && failed.has(JSON.stringify(e.value)))
      return `${e.process} read ${JSON.stringify(e.value)}, a write its writer reported failed`;
  return null;
}

/** Whether some read invoked after a write completed returned that write's value. */
function readOfCompletedWrite(history: readonly HistoryEvent[]): boolean {
  const ops = operations(history);
  return ops.some((r) => r.f === 'read' && !r.pending && ops.some((w) => w.f === 'write' && !w.pending && w.ret < r.call && JSON.stringify(w.input) === JSON.stringify(r.output)));
}
