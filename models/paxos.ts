/**
 * Basic (single-decree) Paxos (the study notes' claims about it, and their cases 1–3:
 * docs/notes.md#paxos).
 *
 * Proposers pick unique ballots (proposer i of P uses i, i+P, i+2P, ...), send Prepare(n) to the
 * acceptors, and on promises from a majority send Accept(n, v) — v being the value of the
 * highest-numbered proposal the promises report, or their own value if none. An acceptor promises a
 * ballot higher than any it has promised, accepts unless it promised a higher one, and keeps both
 * durably.
 * Acceptors tell the learner what they accepted; the learner learns v when a majority accepted it
 * in one ballot. The notes' tax-rate story: proposer p1 wants 10%, p2 20% (p3 30%).
 *
 * Two ways to bound the ballots:
 * - `ballots` ≥ 1: each proposer starts at most that many, whenever it likes (a timeout). The
 *   network keeps every message sent (a TLA+-style set): reordering, delay and duplication come
 *   for free.
 * - `ballots` = 0: unbounded. An acceptor that refuses says so (Nack, an optimisation the notes
 *   mention) and the refused proposer starts again above the ballot it was told of — how the notes'
 *   case 3 duel goes on. Messages are consumed on delivery (a multiset), ballots only matter
 *   relative to each other (states equal up to a shift of every ballot are one state), and the
 *   search stops expanding states whose ballots span more than `spread`. This is the setting in
 *   which the duel of case 3 is a cycle: a liveness lasso.
 */
import { defineActorModel, range, role, system } from 'faultline';
import { Map as IMap, Record, type RecordOf, Set as ISet } from 'immutable';

const VALUES = ['10%', '20%', '30%'];

/** Acceptor `a` accepted value `v` in ballot `n` (the ghost's and the learner's record). */
const Acceptance = Record({ n: 0, v: '', a: '' });
type Acceptance = RecordOf<{ n: number; v: string; a: string }>;
/** A promise: the highest-numbered proposal the acceptor had accepted (n = 0: none). */
const Promised = Record({ n: 0, v: '' });

/** A proposer's fields (all durable). */
interface ProposerFields {
  readonly value: string;
  readonly round: number;
  readonly ballot: number;
  readonly seen: number;
  readonly phase: 'idle' | 'preparing' | 'accepting';
  readonly promises: IMap<string, RecordOf<{ n: number; v: string }>>;
}

export default defineActorModel({
  name: 'paxos',
  description: 'Single-decree Paxos: prepare/promise, accept/accepted, a learner; unique ballots, durable acceptors.',
  params: {
    acceptors: { default: 3, min: 1, max: 5, description: 'number of acceptors (the notes’ cases use 5)' },
    proposers: { default: 2, min: 1, max: 3, description: 'number of proposers; proposer i proposes VALUES[i] (10%, 20%, 30%)' },
    ballots: { default: 1, min: 0, max: 3, description: 'ballots each proposer may start; 0: unbounded (ballots renumbered, bounded by spread)' },
    spread: { default: 4, min: 1, max: 12, description: 'with ballots=0: explore only states whose ballots span at most this much' },
    retries: { default: 0, min: 0, max: 2, description: 'ballots p1 may start beyond `ballots` (one proposer trying again, without giving every proposer more ballots)' },
  },
  variants: {
    correct: 'Paxos as Lamport gives it: unique ballots, adopt the highest accepted value reported, durable acceptors',
    'ignore-promised-values': {
      description:
        'the proposer always proposes its own value — the notes’ case 2 as written: both 10% and 20% are chosen',
      faults: { crash: 0, restart: 0 },
    },
    'volatile-acceptor': 'acceptors keep their promise and accepted value in memory only: a restart forgets them',
    'duplicate-ballots': {
      description:
        'every proposer numbers its ballots 1, 2, ... and acceptors promise a ballot equal to their promise',
      faults: { crash: 0, restart: 0 },
    },
    'prepare-as-accept': {
      description:
        'an acceptor records [n, v] of a Prepare as accepted (the notes taken literally): a value nobody accepted gets reported and chosen',
      params: { proposers: 3 },
      faults: { crash: 0, restart: 0 },
    },
    'learner-mixes-ballots': {
      description:
        'the learner counts acceptances of a value across ballots',
      faults: { crash: 0, restart: 0 },
    },
    'adopt-lowest': { description: 'mutant of correct: a proposer adopts the value of the lowest-numbered proposal its promises report, not the highest', mutant: true },
    'adopt-empty': {
      description: 'mutant of correct: a proposer takes "nothing accepted" (ballot 0, no value) in a promise as a proposal to adopt (>= instead of > when picking the highest), so it proposes no value at all',
      mutant: true,
    },
    'no-promise-check': { description: 'mutant of correct: an acceptor promises every Prepare, even one below its promise, and takes it as its new promise', mutant: true },
    'no-accept-check': { description: 'mutant of correct: an acceptor accepts every Accept, even one below its promise', mutant: true },
    'accept-above-promise': {
      description: 'mutant of correct: an acceptor accepts only a ballot above its promise (> instead of >=), so it refuses the Accept of the very proposer it promised',
      mutant: true,
    },
    'stale-promises': {
      description: 'mutant of correct: a proposer counts a promise for one of its earlier ballots towards the ballot it is preparing',
      mutant: true,
    },
    'minority-promises': { description: 'mutant of correct: a proposer sends Accept after promises from half the acceptors rounded down (one of three), not a majority', mutant: true },
  },
  faults: { crash: 1, restart: 1 },
  build: ({ params, variant }) => {
    const acceptors = range('a', params.acceptors);
    const proposers = range('p', params.proposers);
    const P = proposers.length;
    const quorum = Math.floor(acceptors.length / 2) + 1;
    // How many promises a proposer waits for (the mutant minority-promises: fewer than a majority).
    const promiseQuorum = variant === 'minority-promises' ? Math.max(1, Math.floor(acceptors.length / 2)) : quorum;
    const unbounded = params.ballots === 0;
    const stride = variant === 'duplicate-ballots' ? 1 : P;
    /** Proposer `index`'s smallest ballot above `above` (ballots ≡ index+1 mod P, or all ballots). */
    const ballotAbove = (index: number, above: number) => {
      const first = variant === 'duplicate-ballots' ? 1 : index + 1;
      return above < first ? first : first + stride * (Math.floor((above - first) / stride) + 1);
    };
    const acceptorState = { promised: 0, acceptedN: 0, acceptedV: '' };
    return system({
      network: unbounded ? 'unordered' : 'duplicating',
      ghost: ISet<Acceptance>(), // every acceptance ever made
      roles: {
        proposer: role<ProposerFields>({
          ids: proposers,
          // Ballots first: n in messages, ballot in the proposer's state.
          keyFields: ['n', 'ballot', 'phase'],
          crashes: false,
          durable: {
            value: '',
            round: 0, // ballots started (bounded mode only)
            ballot: 0,
            seen: 0, // the highest ballot a Nack told of
            phase: 'idle',
            promises: IMap<string, RecordOf<{ n: number; v: string }>>(),
          },
          start: (self, ctx) => self.set('value', VALUES[ctx.index]!),
          steps: {
            // Start a ballot. Bounded: whenever the proposer likes (a timeout), while it has
            // ballots left. Unbounded: at first, and again after a refusal.
            prepare: (self, ctx) => {
              if (unbounded ? self.phase !== 'idle' : self.round >= params.ballots + (ctx.index === 0 ? params.retries : 0)) return null;
              const n = ballotAbove(ctx.index, Math.max(self.ballot, self.seen));
              ctx.broadcast('acceptor', { type: 'Prepare', n, ...(variant === 'prepare-as-accept' ? { v: self.value } : {}) });
              return self
                .set('round', unbounded ? 0 : self.round + 1)
                .set('ballot', n)
                .set('phase', 'preparing')
                .set('promises', IMap());
            },
          },
          on: {
            // The promise carries the acceptor's highest accepted proposal (an = 0: none).
            Promise: (self, msg: { type: 'Promise'; n: number; an: number; av: string }, ctx) => {
              // The mutant stale-promises: a promise for an earlier ballot of this proposer counts too.
              if (self.phase !== 'preparing' || (msg.n !== self.ballot && variant !== 'stale-promises')) return self;
              const promises = self.promises.set(ctx.from!, Promised({ n: msg.an, v: msg.av }));
              if (promises.size < promiseQuorum) return self.set('promises', promises);
              let v = self.value;
              if (variant !== 'ignore-promised-values') {
                let best = 0;
                if (variant === 'adopt-lowest') {
                  // The mutant: the lowest reported ballot's value instead of the highest's.
                  best = Infinity;
                  for (const p of promises.values()) if (p.n > 0 && p.n < best) [best, v] = [p.n, p.v];
                } else if (variant === 'adopt-empty') {
                  // The mutant: >= adopts a report of nothing (n = 0, v = '') too.
                  for (const p of promises.values()) if (p.n >= best) [best, v] = [p.n, p.v];
                } else for (const p of promises.values()) if (p.n > best) [best, v] = [p.n, p.v];
              }
              ctx.broadcast('acceptor', { type: 'Accept', n: self.ballot, v });
              return self.set('promises', promises).set('phase', 'accepting');
            },
            // Refused: someone promised a higher ballot. Give this one up and try above it.
            Nack: (self, msg: { type: 'Nack'; n: number; promised: number }) => {
              if (self.phase === 'idle' || msg.n !== self.ballot || msg.promised <= self.ballot) return self;
              return self.set('phase', 'idle').set('seen', Math.max(self.seen, msg.promised)).set('promises', IMap());
            },
          },
        }),
        acceptor: role({
          ids: acceptors,
          keyFields: ['n', 'promised'],
          symmetric: true,
          durable: acceptorState,
          // volatile-acceptor: the same three fields, kept in memory only.
          forget: variant === 'volatile-acceptor' ? ['promised', 'acceptedN', 'acceptedV'] : [],
          on: {
            Prepare: (self, msg: { type: 'Prepare'; n: number; v?: string }, ctx) => {
              const n = msg.n;
              const refuse = variant === 'duplicate-ballots' ? n < self.promised : n <= self.promised;
              if (refuse && variant !== 'no-promise-check') {
                if (unbounded && n < self.promised) ctx.reply({ type: 'Nack', n, promised: self.promised });
                return self;
              }
              ctx.reply({ type: 'Promise', n, an: self.acceptedN, av: self.acceptedV });
              // The notes as written (docs/notes.md#paxos-prepare-carries-value): the Prepare's
              // [n, v] becomes "the current proposal".
              if (variant === 'prepare-as-accept') return self.set('promised', n).set('acceptedN', n).set('acceptedV', msg.v!);
              return self.set('promised', n);
            },
            Accept: (self, msg: { type: 'Accept'; n: number; v: string }, ctx) => {
              const { n, v } = msg;
              // The mutant accept-above-promise refuses n = promised too.
              const refuse = variant === 'accept-above-promise' ? n <= self.promised : n < self.promised;
              if (refuse && variant !== 'no-accept-check') {
                if (unbounded) ctx.reply({ type: 'Nack', n, promised: self.promised });
                return self;
              }
              ctx.broadcast('learner', { type: 'Accepted', n, v });
              ctx.updateGhost((g: ISet<Acceptance>) => g.add(Acceptance({ n, v, a: ctx.id })));
              // max: the same as n unless the mutant no-accept-check accepted below its promise.
              return self.set('promised', Math.max(self.promised, n)).set('acceptedN', n).set('acceptedV', v);
            },
          },
        }),
        learner: role({
          // Left out of the unbounded (duel) setting, where only choosing matters.
          ids: unbounded ? [] : ['l'],
          crashes: false,
          durable: { heard: ISet<Acceptance>(), learned: '' },
          on: {
            Accepted: (self, msg: { type: 'Accepted'; n: number; v: string }, ctx) => {
              if (self.learned !== '') return self; // a learner learns once
              const heard = self.heard.add(Acceptance({ n: msg.n, v: msg.v, a: ctx.from! }));
              // Correct: a majority in one ballot. The mixing variant counts the value's acceptors
              // over all ballots.
              const same = heard.filter((x) => x.v === msg.v && (variant === 'learner-mixes-ballots' || x.n === msg.n));
              const learned = same.map((x) => x.a).size >= quorum ? msg.v : '';
              return self.set('heard', heard).set('learned', learned);
            },
          },
        }),
      },
      ...(unbounded ? { renumber: { fields: ['n', 'an', 'promised', 'acceptedN', 'ballot', 'seen'], stride, spread: params.spread } } : {}),
      invariants: {
        // INV-PX-Agreement: at most one value is chosen (accepted by a majority in some ballot).
        Agreement: {
          holds: (w) => chosen(w.ghost, quorum).size <= 1,
          explain: (w) => `chosen: ${[...chosen(w.ghost, quorum)].join(' and ')}`,
        },
        // INV-PX-Validity: only a proposed value can be chosen.
        Validity: (w) => [...chosen(w.ghost, quorum)].every((v) => VALUES.slice(0, P).includes(v)),
        // INV-PX-LearnChosen: the learner learns only a chosen value.
        LearnChosen: {
          holds: (w) => w.every('learner', (l) => l.learned === '' || chosen(w.ghost, quorum).has(l.learned)),
          explain: (w) => `the learner learned ${w.get('learner', 'l').learned}, which no majority accepted in one ballot`,
        },
      },
      witnesses: {
        // The notes' case 1: a value is chosen and learned.
        Learned: (w) => w.some('learner', (l) => l.learned !== ''),
        // The notes' case 2 done right (docs/notes.md#paxos-case-2): a proposer sends Accept with a
        // value another proposer proposed, because a promise reported it.
        Adopted: (w) => w.ghost.some((x) => x.v !== VALUES[(x.n - 1) % P]),
        // The notes say an acceptor that accepted a value considers it chosen
        // (docs/notes.md#paxos-accepted-is-chosen): an acceptor
        // accepted a value, and another value was chosen.
        AcceptedNotChosen: (w) => {
          const c = chosen(w.ghost, quorum);
          return c.size === 1 && w.ghost.some((x) => !c.has(x.v));
        },
      },
      properties: {
        // LIVE-PX-Progress: some value is eventually chosen. With two proposers they can pre-empt
        // each other for ever (the notes' case 3).
        SomeValueChosen: { eventually: (w) => chosen(w.ghost, quorum).size > 0 },
      },
    });
  },
});

/** The values accepted by a majority of acceptors in one ballot. */
function chosen(ghost: ISet<Acceptance>, quorum: number): ISet<string> {
  const by = ghost.groupBy((x) => `${x.n} ${x.v}`);
  return ISet(by.filter((xs) => xs.size >= quorum).map((xs) => xs.first()!.v).valueSeq());
}
