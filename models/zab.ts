/**
 * ZAB, ZooKeeper's atomic broadcast, with Fast Leader Election (the study notes' claims about
 * them: docs/notes.md#zab-and-zookeeper).
 *
 * Servers s1..sN talk over TCP (a FIFO channel per pair). A server is LOOKING, FOLLOWING or LEADING.
 *
 * - Fast Leader Election (as ZooKeeper implements it): a LOOKING server votes for
 *   itself, (currentEpoch, last zxid, sid), and broadcasts a notification tagged with its election
 *   round; it adopts and re-broadcasts any better vote of its round, jumps to a higher round, answers
 *   a lower one with its own vote, and decides when a quorum of its ballot box holds its vote and
 *   its finalize timer fires (ZooKeeper's finalizeWait, taken to outlast a round trip: it fires once
 *   every reachable server has read this server's notifications and it has read theirs).
 *   FOLLOWING and LEADING servers answer LOOKING ones with the leader they support; a LOOKING server
 *   joins a leader that a quorum of such answers names, the leader's own among them (late joiners).
 *   A LOOKING server answers a worse vote of its round from a server that had answered it
 *   as decided (so never took its vote in) — ZooKeeper's re-sending of notifications on a timeout,
 *   in one step. When notifications can be lost (a `drop` budget, checked with upTo=election: ZAB's
 *   own messages are not modelled as lossy), a LOOKING server without a quorum for its vote also
 *   re-sends it once nothing is in flight to or from it (timer `resend`, ZooKeeper's notTimeout),
 *   and a LOOKING server answers such a re-sent vote with its own.
 *   A follower connects (timer `connect`) once its leader leads.
 * - Discovery: a follower sends FOLLOWERINFO(acceptedEpoch); on a quorum the leader picks an epoch
 *   above every acceptedEpoch it heard, and sends NEWEPOCH(e); a follower accepts an epoch above its
 *   durable acceptedEpoch and answers ACKEPOCH(currentEpoch, last zxid); the epoch it already
 *   accepted it acknowledges without counting towards the quorum; a lower one sends it back to LOOKING.
 * - Synchronisation: on a quorum of ACKEPOCHs the leader takes e as its
 *   currentEpoch and sends each follower NEWLEADER(e) carrying its sync — DIFF (the proposals the
 *   follower lacks), TRUNC (roll back to a zxid), TRUNC+DIFF, or SNAP (the whole log), decided by
 *   comparing the follower's last zxid with its own log. The follower applies it, takes e as its
 *   currentEpoch and acks; on a quorum of acks the leader is established: it commits its whole log
 *   and sends UPTODATE (commit up to a zxid).
 * - Broadcast: the established leader turns a request into PROPOSAL(zxid = epoch.counter),
 *   logged by itself and sent down each follower's queue; a follower logs it and ACKs; on a quorum
 *   of the voting servers, the leader included, the leader commits and sends COMMIT.
 *
 * Durable: the log (`history`), acceptedEpoch, currentEpoch, how much of the log was delivered.
 * A proposal is written `e.c:sK`: zxid (e, c), proposed by sK (the transaction it carries).
 * Timeouts follow a perfect failure detector by default: a follower gives up on a leader that is
 * down, cut off, no longer leading, or no longer connected to it; a leader gives up when fewer than a
 * quorum still support it, or when its recovery stalls with nothing in flight and nobody about to
 * join. `timeouts=quiet|any` drops that assumption (give up on a live peer), `finalize=any` the
 * round trip before an election decision.
 * A crashed server's messages stay in flight; a server that has left its leader ignores them.
 *
 * Clients (`reads=follower|sync`, off by default): a client c, connected to s2, reads the register x
 * whose value is the last transaction the server it talks to has delivered; the leader's proposals
 * are writes to x by a client connected to it, completing when the leader commits them. A read is
 * answered by that one server (reads=follower), or after a sync() round trip to its leader
 * (reads=sync). c may reconnect once to another server, which refuses it if it has delivered less
 * than c has seen (ZooKeeper's lastZxidSeen check). The history is checked for linearizability and
 * for monotonic reads.
 *
 * Bounds (params): proposals per epoch (`txs`), the highest epoch (`epochs`), election rounds per
 * incarnation (`rounds`). `start=established` begins in broadcast mode (s1 leads epoch 1, all logs
 * empty), a state the election reaches; `start=election` with everyone LOOKING; `start=staggered`
 * with servers starting one by one (the notes' 5-server start-up).
 */
import { type Ctx, defineActorModel, linearizable, range, register, type Role, role, sessionGuarantees, system, type World } from 'faultline';
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';

type PeerState = 'OFF' | 'LOOKING' | 'FOLLOWING' | 'LEADING';
/**
 * Follower: connect (waiting for its leader to lead), discovery (FOLLOWERINFO sent), epoch (ACKEPOCH
 * sent), sync (NEWLEADER applied), broadcast (UPTODATE received). Leader: discovery, epoch (NEWEPOCH
 * sent), sync (NEWLEADER sent), broadcast (established). elected: decided, with upTo=election.
 */
type Phase = '' | 'connect' | 'discovery' | 'epoch' | 'sync' | 'broadcast' | 'elected';

interface Vote {
  readonly sid: string;
  readonly ep: number;
  readonly z: number;
}

/** Ghost variables, read only by the invariants and witnesses. */
interface GhostProps {
  /** What each server delivered (applied as committed), in order. Never undone. */
  readonly delivered: IMap<string, List<string>>;
  /** Every proposal ever created. */
  readonly created: ISet<string>;
  /** Epoch → the leaders established in it. */
  readonly est: IMap<number, ISet<string>>;
  /** Proposals an established leader of a later epoch did not have: ZAB must never deliver them. */
  readonly skipped: ISet<string>;
  /** Guarantee 1 broken: proposals delivered somewhere, then skipped by an established leader. */
  readonly lost: ISet<string>;
  /** Guarantee 2 broken: proposals skipped by an established leader, then delivered. */
  readonly revived: ISet<string>;
  /** `server proposal`: delivered in a later epoch than the proposal's (through recovery). */
  readonly recovered: ISet<string>;
  /** `server proposal`: removed from the server's log by a TRUNC or a SNAP. */
  readonly truncated: ISet<string>;
  /** `epoch leader` → the proposals of earlier epochs in its log when it made its first proposal. */
  readonly primaries: IMap<string, ISet<string>>;
}
const Ghost = Record<GhostProps>(
  {
    delivered: IMap(),
    created: ISet(),
    est: IMap(),
    skipped: ISet(),
    lost: ISet(),
    revived: ISet(),
    recovered: ISet(),
    truncated: ISet(),
    primaries: IMap(),
  },
  'ZabGhost',
);
type G = RecordOf<GhostProps>;

// zxids: (epoch, counter) as the number epoch*100 + counter; written "e.c".
const zx = (e: number, c: number) => e * 100 + c;
const epochOfZ = (z: number) => Math.floor(z / 100);
const fmt = (z: number) => `${epochOfZ(z)}.${z % 100}`;
const parseZ = (s: string) => {
  const [e = '0', c = '0'] = s.split('.');
  return zx(Number(e), Number(c));
};
/** A proposal `e.c:sK`: its zxid, its epoch, its proposer. */
const zOf = (p: string) => parseZ(p.slice(0, p.indexOf(':')));
const epochOf = (p: string) => epochOfZ(zOf(p));
const proposerOf = (p: string) => p.slice(p.indexOf(':') + 1);
const lastZ = (h: List<string>) => (h.size === 0 ? 0 : zOf(h.last()!));

export default defineActorModel({
  name: 'zab',
  description: 'ZAB with Fast Leader Election: election by (epoch, zxid, sid), discovery with a durable acceptedEpoch, DIFF/TRUNC/SNAP sync, quorum-ACK broadcast over FIFO channels.',
  params: {
    servers: { default: 3, min: 3, max: 5, description: 'number of servers (voting members)' },
    start: {
      default: 'established',
      choices: ['established', 'election', 'staggered'],
      description:
        'established: s1 already leads epoch 1, every log empty (broadcast mode); election: every server starts LOOKING; staggered: servers start one after another in id order (the notes’ start-up)',
    },
    txs: { default: 1, min: 0, max: 3, description: 'proposals each leader may make in its epoch' },
    epochs: { default: 2, min: 1, max: 4, description: 'highest epoch a leader may pick (bounds recoveries)' },
    rounds: { default: 3, min: 1, max: 5, description: 'election rounds a server may start per incarnation (bounds elections)' },
    split: {
      default: 'any',
      choices: ['any', 'halves'],
      description: 'the partitions a partition fault may make: any split, or only first half | second half (s1 s2 | s3 s4; a reading client is on the first half’s side)',
    },
    timeouts: {
      default: 'detector',
      choices: ['detector', 'quiet', 'any'],
      description:
        'when a follower gives up on its leader, or a leader on its followers (timer lost): detector: only when the other side is really gone (a perfect failure detector); quiet: whenever nothing can be delivered to it; any: whenever the timer is armed — a live leader or live followers may be left',
    },
    finalize: {
      default: 'roundtrip',
      choices: ['roundtrip', 'any'],
      description:
        'when a LOOKING server with a quorum for its vote decides (timer finalize): roundtrip: once every reachable server has read its notifications and it has read theirs; any: at any time — finalizeWait may end before a better vote arrives',
    },
    upTo: {
      default: 'broadcast',
      choices: ['broadcast', 'election'],
      description: 'election: servers stop once they have decided (FLE only, no discovery/sync/broadcast)',
    },
    reads: {
      default: 'none',
      choices: ['none', 'follower', 'sync'],
      description:
        'a client c, connected to s2, reads: none: no client; follower: the server it is connected to answers from what it has delivered (ZooKeeper: one server, no version comparison); sync: c calls sync() first, and the server answers once its leader’s reply to the sync arrives. Either way c may reconnect once to another server, which refuses it if it has delivered less than c has seen',
    },
    readOps: { default: 2, min: 1, max: 3, description: 'reads the client makes (with reads=follower or sync)' },
  },
  variants: {
    correct:
      'ZooKeeper’s ZAB: votes ordered by (currentEpoch, zxid, sid) with election rounds, epoch above a quorum’s durable acceptedEpoch, DIFF/TRUNC/SNAP sync, commit on a voting majority including the leader — every invariant and both liveness properties hold (with 3 servers); the witnesses replay the notes’ recovery and start-up scenarios. With a reading client (reads=follower), a read from one server can miss a completed write: ZooKeeper’s reads are not linearizable',
    'sid-only': {
      description:
        'the election compares server ids only: a server missing a committed proposal wins and truncates it away — guarantee 1 broken',
      faults: { crash: 1, restart: 0 },
    },
    'zxid-vote': {
      description:
        'votes compared by (last zxid, sid) as the notes give it, without the currentEpoch ZooKeeper compares first: an old leader holding a proposal the new epoch skipped can win again and deliver it — guarantee 2 broken',
      params: { epochs: 3 },
      faults: { crash: 2, restart: 1 },
    },
    'no-trunc':
      'the leader never sends TRUNC, only the proposals a follower lacks: the old leader keeps its unreplicated proposal and delivers it after rejoining — guarantee 2 broken',
    'epoch-from-log': {
      description:
        'the notes’ epoch rule: epoch = epoch of the last zxid in the new leader’s own log + 1, with no acceptedEpoch — an epoch and its zxids are used twice',
      faults: { crash: 1, restart: 0 },
    },
    'commit-before-quorum': {
      description:
        'the leader commits a proposal as soon as it has logged it: it crashes, and the committed proposal is skipped by the next leader — guarantee 1 broken',
      faults: { crash: 1, restart: 0 },
    },
    'followers-quorum': {
      description:
        'the notes’ quorum rule: a commit needs ⌊F/2⌋+1 follower ACKs (F = number of followers): with 3 servers and one follower down nothing commits — a liveness counterexample, against the notes’ own 3-server example',
      faults: { crash: 1, restart: 0 },
    },
    'even-quorum': {
      description:
        'a quorum is ⌈N/2⌉ servers: with 4 servers and the partition s1 s2 | s3 s4 each half has a leader, and one half’s leader skips what the other committed; checked with 4 servers (with 3, ⌈N/2⌉ is the majority)',
      params: { servers: 4, split: 'halves' },
      faults: { crash: 0, restart: 0, partition: 1 },
    },
    'no-resend': {
      description:
        'the notes’ FLE: a LOOKING server whose vote is larger does nothing — it sends its vote only when the vote changes, never again (no answer to a worse vote, no re-sending on a timeout): two lost notifications leave the best server LOOKING for ever while the others follow it — a liveness counterexample (election only)',
      params: { start: 'election', upTo: 'election' },
      faults: { crash: 0, restart: 0, drop: 2 },
    },
    'no-rounds': {
      description:
        'the notes’ FLE: notifications carry no election round, so a server still in one election takes a vote of the next as its own round’s, then loses it when it starts the next itself; nobody repeats it and the election is stuck after one crash — a liveness counterexample',
      params: { start: 'election' },
      faults: { crash: 1, restart: 0 },
    },
    'vote-no-zxid': {
      description: 'mutant of correct: votes compared by (currentEpoch, sid), without the last zxid: a server missing a committed proposal can win the election',
      mutant: true,
    },
    'no-snap': {
      description: 'mutant of correct: when the follower is behind the leader’s whole log, the leader sends its log as a DIFF instead of a SNAP, so the follower keeps the proposals below the leader’s first',
      mutant: true,
    },
    'any-leader': {
      description: 'mutant of correct: a follower logs a PROPOSAL from any server, of any epoch above its last zxid, not only from the leader of its current epoch',
      mutant: true,
    },
    'no-fifo': {
      description: 'mutant of correct: the channels are not FIFO (messages between two servers may overtake one another), so a follower can log and ack a proposal without the ones before it',
      mutant: true,
    },
    'sync-local': {
      description: 'mutant of correct: a follower answers sync() itself instead of asking its leader, so the read after it is served from what the follower happens to have',
      mutant: true,
    },
    'no-seen-check': {
      description: 'mutant of correct: a server accepts a reconnecting client whatever zxid the client has already seen',
      mutant: true,
    },
  },
  faults: { crash: 1, restart: 1 },
  build: ({ params, variant, faults }) => {
    const ids = range('s', params.servers);
    const N = ids.length;
    const q = variant === 'even-quorum' ? Math.ceil(N / 2) : Math.floor(N / 2) + 1;
    const rank = (sid: string) => ids.indexOf(sid);
    /** FLE's total order on votes (ZooKeeper's totalOrderPredicate), or sid alone. */
    const better = (a: Vote, b: Vote): boolean => {
      if (variant === 'sid-only') return rank(a.sid) > rank(b.sid);
      if (a.ep !== b.ep && variant !== 'zxid-vote') return a.ep > b.ep;
      if (a.z !== b.z && variant !== 'vote-no-zxid') return a.z > b.z;
      return rank(a.sid) > rank(b.sid);
    };
    const voteKey = (v: Vote) => `${v.sid} ${v.ep} ${fmt(v.z)}`;
    const electionOnly = params.upTo === 'election';
    /** A client that reads (reads=follower|sync); none otherwise, and nothing below records a history. */
    const reading = params.reads !== 'none';
    /**
     * ZooKeeper re-sends its notifications when none arrives within a timeout (notTimeout). Over TCP
     * without losses the answers below stand in for it; once notifications can be lost (a drop
     * budget), a LOOKING server without a quorum for its vote re-sends it (timer `resend`).
     */
    const resending = (faults.drop ?? 0) > 0 && variant !== 'no-resend';

    const serverState = {
      // durable
      history: List<string>(),
      acceptedEpoch: 0,
      currentEpoch: 0,
      committed: 0,
    };
    /** A leader's volatile state, empty whenever it is not leading. */
    const leaderReset = {
      /** Followers whose FOLLOWERINFO arrived (connected learners). */
      peers: ISet<string>(),
      /** The highest acceptedEpoch they reported. */
      maxAcc: 0,
      /** The epoch proposed in NEWEPOCH (0: not yet). */
      newEpoch: 0,
      /** ACKEPOCHs before the quorum: follower → its last zxid. */
      epochAcks: IMap<string, string>(),
      /** Followers sent NEWLEADER: they receive every later PROPOSAL and COMMIT. */
      sent: ISet<string>(),
      /** Followers that acked NEWLEADER before the leader was established. */
      synced: ISet<string>(),
      /** Uncommitted proposals of this epoch → followers that ACKed them. */
      acks: IMap<string, ISet<string>>(),
    };
    const volatileState = {
      state: 'OFF' as PeerState,
      round: 0,
      vote: '',
      /** LOOKING: the votes of this round, by voter. */
      box: IMap<string, string>(),
      /** LOOKING: what decided servers answered: `leader STATE`, by server. */
      oob: IMap<string, string>(),
      /** FOLLOWING: the leader. */
      leader: '',
      phase: '' as Phase,
      ...leaderReset,
    };
    type Self = RecordOf<typeof serverState & typeof volatileState>;
    const clientState = {
      /** The server this client is connected to. */
      conn: ids[1] ?? '',
      /** The highest zxid it has seen (ZooKeeper's lastZxidSeen), sent when it reconnects. */
      seen: '0.0',
      /** Reads made, and whether it has reconnected (once). */
      done: 0,
      moved: false,
      /** What it waits for: '' (nothing), 'read', or 'connect'. */
      busy: '',
    };
    type Client = RecordOf<typeof clientState>;
    type Roles = { readonly server: Role<Self>; readonly client: Role<Client> };
    type ZabWorld = World<Roles, G>;

    const voteOf = (self: Self): Vote => {
      const [sid = '', ep = '0', z = '0.0'] = self.vote.split(' ');
      return { sid, ep: Number(ep), z: parseZ(z) };
    };
    const ownVote = (self: Self, id: string): Vote => ({ sid: id, ep: self.currentEpoch, z: lastZ(self.history) });
    const notification = (v: Vote, round: number, st: PeerState) => ({ type: 'Notification', sid: v.sid, ep: v.ep, z: fmt(v.z), round, st });

    /** Deliver the log up to (not including) index `upto`. */
    const deliver = (self: Self, upto: number, ctx: Ctx): Self => {
      if (upto <= self.committed) return self;
      const ps = self.history.slice(self.committed, upto).toArray();
      const me = ctx.id;
      const cur = self.currentEpoch;
      ctx.updateGhost((g: G) =>
        ps.reduce(
          (acc, p) =>
            acc
              .update('delivered', (d) => d.update(me, List<string>(), (l) => l.push(p)))
              .update('revived', (r) => (acc.skipped.has(p) ? r.add(p) : r))
              .update('recovered', (r) => (epochOf(p) < cur ? r.add(`${me} ${p}`) : r)),
          g,
        ),
      );
      return self.set('committed', upto);
    };


    /** Start a new election round (null when the bound on rounds is reached). */
    const lookAgain = (self: Self, ctx: Ctx): Self | null => {
      const round = self.round + 1;
      if (round > params.rounds) return null;
      const v = ownVote(self, ctx.id);
      ctx.broadcast('server', notification(v, round, 'LOOKING'));
      if (resending) ctx.setTimer('resend');
      return self.merge({
        state: 'LOOKING',
        round,
        vote: voteKey(v),
        box: IMap([[ctx.id, voteKey(v)]]),
        oob: IMap(),
        leader: '',
        phase: '',
        ...leaderReset,
      });
    };

    /** The election is over for this server: lead, or follow `leader`. */
    const decide = (self: Self, leader: string, ctx: Ctx): Self => {
      const base = self.merge({ box: IMap(), oob: IMap(), leader, ...leaderReset });
      if (resending) ctx.cancelTimer('resend');
      if (electionOnly) return base.merge({ state: leader === ctx.id ? 'LEADING' : 'FOLLOWING', phase: 'elected' });
      if (leader === ctx.id) return base.merge({ state: 'LEADING', phase: 'discovery' });
      // Connect to the leader once it leads (timer `connect`), then send FOLLOWERINFO.
      ctx.setTimer('connect');
      return base.merge({ state: 'FOLLOWING', phase: 'connect' });
    };

    /** The leader's sync for a follower whose last zxid is `fl`. */
    const syncFor = (h: List<string>, fl: number) => {
      const zs = h.map(zOf);
      const last = lastZ(h);
      if (fl === last) return { mode: 'DIFF', trunc: null, ps: [] as string[] };
      if (h.size > 0 && fl < zs.first()!) return { mode: variant === 'no-snap' ? 'DIFF' : 'SNAP', trunc: null, ps: h.toArray() };
      if (zs.includes(fl)) return { mode: 'DIFF', trunc: null, ps: h.filter((p) => zOf(p) > fl).toArray() };
      if (variant === 'no-trunc') return { mode: 'DIFF', trunc: null, ps: h.filter((p) => zOf(p) > fl).toArray() };
      if (fl > last) return { mode: 'TRUNC', trunc: fmt(last), ps: [] as string[] };
      const to = zs.filter((z) => z < fl).max() ?? 0;
      return { mode: 'TRUNC+DIFF', trunc: fmt(to), ps: h.filter((p) => zOf(p) > to).toArray() };
    };

    const sendNewLeader = (self: Self, f: string, fl: string, ctx: Ctx) => {
      const s = syncFor(self.history, parseZ(fl));
      ctx.send(f, { type: 'NewLeader', e: self.currentEpoch, mode: s.mode, trunc: s.trunc, ps: s.ps, z: fmt(lastZ(self.history)) });
    };

    /** Commit, in order, every proposal that has its quorum of ACKs. */
    const tryCommit = (self: Self, ctx: Ctx): Self => {
      let s = self;
      while (s.committed < s.history.size) {
        const p = s.history.get(s.committed)!;
        const z = fmt(zOf(p));
        const got = s.acks.get(z)?.size ?? 0;
        const enough = variant === 'followers-quorum' ? got >= Math.floor((N - 1) / 2) + 1 : got + 1 >= q;
        if (!enough) break;
        s = deliver(s, s.committed + 1, ctx).set('acks', s.acks.remove(z));
        for (const f of s.sent) ctx.send(f, { type: 'Commit', z });
        // The write completes when the leader commits it (only the latest it invoked: an earlier
        // one was left pending when the next was invoked).
        if (reading && p === s.history.last() && proposerOf(p) === ctx.id) ctx.ok('write');
      }
      return s;
    };

    /** The leader has a quorum synced: it commits its log, and the proposals it lacks are skipped. */
    const establish = (self: Self, ctx: Ctx): Self => {
      const e = self.currentEpoch;
      const me = ctx.id;
      const mine = ISet(self.history);
      ctx.updateGhost((g: G) => {
        const newly = g.created.filter((p) => epochOf(p) < e && !mine.has(p) && !g.skipped.has(p));
        const everDelivered = ISet(g.delivered.valueSeq().flatMap((l) => l));
        return g
          .update('est', (m) => m.update(e, ISet<string>(), (s) => s.add(me)))
          .update('skipped', (s) => s.union(newly))
          .update('lost', (l) => l.union(newly.filter((p) => everDelivered.has(p))));
      });
      const s = deliver(self, self.history.size, ctx).merge({ phase: 'broadcast', synced: ISet() });
      for (const f of self.synced) ctx.send(f, { type: 'UpToDate', e, z: fmt(lastZ(s.history)) });
      return s;
    };

    const fromLeader = (self: Self, ctx: Ctx) => self.state === 'FOLLOWING' && ctx.from === self.leader;
    /** Serving clients: following or leading, in broadcast mode. */
    const serving = (self: Self) => (self.state === 'FOLLOWING' || self.state === 'LEADING') && self.phase === 'broadcast';
    /** The last proposal this server delivered ('' for none): what a read of it returns. */
    const lastDelivered = (self: Self) => (self.committed === 0 ? '' : self.history.get(self.committed - 1)!);

    const cutBetween = (w: ZabWorld, a: string, b: string) => {
      const sides = w.partition;
      return sides !== null && sides[0].includes(a) !== sides[0].includes(b);
    };
    /** Whether the channel a→b holds a message (of this type). */
    const queued = (w: ZabWorld, a: string, b: string, type?: string) => w.messagesBetween(a, b, type).length > 0;
    const initialGhost = params.start === 'established' ? Ghost().set('est', IMap([[1, ISet(['s1'])]])) : Ghost();

    return system({
      network: variant === 'no-fifo' ? 'unordered' : 'fifo',
      // halves: the first half of the servers (and a reading client) | the rest.
      partitions: params.split === 'halves' ? [[...ids.slice(0, Math.floor(N / 2)), ...(reading ? ['c'] : [])]] : 'any',
      ghost: initialGhost,
      // timeouts=quiet: every timer fires only when nothing can be delivered to its server.
      timers: params.timeouts === 'quiet' ? 'quiet' : 'any',
      // A perfect failure detector (ZooKeeper's pings and initLimit/syncLimit): a server gives up on
      // its leader, or a leader on its followers, only when the connection is really gone.
      // timeouts=quiet|any drop it: `lost` fires whenever armed (quiet: and nothing can be delivered
      // to the server), so a follower may leave a live leader and a leader live followers;
      // finalize=any lets a server decide before the other votes are in. `connect` (retrying the
      // connection until the leader listens) and `boot` keep their rules.
      timeoutsWhen: (w: ZabWorld, node: string, timer: string) => {
        if (timer === 'lost' && params.timeouts !== 'detector') return true;
        if (timer === 'finalize' && params.finalize === 'any') return true;
        const me = w.get('server', node);
        if (timer === 'boot') {
          // The notes' start-up (docs/notes.md#zab-startup): servers start in id order, each once
          // the ones already running have settled (nothing in flight between them, no decision
          // pending).
          const i = ids.indexOf(node);
          const running = (id: string) => w.get('server', id).state !== 'OFF';
          if (i > 0 && !running(ids[i - 1]!)) return false;
          const busy = ids.some((a) => running(a) && (w.timer(a, 'finalize') || ids.some((b) => running(b) && queued(w, a, b))));
          return !busy;
        }
        // finalizeWait, taken to be long enough for a round trip: decide only once every reachable
        // server has read this server's notifications and this server has read theirs.
        if (timer === 'finalize')
          return !ids.some(
            (f) => w.get('server', f).state !== 'OFF' && !cutBetween(w, node, f) && (queued(w, f, node, 'Notification') || queued(w, node, f, 'Notification')),
          );
        // ZooKeeper's notTimeout: a LOOKING server without a quorum for its vote re-sends it when no
        // notification is on its way to or from it (and, here, only while notifications can be lost).
        if (timer === 'resend')
          return (
            me.state === 'LOOKING' &&
            me.box.count((v) => v === me.vote) < q &&
            !ids.some((f) => queued(w, node, f, 'Notification') || queued(w, f, node, 'Notification'))
          );
        if (timer === 'connect') return me.state === 'FOLLOWING' && w.up(me.leader) && !cutBetween(w, node, me.leader) && w.get('server', me.leader).state === 'LEADING';
        if (electionOnly) return false;
        if (me.state === 'FOLLOWING') {
          const l = me.leader;
          const ls = w.get('server', l);
          if (!w.up(l) || cutBetween(w, node, l) || ls.state === 'FOLLOWING') return true;
          // Still LOOKING in the round this server decided in, voting for itself, and not yet connected
          // to: it is about to lead. Otherwise (another round, another vote, or it left the leadership
          // this server had connected to) give up.
          if (ls.state === 'LOOKING') return me.phase !== 'connect' || ls.round !== me.round || voteOf(ls).sid !== l;
          return me.phase !== 'connect' && !ls.peers.has(node) && !queued(w, node, l) && !queued(w, l, node);
        }
        if (me.state === 'LEADING') {
          const support = ids.filter((f) => {
            if (f === node || !w.up(f) || cutBetween(w, node, f)) return false;
            const fs = w.get('server', f);
            // Before it is established, a server still electing may yet join; after, only followers count.
            return (fs.state === 'LOOKING' && me.phase !== 'broadcast') || (fs.state === 'FOLLOWING' && fs.leader === node);
          }).length;
          if (support + 1 < q) return true;
          // Recovery stalled (ZooKeeper's initLimit): not established, nothing on its way to or from
          // the leader, and no server about to join it (voting for it, or connecting to it).
          return (
            me.phase !== 'broadcast' &&
            !ids.some((f) => {
              const fs = w.get('server', f);
              const coming = (fs.state === 'LOOKING' && voteOf(fs).sid === node) || (fs.leader === node && fs.phase === 'connect');
              return queued(w, node, f) || queued(w, f, node) || (w.up(f) && coming);
            })
          );
        }
        return false;
      },
      roles: {
        server: role({
          ids,
          durable: serverState,
          volatile: volatileState,
          start: (self, ctx) => {
            if (params.start === 'staggered') return ctx.setTimer('boot'), self;
            ctx.setTimer('lost');
            if (params.start === 'election') return lookAgain(self, ctx);
            // s1 leads epoch 1; everyone is synced, every log empty.
            const leader = ids[0]!;
            const base = self.merge({ acceptedEpoch: 1, currentEpoch: 1, round: 1, vote: `${leader} 0 0.0`, leader, phase: 'broadcast' });
            if (ctx.id !== leader) return base.set('state', 'FOLLOWING');
            const others = ISet(ids.slice(1));
            return base.merge({ state: 'LEADING', peers: others, newEpoch: 1, sent: others });
          },
          restart: (self, ctx) => {
            ctx.setTimer('lost');
            return lookAgain(self, ctx);
          },
          timers: {
            boot: (self, ctx) => {
              ctx.setTimer('lost');
              return lookAgain(self, ctx);
            },
            // ZooKeeper's finalizeWait: no better vote arrived; the box still holds a quorum for ours.
            finalize: (self, ctx) => {
              if (self.state !== 'LOOKING' || self.box.count((v) => v === self.vote) < q) return self;
              return decide(self, voteOf(self).sid, ctx);
            },
            resend: (self, ctx) => {
              if (self.state !== 'LOOKING') return self;
              ctx.broadcast('server', { ...notification(voteOf(self), self.round, 'LOOKING'), again: true });
              ctx.setTimer('resend');
              return self;
            },
            connect: (self, ctx) => {
              if (self.state !== 'FOLLOWING' || self.phase !== 'connect') return self;
              ctx.send(self.leader, { type: 'FollowerInfo', acc: self.acceptedEpoch });
              return self.set('phase', 'discovery');
            },
            lost: (self, ctx) => {
              if (self.state !== 'FOLLOWING' && self.state !== 'LEADING') return null;
              const s = lookAgain(self, ctx);
              if (s !== null) ctx.setTimer('lost');
              return s;
            },
          },
          steps: {
            // A client request reaches the established leader: PROPOSAL.
            propose: (self, ctx) => {
              if (self.state !== 'LEADING' || self.phase !== 'broadcast') return null;
              const e = self.currentEpoch;
              const c = self.history.count((p) => epochOf(p) === e);
              if (c >= params.txs) return null;
              const z = fmt(zx(e, c + 1));
              const p = `${z}:${ctx.id}`;
              const held = ISet(self.history.filter((q) => epochOf(q) < e));
              ctx.updateGhost((g: G) =>
                g.update('created', (s) => s.add(p)).update('primaries', (m) => (m.has(`${e} ${ctx.id}`) ? m : m.set(`${e} ${ctx.id}`, held))),
              );
              for (const f of self.sent) ctx.send(f, { type: 'Proposal', p });
              // With a reading client: a client connected to the leader writes p to x.
              if (reading) ctx.invoke('write', p);
              const s = self.merge({ history: self.history.push(p), acks: self.acks.set(z, ISet()) });
              return variant === 'commit-before-quorum' ? tryCommitNow(s, ctx) : s;
            },
          },
          on: {
            Notification: (self, msg: { type: 'Notification'; sid: string; ep: number; z: string; round: number; st: PeerState; again?: boolean }, ctx) => {
              if (self.state === 'OFF') return null;
              const from = ctx.from!;
              if (self.state !== 'LOOKING') {
                // Decided: tell a LOOKING server whom this server supports.
                if (msg.st === 'LOOKING') ctx.reply(notification(voteOf(self), self.round, self.state));
                return self;
              }
              const theirs: Vote = { sid: msg.sid, ep: msg.ep, z: parseZ(msg.z) };
              // no-rounds: every notification is taken as one of this server's current round.
              const round = variant === 'no-rounds' ? self.round : msg.round;
              if (msg.st !== 'LOOKING') {
                // An answer from a decided server. Of our round, it is a vote like any other
                // (ZooKeeper's recvset); of any round, it goes to the outofelection set, which names a
                // leader once a quorum of decided servers, the leader among them, agree on it.
                const l = msg.sid;
                const oob = self.oob.set(from, `${l} ${msg.st}`);
                const leads = l === ctx.id || oob.get(l) === `${l} LEADING`;
                if (round === self.round) {
                  const box = self.box.set(from, voteKey(theirs));
                  if (leads && box.count((v) => v === voteKey(theirs)) >= q) return decide(self.set('vote', voteKey(theirs)), l, ctx);
                }
                if (l !== ctx.id && leads && oob.count((v) => v.startsWith(`${l} `)) >= q) return decide(self.merge({ round, vote: voteKey(theirs) }), l, ctx);
                return self.merge({ oob, box: round === self.round ? self.box.set(from, voteKey(theirs)) : self.box });
              }
              let s = self;
              if (round > s.round) {
                // A newer round: start over in it, with the better of its vote and ours.
                const own = ownVote(s, ctx.id);
                const v = better(theirs, own) ? theirs : own;
                s = s.merge({ round, vote: voteKey(v), box: IMap() });
                ctx.broadcast('server', notification(v, round, 'LOOKING'));
              } else if (round < s.round) {
                ctx.reply(notification(voteOf(s), s.round, 'LOOKING'));
                return s;
              } else if (better(theirs, voteOf(s))) {
                s = s.set('vote', voteKey(theirs));
                ctx.broadcast('server', notification(theirs, s.round, 'LOOKING'));
              } else if (variant !== 'no-resend' && (msg.again === true || (s.oob.has(from) && better(voteOf(s), theirs)))) {
                // A worse vote of our round from a server that was still decided when our vote
                // reached it (it never took our vote in), or any vote no better than ours re-sent by
                // a server that heard nothing for a while (ours may have been lost): tell it our vote.
                // ZooKeeper gets there by re-sending its own notifications on a timeout too.
                ctx.reply(notification(voteOf(s), s.round, 'LOOKING'));
              }
              const box = s.box.set(from, voteKey(theirs)).set(ctx.id, s.vote);
              s = s.merge({ box, oob: s.oob.remove(from) });
              // A quorum for our vote: decide once no further notification is waiting (finalizeWait).
              if (box.count((v) => v === s.vote) >= q) ctx.setTimer('finalize');
              return s;
            },

            // ---- discovery
            FollowerInfo: (self, msg: { type: 'FollowerInfo'; acc: number }, ctx) => {
              if (self.state !== 'LEADING' || self.phase === 'elected') return self;
              const f = ctx.from!;
              const s = self.merge({ peers: self.peers.add(f), maxAcc: Math.max(self.maxAcc, msg.acc) });
              if (s.newEpoch > 0) {
                ctx.reply({ type: 'NewEpoch', e: s.newEpoch });
                return s;
              }
              if (s.peers.size + 1 < q) return s;
              const e =
                variant === 'epoch-from-log'
                  ? epochOfZ(lastZ(s.history)) + 1
                  : Math.max(s.acceptedEpoch, s.maxAcc) + 1;
              if (e > params.epochs) return s; // the bound: no epoch left
              for (const p of s.peers) ctx.send(p, { type: 'NewEpoch', e });
              return s.merge({ newEpoch: e, phase: 'epoch', acceptedEpoch: variant === 'epoch-from-log' ? s.acceptedEpoch : e });
            },
            NewEpoch: (self, msg: { type: 'NewEpoch'; e: number }, ctx) => {
              if (!fromLeader(self, ctx) || self.phase !== 'discovery') return self;
              // ZooKeeper: a new epoch is accepted (and the ACKEPOCH counts towards the leader's quorum);
              // the epoch already accepted is acknowledged without counting (cur: -1); a lower one is refused.
              const fresh = variant === 'epoch-from-log' ? msg.e >= self.currentEpoch : msg.e > self.acceptedEpoch;
              if (!fresh && msg.e !== self.acceptedEpoch) return lookAgain(self, ctx) ?? self;
              ctx.reply({ type: 'AckEpoch', e: msg.e, cur: fresh ? self.currentEpoch : -1, last: fmt(lastZ(self.history)) });
              return self.merge({ phase: 'epoch', acceptedEpoch: variant === 'epoch-from-log' ? self.acceptedEpoch : msg.e });
            },
            AckEpoch: (self, msg: { type: 'AckEpoch'; e: number; cur: number; last: string }, ctx) => {
              if (self.state !== 'LEADING' || msg.e !== self.newEpoch) return self;
              const f = ctx.from!;
              if (self.phase !== 'epoch') {
                // A late follower: synchronise it at once.
                sendNewLeader(self, f, msg.last, ctx);
                return self.set('sent', self.sent.add(f));
              }
              const acks = self.epochAcks.set(f, msg.cur === -1 ? `${msg.last}!` : msg.last);
              if (acks.count((l) => !l.endsWith('!')) + 1 < q) return self.set('epochAcks', acks);
              // ---- synchronisation: a quorum acknowledged the epoch; it becomes ours.
              const s = self.merge({ currentEpoch: msg.e, phase: 'sync', epochAcks: IMap(), sent: ISet(acks.keys()) });
              for (const [g, last] of acks) sendNewLeader(s, g, last.replace('!', ''), ctx);
              return s;
            },
            NewLeader: (self, msg: { type: 'NewLeader'; e: number; mode: string; trunc: string | null; ps: string[]; z: string }, ctx) => {
              if (!fromLeader(self, ctx) || self.phase !== 'epoch') return self;
              const old = self.history;
              let h = msg.mode === 'SNAP' ? List<string>() : old;
              if (msg.trunc !== null) {
                const t = parseZ(msg.trunc);
                h = h.filter((p) => zOf(p) <= t);
              }
              h = h.concat(msg.ps);
              let kept = 0;
              while (kept < old.size && kept < h.size && old.get(kept) === h.get(kept)) kept++;
              const gone = old.slice(kept).filter((p) => !h.includes(p)).toArray();
              const me = ctx.id;
              if (gone.length > 0) ctx.updateGhost((g: G) => g.update('truncated', (t) => t.union(gone.map((p) => `${me} ${p}`))));
              // The ack covers the leader's log as synced (ZooKeeper then ACKs its outstanding proposals).
              ctx.reply({ type: 'AckNewLeader', e: msg.e, z: msg.z });
              return self.merge({ history: h, committed: Math.min(self.committed, kept), currentEpoch: msg.e, phase: 'sync' });
            },
            AckNewLeader: (self, msg: { type: 'AckNewLeader'; e: number; z: string }, ctx) => {
              if (self.state !== 'LEADING' || msg.e !== self.currentEpoch || (self.phase !== 'sync' && self.phase !== 'broadcast')) return self;
              const f = ctx.from!;
              if (self.phase === 'broadcast') {
                // A late follower: it now holds every proposal up to z, the uncommitted ones included.
                ctx.reply({ type: 'UpToDate', e: msg.e, z: fmt(self.committed === 0 ? 0 : zOf(self.history.get(self.committed - 1)!)) });
                const upTo = parseZ(msg.z);
                return tryCommit(self.set('acks', self.acks.map((a, z) => (parseZ(z) <= upTo ? a.add(f) : a))), ctx);
              }
              const s = self.set('synced', self.synced.add(f));
              return s.synced.size + 1 >= q ? establish(s, ctx) : s;
            },
            UpToDate: (self, msg: { type: 'UpToDate'; e: number; z: string }, ctx) => {
              if (!fromLeader(self, ctx) || self.phase !== 'sync' || msg.e !== self.currentEpoch) return self;
              return commitUpTo(self, parseZ(msg.z), ctx).set('phase', 'broadcast');
            },

            // ---- broadcast
            Proposal: (self, msg: { type: 'Proposal'; p: string }, ctx) => {
              if (variant === 'any-leader') {
                // The mutant: any sender, any epoch, as long as the zxid is above the last one logged.
                if (self.state !== 'FOLLOWING' || (self.phase !== 'sync' && self.phase !== 'broadcast') || zOf(msg.p) <= lastZ(self.history)) return self;
              } else {
                if (!fromLeader(self, ctx) || (self.phase !== 'sync' && self.phase !== 'broadcast')) return self;
                if (epochOf(msg.p) !== self.currentEpoch || zOf(msg.p) <= lastZ(self.history)) return self;
              }
              ctx.reply({ type: 'Ack', z: fmt(zOf(msg.p)) });
              return self.set('history', self.history.push(msg.p));
            },
            Ack: (self, msg: { type: 'Ack'; z: string }, ctx) => {
              if (self.state !== 'LEADING' || self.phase !== 'broadcast' || !self.acks.has(msg.z)) return self;
              return tryCommit(self.set('acks', self.acks.update(msg.z, (a) => a!.add(ctx.from!))), ctx);
            },
            Commit: (self, msg: { type: 'Commit'; z: string }, ctx) => {
              if (!fromLeader(self, ctx) || (self.phase !== 'sync' && self.phase !== 'broadcast')) return self;
              return commitUpTo(self, parseZ(msg.z), ctx);
            },

            // ---- clients (reads=follower|sync). A server takes a client's request only while it
            // serves (in broadcast mode); until then the request waits on the connection.
            // A read is answered by this one server from what it has delivered: no quorum, no
            // comparison with any other server.
            Read: (self, _msg: { type: 'Read' }, ctx) => {
              if (!serving(self)) return null;
              ctx.reply({ type: 'ReadOk', v: lastDelivered(self) });
              return self;
            },
            // sync() then read: a follower asks its leader and reads when the answer comes back;
            // the leader reads at once.
            SyncRead: (self, _msg: { type: 'SyncRead' }, ctx) => {
              if (!serving(self)) return null;
              if (self.state === 'LEADING' || variant === 'sync-local') ctx.reply({ type: 'ReadOk', v: lastDelivered(self) });
              else ctx.send(self.leader, { type: 'Sync', c: ctx.from! });
              return self;
            },
            // The leader answers a sync at once, down the FIFO channel behind every COMMIT it has
            // sent that follower. (ZooKeeper also holds it back until its proposals in flight are
            // committed, which only makes the read newer.)
            Sync: (self, msg: { type: 'Sync'; c: string }, ctx) => {
              if (self.state !== 'LEADING' || self.phase !== 'broadcast') return self;
              ctx.reply({ type: 'Synced', c: msg.c });
              return self;
            },
            Synced: (self, msg: { type: 'Synced'; c: string }, ctx) => {
              if (!fromLeader(self, ctx) || self.phase !== 'broadcast') return self;
              ctx.send(msg.c, { type: 'ReadOk', v: lastDelivered(self) });
              return self;
            },
            // A client reconnecting: refused if this server has delivered less than the client has
            // seen (ZooKeeper compares the client's lastZxidSeen with its last processed zxid).
            Connect: (self, msg: { type: 'Connect'; seen: string }, ctx) => {
              if (!serving(self)) return null;
              const mine = lastDelivered(self);
              const ok = variant === 'no-seen-check' || (mine === '' ? 0 : zOf(mine)) >= parseZ(msg.seen);
              ctx.reply({ type: ok ? 'Connected' : 'Refused' });
              return self;
            },
          },
        }),
        client: role({
          ids: reading ? ['c'] : [],
          crashes: false,
          durable: clientState,
          steps: {
            // A read (after a sync() with reads=sync), invoked now: ZooKeeper's register x, whose
            // value is the last transaction delivered ('' before any).
            read: (self, ctx) => {
              if (self.busy !== '' || self.done >= params.readOps) return null;
              ctx.invoke('read', null);
              ctx.send(self.conn, { type: params.reads === 'sync' ? 'SyncRead' : 'Read' });
              return self.merge({ busy: 'read', done: self.done + 1 });
            },
            // Move to another server (once, before its last read), presenting the highest zxid seen.
            reconnect: (self, ctx) => {
              if (self.busy !== '' || self.moved || self.done >= params.readOps) return null;
              const to = ctx.choose(ids.filter((s) => s !== self.conn));
              ctx.send(to, { type: 'Connect', seen: self.seen });
              return self.merge({ busy: 'connect', moved: true });
            },
          },
          on: {
            ReadOk: (self, msg: { type: 'ReadOk'; v: string }, ctx) => {
              ctx.ok('read', msg.v);
              return self.merge({ busy: '', seen: fmt(Math.max(parseZ(self.seen), msg.v === '' ? 0 : zOf(msg.v))) });
            },
            Connected: (self, _msg: { type: 'Connected' }, ctx) => self.merge({ busy: '', conn: ctx.from! }),
            Refused: (self) => self.set('busy', ''),
          },
        }),
      },
      invariants: {
        // With a reading client (docs/notes.md#zookeeper-reads): the history of writes (by the
        // leader, completing at its commit) and reads of x, against a register. ZooKeeper promises
        // monotonic reads across reconnections (its "single system image"), not linearizable reads.
        ...(reading ? { Linearizable: linearizable(register('')), MonotonicReads: sessionGuarantees.monotonicReads('') } : {}),
        // Guarantee 1 (docs/notes.md#zab-guarantees): a proposal delivered anywhere is in every later
        // established leader's log.
        CommittedSurvive: {
          holds: (w) => w.ghost.lost.size === 0,
          explain: (w) =>
            `${[...w.ghost.lost].join(', ')} was delivered, then an established leader (epoch ${Math.max(...w.ghost.est.keySeq().toArray())}) did not have it`,
        },
        // The Zab paper's primary integrity (Junqueira, Reed, Serafini, DSN 2011): a leader that
        // broadcasts in epoch e has delivered, before that, every proposal of an earlier epoch that
        // any server delivers (before or after). Guarantee 2 as far as it is visible:
        // a skipped proposal delivered later, once the leader that skipped it has broadcast.
        PrimaryIntegrity: {
          holds: (w) => primaryBreach(w.ghost) === null,
          explain: (w) => primaryBreach(w.ghost) ?? '',
        },
        // Agreement: what two servers delivered is one sequence and a prefix of it.
        Agreement: {
          holds: (w) => disagreement(w.ghost) === null,
          explain: (w) => disagreement(w.ghost) ?? '',
        },
        // A zxid names one transaction.
        ZxidUnique: {
          holds: (w) => zxidClash(w.ghost) === null,
          explain: (w) => zxidClash(w.ghost) ?? '',
        },
        // INV-FLE-OneLeaderPerEpoch / INV-ZAB-EpochUnique: at most one leader is established per epoch.
        OneLeaderPerEpoch: {
          holds: (w) => w.ghost.est.every((ls) => ls.size <= 1),
          explain: (w) =>
            w.ghost.est
              .filter((ls) => ls.size > 1)
              .map((ls, e) => `epoch ${e} established by ${[...ls].sort().join(' and ')}`)
              .join('; '),
        },
        // Increasing zxid order and the Zab paper's local primary order: each server delivers
        // in increasing zxid order, and a proposal e.c (c > 1) right after e.c-1 — never without the
        // proposals its leader made before it.
        DeliveryOrder: {
          holds: (w) => outOfOrder(w.ghost) === null,
          explain: (w) => outOfOrder(w.ghost) ?? '',
        },
      },
      witnesses: {
        // Guarantee 2 in the notes' strong form (docs/notes.md#zab-old-proposal): a proposal an
        // established leader skipped is delivered later — even if that leader never broadcast
        // anything.
        SkippedDelivered: (w) => w.ghost.revived.size > 0,
        // The notes' first example (docs/notes.md#zab-guarantees): the leader sends P1, P2, C1, P3,
        // C2 and crashes; no follower got C2. Recovery must still commit P2 on every other server.
        RecoveredCommit: (w) =>
          ids.some((l) => {
            if (w.up(l)) return false;
            const mine = w.ghost.delivered.get(l) ?? List<string>();
            return [1, 2, 3, 4].some((e) => {
              const [p1, p2, p3] = [1, 2, 3].map((c) => `${fmt(zx(e, c))}:${l}`) as [string, string, string];
              if (!w.ghost.created.has(p3) || !mine.includes(p2) || mine.includes(p3)) return false;
              const others = ids.filter((o) => o !== l);
              const c1 = others.some((o) => (w.ghost.delivered.get(o) ?? List()).includes(p1) && !w.ghost.recovered.has(`${o} ${p1}`));
              return c1 && others.every((o) => w.ghost.recovered.has(`${o} ${p2}`));
            });
          }),
        // The notes' second example (docs/notes.md#zab-guarantees): the old leader's own proposal,
        // seen by nobody, is truncated when it rejoins, and delivered nowhere.
        TruncatedOnRejoin: (w) =>
          w.ghost.truncated.some((t) => {
            const [s = '', p = ''] = t.split(' ');
            const st = w.get('server', s);
            return proposerOf(p) === s && st.state === 'FOLLOWING' && st.phase === 'broadcast' && !w.ghost.delivered.some((l) => l.includes(p));
          }),
        // epoch-from-log carried to its end (docs/notes.md#zab-epoch): two servers delivered
        // different transactions under one zxid, which the zxid-only sync (DIFF) cannot see. Never
        // reachable in the correct variant.
        SameZxidDelivered: (w) => {
          const seen = new Map<number, string>();
          for (const p of w.ghost.delivered.valueSeq().flatMap((l) => l)) {
            const other = seen.get(zOf(p));
            if (other !== undefined && other !== p) return true;
            seen.set(zOf(p), p);
          }
          return false;
        },
        // The notes' start-up (docs/notes.md#zab-startup): servers started in id order elect s3; s4
        // and s5 follow it.
        StartupElectsS3: (w) =>
          w.get('server', 's3').state === 'LEADING' && w.every('server', (s, id) => id === 's3' || (s.state === 'FOLLOWING' && s.leader === 's3')),
      },
      properties: {
        // The notes' availability claim ("ZooKeeper tolerates the failure of half its nodes",
        // docs/notes.md#zab-half-failures; LIVE-ZAB-Recovery): unless more than half the servers are
        // down, a leader is eventually established. True of ZAB for an odd number of servers, false
        // for an even one.
        Available: {
          alwaysEventually: (w) =>
            w.count('server', (_, id) => !w.up(id)) * 2 > N ||
            w.some('server', (s, id) => w.up(id) && s.state === 'LEADING' && (s.phase === 'broadcast' || s.phase === 'elected')),
        },
        // LIVE-ZAB-Broadcast: an established leader that stays up eventually commits every proposal
        // it made (with 3 servers, one follower down does not stop it:
        // docs/notes.md#zab-followers-quorum).
        Progress: {
          alwaysEventually: (w) => w.every('server', (s, id) => !w.up(id) || s.state !== 'LEADING' || s.phase !== 'broadcast' || s.committed === s.history.size),
        },
      },
    });

    function commitUpTo(self: Self, z: number, ctx: Ctx): Self {
      let upto = self.committed;
      while (upto < self.history.size && zOf(self.history.get(upto)!) <= z) upto++;
      return deliver(self, upto, ctx);
    }
    /** commit-before-quorum: the leader commits what it has logged, and says so at once. */
    function tryCommitNow(self: Self, ctx: Ctx): Self {
      const p = self.history.last()!;
      const z = fmt(zOf(p));
      for (const f of self.sent) ctx.send(f, { type: 'Commit', z });
      return deliver(self, self.history.size, ctx).set('acks', self.acks.remove(z));
    }
  },
});

/** Two delivered sequences that are not prefixes of one another, in words (null if none). */
function disagreement(g: G): string | null {
  const seqs = [...g.delivered.entries()];
  for (let i = 0; i < seqs.length; i++)
    for (let j = i + 1; j < seqs.length; j++) {
      const [a, la] = seqs[i]!;
      const [b, lb] = seqs[j]!;
      const n = Math.min(la.size, lb.size);
      for (let k = 0; k < n; k++)
        if (la.get(k) !== lb.get(k)) return `${a} delivered [${la.join(', ')}] and ${b} delivered [${lb.join(', ')}]: they differ at position ${k + 1}`;
    }
  return null;
}

/** A leader that broadcast without an earlier-epoch proposal some server delivered, in words (null if none). */
function primaryBreach(g: G): string | null {
  if (g.primaries.size === 0) return null;
  for (const [key, held] of g.primaries) {
    const e = Number(key.split(' ')[0]);
    for (const [s, l] of g.delivered)
      for (const p of l)
        if (epochOf(p) < e && !held.has(p))
          return `${s} delivered ${p}, but ${key.split(' ')[1]} broadcast in epoch ${e} without having delivered it`;
  }
  return null;
}

/** A server's deliveries out of zxid order or with a gap in an epoch, in words (null if none). */
function outOfOrder(g: G): string | null {
  for (const [s, l] of g.delivered)
    for (let i = 0; i < l.size; i++) {
      const z = zOf(l.get(i)!);
      const prev = i === 0 ? 0 : zOf(l.get(i - 1)!);
      const ok = z % 100 === 1 ? i === 0 || prev < z : i > 0 && prev === z - 1;
      if (!ok) return `${s} delivered [${l.join(', ')}]: ${l.get(i)} ${z % 100 === 1 || prev >= z ? 'out of zxid order' : `without ${fmt(z - 1)} right before it`}`;
    }
  return null;
}

/** A zxid used for two transactions, in words (null if none). */
function zxidClash(g: G): string | null {
  const byZ = new Map<number, string>();
  for (const p of g.created) {
    const other = byZ.get(zOf(p));
    if (other !== undefined && other !== p) return `zxid ${fmt(zOf(p))} names two transactions: ${other} and ${p}`;
    byZ.set(zOf(p), p);
  }
  return null;
}
