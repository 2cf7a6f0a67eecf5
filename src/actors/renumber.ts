/**
 * Renumbering: ballots, terms and epochs only matter relative to each other. A system that
 * declares which fields hold them (`renumber: { fields: ['ballot', 'promised'] }`) has every state
 * shifted down before it is keyed, so that the least of those numbers becomes as small as it can
 * be: states that differ only by such a shift are one state, and a duel that raises ballots for
 * ever becomes a cycle the liveness checker can report.
 *
 * Which numbers count: a positive number held by a field with one of the names — in a node's
 * state, the ghost variables, the history or a message, at any depth; and when such a field holds
 * a Set or List, its numbers, and when it holds a Map, its number keys. 0 and negative numbers
 * mean "none" and stay. The shift is a multiple of `stride` (default 1), so a number's remainder
 * modulo the stride (say, which proposer a ballot belongs to) is kept.
 *
 * Sound only for a protocol that compares these numbers with each other, adds constants to them
 * and tests them against 0 — never against a fixed bound (bound them with `constraint`).
 */
import { isImmutable, isRecord, List, Map as IMap, Set as ISet } from 'immutable';
import { ModelError } from '../model/errors.js';
import { decodeMessage, encodeMessage, type Json } from './messages.js';
import type { Network } from './network.js';
import type { WorldState } from './world.js';

export interface Renumbering {
  /** Names of the fields that hold ballots, terms or epochs. */
  readonly fields: readonly string[];
  /** Shift by multiples of this (default 1). */
  readonly stride?: number;
  /**
   * A bound for exhaustive search: a state whose ordinals span more than this (largest minus
   * least) is beyond the constraint — checked, not explored further.
   */
  readonly spread?: number;
}

type Shift = (n: number) => number;

/** The normal form of a state under shifting (Spec.normalize), and the spread bound (Spec.constraint). */
export function renumberer(def: Renumbering, net: Network): { normalize: (s: WorldState) => WorldState; within: ((s: WorldState) => boolean) | null } {
  if (!def || !Array.isArray(def.fields) || def.fields.some((f) => typeof f !== 'string'))
    throw new ModelError('renumber must be { fields: [field names], stride?: number, spread?: number }');
  const stride = def.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new ModelError(`renumber.stride must be a positive integer, got ${String(def.stride)}`);
  const spread = def.spread;
  if (spread !== undefined && (!Number.isInteger(spread) || spread < 0)) throw new ModelError(`renumber.spread must be a non-negative integer, got ${String(spread)}`);
  const fields = new Set(def.fields);
  const msgRange = new Map<string, readonly [number, number]>();
  const msgShifted = new Map<string, string>();

  /** [least, largest] ordinal of a message ([Infinity, -Infinity] if none). */
  const rangeOfMessage = (key: string): readonly [number, number] => {
    let r = msgRange.get(key);
    if (r === undefined) {
      let lo = Infinity;
      let hi = -Infinity;
      visit(decodeMessage(key).info.body, fields, false, (n) => {
        lo = Math.min(lo, n);
        hi = Math.max(hi, n);
      });
      r = [lo, hi];
      if (msgRange.size >= 200_000) msgRange.clear();
      msgRange.set(key, r);
    }
    return r;
  };
  const shiftMessage = (key: string, by: number): string => {
    const id = `${by} ${key}`;
    let out = msgShifted.get(id);
    if (out === undefined) {
      const { info } = decodeMessage(key);
      const body = rewrite(info.body, fields, false, (n) => n - by) as Record<string, Json>;
      out = body === info.body ? key : encodeMessage(info.from, info.to, { ...body, type: info.type });
      if (msgShifted.size >= 200_000) msgShifted.clear();
      msgShifted.set(id, out);
    }
    return out;
  };
  /** [least, largest] ordinal anywhere in the state. */
  const rangeOf = (s: WorldState): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    const see = (n: number) => {
      lo = Math.min(lo, n);
      hi = Math.max(hi, n);
    };
    for (const v of s.nodes.values()) visit(v, fields, false, see);
    visit(s.ghost, fields, false, see);
    visit(s.history, fields, false, see);
    for (const key of net.all(s.net)) {
      const [a, b] = rangeOfMessage(key);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    return [lo, hi];
  };

  const normalize = (s: WorldState): WorldState => {
    const [lo] = rangeOf(s);
    if (lo === Infinity) return s;
    const by = Math.floor((lo - 1) / stride) * stride;
    if (by <= 0) return s;
    const f: Shift = (n) => n - by;
    return s.merge({
      nodes: s.nodes.map((v) => rewrite(v, fields, false, f)),
      ghost: rewrite(s.ghost, fields, false, f),
      history: rewrite(s.history, fields, false, f) as WorldState['history'],
      net: net.map(s.net, (k) => shiftMessage(k, by)),
    });
  };
  const within =
    spread === undefined
      ? null
      : (s: WorldState): boolean => {
          const [lo, hi] = rangeOf(s);
          return lo === Infinity || hi - lo <= spread;
        };
  return { normalize, within };
}

/** Call `see` on every ordinal in `x`; `named`: x is the value of a named field. */
function visit(x: unknown, fields: ReadonlySet<string>, named: boolean, see: (n: number) => void): void {
  if (typeof x === 'number') {
    if (named && x > 0) see(x);
    return;
  }
  if (typeof x !== 'object' || x === null) return;
  if (isRecord(x)) {
    for (const [k, v] of (x as unknown as { toSeq(): { entries(): Iterable<[string, unknown]> } }).toSeq().entries()) visit(v, fields, fields.has(k), see);
  } else if (IMap.isMap(x)) {
    for (const [k, v] of x as IMap<unknown, unknown>) {
      if (named && typeof k === 'number' && k > 0) see(k);
      visit(v, fields, false, see);
    }
  } else if (List.isList(x) || ISet.isSet(x)) {
    for (const v of x as Iterable<unknown>) visit(v, fields, named, see);
  } else if (isImmutable(x)) throw new ModelError('renumber: states may hold Maps, Sets, Lists and Records of plain values only');
  else if (Array.isArray(x)) for (const v of x) visit(v, fields, named, see);
  else for (const [k, v] of Object.entries(x)) visit(v, fields, fields.has(k), see);
}

/** `x` with every ordinal n replaced by f(n); the same object when nothing changes. */
function rewrite(x: unknown, fields: ReadonlySet<string>, named: boolean, f: Shift): unknown {
  if (typeof x === 'number') return named && x > 0 ? f(x) : x;
  if (typeof x !== 'object' || x === null) return x;
  if (isRecord(x)) {
    let r = x as unknown as { set(k: string, v: unknown): unknown; toSeq(): { entries(): Iterable<[string, unknown]> } };
    for (const [k, v] of r.toSeq().entries()) {
      const w = rewrite(v, fields, fields.has(k), f);
      if (w !== v) r = r.set(k, w) as typeof r;
    }
    return r;
  }
  if (IMap.isMap(x)) {
    const map = x as IMap<unknown, unknown>;
    let changed = false;
    const out = map.mapEntries(([k, v]) => {
      const k2 = named && typeof k === 'number' && k > 0 ? f(k) : k;
      const v2 = rewrite(v, fields, false, f);
      if (k2 !== k || v2 !== v) changed = true;
      return [k2, v2];
    });
    return changed ? out : map;
  }
  if (List.isList(x) || ISet.isSet(x)) {
    const col = x as List<unknown> | ISet<unknown>;
    let changed = false;
    const out = (col as List<unknown>).map((v) => {
      const w = rewrite(v, fields, named, f);
      if (w !== v) changed = true;
      return w;
    });
    return changed ? out : col;
  }
  if (Array.isArray(x)) {
    const out = x.map((v) => rewrite(v, fields, named, f));
    return out.some((v, i) => v !== x[i]) ? out : x;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    const w = rewrite(v, fields, fields.has(k), f);
    if (w !== v) changed = true;
    out[k] = w;
  }
  return changed ? out : x;
}
