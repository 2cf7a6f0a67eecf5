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
import { encodeMessage, type Json } from './codec.js';
import type { Words32 } from './network.js';
import type { System } from './system.js';
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

/** The normal form of a world under shifting (Spec.normalize), and the spread bound (Spec.constraint). */
export interface Renumberer {
  readonly normalize: (s: WorldState) => WorldState;
  readonly within: ((s: WorldState) => boolean) | null;
}

/** [least, largest] ordinal of a value, once per id of a table. */
class Ranges {
  private readonly lo = new Map<number, number>();
  private readonly hi = new Map<number, number>();
  constructor(private readonly valueOf: (id: number) => unknown, private readonly fields: ReadonlySet<string>) {}
  of(id: number, see: (lo: number, hi: number) => void): void {
    let lo = this.lo.get(id);
    if (lo === undefined) {
      let l = Infinity;
      let h = -Infinity;
      visit(this.valueOf(id), this.fields, false, (n) => {
        l = Math.min(l, n);
        h = Math.max(h, n);
      });
      this.lo.set(id, (lo = l));
      this.hi.set(id, h);
    }
    see(lo, this.hi.get(id)!);
  }
}

/** Ids shifted by an amount, once per (amount, id). */
class Shifted {
  private readonly memo = new Map<number, Map<number, number>>();
  constructor(private readonly make: (id: number, by: number) => number) {}
  of(id: number, by: number): number {
    let m = this.memo.get(by);
    if (m === undefined) this.memo.set(by, (m = new Map()));
    let out = m.get(id);
    if (out === undefined) m.set(id, (out = this.make(id, by)));
    return out;
  }
}

export function renumberer(def: Renumbering, sys: System): Renumberer {
  if (!def || !Array.isArray(def.fields) || def.fields.some((f) => typeof f !== 'string'))
    throw new ModelError('renumber must be { fields: [field names], stride?: number, spread?: number }');
  const stride = def.stride ?? 1;
  if (!Number.isInteger(stride) || stride < 1) throw new ModelError(`renumber.stride must be a positive integer, got ${String(def.stride)}`);
  const spread = def.spread;
  if (spread !== undefined && (!Number.isInteger(spread) || spread < 0)) throw new ModelError(`renumber.spread must be a non-negative integer, got ${String(spread)}`);
  const fields = new Set(def.fields);
  const stateRanges = sys.roleNames.map((_, k) => new Ranges((id) => sys.states[k]!.values[id], fields));
  const msgRanges = new Ranges((id) => sys.msgInfo[id]!.info.body, fields);
  const ghostRanges = new Ranges((id) => sys.ghosts.values[id], fields);
  const historyRanges = new Ranges((id) => sys.histories.values[id], fields);
  const shift = (by: number): Shift => (n) => n - by;
  const states = sys.roleNames.map((_, k) => new Shifted((id, by) => sys.states[k]!.id(rewrite(sys.states[k]!.values[id], fields, false, shift(by)))));
  const msgs = new Shifted((id, by) => {
    const { info } = sys.msgInfo[id]!;
    const body = rewrite(info.body, fields, false, shift(by)) as Record<string, Json>;
    return body === info.body ? id : sys.msg(encodeMessage(info.from, info.to, { ...body, type: info.type }));
  });
  const ghosts = new Shifted((id, by) => sys.ghosts.id(rewrite(sys.ghosts.values[id], fields, false, shift(by))));
  const histories = new Shifted((id, by) => sys.histories.id(rewrite(sys.histories.values[id], fields, false, shift(by)) as List<never>));
  const all: number[] = [];

  /** [least, largest] ordinal anywhere in the world. */
  const rangeOf = (w: Words32): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    const see = (a: number, b: number) => {
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    };
    for (let slot = 0; slot < sys.n; slot++) stateRanges[sys.roleIndex[slot]!]!.of(w[slot]!, see);
    ghostRanges.of(w[sys.GHOST]!, see);
    historyRanges.of(w[sys.HISTORY]!, see);
    all.length = 0;
    sys.net.all(w, sys.H, all);
    for (const id of all) msgRanges.of(id, see);
    return [lo, hi];
  };

  const normalize = (p: WorldState): WorldState => {
    const w = p.words;
    const [lo] = rangeOf(w);
    if (lo === Infinity) return p;
    const by = Math.floor((lo - 1) / stride) * stride;
    if (by <= 0) return p;
    const out = sys.scratch;
    out.reset();
    for (let i = 0; i < sys.H; i++) out.push(w[i]!);
    for (let slot = 0; slot < sys.n; slot++) out.a[slot] = states[sys.roleIndex[slot]!]!.of(w[slot]!, by);
    out.a[sys.GHOST] = ghosts.of(w[sys.GHOST]!, by);
    out.a[sys.HISTORY] = histories.of(w[sys.HISTORY]!, by);
    sys.net.map(w, sys.H, (id) => msgs.of(id, by), out);
    return sys.world(out.take());
  };
  const within =
    spread === undefined
      ? null
      : (p: WorldState): boolean => {
          const [lo, hi] = rangeOf(p.words);
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
