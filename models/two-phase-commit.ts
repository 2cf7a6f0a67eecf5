/**
 * Two-phase commit (the study notes' claims about it: docs/notes.md#two-phase-commit).
 *
 * A coordinator asks every participant to prepare; a participant votes yes (durably PREPARED,
 * holding its locks) or no (and aborts); the coordinator commits only if every vote is yes, and
 * aborts on a no or when its vote timer fires. The decision is written to the coordinator's log
 * before it is sent, and a restarted coordinator re-sends it (XA-style recovery) or, having decided
 * nothing, presumes abort. Participants move money: with two participants, p1 debits 100 from an
 * account of 500 and p2 credits 100 to one of 300 (the notes' transfer example). With
 * `preVoteTimeout` a participant has a timeout too, until it votes: one that has promised nothing
 * may give up and abort (docs/notes.md#2pc-coordinator-timeout). In XA's terms the coordinator is
 * the transaction manager and the participants its resource managers (docs/protocols/two-phase-commit.md#xa).
 *
 * Correct 2PC is safe but blocks: a participant that voted yes may wait forever for a decision that
 * a crash or a lost message keeps from it — the liveness counterexample the notes call blocking.
 */
import { defineActorModel, messages, range, system } from 'faultline';
import { Map as IMap } from 'immutable';

type Decision = 'none' | 'commit' | 'abort';
type St = 'working' | 'prepared' | 'committed' | 'aborted';
/** The messages: the coordinator's requests and decisions, the votes, and the standby's query and its answers. */
type Msg =
  | { type: 'Prepare' }
  | { type: 'Vote'; vote: string }
  | { type: 'Commit' }
  | { type: 'Rollback' }
  | { type: 'Query' }
  | { type: 'Status'; st: St };
const { role } = messages<Msg>();

export default defineActorModel({
  name: 'two-phase-commit',
  description: 'Coordinator asks participants to prepare, then commits only if all voted yes (with durable decision and recovery).',
  params: {
    participants: { default: 2, min: 1, max: 4, description: 'number of participants' },
    standby: { default: false, description: 'a standby coordinator b that takes over when c is down (the notes’ 5-node example)' },
    fairRestart: { default: false, description: 'liveness assumes a crashed node comes back (restarts are fair): Termination then shows what recovery achieves' },
    participantsCrash: { default: true, description: 'false: only coordinators crash' },
    preVoteTimeout: {
      default: false,
      description: 'a participant that has not voted yet may time out and abort (it has promised nothing), and then answers a late Prepare with no',
    },
  },
  variants: {
    correct: 'durable PREPARED and decision, no unilateral abort after a yes vote, a restarted coordinator re-sends its decision',
    'abort-on-timeout': 'a prepared participant aborts when its timer fires (a heuristic abort, which the notes hint at)',
    'no-decision-log': 'the decision is not logged: a restarted coordinator presumes abort',
    'majority-commit': {
      description:
        'the coordinator commits on a majority of yes votes; checked with 3 participants (with 2, a majority is everyone)',
      params: { participants: 3 },
    },
    'backup-guesses': {
      description:
        'the standby coordinator, finding every participant it reaches PREPARED, guesses abort',
      params: { standby: true, participants: 3 },
      faults: { crash: 2, restart: 0, drop: 0 },
    },
    'volatile-prepared': {
      description: 'mutant of correct: a participant does not log PREPARED: one that restarts has lost it and rolls the transaction back, as a database does with work it has no record of',
      mutant: true,
    },
    'reapply-commit': { description: 'mutant of correct: a participant applies every Commit it receives, even one it has already applied', mutant: true },
    'obey-any-decision': { description: 'mutant of no-decision-log: a participant that has committed still obeys a later Rollback', mutant: true },
    'no-recovery': { description: 'mutant of correct: a restarted coordinator neither re-sends its logged decision nor presumes abort', mutant: true },
    'timeout-after-yes': {
      description: 'mutant of correct: with preVoteTimeout, a participant keeps its timer armed after voting yes and aborts when it fires, as if it had promised nothing',
      mutant: true,
    },
  },
  faults: { crash: 1, restart: 1, drop: 1 },
  build: ({ params, variant }) => {
    const participants = range('p', params.participants);
    // The transfer: p1 pays 100 out of 500, p2 receives 100 on top of 300; others move nothing.
    const opening = (id: string) => (id === 'p1' ? 500 : id === 'p2' ? 300 : 0);
    const delta = (id: string) => (id === 'p1' ? -100 : id === 'p2' ? 100 : 0);
    const total = participants.reduce((a, id) => a + opening(id), 0);
    const durableDecision = variant !== 'no-decision-log' && variant !== 'obey-any-decision';
    const decided = (st: St) => st === 'committed' || st === 'aborted';
    /** Record a decision: in the log, or — without one — only in memory. */
    const record = <T extends { set(k: 'decision' | 'unlogged', v: Decision): T }>(self: T, d: Decision): T =>
      durableDecision ? self.set('decision', d) : self.set('unlogged', d);

    return system({
      fairRestarts: params.fairRestart,
      // The standby's takeover timer fires only once the coordinator is down (a perfect failure
      // detector), and its decision timer once every participant has answered or is down.
      timeoutsWhen: (w, node, timer) => {
        if (node !== 'b') return true;
        if (timer === 'takeover') return !w.up('c');
        const got = w.get('backup', 'b').statuses;
        return participants.every((p) => got.has(p) || !w.up(p));
      },
      roles: {
        coordinator: role({
          ids: ['c'],
          durable: { decision: 'none' as Decision },
          // `unlogged`: where the no-decision-log variant keeps its decision (lost in a crash).
          volatile: { votes: IMap<string, string>(), unlogged: 'none' as Decision },
          start: (self, ctx) => {
            ctx.broadcast('participant', { type: 'Prepare' });
            ctx.setTimer('votes');
            return self;
          },
          // Recovery: re-send a logged decision; having logged none, presume abort.
          restart: (self, ctx) => {
            if (variant === 'no-recovery') return self;
            const d: Decision = self.decision !== 'none' ? self.decision : 'abort';
            ctx.broadcast('participant', { type: d === 'commit' ? 'Commit' : 'Rollback' });
            return record(self, d);
          },
          on: {
            Vote: (self, msg, ctx) => {
              if (decisionOf(self) !== 'none') return self; // late vote: already decided
              const votes = self.votes.set(ctx.from!, msg.vote);
              const yes = votes.filter((v) => v === 'yes').size;
              let d: Decision = 'none';
              if (msg.vote === 'no') d = 'abort';
              else if (variant === 'majority-commit' ? yes >= ctx.quorum('participant') : yes === participants.length) d = 'commit';
              if (d === 'none') return self.set('votes', votes);
              ctx.cancelTimer('votes');
              ctx.broadcast('participant', { type: d === 'commit' ? 'Commit' : 'Rollback' });
              return record(self.set('votes', votes), d);
            },
          },
          timers: {
            // Not every vote came in time: abort (the coordinator's only timeout).
            votes: (self, ctx) => {
              if (decisionOf(self) !== 'none') return self;
              ctx.broadcast('participant', { type: 'Rollback' });
              return record(self, 'abort');
            },
          },
        }),
        backup: role({
          ids: params.standby ? ['b'] : [],
          crashes: false,
          durable: { statuses: IMap<string, string>(), asked: false },
          start: (self, ctx) => (ctx.setTimer('takeover'), self),
          on: {
            Status: (self, msg, ctx) => self.set('statuses', self.statuses.set(ctx.from!, msg.st)),
          },
          timers: {
            // The coordinator is down: ask every participant where it stands.
            takeover: (self, ctx) => {
              ctx.broadcast('participant', { type: 'Query' });
              ctx.setTimer('decide');
              return self.set('asked', true);
            },
            // Everyone reachable answered. Anyone committed → commit; anyone aborted or not yet
            // voted → abort; everyone PREPARED → nobody knows the outcome: wait for c
            // (docs/notes.md#2pc-standby) — or guess.
            decide: (self, ctx) => {
              const sts = [...self.statuses.values()];
              if (sts.includes('committed')) ctx.broadcast('participant', { type: 'Commit' });
              else if (sts.includes('aborted') || sts.includes('working') || variant === 'backup-guesses') ctx.broadcast('participant', { type: 'Rollback' });
              return self;
            },
          },
        }),
        participant: role({
          ids: participants,
          crashes: params.participantsCrash,
          // `first`: the first outcome this participant reached (for the Irrevocable invariant).
          durable: { st: 'working' as St, votedYes: false, balance: 0, first: 'none' as St | 'none' },
          start: (self, ctx) => {
            if (params.preVoteTimeout) ctx.setTimer('prepare');
            return self.set('balance', opening(ctx.id));
          },
          // Everything a participant knows is durable (its PREPARED record, its account): nothing to redo,
          // except to re-arm the pre-vote timer (a crash clears timers) if it has not voted yet.
          // (volatile-prepared: a PREPARED record that was never logged is gone, and the work is undone.)
          restart: (self, ctx) => {
            if (params.preVoteTimeout && self.st === 'working') ctx.setTimer('prepare');
            return variant === 'volatile-prepared' && self.st === 'prepared' ? decide(self, 'aborted') : self;
          },
          on: {
            Prepare: (self, _msg, ctx) => {
              // preVoteTimeout: an aborted participant that never voted yes answers a late Prepare with no.
              if (params.preVoteTimeout && self.st === 'aborted' && !self.votedYes) ctx.reply({ type: 'Vote', vote: 'no' });
              if (self.st !== 'working') return self;
              const vote = ctx.choose(['yes', 'no']);
              ctx.reply({ type: 'Vote', vote });
              // Once it has voted, the pre-vote timer is over: after a yes, the participant must wait.
              if (variant !== 'timeout-after-yes' || vote === 'no') ctx.cancelTimer('prepare');
              if (vote === 'no') return decide(self, 'aborted');
              if (variant === 'abort-on-timeout') ctx.setTimer('decision');
              return self.set('st', 'prepared').set('votedYes', true);
            },
            Commit: (self, _msg, ctx) =>
              self.st === 'prepared' || (variant === 'reapply-commit' && self.st === 'committed') ? decide(self, 'committed').set('balance', self.balance + delta(ctx.id)) : self,
            Rollback: (self, _msg, ctx) => {
              if (self.st === 'working') ctx.cancelTimer('prepare');
              return self.st === 'prepared' || self.st === 'working' || (variant === 'obey-any-decision' && self.st === 'committed') ? decide(self, 'aborted') : self;
            },
            Query: (self, _msg, ctx) => (ctx.reply({ type: 'Status', st: self.st }), self),
          },
          timers: {
            // abort-on-timeout only: give up waiting and roll back unilaterally.
            decision: (self) => (self.st === 'prepared' ? decide(self, 'aborted') : self),
            // preVoteTimeout only: no Prepare yet, and the participant gives up on the transaction —
            // safe, since it has promised nothing (docs/notes.md#2pc-coordinator-timeout).
            // (timeout-after-yes: the timer outlives a yes vote and aborts a PREPARED participant.)
            prepare: (self) => (self.st === 'working' || (variant === 'timeout-after-yes' && self.st === 'prepared') ? decide(self, 'aborted') : self),
          },
        }),
      },
      invariants: {
        // INV-Agreement: no participant commits while another aborts.
        Agreement: {
          holds: (w) => !(w.some('participant', (p) => p.st === 'committed') && w.some('participant', (p) => p.st === 'aborted')),
          explain: (w) =>
            `${w.of('participant').filter((p) => p.state.st === 'committed').map((p) => p.id).join(', ')} committed while ${w
              .of('participant')
              .filter((p) => p.state.st === 'aborted')
              .map((p) => p.id)
              .join(', ')} aborted`,
        },
        // INV-Validity: a commit needs every participant's yes.
        Validity: {
          holds: (w) => !w.some('participant', (p) => p.st === 'committed') || w.every('participant', (p) => p.votedYes),
          explain: (w) => `a participant committed although ${w.of('participant').filter((p) => !p.state.votedYes).map((p) => p.id).join(', ')} never voted yes`,
        },
        // INV-Irrevocable: a participant's outcome never changes once reached.
        Irrevocable: (w) => w.every('participant', (p) => p.first === 'none' || p.st === p.first),
        // INV-Conservation, where it must hold: once no participant is in doubt, no money was made or lost.
        ConservationWhenSettled: (w) => w.some('participant', (p) => p.st === 'prepared') || w.states('participant').reduce((a, p) => a + p.balance, 0) === total,
      },
      properties: {
        // LIVE-2PC-Termination: every participant that is up eventually commits or aborts.
        Termination: { eventually: (w) => w.every('participant', (p, id) => !w.up(id) || decided(p.st)) },
      },
      witnesses: {
        // The in-doubt window (docs/notes.md#2pc-inconsistency): one side of the transfer is done,
        // the other not yet.
        InDoubt: (w) => w.states('participant').reduce((a, p) => a + p.balance, 0) !== total,
        AllCommitted: (w) => w.every('participant', (p) => p.st === 'committed'),
      },
    });
  },
});

/** A participant reaches an outcome: its state, and (once) the record of the first one. */
function decide<T extends { first: St | 'none'; set(k: 'st' | 'first', v: St): T }>(self: T, st: 'committed' | 'aborted'): T {
  const out = self.set('st', st);
  return self.first === 'none' ? out.set('first', st) : out;
}

/** The coordinator's decision, wherever this variant keeps it. */
function decisionOf(self: { decision: Decision; unlogged: Decision }): Decision {
  return self.decision !== 'none' ? self.decision : self.unlogged;
}
