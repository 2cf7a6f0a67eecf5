/**
 * ZooKeeper's lock recipes and master election over an abstract ZooKeeper store (the study notes'
 * claims about them: docs/notes.md#zookeeper-lock-and-master-election).
 *
 * `zk` is ZooKeeper as one linearizable store (the ensemble is ZAB's business, models/zab.ts): znodes
 * with a sequence number, a mode and an ephemeral owner; sessions; one-shot watches. It never
 * crashes. Clients c1..cN talk to it over one FIFO channel each (ZooKeeper orders a session's
 * requests, replies and watch events: a client sees the reply to `exists` before the event that
 * watch fires), and to the `resource` — what the lock protects — over FIFO channels too.
 *
 * - Sessions. A client's first `create` opens its session (ZooKeeper's connect handshake, folded into
 *   the create: the session number comes back with the reply, which the client matches by its
 *   attempt number). A session ends when the client, with no rounds left, closes it along with its
 *   last release, or by expiry: the zk timer `sK` fires when session K's client stops heartbeating
 *   it — the client is down, cut off from zk by a partition (a network split or a long GC pause: the
 *   client cannot tell), or has moved on to another session after a restart. Expiry deletes the
 *   session's ephemeral nodes, fires the watches on them, drops the watches the session had set, and
 *   queues `Expired` for the client, which it reads when it gets through again; it then starts its
 *   round over with a new session.
 * - Nodes. `txn` counts every create and delete of a child: with one parent in use it is both the
 *   parent's cversion, which gives a sequential node its suffix (ZooKeeper pads it to ten
 *   digits; cversion, not version, counts child changes: docs/notes.md#zk-version), and the zxid
 *   order, so a node's number is also its czxid. Sequence numbers never repeat, so they serve as
 *   fencing tokens.
 * - Watches fire once and carry no data: `NodeDeleted` (an `exists` watch on a node) or
 *   `NodeChildrenChanged` (a `getChildren` watch on the lock's parent); the client re-reads.
 *
 * recipe=lock: create ephemeral sequential /lock/n-K; getChildren; the lowest number
 * holds the lock; any other calls exists(the next lower node, watch) and re-checks on the event —
 * or at once if exists says the node is already gone. The holder writes the resource with token K,
 * and on the write's acknowledgement deletes its node (release); with `rounds` > 1 it queues again.
 * recipe=shared: -R- and -W- nodes (each client picks its mode); a writer holds when
 * lowest, a reader when every lower node is a read; a writer waits for the next lower node, a reader
 * for the next lower write. Readers read the resource, writers write it.
 * recipe=master: create ephemeral /master; the creator is master and acts on the
 * resource with the node's czxid as its epoch; the others watch /master with exists and try again
 * when it is deleted. A master stays master (it does not resign).
 *
 * The resource keeps a log of the tokens of the writes it accepted; with fencing it rejects a write
 * whose token is below the highest it has accepted (the stale holder learns it lost the lock).
 */
import { defineActorModel, range, role, system, type Ctx, type Role, type World } from 'faultline';
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';

type Recipe = 'lock' | 'shared' | 'master';
/** X: exclusive lock or master; R/W: the shared lock's read and write nodes. */
type Mode = 'X' | 'R' | 'W';
/**
 * creating: Create sent; listing: GetChildren sent; checking: Exists sent; waiting: a watch is set
 * (or, ignoring a vanished predecessor, nothing at all); holding: the lock (or mastership) is granted
 * and the client is using the resource; leading: a master that has acted; fenced: the resource
 * rejected its write, it waits for news of its session; done: no rounds left.
 */
type Phase = 'idle' | 'creating' | 'listing' | 'checking' | 'waiting' | 'holding' | 'leading' | 'fenced' | 'done';

/** A znode: its ephemeral owner (session; 0 = persistent, as in ZooKeeper's stat), mode, czxid. */
interface ZNodeProps {
  readonly owner: number;
  readonly mode: Mode;
  readonly czxid: number;
}
const ZNode = Record<ZNodeProps>({ owner: 0, mode: 'X', czxid: 0 }, 'ZNode');
type ZNode = RecordOf<ZNodeProps>;

/** /master's key in the zk's node map (lock nodes are keyed by their sequence number). */
const MASTER = -1;

interface ZkProps {
  readonly txn: number;
  readonly nodes: IMap<number, ZNode>;
  /** Live sessions → their client. */
  readonly sessions: IMap<number, string>;
  readonly nextSession: number;
  /** exists watches: node key → sessions. */
  readonly watches: IMap<number, ISet<number>>;
  /** getChildren watches on the lock's parent (the herd variant): sessions. */
  readonly childWatches: ISet<number>;
}
type ZkSelf = RecordOf<ZkProps>;
/** zk keeps everything (it never crashes). */
type NoVolatile = object;

interface ClientDurable {
  readonly left: number;
  readonly attempt: number;
}
interface ClientVolatile {
  readonly phase: Phase;
  readonly session: number;
  readonly seq: number;
  readonly mode: Mode;
}
type ClientSelf = RecordOf<ClientDurable & ClientVolatile>;

interface ResourceProps {
  readonly log: List<number>;
  readonly rejected: number;
}
type ResourceSelf = RecordOf<ResourceProps>;

/** Ghost variables, read only by invariants and witnesses. */
interface GhostProps {
  /** The most clients one node deletion woke (watch notifications to sessions other than its owner's). */
  readonly wakeups: number;
  /** The lowest node (the holder's), deleted by its session's expiry while a watcher was told (the crash handover); -1: none. */
  readonly handover: number;
}
const Ghost = Record<GhostProps>({ wakeups: 0, handover: -1 }, 'Ghost');
type Ghost = RecordOf<GhostProps>;

type Roles = { zk: Role<ZkSelf>; client: Role<ClientSelf>; resource: Role<ResourceSelf> };
type LockWorld = World<Roles, Ghost>;

type Child = readonly [number, Mode];

export default defineActorModel({
  name: 'zk-lock',
  description: 'ZooKeeper’s lock, shared lock and master election over an abstract store with sessions, ephemeral sequential nodes and one-shot watches; fencing at the resource.',
  params: {
    clients: { default: 3, min: 2, max: 4, description: 'number of clients' },
    rounds: { default: 1, min: 1, max: 3, description: 'times each client takes the lock (lock and shared recipes)' },
    recipe: {
      default: 'auto',
      choices: ['auto', 'lock', 'shared', 'master'],
      description:
        'lock: exclusive lock; shared: read/write lock; master: master election; auto: the variant’s own — shared for shared-lock-predecessor-only, master for master-no-fencing, lock otherwise',
    },
  },
  variants: {
    correct:
      'ephemeral sequential nodes, each waiter watches the next lower node and re-checks at once when exists says it is gone, the resource fences with the node’s number: Mutex, FIFO, OneWakeup, MutexAtResource and LockProgress hold (and RW, UniqueMaster, UniqueActing, Reelect with the other recipes)',
    herd: 'every waiter watches the lock’s children (getChildren with a watch after every event, as the notes’ shared lock does): one release wakes every waiter (OneWakeup)',
    'ignore-vanished-predecessor':
      'a waiter whose exists says the next lower node is already gone waits anyway, for an event that never comes: stuck with the lock free (LockProgress)',
    'no-fencing': {
      description:
        'the resource accepts every write: a holder cut off from ZooKeeper (or paused) past its session timeout writes after the next holder (MutexAtResource)',
      params: { clients: 2 },
    },
    'persistent-node': 'the lock node is persistent: when its owner crashes nobody deletes it and the queue is stuck (LockProgress)',
    'shared-lock-predecessor-only': {
      description:
        'shared recipe; a reader holds when its next lower node is a read, without looking further down: it reads while a writer holds (RW)',
      faults: { crash: 0 },
    },
    'master-no-fencing': {
      description:
        'master recipe without fencing: the old master, cut off past its session timeout, acts after the new one (UniqueActing)',
      params: { clients: 2 },
    },
    'act-on-event': {
      description:
        'mutant of correct: a waiter whose watch fires takes the lock (or mastership) at once, without reading the children again (or creating /master again)',
      mutant: true,
    },
    'expiry-keeps-nodes': { description: 'mutant of correct: a session’s expiry leaves its ephemeral nodes in place', mutant: true },
  },
  faults: { crash: 1 },
  build: ({ params, variant, faults }) => {
    const own: Recipe | null = variant === 'shared-lock-predecessor-only' ? 'shared' : variant === 'master-no-fencing' ? 'master' : null;
    if (own !== null && params.recipe !== 'auto' && params.recipe !== own) throw new Error(`variant ${variant} is a ${own} recipe (recipe=${params.recipe} given)`);
    const recipe: Recipe = own ?? (params.recipe === 'auto' ? 'lock' : params.recipe);
    const clients = range('c', params.clients);
    const herd = variant === 'herd';
    const fencing = variant !== 'no-fencing' && variant !== 'master-no-fencing';
    const ephemeral = variant !== 'persistent-node';
    const rounds = recipe === 'master' ? 1 : params.rounds;
    // Session timers s1..sMax. Each client opens one; every fault can make a client open another
    // (a restart; an expiry it lives through, after a partition), and a create sent just before a
    // crash can open one more that nobody adopts: at most two per fault. Exceeding it is an error.
    const maxSessions = clients.length + 2 * ((faults.restart ?? 0) + (faults.crash ?? 0) + (faults.partition ?? 0));

    /** The node a client must wait for, or null: it holds. `children` in sequence order. */
    const blocker = (children: readonly Child[], me: number, mode: Mode): number | null => {
      const lower = children.filter(([k]) => k < me);
      const last = (xs: readonly Child[]) => (xs.length === 0 ? null : xs[xs.length - 1]!);
      if (recipe === 'shared' && mode === 'R') {
        if (variant === 'shared-lock-predecessor-only') {
          const pred = last(lower);
          return pred === null || pred[1] === 'R' ? null : pred[0];
        }
        return last(lower.filter(([, m]) => m === 'W'))?.[0] ?? null;
      }
      return last(lower)?.[0] ?? null;
    };

    /** Send watch events to `sessions`; count those to others than the deleted node's owner. */
    const notify = (z: ZkSelf, sessions: ISet<number>, event: { kind: string; seq?: number }, owner: number, ctx: Ctx): number => {
      let woken = 0;
      for (const s of [...sessions].sort((a, b) => a - b)) {
        const client = z.sessions.get(s);
        if (client === undefined) continue;
        ctx.send(client, { type: 'Event', session: s, ...event });
        if (s !== owner) woken++;
      }
      return woken;
    };

    /** Delete a node: the txn moves on, its watchers (and, herd, the parent's) are told. */
    const remove = (z0: ZkSelf, key: number, ctx: Ctx, expired: boolean): ZkSelf => {
      const node = z0.nodes.get(key)!;
      const lowest = Math.min(...z0.nodes.keySeq());
      const watchers = z0.watches.get(key) ?? ISet<number>();
      const parent = herd ? z0.childWatches : ISet<number>();
      let z = z0.set('nodes', z0.nodes.remove(key)).set('txn', z0.txn + 1).set('watches', z0.watches.remove(key));
      if (herd) z = z.set('childWatches', ISet());
      let woken = notify(z, watchers, { kind: 'NodeDeleted', seq: key }, node.owner, ctx);
      woken += notify(z, parent, { kind: 'NodeChildrenChanged' }, node.owner, ctx);
      const handover = expired && key === lowest && woken > 0;
      ctx.updateGhost((g: Ghost) => {
        const h = handover && g.handover < 0 ? g.set('handover', key) : g;
        return woken > h.wakeups ? h.set('wakeups', woken) : h;
      });
      return z;
    };

    /** Session K expires: its watches go, its ephemeral nodes are deleted, its client is told. */
    const expire = (k: number) => (z0: ZkSelf, ctx: Ctx): ZkSelf => {
      const client = z0.sessions.get(k);
      if (client === undefined) return z0;
      let z = z0
        .set('sessions', z0.sessions.remove(k))
        .set('watches', z0.watches.map((s) => s.remove(k)).filter((s) => s.size > 0))
        .set('childWatches', z0.childWatches.remove(k));
      const owned = variant === 'expiry-keeps-nodes' ? [] : [...z.nodes.entries()].filter(([, n]) => n.owner === k).map(([key]) => key);
      for (const key of owned.sort((a, b) => a - b)) z = remove(z, key, ctx, true);
      ctx.send(client, { type: 'Expired', session: k });
      return z;
    };

    /** Whether a request's session is alive; if not, the client is told it expired. */
    const live = (z: ZkSelf, session: number, ctx: Ctx): boolean => {
      if (z.sessions.has(session)) return true;
      ctx.reply({ type: 'Expired', session });
      return false;
    };

    const children = (z: ZkSelf): Child[] => [...z.nodes.entries()].sort(([a], [b]) => a - b).map(([k, n]): Child => [k, n.mode]);

    /**
     * A client (re)starts a round: a new node, on its session, or on a new one (session 0) tagged
     * with the client's attempt number, so that it adopts the session its latest attempt opened and
     * not one an older attempt (sent before a crash) opened after it.
     */
    const create = (c0: ClientSelf, ctx: Ctx): ClientSelf => {
      const c = c0.session === 0 ? c0.set('attempt', c0.attempt + 1) : c0;
      ctx.send('zk', { type: 'Create', session: c.session, mode: c.mode, attempt: c.session === 0 ? c.attempt : 0 });
      return c.set('phase', 'creating').set('seq', -1);
    };
    /** A reply to this client's create: on its session, or opening the one its latest attempt asked for. */
    const mine = (c: ClientSelf, msg: { session: number; attempt: number }) =>
      c.phase === 'creating' && (c.session === 0 ? msg.attempt === c.attempt : msg.session === c.session);
    const list = (c: ClientSelf, ctx: Ctx): ClientSelf => {
      ctx.send('zk', { type: 'GetChildren', session: c.session, watch: herd });
      return c.set('phase', 'listing');
    };
    const hold = (c: ClientSelf, ctx: Ctx): ClientSelf => {
      ctx.send('resource', { type: c.mode === 'R' ? 'Read' : 'Write', token: c.seq });
      return c.set('phase', 'holding');
    };

    const cutBetween = (w: LockWorld, a: string, b: string) => {
      const sides = w.partition;
      return sides !== null && sides[0].includes(a) !== sides[0].includes(b);
    };
    const zkOf = (w: LockWorld) => w.get('zk', 'zk');
    const clientOf = (w: LockWorld, id: string) => w.get('client', id);
    /** Up and able to reach zk. */
    const reachable = (w: LockWorld, id: string) => w.up(id) && !cutBetween(w, id, 'zk');
    /** Holds the lock (or is master) in ZooKeeper's view too: its session is alive. */
    const liveHolder = (w: LockWorld, c: ClientSelf) => (c.phase === 'holding' || c.phase === 'leading') && zkOf(w).sessions.has(c.session);
    const waiting: readonly Phase[] = ['creating', 'listing', 'checking', 'waiting', 'fenced'];

    const sessionTimers = Object.fromEntries(range('s', maxSessions).map((name) => [name, expire(Number(name.slice(1)))]));

    return system<Roles, Ghost>({
      network: 'fifo',
      // A client alone on one side: cut off from zk, the resource and the other clients.
      partitions: clients.map((c) => [c]),
      ghost: Ghost(),
      // Session expiry: session K's timer fires only when its client no longer heartbeats it — the
      // client is down, cut off from zk, or on another session (0 with the reply that opens K on
      // its way is still K's handshake).
      timeoutsWhen: (w: LockWorld, _node: string, timer: string) => {
        const k = Number(timer.slice(1));
        const owner = zkOf(w).sessions.get(k);
        if (owner === undefined) return false;
        if (!w.up(owner) || cutBetween(w, owner, 'zk')) return true;
        const c = clientOf(w, owner);
        if (c.session === k) return false;
        return !(c.session === 0 && w.messagesBetween('zk', owner).some((m) => m.body.session === k && m.body.attempt === c.attempt));
      },
      roles: {
        zk: role<ZkProps, NoVolatile>({
          ids: ['zk'],
          crashes: false,
          durable: {
            txn: 0,
            nodes: IMap<number, ZNode>(),
            sessions: IMap<number, string>(),
            nextSession: 1,
            watches: IMap<number, ISet<number>>(),
            childWatches: ISet<number>(),
          },
          on: {
            Create: (z0, msg: { type: 'Create'; session: number; mode: Mode; attempt: number }, ctx) => {
              let z = z0;
              let session = msg.session;
              if (session === 0) {
                session = z.nextSession;
                if (session > maxSessions) throw new Error(`more than ${maxSessions} sessions: raise the bound`);
                z = z.set('nextSession', session + 1).set('sessions', z.sessions.set(session, ctx.from!));
                ctx.setTimer(`s${session}`);
              } else if (!live(z, session, ctx)) return z;
              if (recipe === 'master' && z.nodes.has(MASTER)) {
                ctx.reply({ type: 'NodeExists', session, attempt: msg.attempt });
                return z;
              }
              const czxid = z.txn;
              const node = ZNode({ owner: ephemeral ? session : 0, mode: msg.mode, czxid });
              z = z.set('txn', czxid + 1).set('nodes', z.nodes.set(recipe === 'master' ? MASTER : czxid, node));
              // The parent's child watches fire on a create too (herd; OneWakeup counts deletions only).
              if (herd && z.childWatches.size > 0) {
                notify(z, z.childWatches, { kind: 'NodeChildrenChanged' }, session, ctx);
                z = z.set('childWatches', ISet());
              }
              ctx.reply({ type: 'Created', session, seq: czxid, attempt: msg.attempt });
              return z;
            },
            GetChildren: (z, msg: { type: 'GetChildren'; session: number; watch: boolean }, ctx) => {
              if (!live(z, msg.session, ctx)) return z;
              ctx.reply({ type: 'Children', session: msg.session, children: children(z) });
              return msg.watch ? z.set('childWatches', z.childWatches.add(msg.session)) : z;
            },
            Exists: (z, msg: { type: 'Exists'; session: number; seq: number }, ctx) => {
              if (!live(z, msg.session, ctx)) return z;
              const exists = z.nodes.has(msg.seq);
              ctx.reply({ type: 'Stat', session: msg.session, seq: msg.seq, exists });
              // On a missing node ZooKeeper would leave a creation watch; a sequential name never
              // comes back, and /master's losers create rather than wait, so the model sets none.
              if (!exists) return z;
              return z.set('watches', z.watches.update(msg.seq, ISet<number>(), (s) => s.add(msg.session)));
            },
            // Release; a client with no rounds left closes its session with it (two requests in
            // ZooKeeper, delete then close, folded into one).
            Delete: (z0, msg: { type: 'Delete'; session: number; seq: number; close: boolean }, ctx) => {
              if (!live(z0, msg.session, ctx)) return z0;
              const z = z0.nodes.has(msg.seq) ? remove(z0, msg.seq, ctx, false) : z0;
              if (!msg.close) return z;
              ctx.cancelTimer(`s${msg.session}`);
              return z
                .set('sessions', z.sessions.remove(msg.session))
                .set('watches', z.watches.map((s) => s.remove(msg.session)).filter((s) => s.size > 0))
                .set('childWatches', z.childWatches.remove(msg.session));
            },
          },
          timers: sessionTimers,
        }),
        client: role<ClientDurable, ClientVolatile>({
          ids: clients,
          symmetric: true,
          durable: { left: rounds, attempt: 0 },
          volatile: { phase: 'idle', session: 0, seq: -1, mode: 'X' },
          start: (self, ctx) => {
            if (self.left === 0) return self.set('phase', 'done');
            const mode: Mode = recipe === 'shared' ? ctx.choose(['R', 'W'] as const) : 'X';
            return create(self.set('mode', mode), ctx);
          },
          on: {
            // The reply to create (it opens the session when the client had none).
            // Lock: list the children; master: created /master, so master.
            Created: (self, msg: { type: 'Created'; session: number; seq: number; attempt: number }, ctx) => {
              if (!mine(self, msg)) return self;
              const c = self.set('session', msg.session).set('seq', msg.seq);
              return recipe === 'master' ? hold(c, ctx) : list(c, ctx);
            },
            NodeExists: (self, msg: { type: 'NodeExists'; session: number; attempt: number }, ctx) => {
              if (!mine(self, msg)) return self;
              ctx.send('zk', { type: 'Exists', session: msg.session, seq: MASTER });
              return self.set('session', msg.session).set('phase', 'checking');
            },
            Children: (self, msg: { type: 'Children'; session: number; children: Child[] }, ctx) => {
              if (self.phase !== 'listing' || self.session !== msg.session) return self;
              // A guard: while its session lives a client's node is there (zk answers a dead session
              // with Expired), so this never happens in the checked configurations.
              if (!msg.children.some(([k]) => k === self.seq)) return self;
              const b = blocker(msg.children, self.seq, self.mode);
              if (b === null) return hold(self, ctx);
              if (herd) return self.set('phase', 'waiting');
              ctx.send('zk', { type: 'Exists', session: self.session, seq: b });
              return self.set('phase', 'checking');
            },
            Stat: (self, msg: { type: 'Stat'; session: number; seq: number; exists: boolean }, ctx) => {
              if (self.phase !== 'checking' || self.session !== msg.session) return self;
              if (msg.exists || variant === 'ignore-vanished-predecessor') return self.set('phase', 'waiting');
              return recipe === 'master' ? create(self, ctx) : list(self, ctx);
            },
            Event: (self, msg: { type: 'Event'; session: number }, ctx) => {
              if (self.phase !== 'waiting' || self.session !== msg.session) return self;
              if (variant === 'act-on-event') return hold(self, ctx);
              return recipe === 'master' ? create(self, ctx) : list(self, ctx);
            },
            Expired: (self, msg: { type: 'Expired'; session: number }, ctx) => {
              if (self.session !== msg.session) return self;
              const fresh = self.set('session', 0).set('seq', -1);
              if (self.phase === 'done') return fresh;
              // The round starts over on a new session (a master stands for election again).
              return create(fresh, ctx);
            },
            Done: (self, msg: { type: 'Done'; token: number }, ctx) => {
              if (self.phase !== 'holding' || self.seq !== msg.token) return self;
              if (recipe === 'master') return self.set('phase', 'leading');
              const left = self.left - 1;
              ctx.send('zk', { type: 'Delete', session: self.session, seq: self.seq, close: left === 0 });
              const next = self.set('left', left);
              return left > 0 ? create(next, ctx) : next.set('phase', 'done').set('seq', -1);
            },
            Rejected: (self, msg: { type: 'Rejected'; token: number }) =>
              self.phase === 'holding' && self.seq === msg.token ? self.set('phase', 'fenced') : self,
          },
        }),
        resource: role<ResourceProps>({
          ids: ['resource'],
          crashes: false,
          durable: { log: List<number>(), rejected: 0 },
          on: {
            Write: (self, msg: { type: 'Write'; token: number }, ctx) => {
              const highest = self.log.max() ?? -1;
              if (fencing && msg.token < highest) {
                ctx.reply({ type: 'Rejected', token: msg.token });
                return self.set('rejected', self.rejected + 1);
              }
              ctx.reply({ type: 'Done', token: msg.token });
              return self.set('log', self.log.push(msg.token));
            },
            Read: (self, msg: { type: 'Read'; token: number }, ctx) => (ctx.reply({ type: 'Done', token: msg.token }), self),
          },
        }),
      },
      invariants: {
        // INV-ZK-Ephemeral: an ephemeral node's session is alive.
        Ephemeral: {
          holds: (w: LockWorld) => zkOf(w).nodes.every((n) => n.owner === 0 || zkOf(w).sessions.has(n.owner)),
          explain: (w: LockWorld) => `node ${zkOf(w).nodes.findKey((n) => n.owner !== 0 && !zkOf(w).sessions.has(n.owner))} outlived its session`,
        },
        ...(recipe === 'lock'
          ? {
              // INV-LOCK-Mutex (ZooKeeper's view): one holder among the clients whose session lives.
              Mutex: {
                holds: (w: LockWorld) => clients.filter((c) => liveHolder(w, clientOf(w, c))).length <= 1,
                explain: (w: LockWorld) => `${clients.filter((c) => liveHolder(w, clientOf(w, c))).join(' and ')} hold the lock with live sessions`,
              },
              // INV-LOCK-FIFO: the lock goes down the queue in sequence order — a live holder owns the lowest node.
              FIFO: {
                holds: (w: LockWorld) => {
                  const keys = [...zkOf(w).nodes.keys()];
                  return clients.every((c) => !liveHolder(w, clientOf(w, c)) || clientOf(w, c).seq === Math.min(...keys));
                },
                explain: (w: LockWorld) => {
                  const c = clients.find((id) => liveHolder(w, clientOf(w, id)))!;
                  return `${c} holds with node ${clientOf(w, c).seq} while ${Math.min(...zkOf(w).nodes.keys())} is lower`;
                },
              },
              // INV-LOCK-OneWakeup: a deletion wakes at most one other client.
              OneWakeup: {
                holds: (w: LockWorld) => w.ghost.wakeups <= 1,
                explain: (w: LockWorld) => `one node deletion sent ${w.ghost.wakeups} clients a watch event`,
              },
            }
          : {}),
        ...(recipe === 'shared'
          ? {
              // INV-LOCK-RW: a writer holds alone (among clients whose session lives).
              RW: {
                holds: (w: LockWorld) => {
                  const holders = clients.map((c) => clientOf(w, c)).filter((c) => liveHolder(w, c));
                  return holders.length <= 1 || holders.every((c) => c.mode === 'R');
                },
                explain: (w: LockWorld) =>
                  clients
                    .filter((c) => liveHolder(w, clientOf(w, c)))
                    .map((c) => `${c} holds a ${clientOf(w, c).mode === 'R' ? 'read' : 'write'} lock (node ${clientOf(w, c).seq})`)
                    .join(', '),
              },
            }
          : {}),
        ...(recipe === 'master'
          ? {
              // INV-MASTER-Unique (ZooKeeper's view): one master among the clients whose session lives.
              UniqueMaster: {
                holds: (w: LockWorld) => clients.filter((c) => liveHolder(w, clientOf(w, c))).length <= 1,
                explain: (w: LockWorld) => `${clients.filter((c) => liveHolder(w, clientOf(w, c))).join(' and ')} are master with live sessions`,
              },
            }
          : {}),
        // INV-LOCK-MutexAtResource / INV-MASTER-UniqueActing: the resource never takes a write of
        // an older grant after one of a newer grant — the two critical sections (or reigns) overlap.
        [recipe === 'master' ? 'UniqueActing' : 'MutexAtResource']: {
          holds: (w: LockWorld) => {
            const log = w.get('resource', 'resource').log;
            return log.every((t, i) => i === 0 || t > log.get(i - 1)!);
          },
          explain: (w: LockWorld) => {
            const log = w.get('resource', 'resource').log;
            const i = log.findIndex((t, j) => j > 0 && t < log.get(j - 1)!);
            return `the resource accepted token ${log.get(i)} after token ${log.get(i - 1)} (log ${log.join(', ')})`;
          },
        },
      },
      properties: {
        // LIVE-LOCK-Progress / LIVE-MASTER-Reelect: when nobody reachable holds the lock and someone
        // reachable waits, eventually someone reachable holds it (or nobody reachable waits any more).
        [recipe === 'master' ? 'Reelect' : 'LockProgress']: {
          when: (w: LockWorld) =>
            clients.some((c) => reachable(w, c) && waiting.includes(clientOf(w, c).phase)) &&
            !clients.some((c) => reachable(w, c) && ['holding', 'leading'].includes(clientOf(w, c).phase)),
          eventually: (w: LockWorld) =>
            clients.some((c) => reachable(w, c) && ['holding', 'leading'].includes(clientOf(w, c).phase)) ||
            !clients.some((c) => reachable(w, c) && waiting.includes(clientOf(w, c).phase)),
        },
        // No starvation (the notes worry about long queues: docs/notes.md#zk-lock-starvation): every
        // client ends up done with its rounds, unless it is down or cut off from zk for good.
        ...(recipe !== 'master'
          ? { Served: { alwaysEventually: (w: LockWorld) => clients.every((c) => !reachable(w, c) || clientOf(w, c).phase === 'done') } }
          : {}),
      },
      witnesses: {
        // The notes' auto-release (docs/notes.md#zk-lock-auto-release): the holder writes, crashes
        // before it releases, its session expires, ZooKeeper deletes its node, and the client watching
        // that node takes over.
        CrashHandover: (w: LockWorld) => {
          const h = w.ghost.handover;
          const log = w.get('resource', 'resource').log;
          return h >= 0 && log.includes(h) && clients.some((c) => !w.up(c)) && clients.some((c) => w.up(c) && liveHolder(w, clientOf(w, c)));
        },
        // Fencing at work: a stale holder's write was turned away.
        StaleWriteRejected: (w: LockWorld) => w.get('resource', 'resource').rejected > 0,
      },
    });
  },
});
