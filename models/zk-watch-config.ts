/**
 * A configuration centre on ZooKeeper: push, then pull (the study notes' claims about it:
 * docs/notes.md#zk-config-push-pull).
 *
 * A writer `w` updates the configuration znode /config `updates` times (each update writes a new
 * value; the model names a value by the version it makes, 1, 2, ...). Clients c1..cN cache the
 * configuration. At start-up each reads it and registers a watch; when the watch fires ZooKeeper
 * pushes an event that carries no data, and the client pulls the current value with another read.
 *
 * `zk` is ZooKeeper as one linearizable store (the ensemble is ZAB's business, models/zab.ts) that
 * never crashes. Each client talks to it over one FIFO channel: ZooKeeper orders a session's
 * replies and watch events, so a client sees the event of a change before any read that returns
 * the changed value. A watch fires once (one-shot): ZooKeeper forgets it as it sends the event, and
 * a client that wants the next change must set it again — which `getData(path, watch=true)` does
 * atomically with the read.
 *
 * `UpToDate` (liveness): every client ends up caching the current configuration — once the writer
 * has stopped, every cache equals /config. With a bounded number of updates every behaviour ends in
 * a quiet state, so this says: no client stays on a stale configuration for ever.
 */
import { defineActorModel, messages, range, system, type World, type Role } from 'faultline';
import { Record, Set as ISet, type RecordOf } from 'immutable';

type Msg =
  /** The writer's setData(/config): the new value, named by the version it makes. */
  | { type: 'SetData'; version: number }
  /** getData(/config, watch). */
  | { type: 'GetData'; watch: boolean }
  /** getData's reply: the value, named by its version. */
  | { type: 'Data'; version: number }
  /** exists(/config, watch=true): the read-then-watch client's separate request that sets the watch. */
  | { type: 'Exists' }
  /** exists' reply (its stat carries the version, which the read-then-watch client does not look at). */
  | { type: 'Stat'; version: number }
  /** The watch event: /config changed. It carries no data. */
  | { type: 'NodeDataChanged' };
const { role } = messages<Msg>();

/**
 * starting: the start-up read is on its way; reading: a read after an event; arming: the
 * read-then-watch client's exists (which sets the watch) is on its way; watching: a watch is set
 * (as far as the client knows); unwatched: the no-rearm client after its re-read, no watch set.
 */
type Phase = 'starting' | 'reading' | 'arming' | 'watching' | 'unwatched';
/** A field's initial value, typed as the field's type (not the literal's). */
const initially = <T>(value: T): T => value;

interface ZkProps {
  /** /config's version: its value is the version-th update. */
  readonly version: number;
  /** The clients with a data watch set on /config. */
  readonly watches: ISet<string>;
}
interface ClientProps {
  /** The version of the configuration the client caches (-1: none yet). */
  readonly seen: number;
  readonly phase: Phase;
}
type ZkSelf = RecordOf<ZkProps>;
type ClientSelf = RecordOf<ClientProps>;

interface GhostProps {
  /** A client's cache went from one version to a later one without the versions between (the events coalesced). */
  readonly skipped: boolean;
}
const Ghost = Record<GhostProps>({ skipped: false }, 'Ghost');
type Ghost = RecordOf<GhostProps>;

type Roles = { zk: Role<ZkSelf>; writer: Role<RecordOf<object>>; client: Role<ClientSelf> };
type ConfigWorld = World<Roles, Ghost>;

export default defineActorModel({
  name: 'zk-watch-config',
  description: 'A configuration centre on ZooKeeper: clients read /config and set a one-shot watch; on each event they read it again. Push, then pull.',
  params: {
    clients: { default: 2, min: 1, max: 3, description: 'clients caching the configuration' },
    updates: { default: 2, min: 1, max: 3, description: 'times the writer updates /config' },
  },
  variants: {
    correct: 'each read is getData(/config, watch=true): the read and the watch are one request, and every read after an event sets the watch again — every client ends up on the current configuration (UpToDate)',
    'no-rearm': 'the notes as written: the client reads and sets a watch at start-up, and after an event reads again without a watch: the first change is pulled, the second never (UpToDate)',
    'read-then-watch': 'the client reads with getData(/config) and then sets the watch with a separate exists(/config, watch=true): a change between the two is never notified (UpToDate)',
    'single-watcher': {
      description: 'mutant of correct: ZooKeeper keeps one data watch per znode, the latest client’s, instead of one per client: a client whose watch was replaced is never told',
      mutant: true,
    },
  },
  build: ({ params, variant }) => {
    const clients = range('c', params.clients);
    const U = params.updates;
    /** Whether a read after an event sets the watch again. */
    const rearm = variant !== 'no-rearm' && variant !== 'read-then-watch';
    const zkOf = (w: ConfigWorld) => w.get('zk', 'zk');
    const stale = (w: ConfigWorld) => clients.filter((c) => w.get('client', c).seen !== zkOf(w).version);
    /** Set `client`'s data watch on /config (the single-watcher mutant keeps only the latest client's). */
    const watch = (z: ZkSelf, client: string): ZkSelf =>
      z.set('watches', variant === 'single-watcher' ? ISet([client]) : z.watches.add(client));

    return system<Roles, Ghost>({
      network: 'fifo',
      ghost: Ghost(),
      roles: {
        zk: role<ZkProps>({
          ids: ['zk'],
          crashes: false,
          durable: { version: 0, watches: ISet<string>() },
          keyFields: ['version'],
          on: {
            // An update fires every data watch on /config, once: ZooKeeper forgets them as it sends the events.
            SetData: (z: ZkSelf, msg, ctx) => {
              for (const c of [...z.watches].sort()) ctx.send(c, { type: 'NodeDataChanged' });
              return z.set('version', msg.version).set('watches', ISet());
            },
            GetData: (z: ZkSelf, msg, ctx) => {
              ctx.reply({ type: 'Data', version: z.version });
              return msg.watch ? watch(z, ctx.from!) : z;
            },
            Exists: (z: ZkSelf, _msg, ctx) => {
              ctx.reply({ type: 'Stat', version: z.version });
              return watch(z, ctx.from!);
            },
          },
        }),
        writer: role<object>({
          ids: ['w'],
          crashes: false,
          durable: {},
          // The updates, in order on the writer's channel (their replies are not modelled).
          start: (self, ctx) => {
            for (let v = 1; v <= U; v++) ctx.send('zk', { type: 'SetData', version: v });
            return self;
          },
        }),
        client: role<ClientProps>({
          ids: clients,
          symmetric: true,
          crashes: false,
          durable: { seen: -1, phase: initially<Phase>('starting') },
          keyFields: ['seen', 'phase'],
          // The notes: at start-up the application reads the configuration once and registers a watch.
          start: (self, ctx) => {
            ctx.send('zk', { type: 'GetData', watch: variant !== 'read-then-watch' });
            return self;
          },
          on: {
            Data: (self: ClientSelf, msg, ctx) => {
              if (self.seen >= 0 && msg.version > self.seen + 1) ctx.updateGhost((g: Ghost) => g.set('skipped', true));
              const c = self.set('seen', msg.version);
              if (variant === 'read-then-watch') {
                ctx.send('zk', { type: 'Exists' });
                return c.set('phase', 'arming');
              }
              return c.set('phase', self.phase === 'reading' && !rearm ? 'unwatched' : 'watching');
            },
            // The read-then-watch client looks only at whether the request went through, not at the stat.
            Stat: (self: ClientSelf) => self.set('phase', 'watching'),
            // Pull: the event says only that /config changed; read it again.
            NodeDataChanged: (self: ClientSelf, _msg, ctx) => {
              ctx.send('zk', { type: 'GetData', watch: rearm });
              return self.set('phase', 'reading');
            },
          },
        }),
      },
      properties: {
        // No client stays on a stale configuration for ever: eventually (once the updates are over)
        // every client caches /config's current value.
        UpToDate: { alwaysEventually: (w: ConfigWorld) => stale(w).length === 0 },
      },
      witnesses: {
        // Push coalesces changes: a client went from one version to a later one without seeing the
        // versions between (two updates, one event) — it is not told of every change.
        Coalesced: (w: ConfigWorld) => w.ghost.skipped,
      },
    });
  },
});
