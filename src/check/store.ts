/**
 * The seen-state store: every distinct state the explorer has found, as a 64-bit fingerprint plus
 * the way back to an initial state (parent id and the index of the successor that led here).
 *
 * States get consecutive ids in the order they are found. Everything lives in typed arrays: 16
 * bytes per state plus an open-addressing table of 4-byte slots kept at most half full, so there
 * is no limit from V8's Map/Set (2^24 entries) and no per-state object for the GC to trace.
 * States themselves are not kept; a trace is rebuilt by replaying the recorded choices.
 */
export const NO_PARENT = -1;

/**
 * The store's arrays live in growable SharedArrayBuffers where the platform has them (shared with
 * worker threads or not), with room for 2^29 entries — address space, not memory. A doubling then
 * grows the buffer where it is and makes a new view of it: no copy, and no old array outliving it
 * (with copies, a worker let go of an old array only when its collector ran, which made two workers
 * on a 10-million-state search hold about 190 MB of old arrays). The views are of a fixed length: a
 * view that follows a growable buffer's length is many times slower to index in V8 (measured: 17×
 * on a loop of random reads and writes), one of a fixed length as fast as a plain array.
 */
const ROOM = 2 ** 31;
interface Growable {
  readonly growable?: boolean;
  readonly maxByteLength?: number;
  grow?(bytes: number): void;
}
function growableBuffer(bytes: number): SharedArrayBuffer {
  try {
    return new (SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer)(bytes, { maxByteLength: ROOM });
  } catch {
    return new SharedArrayBuffer(bytes);
  }
}
/** `a`'s buffer grown in place to `n` entries, if it can grow and has room; else null. */
function grownInPlace(a: Uint32Array | Int32Array, n: number): SharedArrayBuffer | null {
  const b = a.buffer as unknown as Growable;
  if (b.growable !== true || b.grow === undefined || n * 4 > (b.maxByteLength ?? 0)) return null;
  b.grow(n * 4);
  return a.buffer as SharedArrayBuffer;
}
const u32 = (b: SharedArrayBuffer, n: number) => new Uint32Array(b, 0, n);
const i32 = (b: SharedArrayBuffer, n: number) => new Int32Array(b, 0, n);

export class StateStore {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private parents: Int32Array;
  private choices: Uint32Array;
  private table: Int32Array; // id + 1 per slot, 0 = empty
  private mask: number;
  private count = 0;
  /** The id of the fingerprint the last `add` found already here (when it returned -1). */
  seen = -1;

  /**
   * Worker threads can look fingerprints up in the store's arrays (`view()`) while this thread is
   * not adding any: they are SharedArrayBuffers.
   */
  constructor(initialCapacity = 1 << 14) {
    let cap = 1024;
    while (cap < initialCapacity) cap <<= 1;
    this.hi = u32(growableBuffer(cap * 4), cap);
    this.lo = u32(growableBuffer(cap * 4), cap);
    this.parents = i32(growableBuffer(cap * 4), cap);
    this.choices = u32(growableBuffer(cap * 4), cap);
    this.table = i32(growableBuffer(cap * 8), cap * 2);
    this.mask = cap * 2 - 1;
  }

  /** The shared arrays, for `seenIn` in another thread (valid until the store next grows, when a new view is taken). */
  view(): StoreView {
    return { hi: this.hi, lo: this.lo, table: this.table, mask: this.mask };
  }

  get size(): number {
    return this.count;
  }

  /**
   * Add a fingerprint if it is new. Returns its new id, or -1 if it was seen before
   * (its id is then in `seen`).
   * `parent` is the id of the state it was reached from (NO_PARENT for an initial state) and
   * `choice` the index of the successor (or of the initial state) that produced it.
   */
  add(hi: number, lo: number, parent: number, choice: number): number {
    const table = this.table;
    const mask = this.mask;
    // The low word is already well mixed; the high word breaks ties in the probe sequence start.
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const entry = table[slot]!;
      if (entry === 0) break;
      const id = entry - 1;
      if (this.lo[id] === lo && this.hi[id] === hi) {
        this.seen = id;
        return -1;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.count;
    if (id === this.hi.length) {
      this.grow();
      return this.add(hi, lo, parent, choice);
    }
    table[slot] = id + 1;
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.parents[id] = parent;
    this.choices[id] = choice;
    this.count = id + 1;
    return id;
  }

  /** The id of a fingerprint, or -1 if it is not here. */
  find(hi: number, lo: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const entry = table[slot]!;
      if (entry === 0) return -1;
      const id = entry - 1;
      if (this.lo[id] === lo && this.hi[id] === hi) return id;
      slot = (slot + 1) & mask;
    }
  }

  parent(id: number): number {
    return this.parents[id]!;
  }
  choice(id: number): number {
    return this.choices[id]!;
  }
  fpHigh(id: number): number {
    return this.hi[id]!;
  }
  fpLow(id: number): number {
    return this.lo[id]!;
  }

  /** Ids from an initial state to `id`, inclusive. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let cur = id; cur !== NO_PARENT; cur = this.parents[cur]!) path.push(cur);
    return path.reverse();
  }

  /** Bytes held by the store's arrays. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.parents.byteLength + this.choices.byteLength + this.table.byteLength;
  }

  private grow(): void {
    const cap = this.hi.length * 2;
    const widen = <T extends Uint32Array | Int32Array>(a: T, make: (b: SharedArrayBuffer, n: number) => T): T => {
      const grown = grownInPlace(a, cap);
      if (grown !== null) return make(grown, cap);
      const b = make(growableBuffer(cap * 4), cap);
      b.set(a);
      return b;
    };
    this.hi = widen(this.hi, u32);
    this.lo = widen(this.lo, u32);
    this.parents = widen(this.parents, i32);
    this.choices = widen(this.choices, u32);
    const table = grownInPlace(this.table, cap * 2);
    this.table = table !== null ? i32(table, cap * 2).fill(0) : i32(growableBuffer(cap * 8), cap * 2);
    this.mask = cap * 2 - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = (this.lo[id]! ^ Math.imul(this.hi[id]!, 0x9e3779b1)) & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = id + 1;
    }
  }
}

export interface StoreView {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly table: Int32Array;
  readonly mask: number;
}

/** Read-only membership test on a store's shared arrays. */
export function seenIn(v: StoreView, hi: number, lo: number): boolean {
  let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & v.mask;
  for (;;) {
    const entry = v.table[slot]!;
    if (entry === 0) return false;
    const id = entry - 1;
    if (v.lo[id] === lo && v.hi[id] === hi) return true;
    slot = (slot + 1) & v.mask;
  }
}

/** A set of fingerprints (open addressing in typed arrays), for a worker's per-level dedup. */
export class FingerprintSet {
  private hi = new Uint32Array(1 << 12);
  private lo = new Uint32Array(1 << 12);
  private used = new Uint8Array(1 << 12);
  private count = 0;

  /** Add a fingerprint; true if it was not there. */
  add(hi: number, lo: number): boolean {
    if (this.count * 2 >= this.used.length) this.grow();
    const mask = this.used.length - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.used[slot]) {
      if (this.lo[slot] === lo && this.hi[slot] === hi) return false;
      slot = (slot + 1) & mask;
    }
    this.used[slot] = 1;
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.count++;
    return true;
  }

  clear(): void {
    this.used.fill(0);
    this.count = 0;
  }

  /** How many fingerprints it holds. */
  get size(): number {
    return this.count;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const n = used.length * 2;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.used = new Uint8Array(n);
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i]) this.add(hi[i]!, lo[i]!);
  }
}
