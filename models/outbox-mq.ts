/**
 * The local message table (outbox) with a message queue (the study notes' claims about it:
 * docs/notes.md#outbox-and-mq).
 *
 * The order service writes the order and an outbox row in one local transaction; a relay sends the
 * row to the broker until the broker acknowledges it, then deletes the row. The broker pushes the
 * message to the stock service until that acknowledges it. The stock service, in one local
 * transaction, checks its dedupe table, deducts the stock, and records the message id — then acks.
 * Duplicates come from the relay's re-sends and the broker's re-deliveries; the dedupe table makes
 * them harmless. One order, one message.
 */
import { defineActorModel, role, system, type World } from 'faultline';

export default defineActorModel({
  name: 'outbox-mq',
  description: 'Order + outbox row in one transaction, a relay to the broker, a deduplicating consumer: eventual consistency.',
  params: { retries: { default: 2, min: 0, max: 3, description: 'times the relay re-sends, and the broker re-delivers' } },
  variants: {
    correct: 'atomic outbox, relay deletes the row after the broker’s ack, consumer dedupes and acks after its commit',
    'no-dedupe': 'the consumer deducts for every delivery: a re-sent or re-delivered message deducts twice',
    'ack-before-commit': 'the consumer acks, then commits its deduction: a crash in between loses it',
    'send-inside-tx': 'the order service sends the message first and commits the order after: a crash in between leaves a deduction for no order',
    'delete-before-ack': 'the relay deletes the outbox row when it sends, not when the broker acks: a lost send loses the message',
  },
  faults: { drop: 1, duplicate: 1, crash: 1, restart: 1 },
  build: ({ params, variant }) =>
    system({
      // Accurate timeouts: a re-send happens only when the message and its ack are both gone, and
      // the broker re-delivers only to a consumer that is up (so the retry budget is spent on real
      // losses, not on impatience: real brokers retry without end).
      timeoutsWhen: (w: World, node: string) =>
        node === 'o'
          ? w.messages('Publish').length + w.messages('PubAck').length === 0
          : w.messages('Deliver').length + w.messages('Ack').length === 0 && w.up('r'),
      roles: {
        order: role({
          ids: ['o'],
          durable: { placed: false, committed: false, outbox: false, sends: 0 },
          volatile: { sending: false },
          // After a crash, the relay picks up the outbox row again.
          restart: (self, ctx) => {
            if (self.outbox && self.sends > 0) ctx.setTimer('resend');
            return self;
          },
          steps: {
            // The business step: the order and its outbox row, in one local transaction.
            place: (self, ctx) => {
              if (self.placed) return null;
              if (variant === 'send-inside-tx') {
                // The notes taken literally (docs/notes.md#mq-send-in-transaction): the message
                // goes out inside the transaction, before its commit.
                ctx.send('m', { type: 'Publish' });
                return self.set('placed', true).set('sending', true);
              }
              return self.set('placed', true).set('committed', true).set('outbox', true);
            },
            // send-inside-tx only: the commit that follows the send (lost if the service crashes first).
            commit: (self) => (variant === 'send-inside-tx' && self.sending && !self.committed ? self.set('committed', true).set('sending', false) : null),
            // The relay: send the outbox row to the broker; re-send while it is unacknowledged.
            relay: (self, ctx) => {
              if (!self.outbox || self.sends > 0) return null;
              ctx.send('m', { type: 'Publish' });
              if (params.retries > 0) ctx.setTimer('resend');
              const sent = self.set('sends', 1);
              return variant === 'delete-before-ack' ? sent.set('outbox', false) : sent;
            },
          },
          on: {
            PubAck: (self, _msg, ctx) => (ctx.cancelTimer('resend'), variant === 'delete-before-ack' ? self : self.set('outbox', false)),
          },
          timers: {
            resend: (self, ctx) => {
              if (!self.outbox || self.sends > params.retries) return self;
              ctx.send('m', { type: 'Publish' });
              if (self.sends < params.retries) ctx.setTimer('resend');
              return self.set('sends', self.sends + 1);
            },
          },
        }),
        broker: role({
          ids: ['m'],
          crashes: false,
          durable: { stored: 0, pushes: 0 },
          on: {
            Publish: (self, _msg, ctx) => {
              ctx.reply({ type: 'PubAck' });
              if (self.stored === 0) {
                ctx.send('r', { type: 'Deliver' });
                if (params.retries > 0) ctx.setTimer('redeliver');
              }
              return self.set('stored', self.stored + 1).set('pushes', self.stored === 0 ? 1 : self.pushes);
            },
            // Acked: the copy is gone; push the next copy if there is one (a re-sent Publish).
            Ack: (self, _msg, ctx) => {
              const stored = Math.max(0, self.stored - 1);
              ctx.cancelTimer('redeliver');
              if (stored > 0) {
                ctx.send('r', { type: 'Deliver' });
                if (params.retries > 0) ctx.setTimer('redeliver');
                return self.set('stored', stored).set('pushes', 1);
              }
              return self.set('stored', stored);
            },
          },
          timers: {
            // Re-deliver until acknowledged.
            redeliver: (self, ctx) => {
              if (self.stored === 0) return self;
              ctx.send('r', { type: 'Deliver' });
              if (self.pushes < params.retries) ctx.setTimer('redeliver');
              return self.set('pushes', self.pushes + 1);
            },
          },
        }),
        consumer: role({
          ids: ['r'],
          durable: { deducted: 0, seen: false },
          volatile: { pending: false },
          on: {
            Deliver: (self, _msg, ctx) => {
              if (variant === 'ack-before-commit') {
                ctx.reply({ type: 'Ack' });
                return self.seen ? self : self.set('pending', true);
              }
              // One local transaction: check the dedupe table, deduct, record; then ack.
              ctx.reply({ type: 'Ack' });
              if (self.seen && variant !== 'no-dedupe') return self;
              return self.set('deducted', self.deducted + 1).set('seen', true);
            },
          },
          steps: {
            // ack-before-commit only: the commit after the ack (lost if the consumer crashes first).
            commit: (self) => (self.pending && !self.seen ? self.set('deducted', self.deducted + 1).set('seen', true).set('pending', false) : null),
          },
        }),
      },
      invariants: {
        // INV-MQ-AtMostOnce: one order, at most one deduction.
        AtMostOnce: (w) => w.get('consumer', 'r').deducted <= 1,
        // INV-MQ-NoOrphanEffect: no deduction for an order that will never exist: a deduction needs
        // the order committed, or its commit still to come (the order service up, in the middle of
        // its transaction: a deduction may race ahead of the commit). A crash ends the transaction
        // for good — the restarted service does not finish it — so from the crash on, and after the
        // restart too, a deduction without the order is an orphan.
        NoOrphanEffect: (w) => {
          const o = w.get('order', 'o');
          return w.get('consumer', 'r').deducted === 0 || o.committed || (w.up('o') && o.sending);
        },
      },
      properties: {
        // Eventual consistency (INV-MQ-QuiescentEventual): a committed order is eventually paid for in
        // stock — unless a service stays down (faults are never forced: a crashed service need not
        // come back, and then nothing can converge).
        Eventual: {
          when: (w) => w.get('order', 'o').committed,
          eventually: (w) => w.get('consumer', 'r').deducted === 1 || !w.up('o') || !w.up('r'),
        },
      },
    }),
});
