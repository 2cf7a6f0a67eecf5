/**
 * Gray and Lamport's Two-Phase Commit (TwoPhase.tla), written the way a newcomer would write it:
 * the state is a Map of the spec's variables, rmState a Map from RM name to state, and every
 * message a Map({type, rm}) in a Set — the TLA+ records as they are. models/classic/two-phase.ts
 * is the same spec with a Record root, a List and string messages; both give the same states (the
 * published counts: 1,745,408 distinct states for 8 RMs), and `npm run bench` times them side by side.
 */
import { defineModel, spec } from 'faultline';
import { Map, Set } from 'immutable';

type Message = Map<string, string>;
type State = Map<string, unknown>;

const message = (type: string, rm?: string): Message => (rm === undefined ? Map({ type }) : Map({ type, rm }));

export default defineModel({
  name: 'two-phase-natural',
  description: 'Gray and Lamport two-phase commit (TwoPhase.tla), with Maps for records and functions',
  params: { rms: { default: 3, min: 1, description: 'resource managers' } },
  variants: {
    correct: 'as published',
    'commit-without-votes': { description: 'mutant of correct: the TM may commit before every RM has sent Prepared', mutant: true },
    'prepared-as-message': {
      description: 'mutant of correct: TMRcvPrepared adds the Prepared message itself to tmPrepared instead of the RM that sent it',
      mutant: true,
    },
  },
  build: ({ params, variant }) => {
    const RM = Array.from({ length: params.rms }, (_, i) => `r${i + 1}`);
    const rmState = (s: State) => s.get('rmState') as Map<string, string>;
    const tmState = (s: State) => s.get('tmState') as string;
    const tmPrepared = (s: State) => s.get('tmPrepared') as Set<unknown>;
    const msgs = (s: State) => s.get('msgs') as Set<Message>;
    const send = (s: State, m: Message): State => s.set('msgs', msgs(s).add(m));
    const init: State = Map<string, unknown>({
      rmState: Map(RM.map((rm) => [rm, 'working'])),
      tmState: 'init',
      tmPrepared: Set<string>(),
      msgs: Set<Message>(),
    });
    const actions: { [name: string]: (s: State) => State | null } = {
      TMCommit: (s) => (tmState(s) === 'init' && (variant === 'commit-without-votes' || tmPrepared(s).size === RM.length) ? send(s.set('tmState', 'committed'), message('Commit')) : null),
      TMAbort: (s) => (tmState(s) === 'init' ? send(s.set('tmState', 'aborted'), message('Abort')) : null),
    };
    for (const rm of RM) {
      actions[`TMRcvPrepared(${rm})`] = (s) =>
        tmState(s) === 'init' && msgs(s).has(message('Prepared', rm))
          ? s.set('tmPrepared', tmPrepared(s).add(variant === 'prepared-as-message' ? message('Prepared', rm) : rm))
          : null;
      actions[`RMPrepare(${rm})`] = (s) =>
        rmState(s).get(rm) === 'working' ? send(s.setIn(['rmState', rm], 'prepared'), message('Prepared', rm)) : null;
      actions[`RMChooseToAbort(${rm})`] = (s) => (rmState(s).get(rm) === 'working' ? s.setIn(['rmState', rm], 'aborted') : null);
      actions[`RMRcvCommitMsg(${rm})`] = (s) => (msgs(s).has(message('Commit')) ? s.setIn(['rmState', rm], 'committed') : null);
      actions[`RMRcvAbortMsg(${rm})`] = (s) => (msgs(s).has(message('Abort')) ? s.setIn(['rmState', rm], 'aborted') : null);
    }
    return spec({
      init: [init],
      actions,
      invariants: {
        TPTypeOK: (s) =>
          rmState(s).size === RM.length &&
          rmState(s).every((x) => ['working', 'prepared', 'committed', 'aborted'].includes(x)) &&
          ['init', 'committed', 'aborted'].includes(tmState(s)) &&
          tmPrepared(s).every((rm) => typeof rm === 'string' && RM.includes(rm)),
        TCConsistent: (s) => !(rmState(s).includes('aborted') && rmState(s).includes('committed')),
      },
    });
  },
});
