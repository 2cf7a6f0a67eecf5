/**
 * Types that catch modelling mistakes, checked by `tsc` (the first step of `npm test`): a line
 * marked @ts-expect-error that type-checks fails the build, and so does an expectTypeOf that does
 * not hold.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineActorModel, defineModel, role, system } from '../src/index.js';

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
