/**
 * The states of a BFS level waiting to be expanded, in order, in the most compact form the states
 * allow: a packed state (an actor model's world) as its words; a state that is an Immutable Record
 * as one small number per field, each naming a distinct field value of the level; anything else as
 * the object itself.
 *
 * Why the Record form: a level of plain states used to hold each state as its objects (the Record,
 * its value list, the lists and sets it changed), about 650 bytes a state on TwoPhase, all of them
 * surviving until the next level and so promoted to the old generation, where the garbage
 * collector lets the heap grow to several times what is alive. Most fields of most states of a
 * level repeat values other states hold too (TwoPhase with 9 RMs: 1.5 million states in its widest
 * level, a few thousand distinct rmState lists), so the level keeps each distinct value once and
 * the states as rows of numbers; the successors the model builds die young.
 *
 * A field value is looked up by its fingerprint and taken for one already kept only if the two are
 * built alike (`sameLayout`): equal, and giving their members in the same order, so that the state
 * taken out behaves exactly as the one put in — the actions meet a Set's members in the same order,
 * and a trace replayed from the initial state takes the same successors. The values of a level are
 * let go with it.
 */
import { is, isImmutable, isKeyed, isMap, isOrdered, isRecord, List, Map as IMap } from 'immutable';
import { fingerprintPart, fpHigh, fpLow } from '../model/fingerprint.js';
import { PackedState, WordQueue } from '../model/values.js';

export interface Level<S> {
  readonly size: number;
  add(s: S): void;
  /** The next state, in the order added; the level lets it go. */
  take(): S;
}

class ArrayLevel<S> implements Level<S> {
  private readonly a: (S | undefined)[] = [];
  private i = 0;
  get size(): number {
    return this.a.length;
  }
  add(s: S): void {
    this.a.push(s);
  }
  take(): S {
    const s = this.a[this.i]!;
    this.a[this.i++] = undefined;
    return s;
  }
}

/** Packed states kept as words (about a third of the memory of the states themselves). */
class PackedLevel<S> implements Level<S> {
  private readonly q = new WordQueue();
  size = 0;
  constructor(private readonly template: PackedState) {}
  add(s: S): void {
    (s as unknown as PackedState).writeTo(this.q);
    this.size++;
  }
  take(): S {
    return this.template.readFrom(this.q) as unknown as S;
  }
}

/**
 * Distinct values by fingerprint, each numbered from 0 in the order first added. A value is taken
 * for one already there only if it is laid out the same (`sameLayout`), not merely equal: a Set's
 * order of iteration is the order its members were added, and a model that iterates one must meet
 * its members in the same order when the state is replayed.
 */
class ValueTable {
  private hi = new Uint32Array(256);
  private lo = new Uint32Array(256);
  private slots = new Int32Array(512); // id + 1, 0 = empty
  readonly values: unknown[] = [];

  /** The number of `x`, whose fingerprint is (hi, lo); added if new. */
  id(x: unknown, hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const e = this.slots[slot]!;
      if (e === 0) break;
      if (this.lo[e - 1] === lo && this.hi[e - 1] === hi && sameLayout(this.values[e - 1], x)) return e - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.values.length;
    this.values.push(x);
    if (id === this.hi.length) {
      const h = new Uint32Array(id * 2);
      h.set(this.hi);
      this.hi = h;
      const l = new Uint32Array(id * 2);
      l.set(this.lo);
      this.lo = l;
    }
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.slots[slot] = id + 1;
    if (2 * (id + 1) > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.values.length; id++) {
      let slot = (this.lo[id]! ^ Math.imul(this.hi[id]!, 0x9e3779b1)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** The items of a collection or plain value in the order it gives them (keys and values alternating where keyed). */
function itemsOf(x: object): unknown[] | null {
  const out: unknown[] = [];
  if (isImmutable(x)) {
    if (isRecord(x)) {
      const values = (x as unknown as RecordLayout)._values;
      if (values === undefined) return null;
      for (let i = 0; i < values.size; i++) out.push(values.get(i));
    } else if (isKeyed(x)) (x as unknown as IMap<unknown, unknown>).forEach((v, k) => void out.push(k, v));
    else (x as unknown as List<unknown>).forEach((v) => void out.push(v));
    return out;
  }
  if (Array.isArray(x)) return x as unknown[];
  const proto = Object.getPrototypeOf(x) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  for (const k in x) out.push(k, (x as { [k: string]: unknown })[k]);
  return out;
}

/**
 * Whether `a` and `b` are equal and built alike: the same kinds of collections all the way down,
 * giving their members in the same order. (A collection this does not know is only the same as
 * itself.)
 */
export function sameLayout(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const x = itemsOf(a);
  const y = x === null ? null : itemsOf(b);
  if (x === null || y === null || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameLayout(x[i], y[i])) return false;
  return true;
}

/**
 * How a level reads a state as a row of field values and makes it again: every state of the
 * search that `fits` is rebuilt by `build` equal to itself, with the same layout (the same
 * iteration order, defaults kept as defaults).
 */
interface Shape {
  readonly n: number;
  /** Fill `row` with the state's field values; false if it does not have this shape. */
  fits(s: unknown, row: unknown[]): boolean;
  build(row: readonly unknown[]): unknown;
}

/** What Immutable's Record instances hold (the layout hashRecord in fingerprint.ts relies on too). */
interface RecordLayout {
  readonly _keys: readonly string[];
  readonly _values: { readonly size: number; get(i: number): unknown } | undefined;
  readonly __ownerID: unknown;
}

/** Records of one type: the row is the record's value list (undefined where a field has its default). */
class RecordShape implements Shape {
  constructor(
    private readonly proto: object,
    readonly n: number,
  ) {}
  fits(s: unknown, row: unknown[]): boolean {
    const r = s as RecordLayout;
    const values = r._values;
    if (Object.getPrototypeOf(s) !== this.proto || values === undefined || values.size !== this.n || r.__ownerID !== undefined) return false;
    for (let i = 0; i < this.n; i++) row[i] = values.get(i);
    return true;
  }
  build(row: readonly unknown[]): unknown {
    const r = Object.create(this.proto) as { _values: unknown; __ownerID: unknown };
    r._values = List(row);
    r.__ownerID = undefined;
    return r;
  }
}

/** Maps with the same keys in the same order (a state written as a Map of its variables). */
class MapShape implements Shape {
  readonly n: number;
  constructor(private readonly keys: readonly unknown[]) {
    this.n = keys.length;
  }
  fits(s: unknown, row: unknown[]): boolean {
    if (!isMap(s) || isOrdered(s)) return false;
    const m = s as IMap<unknown, unknown>;
    if (m.size !== this.n) return false;
    let i = 0;
    let ok = true;
    const keys = this.keys;
    m.forEach((v, k) => {
      if (k !== keys[i]) return (ok = false);
      row[i++] = v;
      return true;
    });
    return ok;
  }
  build(row: readonly unknown[]): unknown {
    const e = new Array<[unknown, unknown]>(this.n);
    for (let i = 0; i < this.n; i++) e[i] = [this.keys[i], row[i]];
    return IMap(e);
  }
}

/** The shape of `x` and of the states like it, if it has one this module knows and keeps. */
function shapeOf(x: unknown): Shape | null {
  let shape: Shape | null = null;
  if (isRecord(x)) {
    const r = x as unknown as RecordLayout;
    if (Array.isArray(r._keys) && r._values !== undefined && r._values.size === r._keys.length && r.__ownerID === undefined)
      shape = new RecordShape(Object.getPrototypeOf(x) as object, r._keys.length);
  } else if (isMap(x) && !isOrdered(x)) {
    const m = x as IMap<unknown, unknown>;
    if (m.size > 0 && m.size <= 64) shape = new MapShape([...m.keys()]);
  }
  if (shape === null) return null;
  // Rebuilt from its row, the state must be equal to itself: else the layout is not the one assumed.
  const row: unknown[] = [];
  if (!shape.fits(x, row)) return null;
  const copy = shape.build(row);
  const again: unknown[] = [];
  return is(copy, x) && shape.fits(copy, again) && again.every((v, i) => v === row[i]) ? shape : null;
}

/**
 * States of one shape, each kept as the numbers of its field values (see the file comment); a
 * state of another shape is kept as it is.
 */
class FieldLevel<S> implements Level<S> {
  private readonly q = new WordQueue();
  private readonly tables: ValueTable[] = [];
  private readonly others: (S | undefined)[] = [];
  private readonly n: number;
  // The last state's field values and their numbers: siblings share most of them.
  private readonly lastValue: unknown[] = [];
  private readonly lastId: number[] = [];
  private readonly row: unknown[];
  size = 0;

  constructor(private readonly shape: Shape) {
    this.n = shape.n;
    for (let i = 0; i < this.n; i++) {
      this.tables.push(new ValueTable());
      this.lastValue.push(this);
      this.lastId.push(-1);
    }
    this.row = new Array<unknown>(this.n);
  }

  add(s: S): void {
    this.size++;
    const row = this.row;
    if (!this.shape.fits(s, row)) {
      this.q.push(-1 - this.others.length);
      this.others.push(s);
      return;
    }
    for (let i = 0; i < this.n; i++) {
      const v = row[i];
      if (v !== this.lastValue[i]) {
        fingerprintPart(v);
        this.lastId[i] = this.tables[i]!.id(v, fpHigh(), fpLow());
        this.lastValue[i] = v;
      }
      this.q.push(this.lastId[i]!);
    }
  }

  take(): S {
    const first = this.q.shift();
    if (first < 0) {
      const s = this.others[-1 - first]!;
      this.others[-1 - first] = undefined;
      return s;
    }
    const row = this.row;
    row[0] = this.tables[0]!.values[first];
    for (let i = 1; i < this.n; i++) row[i] = this.tables[i]!.values[this.q.shift()];
    return this.shape.build(row) as S;
  }
}

/** An empty level for states like `first` (an initial state of the search). */
export function levelFor<S>(first: S | undefined): Level<S> {
  if (first instanceof PackedState) return new PackedLevel<S>(first);
  const shape = shapeOf(first);
  return shape !== null ? new FieldLevel<S>(shape) : new ArrayLevel<S>();
}
