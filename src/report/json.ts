/**
 * The stable JSON document of a check (`faultline check --json`), documented in docs/cli.md.
 */
import type { CheckReport, CheckResult, RunInfo } from '../check/types.js';
import { type Plain, toPlain } from '../model/values.js';

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
    trace: { action: string | null; state: Plain }[];
  };
  error?: string;
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
          trace: r.violation.trace.map((t) => ({ action: t.action, state: toPlain(t.state) })),
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
