/**
 * Traces: every strategy keeps only the way back to a state (ids and choices, graph edges, a walk's
 * choices) and rebuilds the concrete trace here, by expanding each state again and taking one of
 * its successors. States stay concrete (never a symmetric image or a normal form), labels and
 * events come from the model, and a model that does not reproduce its own search is reported.
 */
import { ModelError } from '../model/errors.js';
import type { TraceEvent } from '../model/trace.js';
import { type Compiled, SuccessorBuffer } from './compile.js';
import { actionThrew, where } from './core.js';
import { fpHigh, fpLow } from '../model/fingerprint.js';
import type { StateStore } from './store.js';
import type { TraceStep } from './types.js';

/** A trace step (the event only when there is one). */
export function traceStep<S>(action: string | null, state: S, event: TraceEvent | undefined): TraceStep<S> {
  return event ? { action, state, event } : { action, state };
}

/** The first step of a trace: an initial state, with the model's description of it. */
export function initialStep<S>(model: Compiled<S>, s: S): TraceStep<S> {
  return traceStep(null, s, model.initEvent?.(s));
}

/** Successor `j` of the last expansion into `buf`, as a trace step. */
export function successorStep<S>(model: Compiled<S>, buf: SuccessorBuffer<S>, j: number): TraceStep<S> {
  return traceStep(model.label(buf, j), buf.states[j]!, buf.event(j));
}

/**
 * Which successor to take at step `k` (1-based) from state `from`, whose successors are in `buf`;
 * -1 when the path cannot go on (the trace is then abandoned: `follow` returns null).
 */
export type Pick<S> = (k: number, from: S, buf: SuccessorBuffer<S>) => number;

/**
 * Rebuild a trace of `length` steps from `start`, taking at each step the successor `pick` names
 * (ending early after a step whose state `stop` accepts). With `replaying`, the states were
 * expanded during the search, so an action that throws now means the model is not deterministic;
 * otherwise it is an ordinary model error.
 */
export function follow<S>(model: Compiled<S>, start: S, length: number, pick: Pick<S>, replaying: boolean, stop?: (s: S) => boolean): TraceStep<S>[] | null {
  const trace: TraceStep<S>[] = [initialStep(model, start)];
  const buf = new SuccessorBuffer<S>();
  let s = start;
  for (let k = 1; k <= length; k++) {
    try {
      model.expand(s, buf);
    } catch (e) {
      const err = actionThrew(e, where(-1, k - 1, s));
      if (!replaying) throw err;
      throw new ModelError(`the model is not deterministic: replaying the trace, ${err.message} (it did not during the search)`, err.cause);
    }
    const j = pick(k, s, buf);
    if (j < 0) return null;
    const step = successorStep(model, buf, j);
    trace.push(step);
    s = step.state;
    if (stop?.(s)) break;
  }
  return trace;
}

/** Successor `j`'s key as the pair the store keeps. */
function keyOf<S>(model: Compiled<S>, buf: SuccessorBuffer<S>, j: number): [number, number] {
  model.key(buf.states[j]!);
  return [fpHigh(), fpLow()];
}

/**
 * The trace to state `id` of a breadth-first search: the recorded choices replayed from its
 * initial state, checking that each step reaches the state the search found.
 */
export function replayStored<S>(model: Compiled<S>, store: StateStore, id: number): TraceStep<S>[] {
  const path = store.pathTo(id);
  const start = model.init[store.choice(path[0]!)] as S;
  return follow(
    model,
    start,
    path.length - 1,
    (k, from, buf) => {
      const pid = path[k]!;
      const c = store.choice(pid);
      const ok = c < buf.length && (([hi, lo]) => hi === store.fpHigh(pid) && lo === store.fpLow(pid))(keyOf(model, buf, c));
      if (!ok)
        throw new ModelError(
          `the model is not deterministic: replaying the trace from ${where(path[k - 1]!, k - 1, from)}, successor ${c + 1} is not the state found during the search`,
        );
      return c;
    },
    true,
  )!;
}

/**
 * The trace that takes the successors with these labels, in order, from `start` (up to the first
 * state `stop` accepts, if any); null if a label is not enabled on the way.
 */
export function followLabels<S>(model: Compiled<S>, start: S, labels: readonly string[], stop?: (s: S) => boolean): TraceStep<S>[] | null {
  return follow(model, start, labels.length, (k, _from, buf) => indexOfLabel(model, buf, labels[k - 1]!), false, stop);
}

/** The index of the successor labelled `label` in `buf`, or -1. */
export function indexOfLabel<S>(model: Compiled<S>, buf: SuccessorBuffer<S>, label: string): number {
  for (let i = 0; i < buf.length; i++) if (model.label(buf, i) === label) return i;
  return -1;
}

/** The index of each step of `trace` among its state's successors (for a walk that follows it). */
export function choicesOf<S>(model: Compiled<S>, trace: readonly TraceStep<S>[]): number[] {
  const choices = [model.init.indexOf(trace[0]!.state)];
  follow(model, trace[0]!.state, trace.length - 1, (k, _from, buf) => {
    const j = indexOfLabel(model, buf, trace[k]!.action!);
    choices.push(j < 0 ? buf.length : j);
    return j;
  }, false);
  return choices;
}
