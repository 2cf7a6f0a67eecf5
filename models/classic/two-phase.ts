/**
 * Gray and Lamport's Two-Phase Commit (TwoPhase.tla, TLA+ Examples): a transaction manager (TM)
 * and resource managers (RMs) exchanging messages through a set that only grows, so a message
 * can be received any number of times and loss needs no modelling.
 *
 * A faithful port: the same variables, actions and invariants, with two encodings chosen for
 * speed that are one-to-one with the TLA+ values: rmState, a function of the RMs, is a List
 * indexed by RM number (r1 is index 0); a message record [type |-> "Prepared", rm |-> r1] is the
 * string "Prepared(r1)", and [type |-> "Commit"] is "Commit". Immutable compares strings far
 * faster than maps, and a trace reads the same.
 */
import { defineModel, each, range, spec } from 'faultline';
import { List, Record, Set } from 'immutable';

type RMState = 'working' | 'prepared' | 'committed' | 'aborted';
type TMState = 'init' | 'committed' | 'aborted';
type Message = string;

interface Vars {
  rmState: List<RMState>;
  tmState: TMState;
  tmPrepared: Set<string>;
  msgs: Set<Message>;
}
const State = Record<Vars>({ rmState: List(), tmState: 'init', tmPrepared: Set(), msgs: Set() }, 'TwoPhase');
type State = Record<Vars> & Readonly<Vars>;

const RM_STATES: ReadonlySet<string> = new globalThis.Set(['working', 'prepared', 'committed', 'aborted']);
const TM_STATES: ReadonlySet<string> = new globalThis.Set(['init', 'committed', 'aborted']);
const COMMIT: Message = 'Commit';
const ABORT: Message = 'Abort';

export default defineModel({
  name: 'two-phase',
  description: 'Gray and Lamport two-phase commit (TwoPhase.tla)',
  params: { rms: { default: 3, min: 1, description: 'resource managers' } },
  variants: {
    correct: 'as published',
    'commit-without-votes': 'the TM may commit before every RM has sent Prepared',
    'abort-after-prepare': { description: 'mutant of correct: an RM may choose to abort after it has sent Prepared', mutant: true },
    'prepared-as-message': {
      description: 'mutant of correct: TMRcvPrepared adds the Prepared message itself to tmPrepared instead of the RM that sent it',
      mutant: true,
    },
  },
  build: ({ params, variant }) => {
    const RM = range('r', params.rms);
    const index: { [rm: string]: number } = Object.fromEntries(RM.map((rm, i) => [rm, i]));
    const PREPARED: { [rm: string]: Message } = Object.fromEntries(RM.map((rm) => [rm, `Prepared(${rm})`]));
    const rmAt = (s: State, rm: string) => s.rmState.get(index[rm]!)!;
    const setRm = (s: State, rm: string, x: RMState): State => s.set('rmState', s.rmState.set(index[rm]!, x));
    const send = (s: State, m: Message): State => s.set('msgs', s.msgs.add(m));
    return spec({
      init: [State({ rmState: List(RM.map(() => 'working' as RMState)) }) as State],
      actions: {
        TMCommit: (s: State) =>
          s.tmState === 'init' && (variant === 'commit-without-votes' || s.tmPrepared.size === RM.length)
            ? send(s.set('tmState', 'committed'), COMMIT)
            : null,
        TMAbort: (s: State) => (s.tmState === 'init' ? send(s.set('tmState', 'aborted'), ABORT) : null),
        TMRcvPrepared: each(
          RM,
          (s: State, rm) => (s.msgs.has(PREPARED[rm]!) ? s.set('tmPrepared', s.tmPrepared.add(variant === 'prepared-as-message' ? PREPARED[rm]! : rm)) : null),
          (s) => s.tmState === 'init',
        ),
        RMPrepare: each(RM, (s: State, rm) => (rmAt(s, rm) === 'working' ? send(setRm(s, rm, 'prepared'), PREPARED[rm]!) : null)),
        RMChooseToAbort: each(RM, (s: State, rm) =>
          rmAt(s, rm) === 'working' || (variant === 'abort-after-prepare' && rmAt(s, rm) === 'prepared') ? setRm(s, rm, 'aborted') : null,
        ),
        RMRcvCommitMsg: each(RM, (s: State, rm) => setRm(s, rm, 'committed'), (s) => s.msgs.has(COMMIT)),
        RMRcvAbortMsg: each(RM, (s: State, rm) => setRm(s, rm, 'aborted'), (s) => s.msgs.has(ABORT)),
      },
      invariants: {
        // \A rm \in RM : rmState[rm] \in {...}, and so on, as in TPTypeOK.
        TPTypeOK: (s) =>
          s.rmState.size === RM.length &&
          RM.every((rm) => RM_STATES.has(rmAt(s, rm))) &&
          TM_STATES.has(s.tmState) &&
          s.tmPrepared.every((rm) => rm in index),
        // \A rm1, rm2 \in RM : ~(rmState[rm1] = "aborted" /\ rmState[rm2] = "committed")
        TCConsistent: {
          holds: (s) => !(RM.some((rm) => rmAt(s, rm) === 'aborted') && RM.some((rm) => rmAt(s, rm) === 'committed')),
          explain: (s) => {
            const who = (x: RMState) => RM.filter((rm) => rmAt(s, rm) === x).join(', ');
            return `${who('committed')} committed while ${who('aborted')} aborted`;
          },
        },
      },
    });
  },
});
