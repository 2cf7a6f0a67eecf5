/**
 * The stable JSON document of a check (`faultline check --json`), documented in docs/cli.md.
 */
import type { CheckReport, CheckResult, RunInfo } from '../check/types.js';
import type { MessageInfo, TraceEvent, TraceEventKind } from '../model/trace.js';
import { type Plain, toPlain } from '../model/values.js';
import { Spelling } from './spell.js';

/** What the regression files expect of a run (src/cli/expectations.ts): in a report's result.json. */
export interface ExpectedJson {
  /** ok, violation, deadlock, witness or liveness. */
  result: string;
  /** The property broken (or the witness found). */
  property?: string;
  /** `safety`: the case skips the liveness pass, so it says nothing about liveness. */
  scope?: 'safety';
  /** The regression file and the case's name. */
  spec: string;
  case: string;
}

/** A message in a JSON event: as the trace event has it, with its spelling (`text`) in place of the engine's key. */
export interface MessageJson {
  from: string;
  to: string;
  type: string;
  body: { readonly [field: string]: unknown };
  /** `s1→s2 RequestVote {term: 1, lastIndex: 0, lastTerm: 0}`. */
  text: string;
  lost?: string;
}

/** A step's trace event in the JSON document: the TraceEvent's fields, its messages as MessageJson. */
export type EventJson = { readonly kind: TraceEventKind } & { readonly [field: string]: unknown };

/** The document: what was checked (RunInfo's fields), then what was found. */
export interface CheckJson extends RunInfo {
  result: 'ok' | 'violation' | 'deadlock' | 'witness' | 'liveness' | 'error';
  complete: boolean;
  stopReason: string | null;
  stats: {
    distinctStates: number;
    generatedStates: number;
    diameter: number;
    durationMs: number;
    statesPerSecond: number;
    collisionProbability: number;
    peakMemoryBytes: number;
    actions: { name: string; fault: boolean; generated: number; distinct: number }[];
  } | null;
  violation: null | {
    kind: 'invariant' | 'deadlock' | 'witness' | 'liveness';
    /** A liveness lasso: the step the last step returns to. */
    loop?: number;
    name: string;
    explanation: string | null;
    length: number;
    /** Each step: its action (messages spelled as in the reports), the state, and what happened (for models that describe their steps). */
    trace: { action: string | null; state: Plain; event?: EventJson }[];
  };
  error?: string;
  /** In a report's result.json: what the regression files expect of this run, when a case matches it. */
  expected?: ExpectedJson;
}

function messageJson(m: MessageInfo & { lost?: string }, sp: Spelling): MessageJson {
  return { from: m.from, to: m.to, type: m.type, body: m.body, text: sp.message(m), ...(m.lost ? { lost: m.lost } : {}) };
}

/** A trace event with each message spelled out, the engine's key left out. */
export function eventJson(e: TraceEvent, sp: Spelling): EventJson {
  const out: { [field: string]: unknown } = { ...e };
  if ('message' in e) out.message = messageJson(e.message, sp);
  if ('sends' in e) out.sends = e.sends.map((m) => messageJson(m, sp));
  if (e.kind === 'crash') out.lost = e.lost.map((m) => messageJson(m, sp));
  return out as EventJson;
}

/** A trace's steps as the JSON document writes them. */
function traceJson(trace: NonNullable<CheckResult<unknown>['violation']>['trace']): NonNullable<CheckJson['violation']>['trace'] {
  const steps = trace.map((t) => ({ action: t.action, state: toPlain(t.state), ...(t.event ? { event: t.event } : {}) }));
  const sp = new Spelling({ steps });
  return steps.map((s) => ({ action: sp.action(s), state: s.state, ...(s.event ? { event: eventJson(s.event, sp) } : {}) }));
}


/** The JSON document of a check: what `--json` prints (of a CheckReport, or of its two halves). */
export function checkJson(info: RunInfo, r: CheckResult<unknown> = info as CheckReport<unknown>): CheckJson {
  const s = r.stats;
  return {
    model: info.model,
    ...(info.file ? { file: info.file } : {}),
    variant: info.variant,
    params: info.params,
    ...(info.faults ? { faults: info.faults } : {}),
    ...(info.witness ? { witness: info.witness } : {}),
    result: r.result,
    complete: r.complete,
    stopReason: r.stopReason,
    stats: {
      distinctStates: s.distinctStates,
      generatedStates: s.generatedStates,
      diameter: s.diameter,
      durationMs: Math.round(s.durationMs),
      statesPerSecond: s.statesPerSecond,
      collisionProbability: s.collisionProbability,
      peakMemoryBytes: s.peakMemoryBytes,
      actions: s.actions.map((a) => ({ ...a })),
    },
    violation: r.violation
      ? {
          kind: r.violation.kind,
          name: r.violation.name,
          explanation: r.violation.explanation,
          length: r.violation.trace.length - 1,
          ...(r.violation.loop !== undefined && r.violation.loop !== null ? { loop: r.violation.loop } : {}),
          trace: traceJson(r.violation.trace),
        }
      : null,
  };
}

export function errorJson(info: Partial<RunInfo>, message: string): CheckJson {
  return {
    model: info.model ?? '',
    ...(info.file ? { file: info.file } : {}),
    variant: info.variant ?? '',
    params: info.params ?? {},
    result: 'error',
    complete: false,
    stopReason: null,
    stats: null,
    violation: null,
    error: message,
  };
}
