/** What the commands share: exit codes, option parsing, the progress line. */
import type { Argv } from 'yargs';
import type { CheckResult, Limits, Progress } from '../check/types.js';
import { UsageError } from '../model/errors.js';
import { formatDuration } from '../report/text.js';

/** Exit codes, as TLC's: 0 nothing found, 12 invariant violated, 11 deadlock, 13 liveness, 1 usage or model error. */
export const EXIT = { ok: 0, error: 1, deadlock: 11, violation: 12, liveness: 13 } as const;

export function exitCodeOf(r: CheckResult<unknown>, witness?: string): number {
  // A witness search succeeds when it finds its example; not finding it is the failure.
  if (witness) return r.result === 'witness' ? EXIT.ok : r.result === 'deadlock' ? EXIT.deadlock : EXIT.violation;
  return r.result === 'violation' ? EXIT.violation : r.result === 'deadlock' ? EXIT.deadlock : r.result === 'liveness' ? EXIT.liveness : EXIT.ok;
}

/** A command: its yargs usage, description and options, and what it does (returning the exit code). */
export interface Command<A> {
  readonly usage: string;
  /** false: a command for faultline's own use, not listed in --help. */
  readonly describe: string | false;
  readonly options: (y: Argv) => Argv;
  readonly run: (args: A) => Promise<number>;
}

/** `--variant`, `--param` and `--faults`: which run of a model a command works on. */
export function modelRunOptions(y: Argv, variant = 'variant to check (default: the first)'): Argv {
  return y
    .option('variant', { type: 'string', describe: variant })
    .option('param', { type: 'string', array: true, describe: 'override a parameter: --param rms=4 (repeatable)' })
    .option('faults', { type: 'string', array: true, describe: 'fault budgets: --faults crash=1,restart=1,drop=2 (see faultline list)' });
}

/** `--param k=v` (repeatable, or comma-separated) → an object of raw strings. */
export function parseParams(raw: readonly string[] | undefined, option = 'param'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw ?? []) {
    for (const part of String(item).split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${option} expects name=value, got "${part}"`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

/** A number option that must be ≥ 0 (undefined when not given). */
export function nonNegative(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`--${name} expects a non-negative number, got ${String(v)}`);
  return v;
}

/** A whole-number option that must be at least `min` (undefined when not given). */
export function wholeAtLeast(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`--${name} expects a whole number of at least ${min}, got ${String(v)}`);
  return v;
}

/** `--max-depth`, `--max-states`, `--time-limit` (seconds) as Limits. */
export function limitsOf(a: { maxDepth?: number; maxStates?: number; timeLimit?: number; maxMemory?: number; actionTimeout?: number }, signal?: AbortSignal): Limits {
  const actionTimeout = nonNegative('action-timeout', a.actionTimeout);
  const maxDepth = nonNegative('max-depth', a.maxDepth);
  const maxStates = nonNegative('max-states', a.maxStates);
  const timeLimit = nonNegative('time-limit', a.timeLimit);
  const maxMemory = nonNegative('max-memory', a.maxMemory);
  return {
    ...(signal ? { signal } : {}),
    ...(maxMemory !== undefined ? { maxMemoryBytes: maxMemory * 1024 * 1024 } : {}),
    ...(actionTimeout !== undefined ? { actionTimeoutMs: actionTimeout * 1000 } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
  };
}

/**
 * Run `work` with SIGINT and SIGTERM turned into an abort of the signal it gets: the search then
 * ends with what it found so far (stopReason "interrupted"). A second signal ends the process.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    ac.abort();
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${sig}: stopping, with what was found so far (again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The progress line on stderr, refreshed in place. */
export function printProgress(p: Progress): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const line = `  ${n(p.distinctStates)} distinct, ${n(p.generatedStates)} generated, depth ${p.depth}, ${n(p.queued)} queued, ${formatDuration(p.elapsedMs)}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
}

/** Clear the progress line (if one was printed). */
export function clearProgress(durationMs: number): void {
  if (durationMs >= 1000 && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
