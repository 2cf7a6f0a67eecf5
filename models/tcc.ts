/**
 * TCC — Try, Confirm, Cancel (the study notes' claims about it: docs/notes.md#tcc).
 *
 * A transaction manager `t` asks every branch to Try (check and reserve one unit of stock); if all
 * succeed it Confirms everywhere, if any fails or its Try timer fires first it Cancels everywhere.
 * Confirm and Cancel are retried until each branch answers Done (at most `retries` times; then the
 * transaction is left for manual intervention). Each branch starts with one unit in stock.
 *
 * The correct variant keeps a control record per branch (the notes' dedupe table keyed by the
 * transaction id): Confirm and Cancel are idempotent, a Cancel that arrives before any
 * Try is an empty rollback (recorded, nothing released), and a Try that arrives after a Cancel is
 * refused (anti-hanging).
 */
import { defineActorModel, range, role, system } from 'faultline';
import { Set as ISet } from 'immutable';

type Phase = 'trying' | 'confirming' | 'cancelling' | 'done' | 'manual';
type Ctl = 'none' | 'tried' | 'confirmed' | 'cancelled';

export default defineActorModel({
  name: 'tcc',
  description: 'Try reserves, Confirm commits, Cancel releases; retried until done, with a control record for idempotence.',
  params: {
    branches: { default: 2, min: 1, max: 3, description: 'number of branches (services)' },
    retries: { default: 1, min: 0, max: 3, description: 'times the manager re-sends Confirm or Cancel' },
  },
  variants: {
    correct: 'a control record per branch: idempotent Confirm/Cancel, empty rollback, anti-hanging',
    'no-dedupe': 'Confirm and Cancel are not idempotent: a retry after a lost Done applies twice',
    'no-empty-rollback': 'a Cancel that arrives before its Try releases stock that was never reserved (an empty rollback)',
    'no-anti-hanging': 'a Try that arrives after its Cancel still reserves, and nothing will ever release it (a hanging Try)',
    'confirm-after-cancel': { description: 'mutant of correct: the manager that has given up and sent Cancel still Confirms when the late TryOks come in', mutant: true },
  },
  faults: { drop: 1, duplicate: 1 },
  build: ({ params, variant }) => {
    const branches = range('b', params.branches);
    return system({
      roles: {
        manager: role({
          ids: ['t'],
          durable: { phase: 'trying' as Phase, ok: ISet<string>(), done: ISet<string>(), retried: 0 },
          start: (self, ctx) => {
            ctx.broadcast('branch', { type: 'Try' });
            ctx.setTimer('try');
            return self;
          },
          on: {
            TryOk: (self, _msg, ctx) => {
              if (self.phase !== 'trying' && !(variant === 'confirm-after-cancel' && self.phase === 'cancelling')) return self;
              const ok = self.ok.add(ctx.from!);
              if (ok.size < branches.length) return self.set('ok', ok);
              ctx.cancelTimer('try');
              ctx.broadcast('branch', { type: 'Confirm' });
              if (params.retries > 0) ctx.setTimer('retry');
              return self.set('ok', ok).set('phase', 'confirming');
            },
            TryFail: (self, _msg, ctx) => {
              if (self.phase !== 'trying') return self;
              ctx.cancelTimer('try');
              ctx.broadcast('branch', { type: 'Cancel' });
              if (params.retries > 0) ctx.setTimer('retry');
              return self.set('phase', 'cancelling');
            },
            Done: (self, _msg, ctx) => {
              if (self.phase !== 'confirming' && self.phase !== 'cancelling') return self;
              const done = self.done.add(ctx.from!);
              if (done.size < branches.length) return self.set('done', done);
              ctx.cancelTimer('retry');
              return self.set('done', done).set('phase', 'done');
            },
          },
          timers: {
            // A Try is late or lost: cancel everything.
            try: (self, ctx) => {
              if (self.phase !== 'trying') return self;
              ctx.broadcast('branch', { type: 'Cancel' });
              if (params.retries > 0) ctx.setTimer('retry');
              return self.set('phase', 'cancelling');
            },
            // Re-send Confirm or Cancel to the branches that have not answered.
            retry: (self, ctx) => {
              if (self.phase !== 'confirming' && self.phase !== 'cancelling') return self;
              const op = self.phase === 'confirming' ? 'Confirm' : 'Cancel';
              for (const b of branches) if (!self.done.has(b)) ctx.send(b, { type: op });
              if (self.retried + 1 < params.retries) ctx.setTimer('retry');
              else return self.set('retried', self.retried + 1).set('phase', 'manual');
              return self.set('retried', self.retried + 1);
            },
          },
        }),
        branch: role({
          ids: branches,
          durable: { available: 1, reserved: 0, sold: 0, ctl: 'none' as Ctl },
          on: {
            Try: (self, _msg, ctx) => {
              const record = variant !== 'no-dedupe';
              if (self.ctl === 'cancelled' && variant !== 'no-anti-hanging') return ctx.reply({ type: 'TryFail' }), self;
              if (record && self.ctl !== 'none' && self.ctl !== 'cancelled') return ctx.reply({ type: 'TryOk' }), self;
              if (self.available < 1) return ctx.reply({ type: 'TryFail' }), self;
              ctx.reply({ type: 'TryOk' });
              return self.set('available', self.available - 1).set('reserved', self.reserved + 1).set('ctl', self.ctl === 'cancelled' ? 'cancelled' : 'tried');
            },
            Confirm: (self, _msg, ctx) => {
              ctx.reply({ type: 'Done' });
              if (variant !== 'no-dedupe' && self.ctl !== 'tried') return self; // done already, or nothing to confirm
              return self.set('reserved', self.reserved - 1).set('sold', self.sold + 1).set('ctl', 'confirmed');
            },
            Cancel: (self, _msg, ctx) => {
              ctx.reply({ type: 'Done' });
              if (self.ctl === 'none' && variant !== 'no-empty-rollback') return self.set('ctl', 'cancelled'); // empty rollback
              if (variant !== 'no-dedupe' && self.ctl === 'cancelled') return self;
              if (self.ctl === 'confirmed') return self;
              return self.set('reserved', self.reserved - 1).set('available', self.available + 1).set('ctl', 'cancelled');
            },
          },
        }),
      },
      invariants: {
        // INV-TCC-Conservation: each unit is available, reserved or sold, never less or more.
        Conservation: {
          holds: (w) => w.every('branch', (b) => b.available + b.reserved + b.sold === 1 && b.available >= 0 && b.reserved >= 0 && b.sold >= 0),
          explain: (w) =>
            w
              .of('branch')
              .filter(({ state: b }) => b.available + b.reserved + b.sold !== 1 || b.reserved < 0 || b.available < 0)
              .map(({ id, state: b }) => `${id}: available ${b.available}, reserved ${b.reserved}, sold ${b.sold} (one unit in all)`)
              .join('; '),
        },
        // INV-TCC-NoMix: no branch sells while another one released its reservation.
        NoMix: (w) => !(w.some('branch', (b) => b.sold > 0) && w.some('branch', (b) => b.ctl === 'cancelled')),
      },
      properties: {
        // INV-TCC-QuiescentNoLeak as liveness: every reservation is eventually confirmed or released,
        // unless the manager gave up and left the transaction to a person.
        NoLeak: { eventually: (w) => w.get('manager', 't').phase === 'manual' || (w.get('manager', 't').phase === 'done' && w.every('branch', (b) => b.reserved === 0)) },
      },
    });
  },
});
