/**
 * Types that catch modelling mistakes, checked by `tsc` (the first step of `npm test`): a line
 * marked @ts-expect-error that type-checks fails the build, and so does an expectTypeOf that does
 * not hold.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { check, defineActorModel, defineModel, messages, role, system } from '../src/index.js';

describe('typed params', () => {
  it('a string param with choices is the union of its choices; others are number, boolean, string', () => {
    defineModel({
      name: 'typed',
      params: { network: { default: 'fifo', choices: ['fifo', 'unordered'] }, n: { default: 2 }, on: { default: true }, label: { default: 'a' } },
      variants: { correct: 'the first', other: { description: 'the second', params: { network: 'unordered' } } },
      build: ({ params }) => {
        expectTypeOf(params.network).toEqualTypeOf<'fifo' | 'unordered'>();
        expectTypeOf(params.n).toEqualTypeOf<number>();
        expectTypeOf(params.on).toEqualTypeOf<boolean>();
        expectTypeOf(params.label).toEqualTypeOf<string>();
        return { init: [0], actions: {} };
      },
    });
  });

  it("a variant's own defaults are typed by the params they set (and checked again when the model is defined)", () => {
    const build = () => ({ init: [0], actions: {} });
    expect(() =>
      defineModel({
        name: 'typed',
        params: { network: { default: 'fifo', choices: ['fifo', 'unordered'] } },
        // @ts-expect-error -- 'lossy' is not one of network's choices
        variants: { correct: 'the first', other: { description: 'the second', params: { network: 'lossy' } } },
        build,
      }),
    ).toThrow(/must be one of fifo, unordered, got "lossy"/);
  });

  it('the same in a message-passing model, whose network option takes the param without a cast', () => {
    defineActorModel({
      name: 'typed-actors',
      params: { network: { default: 'fifo', choices: ['fifo', 'unordered'] } },
      build: ({ params }) => system({ network: params.network, roles: { n: role({ ids: ['n1'], durable: { x: 0 } }) } }),
    });
  });
});

describe('typed messages', () => {
  type Msg = { type: 'Ping'; n: number } | { type: 'Pong'; n: number };
  const typed = messages<Msg>();
  const model = defineActorModel({
    name: 'ping-pong',
    build: () =>
      system({
        roles: {
          pinger: typed.role({
            ids: ['a'],
            durable: { got: 0 },
            start: (self, ctx) => {
              ctx.send('b', { type: 'Ping', n: 1 });
              // @ts-expect-error -- no message of type Pign
              if (self.got < 0) ctx.send('b', { type: 'Pign', n: 1 });
              // @ts-expect-error -- a Ping's n is a number
              if (self.got < 0) ctx.send('b', { type: 'Ping', n: '1' });
              return self;
            },
            on: {
              Pong: (self, msg) => {
                expectTypeOf(msg).toEqualTypeOf<{ type: 'Pong'; n: number }>();
                return self.set('got', msg.n);
              },
            },
          }),
          ponger: typed.role({
            ids: ['b'],
            durable: {},
            on: {
              Ping: (self, msg, ctx) => {
                ctx.reply({ type: 'Pong', n: msg.n + 1 });
                return self;
              },
              // @ts-expect-error -- a handler for a message the system does not have
              Pogn: (self) => self,
            },
          }),
        },
        invariants: { Small: (w) => w.get('pinger', 'a').got <= 2 },
      }),
  });

  it('a role made by messages<M>() runs like any role', async () => {
    const r = await check(model);
    // start (Ping in flight), Ping delivered (Pong in flight), Pong delivered: 3 states.
    expect(r).toMatchObject({ result: 'ok', complete: true, stats: { distinctStates: 3 } });
  });
});
