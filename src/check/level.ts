/**
 * The states of a BFS level waiting to be expanded, in order, in the most compact form the states
 * allow: a packed state (an actor model's world) as its words; a state that is an Immutable Record
 * (or a Map of fixed keys) as one small number per field, each naming a distinct field value of the
 * level; anything else as the object itself. Worker threads keep their parts of a level as `Rows`
 * too, and move them to another worker with each field value encoded once.
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
  /**
   * Once every state is taken: an empty level for states like these, which may be this one reusing
   * its memory (so that a search does not allocate, and the system zero and map, a level's room
   * anew at every level).
   */
  recycle(): Level<S>;
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
  recycle(): Level<S> {
    this.q.reset();
    this.size = 0;
    return this;
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
 * How the states of one level are turned into rows of numbers and back: the shape, and a table of
 * distinct values per field. Every Rows of one level shares one (a worker's part of a level, the
 * candidates it keeps); a new level starts a new one, so the values of a level go with it.
 */
class RowCodec<S> {
  readonly n: number;
  /** Words per row: a row is the field numbers, or (first word negative) an index into `Rows.others`. */
  readonly width: number;
  private readonly tables: ValueTable[] = [];
  // The last state's field values and their numbers: siblings share most of them.
  private readonly lastValue: unknown[] = [];
  private readonly lastId: number[] = [];
  private readonly row: unknown[];

  constructor(private readonly shape: Shape | null) {
    this.n = shape === null ? 0 : shape.n;
    this.width = Math.max(1, this.n);
    for (let i = 0; i < this.n; i++) {
      this.tables.push(new ValueTable());
      this.lastValue.push(this);
      this.lastId.push(-1);
    }
    this.row = new Array<unknown>(this.n);
  }

  /** A codec for another level of states of the same shape. */
  fresh(): RowCodec<S> {
    return new RowCodec<S>(this.shape);
  }

  /** Write `s` as a row at `at` of `words`; false if it does not have the shape (nothing written). */
  encode(s: S, words: Int32Array, at: number): boolean {
    const row = this.row;
    if (this.shape === null || !this.shape.fits(s, row)) return false;
    for (let i = 0; i < this.n; i++) {
      const v = row[i];
      if (v !== this.lastValue[i]) {
        fingerprintPart(v);
        this.lastId[i] = this.tables[i]!.id(v, fpHigh(), fpLow());
        this.lastValue[i] = v;
      }
      words[at + i] = this.lastId[i]!;
    }
    return true;
  }

  /** The value numbered `id` of field `i`. */
  value(i: number, id: number): unknown {
    return this.tables[i]!.values[id];
  }

  /** The number of `v` among field `i`'s values (added if new). */
  idOf(i: number, v: unknown): number {
    fingerprintPart(v);
    return this.tables[i]!.id(v, fpHigh(), fpLow());
  }

  decode(words: Int32Array, at: number): S {
    const row = this.row;
    for (let i = 0; i < this.n; i++) row[i] = this.tables[i]!.values[words[at + i]!];
    return this.shape!.build(row) as S;
  }
}

/**
 * States kept as rows of numbers (see the file comment), in order, by index; a state without the
 * level's shape is kept as it is.
 */
export class Rows<S> {
  private words: Int32Array;
  private count = 0;
  private readonly others: (S | undefined)[] = [];
  private readonly width: number;

  private constructor(private readonly codec: RowCodec<S>) {
    this.width = codec.width;
    this.words = new Int32Array(64 * this.width);
  }

  /** Empty rows for states like `first` (a state of the search), with a codec of their own. */
  static like<S>(first: S | undefined): Rows<S> {
    return new Rows<S>(new RowCodec<S>(first instanceof PackedState ? null : shapeOf(first)));
  }

  /** Empty rows with a codec of their own for states like these (another level). */
  fresh(): Rows<S> {
    return new Rows<S>(this.codec.fresh());
  }

  /** Empty rows sharing this one's codec (the same level). */
  empty(): Rows<S> {
    return new Rows<S>(this.codec);
  }

  get length(): number {
    return this.count;
  }

  push(s: S): void {
    const w = this.width;
    this.room();
    const at = this.count * w;
    if (!this.codec.encode(s, this.words, at)) {
      this.words[at] = -1 - this.others.length;
      this.others.push(s);
    }
    this.count++;
  }

  /** Make room for one more row. */
  private room(): void {
    if ((this.count + 1) * this.width > this.words.length) {
      const b = new Int32Array(this.words.length * 2);
      b.set(this.words);
      this.words = b;
    }
  }

  /** Append row `i` of `from`, which shares this one's codec. */
  copy(from: Rows<S>, i: number): void {
    const w = this.width;
    const first = from.words[i * w]!;
    if (first < 0) {
      this.push(from.others[-1 - first]!);
      return;
    }
    this.room();
    for (let k = 0; k < w; k++) this.words[this.count * w + k] = from.words[i * w + k]!;
    this.count++;
  }

  /** The state at `i`. */
  get(i: number): S {
    const at = i * this.width;
    const first = this.words[at]!;
    return first < 0 ? this.others[-1 - first]! : this.codec.decode(this.words, at);
  }

  /** Let the state at `i` go if it is held as an object (it will not be asked for again). */
  release(i: number): void {
    const first = this.words[i * this.width]!;
    if (first < 0) this.others[-1 - first] = undefined;
  }

  /**
   * Rows `start` up to `end` (exclusive), for `import` in another thread; `enc` encodes one value.
   * Values are encoded field by field, then the other states, in order.
   */
  export<E>(start: number, end: number, enc: (x: unknown) => E): ExportedRows<E> {
    const w = this.width;
    const n = this.codec.n;
    const out = new Int32Array((end - start) * w);
    const dense: globalThis.Map<number, number>[] = [];
    const used: number[][] = [];
    for (let i = 0; i < n; i++) {
      dense.push(new globalThis.Map());
      used.push([]);
    }
    const otherStates: S[] = [];
    for (let r = start; r < end; r++) {
      const at = r * w;
      const o = (r - start) * w;
      const first = this.words[at]!;
      if (first < 0) {
        out[o] = -1 - otherStates.length;
        otherStates.push(this.others[-1 - first]!);
        continue;
      }
      for (let i = 0; i < n; i++) {
        const id = this.words[at + i]!;
        let d = dense[i]!.get(id);
        if (d === undefined) {
          d = used[i]!.length;
          dense[i]!.set(id, d);
          used[i]!.push(id);
        }
        out[o + i] = d;
      }
    }
    const values = used.map((ids, i) => ids.map((id) => enc(this.codec.value(i, id))));
    return { count: end - start, rows: out, values, others: otherStates.map(enc) };
  }

  /** Append the rows another thread exported (`dec` decodes one value, in the order they were encoded). */
  import<E>(e: ExportedRows<E>, dec: (x: E) => unknown): void {
    const n = this.codec.n;
    const w = this.width;
    const ids = e.values.map((vs, i) => vs.map((v) => this.codec.idOf(i, dec(v))));
    const others = e.others.map((x) => dec(x) as S);
    for (let r = 0; r < e.count; r++) {
      const at = r * w;
      const first = e.rows[at]!;
      if (first < 0) {
        this.push(others[-1 - first]!);
        continue;
      }
      this.room();
      for (let i = 0; i < n; i++) this.words[this.count * w + i] = ids[i]![e.rows[at + i]!]!;
      this.count++;
    }
  }

  /** Rows `start` up to `end` (exclusive), sharing the codec. */
  slice(start: number, end: number = this.count): Rows<S> {
    const out = this.empty();
    for (let i = start; i < end; i++) out.copy(this, i);
    return out;
  }
}

/**
 * Rows on their way to another thread: each field value they use once (in the sender's encoding),
 * the rows numbering those, and the states without the shape whole.
 */
export interface ExportedRows<E> {
  readonly count: number;
  readonly rows: Int32Array;
  readonly values: E[][];
  readonly others: E[];
}

/** The states of a level as Rows, taken one by one from the first. */
class RowLevel<S> implements Level<S> {
  private next = 0;
  constructor(private readonly rows: Rows<S>) {}
  get size(): number {
    return this.rows.length;
  }
  add(s: S): void {
    this.rows.push(s);
  }
  take(): S {
    const i = this.next++;
    const s = this.rows.get(i);
    this.rows.release(i);
    return s;
  }
  recycle(): Level<S> {
    // The field values are the level's own (so that the old ones can be collected): a new level.
    return new RowLevel<S>(this.rows.fresh());
  }
}

/** An empty level for states like `first` (an initial state of the search). */
export function levelFor<S>(first: S | undefined): Level<S> {
  return first instanceof PackedState ? new PackedLevel<S>(first) : new RowLevel<S>(Rows.like(first));
}
