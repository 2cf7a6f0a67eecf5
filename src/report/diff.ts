/**
 * What changed between two states, as paths with before/after values: the step tables of a
 * counterexample show this instead of whole states.
 */
import { type Plain, showPlain } from '../model/values.js';

export interface Change {
  /** Dotted path to the value, e.g. `rmState.r1`; `[]` marks an element of a set-like list. */
  readonly path: string;
  /** 'changed', 'added' (key or set element appeared) or 'removed'. */
  readonly kind: 'changed' | 'added' | 'removed';
  readonly before?: Plain;
  readonly after?: Plain;
}

const isObj = (p: Plain): p is { [k: string]: Plain } => typeof p === 'object' && p !== null && !Array.isArray(p);
const join = (path: string, k: string | number) => (path === '' ? String(k) : typeof k === 'number' ? `${path}[${k}]` : `${path}.${k}`);

/** Differences between two plain values (from `toPlain`), outermost first. */
export function diffPlain(a: Plain, b: Plain, path = ''): Change[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObj(a) && isObj(b)) {
    const out: Change[] = [];
    for (const k of Object.keys(a)) {
      if (!(k in b)) out.push({ path: join(path, k), kind: 'removed', before: a[k]! });
      else out.push(...diffPlain(a[k]!, b[k]!, join(path, k)));
    }
    for (const k of Object.keys(b)) if (!(k in a)) out.push({ path: join(path, k), kind: 'added', after: b[k]! });
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length) {
      // Same length: element-wise (lists indexed by position).
      const out: Change[] = [];
      for (let i = 0; i < a.length; i++) out.push(...diffPlain(a[i]!, b[i]!, join(path, i)));
      if (out.length <= 2) return out;
    }
    // Otherwise as a multiset: what appeared, what went away.
    const key = (p: Plain) => JSON.stringify(p);
    const count = new Map<string, number>();
    for (const x of a) count.set(key(x), (count.get(key(x)) ?? 0) + 1);
    const added: Plain[] = [];
    for (const x of b) {
      const c = count.get(key(x)) ?? 0;
      if (c > 0) count.set(key(x), c - 1);
      else added.push(x);
    }
    const removed = a.filter((x) => {
      const c = count.get(key(x)) ?? 0;
      if (c > 0) {
        count.set(key(x), c - 1);
        return true;
      }
      return false;
    });
    return [...removed.map((x) => ({ path: path || '.', kind: 'removed' as const, before: x })), ...added.map((x) => ({ path: path || '.', kind: 'added' as const, after: x }))];
  }
  return [{ path: path || '.', kind: 'changed', before: a, after: b }];
}

/** One line per change: `rmState[0]: working → prepared`, `msgs: + {type: Commit}`. */
export function showChange(c: Change): string {
  if (c.kind === 'added') return `${c.path}: + ${showPlain(c.after!)}`;
  if (c.kind === 'removed') return `${c.path}: − ${showPlain(c.before!)}`;
  return `${c.path}: ${showPlain(c.before!)} → ${showPlain(c.after!)}`;
}
