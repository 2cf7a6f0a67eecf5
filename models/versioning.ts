/**
 * Versioning one key on replicas that all take writes: timestamps (last writer wins), scalar
 * versions with compare-and-set, and vector clocks with siblings (the study notes' claims about
 * them: docs/notes.md#versioning).
 *
 * Replicas r1..rN (param `replicas`) each hold one key, as one or more versions; clients c1..cM
 * (param `clients`) each do one read-modify-write at a replica of their choice: read the versions
 * there, add their own id to the set the value holds (a shopping cart: the union of what they read,
 * plus themselves), and write the result back to the same replica, stating what they read. Replicas
 * push what they hold to each other (anti-entropy) whenever it changed since their last push to that
 * peer. A write's value is therefore its own causal history: a → b (b's client had seen a) exactly
 * when a's writer is in b's value — which is what the invariants compare the versioning with.
 *
 * The variant is the versioning scheme:
 * - vector clocks (correct): one counter per replica. A write's version is its context (the clock of
 *   everything its client read) and its own event, a dot (replica, n), n above every dot that replica
 *   gave before (dotted version vectors: Preguiça, Baquero, Almeida and others; Riak since 2.0). A
 *   version is obsolete once another's context covers its dot; concurrent versions are kept side by
 *   side as siblings, for the next reader to merge;
 * - last writer wins: a version carries the taking replica's clock reading, and the highest
 *   (timestamp, writer) wins; r1's clock runs `skew` ahead of the others';
 * - scalar versions with compare-and-set (optimistic locking): a write states the version it read and
 *   is refused unless that is still the replica's version; anti-entropy keeps the higher version;
 * - vector clocks whose dots are the taking replica's physical clock reading instead of a counter;
 * - vector clocks without dots: each write folded into its clock, the context with the replica's
 *   next counter;
 * - blind writes: scalar versions without the compare-and-set.
 *
 * Clocks (`clock`): `fine` — a replica's clock reads higher at each write it takes; `coarse` — it
 * does not move during the run (two writes within one tick of its resolution).
 */
import { defineActorModel, messages, range, system, type Role, type World } from 'faultline';
import { Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';

type Json = { readonly [r: string]: number };
/** A version as messages carry it. */
type VersionJson = { readonly by: string; readonly value: readonly string[]; readonly r: string; readonly n: number; readonly ctx: Json; readonly stamp: number };
type Msg =
  | { type: 'Get' }
  | { type: 'Got'; versions: VersionJson[] }
  | { type: 'Put'; value: string[]; ctx: Json; read: number }
  | { type: 'PutOk' }
  | { type: 'Conflict' }
  | { type: 'Sync'; versions: VersionJson[] };
const { role } = messages<Msg>();

/** A version vector: replica → counter (0 when absent). */
type Clock = IMap<string, number>;
interface VersionFields {
  /** The client that wrote it (each client writes once). */
  readonly by: string;
  readonly value: ISet<string>;
  /** Vector clocks: its dot (r, n) and its context. */
  readonly r: string;
  readonly n: number;
  readonly ctx: Clock;
  /** Last writer wins: its timestamp; scalar: its version number. */
  readonly stamp: number;
}
const Version = Record<VersionFields>({ by: '', value: ISet(), r: '', n: 0, ctx: IMap(), stamp: 0 }, 'Version');
type Version = RecordOf<VersionFields>;

/**
 * The ghost: each accepted write's value (its causal history) and version, and the writes each
 * replica has received (from a client or from a peer).
 */
interface GhostFields {
  readonly values: IMap<string, ISet<string>>;
  readonly versions: IMap<string, Version>;
  readonly received: IMap<string, ISet<string>>;
}
const Ghost = Record<GhostFields>({ values: IMap(), versions: IMap(), received: IMap() }, 'Ghost');
type Ghost = RecordOf<GhostFields>;

type Phase = 'idle' | 'reading' | 'writing' | 'acked' | 'refused';
/** A field's initial value, typed as the field's type (not the literal's). */
const initially = <T>(value: T): T => value;

interface ReplicaFields {
  readonly kept: ISet<Version>;
  readonly clock: number;
  readonly issued: number;
  readonly pushed: ISet<string>;
}
interface ClientFields {
  readonly phase: Phase;
  readonly at: string;
}
type Roles = { replica: Role<RecordOf<ReplicaFields>>; client: Role<RecordOf<ClientFields>> };
type VWorld = World<Roles, Ghost>;

const sortedClock = (c: Clock): Json => c.sortBy((_n, r) => r).toObject();
const toJson = (v: Version): VersionJson => ({ by: v.by, value: v.value.sort().toArray(), r: v.r, n: v.n, ctx: sortedClock(v.ctx), stamp: v.stamp });
const fromJson = (v: VersionJson): Version => Version({ by: v.by, value: ISet(v.value), r: v.r, n: v.n, ctx: IMap<string, number>(Object.entries(v.ctx)), stamp: v.stamp });
const sorted = (vs: ISet<Version>): VersionJson[] => vs.sortBy((v) => v.by).map(toJson).toArray();
const mergeClocks = (a: Clock, b: Clock): Clock => a.mergeWith((x, y) => Math.max(x, y), b);
/** A version's whole clock: its context with its own dot. */
const full = (v: Version): Clock => (v.r === '' ? v.ctx : v.ctx.set(v.r, Math.max(v.ctx.get(v.r) ?? 0, v.n)));
const sameDot = (a: Version, b: Version) => a.r === b.r && a.n === b.n;
/** What the clocks say: a is obsolete given b — b's context covers a's dot — or is the same version. */
const covered = (a: Version, b: Version) => sameDot(a, b) || (b.ctx.get(a.r) ?? 0) >= a.n;
const showClock = (c: Clock) => `{${c.sortBy((_n, r) => r).map((n, r) => `${r}:${n}`).join(', ')}}`;
const showVersion = (v: Version) => `dot ${v.r}:${v.n}, context ${showClock(v.ctx)}`;

export default defineActorModel({
  name: 'versioning',
  description: 'One key on replicas that all take writes: last writer wins, scalar versions with compare-and-set, and vector clocks with siblings.',
  params: {
    replicas: { default: 2, min: 1, max: 3, description: 'replicas r1..rN, each taking writes and pushing to the others' },
    clients: { default: 2, min: 1, max: 3, description: 'clients c1..cM, each doing one read-modify-write at a replica of its choice' },
    skew: { default: 1, min: 0, max: 3, description: 'how far r1’s clock runs ahead of the others’' },
    clock: { default: 'fine', choices: ['fine', 'coarse'], description: 'fine: a replica’s clock reads higher at each write it takes; coarse: it does not move during the run' },
  },
  variants: {
    correct: 'vector clocks with a counter per replica (dotted version vectors): a version is dropped only once another’s context covers it, and concurrent versions are kept as siblings',
    lww: 'last writer wins by the taking replica’s clock, r1’s clock running ahead: a concurrent write is discarded silently, and a write that causally follows one taken at r1 but is taken elsewhere gets an earlier timestamp and is lost',
    scalar: 'a scalar version per key with compare-and-set at each replica (optimistic locking), the higher version winning on merge: two replicas each accept a concurrent update as the same version, and the merge keeps one without noticing',
    'physical-vc': {
      description: 'vector clocks whose entries are the taking replica’s physical clock reading instead of a counter: with a clock that does not move between two writes, the second gets the same clock as the first and one of them is taken for a copy of the other',
      params: { clock: 'coarse' },
    },
    'plain-vc': 'vector clocks with one counter per replica and each write folded into its clock (the client’s context with the replica’s next counter), without a dot: a replica’s later write covers every earlier one it took, seen by its client or not, and of two concurrent writes at one replica the first is dropped',
    'blind-write': {
      description: 'scalar versions without the compare-and-set: the replica overwrites whatever it holds, so of two read-modify-writes that read the same version one is lost — with one replica',
      params: { replicas: 1 },
    },
    'context-increment': {
      description: 'mutant of correct: the replica numbers a write one above its own entry in the client’s context, not above every write it took: two writes from the same context get the same dot',
      mutant: true,
    },
    'replica-context': { description: 'mutant of correct: the replica versions a write on everything it holds, not on what the client read (a blind write)', mutant: true },
    'merge-replaces': { description: 'mutant of correct: anti-entropy replaces what a replica holds with a received version that is not obsolete, concurrent or not', mutant: true },
    'keep-obsolete': { description: 'mutant of correct: a replica adds a version without dropping the ones it makes obsolete', mutant: true },
    'partial-context': { description: 'mutant of correct: a client that read siblings writes with the clock of one of them as its context', mutant: true },
  },
  build: ({ params, variant }) => {
    const replicas = range('r', params.replicas);
    const clients = range('c', params.clients);
    const scheme = variant === 'lww' ? 'lww' : variant === 'scalar' || variant === 'blind-write' ? 'scalar' : 'vc';
    const tick = params.clock === 'fine' ? 1 : 0;

    /** The one version that wins a total order: the higher stamp, then the higher writer id. */
    const winner = (vs: ISet<Version>): ISet<Version> => {
      const best = vs.maxBy((v) => v, (a, b) => (a.stamp !== b.stamp ? a.stamp - b.stamp : a.by < b.by ? -1 : a.by > b.by ? 1 : 0));
      return best === undefined ? ISet() : ISet([best]);
    };
    /** Take a version into those a replica keeps: a write it takes, or one a peer pushed. */
    const take = (kept: ISet<Version>, v: Version, fromPeer: boolean): ISet<Version> => {
      if (scheme !== 'vc') return winner(kept.add(v));
      // A pushed version that one kept covers is known already.
      if (fromPeer && kept.some((k) => covered(v, k))) return kept;
      if (fromPeer && variant === 'merge-replaces') return ISet([v]);
      if (variant === 'keep-obsolete') return kept.add(v);
      return kept.filter((k) => !covered(k, v)).add(v);
    };
    const receive = (r: string, writers: Iterable<string>) => (g: Ghost) => g.set('received', g.received.update(r, ISet<string>(), (s) => s.union(writers)));
    /** A replica's new set of versions: if it changed, every peer is due a push. */
    const keep = <S extends { readonly kept: ISet<Version>; set(k: 'kept', v: ISet<Version>): S; set(k: 'pushed', v: ISet<string>): S }>(self: S, kept: ISet<Version>): S =>
      kept.equals(self.kept) ? self : self.set('kept', kept).set('pushed', ISet<string>());
    const record = (v: Version) => (g: Ghost) => g.set('values', g.values.set(v.by, v.value)).set('versions', g.versions.set(v.by, v));

    return system({
      network: 'unordered',
      ghost: Ghost(),
      roles: {
        replica: role({
          ids: replicas,
          crashes: false,
          // kept: the versions held; clock: the physical clock's reading; issued: the last counter
          // this replica gave a dot; pushed: the peers it pushed `kept` to since it last changed.
          durable: { kept: ISet<Version>(), clock: 1, issued: 0, pushed: ISet<string>() },
          start: (self, ctx) => self.set('clock', ctx.index === 0 ? 1 + params.skew : 1),
          on: {
            Get: (self, _msg, ctx) => (ctx.reply({ type: 'Got', versions: sorted(self.kept) }), self),
            Put: (self, msg, ctx) => {
              const by = ctx.from ?? '';
              const value = ISet(msg.value);
              let v: Version;
              if (scheme === 'scalar') {
                const current = self.kept.first()?.stamp ?? 0;
                if (variant === 'scalar' && msg.read !== current) return ctx.reply({ type: 'Conflict' }), self;
                v = Version({ by, value, stamp: current + 1 });
              } else if (scheme === 'lww') v = Version({ by, value, stamp: self.clock });
              else {
                // The write's context: what the client read (or, in the mutant, all the replica holds).
                const context = variant === 'replica-context' ? self.kept.reduce((c, k) => mergeClocks(c, full(k)), IMap<string, number>()) : IMap<string, number>(Object.entries(msg.ctx));
                const n = variant === 'physical-vc' ? self.clock : variant === 'context-increment' ? (context.get(ctx.id) ?? 0) + 1 : self.issued + 1;
                v = Version({ by, value, r: ctx.id, n, ctx: variant === 'plain-vc' ? context.set(ctx.id, n) : context });
              }
              ctx.reply({ type: 'PutOk' });
              ctx.updateGhost(receive(ctx.id, [by]));
              ctx.updateGhost(record(v));
              return keep(self, take(self.kept, v, false))
                .set('issued', Math.max(self.issued, v.n))
                .set('clock', self.clock + tick);
            },
            Sync: (self, msg, ctx) => {
              const pushed = msg.versions.map(fromJson);
              ctx.updateGhost(receive(ctx.id, pushed.map((v) => v.by)));
              return keep(self, pushed.reduce((kept, v) => take(kept, v, true), self.kept));
            },
          },
          steps: {
            // Anti-entropy: push what this replica holds to a peer, if it changed since the last push there.
            push: (self, ctx) => {
              const peers = replicas.filter((r) => r !== ctx.id);
              if (peers.length === 0) return null;
              const to = ctx.choose(peers);
              if (self.kept.size === 0 || self.pushed.has(to)) return null;
              ctx.send(to, { type: 'Sync', versions: sorted(self.kept) });
              return self.set('pushed', self.pushed.add(to));
            },
          },
        }),
        client: role({
          ids: clients,
          crashes: false,
          durable: { phase: initially<Phase>('idle'), at: '' },
          steps: {
            rmw: (self, ctx) => {
              if (self.phase !== 'idle') return null;
              const at = ctx.choose(replicas);
              ctx.send(at, { type: 'Get' });
              return self.set('phase', 'reading').set('at', at);
            },
          },
          on: {
            Got: (self, msg, ctx) => {
              if (self.phase !== 'reading') return null;
              const read = msg.versions.map(fromJson);
              // Merge the siblings (the union of the carts), add this client, and state what was read.
              const value = read.reduce((s, v) => s.union(v.value), ISet<string>()).add(ctx.id);
              const context = (variant === 'partial-context' ? read.slice(0, 1) : read).reduce((c, v) => mergeClocks(c, full(v)), IMap<string, number>());
              const version = read.reduce((n, v) => Math.max(n, v.stamp), 0);
              ctx.send(self.at, { type: 'Put', value: value.sort().toArray(), ctx: sortedClock(context), read: version });
              return self.set('phase', 'writing');
            },
            PutOk: (self) => self.set('phase', 'acked'),
            Conflict: (self) => self.set('phase', 'refused'),
          },
        }),
      },
      invariants: {
        // A write a replica has received is gone from it only once a version it keeps follows it
        // (has it in its value) — never while it keeps a version that causally precedes it...
        NoCausalLoss: { holds: (w) => losses(w, 'earlier').length === 0, explain: (w) => losses(w, 'earlier').join('; ') },
        // ...nor while it keeps one concurrent with it: concurrent writes are kept side by side.
        ConcurrentWritesKept: { holds: (w) => losses(w, 'concurrent').length === 0, explain: (w) => losses(w, 'concurrent').join('; ') },
        // The versions a replica keeps side by side are concurrent: no false conflict.
        SiblingsConcurrent: { holds: (w) => falseSiblings(w).length === 0, explain: (w) => falseSiblings(w).join('; ') },
        // Vector clocks characterise causality: a → b exactly when b's context covers a's dot, and
        // two writes never share a dot.
        ...(scheme === 'vc' ? { ClocksMatchCausality: { holds: (w: VWorld) => mismatches(w).length === 0, explain: (w: VWorld) => mismatches(w).join('; ') } } : {}),
        // Every acknowledged update is still somewhere: in the value of a version some replica keeps.
        NoLostUpdate: { holds: (w) => lostUpdates(w).length === 0, explain: (w) => `the acknowledged update of ${lostUpdates(w).join(' and ')} is in no replica` },
      },
    });
  },
});

// ------------------------------------------------------------------ what the invariants check

/** a → b: b's client had seen a's write (a's writer is in b's value). */
function before(w: VWorld, a: string, b: string): boolean {
  return a !== b && (w.ghost.values.get(b)?.has(a) ?? false);
}

/**
 * The writes a replica received and no longer has (in no version it keeps), with a version kept
 * instead that is `earlier` than the lost write or `concurrent` with it, in words.
 */
function losses(w: VWorld, kind: 'earlier' | 'concurrent'): string[] {
  return w.of('replica').flatMap(({ id, state }) =>
    (w.ghost.received.get(id) ?? ISet<string>())
      .sort()
      .toArray()
      .filter((b) => !state.kept.some((k) => k.value.has(b)))
      .flatMap((b) =>
        state.kept
          .sortBy((k) => k.by)
          .toArray()
          .filter((k) => (kind === 'earlier') === before(w, k.by, b))
          .map((k) => `${id} received ${b}'s write and keeps ${k.by}'s instead, ${kind === 'earlier' ? `which ${b}'s follows` : 'concurrent with it'}`),
      ),
  );
}

/** Versions a replica keeps beside one that follows them, in words. */
function falseSiblings(w: VWorld): string[] {
  return w.of('replica').flatMap(({ id, state }) => {
    const kept = state.kept.sortBy((k) => k.by).toArray();
    return kept.flatMap((a) => kept.filter((b) => before(w, a.by, b.by)).map((b) => `${id} keeps ${a.by}'s write beside ${b.by}'s, which follows it`));
  });
}

/** Pairs of writes whose clocks do not say which came first, in words. */
function mismatches(w: VWorld): string[] {
  const versions = w.ghost.versions.sortBy((_v, by) => by).valueSeq().toArray();
  return versions.flatMap((a, i) =>
    versions.slice(i + 1).flatMap((b) => {
      const happened = before(w, a.by, b.by) ? 'first' : before(w, b.by, a.by) ? 'second' : 'concurrent';
      const says = sameDot(a, b) ? 'same' : covered(a, b) ? 'first' : covered(b, a) ? 'second' : 'concurrent';
      if (happened === says) return [];
      const phrase = (x: string) => (x === 'first' ? `${a.by}'s came first` : x === 'second' ? `${b.by}'s came first` : x === 'same' ? 'they are one version' : 'they are concurrent');
      return [`of ${a.by}'s and ${b.by}'s writes ${phrase(happened)}, but their clocks (${showVersion(a)}; ${showVersion(b)}) say ${phrase(says)}`];
    }),
  );
}

/** Clients whose update was acknowledged and is in no version any replica keeps. */
function lostUpdates(w: VWorld): string[] {
  return w
    .of('client')
    .filter(({ id, state }) => state.phase === 'acked' && !w.some('replica', (r) => r.kept.some((k) => k.value.has(id))))
    .map(({ id }) => id);
}
