/**
 * The transaction-status table: forward recovery by the coordinator (the study notes' claims about
 * it: docs/notes.md#transaction-status-table).
 *
 * A shopping service calls the stock service (op 1: deduct) and then the order service (op 2:
 * create the order), and records in its table how far the transaction got: 1 initial, 2 after op 1,
 * 3 after both. A background task re-invokes the step a transaction is stuck at, until state 3; after
 * `retries` re-invocations it marks the transaction `error` for a person. Re-invoking is only
 * safe if the services are idempotent — the notes do not say so (docs/notes.md#status-table-retry).
 * Only the shopping service crashes here (between a call and the table update); the two services
 * are durable.
 */
import { defineActorModel, role, system, type World } from 'faultline';

type State = 1 | 2 | 3 | 'error';

export default defineActorModel({
  name: 'status-table',
  description: 'A coordinator-side status table and a scanner that re-invokes unfinished steps (forward recovery).',
  params: { retries: { default: 2, min: 0, max: 3, description: 're-invocations before the transaction is marked error' } },
  variants: {
    correct: 'both services are idempotent: a repeated call with the same transaction id does nothing more',
    'non-idempotent': 'the stock service deducts on every call: a re-invocation after a lost reply deducts twice',
    'business-reject': 'the order service rejects the order (out of stock, say): forward-only retries never converge, the transaction ends in error',
    'skip-on-timeout': {
      description: 'mutant of correct: the scanner takes a step whose reply never came for done, records it and moves on to the next step instead of re-invoking it',
      mutant: true,
    },
  },
  faults: { drop: 1, crash: 1, restart: 1 },
  build: ({ params, variant }) =>
    system({
      // The scanner runs when a step's call and its reply are both gone (a real scanner waits for a
      // period threshold; this keeps re-invocations for real losses).
      timeoutsWhen: (w: World) => w.messages().length === 0,
      roles: {
        shop: role({
          ids: ['s'],
          durable: { state: 1 as State, attempts: 0 },
          start: (self, ctx) => {
            ctx.send('stock', { type: 'Deduct' });
            ctx.setTimer('scan');
            return self;
          },
          // After a crash the background task starts again.
          restart: (self, ctx) => (self.state === 1 || self.state === 2 ? ctx.setTimer('scan') : undefined, self),
          on: {
            Deducted: (self, _msg, ctx) => {
              if (self.state !== 1) return self;
              ctx.send('orders', { type: 'Create' });
              return self.set('state', 2);
            },
            Created: (self, _msg, ctx) => (self.state === 2 ? (ctx.cancelTimer('scan'), self.set('state', 3)) : self),
            Rejected: (self) => self,
          },
          timers: {
            scan: (self, ctx) => {
              if (self.state === 3 || self.state === 'error') return self;
              if (self.attempts >= params.retries) return self.set('state', 'error');
              if (variant === 'skip-on-timeout') {
                // The mutant: no reply is taken for success; record the step done and go on.
                if (self.state === 2) return self.set('state', 3);
                ctx.send('orders', { type: 'Create' });
                ctx.setTimer('scan');
                return self.set('state', 2).set('attempts', self.attempts + 1);
              }
              ctx.send(self.state === 1 ? 'stock' : 'orders', { type: self.state === 1 ? 'Deduct' : 'Create' });
              ctx.setTimer('scan');
              return self.set('attempts', self.attempts + 1);
            },
          },
        }),
        stock: role({
          ids: ['stock'],
          crashes: false,
          durable: { deducted: 0, done: false },
          on: {
            Deduct: (self, _msg, ctx) => {
              ctx.reply({ type: 'Deducted' });
              if (self.done && variant !== 'non-idempotent') return self;
              return self.set('deducted', self.deducted + 1).set('done', true);
            },
          },
        }),
        orders: role({
          ids: ['orders'],
          crashes: false,
          durable: { created: 0 },
          on: {
            Create: (self, _msg, ctx) => {
              if (variant === 'business-reject') return ctx.reply({ type: 'Rejected' }), self;
              ctx.reply({ type: 'Created' });
              return self.created > 0 ? self : self.set('created', 1);
            },
          },
        }),
      },
      invariants: {
        // INV-STT-AtMostOnce: each operation's effect at most once per transaction.
        AtMostOnce: {
          holds: (w) => w.get('stock', 'stock').deducted <= 1 && w.get('orders', 'orders').created <= 1,
          explain: (w) => `stock deducted ${w.get('stock', 'stock').deducted} times, orders created ${w.get('orders', 'orders').created}`,
        },
        // INV-STT-StateSound: the table never runs ahead of the effects.
        StateSound: (w) => {
          const st = w.get('shop', 's').state;
          return (st !== 2 && st !== 3) || (w.get('stock', 'stock').deducted >= 1 && (st !== 3 || w.get('orders', 'orders').created >= 1));
        },
      },
      properties: {
        // LIVE-STT: the transaction completes — or the shop service stays down.
        Completes: { eventually: (w) => w.get('shop', 's').state === 3 || !w.up('s') },
      },
    }),
});
