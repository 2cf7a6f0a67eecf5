/**
 * Primary/backup replication of one register, with failover and read routing (the study notes'
 * claims about them: docs/notes.md#primary-backup-and-read-routing).
 *
 * Servers s1..sN hold the register: its value and the version that wrote it — the epoch of the
 * primary that wrote it and a counter, compared in that order. s1 starts as the primary, the others
 * are backups. A client sends a write to the server it believes is the primary, which gives it the
 * next version and replicates it to every other server as the whole state (value and version); a
 * backup takes it if it is newer than its own. Replication is
 * - sync: the primary applies the write and answers once one backup has acknowledged it (one write
 *   at a time: later ones wait in the network; meanwhile it serves reads of its last committed
 *   value), or
 * - async: the primary applies and answers at once, and replicates afterwards.
 *
 * Failover is
 * - arbiter: `a` stands for a quorum-based decision maker (a ZooKeeper ensemble, a Sentinel
 *   quorum), so it never crashes; it holds the epoch. The primary holds a lease from it: cut off
 *   from the arbiter, it lets the lease run out and stops serving, and the arbiter fails over only
 *   once the primary is down or has stopped. That is the lease assumption (clocks of bounded drift:
 *   the arbiter waits out every lease it granted, one in a Config still in flight included), written
 *   as the condition of the arbiter's timer. Failover: a new epoch; `Fence` to every server, which
 *   adopts the epoch — from then on it refuses replication from an older primary — and reports its
 *   version (`State`); once every backup has reported, the arbiter makes the newest one primary
 *   (`Config`) and tells the clients (Sentinel notifies the callers). A new sync primary
 *   first re-replicates its state, and serves once a backup has acknowledged it.
 * - heartbeat: keepalived + virtual IP, as in the notes. The backup of highest priority (lowest
 *   number) that hears neither the primary nor a backup above it — down, or cut off — takes the
 *   virtual IP and announces it (`Takeover`, the gratuitous ARP) to servers and clients. No epoch,
 *   no lease, no look at the data; a primary ignores another primary's replication and Takeover.
 * A restarted server comes back as a backup and asks the primary for its state (`Join`); a primary
 * that restarts is primary no more (the arbiter sees it is not serving, and fails over).
 *
 * Reads go, by variant, to the primary (answered only by a serving primary), to any server, to the
 * server the client hashes to, to the primary for a window after the client's last write and to any
 * server after it, or to any server with the version of the client's last write or read, which a
 * server older than that refuses — the notes' fixes for read-your-writes and monotonic reads.
 *
 * Clients c1 (write 1, read, read) and c2 (read, write 2, read) run their script cut to `ops`
 * operations. The first is invoked by a local step, when the client chooses; each next one as the
 * previous completes (or by a step too: `think`). A client gives up waiting when its server is down,
 * when nothing between them is in flight any more (lost, or ignored by a server that is not the
 * primary), or when it has learnt of a new primary — not while a partition holds its request or the
 * answer (re-sent copies would pile up behind the cut). A write given up stays pending, its outcome
 * unknown, and the client goes on; a read is re-sent, re-routed. Requests are not duplicated (one
 * connection): a duplicated write would be applied twice, which takes request ids to prevent
 * (models/examples/at-least-once.ts). The history is checked for linearizability and the session
 * guarantees (docs/actors.md); `check` picks which.
 */
import { defineActorModel, linearizable, range, register, role, sessionGuarantees, system, type Ctx, type Role, type World } from 'faultline';
import { List, Map as IMap, type RecordOf } from 'immutable';

type ServerRole = 'primary' | 'backup';
type ReadMode = 'primary' | 'replica' | 'token';

type Write = { readonly type: 'Write'; readonly op: number; readonly value: number };
type WriteOk = { readonly type: 'WriteOk'; readonly op: number; readonly e: number; readonly v: number };
type Read = { readonly type: 'Read'; readonly op: number; readonly mode: ReadMode; readonly e: number; readonly v: number };
type ReadOk = { readonly type: 'ReadOk'; readonly op: number; readonly value: number; readonly e: number; readonly v: number };
type Refused = { readonly type: 'Refused'; readonly op: number };
type Replicate = { readonly type: 'Replicate'; readonly epoch: number; readonly e: number; readonly v: number; readonly value: number };
type Ack = { readonly type: 'Ack'; readonly epoch: number; readonly e: number; readonly v: number };
type Fence = { readonly type: 'Fence'; readonly epoch: number };
type State = { readonly type: 'State'; readonly epoch: number; readonly e: number; readonly v: number };
type Config = { readonly type: 'Config'; readonly epoch: number; readonly primary: string };

/** Versions are (epoch of the primary that wrote, counter), compared in that order. */
const newer = (e1: number, v1: number, e2: number, v2: number) => e1 > e2 || (e1 === e2 && v1 > v2);

/** One operation of a client's script: a write of a value, or a read. */
type Op = { readonly f: 'write'; readonly value: number } | { readonly f: 'read' };
const SCRIPTS: readonly (readonly Op[])[] = [
  [{ f: 'write', value: 1 }, { f: 'read' }, { f: 'read' }],
  [{ f: 'read' }, { f: 'write', value: 2 }, { f: 'read' }],
];

const CLIENT_DURABLE = {
  /** Index of the current (or next) operation of the script. */
  next: 0,
  /** Whether the current operation is in flight. */
  busy: false,
  /** The server the current request went to, and whether it went there as to the primary. */
  target: '',
  viaPrimary: false,
  /** The server the client believes is the primary, and the epoch it learnt that in. */
  primary: 's1',
  cfg: 1,
  /** The newest version this client wrote or read (for timestamp reads). */
  tokE: 0,
  tokV: 0,
  /** Window reads: the window after the last write is open. */
  window: false,
  /** Sticky reads: the server this client hashes to. */
  sticky: '',
};
type Client = RecordOf<typeof CLIENT_DURABLE>;

/** A server's register survives a crash (it is on disk), and so does the epoch it has seen. */
const SERVER_DURABLE = { epoch: 1, dEpoch: 0, ver: 0, value: 0 };
interface ServerVolatile {
  readonly role: ServerRole;
  readonly ready: boolean;
  readonly leader: string;
  readonly wE: number;
  readonly wV: number;
  readonly wValue: number;
  readonly wClient: string;
  readonly wOp: number;
}
const SERVER_VOLATILE: ServerVolatile = {
  role: 'backup',
  /** A primary serves once its state is on a backup (sync: after a promotion). */
  ready: false,
  /** The server this one follows (heartbeat failover watches it). */
  leader: '',
  /** Sync: the write being replicated (wV 0: none), and whom to answer (wClient '': a re-replication). */
  wE: 0,
  wV: 0,
  wValue: 0,
  wClient: '',
  wOp: 0,
};
type Server = RecordOf<typeof SERVER_DURABLE & ServerVolatile>;

interface ArbiterDurable {
  readonly epoch: number;
  readonly primary: string;
  readonly collecting: boolean;
  readonly got: IMap<string, List<number>>;
  readonly failovers: number;
}
type Arbiter = RecordOf<ArbiterDurable>;

type Roles = { client: Role<Client>; server: Role<Server>; arbiter: Role<Arbiter> };
type PBWorld = World<Roles>;

const CHECKS = ['all', 'single-primary', 'read-your-writes', 'monotonic-reads', 'session', 'lost-writes', 'linearizable'] as const;

export default defineActorModel({
  name: 'primary-backup',
  description: 'A primary replicates a register to backups (sync or async); failover by an arbiter with epochs, leases and fencing, or by heartbeats (keepalived); reads from the primary, any replica, a sticky replica, a time window or with a version token.',
  params: {
    servers: { default: 2, min: 2, max: 3, description: 'servers s1..sN; s1 starts as the primary' },
    clients: { default: 2, min: 1, max: 2, description: 'clients c1 (write 1, read, read) and c2 (read, write 2, read)' },
    ops: { default: 2, min: 1, max: 3, description: 'operations of each client’s script it runs' },
    think: { default: false, description: 'a client may pause between operations (each is invoked by a local step); false: only the first waits for the step, the next is invoked as the previous completes' },
    failovers: { default: 1, min: 0, max: 2, description: 'arbiter variants: how many failovers the arbiter may make' },
    cut: {
      default: 's1+c1',
      choices: ['s1+c1', 's1', 'any'],
      description: 'the partition a partition fault makes: s1 (the first primary) and c1 against the rest, s1 alone against the rest, or any split',
    },
    check: {
      default: 'all',
      choices: [...CHECKS],
      description:
        'the invariants checked: all (SinglePrimary, ReadYourWrites, MonotonicReads, NoLostWrites, Linearizable, the first broken one is reported), one of them, or session (ReadYourWrites and MonotonicReads)',
    },
  },
  variants: {
    correct:
      'sync replication (answer after one backup has the write), arbiter failover with epochs, fencing and leases, reads from the primary: linearizable under crashes, restarts, lost messages and a partition',
    'async-failover':
      'async replication: the primary answers at once. Without failover it is still linearizable; after the primary crashes and a backup is promoted, an acknowledged write is gone: ReadYourWrites, NoLostWrites and Linearizable broken',
    'heartbeat-failover': {
      description:
        'keepalived-style failover: a backup that misses the primary’s heartbeats takes over, with no epoch, no lease and no look at its data: a partition makes two primaries (SinglePrimary); with two servers sync replication still keeps the history linearizable, with three the backup that takes over may lack an acknowledged write (Linearizable, after a crash or a partition)',
      faults: { crash: 0, partition: 1 },
    },
    'replica-reads': {
      description:
        'async replication, reads from any server (read-write splitting): a client misses its own acknowledged write (ReadYourWrites) and reads a new value, then an older one (MonotonicReads, with --param check=monotonic-reads,ops=3)',
      faults: { crash: 0 },
    },
    'sticky-reads': {
      description:
        'async, each client always reads the server it hashes to (the notes’ fix for monotonic reads): MonotonicReads holds while that server answers, ReadYourWrites does not; when it crashes (or a request to it is lost) and the client moves on along the ring, MonotonicReads breaks too (--param servers=3,check=monotonic-reads,ops=3)',
      faults: { crash: 0 },
    },
    'window-reads': {
      description:
        'async, a client reads the primary for a time window after its write, then any server (a fix the notes give for read-your-writes): ReadYourWrites holds for a read inside the window and breaks for one after it (--param think=true) when replication lags behind the window',
      params: { check: 'read-your-writes', think: true },
      faults: { crash: 0 },
    },
    'timestamp-reads': {
      description:
        'async, reads carry the version of the client’s last write or read and an older server refuses them (a fix the notes give for read-your-writes): ReadYourWrites and MonotonicReads hold, even across a failover; Linearizable and NoLostWrites do not (another client’s write)',
      params: { check: 'linearizable' },
      faults: { crash: 0 },
    },
    'promote-any': { description: 'mutant of correct: the arbiter makes the first backup primary, without comparing the versions the backups report', mutant: true },
    'no-lease': {
      description: 'mutant of correct: no lease — a primary cut off from the arbiter goes on serving, and the arbiter fails over as soon as it cannot reach it',
      mutant: true,
    },
    'serve-at-once': { description: 'mutant of correct: a promoted primary serves at once, without first replicating its state to a backup', mutant: true },
    'no-fencing': { description: 'mutant of correct: a server takes replication from a primary of an older epoch', mutant: true },
    'any-reads': { description: 'mutant of correct: a client reads from any server, not only from the serving primary', mutant: true },
  },
  faults: { crash: 1, restart: 0, drop: 0, partition: 0 },
  build: ({ params, variant }) => {
    const servers = range('s', params.servers);
    const clients = range('c', params.clients);
    const first = servers[0]!; // 's1', where clients start
    const sync = variant === 'correct' || variant === 'heartbeat-failover' || variant === 'promote-any' || variant === 'no-lease' || variant === 'serve-at-once' || variant === 'no-fencing' || variant === 'any-reads';
    const arbiter = variant !== 'heartbeat-failover';
    const reads: 'primary' | 'any' | 'sticky' | 'window' | 'token' =
      variant === 'replica-reads' || variant === 'any-reads' ? 'any' : variant === 'sticky-reads' ? 'sticky' : variant === 'window-reads' ? 'window' : variant === 'timestamp-reads' ? 'token' : 'primary';
    const want = (...names: (typeof CHECKS)[number][]) => params.check === 'all' || names.includes(params.check);

    const cutOff = (w: PBWorld, a: string, b: string) => {
      const sides = w.partition;
      return sides !== null && sides[0].includes(a) !== sides[0].includes(b);
    };

    /** Where a client's read goes, and how the server is to answer it. */
    const routeRead = (self: Client, ctx: Ctx): { to: string; mode: ReadMode } => {
      switch (reads) {
        case 'primary':
          return { to: self.primary, mode: 'primary' };
        case 'sticky':
          return { to: self.sticky, mode: 'replica' };
        case 'window':
          return self.window ? { to: self.primary, mode: 'primary' } : { to: ctx.choose(servers), mode: 'replica' };
        case 'token':
          return { to: ctx.choose(servers), mode: 'token' };
        default:
          return { to: ctx.choose(servers), mode: 'replica' };
      }
    };

    /** Invoke the client's next operation (there is one) and send it. */
    function issue(self: Client, ctx: Ctx): Client | null {
      const op = SCRIPTS[ctx.index]!.slice(0, params.ops)[self.next];
      if (op === undefined) return null;
      ctx.setTimer('timeout');
      if (op.f === 'write') {
        ctx.invoke('write', op.value);
        ctx.send(self.primary, { type: 'Write', op: self.next, value: op.value });
        return self.set('busy', true).set('target', self.primary).set('viaPrimary', true);
      }
      ctx.invoke('read');
      const r = routeRead(self, ctx);
      ctx.send(r.to, { type: 'Read', op: self.next, mode: r.mode, e: self.tokE, v: self.tokV });
      return self.set('busy', true).set('target', r.to).set('viaPrimary', r.mode === 'primary');
    }
    /** After an operation: without think time the next one is invoked at once. */
    const chain = (self: Client, ctx: Ctx): Client => (params.think ? self : (issue(self, ctx) ?? self));

    return system<Roles>({
      partitions: params.cut === 'any' ? 'any' : [params.cut === 's1' ? [first] : clients.includes('c1') ? [first, 'c1'] : [first]],
      roles: {
        client: role({
          ids: clients,
          crashes: false,
          durable: CLIENT_DURABLE,
          // Sticky reads: client k hashes to server k+1 of the ring (c1 → s2; c2 → s1 with two servers, s3 with three).
          start: (self, ctx) => self.set('sticky', servers[(ctx.index + 1) % servers.length]!),
          steps: {
            // The client invokes its next operation.
            issue: (self, ctx) => (self.busy || (self.next > 0 && !params.think) ? null : issue(self, ctx)),
          },
          on: {
            WriteOk: (self, msg: WriteOk, ctx) => {
              if (!self.busy || msg.op !== self.next) return self; // a late answer to a write given up
              ctx.ok('write');
              ctx.cancelTimer('timeout');
              let out = self.set('busy', false).set('next', self.next + 1);
              if (newer(msg.e, msg.v, self.tokE, self.tokV)) out = out.set('tokE', msg.e).set('tokV', msg.v);
              if (reads === 'window') {
                ctx.setTimer('window');
                out = out.set('window', true);
              }
              return chain(out, ctx);
            },
            ReadOk: (self, msg: ReadOk, ctx) => {
              if (!self.busy || msg.op !== self.next) return self; // an answer to an earlier try
              ctx.ok('read', msg.value);
              ctx.cancelTimer('timeout');
              const out = self.set('busy', false).set('next', self.next + 1);
              return chain(newer(msg.e, msg.v, self.tokE, self.tokV) ? out.set('tokE', msg.e).set('tokV', msg.v) : out, ctx);
            },
            // Timestamp reads: the server is older than the client's token; try again, elsewhere.
            Refused: (self, msg: Refused, ctx) => {
              if (!self.busy || msg.op !== self.next) return self;
              const r = routeRead(self, ctx);
              ctx.send(r.to, { type: 'Read', op: self.next, mode: r.mode, e: self.tokE, v: self.tokV });
              return self.set('target', r.to).set('viaPrimary', r.mode === 'primary');
            },
            Config: (self, msg: Config) => (msg.epoch > self.cfg ? self.set('primary', msg.primary).set('cfg', msg.epoch) : self),
            Takeover: (self, _msg, ctx) => self.set('primary', ctx.from!),
          },
          timers: {
            timeout: (self, ctx) => {
              if (!self.busy) return self;
              const op = SCRIPTS[ctx.index]![self.next]!;
              // A write given up is left pending: it may yet take effect.
              if (op.f === 'write') return chain(self.set('busy', false).set('next', self.next + 1), ctx);
              // A read is re-sent, re-routed (a sticky client moves on to the next server of the ring).
              ctx.setTimer('timeout');
              const moved = reads === 'sticky' ? self.set('sticky', servers[(servers.indexOf(self.sticky) + 1) % servers.length]!) : self;
              const r = routeRead(moved, ctx);
              ctx.send(r.to, { type: 'Read', op: self.next, mode: r.mode, e: self.tokE, v: self.tokV });
              return moved.set('target', r.to).set('viaPrimary', r.mode === 'primary');
            },
            window: (self) => self.set('window', false),
          },
        }),
        server: role({
          ids: servers,
          durable: SERVER_DURABLE,
          volatile: SERVER_VOLATILE,
          start: (self, ctx) => {
            if (ctx.id === first) {
              if (arbiter) ctx.setTimer('lease');
              return self.set('role', 'primary').set('ready', true).set('leader', ctx.id);
            }
            if (!arbiter) ctx.setTimer('heartbeat');
            return self.set('leader', first);
          },
          // Back from a crash as a backup: ask whoever is primary for its state. (A server that was
          // primary is one no more: the arbiter sees it is not serving and fails over.)
          restart: (self, ctx) => {
            ctx.broadcast('server', { type: 'Join' });
            return self;
          },
          on: {
            Write: (self, msg: Write, ctx) => {
              if (self.role !== 'primary') return self; // not the primary: the request is lost
              if (!self.ready || self.wV > 0) return null; // busy: the request waits
              const v = self.ver + 1;
              ctx.broadcast('server', { type: 'Replicate', epoch: self.epoch, e: self.epoch, v, value: msg.value });
              if (!sync) {
                ctx.reply({ type: 'WriteOk', op: msg.op, e: self.epoch, v });
                return self.set('dEpoch', self.epoch).set('ver', v).set('value', msg.value);
              }
              return self.set('wE', self.epoch).set('wV', v).set('wValue', msg.value).set('wClient', ctx.from!).set('wOp', msg.op);
            },
            Replicate: (self, msg: Replicate, ctx) => {
              if (msg.epoch < self.epoch && variant !== 'no-fencing') return self; // fenced: from a primary of an older epoch
              if (msg.epoch === self.epoch && self.role === 'primary') return self; // another primary's
              let out = msg.epoch > self.epoch ? stepDown(self, ctx).set('epoch', msg.epoch) : self;
              if (newer(msg.e, msg.v, out.dEpoch, out.ver)) out = out.set('dEpoch', msg.e).set('ver', msg.v).set('value', msg.value);
              if (sync) ctx.reply({ type: 'Ack', epoch: msg.epoch, e: msg.e, v: msg.v });
              return out.set('leader', ctx.from!);
            },
            Ack: (self, msg: Ack, ctx) => {
              if (self.role !== 'primary' || self.wV === 0 || msg.epoch !== self.epoch || msg.e !== self.wE || msg.v !== self.wV) return self;
              if (self.wClient !== '') ctx.send(self.wClient, { type: 'WriteOk', op: self.wOp, e: self.wE, v: self.wV });
              return self.set('dEpoch', self.wE).set('ver', self.wV).set('value', self.wValue).set('wV', 0).set('wClient', '').set('ready', true);
            },
            Read: (self, msg: Read, ctx) => {
              const answer = () => ctx.reply({ type: 'ReadOk', op: msg.op, value: self.value, e: self.dEpoch, v: self.ver });
              if (msg.mode === 'primary') {
                if (self.role !== 'primary' || !self.ready) return self; // only a serving primary answers
                return answer(), self;
              }
              if (msg.mode === 'token' && newer(msg.e, msg.v, self.dEpoch, self.ver)) return ctx.reply({ type: 'Refused', op: msg.op }), self;
              return answer(), self;
            },
            // Arbiter failover: adopt the new epoch (refusing the old primary from now on) and report.
            Fence: (self, msg: Fence, ctx) => {
              if (msg.epoch < self.epoch) return self;
              const out = msg.epoch > self.epoch ? stepDown(self, ctx).set('epoch', msg.epoch) : self;
              ctx.reply({ type: 'State', epoch: msg.epoch, e: out.dEpoch, v: out.ver });
              return out;
            },
            Config: (self, msg: Config, ctx) => {
              if (msg.epoch < self.epoch || (msg.epoch === self.epoch && self.role === 'primary')) return self;
              const out = msg.epoch > self.epoch ? stepDown(self, ctx).set('epoch', msg.epoch) : self;
              if (msg.primary === ctx.id) {
                ctx.setTimer('lease');
                return promote(out, ctx);
              }
              return out.set('leader', msg.primary);
            },
            // A server back from a crash (or a primary that stepped down) asks for the state.
            Join: (self, _msg, ctx) => {
              if (self.role !== 'primary') return self;
              if (self.wV > 0) ctx.reply({ type: 'Replicate', epoch: self.epoch, e: self.wE, v: self.wV, value: self.wValue });
              else ctx.reply({ type: 'Replicate', epoch: self.epoch, e: self.dEpoch, v: self.ver, value: self.value });
              return self;
            },
            // Heartbeat failover: another server took the virtual IP. A primary keeps it too.
            Takeover: (self, _msg, ctx) => {
              return self.role === 'primary' ? self : self.set('leader', ctx.from!);
            },
          },
          timers: {
            // Arbiter: cut off from the arbiter, the primary cannot renew its lease and stops serving.
            lease: (self, ctx) => (self.role === 'primary' && variant !== 'no-lease' ? stepDown(self, ctx) : self),
            // Heartbeat: no heartbeat from the primary; take the virtual IP.
            heartbeat: (self, ctx) => {
              if (self.role !== 'backup') return self;
              ctx.broadcast('server', { type: 'Takeover' });
              ctx.broadcast('client', { type: 'Takeover' });
              return promote(self, ctx);
            },
          },
        }),
        arbiter: role<ArbiterDurable>({
          ids: arbiter ? ['a'] : [],
          crashes: false,
          durable: {
            epoch: 1,
            primary: first,
            collecting: false,
            /** Failover: the version each backup reported, as [epoch, counter]. */
            got: IMap<string, List<number>>(),
            failovers: 0,
          },
          start: (self, ctx) => {
            if (params.failovers > 0) ctx.setTimer('failover');
            return self;
          },
          on: {
            State: (self, msg: State, ctx) => {
              if (!self.collecting || msg.epoch !== self.epoch || ctx.from === self.primary) return self;
              const got = self.got.set(ctx.from!, List([msg.e, msg.v]));
              const candidates = servers.filter((s) => s !== self.primary);
              if (!candidates.every((s) => got.has(s))) return self.set('got', got);
              // Every backup is fenced and has reported: the newest becomes the primary.
              let best = candidates[0]!;
              for (const s of candidates) {
                const [e, v] = [got.get(s)!.get(0)!, got.get(s)!.get(1)!];
                if (newer(e, v, got.get(best)!.get(0)!, got.get(best)!.get(1)!) && variant !== 'promote-any') best = s;
              }
              // The backups learn of the new primary from its replication; the old one was fenced.
              ctx.send(best, { type: 'Config', epoch: self.epoch, primary: best });
              ctx.broadcast('client', { type: 'Config', epoch: self.epoch, primary: best });
              if (self.failovers < params.failovers) ctx.setTimer('failover');
              return self.set('primary', best).set('collecting', false).set('got', IMap());
            },
          },
          timers: {
            // The primary is down or has let its lease run out: a new epoch, and fence every server.
            failover: (self, ctx) => {
              ctx.broadcast('server', { type: 'Fence', epoch: self.epoch + 1 });
              return self.set('epoch', self.epoch + 1).set('collecting', true).set('failovers', self.failovers + 1);
            },
          },
        }),
      },
      timeoutsWhen: (w: PBWorld, node: string, timer: string) => {
        if (timer === 'timeout') {
          // A client gives up waiting when its server is down, when nothing between them is in flight
          // (lost, or ignored: the server is not the primary), or when it has learnt of a new primary.
          // Not while its request or the answer is held up by a partition: re-sending then would pile
          // up copies behind the cut; the client waits for the heal.
          const c = w.get('client', node);
          const t = c.target;
          const idle = w.messagesBetween(node, t).length === 0 && w.messagesBetween(t, node).length === 0;
          return !w.up(t) || idle || (c.viaPrimary && c.primary !== t);
        }
        if (timer === 'lease') return cutOff(w, node, 'a');
        if (timer === 'heartbeat') {
          // VRRP priorities: the backup of highest priority (lowest number) that still hears nobody
          // above it takes over; a backup that hears a higher one (its adverts) stays a backup.
          const leader = w.get('server', node).leader;
          const lost = (s: string) => !w.up(s) || cutOff(w, node, s);
          return leader !== '' && leader !== node && lost(leader) && servers.slice(0, servers.indexOf(node)).every(lost);
        }
        if (timer === 'failover') {
          // The lease assumption: no server is serving as primary or about to be made one.
          const p = w.get('arbiter', 'a').primary;
          const serving = w.up(p) && w.get('server', p).role === 'primary' && !(variant === 'no-lease' && cutOff(w, p, 'a'));
          return !serving && !w.messages('Config').some((m) => servers.includes(m.to));
        }
        return true; // window: a client's window may close at any time
      },
      invariants: {
        ...(want('single-primary')
          ? {
              // INV-PB-SinglePrimary: at most one server acts as primary at a time.
              SinglePrimary: {
                holds: (w: PBWorld) => servers.filter((s) => w.up(s) && w.get('server', s).role === 'primary').length <= 1,
                explain: (w: PBWorld) =>
                  `${servers.filter((s) => w.up(s) && w.get('server', s).role === 'primary').join(' and ')} both act as primary`,
              },
            }
          : {}),
        ...(want('read-your-writes', 'session') ? { ReadYourWrites: sessionGuarantees.readYourWrites(0) } : {}),
        ...(want('monotonic-reads', 'session') ? { MonotonicReads: sessionGuarantees.monotonicReads(0) } : {}),
        ...(want('lost-writes') ? { NoLostWrites: sessionGuarantees.noLostWrites(0) } : {}),
        ...(want('linearizable') ? { Linearizable: linearizable(register(0)) } : {}),
      },
      witnesses: {
        // A client's write was acknowledged: sync needs a replication round trip more than async.
        WriteAcked: (w: PBWorld) => w.history.some((e) => e.type === 'ok' && e.f === 'write'),
      },
    });

    /** A server stops being primary (its lease ran out, or it learnt of a newer epoch). */
    function stepDown(self: Server, ctx: Ctx): Server {
      if (self.role === 'primary') ctx.cancelTimer('lease');
      return self.set('role', 'backup').set('ready', false).set('wV', 0).set('wClient', '');
    }

    /** A server becomes primary; sync: it first re-replicates its state, and serves once a backup has it. */
    function promote(self: Server, ctx: Ctx): Server {
      const out = self.set('role', 'primary').set('leader', ctx.id);
      if (!sync || self.ver === 0 || variant === 'serve-at-once') return out.set('ready', true);
      ctx.broadcast('server', { type: 'Replicate', epoch: self.epoch, e: self.dEpoch, v: self.ver, value: self.value });
      return out.set('ready', false).set('wE', self.dEpoch).set('wV', self.ver).set('wValue', self.value).set('wClient', '');
    }
  },
});
