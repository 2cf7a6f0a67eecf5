/**
 * A starter model, written by `faultline init`: a sender streams numbered messages to a receiver
 * over a FIFO channel (TCP-like: one queue, in order), and the channel may lose one message and
 * duplicate one. The receiver must deliver the messages in order, each once.
 *
 *   correct      the receiver delivers message n only right after n - 1, and discards anything else
 *   trust-fifo   the receiver trusts the channel and delivers whatever arrives: a lost message
 *                leaves a gap, a duplicate is delivered twice
 *
 *   faultline check model.ts                         ✓ 23 states (counted by hand in specs/model.yaml)
 *   faultline check model.ts --variant trust-fifo    ✗ InOrder violated: drop message 1, deliver 2
 *   faultline check model.ts --witness AllDelivered  the shortest run that delivers everything
 *
 * Things to try: --param messages=3; --faults drop=0,duplicate=0 (trust-fifo is fine then: a FIFO
 * channel without faults does deliver in order); network: 'unordered' below (trust-fifo breaks in
 * one step); a retransmit timer on the sender, so that the correct receiver gets past a lost
 * message (docs/actors.md: timers). Writing models: docs/models.md and docs/actors.md in faultline.
 */
import { defineActorModel, messages, system } from 'faultline';
import { List } from 'immutable';

// The messages of this system, declared once: handlers and sends are type-checked against them
// (a misspelt type or field is a type error: faultline check --typecheck, or your editor).
type Msg = { type: 'Msg'; n: number };
const { role } = messages<Msg>();

export default defineActorModel({
  name: 'in-order',
  description: 'A sender streams numbered messages over a lossy FIFO channel; the receiver must deliver them in order, once each.',
  params: {
    messages: { default: 2, min: 1, max: 4, description: 'messages the sender sends' },
  },
  // The first variant is the default one.
  variants: {
    correct: 'the receiver delivers message n only right after n - 1, and discards anything else',
    'trust-fifo': 'the receiver delivers whatever arrives: a lost or duplicated message goes unnoticed',
  },
  // Fault budgets: how many times each fault may happen in one run (--faults overrides them).
  faults: { drop: 1, duplicate: 1 },
  build: ({ params, variant }) =>
    system({
      network: 'fifo',
      roles: {
        sender: role({
          ids: ['s'],
          durable: {},
          // At the start the sender puts every message on the channel, 1 first.
          start: (self, ctx) => {
            for (let n = 1; n <= params.messages; n++) ctx.send('r', { type: 'Msg', n });
            return self;
          },
        }),
        receiver: role({
          ids: ['r'],
          // `got`: the messages delivered, in the order delivered.
          durable: { got: List<number>() },
          on: {
            // A handler returns the node's new state (`self`: unchanged; the message is consumed).
            Msg: (self, msg) => {
              if (variant === 'correct' && msg.n !== self.got.size + 1) return self;
              return self.set('got', self.got.push(msg.n));
            },
          },
        }),
      },
      invariants: {
        // Delivered so far: exactly 1, 2, ..., k — no gap, no repeat.
        InOrder: {
          holds: (w) => w.get('receiver', 'r').got.every((n, i) => n === i + 1),
          explain: (w) => `the receiver delivered ${w.get('receiver', 'r').got.join(', ')}`,
        },
      },
      witnesses: {
        // A scenario to look at: `--witness AllDelivered`.
        AllDelivered: (w) => w.get('receiver', 'r').got.size === params.messages,
      },
    }),
});
