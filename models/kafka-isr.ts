/**
 * Kafka's in-sync replicas (the study notes' claims about them: docs/notes.md#kafka-isr).
 *
 * One partition with three replicas r1..r3, a controller `zk` standing for the consensus store
 * (ZooKeeper or KRaft: it never crashes and its state is linearizable), and one producer `p` with
 * acks=all. The controller holds the leader, the leader epoch, the ISR, which brokers are alive
 * (their sessions) and each one's broker epoch; r1 leads epoch 1 with every replica in sync and
 * every log empty.
 *
 * - Followers fetch from the leader over TCP (FIFO channels), one Fetch in flight at a time, as
 *   Kafka's fetcher thread does. A Fetch carries the follower's log and broker epoch, the answer the
 *   leader's log; the follower takes the leader's log (truncating what disagrees, which Kafka's
 *   leader-epoch truncation achieves) and fetches again. The leader knows each follower's log end
 *   offset from its last Fetch; a Fetch from a follower it knows to be caught up waits at the
 *   leader for new data (a long poll).
 * - The producer sends each write to the replica it believes leads (the controller tells it who
 *   does), one write at a time, and retries on an error or once the request is lost (the replica it
 *   went to is down, cut off, or no longer has it). The leader refuses a write while its ISR is
 *   smaller than min.insync.replicas, appends it otherwise (once: the producer is idempotent), and
 *   answers when its high watermark — the least log end offset over the ISR — passes it: Ack if the
 *   ISR still has min.insync.replicas members, NotEnoughReplicas if not. A leader that steps down
 *   answers its pending writes NotLeader.
 * - ISR changes. A follower behind the leader's log end may be found lagging at any time (a timer
 *   standing for replica.lag.time.max.ms); the leader then asks the controller to remove it. A
 *   follower that has fetched up to the high watermark and to the offset the leader's epoch began at
 *   is asked back in. The request (AlterPartition) names the leader epoch and the ISR it starts from:
 *   the controller applies it only if both are current — a compare-and-set in the consensus store —
 *   and only if every replica it adds is alive in the broker epoch the leader heard from (KIP-903).
 *   While a request is in flight the leader counts the larger of the two ISRs (KIP-497).
 * - The controller expires a broker whose session is gone (down, or cut off from it: a perfect
 *   failure detector), takes it out of the ISR (never below the variant's floor) and, if it led,
 *   elects a new leader from the live ISR members (clean election) in a new epoch; with none alive
 *   the partition is offline until one registers again. A restarted broker registers with a new
 *   broker epoch, saying whether it lost its disk; one that comes back before its session expired
 *   is handled as expired, then new. A broker ignores controller messages meant for an earlier
 *   broker epoch (KIP-380). An expired broker that was only cut off is fenced when the cut heals,
 *   and registers again.
 *
 * In the correct variant the ISR never shrinks below min.insync.replicas = 2 (a member that would
 * take it below stays, as in KIP-966's eligible replicas), and a replica that lost its disk leaves
 * it. Storage loss (docs/notes.md#faults-storage-loss) is the `diskLoss` param: the replicas' logs
 * are then volatile.
 */
import { defineActorModel, messages, range, system, type Ctx, type MessageHandler, type Role, type World } from 'faultline';
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';

type ReplicaRole = 'none' | 'leader' | 'follower';

/** The controller's word to one broker; `inc` is the broker epoch it is meant for (KIP-380). */
type LeaderAndIsr = { readonly type: 'LeaderAndIsr'; readonly epoch: number; readonly leader: string; readonly isr: string[]; readonly inc: number };
type Fenced = { readonly type: 'Fenced'; readonly inc: number };
type AlterIsr = {
  readonly type: 'AlterIsr';
  readonly epoch: number;
  readonly from: string[];
  readonly to: string[];
  /** The broker epoch (incarnation) of each replica it adds, as the leader last heard from it (KIP-903). */
  readonly joining: { readonly [id: string]: number };
};
type AlterIsrResp = { readonly type: 'AlterIsrResp'; readonly epoch: number; readonly isr: string[] };
type IsrChanged = { readonly type: 'IsrChanged'; readonly epoch: number; readonly isr: string[] };
type Register = { readonly type: 'Register'; readonly lost: boolean; readonly inc: number };
type Fetch = { readonly type: 'Fetch'; readonly epoch: number; readonly log: string[]; readonly inc: number };
type FetchResp = { readonly type: 'FetchResp'; readonly epoch: number; readonly log: string[] };
type Produce = { readonly type: 'Produce'; readonly w: string };
type Ack = { readonly type: 'Ack'; readonly w: string };
type Refusal = { readonly type: 'Error'; readonly w: string; readonly reason: 'NotLeader' | 'NotEnoughReplicas' };
type Metadata = { readonly type: 'Metadata'; readonly leader: string };
type Msg = LeaderAndIsr | Fenced | AlterIsr | AlterIsrResp | IsrChanged | Register | Fetch | FetchResp | Produce | Ack | Refusal | Metadata;
const { role } = messages<Msg>();

interface GhostFields {
  /** Writes the producer received an Ack for. */
  acked: ISet<string>;
  /** The first election of a replica outside the ISR. */
  unclean: string;
}
const Ghost = Record<GhostFields>({ acked: ISet(), unclean: '' }, 'KafkaGhost');
type Ghost = RecordOf<GhostFields>;

/** A replica's durable fields; with diskLoss its log is volatile instead (the same record type either way). */
interface ReplicaDurable {
  readonly log: List<string>;
  readonly inc: number;
}
interface ReplicaVolatile {
  readonly role: ReplicaRole;
  readonly epoch: number;
  readonly leader: string;
  readonly fetching: string;
  readonly isr: ISet<string>;
  readonly altering: boolean;
  readonly proposed: ISet<string>;
  readonly leo: IMap<string, number>;
  readonly incs: IMap<string, number>;
  readonly epochStart: number;
  readonly pending: ISet<string>;
}
type Replica = RecordOf<ReplicaDurable & ReplicaVolatile>;
interface ControllerFields {
  readonly epoch: number;
  readonly leader: string;
  readonly isr: ISet<string>;
  readonly live: ISet<string>;
  readonly incs: IMap<string, number>;
}
type Controller = RecordOf<ControllerFields>;
interface ProducerFields {
  readonly target: string;
  readonly next: number;
  readonly outstanding: string;
  readonly sentTo: string;
}
type Producer = RecordOf<ProducerFields>;

type Roles = { replica: Role<Replica>; controller: Role<Controller>; producer: Role<Producer> };
type KafkaWorld = World<Roles, Ghost>;

const sorted = (s: Iterable<string>): string[] => [...s].sort();
const show = (s: Iterable<string>): string => `{${sorted(s).join(', ')}}`;
const showLog = (l: Iterable<string>): string => `[${[...l].join(', ')}]`;
/** How many leading entries two logs share. */
const commonPrefix = (a: readonly string[], b: List<string>): number => {
  let k = 0;
  while (k < a.length && k < b.size && a[k] === b.get(k)) k++;
  return k;
};

export default defineActorModel({
  name: 'kafka-isr',
  description: 'Kafka ISR replication: acks=all over the ISR, the ISR and leader epoch in a controller, clean or unclean leader election, min.insync.replicas.',
  params: {
    writes: { default: 1, min: 1, max: 3, description: 'writes the producer sends, one after the other (w1, w2, ...)' },
    diskLoss: { default: false, description: 'a crash loses the replica’s log (storage loss): logs are volatile' },
    partitions: {
      default: 'zombie',
      choices: ['zombie', 'isolate', 'any'],
      description:
        'the splits a partition fault may make: zombie — the controller and r3 cut off from r1 (the first leader), r2 and the producer; isolate — one node against the rest; any split',
    },
    lag: {
      default: 'any',
      choices: ['any', 'failed'],
      description: 'when the leader may find a follower lagging: any (whenever it is behind the leader’s log end: slow or dead), or failed (only when it is down or cut off)',
    },
  },
  variants: {
    correct:
      'ISR kept in the controller and changed by compare-and-set, clean election from the live ISR, min.insync.replicas = 2, the ISR never shrinks below 2 and a replica that lost its disk leaves it (KIP-966): no acked write is lost with one crash, with or without disk loss, and writes stay available; two crashes stop writes (the CP trade-off); --witness AckWithoutAllReplicas shows an ack without every replica (not WARO)',
    'unclean-election': {
      description:
        'as correct, but with no live ISR member the controller elects any live replica (unclean.leader.election.enable): two crashes lose an acked write',
      faults: { crash: 2, restart: 0 },
    },
    'min-isr-1': {
      description:
        'min.insync.replicas = 1 (Kafka’s default) and the ISR may shrink to the leader alone, which then acks by itself: its crash with disk loss loses an acked write; without disk loss the partition is offline until it returns',
      params: { diskLoss: true },
    },
    'min-isr-1-unclean': {
      description:
        'min.insync.replicas = 1 and unclean election (Kafka’s defaults before 0.11): one crash of a leader acking alone loses an acked write, no disk loss needed',
      faults: { crash: 1, restart: 0 },
    },
    'shrink-below-min': {
      description:
        'min.insync.replicas = 2 gates acks only: the ISR itself may still shrink to the leader alone, which is elected again after losing its disk (Kafka before KIP-966): a write acked by two replicas is lost after one crash',
      params: { diskLoss: true },
    },
    'local-isr': {
      description:
        'the leader keeps the ISR itself, acts on its own shrinks at once and only tells the controller afterwards: it acks without a replica the controller may still elect',
      faults: { crash: 1, restart: 0 },
    },
    'no-join-epoch': {
      description: 'mutant of correct: the controller readmits a replica into the ISR without checking the broker epoch the leader heard it in (no KIP-903)',
      mutant: true,
    },
    'no-larger-isr': {
      description: 'mutant of correct: while an ISR change is in flight the leader counts only its last committed ISR for the high watermark, not the larger of the two (no KIP-497)',
      mutant: true,
    },
    'no-isr-floor': {
      description: 'mutant of correct: the ISR may shrink below min.insync.replicas, down to the leader alone (writes are then refused until a follower is back)',
      mutant: true,
    },
    'keep-lost-in-isr': { description: 'mutant of correct: a replica that restarts having lost its disk stays in the ISR', mutant: true },
    'no-broker-epoch': {
      description: 'mutant of correct: a broker takes a LeaderAndIsr meant for an earlier broker epoch of its own (no KIP-380)',
      mutant: true,
    },
  },
  faults: { crash: 1, restart: 1, partition: 0 },
  build: ({ params, variant }) => {
    const replicas = range('r', 3);
    const first = replicas[0]!;
    const minIsr = variant === 'min-isr-1' || variant === 'min-isr-1-unclean' ? 1 : 2;
    /** Below this size neither the leader nor the controller removes a member from the ISR. */
    const floor = variant === 'shrink-below-min' || variant === 'no-isr-floor' ? 1 : minIsr;
    const unclean = variant === 'unclean-election' || variant === 'min-isr-1-unclean';
    const localIsr = variant === 'local-isr';
    /** Whether the controller takes a replica that lost its disk out of the ISR (KIP-966's unclean shutdown). */
    const forgetLost = variant !== 'min-isr-1' && variant !== 'min-isr-1-unclean' && variant !== 'shrink-below-min' && variant !== 'keep-lost-in-isr';
    const writeIds = range('w', params.writes);

    const logField = { log: List<string>() };
    /** The broker's incarnation: its broker epoch, which a restart renews (the controller's registration record, never lost). */
    const incField = { inc: 0 };
    const replicaVolatile: ReplicaVolatile = {
      role: 'none',
      epoch: 0,
      /** Who leads this replica's epoch. */
      leader: '',
      /** The epoch and leader (`epoch:leader`) of the one Fetch this follower has in flight, or ''. */
      fetching: '',
      /** The leader's view of the ISR (what the controller last told it, or its own in local-isr). */
      isr: ISet<string>(),
      /** An AlterPartition request is in flight, proposing `proposed`. */
      altering: false,
      proposed: ISet<string>(),
      /** The leader's knowledge of each follower's log end offset (from its last Fetch). */
      leo: IMap<string, number>(),
      /** The leader's knowledge of each follower's incarnation (from its last Fetch). */
      incs: IMap<string, number>(),
      /** The leader's log end offset when its epoch began. */
      epochStart: 0,
      /** Writes the leader has appended and not yet answered. */
      pending: ISet<string>(),
    };
    const controllerFields: ControllerFields = { epoch: 1, leader: first, isr: ISet(replicas), live: ISet(replicas), incs: IMap(replicas.map((r) => [r, 0])) };
    const producerFields: ProducerFields = { target: first, next: 1, outstanding: '', sentTo: '' };

    const cut = (w: KafkaWorld, a: string, b: string): boolean => {
      const sides = w.partition;
      return sides !== null && sides[0].includes(a) !== sides[0].includes(b);
    };

    // ---- replicas --------------------------------------------------------------------------

    /** The ISR the leader's high watermark counts: with a change in flight, the larger of the two (KIP-497). */
    const effectiveIsr = (s: Replica): ISet<string> => (s.altering && variant !== 'no-larger-isr' ? s.isr.union(s.proposed) : s.isr);
    const highWatermark = (s: Replica, me: string): number =>
      effectiveIsr(s)
        .remove(me)
        .reduce((hw, m) => Math.min(hw, s.leo.get(m) ?? 0), s.log.size);

    /** Answer every pending write the high watermark has passed. */
    const advance = (s: Replica, ctx: Ctx<Msg>): Replica => {
      if (s.role !== 'leader') return s;
      const hw = highWatermark(s, ctx.id);
      const done = sorted(s.pending.filter((w) => s.log.indexOf(w) < hw));
      if (done.length === 0) return s;
      for (const w of done) {
        if (s.isr.size >= minIsr) {
          const ack: Ack = { type: 'Ack', w };
          ctx.send('p', ack);
        } else {
          const err: Refusal = { type: 'Error', reason: 'NotEnoughReplicas', w };
          ctx.send('p', err);
        }
      }
      return s.set('pending', s.pending.subtract(done));
    };

    /** Ask for an ISR change: through the controller, or (local-isr) at once and tell it afterwards. */
    const propose = (s: Replica, to: ISet<string>, ctx: Ctx<Msg>): Replica => {
      if (localIsr) {
        const note: IsrChanged = { type: 'IsrChanged', epoch: s.epoch, isr: sorted(to) };
        ctx.send('zk', note);
        return advance(s.set('isr', to), ctx);
      }
      const joining = Object.fromEntries(sorted(to.subtract(s.isr)).map((f) => [f, s.incs.get(f) ?? 0]));
      const req: AlterIsr = { type: 'AlterIsr', epoch: s.epoch, from: sorted(s.isr), to: sorted(to), joining };
      ctx.send('zk', req);
      return s.merge({ altering: true, proposed: to });
    };

    /** Ask to take back into the ISR the followers caught up to the high watermark and to the start of this epoch. */
    const expandIsr = (s: Replica, ctx: Ctx<Msg>): Replica => {
      if (s.role !== 'leader' || s.altering) return s;
      const bar = Math.max(highWatermark(s, ctx.id), s.epochStart);
      const back = s.leo.filter((k, f) => !s.isr.has(f) && k >= bar).keySeq().toSet();
      return back.isEmpty() ? s : propose(s, s.isr.union(back), ctx);
    };

    const failPending = (s: Replica, ctx: Ctx<Msg>): void => {
      for (const w of sorted(s.pending)) {
        const err: Refusal = { type: 'Error', reason: 'NotLeader', w };
        ctx.send('p', err);
      }
    };
    const leaderReset = { altering: false, proposed: ISet<string>(), leo: IMap<string, number>(), incs: IMap<string, number>(), epochStart: 0, pending: ISet<string>() };

    const becomeLeader = (s: Replica, epoch: number, isr: ISet<string>, ctx: Ctx<Msg>): Replica => {
      for (const f of replicas) if (f !== ctx.id) ctx.setTimer(`lag_${f}`);
      return s.merge({ ...leaderReset, role: 'leader', epoch, leader: ctx.id, fetching: '', isr, epochStart: s.log.size });
    };
    /** Fetch from the leader: one Fetch in flight per leader and epoch, like Kafka's fetcher thread. */
    const fetch = (s: Replica, ctx: Ctx<Msg>): Replica => {
      const msg: Fetch = { type: 'Fetch', epoch: s.epoch, log: s.log.toArray(), inc: s.inc };
      ctx.send(s.leader, msg);
      return s.set('fetching', `${s.epoch}:${s.leader}`);
    };
    const becomeFollower = (s: Replica, epoch: number, leader: string, ctx: Ctx<Msg>): Replica => {
      for (const f of replicas) ctx.cancelTimer(`lag_${f}`);
      const out = s.merge({ ...leaderReset, role: 'follower', epoch, leader, isr: ISet() });
      // Back with the leader it already has a Fetch in flight to (after being fenced): the answer will do.
      return s.fetching === `${epoch}:${leader}` ? out : fetch(out, ctx);
    };

    /** The leader's lag timer for follower f: it has stayed behind the log end too long. */
    const lagTimer =
      (f: string) =>
      (s: Replica, ctx: Ctx<Msg>): Replica | null => {
        if (s.role !== 'leader' || s.altering || !s.isr.has(f) || (s.leo.get(f) ?? 0) >= s.log.size) return null;
        const to = s.isr.remove(f);
        if (to.size < floor) return null;
        ctx.setTimer(`lag_${f}`);
        return propose(s, to, ctx);
      };

    // ---- controller ------------------------------------------------------------------------

    const tell = (to: string, c: Controller, ctx: Ctx<Msg>): void => {
      const msg: LeaderAndIsr = { type: 'LeaderAndIsr', epoch: c.epoch, leader: c.leader, isr: sorted(c.isr), inc: c.incs.get(to) ?? 0 };
      ctx.send(to, msg);
    };

    /** Elect a leader other than `excluding`: from the live ISR members, or (unclean) any live replica. */
    const elect = (c: Controller, excluding: string, ctx: Ctx<Msg>): Controller => {
      let candidates = sorted(c.isr.filter((r) => r !== excluding && c.live.has(r)));
      let clean = true;
      if (candidates.length === 0 && unclean) {
        candidates = sorted(c.live.remove(excluding));
        clean = false;
      }
      if (candidates.length === 0) {
        // Offline: no eligible replica is alive; the ISR keeps its last members.
        if (c.leader !== '') {
          const meta: Metadata = { type: 'Metadata', leader: '' };
          ctx.send('p', meta);
        }
        return c.set('leader', '');
      }
      const leader = ctx.choose(candidates);
      const isr = clean ? c.isr : ISet([leader]);
      const out = c.merge({ epoch: c.epoch + 1, leader, isr });
      // Only to live brokers: an expired one learns the state when it registers again.
      for (const r of sorted(out.live)) tell(r, out, ctx);
      const meta: Metadata = { type: 'Metadata', leader };
      ctx.send('p', meta);
      if (!clean)
        ctx.updateGhost((g: Ghost) =>
          g.unclean !== '' ? g : g.set('unclean', `the controller elected ${leader} leader of epoch ${out.epoch} though the ISR was ${show(c.isr)}`),
        );
      return out;
    };

    /** A broker's session is gone: it is no longer alive, leaves the ISR (down to the floor), and a new leader is elected if it led. */
    const expire = (c: Controller, r: string, fence: boolean, ctx: Ctx<Msg>): Controller => {
      ctx.cancelTimer(`expire_${r}`);
      if (fence) {
        const msg: Fenced = { type: 'Fenced', inc: c.incs.get(r) ?? 0 };
        ctx.send(r, msg);
      }
      let out = c.set('live', c.live.remove(r));
      if (!localIsr && out.isr.has(r) && out.isr.size > floor) out = out.set('isr', out.isr.remove(r));
      if (out.leader === r) return elect(out, r, ctx);
      if (out.isr !== c.isr && out.leader !== '') tell(out.leader, out, ctx);
      return out;
    };

    const expireTimer =
      (r: string) =>
      (c: Controller, ctx: Ctx<Msg>): Controller | null =>
        c.live.has(r) ? expire(c, r, true, ctx) : null;

    // ---- producer --------------------------------------------------------------------------

    /** Send the outstanding write (again) to the replica believed to lead, if any. */
    const send = (s: Producer, ctx: Ctx<Msg>): Producer => {
      if (s.target === '') {
        ctx.cancelTimer('retry');
        return s.set('sentTo', '');
      }
      const req: Produce = { type: 'Produce', w: s.outstanding };
      ctx.send(s.target, req);
      ctx.setTimer('retry');
      return s.set('sentTo', s.target);
    };

    const on =
      <In extends Msg, S>(h: MessageHandler<S, In, Msg>): MessageHandler<S, In, Msg> =>
      (self, msg, ctx) =>
        h(self, msg, ctx);

    return system<Roles, Ghost>({
      network: 'fifo',
      partitions: params.partitions === 'zombie' ? [['zk', replicas[2]!]] : params.partitions,
      ghost: Ghost(),
      // The controller's session timeouts and the producer's request timeout are accurate: the
      // broker is down or cut off. The leader's lag timer: per `lag`.
      timeoutsWhen: (w: KafkaWorld, node: string, timer: string) => {
        if (node === 'zk') {
          const r = timer.slice('expire_'.length);
          return !w.up(r) || cut(w, 'zk', r);
        }
        if (node === 'p') {
          // The request is lost: the replica is down or cut off, or nothing of it is left anywhere
          // (it was lost in a crash the replica has since come back from).
          const { sentTo: t, outstanding, target } = w.get('producer', 'p');
          if (t === '' || !w.up(t)) return true;
          // Cut off: the request is held in the network; sending it again helps only elsewhere.
          if (cut(w, 'p', t)) return target !== t;
          const r = w.get('replica', t);
          return w.messagesBetween('p', t).length === 0 && w.messagesBetween(t, 'p').length === 0 && !(r.role === 'leader' && r.pending.has(outstanding));
        }
        if (params.lag === 'failed') {
          const f = timer.slice('lag_'.length);
          return !w.up(f) || cut(w, node, f);
        }
        return true;
      },
      roles: {
        replica: role<ReplicaDurable, ReplicaVolatile>({
          ids: replicas,
          durable: { ...logField, ...incField },
          volatile: replicaVolatile,
          // Disk loss: a crash loses the log too.
          forget: params.diskLoss ? ['log'] : [],
          start: (self, ctx) => (ctx.id === first ? becomeLeader(self, 1, ISet(replicas), ctx) : becomeFollower(self, 1, first, ctx)),
          restart: (self, ctx) => {
            const reg: Register = { type: 'Register', lost: params.diskLoss, inc: self.inc + 1 };
            ctx.send('zk', reg);
            return self.set('inc', self.inc + 1);
          },
          timers: Object.fromEntries(replicas.map((f) => [`lag_${f}`, lagTimer(f)])),
          on: {
            LeaderAndIsr: on<LeaderAndIsr, Replica>((self, msg, ctx) => {
              // Meant for an earlier incarnation of this broker (sent before the controller heard it restarted), or stale.
              if ((msg.inc !== self.inc && variant !== 'no-broker-epoch') || msg.epoch < self.epoch) return self;
              if (msg.epoch === self.epoch && self.role !== 'none') {
                // The controller changed the ISR on its own (an expired broker): the leader adopts it.
                if (self.role === 'leader' && !localIsr) return advance(expandIsr(self.set('isr', ISet(msg.isr)), ctx), ctx);
                return self;
              }
              if (self.role === 'leader') failPending(self, ctx);
              return msg.leader === ctx.id ? becomeLeader(self, msg.epoch, ISet(msg.isr), ctx) : becomeFollower(self, msg.epoch, msg.leader, ctx);
            }),
            // This broker's session expired while it was cut off: it stops serving and registers again.
            Fenced: on<Fenced, Replica>((self, msg, ctx) => {
              if (msg.inc !== self.inc) return self;
              if (self.role === 'leader') failPending(self, ctx);
              for (const f of replicas) ctx.cancelTimer(`lag_${f}`);
              const reg: Register = { type: 'Register', lost: false, inc: self.inc };
              ctx.send('zk', reg);
              return self.merge({ ...leaderReset, role: 'none', isr: ISet() });
            }),
            AlterIsrResp: on<AlterIsrResp, Replica>((self, msg, ctx) => {
              if (self.role !== 'leader') return self;
              if (msg.epoch !== self.epoch) return self.merge({ altering: false, proposed: ISet() });
              return advance(expandIsr(self.merge({ isr: ISet(msg.isr), altering: false, proposed: ISet() }), ctx), ctx);
            }),
            Fetch: on<Fetch, Replica>((self, msg, ctx) => {
              if (msg.epoch > self.epoch) return null; // from a follower of an epoch this replica has not yet heard of
              if (self.role !== 'leader' || msg.epoch < self.epoch) return self; // stale
              const f = ctx.from!;
              const k = commonPrefix(msg.log, self.log);
              // A long poll: a follower the leader already knows to be caught up waits for new data.
              if (k === msg.log.length && k === self.log.size && self.leo.get(f) === k && self.incs.get(f) === msg.inc) return null;
              const s = self.merge({ leo: self.leo.set(f, k), incs: self.incs.set(f, msg.inc) });
              const resp: FetchResp = { type: 'FetchResp', epoch: s.epoch, log: s.log.toArray() };
              ctx.reply(resp);
              return advance(expandIsr(s, ctx), ctx);
            }),
            FetchResp: on<FetchResp, Replica>((self, msg, ctx) => {
              if (self.fetching !== `${msg.epoch}:${ctx.from}`) return self; // the answer to an abandoned Fetch
              const s = self.set('fetching', '');
              if (s.role !== 'follower' || msg.epoch !== s.epoch || ctx.from !== s.leader) return s;
              return fetch(s.set('log', List(msg.log)), ctx);
            }),
            Produce: on<Produce, Replica>((self, msg, ctx) => {
              if (self.role !== 'leader') {
                const err: Refusal = { type: 'Error', reason: 'NotLeader', w: msg.w };
                ctx.reply(err);
                return self;
              }
              let s = self;
              if (!s.log.includes(msg.w)) {
                if (s.isr.size < minIsr) {
                  const err: Refusal = { type: 'Error', reason: 'NotEnoughReplicas', w: msg.w };
                  ctx.reply(err);
                  return s;
                }
                s = s.set('log', s.log.push(msg.w));
              }
              return advance(s.set('pending', s.pending.add(msg.w)), ctx);
            }),
          },
        }),
        controller: role<ControllerFields>({
          ids: ['zk'],
          crashes: false,
          durable: controllerFields,
          start: (self, ctx) => {
            for (const r of replicas) ctx.setTimer(`expire_${r}`);
            return self;
          },
          timers: Object.fromEntries(replicas.map((r) => [`expire_${r}`, expireTimer(r)])),
          on: {
            Register: on<Register, Controller>((self, msg, ctx) => {
              const r = ctx.from!;
              // A broker that comes back before its session expired is handled as failed, then new.
              let c = self.live.has(r) ? expire(self, r, false, ctx) : self;
              c = c.merge({ live: c.live.add(r), incs: c.incs.set(r, msg.inc) });
              ctx.setTimer(`expire_${r}`);
              if (msg.lost && forgetLost && c.isr.has(r)) {
                c = c.set('isr', c.isr.remove(r));
                if (c.leader !== '') tell(c.leader, c, ctx);
              }
              if (c.leader === '') return elect(c, '', ctx);
              // Tell the newcomer whom to follow (an election on its expiry told only the others).
              tell(r, c, ctx);
              return c;
            }),
            // AlterPartition: applied only if it comes from the current leader, in the current epoch,
            // starting from the current ISR, adding only live brokers (a compare-and-set).
            AlterIsr: on<AlterIsr, Controller>((self, msg, ctx) => {
              const to = ISet(msg.to);
              const ok =
                msg.epoch === self.epoch &&
                ctx.from === self.leader &&
                ISet(msg.from).equals(self.isr) &&
                to.subtract(self.isr).every((r) => self.live.has(r) && (msg.joining[r] === self.incs.get(r) || variant === 'no-join-epoch')) &&
                to.size >= Math.min(floor, self.isr.size);
              const c = ok ? self.set('isr', to) : self;
              const resp: AlterIsrResp = { type: 'AlterIsrResp', epoch: c.epoch, isr: sorted(c.isr) };
              ctx.reply(resp);
              return c;
            }),
            // local-isr: the leader's word is taken as it comes.
            IsrChanged: on<IsrChanged, Controller>((self, msg, ctx) => {
              if (msg.epoch !== self.epoch || ctx.from !== self.leader) return self;
              return self.set('isr', ISet(msg.isr));
            }),
          },
        }),
        producer: role<ProducerFields>({
          ids: ['p'],
          crashes: false,
          durable: producerFields,
          steps: {
            produce: (self, ctx) => {
              if (self.outstanding !== '' || self.next > params.writes || self.target === '') return null;
              const w = writeIds[self.next - 1]!;
              ctx.invoke('write', w);
              return send(self.merge({ next: self.next + 1, outstanding: w }), ctx);
            },
          },
          timers: {
            // The request timed out: the replica it went to is down or cut off.
            retry: (self, ctx) => (self.outstanding === '' ? null : send(self, ctx)),
          },
          on: {
            Ack: on<Ack, Producer>((self, msg, ctx) => {
              if (msg.w !== self.outstanding) return self;
              ctx.ok('write', msg.w);
              ctx.cancelTimer('retry');
              ctx.updateGhost((g: Ghost) => g.set('acked', g.acked.add(msg.w)));
              return self.merge({ outstanding: '', sentTo: '' });
            }),
            // NotLeader or NotEnoughReplicas: retriable, so retry (at the leader the producer now believes in).
            Error: on<Refusal, Producer>((self, msg, ctx) => (msg.w !== self.outstanding || ctx.from !== self.sentTo ? self : send(self, ctx))),
            Metadata: on<Metadata, Producer>((self, msg, ctx) => {
              const s = self.set('target', msg.leader);
              return s.outstanding !== '' && s.sentTo === '' ? send(s, ctx) : s;
            }),
          },
        }),
      },
      invariants: {
        // INV-ISR-AckedDurable: every acknowledged write is in the log of the current leader — the
        // replica the controller made leader of its epoch, once it is up and leading that epoch.
        AckedDurable: {
          holds: (w) => lostWrites(w) === '',
          explain: (w) => lostWrites(w),
        },
        // INV-ISR-LeaderFromISR: the controller only elects members of the ISR (clean election).
        LeaderFromISR: {
          holds: (w) => w.ghost.unclean === '',
          explain: (w) => w.ghost.unclean,
        },
        // INV-ISR-AckMeansAllISR: every acked write is in the log of every member of the
        // controller's ISR — the replicas a clean election may pick — that is up and serving (a
        // restarted broker the controller has not yet dealt with is left out).
        AckMeansAllISR: {
          holds: (w) => isrGaps(w) === '',
          explain: (w) => isrGaps(w),
        },
      },
      witnesses: {
        // An ack while a replica out of the ISR lacks the write — acks=all waits for the ISR, not for
        // every replica (not WARO, against the notes: docs/notes.md#kafka-waro).
        AckWithoutAllReplicas: (w) => {
          const zk = w.get('controller', 'zk');
          return w.ghost.acked.some((x) => w.some('replica', (r, id) => !zk.isr.has(id) && !r.log.includes(x)));
        },
        // The loss itself, for the variants where another invariant breaks first.
        AckedWriteLost: (w) => lostWrites(w) !== '',
        // The partition is offline: no replica of the ISR is alive to lead it.
        Offline: (w) => w.get('controller', 'zk').leader === '',
      },
      properties: {
        // Availability: every write is eventually acknowledged.
        Acked: { eventually: (w) => w.ghost.acked.size === params.writes },
      },
    });
  },
});

/** The acked writes missing from a serving member of the controller's ISR, in words ('' if none). */
function isrGaps(w: KafkaWorld): string {
  const zk = w.get('controller', 'zk');
  const acked = w.ghost.acked;
  for (const id of sorted(zk.isr)) {
    const r = w.get('replica', id);
    if (!w.up(id) || r.role === 'none') continue;
    const missing = sorted(acked.filter((x) => !r.log.includes(x)));
    if (missing.length > 0) return `${missing.join(', ')} acked, but ${id}, in the controller's ISR ${show(zk.isr)}, has ${showLog(r.log)}`;
  }
  return '';
}

/** The acked writes missing from the current leader's log, in words ('' if none). */
function lostWrites(w: KafkaWorld): string {
  const zk = w.get('controller', 'zk');
  if (zk.leader === '' || !w.up(zk.leader)) return '';
  const l = w.get('replica', zk.leader);
  if (l.role !== 'leader' || l.epoch !== zk.epoch) return '';
  const missing = sorted(w.ghost.acked.filter((x) => !l.log.includes(x)));
  return missing.length === 0 ? '' : `${missing.join(', ')} acked, but ${zk.leader}, leader of epoch ${zk.epoch}, has ${showLog(l.log)}`;
}
