/**
 * A counterexample in the form every report draws from: plain JSON states and the trace events
 * of the steps. Built from a check's result, or read back from a saved ITF file.
 */
import type { CheckResult } from '../check/types.js';
import type { TraceEvent } from '../model/trace.js';
import { type Plain, toPlain } from '../model/values.js';

export interface PlainStep {
  readonly action: string | null;
  readonly state: Plain;
  readonly event?: TraceEvent;
}

export interface PlainTrace {
  /** e.g. `two-phase-commit, variant abort-on-timeout`. */
  readonly title: string;
  readonly steps: readonly PlainStep[];
  /** What the last state breaks, if the trace is a counterexample. */
  readonly violation: null | { readonly kind: string; readonly name: string; readonly explanation: string | null };
  /** A liveness lasso: the step the last step returns to. */
  readonly loop?: number | null;
}

export function plainTrace(title: string, r: CheckResult<unknown>): PlainTrace | null {
  const v = r.violation;
  if (!v) return null;
  return {
    title,
    steps: v.trace.map((t) => (t.event ? { action: t.action, state: toPlain(t.state), event: t.event } : { action: t.action, state: toPlain(t.state) })),
    violation: { kind: v.kind, name: v.name, explanation: v.explanation },
    ...(v.loop !== undefined && v.loop !== null ? { loop: v.loop } : {}),
  };
}

/** Escape text for HTML and XML (SVG) content and attribute values. */
export function escapeHtml(s: string): string {
  return visibleControls(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as \n. */
export function dotString(s: string): string {
  return '"' + visibleControls(s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')) + '"';
}

/** Control characters (a NUL in a label, say) as their visible pictures: ␀, ␛ ... (Graphviz and XML refuse them). */
export function visibleControls(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0))).replace(/\u007f/g, '\u2421');
}

/** Cut text to `max` characters with an ellipsis. */
export function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
