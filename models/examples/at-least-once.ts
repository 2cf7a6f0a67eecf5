/**
 * At-least-once delivery with retries: a client asks a server to add to a counter and re-sends
 * the request until it is acknowledged. A lost acknowledgement makes the client retry a request
 * the server already applied, so the server must recognise the duplicate (the idempotence rule
 * of docs/notes.md#faults-retry-idempotent) — the `no-dedupe` variant forgets to, and the counter
 * moves twice.
 *
 * The example in docs/actors.md: one client, one server, drops, duplicates, a server crash.
 */
import { defineActorModel, messages, system } from 'faultline';
import { Set as ISet } from 'immutable';

/** The messages: a request to apply increment `id`, and its acknowledgement. */
type Msg = { type: 'Inc'; id: number } | { type: 'Ack'; id: number };
const { role } = messages<Msg>();

export default defineActorModel({
  name: 'at-least-once',
  description: 'A client retries an increment until acknowledged; the server must apply each request once.',
  params: {
    requests: { default: 2, min: 1, max: 4, description: 'increments the client makes, one after another' },
    retries: { default: 1, min: 0, max: 3, description: 'times the client re-sends one request (bounds the state space)' },
  },
  variants: {
    correct: 'the server remembers applied request ids durably and acknowledges duplicates without applying them',
    'no-dedupe': 'the server applies every request it receives: a retry after a lost ack counts twice',
    'volatile-dedupe': 'the server remembers applied ids only in memory: after a crash a retry counts twice',
    'ack-any-id': { description: 'mutant of correct: the client takes any Ack as the acknowledgement of its current request, without matching the request id', mutant: true },
  },
  faults: { drop: 1, duplicate: 1, crash: 1, restart: 1 },
  build: ({ params, variant }) =>
    system({
      roles: {
        client: role({
          ids: ['client'],
          crashes: false,
          durable: { next: 1, acked: 0, retried: 0 },
          start: (self, ctx) => {
            ctx.invoke('inc', 1);
            ctx.send('server', { type: 'Inc', id: 1 });
            if (params.retries > 0) ctx.setTimer('retry');
            return self;
          },
          on: {
            Ack: (self, msg, ctx) => {
              if (msg.id !== self.next && variant !== 'ack-any-id') return self; // a late ack for an earlier request
              ctx.ok('inc', self.next);
              ctx.cancelTimer('retry');
              if (self.next < params.requests) {
                ctx.invoke('inc', self.next + 1);
                ctx.send('server', { type: 'Inc', id: self.next + 1 });
                if (params.retries > 0) ctx.setTimer('retry');
              }
              return self.set('acked', self.next).set('next', self.next + 1).set('retried', 0);
            },
          },
          timers: {
            retry: (self, ctx) => {
              ctx.send('server', { type: 'Inc', id: self.next });
              if (self.retried + 1 < params.retries) ctx.setTimer('retry');
              return self.set('retried', self.retried + 1);
            },
          },
        }),
        server: role({
          ids: ['server'],
          durable: { count: 0, applied: ISet<number>() },
          volatile: { seen: ISet<number>() },
          on: {
            Inc: (self, msg, ctx) => {
              const id = msg.id;
              ctx.reply({ type: 'Ack', id });
              if ((variant === 'correct' || variant === 'ack-any-id') && self.applied.has(id)) return self;
              if (variant === 'volatile-dedupe' && self.seen.has(id)) return self;
              return self.set('count', self.count + 1).set('applied', self.applied.add(id)).set('seen', self.seen.add(id));
            },
          },
        }),
      },
      invariants: {
        // The counter equals the number of distinct requests applied: none counted twice.
        ExactlyOnce: {
          holds: (w) => {
            const s = w.get('server', 'server');
            return s.count === s.applied.size;
          },
          explain: (w) => {
            const s = w.get('server', 'server');
            return `the server's count is ${s.count} but it applied only ${s.applied.size} distinct request(s)`;
          },
        },
        // An acknowledged increment is never lost: the count covers every acked request.
        AckedApplied: (w) => w.get('server', 'server').count >= w.get('client', 'client').acked,
      },
      witnesses: {
        // The happy path: every request acknowledged (`--witness AllAcked`).
        AllAcked: (w) => w.get('client', 'client').acked === params.requests,
        // A request counted twice: reachable in the buggy variants only.
        DoubleCount: (w) => w.get('server', 'server').count > w.get('server', 'server').applied.size,
      },
    }),
});
