/**
 * The Die Hard jugs puzzle, a port of DieHard.tla from the TLA+ Examples: with a 5-gallon and a
 * 3-gallon jug and a tap, measure exactly 4 gallons. The "invariant" NotSolved says the big jug
 * never holds 4 gallons; its counterexample is the solution.
 */
import { defineModel, spec } from 'faultline';
import { Map } from 'immutable';

type Jugs = Map<'big' | 'small', number>;

export default defineModel({
  name: 'die-hard',
  description: 'The Die Hard jugs puzzle (DieHard.tla): the counterexample to NotSolved is the solution.',
  params: {
    big: { default: 5, min: 1, description: 'capacity of the big jug (gallons)' },
    small: { default: 3, min: 1, description: 'capacity of the small jug (gallons)' },
    goal: { default: 4, min: 0, description: 'the amount NotSolved says the big jug never holds' },
  },
  // The puzzle itself is the one variant, `default`; the mutant is test-only.
  variants: {
    overfill: { description: 'mutant of default: pouring the small jug into the big one pours all of it, even past the big jug’s capacity', mutant: true },
  },
  build: ({ params, variant }) => {
    const { big: BIG, small: SMALL, goal } = params;
    const jugs = (big: number, small: number): Jugs => Map({ big, small });
    return spec({
      init: [jugs(0, 0)],
      actions: {
        FillSmallJug: (s) => jugs(s.get('big')!, SMALL),
        FillBigJug: (s) => jugs(BIG, s.get('small')!),
        EmptySmallJug: (s) => jugs(s.get('big')!, 0),
        EmptyBigJug: (s) => jugs(0, s.get('small')!),
        SmallToBig: (s) => {
          const pour = variant === 'overfill' ? s.get('small')! : Math.min(s.get('small')!, BIG - s.get('big')!);
          return jugs(s.get('big')! + pour, s.get('small')! - pour);
        },
        BigToSmall: (s) => {
          const pour = Math.min(s.get('big')!, SMALL - s.get('small')!);
          return jugs(s.get('big')! - pour, s.get('small')! + pour);
        },
      },
      invariants: {
        TypeOK: (s) => s.get('big')! >= 0 && s.get('big')! <= BIG && s.get('small')! >= 0 && s.get('small')! <= SMALL,
        NotSolved: {
          holds: (s) => s.get('big') !== goal,
          explain: (s) => `the big jug holds ${s.get('big')} gallons`,
        },
      },
    });
  },
});
