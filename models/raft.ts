/**
 * Raft: leader election and log replication (the study notes' claims about it:
 * docs/notes.md#raft).
 *
 * Servers are followers, candidates or leaders. A follower or candidate whose election timer fires
 * starts an election: it increments its term, votes for itself and sends RequestVote (term, last log
 * index, last log term). A server grants at most one vote per term, first come first served, and
 * only to a candidate whose log is at least as up to date as its own: a higher last term, or the same
 * last term and a last index at least as high. A candidate with the votes of a majority
 * leads. A leader appends client entries and sends AppendEntries with prevLogIndex/prevLogTerm; a
 * follower accepts only if its log has that entry, overwrites what conflicts and appends the rest; on
 * a refusal the leader steps nextIndex back and tries again. A leader commits the
 * highest index stored on a majority whose entry is of its own term — earlier entries only with it
 * — and followers learn the commit index from AppendEntries. Every message carries a term:
 * a higher one makes the receiver a follower of that term; a request with a lower one is refused;
 * a candidate that hears from the leader of its own term becomes its follower.
 * currentTerm, votedFor and the log are durable; the rest is rebuilt after a restart.
 *
 * Modelling choices, each to keep the state space small:
 * - A log is the list of its entries' terms ([1, 1, 2]). An entry's value is the command the one
 *   leader of that term put at that index, so (index, term) names it — as long as Election Safety
 *   holds, which is checked too.
 * - A leader appends at most one client entry per term (`appends` raises that), while its log is
 *   shorter than `entries`.
 * - Terms are bounded (`terms`: no election beyond it), or unbounded (`terms=0`): then only their
 *   order matters, states equal up to a shift of every term are one state (renumbering,
 *   docs/actors.md), and the search keeps to states whose terms span at most `spread`. Terms start
 *   at 1 then, so that 0 keeps meaning "no entry".
 * - No periodic heartbeats: a leader sends AppendEntries when elected (if it has entries to bring the
 *   followers into line with), when it appends, on a refusal, and when its commit index advances
 *   (`notify`). An election timer may fire at any time (`timeouts`), which is what a missed
 *   heartbeat amounts to; an empty heartbeat would only delay elections. An AppendEntries carries
 *   the leader's whole log from nextIndex on, except the commit notices with `heartbeats`: those
 *   carry no entries, as a heartbeat that brings the commit index would.
 * - Refused votes are not answered (a candidate learns nothing from them); lost messages are the
 *   faults' business.
 */
import { defineActorModel, messages, range, system, type Ctx, type Role, type World } from 'faultline';
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';

type Status = 'follower' | 'candidate' | 'leader';

type RequestVote = { readonly type: 'RequestVote'; readonly term: number; readonly lastIndex: number; readonly lastTerm: number };
type Vote = { readonly type: 'Vote'; readonly term: number };
type Append = {
  readonly type: 'Append';
  readonly term: number;
  readonly prevIndex: number;
  readonly prevTerm: number;
  /** The terms of the entries after prevIndex. */
  readonly entries: number[];
  readonly commit: number;
};
type AppendReply = { readonly type: 'AppendReply'; readonly term: number; readonly ok: boolean; readonly match: number };
type Msg = RequestVote | Vote | Append | AppendReply;
const { role } = messages<Msg>();

type Log = List<number>;

/** An entry: its index and its term. */
const Entry = Record({ index: 0, term: 0 }, 'RaftEntry');
type Entry = RecordOf<{ index: number; term: number }>;
/** An entry a leader marked committed, and that leader's term when it did. */
const Commit = Record({ index: 0, term: 0, commitTerm: 0 }, 'RaftCommit');
type Commit = RecordOf<{ index: number; term: number; commitTerm: number }>;

interface GhostFields {
  /** term → the servers that became leader in it. */
  elected: IMap<number, ISet<string>>;
  /** Every entry a leader marked committed (the earliest commit of each). */
  committed: ISet<Commit>;
  /** Every entry any server applied (kept through truncations and crashes). */
  applied: ISet<Entry>;
  /**
   * The uncommitted entry of its own term held by the first leader deposed by a higher term after a
   * leader of a later term had committed: two leaders at once, only the newer one committing (the
   * notes' partition).
   */
  stale: ISet<Entry>;
  /** How a leader lost or changed an entry of its own log, from the step that made it leader on (only leader-drops-tail does). */
  overwritten: string;
}
const Ghost = Record<GhostFields>({ elected: IMap(), committed: ISet(), applied: ISet(), stale: ISet(), overwritten: '' }, 'RaftGhost');
type Ghost = RecordOf<GhostFields>;

/** A server's state: the durable and volatile fields of build's role, as role() records them. */
type Self = RecordOf<{ term: number; log: Log } & { votedFor: string | null } & { status: Status; votes: ISet<string>; commit: number; next: IMap<string, number>; match: IMap<string, number> }>;
type Roles = { readonly server: Role<Self> };
type RaftWorld = World<Roles, Ghost>;

/** Fields holding terms, for renumbering (indexes — commit, match, next, *Index — are not terms). */
const TERM_FIELDS = ['term', 'lastTerm', 'prevTerm', 'commitTerm', 'log', 'entries', 'elected'];

/** The term of the entry at 1-based index k: 0 for index 0, -1 past the end. */
const termAt = (log: Log, k: number): number => (k === 0 ? 0 : (log.get(k - 1) ?? -1));
const lastTerm = (log: Log): number => termAt(log, log.size);
const isPrefix = (a: Log, b: Log): boolean => a.size <= b.size && a.every((t, i) => b.get(i) === t);
const show = (log: Log): string => `[${log.join(',')}]`;

export default defineActorModel({
  name: 'raft',
  description: 'Raft leader election and log replication: terms, RequestVote with the up-to-date check, AppendEntries with prevLogIndex/prevLogTerm, commit of current-term entries.',
  params: {
    servers: { default: 3, min: 2, max: 5, description: 'number of servers' },
    terms: { default: 2, min: 0, max: 9, description: 'highest term an election may start; 0: unbounded (terms renumbered, bounded by spread)' },
    spread: { default: 2, min: 1, max: 9, description: 'with terms=0: explore only states whose terms span at most this much' },
    entries: { default: 1, min: 0, max: 4, description: 'longest log: a leader appends client entries (one per term, see appends) while its log is shorter' },
    appends: { default: 1, min: 1, max: 3, description: 'client entries a leader may append in one term (still within entries)' },
    candidates: { default: 0, min: 0, max: 5, description: 'only s1..sk ever start an election (0: every server); a bound for deep scenarios' },
    notify: { default: true, description: 'a leader sends AppendEntries as soon as its commit index advances (false: followers learn it with the next one)' },
    heartbeats: {
      default: false,
      description: 'the AppendEntries a leader sends when its commit index advances carry no entries (prevLogIndex nextIndex−1), as a heartbeat would; false: every entry from nextIndex on',
    },
    network: { default: 'fifo', choices: ['fifo', 'unordered'], description: 'fifo: one ordered channel per pair of servers (TCP); unordered: any message may overtake any other' },
    partitions: {
      default: 'any',
      choices: ['any', 'notes'],
      description: 'the splits a partition fault may make: any, or the notes’: a minority holding s1 — {s1} with 3 servers, {s1, s2} with 5 — cut off from the rest',
    },
    timeouts: {
      default: 'any',
      choices: ['any', 'quiet', 'detector'],
      description:
        'when an election timer may fire: any time; quiet: only when nothing can be delivered to the server; detector: only when no leader of its term or later is up and on its side of a partition (heartbeats would arrive)',
    },
  },
  variants: {
    correct: 'Raft as in the paper: one durable vote per term, the up-to-date check, the prevLog check, commit by counting current-term entries only',
    'no-up-to-date-check': 'a server votes for any candidate of the term, whatever its log (one of the notes’ versions of the vote rule): a leader without a committed entry',
    'volatile-vote': {
      description:
        'votedFor is kept in memory only, so a server that restarts votes again in the same term: two leaders in one term',
      params: { notify: false, candidates: 2 },
      faults: { crash: 1, restart: 1 },
    },
    'commit-previous-term': {
      description:
        'a leader commits any entry it finds on a majority, of whatever term (the Raft paper’s Figure 8): a committed entry is lost; it takes 4 terms',
      params: { terms: 4, candidates: 2, timeouts: 'quiet', notify: false },
    },
    'no-prev-log-check': {
      description:
        'a follower does not compare prevLogTerm with its own entry at prevLogIndex: two logs end in the same entry after different ones',
      params: { terms: 3, entries: 2, candidates: 2, notify: false },
    },
    'even-quorum': {
      description:
        'a majority is ⌈N/2⌉ servers, so with an even N two halves can both win; checked with 4 servers',
      params: { servers: 4, candidates: 2, terms: 1 },
    },
    'index-only-comparison': {
      description:
        'the up-to-date check compares last log indexes only (as the notes word it): a stale log as long as a committed one wins; it takes 3 terms',
      params: { terms: 3, candidates: 2 },
    },
    'accept-lower-term': 'a follower takes AppendEntries from a leader of a lower term instead of refusing it: a stale leader overwrites a committed entry',
    'vote-on-applied': {
      description:
        'RequestVote carries the candidate’s last applied entry — its commit index and that entry’s term, the notes’ “last entry in the state machine” — and a voter compares it with its own: a leader without a committed entry',
    },
    'strict-step-down': {
      description:
        'a candidate becomes a follower only for a higher term (the notes’ “only if the received id is larger”), so it ignores AppendEntries from the leader of its own term and never joins it; checked with one term',
      params: { terms: 1, candidates: 2 },
    },
    'no-vote-record': { description: 'mutant of correct: a server grants its vote to every up-to-date candidate of its term, not only to the first', mutant: true },
    'term-only-comparison': {
      description: 'mutant of correct: the up-to-date check compares last log terms only, so a shorter log with the same last term wins a vote',
      mutant: true,
    },
    'count-stale-votes': { description: 'mutant of correct: a candidate counts a vote granted in an earlier term of its own towards its current election', mutant: true },
    'no-step-down': { description: 'mutant of correct: a leader that sees a higher term takes it but goes on leading, in the new term', mutant: true },
    'commit-own-last': {
      description:
        'mutant of correct: a follower sets its commit index to min(leader\'s commit index, index of its own last entry), not of the last entry the AppendEntries carried, so an old entry after those it checked counts as committed',
      mutant: true,
    },
    'truncate-after-prefix': {
      description: 'mutant of correct: a follower cuts its log after the last entry an AppendEntries carries even where nothing conflicts, so a late, shorter AppendEntries deletes entries it already acknowledged',
      mutant: true,
    },
    'leader-drops-tail': { description: 'mutant of correct: a server that becomes leader drops the entries after its commit index from its log', mutant: true },
    'commit-last-new': {
      description: 'mutant of correct: a follower sets its commit index to the index of the last entry an AppendEntries carried, whatever the leader\'s commit index, so it applies entries no leader committed',
      mutant: true,
    },
  },
  faults: { crash: 0, restart: 0, drop: 0, partition: 0 },
  build: ({ params, variant }) => {
    const servers = range('s', params.servers);
    const n = servers.length;
    const quorum = variant === 'even-quorum' ? Math.ceil(n / 2) : Math.floor(n / 2) + 1;
    const candidates = params.candidates === 0 ? n : Math.min(params.candidates, n);
    const unbounded = params.terms === 0;

    const durableFields = { term: unbounded ? 1 : 0, log: List<number>() };
    const voteField = { votedFor: null as string | null };
    const volatileFields = {
      status: 'follower' as Status,
      votes: ISet<string>(),
      commit: 0,
      next: IMap<string, number>(),
      match: IMap<string, number>(),
    };
    const peersOf = (ctx: Ctx<Msg>) => servers.filter((s) => s !== ctx.id);

    /** (Re)arm the election timer, if this server may stand at all. */
    const arm = (ctx: Ctx<Msg>): void => {
      if (ctx.index < candidates) ctx.setTimer('election');
    };

    /** A term seen in a message: a higher one makes this server a follower of that term. */
    const observe = (self: Self, term: number, ctx: Ctx<Msg>): Self => {
      if (term <= self.term) return self;
      if (variant === 'no-step-down' && self.status === 'leader') return self.merge({ term, votedFor: null }); // the mutant: leads on
      if (self.status === 'leader') arm(ctx);
      return self.merge({ term, votedFor: null, status: 'follower', votes: ISet(), next: IMap(), match: IMap() });
    };

    /**
     * The entry a RequestVote names as the candidate's last: its last log entry, committed or not
     * (vote-on-applied: its last applied one, at its commit index).
     */
    const lastOf = (self: Self): { index: number; term: number } => {
      const index = variant === 'vote-on-applied' ? self.commit : self.log.size;
      return { index, term: termAt(self.log, index) };
    };

    /** Is a candidate's log, ending at (lastIndex, lastT), at least as up to date as this server's? */
    const upToDate = (self: Self, lastIndex: number, lastT: number): boolean => {
      if (variant === 'no-up-to-date-check') return true;
      if (variant === 'index-only-comparison') return lastIndex >= self.log.size;
      if (variant === 'term-only-comparison') return lastT >= lastTerm(self.log);
      const mine = lastOf(self);
      return lastT > mine.term || (lastT === mine.term && lastIndex >= mine.index);
    };

    /** AppendEntries for one follower: everything from its nextIndex on (nothing, for a heartbeat). */
    const sendAppend = (self: Self, peer: string, ctx: Ctx<Msg>, heartbeat = false): void => {
      const prevIndex = self.next.get(peer)! - 1;
      const entries = heartbeat ? [] : self.log.slice(prevIndex).toArray();
      const msg: Append = { type: 'Append', term: self.term, prevIndex, prevTerm: termAt(self.log, prevIndex), entries, commit: self.commit };
      ctx.send(peer, msg);
    };

    const becomeLeader = (self: Self, ctx: Ctx<Msg>): Self => {
      ctx.cancelTimer('election');
      const peers = peersOf(ctx);
      if (variant === 'leader-drops-tail') self = self.set('log', self.log.setSize(self.commit)); // the mutant
      const leader = self.merge({ status: 'leader', next: IMap(peers.map((p) => [p, self.log.size + 1])), match: IMap(peers.map((p) => [p, 0])) });
      // The first AppendEntries brings the followers' logs into line (nothing to do for an empty log).
      if (self.log.size > 0) for (const p of peers) sendAppend(leader, p, ctx);
      return leader;
    };

    /** The commit rule: the highest index on a majority (the leader included) whose entry is of the leader's term. */
    const advanceCommit = (self: Self, ctx: Ctx<Msg>): Self => {
      for (let k = self.log.size; k > self.commit; k--) {
        if (variant !== 'commit-previous-term' && termAt(self.log, k) !== self.term) continue;
        if (1 + self.match.count((m) => m >= k) < quorum) continue;
        const committed = self.set('commit', k);
        if (params.notify) for (const p of peersOf(ctx)) sendAppend(committed, p, ctx, params.heartbeats);
        return committed;
      }
      return self;
    };

    /** Ghost bookkeeping after every handler: elections, commits and applies, deposed leaders, the leader's own log. */
    const track = (before: Self, after: Self | null, ctx: Ctx<Msg>): Self | null => {
      if (after === null || after === before) return after;
      const id = ctx.id;
      const becameLeader = after.status === 'leader' && (before.status !== 'leader' || before.term !== after.term);
      // A leader's log only grows: from the step that made it leader (its log as a candidate) on.
      const overwrote = after.status === 'leader' && !isPrefix(before.log, after.log);
      const applies = after.commit > before.commit;
      const deposed = before.status === 'leader' && after.term > before.term && before.log.size > before.commit && lastTerm(before.log) === before.term;
      if (becameLeader || overwrote || applies || deposed)
        ctx.updateGhost((g: Ghost) => {
          let out = g;
          if (becameLeader) out = out.update('elected', (e) => e.update(after.term, ISet<string>(), (s) => s.add(id)));
          for (let k = before.commit + 1; k <= after.commit; k++) {
            const term = termAt(after.log, k);
            out = out.update('applied', (a) => a.add(Entry({ index: k, term })));
            if (after.status === 'leader' && !out.committed.some((c) => c.index === k && c.term === term))
              out = out.update('committed', (c) => c.add(Commit({ index: k, term, commitTerm: after.term })));
          }
          if (deposed && out.stale.isEmpty() && out.committed.some((c) => c.commitTerm > before.term))
            out = out.set('stale', ISet([Entry({ index: before.log.size, term: before.term })]));
          if (overwrote && out.overwritten === '') out = out.set('overwritten', `${id} in term ${after.term}: ${show(before.log)} → ${show(after.log)}`);
          return out;
        });
      return after;
    };
    const on =
      <M extends Msg>(h: (self: Self, msg: M, ctx: Ctx<Msg>) => Self | null) =>
      (self: Self, msg: M, ctx: Ctx<Msg>): Self | null =>
        track(self, h(self, msg, ctx), ctx);
    const act =
      (h: (self: Self, ctx: Ctx<Msg>) => Self | null) =>
      (self: Self, ctx: Ctx<Msg>): Self | null =>
        track(self, h(self, ctx), ctx);
    const start = (self: Self, ctx: Ctx<Msg>): Self => {
      arm(ctx);
      return self;
    };
    const reply = (ctx: Ctx<Msg>, term: number, ok: boolean, match: number): void => {
      const msg: AppendReply = { type: 'AppendReply', term, ok, match };
      ctx.reply(msg);
    };

    return system({
      network: params.network,
      timers: params.timeouts === 'quiet' ? 'quiet' : 'any',
      ghost: Ghost(),
      ...(unbounded ? { renumber: { fields: TERM_FIELDS, spread: params.spread } } : {}),
      partitions: params.partitions === 'notes' ? [servers.slice(0, Math.max(1, Math.floor((n - 1) / 2)))] : 'any',
      ...(params.timeouts === 'detector'
        ? {
            timeoutsWhen: (w: RaftWorld, node: string) => {
              const me = w.get('server', node);
              const side = w.partition?.find((s) => s.includes(node));
              return !servers.some((id) => {
                const s = w.get('server', id);
                return id !== node && w.up(id) && s.status === 'leader' && s.term >= me.term && (side === undefined || side.includes(id));
              });
            },
          }
        : {}),
      roles: {
        server: role({
          ids: servers,
          // What a reader of a trace looks at first: every message and server carries its term.
          keyFields: ['term', 'status'],
          // Servers are interchangeable, but with fewer candidates only among the candidates and
          // among the rest; the notes' partition tells s1.. from the rest.
          symmetric: params.partitions === 'any' && [servers.slice(0, candidates), servers.slice(candidates)],
          durable: { ...durableFields, ...voteField },
          volatile: volatileFields,
          // volatile-vote: votedFor is kept in memory only.
          forget: variant === 'volatile-vote' ? ['votedFor'] : [],
          start,
          restart: start,
          timers: {
            // Stand for election (again, if a candidate): a new term, a vote for itself.
            election: act((self, ctx) => {
              if (self.status === 'leader' || (!unbounded && self.term >= params.terms)) return null;
              const cand = self.merge({ term: self.term + 1, status: 'candidate', votedFor: ctx.id, votes: ISet([ctx.id]) });
              arm(ctx);
              if (cand.votes.size >= quorum) return becomeLeader(cand, ctx);
              const last = lastOf(cand);
              const rv: RequestVote = { type: 'RequestVote', term: cand.term, lastIndex: last.index, lastTerm: last.term };
              ctx.broadcast('server', rv);
              return cand;
            }),
          },
          steps: {
            // A client command reaches the leader: up to `appends` entries per term, while the log has room.
            request: act((self, ctx) => {
              if (self.status !== 'leader' || self.log.size >= params.entries || self.log.count((t) => t === self.term) >= params.appends) return null;
              const grown = self.set('log', self.log.push(self.term));
              for (const p of peersOf(ctx)) sendAppend(grown, p, ctx);
              return advanceCommit(grown, ctx);
            }),
          },
          on: {
            RequestVote: on<RequestVote>((self, msg, ctx) => {
              const s = observe(self, msg.term, ctx);
              if (msg.term < s.term) return s; // a stale candidate
              if (!upToDate(s, msg.lastIndex, msg.lastTerm)) return s;
              if (s.votedFor !== null && s.votedFor !== ctx.from && variant !== 'no-vote-record') return s; // one vote per term
              const vote: Vote = { type: 'Vote', term: s.term };
              ctx.reply(vote);
              return s.set('votedFor', ctx.from);
            }),
            Vote: on<Vote>((self, msg, ctx) => {
              const s = observe(self, msg.term, ctx);
              if (s.status !== 'candidate' || (msg.term !== s.term && variant !== 'count-stale-votes')) return s; // late, or for an old term
              const votes = s.votes.add(ctx.from!);
              return votes.size >= quorum ? becomeLeader(s.set('votes', votes), ctx) : s.set('votes', votes);
            }),
            Append: on<Append>((self, msg, ctx) => {
              if (msg.term < self.term && variant !== 'accept-lower-term') {
                reply(ctx, self.term, false, 0); // tells the stale leader of the newer term
                return self;
              }
              let s = observe(self, msg.term, ctx);
              // Only another leader of the same term (a broken election) or, in accept-lower-term, a
              // stale one can send this to a leader: it is ignored.
              if (s.status === 'leader') return s;
              if (s.status === 'candidate' && msg.term === s.term) {
                // strict-step-down: a candidate ignores the leader of its own term.
                if (variant === 'strict-step-down') return s;
                s = s.merge({ status: 'follower', votes: ISet() }); // someone won
              }
              const { prevIndex, prevTerm, entries } = msg;
              const logOk = prevIndex === 0 || (prevIndex <= s.log.size && (variant === 'no-prev-log-check' || termAt(s.log, prevIndex) === prevTerm));
              if (!logOk) {
                reply(ctx, s.term, false, 0);
                return s;
              }
              // Keep what agrees, cut the log at the first conflict, append the rest.
              let log = s.log;
              entries.forEach((t, i) => {
                const k = prevIndex + i; // 0-based position
                if (k < log.size && log.get(k) !== t) log = log.setSize(k);
                if (k >= log.size) log = log.push(t);
              });
              const last = prevIndex + entries.length;
              if (variant === 'truncate-after-prefix') log = log.setSize(Math.min(log.size, last)); // the mutant
              reply(ctx, s.term, true, last);
              const commit = variant === 'commit-last-new' ? last : Math.min(msg.commit, variant === 'commit-own-last' ? log.size : last);
              return s.merge({ log, commit: Math.max(s.commit, commit) });
            }),
            AppendReply: on<AppendReply>((self, msg, ctx) => {
              const s = observe(self, msg.term, ctx);
              if (s.status !== 'leader' || msg.term !== s.term) return s; // stale
              const peer = ctx.from!;
              if (!msg.ok) {
                const back = s.set('next', s.next.set(peer, Math.max(1, s.next.get(peer)! - 1)));
                sendAppend(back, peer, ctx);
                return back;
              }
              return advanceCommit(s.merge({ next: s.next.set(peer, msg.match + 1), match: s.match.set(peer, Math.max(s.match.get(peer)!, msg.match)) }), ctx);
            }),
          },
        }),
      },
      invariants: {
        // Election Safety: at most one leader per term — ever, not only at one moment.
        ElectionSafety: {
          holds: (w) => w.ghost.elected.every((s) => s.size <= 1),
          explain: (w) =>
            w.ghost.elected
              .filter((s) => s.size > 1)
              .map((s, t) => `${[...s].sort().join(' and ')} both elected in term ${t}`)
              .join('; '),
        },
        // State Machine Safety: no two servers apply different entries at one index. A server has
        // applied (or, after a restart, will apply again) every entry up to its commit index, so
        // those count.
        StateMachineSafety: {
          holds: (w) => stateMachineConflict(w) === '',
          explain: (w) => stateMachineConflict(w),
        },
        // Leader Completeness: an entry committed in term T is in the log of every leader of a
        // later term.
        LeaderCompleteness: {
          holds: (w) => completenessGap(w) === '',
          explain: (w) => completenessGap(w),
        },
        // Leader Append-Only: a leader never deletes or overwrites an entry of its own log —
        // counting from its log as a candidate, so that dropping entries on becoming leader breaks
        // it too.
        LeaderAppendOnly: {
          holds: (w) => w.ghost.overwritten === '',
          explain: (w) => `leader ${w.ghost.overwritten}`,
        },
        // Log Matching: two logs with the same term at an index agree up to it.
        LogMatching: {
          holds: (w) => logMismatch(w) === '',
          explain: (w) => logMismatch(w),
        },
      },
      witnesses: {
        // The notes' partition (docs/notes.md#raft-split-brain) while it holds: a leader on each
        // side, in different terms; the majority's leader has committed an entry of its term, the
        // minority's leader holds an uncommitted one of its own term, and so does every server on
        // its side.
        SplitBrain: (w) => {
          const sides = w.partition;
          if (sides === null) return false;
          const leaders = w.of('server').filter((s) => s.up && s.state.status === 'leader');
          return leaders.some(({ id: newId, state: nw }) =>
            leaders.some(({ id: oldId, state: old }) => {
              if (old.term >= nw.term || !w.ghost.committed.some((c) => c.index === nw.log.size && c.term === nw.term)) return false;
              if (old.log.size <= old.commit || lastTerm(old.log) !== old.term) return false;
              const side = sides.find((s) => s.includes(oldId))!;
              return !side.includes(newId) && side.every((id) => termAt(w.get('server', id).log, old.log.size) === old.term);
            }),
          );
        },
        // The notes' partition after the heal (docs/notes.md#raft-partition): the stale leader,
        // deposed after the newer leader committed, has stepped down; every server holds exactly the
        // leader's log, all of it committed, and the stale leader's uncommitted entry is gone from
        // every log.
        PartitionHealed: (w) => {
          const stale = w.ghost.stale.first();
          if (stale === undefined || w.partition !== null || w.faultsLeft('partition') > 0) return false;
          const leader = w.of('server').find((s) => s.up && s.state.status === 'leader');
          if (leader === undefined) return false;
          const { term, log, commit } = leader.state;
          return commit === log.size && termAt(log, stale.index) !== stale.term && w.every('server', (s) => s.term === term && s.log.equals(log));
        },
      },
      properties: {
        // LIVE-RF-EventuallyLeader: some server is eventually elected. With timeouts that are not
        // randomised, the candidates can split the vote in every term
        // (docs/notes.md#raft-split-vote): until the terms run out (a stuck state), or for ever with
        // terms=0 (a lasso).
        EventuallyLeader: { eventually: (w) => w.ghost.elected.size > 0 },
        // A candidate that hears from the leader of its own term joins it: while a server stands in
        // a term some up server leads, that eventually ends (the candidate steps down, or moves on
        // to a later term, deposing the leader). Without periodic heartbeats it rests on the
        // AppendEntries a leader sends when elected or when it appends, so a lost message can break
        // it in the correct protocol too (docs/notes.md#raft-step-down).
        CandidateYields: {
          when: (w) => candidateUnderLeader(w),
          eventually: (w) => !candidateUnderLeader(w),
        },
      },
    });
  },
});

/** Does an up server stand as a candidate in a term that an up server leads? */
function candidateUnderLeader(w: RaftWorld): boolean {
  const up = w.of('server').filter((s) => s.up);
  return up.some((c) => c.state.status === 'candidate' && up.some((l) => l.state.status === 'leader' && l.state.term === c.state.term));
}

function stateMachineConflict(w: RaftWorld): string {
  const g = w.ghost;
  const byIndex = new Map<number, number[]>();
  for (const e of g.applied) byIndex.set(e.index, [...(byIndex.get(e.index) ?? []), e.term]);
  for (const [k, ts] of byIndex) if (ts.length > 1) return `entries of terms ${ts.sort((a, b) => a - b).join(' and ')} were both applied at index ${k}`;
  for (const { id, state: s } of w.of('server')) {
    for (let k = 1; k <= s.commit; k++) {
      const applied = byIndex.get(k);
      if (applied !== undefined && applied[0] !== termAt(s.log, k))
        return `${id} applied the entry of term ${applied[0]} at index ${k}, but its log now holds one of term ${termAt(s.log, k)} there (log ${show(s.log)}, commit index ${s.commit})`;
    }
  }
  return '';
}

function completenessGap(w: RaftWorld): string {
  const g = w.ghost;
  for (const { id, up, state: s } of w.of('server')) {
    if (!up || s.status !== 'leader') continue;
    for (const c of g.committed)
      if (s.term > c.commitTerm && termAt(s.log, c.index) !== c.term)
        return `${id} leads term ${s.term} without the entry (index ${c.index}, term ${c.term}) committed in term ${c.commitTerm}; its log is ${show(s.log)}`;
  }
  return '';
}

function logMismatch(w: RaftWorld): string {
  const all = w.of('server').map(({ id, state }) => ({ id, log: state.log }));
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      // The last index where both logs have an entry of the same term: they must agree up to it.
      for (let k = Math.min(a.log.size, b.log.size); k >= 1; k--)
        if (a.log.get(k - 1) === b.log.get(k - 1)) {
          if (!isPrefix(a.log.slice(0, k), b.log))
            return `${a.id} ${show(a.log)} and ${b.id} ${show(b.log)} both have an entry of term ${a.log.get(k - 1)} at index ${k} but differ before it`;
          break;
        }
    }
  return '';
}
