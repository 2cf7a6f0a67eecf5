/**
 * Interning (hash-consing): every distinct value — a node's state, a message, the ghost variables,
 * a history — gets a small integer id the first time it is seen, and equal values (Immutable.is)
 * get the same id. A packed world is then a few of these ids; the values themselves live here
 * once each, with their content fingerprints (which, unlike ids, are the same in every thread).
 */
import { is } from 'immutable';
import { fingerprint, fpHigh, fpLow } from '../model/fingerprint.js';
import { noteRecords } from '../model/records.js';
import { toPlain } from '../model/values.js';

/**
 * Equal values: Immutable.is, or — for values holding plain arrays or objects, which `is` compares
 * by identity — the same plain JSON.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return is(a, b) || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b)));
}

/** Values numbered by content. */
export class Interner<T> {
  readonly values: T[] = [];
  /** The content fingerprint of each id, high and low 32 bits (signed). */
  readonly hi: number[] = [];
  readonly lo: number[] = [];
  // 53 bits of the fingerprint → the id, or the ids that share those bits.
  private readonly index = new Map<number, number | number[]>();

  constructor(private readonly equal: (a: T, b: T) => boolean = sameValue) {}

  get size(): number {
    return this.values.length;
  }

  /** The id of `v`, numbering it if it is new. */
  id(v: T): number {
    fingerprint(v);
    const hi = fpHigh();
    const lo = fpLow();
    const k = (hi >>> 11) * 0x100000000 + lo;
    const hit = this.index.get(k);
    if (hit !== undefined) {
      if (typeof hit === 'number') {
        if (this.equal(this.values[hit]!, v)) return hit;
      } else for (const id of hit) if (this.equal(this.values[id]!, v)) return id;
    }
    const id = this.values.length;
    noteRecords(v); // a worker thread may have to rebuild Records of these types (model/records.ts)
    this.values.push(v);
    this.hi.push(hi | 0);
    this.lo.push(lo | 0);
    if (hit === undefined) this.index.set(k, id);
    else this.index.set(k, typeof hit === 'number' ? [hit, id] : [...hit, id]);
    return id;
  }
}

/** A memo from pairs (an id, a small integer code) to a value: a row per id, a Map of codes per row. */
export class PairMemo<V> {
  private readonly rows: (Map<number, V> | undefined)[] = [];
  get(id: number, code: number): V | undefined {
    const row = this.rows[id];
    return row === undefined ? undefined : row.get(code);
  }
  set(id: number, code: number, v: V): V {
    let row = this.rows[id];
    if (row === undefined) {
      while (this.rows.length < id) this.rows.push(undefined);
      this.rows[id] = row = new Map();
    }
    row.set(code, v);
    return v;
  }
}
