/**
 * CAP and BASE on one register (the study notes' claims about them: docs/notes.md#cap-and-base).
 *
 * Replicas d and e (the notes' D and E), or d, e, f, hold a register, initially 0. Client c1
 * talks to d, client c2 to the last replica; each runs a short script — c1 writes 1 then reads, c2
 * reads then writes 2 — and waits for each answer before the next operation. The history of those
 * operations is what the consistency claims are checked on. The fault is one partition, c1 and d on
 * one side, c2 and its replica on the other (with three replicas e stays with d: the majority side),
 * which may heal.
 *
 * - `cp`: d is the primary. The other replicas forward requests to it; d answers a read from its
 *   copy and a write once a majority of replicas (itself included) stored it. Cut off, a replica
 *   waits — or, with `minority=refuse`, it answers "unavailable" when its timeout tells it that d is
 *   out of reach.
 * - `ap`: every replica answers at once from its own copy, and sends each write to the others (last
 *   writer wins by version, then replica id) — they catch up once the partition heals.
 * - `ca`: the `cp` protocol with every replica in the write set, that gives up waiting and answers
 *   from its own copy when a timeout says the other side is out of reach: it claims both.
 *
 * Timeouts fire only when the awaited peer is really cut off (a perfect failure detector): the
 * partition is the only reason to give up.
 */
import { type Ctx, defineActorModel, linearizable, register, type Role, role, system, type World } from 'faultline';
import { Map as IMap, Set as ISet, type RecordOf } from 'immutable';

type Op = 'read' | 'write';
/** A client's script: (operation, value written). */
const scripts: Record<string, [Op, number][]> = {
  c1: [
    ['write', 1],
    ['read', 0],
    ['read', 0],
  ],
  c2: [
    ['read', 0],
    ['write', 2],
    ['read', 0],
  ],
};

export default defineActorModel({
  name: 'cap-register',
  description: 'A replicated register under a partition: the CP, AP and “CA” choices of the CAP theorem, checked for linearizability, availability and eventual convergence.',
  params: {
    replicas: { default: 2, min: 2, max: 3, description: 'replicas: d, e (the notes’ D and E) or d, e, f' },
    ops: { default: 2, min: 1, max: 3, description: 'operations per client: c1 writes 1 then reads (then reads again), c2 reads then writes 2 (then reads)' },
    minority: { default: 'wait', choices: ['wait', 'refuse'], description: 'cp: a replica cut off from the primary waits, or refuses (answers unavailable)' },
    claim: {
      default: 'linearizable',
      choices: ['linearizable', 'eventual'],
      description: 'the consistency checked: linearizable (CAP’s C), or eventual (BASE: replicas agree once everything is delivered)',
    },
  },
  variants: {
    cp: 'consistent under partition: requests go through the primary, writes need a majority; a replica cut off from the primary waits (or refuses) — linearizable, but Available fails while the partition lasts',
    ap: 'available under partition: every replica serves its own copy and sends writes on, last writer wins — Available holds and replicas converge after the heal (BASE), but a read returns the old value after a write completed elsewhere: not linearizable',
    ca: 'claims both: the primary protocol, but a replica that times out on the other side answers from its own copy — linearizable and available with no partition; with one, linearizability breaks',
    'local-reads': { description: 'mutant of cp: a replica other than the primary answers a read from its own copy instead of forwarding it', mutant: true },
    'take-any-sync': { description: 'mutant of ap: a replica takes every write another replica sends it, newer or not (no last-writer-wins)', mutant: true },
  },
  faults: { partition: 1 },
  build: ({ params, variant }) => {
    const replicas = ['d', 'e', 'f'].slice(0, params.replicas);
    const primary = 'd';
    const home: Record<string, string> = { c1: 'd', c2: replicas[replicas.length - 1]! };
    const majority = Math.floor(replicas.length / 2) + 1;
    /** The write set of the primary: a majority (cp), or every replica (ca, falling back on a timeout). */
    const needed = variant === 'cp' || variant === 'local-reads' ? majority : replicas.length;
    const peersOf = (r: string) => replicas.filter((x) => x !== r);
    // Versions: counter × 10 + the writing replica's index, so that the last writer wins by counter, then id.
    const stamp = (counter: number, r: string) => counter * 10 + replicas.indexOf(r);
    /** A replica stamps a local write above every version it has seen (a Lamport clock). */
    const localWrite = <T extends { version: number; counter: number; merge(p: { value: number; version: number; counter: number }): T }>(self: T, v: number, r: string): T => {
      const counter = Math.max(self.counter, Math.floor(self.version / 10)) + 1;
      return self.merge({ value: v, version: stamp(counter, r), counter });
    };

    const clientState = { next: 0, waiting: false, refused: 0 };
    type Client = RecordOf<typeof clientState>;
    const replicaDurable = {
      value: 0,
      version: 0,
      /** Writes this replica stamped so far (its version counter). */
      counter: 0,
    };
    const replicaVolatile = {
      /** Requests forwarded to the primary and not yet answered: client → `n op value`. */
      forwarded: IMap<string, string>(),
      /** Primary: the write being replicated, `client n value via version`, and who stored it. */
      pending: '',
      acks: ISet<string>(),
      /** Primary: writes waiting for the one being replicated: client → `n value via`. */
      queue: IMap<string, string>(),
    };
    type Replica = RecordOf<typeof replicaDurable & typeof replicaVolatile>;
    type Roles = { readonly client: Role<Client>; readonly replica: Role<Replica> };
    type CapWorld = World<Roles>;

    /** The client's next operation, if its script has one. */
    const issue = (self: Client, id: string, ctx: Ctx): Client => {
      const step = scripts[id]![self.next];
      if (self.next >= params.ops || step === undefined) return self;
      const [op, v] = step;
      ctx.invoke(op, op === 'write' ? v : undefined);
      ctx.send(home[id]!, { type: 'Request', n: self.next, op, v });
      return self.set('waiting', true);
    };
    /** The primary's answer: to its own client directly, to a forwarding replica otherwise. */
    const answer = (client: string, n: number, op: Op, v: number, via: string, ctx: Ctx) => {
      if (via === primary) ctx.send(client, { type: 'Reply', n, op, v });
      else ctx.send(via, { type: 'Answer', client, n, op, v });
    };
    /** The primary starts replicating a write. */
    const replicate = (self: Replica, client: string, n: number, v: number, via: string, ctx: Ctx): Replica => {
      const version = stamp(self.counter + 1, primary);
      for (const r of peersOf(primary)) ctx.send(r, { type: 'Replicate', v, version });
      if (variant === 'ca') ctx.setTimer('replicate');
      return self.merge({ counter: self.counter + 1, pending: `${client} ${n} ${v} ${via} ${version}`, acks: ISet([primary]) });
    };
    /** The primary serves a request: a read from its copy, a write through replication (one at a time). */
    const serve = (self: Replica, client: string, n: number, op: Op, v: number, via: string, ctx: Ctx): Replica => {
      if (op === 'read') return answer(client, n, 'read', self.value, via, ctx), self;
      if (self.pending !== '') return self.set('queue', self.queue.set(client, `${n} ${v} ${via}`));
      return replicate(self, client, n, v, via, ctx);
    };
    /** The write set stored the pending write (or, in ca, the rest timed out): apply, answer, next. */
    const commit = (self: Replica, ctx: Ctx): Replica => {
      const [client = '', n, v, via = '', version] = self.pending.split(' ');
      ctx.cancelTimer('replicate');
      answer(client, Number(n), 'write', Number(v), via, ctx);
      let s = self.merge({ pending: '', acks: ISet<string>() });
      if (Number(version) > s.version) s = s.merge({ value: Number(v), version: Number(version) });
      const next = s.queue.keySeq().sort().first();
      if (next === undefined) return s;
      const [qn, qv, qvia = ''] = s.queue.get(next)!.split(' ');
      return replicate(s.set('queue', s.queue.remove(next)), next, Number(qn), Number(qv), qvia, ctx);
    };

    const cut = (w: CapWorld, a: string, b: string) => {
      const p = w.partition;
      return p !== null && p[0].includes(a) !== p[0].includes(b);
    };

    return system({
      network: 'unordered',
      partitions: [params.replicas === 2 ? ['d', 'c1'] : ['d', 'e', 'c1']],
      // A timeout fires only when what it waits for is cut off: a forwarded request (the primary is on
      // the other side), or a replication (a replica whose ack is missing is on the other side).
      timeoutsWhen: (w: CapWorld, node: string, timer: string) => {
        if (timer === 'forward') return cut(w, node, primary);
        const me = w.get('replica', node);
        return replicas.some((r) => !me.acks.has(r) && cut(w, node, r));
      },
      roles: {
        client: role({
          ids: ['c1', 'c2'],
          durable: clientState,
          start: (self, ctx) => issue(self, ctx.id, ctx),
          on: {
            Reply: (self, msg: { type: 'Reply'; n: number; op: Op; v: number }, ctx) => {
              if (!self.waiting || msg.n !== self.next) return self; // the answer to an operation given up on
              ctx.ok(msg.op, msg.op === 'read' ? msg.v : undefined);
              return issue(self.merge({ next: self.next + 1, waiting: false }), ctx.id, ctx);
            },
            // Refused: the write may still reach the primary after the heal, so its outcome is unknown —
            // it stays pending in the history; the client goes on with its script.
            Unavailable: (self, msg: { type: 'Unavailable'; n: number }, ctx) => {
              if (!self.waiting || msg.n !== self.next) return self;
              return issue(self.merge({ next: self.next + 1, waiting: false, refused: self.refused + 1 }), ctx.id, ctx);
            },
          },
        }),
        replica: role({
          ids: replicas,
          durable: replicaDurable,
          volatile: replicaVolatile,
          on: {
            Request: (self, msg: { type: 'Request'; n: number; op: Op; v: number }, ctx) => {
              const client = ctx.from!;
              if (variant === 'ap' || variant === 'take-any-sync') {
                if (msg.op === 'read') return ctx.reply({ type: 'Reply', n: msg.n, op: 'read', v: self.value }), self;
                const s = localWrite(self, msg.v, ctx.id);
                for (const r of peersOf(ctx.id)) ctx.send(r, { type: 'Sync', v: msg.v, version: s.version });
                ctx.reply({ type: 'Reply', n: msg.n, op: 'write', v: msg.v });
                return s;
              }
              if (variant === 'local-reads' && ctx.id !== primary && msg.op === 'read') return ctx.reply({ type: 'Reply', n: msg.n, op: 'read', v: self.value }), self;
              if (ctx.id !== primary) {
                ctx.send(primary, { type: 'Forward', client, n: msg.n, op: msg.op, v: msg.v });
                if (variant === 'ca' || params.minority === 'refuse') ctx.setTimer('forward');
                return self.set('forwarded', self.forwarded.set(client, `${msg.n} ${msg.op} ${msg.v}`));
              }
              return serve(self, client, msg.n, msg.op, msg.v, ctx.id, ctx);
            },
            Forward: (self, msg: { type: 'Forward'; client: string; n: number; op: Op; v: number }, ctx) =>
              serve(self, msg.client, msg.n, msg.op, msg.v, ctx.from!, ctx),
            Answer: (self, msg: { type: 'Answer'; client: string; n: number; op: Op; v: number }, ctx) => {
              if (Number(self.forwarded.get(msg.client)?.split(' ')[0] ?? -1) !== msg.n) return self; // already answered here
              ctx.send(msg.client, { type: 'Reply', n: msg.n, op: msg.op, v: msg.v });
              const forwarded = self.forwarded.remove(msg.client);
              if (forwarded.size === 0) ctx.cancelTimer('forward');
              return self.set('forwarded', forwarded);
            },
            Replicate: (self, msg: { type: 'Replicate'; v: number; version: number }, ctx) => {
              ctx.reply({ type: 'Stored', version: msg.version });
              return msg.version > self.version ? self.merge({ value: msg.v, version: msg.version }) : self;
            },
            Stored: (self, msg: { type: 'Stored'; version: number }, ctx) => {
              if (self.pending === '' || Number(self.pending.split(' ')[4]) !== msg.version) return self;
              const s = self.set('acks', self.acks.add(ctx.from!));
              return s.acks.size >= needed ? commit(s, ctx) : s;
            },
            Sync: (self, msg: { type: 'Sync'; v: number; version: number }) =>
              msg.version > self.version || variant === 'take-any-sync' ? self.merge({ value: msg.v, version: msg.version }) : self,
          },
          timers: {
            // Cut off from the primary: cp waits (no timer) or refuses; ca answers from its own copy.
            forward: (self, ctx) => {
              let s = self;
              for (const [client, req] of self.forwarded) {
                const [n = 0, op = 'read', v = 0] = req.split(' ').map((x, i) => (i === 1 ? x : Number(x))) as [number, Op, number];
                if (variant !== 'ca') ctx.send(client, { type: 'Unavailable', n });
                else {
                  // ca: serve from the local copy, writes included.
                  if (op === 'write') s = localWrite(s, v, ctx.id);
                  ctx.send(client, { type: 'Reply', n, op, v: op === 'read' ? s.value : v });
                }
              }
              return s.set('forwarded', IMap());
            },
            // ca: the primary gives up on the replicas it cannot reach and commits with the rest.
            replicate: (self, ctx) => (self.pending === '' ? self : commit(self, ctx)),
          },
        }),
      },
      invariants: params.claim === 'linearizable' ? { Linearizable: linearizable(register(0)) } : {
        // BASE (INV-QuiescentConvergence): once every client is done, no partition holds and nothing
        // is in flight, every replica holds the same value.
        QuiescentConvergence: {
          holds: (w) => !quiescent(w) || new Set(replicas.map((r) => w.get('replica', r).value)).size === 1,
          explain: (w) => `everything delivered, yet the replicas hold ${replicas.map((r) => `${r}=${w.get('replica', r).value}`).join(', ')}`,
        },
      },
      witnesses: {
        // The notes' partition example (docs/notes.md#cap-ap-base): keeping A under a partition,
        // both sides acknowledged a write and hold different values; the updates wait behind the cut.
        DivergedInPartition: (w) =>
          w.partition !== null &&
          w.get('replica', 'd').value === 1 &&
          w.get('replica', home['c2']!).value === 2 &&
          w.history.filter((e) => e.type === 'ok' && e.f === 'write').length === 2,
      },
      properties: {
        // CAP's A (LIVE-CAP-A): every request a replica receives is answered, and not with a refusal.
        Available: { eventually: (w) => w.every('client', (c) => c.next === params.ops && c.refused === 0) },
      },
    });

    function quiescent(w: CapWorld): boolean {
      return w.partition === null && w.messages().length === 0 && ['c1', 'c2'].every((c) => w.get('client', c).next === params.ops);
    }
  },
});
