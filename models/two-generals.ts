/**
 * The two generals problem (the study notes' claims about it: docs/notes.md#two-generals).
 *
 * General `a` has decided to attack at dawn and tells general `b` over a link that may lose any
 * message: the order (message 0), then `rounds` acknowledgements back and forth (message 1 is b's
 * acknowledgement of the order, message 2 a's acknowledgement of that, ...). Each message is sent
 * `copies` times (blind re-sends: a bounded protocol re-sends a bounded number of times). At dawn
 * each general attacks or holds, on what it has received. They must agree: both attack, or neither.
 *
 * A message that arrives after dawn is as good as lost, so dawn comes only once nothing is in
 * flight, and every loss is a `drop` fault: one drop budget is one lost message.
 *
 * No protocol that sends a bounded number of messages can be correct (Akkoyunlu, Ekanadham and
 * Huber 1975; Gray 1978): take a run in which every message arrives and both attack, and drop its
 * last message; the sender of that message cannot tell the difference, so it still attacks; the
 * receiver must then attack without it, so the run without that message also has both attacking;
 * repeat until no message is left, and b attacks on nothing. The `correct` variant is the best a
 * bounded protocol can do — each general attacks iff it has received every message addressed to it
 * — and what is checked is that losing the last message is enough to break it, for each number of
 * rounds, while with no loss both attack.
 */
import { defineActorModel, messages, system } from 'faultline';

type Msg = { type: 'Order' } | { type: 'Ack'; n: number };
const { role } = messages<Msg>();

type Action = 'waiting' | 'attack' | 'hold';
/** A field's initial value, typed as the field's type (not the literal's). */
const initially = <T>(value: T): T => value;

export default defineActorModel({
  name: 'two-generals',
  description: 'Two generals agree to attack over a lossy link with a bounded exchange of acknowledgements: losing the last message always splits them.',
  params: {
    rounds: { default: 1, min: 0, max: 3, description: 'acknowledgements after the order: 0 the order alone, 1 the order and b’s acknowledgement, 2 and a’s acknowledgement of that, ...' },
    copies: { default: 1, min: 1, max: 3, description: 'copies of each message the sender sends (blind re-sends)' },
  },
  variants: {
    correct: 'the best a bounded protocol can do: a general attacks iff it has received every message addressed to it — and losing the last message still splits them (no bounded protocol is correct)',
    'never-attack': 'a general attacks only once it knows the other will: no bounded exchange ever tells it, so neither attacks — safe under any loss, and the generals never attack even when nothing is lost',
    'early-attack': { description: 'mutant of correct: a attacks on its own order, without waiting for the acknowledgements addressed to it', mutant: true },
    'await-last': {
      description: 'mutant of correct: the sender of the last message attacks only once that message is acknowledged, and the protocol sends no such acknowledgement: it holds while the other attacks, with nothing lost',
      mutant: true,
    },
  },
  faults: { drop: 1 },
  build: ({ params, variant, faults }) => {
    const R = params.rounds;
    /** Message k (0 the order) goes to b when k is even, to a when it is odd. */
    const to = (k: number) => (k % 2 === 0 ? 'b' : 'a');
    /** The last message addressed to a general, or -1 if none (a, with the order alone). */
    const last = (g: string) => (to(R) === g ? R : R - 1);
    /** The last message the protocol sends is R; its sender is the general it is not addressed to. */
    const lastSender = to(R) === 'a' ? 'b' : 'a';
    /** The message a general must have received before it attacks, or Infinity: never. */
    const needed = (g: string) => {
      if (variant === 'never-attack') return Infinity;
      if (variant === 'early-attack' && g === 'a') return -1;
      if (variant === 'await-last' && g === lastSender) return R + 1;
      return last(g);
    };
    const send = (ctx: { send(to: string, msg: Msg): void }, k: number) => {
      for (let c = 0; c < params.copies; c++) ctx.send(to(k), k === 0 ? { type: 'Order' } : { type: 'Ack', n: k });
    };
    /** Message k arrived: note it and send the next, unless it is a copy already seen. */
    const receive = <S extends { readonly got: number; set(k: 'got', v: number): S }>(self: S, k: number, ctx: { send(to: string, msg: Msg): void }): S => {
      if (self.got >= k) return self;
      if (k < R) send(ctx, k + 1);
      return self.set('got', k);
    };
    return system({
      network: 'unordered',
      // Dawn: a message still on its way at dawn is lost, so dawn comes when the link is quiet.
      timeoutsWhen: (w) => w.messages().length === 0,
      roles: {
        general: role({
          ids: ['a', 'b'],
          crashes: false,
          // got: the highest message received (-1: none); action: what it did at dawn.
          durable: { got: -1, action: initially<Action>('waiting') },
          start: (self, ctx) => {
            if (ctx.id === 'a') send(ctx, 0);
            ctx.setTimer('dawn');
            return self;
          },
          on: {
            Order: (self, _msg, ctx) => receive(self, 0, ctx),
            Ack: (self, msg, ctx) => receive(self, msg.n, ctx),
          },
          timers: {
            dawn: (self, ctx) => self.set('action', self.got >= needed(ctx.id) ? 'attack' : 'hold'),
          },
        }),
      },
      invariants: {
        // Both attack or neither: never one attacking while the other holds.
        Agreement: {
          holds: (w) => !(w.some('general', (g) => g.action === 'attack') && w.some('general', (g) => g.action === 'hold')),
          explain: (w) =>
            w
              .of('general')
              .map(({ id, state }) => `${id} ${state.action === 'attack' ? 'attacked' : 'held'} (${state.got < 0 ? 'received nothing' : `last received message ${state.got}`})`)
              .join(', '),
        },
        // What the best bounded protocol achieves: the generals split only when the exchange got as
        // far as its last message and that message was lost (with R = 0, the order itself).
        SplitOnlyByLastLoss: {
          holds: (w) => {
            const split = w.some('general', (g) => g.action === 'attack') && w.some('general', (g) => g.action === 'hold');
            return !split || ((R === 0 || w.get('general', to(R - 1)).got >= R - 1) && w.get('general', to(R)).got < R);
          },
          explain: (w) => `the generals split, and message ${R} (the last) ${w.get('general', to(R)).got >= R ? 'arrived' : 'was never sent: an earlier one was lost'}`,
        },
      },
      properties: {
        // The protocol is not trivially safe: when no message is lost, both attack.
        AttackWhenNothingLost: { eventually: (w) => w.faultsLeft('drop') < (faults.drop ?? 0) || w.every('general', (g) => g.action === 'attack') },
      },
    });
  },
});
