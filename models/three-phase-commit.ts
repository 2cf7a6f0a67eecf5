/**
 * Three-phase commit as the study notes describe it (their claims about it, and what this model
 * shows of each: docs/notes.md#three-phase-commit).
 *
 * CanCommit: the coordinator asks; a participant answers yes (UNCERTAIN) or no (aborts).
 * PreCommit: on all yes the coordinator sends PreCommit; a participant executes, logs, acks
 * (PRECOMMITTED). DoCommit: on all acks the coordinator sends DoCommit; participants commit. A no,
 * or a coordinator timeout while waiting for votes or acks, makes the coordinator send Abort.
 * The notes add participant timeouts: UNCERTAIN times out to abort, PRECOMMITTED
 * times out to commit ("the boss probably meant commit"). Those rules are what break it.
 */
import { defineActorModel, messages, range, type Role, system, type World } from 'faultline';
import { Map as IMap, type RecordOf, Set as ISet } from 'immutable';

type Phase = 'wait-votes' | 'precommitting' | 'wait-acks' | 'committing' | 'aborted';
type St = 'working' | 'uncertain' | 'precommitted' | 'committed' | 'aborted';

type Msg =
  | { type: 'CanCommit' }
  | { type: 'Vote'; vote: 'yes' | 'no' }
  | { type: 'PreCommit' }
  | { type: 'Ack' }
  | { type: 'DoCommit' }
  | { type: 'Abort' }
  | { type: 'StateReq' }
  | { type: 'State'; st: St };
const { role } = messages<Msg>();

/** The nodes' states, as role() makes them of the durable and volatile fields declared in build. */
type Coordinator = RecordOf<{ phase: Phase } & { yes: ISet<string>; acks: ISet<string>; sent: number }>;
type Participant = RecordOf<{ st: St; votedYes: boolean } & { collected: IMap<string, string>; waiting: ISet<string>; terminating: boolean }>;
type Roles = { readonly coordinator: Role<Coordinator>; readonly participant: Role<Participant> };

export default defineActorModel({
  name: 'three-phase-commit',
  description: 'CanCommit, PreCommit, DoCommit, with the notes’ participant timeouts (uncertain → abort, precommitted → commit).',
  params: {
    participants: { default: 2, min: 1, max: 3, description: 'number of participants' },
    timers: {
      default: 'failure-detector',
      choices: ['failure-detector', 'quiet', 'any'],
      description:
        'failure-detector: a timeout fires only when the peer waited for is down or cut off (the synchronous system 3PC assumes); quiet: whenever nothing can arrive; any: at any time',
    },
  },
  variants: {
    notes: 'the notes’ 3PC: a participant aborts on timeout while uncertain and commits on timeout once precommitted',
    skeen:
      'Skeen’s 3PC: a participant that loses the coordinator does not decide alone; the lowest-numbered live participant runs the termination protocol (collect states; any aborted → abort; any committed → commit; any precommitted → PreCommit the uncertain ones, then commit; else abort)',
    'all-take-over': { description: 'mutant of skeen: every participant that loses the coordinator runs the termination protocol, not only the lowest-numbered one still reachable', mutant: true },
    'decide-early': { description: 'mutant of skeen: the participant that takes over decides without waiting for the state of every participant it can still reach', mutant: true },
    'stale-own-state': {
      description: 'mutant of skeen: the participant that takes over decides from its own state as it was when it took over, not as it is when it decides',
      mutant: true,
    },
    'precommit-beats-abort': { description: 'mutant of skeen: the takeover commits when some participant is precommitted even if another has aborted', mutant: true },
    'uncertain-commits': { description: 'mutant of skeen: the takeover commits when every state it collected is uncertain, instead of aborting', mutant: true },
    'skip-precommit': {
      description: 'mutant of skeen: the takeover that finds a precommitted participant commits at once, without first bringing the uncertain ones to PRECOMMITTED',
      mutant: true,
    },
    'no-voter-waits': { description: 'mutant of skeen: a participant that voted no never takes over', mutant: true },
    'abort-on-ack-timeout': {
      description: 'mutant of skeen: the coordinator that times out waiting for acks after PreCommit went out aborts (as the notes do) instead of committing',
      mutant: true,
    },
    'no-re-ack': { description: 'mutant of skeen: a participant already precommitted ignores a second PreCommit instead of acknowledging it again', mutant: true },
  },
  faults: { crash: 1, partition: 0 },
  build: ({ params, variant }) => {
    const participants = range('p', params.participants);
    const n = participants.length;
    return system({
      timers: params.timers === 'any' ? 'any' : 'quiet',
      // A perfect failure detector: a participant times out only when the coordinator is down or cut
      // off from it; the coordinator only when some participant is.
      ...(params.timers === 'failure-detector'
        ? {
            timeoutsWhen: (w: World<Roles>, node: string, timer: string) => {
              const cut = (a: string, b: string) => {
                const sides = w.partition;
                return sides !== null && sides[0].includes(a) !== sides[0].includes(b);
              };
              const lost = (peer: string) => !w.up(peer) || cut(node, peer);
              if (node === 'c') return participants.some(lost);
              if (variant === 'notes') return lost('c');
              // Skeen: the lowest-numbered participant still reachable takes over; it waits for the
              // states (collect) and the acks (acks) of every participant it can still reach.
              const me = w.get('participant', node);
              if (timer === 'collect') return variant === 'decide-early' || participants.every((p) => me.collected.has(p) || lost(p));
              if (timer === 'acks') return [...me.waiting].every(lost);
              return lost('c') && (variant === 'all-take-over' || participants.slice(0, participants.indexOf(node)).every(lost));
            },
          }
        : {}),
      roles: {
        coordinator: role({
          ids: ['c'],
          durable: { phase: 'wait-votes' as Phase },
          volatile: { yes: ISet<string>(), acks: ISet<string>(), sent: 0 },
          start: (self, ctx) => {
            ctx.broadcast('participant', { type: 'CanCommit' });
            ctx.setTimer('wait');
            return self;
          },
          on: {
            Vote: (self, msg, ctx) => {
              if (self.phase !== 'wait-votes') return self;
              if (msg.vote === 'no') {
                ctx.cancelTimer('wait');
                ctx.broadcast('participant', { type: 'Abort' });
                return self.set('phase', 'aborted');
              }
              const yes = self.yes.add(ctx.from!);
              if (yes.size < n) return self.set('yes', yes);
              // PreCommit goes out one participant at a time (the `precommit` step): a crash can
              // fall between two sends, as in docs/notes.md#3pc-single-failure.
              return self.set('yes', yes).set('phase', 'precommitting');
            },
            Ack: (self, _msg, ctx) => {
              if (self.phase !== 'wait-acks' && self.phase !== 'precommitting') return self;
              const acks = self.acks.add(ctx.from!);
              if (acks.size < n || self.phase === 'precommitting') return self.set('acks', acks);
              ctx.cancelTimer('wait');
              ctx.broadcast('participant', { type: 'DoCommit' });
              return self.set('acks', acks).set('phase', 'committing');
            },
          },
          steps: {
            precommit: (self, ctx) => {
              if (self.phase !== 'precommitting') return null;
              ctx.send(participants[self.sent]!, { type: 'PreCommit' });
              if (self.sent + 1 < n) return self.set('sent', self.sent + 1);
              // All sent (acks can only come for sent ones, so they are not all in yet).
              return self.set('sent', 0).set('phase', 'wait-acks');
            },
          },
          timers: {
            // Votes missing: abort. Acks missing: the notes abort; Skeen's coordinator commits —
            // every participant voted yes, and one that has not acked is down (it learns the outcome
            // from the others' termination protocol or on recovery), while one that got its
            // PreCommit may already be deciding commit in a takeover.
            wait: (self, ctx) => {
              if (self.phase === 'precommitting') return null; // still sending: the timer waits
              if (self.phase === 'wait-acks' && variant !== 'notes' && variant !== 'abort-on-ack-timeout') {
                ctx.broadcast('participant', { type: 'DoCommit' });
                return self.set('phase', 'committing');
              }
              if (self.phase !== 'wait-votes' && self.phase !== 'wait-acks') return self;
              ctx.broadcast('participant', { type: 'Abort' });
              return self.set('phase', 'aborted');
            },
          },
        }),
        participant: role({
          ids: participants,
          durable: { st: 'working' as St, votedYes: false },
          // Skeen's termination protocol, run by the participant that takes over.
          volatile: { collected: IMap<string, string>(), waiting: ISet<string>(), terminating: false },
          on: {
            CanCommit: (self, _msg, ctx) => {
              if (self.st !== 'working') return self;
              const vote = ctx.choose(['yes', 'no']);
              ctx.reply({ type: 'Vote', vote });
              // Skeen: every participant may have to take over, even one that voted no.
              if ((variant !== 'notes' && variant !== 'no-voter-waits') || vote === 'yes') ctx.setTimer('timeout');
              if (vote === 'no') return self.set('st', 'aborted');
              return self.set('st', 'uncertain').set('votedYes', true);
            },
            PreCommit: (self, _msg, ctx) => {
              // Already precommitted (the coordinator's PreCommit and a takeover's both arrive): ack again.
              if (self.st === 'precommitted') return variant === 'no-re-ack' ? self : (ctx.reply({ type: 'Ack' }), self);
              if (self.st !== 'uncertain') return self;
              ctx.reply({ type: 'Ack' });
              ctx.setTimer('timeout');
              return self.set('st', 'precommitted');
            },
            DoCommit: (self) => (self.st === 'precommitted' || self.st === 'uncertain' ? self.set('st', 'committed') : self),
            Abort: (self) => (self.st === 'uncertain' || self.st === 'precommitted' || self.st === 'working' ? self.set('st', 'aborted') : self),
            // Skeen's termination protocol.
            StateReq: (self, _msg, ctx) => (ctx.reply({ type: 'State', st: self.st }), self),
            State: (self, msg, ctx) => (self.terminating ? self.set('collected', self.collected.set(ctx.from!, msg.st)) : self),
            Ack: (self, _msg, ctx) => self.set('waiting', self.waiting.remove(ctx.from!)),
          },
          timers: {
            timeout: (self, ctx) => {
              if (variant !== 'notes') {
                // The coordinator is lost and so is every lower-numbered participant: take over.
                if (self.terminating || self.st === 'working') return self;
                ctx.broadcast('participant', { type: 'StateReq' });
                ctx.setTimer('collect');
                return self.set('terminating', true).set('collected', IMap<string, string>([[ctx.id, self.st]]));
              }
              // The notes' rules: uncertain → abort, precommitted → commit.
              return self.st === 'uncertain' ? self.set('st', 'aborted') : self.st === 'precommitted' ? self.set('st', 'committed') : self;
            },
            // Every reachable participant has answered.
            collect: (self, ctx) => {
              // Its own state as it is now, not as it was when it took over: the coordinator may have
              // moved it on since (a PreCommit, an Abort) when a timeout was premature.
              const collected = variant === 'stale-own-state' ? self.collected : self.collected.set(ctx.id, self.st);
              const states = [...collected.values()];
              const abort = variant === 'precommit-beats-abort' ? !states.includes('committed') && !states.includes('precommitted') : states.includes('aborted');
              const allUncertain = !states.includes('committed') && !states.includes('precommitted');
              if (abort || (allUncertain && variant !== 'uncertain-commits')) {
                ctx.broadcast('participant', { type: 'Abort' });
                return self.set('st', self.st === 'committed' ? self.st : 'aborted').set('terminating', false);
              }
              if (states.includes('committed') || variant === 'skip-precommit' || (allUncertain && variant === 'uncertain-commits')) {
                ctx.broadcast('participant', { type: 'DoCommit' });
                return self.set('st', 'committed').set('terminating', false);
              }
              // Some precommitted, none decided: bring the uncertain ones to PRECOMMITTED first.
              const uncertain = [...collected.entries()].filter(([id, st]) => st === 'uncertain' && id !== ctx.id).map(([id]) => id);
              for (const id of uncertain) ctx.send(id, { type: 'PreCommit' });
              ctx.setTimer('acks');
              return self.set('st', 'precommitted').set('waiting', ISet(uncertain));
            },
            // Every uncertain participant it reached has acked (or is lost): commit.
            acks: (self, ctx) => {
              ctx.broadcast('participant', { type: 'DoCommit' });
              return self.set('st', 'committed').set('terminating', false);
            },
          },
        }),
      },
      invariants: {
        Agreement: {
          holds: (w) => !(w.some('participant', (p) => p.st === 'committed') && w.some('participant', (p) => p.st === 'aborted')),
          explain: (w) =>
            `${w.of('participant').filter((p) => p.state.st === 'committed').map((p) => p.id).join(', ')} committed while ${w
              .of('participant')
              .filter((p) => p.state.st === 'aborted')
              .map((p) => p.id)
              .join(', ')} aborted`,
        },
        Validity: (w) => !w.some('participant', (p) => p.st === 'committed') || w.every('participant', (p) => p.votedYes),
      },
      properties: {
        // LIVE-3PC-NonBlocking: every participant that is up eventually commits or aborts.
        Termination: { eventually: (w) => w.every('participant', (p, id) => !w.up(id) || p.st === 'committed' || p.st === 'aborted') },
      },
    });
  },
});
