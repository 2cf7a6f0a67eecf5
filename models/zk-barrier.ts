/**
 * A barrier on ZooKeeper (the study notes' claims about it: docs/notes.md#zk-barrier).
 *
 * N participants (param `participants`) must all arrive before any of them goes on — the notes'
 * example: a final merge that needs every parallel sub-result. Each participant enters by creating
 * an ephemeral child of /barrier (named after itself) and leaves the barrier — passes — once all N
 * children are there.
 *
 * `zk` is ZooKeeper as one linearizable store (the ensemble is ZAB's business, models/zab.ts) that
 * never crashes, over one FIFO channel per participant (ZooKeeper orders a session's replies and
 * watch events). Each participant has a session, open from the start. A participant may crash
 * (`--faults crash=1`; it does not come back); its session then expires — once the requests it
 * sent before crashing have reached ZooKeeper, since a session timeout is longer than a request's
 * trip — and ZooKeeper deletes its ephemeral child and fires the watches that deletion concerns.
 *
 * correct: ZooKeeper's own barrier recipe. A participant first calls exists(/barrier/ready,
 * watch=true) — if /ready is there it passes — then creates its child and lists the children once
 * (no watch). If it counts N, it creates the persistent node /barrier/ready and passes; otherwise it
 * waits for /ready's creation, which its watch reports.
 * watch-children: the notes' barrier. A participant creates its child, lists the children with a
 * watch, passes when it counts N, and lists again (with a watch) after every event. It never
 * announces that it passed: a participant that crashes after the barrier opened for some takes
 * its child with it, and the others count N − 1 for ever.
 */
import { defineActorModel, messages, range, system, type Role, type World } from 'faultline';
import { Record, Set as ISet, type RecordOf } from 'immutable';

type Msg =
  /** exists(/barrier/ready, watch=true). */
  | { type: 'Exists' }
  | { type: 'Stat'; exists: boolean }
  /** create(/barrier/<participant>, EPHEMERAL). */
  | { type: 'Create' }
  | { type: 'Created' }
  /** getChildren(/barrier, watch): the count of the participants' children. */
  | { type: 'GetChildren'; watch: boolean }
  | { type: 'Children'; count: number }
  /** create(/barrier/ready, PERSISTENT) (its reply is not modelled). */
  | { type: 'CreateReady' }
  /** The exists watch's event: /barrier/ready was created. */
  | { type: 'NodeCreated' }
  /** The child watch's event: /barrier's children changed. */
  | { type: 'NodeChildrenChanged' };
const { role } = messages<Msg>();

/**
 * checking: exists(/ready) on its way; entering: its create on its way; counting: getChildren on
 * its way; waiting: fewer than N children, a watch set; passed: through the barrier.
 */
type Phase = 'checking' | 'entering' | 'counting' | 'waiting' | 'passed';
const initially = <T>(value: T): T => value;

interface ZkProps {
  /** The participants whose ephemeral child is under /barrier. */
  readonly children: ISet<string>;
  /** Whether /barrier/ready exists. */
  readonly ready: boolean;
  /** Live sessions (a participant's session is named after it). */
  readonly sessions: ISet<string>;
  /** exists watches on /barrier/ready. */
  readonly readyWatches: ISet<string>;
  /** getChildren watches on /barrier. */
  readonly childWatches: ISet<string>;
}
interface ParticipantProps {
  readonly phase: Phase;
}
type ZkSelf = RecordOf<ZkProps>;
type ParticipantSelf = RecordOf<ParticipantProps>;

interface GhostProps {
  /** All N children have existed at once. */
  readonly full: boolean;
}
const Ghost = Record<GhostProps>({ full: false }, 'Ghost');
type Ghost = RecordOf<GhostProps>;

type Roles = { zk: Role<ZkSelf>; participant: Role<ParticipantSelf> };
type BarrierWorld = World<Roles, Ghost>;

type Send = { send(to: string, msg: Msg): void };

export default defineActorModel({
  name: 'zk-barrier',
  description: 'A barrier on ZooKeeper: N participants create ephemeral children of /barrier and go on once all N are there.',
  params: {
    participants: { default: 3, min: 2, max: 4, description: 'participants (N): the barrier opens at N children' },
  },
  variants: {
    correct:
      'ZooKeeper’s recipe: exists(/barrier/ready, watch) first, then the child; the participant that counts N creates /barrier/ready and every other is told by its watch — opens for all when nobody crashes (Opens), and once open stays open (OpenForAll); a crash before the barrier opens keeps it shut (Opens)',
    'watch-children': {
      description:
        'the notes’ barrier: each participant watches the children and passes when it counts N; one that passes and crashes takes its child with it, and the others count N − 1 for ever (OpenForAll)',
      faults: { crash: 1 },
    },
    'no-ready': { description: 'mutant of correct: the participant that counts N passes without creating /barrier/ready: the others are never told', mutant: true },
    'off-by-one': { description: 'mutant of correct: a participant opens the barrier when it counts N − 1 children', mutant: true },
  },
  faults: { crash: 0 },
  build: ({ params, variant }) => {
    const N = params.participants;
    const participants = range('p', N);
    const recipe = variant === 'watch-children' ? 'children' : 'ready';
    const threshold = variant === 'off-by-one' ? N - 1 : N;

    const fire = (watchers: ISet<string>, msg: Msg, ctx: Send) => {
      for (const p of [...watchers].sort()) ctx.send(p, msg);
    };
    const list = (self: ParticipantSelf, ctx: Send): ParticipantSelf => {
      ctx.send('zk', { type: 'GetChildren', watch: recipe === 'children' });
      return self.set('phase', 'counting');
    };
    /** Session `p` expires: its watches go, its child is deleted (the child watches fire). */
    const expire = (p: string) => (z: ZkSelf, ctx: Send): ZkSelf => {
      if (!z.sessions.has(p)) return z;
      const z2 = z
        .set('sessions', z.sessions.remove(p))
        .set('readyWatches', z.readyWatches.remove(p))
        .set('childWatches', z.childWatches.remove(p));
      if (!z2.children.has(p)) return z2;
      fire(z2.childWatches, { type: 'NodeChildrenChanged' }, ctx);
      return z2.set('children', z2.children.remove(p)).set('childWatches', ISet());
    };
    const passed = (w: BarrierWorld) => participants.filter((p) => w.get('participant', p).phase === 'passed');

    return system<Roles, Ghost>({
      network: 'fifo',
      ghost: Ghost(),
      // A session expires once its participant is down and the requests it sent have arrived.
      timeoutsWhen: (w: BarrierWorld, _node: string, timer: string) => {
        const p = timer.slice('expire-'.length);
        return !w.up(p) && w.messagesBetween(p, 'zk').length === 0;
      },
      roles: {
        zk: role<ZkProps>({
          ids: ['zk'],
          crashes: false,
          durable: {
            children: ISet<string>(),
            ready: false,
            sessions: ISet(participants),
            readyWatches: ISet<string>(),
            childWatches: ISet<string>(),
          },
          keyFields: ['children', 'ready'],
          start: (z, ctx) => {
            for (const p of participants) ctx.setTimer(`expire-${p}`);
            return z;
          },
          on: {
            Exists: (z: ZkSelf, _msg, ctx) => {
              const p = ctx.from!;
              if (!z.sessions.has(p)) return z;
              ctx.reply({ type: 'Stat', exists: z.ready });
              return z.set('readyWatches', z.readyWatches.add(p));
            },
            Create: (z: ZkSelf, _msg, ctx) => {
              const p = ctx.from!;
              if (!z.sessions.has(p)) return z;
              const children = z.children.add(p);
              if (children.size >= N) ctx.updateGhost((g: Ghost) => g.set('full', true));
              fire(z.childWatches, { type: 'NodeChildrenChanged' }, ctx);
              ctx.reply({ type: 'Created' });
              return z.set('children', children).set('childWatches', ISet());
            },
            GetChildren: (z: ZkSelf, msg, ctx) => {
              const p = ctx.from!;
              if (!z.sessions.has(p)) return z;
              ctx.reply({ type: 'Children', count: z.children.size });
              return msg.watch ? z.set('childWatches', z.childWatches.add(p)) : z;
            },
            CreateReady: (z: ZkSelf, _msg, ctx) => {
              if (!z.sessions.has(ctx.from!) || z.ready) return z;
              fire(z.readyWatches, { type: 'NodeCreated' }, ctx);
              return z.set('ready', true).set('readyWatches', ISet());
            },
          },
          timers: Object.fromEntries(participants.map((p) => [`expire-${p}`, expire(p)])),
        }),
        participant: role<object, ParticipantProps>({
          ids: participants,
          symmetric: true,
          durable: {},
          volatile: { phase: initially<Phase>(recipe === 'ready' ? 'checking' : 'entering') },
          keyFields: ['phase'],
          start: (self, ctx) => {
            ctx.send('zk', recipe === 'ready' ? { type: 'Exists' } : { type: 'Create' });
            return self;
          },
          on: {
            Stat: (self: ParticipantSelf, msg, ctx) => {
              if (self.phase !== 'checking') return self;
              if (msg.exists) return self.set('phase', 'passed');
              ctx.send('zk', { type: 'Create' });
              return self.set('phase', 'entering');
            },
            Created: (self: ParticipantSelf, _msg, ctx) => (self.phase === 'entering' ? list(self, ctx) : self),
            Children: (self: ParticipantSelf, msg, ctx) => {
              if (self.phase !== 'counting') return self;
              if (msg.count < threshold) return self.set('phase', 'waiting');
              if (recipe === 'ready' && variant !== 'no-ready') ctx.send('zk', { type: 'CreateReady' });
              return self.set('phase', 'passed');
            },
            NodeCreated: (self: ParticipantSelf) => (self.phase === 'passed' ? self : self.set('phase', 'passed')),
            // Only a waiting participant lists again; one still counting gets its answer anyway.
            NodeChildrenChanged: (self: ParticipantSelf, _msg, ctx) => (self.phase === 'waiting' ? list(self, ctx) : self),
          },
        }),
      },
      invariants: {
        // Nobody passes before all N participants have entered.
        Barrier: {
          holds: (w: BarrierWorld) => passed(w).length === 0 || w.ghost.full,
          explain: (w: BarrierWorld) => `${passed(w).join(', ')} passed, and never were all ${N} children there (now: ${w.get('zk', 'zk').children.size})`,
        },
      },
      properties: {
        // Once anyone has passed, every participant still up passes: the barrier does not open for some only.
        OpenForAll: {
          when: (w: BarrierWorld) => passed(w).length > 0,
          eventually: (w: BarrierWorld) => participants.every((p) => !w.up(p) || w.get('participant', p).phase === 'passed'),
        },
        // The barrier opens: eventually every participant that is up has passed.
        Opens: { eventually: (w: BarrierWorld) => participants.every((p) => !w.up(p) || w.get('participant', p).phase === 'passed') },
      },
    });
  },
});
