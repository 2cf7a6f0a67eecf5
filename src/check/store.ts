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

export class StateStore {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private parents: Int32Array;
  private choices: Uint32Array;
  private table: Int32Array; // id + 1 per slot, 0 = empty
  private mask: number;
  private count = 0;

  /**
   * With `shared`, the fingerprints and the table live in SharedArrayBuffers, so that worker
   * threads can look fingerprints up (`view()`) while this thread is not adding any.
   */
  constructor(
    initialCapacity = 1 << 14,
    private readonly shared = false,
  ) {
    let cap = 1024;
    while (cap < initialCapacity) cap <<= 1;
    this.hi = this.u32(cap);
    this.lo = this.u32(cap);
    this.parents = new Int32Array(cap);
    this.choices = new Uint32Array(cap);
    this.table = this.i32(cap * 2);
    this.mask = cap * 2 - 1;
  }

  private u32(n: number): Uint32Array {
    return this.shared ? new Uint32Array(new SharedArrayBuffer(n * 4)) : new Uint32Array(n);
  }
  private i32(n: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
  }

  /** The shared arrays, for `SeenView` in another thread (valid until the store next grows). */
  view(): StoreView {
    return { hi: this.hi, lo: this.lo, table: this.table, mask: this.mask };
  }

  get size(): number {
    return this.count;
  }

  /**
   * Add a fingerprint if it is new. Returns its new id, or -1 if it was seen before.
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
      if (this.lo[id] === lo && this.hi[id] === hi) return -1;
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
    const widen = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.hi = widen(this.hi, (n) => this.u32(n));
    this.lo = widen(this.lo, (n) => this.u32(n));
    this.parents = widen(this.parents, (n) => new Int32Array(n));
    this.choices = widen(this.choices, (n) => new Uint32Array(n));
    this.table = this.i32(cap * 2);
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
