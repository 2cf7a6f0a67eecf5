/**
 * Multi-Paxos: a log of slots, each a single-decree Paxos instance, driven by a leader that runs
 * Phase 1 once for all slots (the study notes' claims about it: docs/notes.md#multi-paxos, and
 * docs/notes.md#paxos for the rules of one instance).
 *
 * Leaders l1, l2, ... have unique ballots (of L leaders, l_i uses i, i+L, i+2L, ...). A leader
 * starts a ballot whenever it likes — leader election is only a liveness aid, so safety must not
 * depend on it — and sends Prepare(b). An acceptor promises a ballot higher than any it promised and reports
 * what it accepted in every slot. On promises from a majority the leader is in charge of every
 * slot: for a slot some promise reports, it must re-propose the value of the highest-ballot
 * proposal reported (the notes' "read phase"); every free slot gets its next own command
 * (leader 1's are x1, x2, ..., leader 2's y1, y2, ...). Phase 2 runs per slot: Accept(b, slot, v),
 * at most `window` slots ahead of the last one decided. Acceptors accept unless they promised a
 * higher ballot, keep promise and accepted proposals durably, and answer Accepted to the
 * leader. A leader that counts a majority of Accepted for a slot knows it is chosen: each leader
 * is also a replica, applying the commands it knows chosen in slot order.
 *
 * Ballot 1 (l1's first) is pre-elected by default: it goes straight to Phase 2, which is safe
 * because no proposal can exist below the lowest ballot (`--param preelected=false` makes it run
 * Phase 1 too).
 *
 * The network keeps every message sent (a TLA+-style set): reordering, delay and duplication come
 * for free. Faults (none by default): an acceptor or a leader may crash and restart; a leader keeps
 * its ballot counter and its applied log durably and loses the rest.
 */
import { defineActorModel, range, role, system } from 'faultline';
import { List, Map as IMap, Set as ISet } from 'immutable';

const LETTERS = ['x', 'y', 'z'];

/** An accepted proposal as a string: "ballot value". */
const proposal = (b: number, v: string) => `${b} ${v}`;
const ballotOfProposal = (p: string) => Number(p.slice(0, p.indexOf(' ')));
const valueOfProposal = (p: string) => p.slice(p.indexOf(' ') + 1);

/** The ghost: "ballot slot value" → the acceptors that ever accepted that proposal. */
type Ghost = IMap<string, ISet<string>>;

type Phase = 'idle' | 'preparing' | 'leading';

export default defineActorModel({
  name: 'multi-paxos',
  description: 'Multi-Paxos: a leader runs Phase 1 once for all slots, then Phase 2 per slot; leaders apply chosen commands in slot order.',
  params: {
    slots: { default: 2, min: 1, max: 3, description: 'log slots, each a Paxos instance' },
    acceptors: { default: 3, min: 1, max: 5, description: 'number of acceptors' },
    leaders: { default: 2, min: 1, max: 3, description: 'number of leaders; leader i proposes its own commands (x1, x2, ... / y1, y2, ... / z1, ...)' },
    ballots: { default: 1, min: 1, max: 3, description: 'ballots each leader may start' },
    preelected: {
      default: true,
      description:
        'ballot 1 (l1’s first) is the leader established at start-up and goes straight to Phase 2 — safe: nothing can have been accepted below the lowest ballot; false: it runs Phase 1 like every other ballot',
    },
    window: { default: 1, min: 1, max: 3, description: 'Phase 2 pipeline: a leader proposes slot s once slots up to s − window are decided in its ballot' },
  },
  variants: {
    correct:
      'Multi-Paxos as it should be: a new leader runs Phase 1 for all slots and re-proposes, slot by slot, the highest-ballot value the promises report; witnesses: a leader change between the two slots, two leaders at once, an accepted value that is never chosen; with --faults crash=1 the new leader’s crash stalls the log (AllApplied)',
    'skip-phase-1':
      'a new leader (every ballot but the first) assumes leadership and sends Accept(b, slot, v) with its own commands without Phase 1: two values are chosen in slot 1',
    'ignore-promised-values':
      'a new leader runs Phase 1 but proposes its own commands in every slot, ignoring the values the promises report (the notes’ Paxos case 2, per slot): two values are chosen in slot 1',
    'adopt-lowest': { description: 'mutant of correct: per slot, a new leader re-proposes the value of the lowest-ballot proposal the promises report, not the highest', mutant: true },
    'report-last-slot': {
      description: 'mutant of correct: a promise reports only the acceptor’s accepted proposal in its last slot (one proposal, as in single-decree Paxos), not one per slot',
      mutant: true,
    },
    'no-promise-check': { description: 'mutant of correct: an acceptor promises every Prepare, even one below its promise, and takes it as its new promise', mutant: true },
    'no-accept-check': { description: 'mutant of correct: an acceptor accepts every Accept, even one below its promise', mutant: true },
    'minority-promises': { description: 'mutant of correct: a leader ends Phase 1 on promises from half the acceptors rounded down (one of three), not a majority', mutant: true },
    'minority-acks': { description: 'mutant of correct: a leader takes a slot as chosen (and applies it) on Accepted from half the acceptors rounded down (one of three), not a majority', mutant: true },
    'stale-promises': { description: 'mutant of correct: a leader counts a promise for its earlier ballot towards its current one', mutant: true },
    'acks-any-ballot': {
      description: 'mutant of correct: a leader counts an Accepted of its earlier ballot towards the same slot in its current ballot',
      mutant: true,
    },
    'volatile-acceptor': { description: 'mutant of correct: an acceptor keeps its promise and accepted proposals in memory only: a restart forgets them', mutant: true },
    'apply-out-of-order': { description: 'mutant of correct: a leader applies each command as soon as it knows its slot chosen, not in slot order', mutant: true },
  },
  // No faults by default. For safety a crash adds nothing here: acceptors keep all their state, so
  // a crash only loses messages sent to them, which is no more than those messages never being
  // delivered; a leader's crash drops its ballot's volatile state, which is all its next `lead`
  // step resets anyway. Crashes matter for liveness: --faults crash=1.
  faults: { crash: 0, restart: 0 },
  build: ({ params, variant }) => {
    const K = params.slots;
    const slots = Array.from({ length: K }, (_, i) => i + 1);
    const acceptors = range('a', params.acceptors);
    const leaders = range('l', params.leaders);
    const L = leaders.length;
    const quorum = Math.floor(acceptors.length / 2) + 1;
    // What a leader waits for: promises (Phase 1) and Accepted per slot (to know it chosen). The
    // mutants minority-promises and minority-acks: fewer than a majority.
    const minority = Math.max(1, Math.floor(acceptors.length / 2));
    const promiseQuorum = variant === 'minority-promises' ? minority : quorum;
    const ackQuorum = variant === 'minority-acks' ? minority : quorum;
    const ballotOf = (index: number, round: number) => round * L + index + 1;
    const commandsOf = (index: number) => slots.map((s) => `${LETTERS[index]}${s}`);
    const adoptsReported = variant !== 'ignore-promised-values';

    /** What a new leader proposes: per slot the reported value if it must, else its next own command. */
    const plan = (index: number, reported: IMap<number, string>): IMap<number, string> => {
      const own = commandsOf(index);
      let next = 0;
      let log = IMap<number, string>();
      for (const s of slots) {
        const p = reported.get(s);
        log = log.set(s, p !== undefined && adoptsReported ? valueOfProposal(p) : own[next++]!);
      }
      return log;
    };

    const acceptorState = { promised: 0, accepted: IMap<number, string>() }; // slot → "ballot value"
    const leaderState = {
      ballot: 0,
      phase: 'idle' as Phase,
      promised: ISet<string>(), // acceptors that promised this ballot (Phase 1)
      reported: IMap<number, string>(), // slot → highest-ballot proposal the promises reported
      log: IMap<number, string>(), // slot → the value this leader proposes in its ballot
      sent: 0, // slots 1..sent have been proposed (Phase 2)
      acks: IMap<number, ISet<string>>(), // slot → acceptors that accepted it in this ballot, until a majority has
      known: ISet<number>(), // slots known chosen: a majority accepted them in this ballot
    };
    type LeaderSelf = { readonly sent: number; readonly known: ISet<number> };
    /** Slots the leader may propose now: those within `window` of the prefix known chosen in its ballot. */
    const toPropose = (self: LeaderSelf): number[] => {
      let decided = 0;
      while (self.known.has(decided + 1)) decided++;
      return slots.filter((s) => s > self.sent && s <= decided + params.window);
    };

    return system({
      network: 'duplicating',
      ghost: IMap<string, ISet<string>>() as Ghost,
      roles: {
        leader: role({
          ids: leaders,
          // A ballot number is never reused: the count of ballots started survives a
          // crash, and so does the replica's applied log.
          durable: { round: 0, applied: List<string>() },
          volatile: leaderState,
          steps: {
            // Start a ballot: bid for leadership (any time, while ballots are left).
            lead: (self, ctx) => {
              if (self.round >= params.ballots) return null;
              const b = ballotOf(ctx.index, self.round);
              const fresh = self
                .set('round', self.round + 1)
                .set('ballot', b)
                .set('promised', ISet())
                .set('reported', IMap())
                .set('log', IMap())
                .set('sent', 0)
                .set('acks', IMap())
                .set('known', ISet());
              // Ballot 1 may skip Phase 1 (no lower ballot exists, so there is nothing to read and
              // nothing to fence off). skip-phase-1: a new leader of a higher ballot skips it as well.
              if ((b === 1 && params.preelected) || (variant === 'skip-phase-1' && b > 1)) {
                const log = plan(ctx.index, IMap());
                const now = fresh.set('phase', 'leading').set('log', log);
                const go = toPropose(now);
                for (const s of go) ctx.broadcast('acceptor', { type: 'Accept', b, s, v: log.get(s)! });
                return now.set('sent', go.length);
              }
              ctx.broadcast('acceptor', { type: 'Prepare', b });
              return fresh.set('phase', 'preparing');
            },
          },
          on: {
            // Promise(b, acc): acc lists the acceptor's accepted proposal per slot.
            Promise: (self, msg: { type: 'Promise'; b: number; acc: { s: number; b: number; v: string }[] }, ctx) => {
              if (self.phase !== 'preparing' || (msg.b !== self.ballot && variant !== 'stale-promises')) return self;
              let reported = self.reported;
              if (adoptsReported)
                for (const a of msg.acc) {
                  const seen = reported.get(a.s);
                  // Per slot the highest ballot's proposal (the mutant adopt-lowest: the lowest's).
                  const replaces = seen === undefined || (variant === 'adopt-lowest' ? a.b < ballotOfProposal(seen) : ballotOfProposal(seen) < a.b);
                  if (replaces) reported = reported.set(a.s, proposal(a.b, a.v));
                }
              const promised = self.promised.add(ctx.from!);
              if (promised.size < promiseQuorum) return self.set('promised', promised).set('reported', reported);
              // A majority promised: Phase 1 is done for every slot at once; Phase 2 starts.
              const now = self.set('phase', 'leading').set('promised', ISet()).set('reported', IMap()).set('log', plan(ctx.index, reported));
              const go = toPropose(now);
              for (const s of go) ctx.broadcast('acceptor', { type: 'Accept', b: self.ballot, s, v: now.log.get(s)! });
              return now.set('sent', go.length);
            },
            Accepted: (self, msg: { type: 'Accepted'; b: number; s: number; v: string }, ctx) => {
              if (self.phase !== 'leading' || (msg.b !== self.ballot && variant !== 'acks-any-ballot')) return self;
              if (self.known.has(msg.s)) return self;
              const acks = self.acks.get(msg.s, ISet<string>()).add(ctx.from!);
              if (acks.size < ackQuorum) return self.set('acks', self.acks.set(msg.s, acks));
              // Chosen (who acknowledged no longer matters): apply every slot that extends the
              // applied prefix, and propose the next slots.
              let now = self.set('acks', self.acks.delete(msg.s)).set('known', self.known.add(msg.s));
              let applied = now.applied;
              if (variant === 'apply-out-of-order') {
                // The mutant: this slot's command goes next in the log, whatever its slot.
                if (applied.size < K) applied = applied.push(now.log.get(msg.s)!);
              } else while (applied.size < K && now.known.has(applied.size + 1)) applied = applied.push(now.log.get(applied.size + 1)!);
              now = now.set('applied', applied);
              const go = toPropose(now);
              for (const s of go) ctx.broadcast('acceptor', { type: 'Accept', b: self.ballot, s, v: now.log.get(s)! });
              return now.set('sent', now.sent + go.length);
            },
          },
        }),
        acceptor: role({
          ids: acceptors,
          symmetric: true,
          // Promise and accepted proposals survive a crash; the mutant volatile-acceptor
          // keeps the same two fields in memory only.
          durable: acceptorState,
          forget: variant === 'volatile-acceptor' ? ['promised', 'accepted'] : [],
          on: {
            Prepare: (self, msg: { type: 'Prepare'; b: number }, ctx) => {
              if (msg.b <= self.promised && variant !== 'no-promise-check') return self;
              // In slot order: equal Maps may iterate in different orders, equal messages must not.
              const all = [...self.accepted.entries()]
                .sort(([s], [t]) => s - t)
                .map(([s, p]) => ({ s, b: ballotOfProposal(p), v: valueOfProposal(p) }));
              const acc = variant === 'report-last-slot' ? all.slice(-1) : all;
              ctx.reply({ type: 'Promise', b: msg.b, acc });
              return self.set('promised', msg.b);
            },
            Accept: (self, msg: { type: 'Accept'; b: number; s: number; v: string }, ctx) => {
              const p = proposal(msg.b, msg.v);
              if ((msg.b < self.promised && variant !== 'no-accept-check') || self.accepted.get(msg.s) === p) return self;
              ctx.reply({ type: 'Accepted', b: msg.b, s: msg.s, v: msg.v });
              ctx.updateGhost((g: Ghost) => g.update(`${msg.b} ${msg.s} ${msg.v}`, ISet<string>(), (who) => who.add(ctx.id)));
              // max: the same as msg.b unless the mutant no-accept-check accepted below its promise.
              return self.set('promised', Math.max(self.promised, msg.b)).set('accepted', self.accepted.set(msg.s, p));
            },
          },
        }),
      },
      invariants: {
        // INV-MPX-SlotAgreement: in every slot at most one value is chosen (accepted by a majority in one ballot).
        SlotAgreement: {
          holds: (w) => slots.every((s) => chosen(w.ghost, s, quorum).size <= 1),
          explain: (w) => {
            const s = slots.find((t) => chosen(w.ghost, t, quorum).size > 1)!;
            return `slot ${s}: ${[...chosen(w.ghost, s, quorum)].join(' and ')} both chosen`;
          },
        },
        // No Validity ("only a proposed command is chosen") here: every value the model ever puts in
        // an Accept is a leader's own command or one copied from a promise, which copied it from an
        // Accept; no step makes a value up, so it would hold whatever rule were broken.
        // INV-MPX-PrefixApply: a replica's log is a gap-free prefix of the slots (a List: slot s is
        // applied only after slots < s) and holds in each slot the value chosen there; so, with
        // SlotAgreement, any two replicas' logs are prefix-compatible — checked here directly.
        PrefixApply: {
          holds: (w) => {
            const logs = w.states('leader').map((l) => l.applied);
            return (
              logs.every((log) => log.every((v, i) => chosen(w.ghost, i + 1, quorum).has(v))) &&
              logs.every((a) => logs.every((b) => a.take(b.size).equals(b.take(a.size))))
            );
          },
          explain: (w) =>
            w
              .of('leader')
              .map(({ id, state }) => `${id} applied [${state.applied.join(', ')}]`)
              .join('; ') + `; chosen: ${slots.map((s) => `slot ${s} {${[...chosen(w.ghost, s, quorum)].join(', ')}}`).join(', ')}`,
        },
      },
      witnesses: {
        // Every slot chosen and applied, with a leader change in between: l1 applied its first
        // command in slot 1, and l2 applied the whole log, its own command in the last slot.
        LeaderChange: (w) => {
          const l1 = w.get('leader', leaders[0]!).applied;
          const l2 = w.get('leader', leaders[1] ?? leaders[0]!).applied;
          return l1.first() === commandsOf(0)[0] && l2.size === K && commandsOf(1).includes(l2.last()!);
        },
        // Two leaders in charge at the same time (each past Phase 1, or pre-elected): harmless.
        TwoLeaders: (w) => w.count('leader', (l) => l.phase === 'leading') >= 2,
        // An acceptor holds an accepted value in a slot where another value is chosen (against the
        // notes' "accepted means chosen", docs/notes.md#paxos-accepted-is-chosen).
        AcceptedNotChosen: (w) =>
          w.some('acceptor', (a) =>
            a.accepted.some((p, s) => {
              const c = chosen(w.ghost, s, quorum);
              return c.size > 0 && !c.has(valueOfProposal(p));
            }),
          ),
      },
      properties: {
        // LIVE: every slot is eventually chosen and applied by some leader that is up.
        AllApplied: { eventually: (w) => w.some('leader', (l, id) => w.up(id) && l.applied.size === K) },
      },
    });
  },
});

/** The values chosen in slot s: accepted by a majority of acceptors in one ballot. */
function chosen(ghost: Ghost, s: number, quorum: number): ISet<string> {
  let out = ISet<string>();
  for (const [key, who] of ghost) {
    if (who.size < quorum) continue;
    const [, slot, v] = key.split(' ') as [string, string, string];
    if (Number(slot) === s) out = out.add(v);
  }
  return out;
}
