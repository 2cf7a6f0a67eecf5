/**
 * Lamport and Gray's transaction commit specification (TCommit.tla, TLA+ Examples): what it
 * means for resource managers to agree on commit or abort, with no protocol yet.
 */
import { defineModel, each, range, spec } from 'faultline';
import { Map } from 'immutable';

type RMState = 'working' | 'prepared' | 'committed' | 'aborted';
type State = Map<string, RMState>; // rmState

export default defineModel({
  name: 'tcommit',
  description: 'Lamport and Gray transaction commit (TCommit.tla)',
  params: { rms: { default: 3, min: 1, description: 'resource managers' } },
  variants: {
    correct: 'as published',
    'unchecked-abort': 'an RM may abort after another has committed (Decide ignores notCommitted)',
    'misspelled-state': {
      description: 'mutant of correct: Prepare writes "Prepared", a state outside the four (a misspelling, forced past TypeScript with a cast)',
      mutant: true,
    },
  },
  build: ({ params, variant }) => {
    const RM = range('r', params.rms);
    const all = (s: State, ok: (x: RMState) => boolean) => RM.every((r) => ok(s.get(r)!));
    const canCommit = (s: State) => all(s, (x) => x === 'prepared' || x === 'committed');
    const notCommitted = (s: State) => variant === 'unchecked-abort' || all(s, (x) => x !== 'committed');
    return spec({
      init: [Map(RM.map((r) => [r, 'working' as RMState]))],
      actions: {
        Prepare: each(RM, (s: State, r) => (s.get(r) === 'working' ? s.set(r, variant === 'misspelled-state' ? ('Prepared' as RMState) : 'prepared') : null)),
        Decide: each(RM, (s: State, r) => {
          const out: State[] = [];
          if (s.get(r) === 'prepared' && canCommit(s)) out.push(s.set(r, 'committed'));
          if ((s.get(r) === 'working' || s.get(r) === 'prepared') && notCommitted(s)) out.push(s.set(r, 'aborted'));
          return out;
        }),
      },
      // Every RM ends committed or aborted with nothing left to do; TCommit.cfg says CHECK_DEADLOCK FALSE.
      deadlock: false,
      invariants: {
        // rmState \in [RM -> {"working", "prepared", "committed", "aborted"}]: the domain too.
        TCTypeOK: (s) => s.size === RM.length && all(s, (x) => ['working', 'prepared', 'committed', 'aborted'].includes(x)),
        TCConsistent: {
          holds: (s) => !(RM.some((r) => s.get(r) === 'aborted') && RM.some((r) => s.get(r) === 'committed')),
          explain: (s) =>
            `${RM.filter((r) => s.get(r) === 'committed').join(', ')} committed while ${RM.filter((r) => s.get(r) === 'aborted').join(', ')} aborted`,
        },
      },
    });
  },
});
