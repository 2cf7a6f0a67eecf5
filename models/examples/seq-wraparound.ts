/**
 * Sequence numbers that wrap around: a stop-and-wait sender numbers its messages modulo 2^bits; the
 * receiver must compare them modulo the same number. The `no-wraparound` variant compares them as
 * plain integers: the first message after the wrap looks old, so the receiver acknowledges it as a
 * duplicate without delivering it, and an acknowledged message is lost. With 4 bits that takes 16
 * round trips, 32 steps — deeper than a breadth-first search gets once independent activity
 * (`noise`: monitors ticking on their own) multiplies the states, and where random simulation
 * (`faultline simulate`) shines. The example of docs/simulation.md.
 */
import { defineActorModel, messages, range, system } from 'faultline';

/** The messages: the n-th message with its sequence number, and the acknowledgement of a number. */
type Msg = { type: 'Data'; seq: number; n: number } | { type: 'Ack'; seq: number };
const { role } = messages<Msg>();

export default defineActorModel({
  name: 'seq-wraparound',
  description: 'Stop-and-wait with sequence numbers modulo 2^bits; the receiver must compare them modulo too.',
  params: {
    bits: { default: 4, min: 1, max: 8, description: 'sequence numbers are taken modulo 2^bits' },
    messages: { default: 20, min: 1, max: 300, description: 'messages the sender sends' },
    noise: { default: 0, min: 0, max: 8, description: 'monitors that tick on their own (each multiplies the states by 4)' },
  },
  variants: {
    correct: 'the receiver expects the next sequence number modulo 2^bits',
    'no-wraparound': 'the receiver treats a sequence number not greater than the last one as a duplicate',
  },
  build: ({ params, variant }) => {
    const modulo = 2 ** params.bits;
    return system({
      roles: {
        sender: role({
          ids: ['s'],
          durable: { next: 1, acked: 0 },
          start: (self, ctx) => (ctx.send('r', { type: 'Data', seq: 1 % modulo, n: 1 }), self),
          on: {
            Ack: (self, msg, ctx) => {
              if (msg.seq !== self.next % modulo) return self;
              if (self.next < params.messages) ctx.send('r', { type: 'Data', seq: (self.next + 1) % modulo, n: self.next + 1 });
              return self.set('acked', self.next).set('next', self.next + 1);
            },
          },
        }),
        receiver: role({
          ids: ['r'],
          durable: { expected: 1 % modulo, last: 0, delivered: 0 },
          on: {
            Data: (self, msg, ctx) => {
              const seq = msg.seq;
              ctx.reply({ type: 'Ack', seq });
              const fresh = variant === 'correct' ? seq === self.expected : seq > self.last;
              if (!fresh) return self; // a duplicate: acknowledged again, not delivered
              return self.set('delivered', self.delivered + 1).set('expected', (seq + 1) % modulo).set('last', seq);
            },
          },
        }),
        monitor: role({
          ids: range('m', params.noise),
          durable: { tick: 0 },
          steps: { tick: (self) => self.set('tick', (self.tick + 1) % 4) },
        }),
      },
      invariants: {
        // Every message the sender saw acknowledged was delivered.
        AckedDelivered: {
          holds: (w) => w.get('receiver', 'r').delivered >= w.get('sender', 's').acked,
          explain: (w) => `the sender has ${w.get('sender', 's').acked} messages acknowledged, the receiver delivered ${w.get('receiver', 'r').delivered}`,
        },
      },
    });
  },
});
