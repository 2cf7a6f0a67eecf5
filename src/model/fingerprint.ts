/**
 * 64-bit fingerprints of Immutable.js values (and plain JSON-like values).
 *
 * The fingerprint is a hash of a canonical encoding of the value, computed on the fly in two
 * 32-bit lanes (JavaScript has fast 32-bit integer multiplication, not 64-bit):
 * - every value starts with a type tag, so `List([1])`, `Set([1])`, `1` and `"1"` differ, and so
 *   do different nestings (`List([List([1]), 2])` vs `List([1, List([2])])`);
 * - ordered collections (List, Stack, OrderedMap, OrderedSet, Record, arrays) fold their elements
 *   in order;
 * - unordered collections (Map, Set, plain objects) hash every element (for a map: key and value
 *   together) and add the element hashes lane-wise, which does not depend on insertion order, so
 *   one state built in two orders gets one fingerprint;
 * - numbers follow `Immutable.is`: `0` and `-0` are one value, and so are all NaNs.
 *
 * Immutable.js shares structure between a state and its successors, so the fingerprint of every
 * collection is cached (weakly) on the collection object: a successor that changed one field
 * re-hashes only the path from the root to that field.
 *
 * Two fingerprints collide with probability about 2^-64 for unrelated values; the explorer reports
 * the resulting probability that a collision hid a state, as TLC does.
 */
import { isImmutable, isList, isMap, isOrdered, isRecord, isSeq, isSet, isStack } from 'immutable';
import { ModelError } from './errors.js';
import { PackedState } from './values.js';

/** Result registers of the last `hashValue` call (avoids allocating a pair per call). */
let A = 0;
let B = 0;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const TAG_NULL = 0x1001;
const TAG_UNDEFINED = 0x1002;
const TAG_FALSE = 0x1003;
const TAG_TRUE = 0x1004;
const TAG_INT = 0x1005;
const TAG_FLOAT = 0x1006;
const TAG_STRING = 0x1007;
const TAG_BIGINT = 0x1008;
const TAG_MAP = 0x2001;
const TAG_ORDERED_MAP = 0x2002;
const TAG_SET = 0x2003;
const TAG_ORDERED_SET = 0x2004;
const TAG_LIST = 0x2005;
const TAG_STACK = 0x2006;
const TAG_RECORD = 0x2007;
const TAG_ARRAY = 0x2008;
const TAG_OBJECT = 0x2009;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Rotate a 32-bit word left by r bits. */
export function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Murmur3's finalizer: a bijection of 32-bit words that spreads every bit. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

// Running state of the two lanes while absorbing words; saved and restored around recursion.
let ha = 0;
let hb = 0;

function start(tag: number, n: number): void {
  ha = 0x9747b28c ^ tag;
  hb = 0x6a09e667 ^ Math.imul(tag, 0x9e3779b1);
  absorb(n);
}

/** Murmur3-style absorption of one 32-bit word into both lanes, with cross-lane mixing. */
function absorb(w: number): void {
  let k1 = Math.imul(w, C1);
  k1 = rotl(k1, 15);
  k1 = Math.imul(k1, C2);
  ha ^= k1;
  ha = rotl(ha, 13);
  ha = (Math.imul(ha, 5) + 0xe6546b64) | 0;
  let k2 = Math.imul(w, C3);
  k2 = rotl(k2, 17);
  k2 = Math.imul(k2, C4);
  hb ^= k2;
  hb = rotl(hb, 15);
  hb = (hb + ha) | 0;
  hb = (Math.imul(hb, 5) + 0x38495ab5) | 0;
}

function finish(): void {
  ha = fmix(ha);
  hb = fmix(hb);
  ha = (ha + hb) | 0;
  hb = (hb + ha) | 0;
  A = ha >>> 0;
  B = hb >>> 0;
}

// Strings in states are mostly a few names repeated everywhere ('working', 'Prepared', 'r1'):
// their hashes are looked up rather than recomputed. Bounded, so unbounded strings cannot grow it.
let stringCache = new Map<string, Pair>();
const STRING_CACHE_MAX = 1 << 16;

function hashString(s: string): void {
  const hit = stringCache.get(s);
  if (hit !== undefined) {
    A = hit.a;
    B = hit.b;
    return;
  }
  hashStringUncached(s);
  if (s.length <= 64) {
    if (stringCache.size >= STRING_CACHE_MAX) stringCache = new Map();
    stringCache.set(s, { a: A, b: B });
  }
}

function hashStringUncached(s: string): void {
  const n = s.length;
  start(TAG_STRING, n);
  let i = 0;
  for (; i + 1 < n; i += 2) absorb(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) absorb(s.charCodeAt(i));
  finish();
}

function hashNumber(x: number): void {
  if ((x | 0) === x) {
    // int32 (this also maps -0 to 0)
    start(TAG_INT, 1);
    absorb(x);
  } else {
    f64[0] = x !== x ? NaN : x;
    start(TAG_FLOAT, 2);
    absorb(u32[0]!);
    absorb(u32[1]!);
  }
  finish();
}

interface Pair {
  a: number;
  b: number;
}
/**
 * Immutable collections carry their fingerprint in a symbol-keyed property once computed (they
 * are never mutated, so it stays true; a WeakMap costs several times more per lookup and insert).
 * Plain objects and arrays belong to the model and are not touched: they are hashed every time.
 */
const FP: unique symbol = Symbol('faultline.fingerprint');
const FP2: unique symbol = Symbol('faultline.fingerprint.low');
// Stored as signed 32-bit integers, which V8 keeps unboxed (no allocation per cached collection).
type Cached = { [FP]?: number; [FP2]?: number };

// The fold functions keep their running lanes in locals across the recursive calls, because a
// child's hash overwrites ha/hb.

/**
 * Absorb the last computed hash (A, B), a child's already avalanched fingerprint, into the lanes
 * (sa, sb); the result is left in ha/hb. Each lane step is a bijection of the lane for a fixed
 * child and of the child for a fixed lane, so sequences that differ in one place stay apart; the
 * full avalanche happens once, in finish().
 */
function absorbChild(sa: number, sb: number): void {
  ha = Math.imul(rotl(sa, 5) ^ A, 0x9e3779b1);
  hb = (Math.imul(rotl(sb, 7) ^ B, 0x85ebca6b) + ha) | 0;
}
function hashOrdered(tag: number, size: number, items: { forEach(f: (v: unknown) => unknown): unknown }): void {
  start(tag, size);
  let sa = ha;
  let sb = hb;
  items.forEach((item) => {
    hashValue(item);
    absorbChild(sa, sb);
    sa = ha;
    sb = hb;
  });
  ha = sa;
  hb = sb;
  finish();
}

function hashKeyedOrdered(tag: number, size: number, m: { forEach(f: (v: unknown, k: unknown) => unknown): unknown }): void {
  start(tag, size);
  let sa = ha;
  let sb = hb;
  m.forEach((v, k) => {
    hashValue(k);
    absorbChild(sa, sb);
    sa = ha;
    sb = hb;
    hashValue(v);
    absorbChild(sa, sb);
    sa = ha;
    sb = hb;
  });
  ha = sa;
  hb = sb;
  finish();
}

/** A List's elements by index: cheaper than its iterator or forEach for the short lists of states. */
function hashList(x: { size: number; get(i: number): unknown }): void {
  const n = x.size;
  start(TAG_LIST, n);
  let sa = ha;
  let sb = hb;
  // A list of up to 32 elements from index 0 keeps them all in one array (Immutable's "tail");
  // reading it directly avoids a get() per element. Anything else goes through get().
  const internal = x as unknown as { _origin?: number; _capacity?: number; _root?: unknown; _tail?: { array?: unknown[] } };
  const tail = n <= 32 && internal._origin === 0 && internal._capacity === n && internal._root == null ? internal._tail?.array : undefined;
  for (let i = 0; i < n; i++) {
    hashValue(tail !== undefined ? tail[i] : x.get(i));
    absorbChild(sa, sb);
    sa = ha;
    sb = hb;
  }
  ha = sa;
  hb = sb;
  finish();
}

/**
 * A Record: its field names (hashed once per record type, cached on the type's key list) and
 * then its values in declaration order.
 */
const KEYS_FP: unique symbol = Symbol('faultline.recordKeys');
function hashRecord(r: { get(k: string): unknown; toSeq(): { forEach(f: (v: unknown, k: unknown) => unknown): unknown } }): void {
  const keys = (r as unknown as { _keys?: string[] & { [KEYS_FP]?: Pair } })._keys;
  if (!Array.isArray(keys)) {
    hashKeyedOrdered(TAG_RECORD, -1, r.toSeq());
    return;
  }
  let kp = keys[KEYS_FP];
  if (kp === undefined) {
    hashOrdered(TAG_ARRAY, keys.length, keys);
    kp = { a: A, b: B };
    keys[KEYS_FP] = kp;
  }
  start(TAG_RECORD, keys.length);
  absorb(kp.a);
  absorb(kp.b);
  let sa = ha;
  let sb = hb;
  // Record.get(k) is _values.get(_indices[k]) ?? _defaultValues[k]; reading the list by position
  // saves the name lookups (this relies on Immutable's record layout, checked on the way in).
  const internal = r as unknown as { _values?: { get(i: number): unknown; size: number }; _defaultValues?: { [k: string]: unknown } };
  const values = internal._values;
  const defaults = internal._defaultValues;
  const direct = values !== undefined && defaults !== undefined && values.size === keys.length;
  for (let i = 0; i < keys.length; i++) {
    let v: unknown;
    if (direct) {
      v = values.get(i);
      if (v === undefined) v = defaults[keys[i]!];
    } else v = r.get(keys[i]!);
    hashValue(v);
    absorbChild(sa, sb);
    sa = ha;
    sb = hb;
  }
  ha = sa;
  hb = sb;
  finish();
}

/**
 * Hash of one (key, value) entry of an unordered map, into A/B: a cheap non-linear mix of the two
 * (already avalanched) 64-bit hashes, so that swapping keys and values or moving a value to
 * another key changes it.
 */
function hashEntry(k: unknown, v: unknown): void {
  hashValue(k);
  const ka = A;
  const kb = B;
  hashValue(v);
  mixEntry(ka, kb, A, B);
}

function mixEntry(ka: number, kb: number, va: number, vb: number): void {
  const ea = fmix((ka + Math.imul(va ^ rotl(vb, 13), 0x9e3779b1)) | 0);
  const eb = fmix(((kb ^ Math.imul((vb + rotl(va, 7)) | 0, 0x85ebca6b)) + ea) | 0);
  A = ea;
  B = eb;
}

function finishUnordered(tag: number, size: number, sumA: number, sumB: number): void {
  start(tag, size);
  absorb(sumA);
  absorb(sumB);
  finish();
}

function hashUnorderedMap(tag: number, size: number, m: { forEach(f: (v: unknown, k: unknown) => unknown): unknown }): void {
  let sumA = 0;
  let sumB = 0;
  m.forEach((v, k) => {
    hashValue(k);
    const ka = A;
    const kb = B;
    hashValue(v);
    mixEntry(ka, kb, A, B);
    sumA = (sumA + A) | 0;
    sumB = (sumB + B) | 0;
  });
  finishUnordered(tag, size, sumA, sumB);
}

function hashUnorderedSet(size: number, s: { forEach(f: (v: unknown) => unknown): unknown }): void {
  let sumA = 0;
  let sumB = 0;
  s.forEach((v) => {
    hashValue(v);
    // Element hashes are re-mixed so that a set is not a simple function of its members' sums.
    const ea = fmix((A ^ 0x5bd1e995) | 0);
    const eb = fmix((B + 0x27d4eb2d) | 0);
    sumA = (sumA + ea) | 0;
    sumB = (sumB + eb) | 0;
  });
  finishUnordered(TAG_SET, size, sumA, sumB);
}

function hashObjectUncached(x: object): void {
  if (x instanceof PackedState) {
    A = x.fingerprintHi;
    B = x.fingerprintLo;
    return;
  }
  if (isImmutable(x)) {
    if (isMap(x)) {
      const m = x as unknown as { size: number; forEach(f: (v: unknown, k: unknown) => unknown): unknown };
      if (isOrdered(x)) hashKeyedOrdered(TAG_ORDERED_MAP, m.size, m);
      else hashUnorderedMap(TAG_MAP, m.size, m);
    } else if (isList(x)) {
      hashList(x);
    } else if (isSet(x)) {
      const m = x as unknown as { size: number; forEach(f: (v: unknown) => unknown): unknown };
      if (isOrdered(x)) hashOrdered(TAG_ORDERED_SET, m.size, m);
      else hashUnorderedSet(m.size, m);
    } else if (isRecord(x)) {
      hashRecord(x);
    } else if (isStack(x)) {
      hashOrdered(TAG_STACK, x.size, x);
    } else if (isSeq(x)) {
      throw new ModelError('a state contains a lazy Immutable Seq; convert it with .toList(), .toMap() or .toSet()');
    } else {
      throw new ModelError(`a state contains an unsupported Immutable collection (${String(x)})`);
    }
    return;
  }
  if (Array.isArray(x)) {
    hashOrdered(TAG_ARRAY, x.length, x);
    return;
  }
  const proto = Object.getPrototypeOf(x) as unknown;
  if (proto === Object.prototype || proto === null) {
    const rec = x as Record<string, unknown>;
    let sumA = 0;
    let sumB = 0;
    let n = 0;
    for (const k in rec) {
      hashEntry(k, rec[k]);
      sumA = (sumA + A) | 0;
      sumB = (sumB + B) | 0;
      n++;
    }
    finishUnordered(TAG_OBJECT, n, sumA, sumB);
    return;
  }
  const name = (x as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  throw new ModelError(`a state contains a ${name}; states must be built from Immutable collections and plain values`);
}

/** Compute the fingerprint of `x` into the registers A (high) and B (low). */
function hashValue(x: unknown): void {
  switch (typeof x) {
    case 'string':
      hashString(x);
      return;
    case 'number':
      hashNumber(x);
      return;
    case 'boolean':
      start(x ? TAG_TRUE : TAG_FALSE, 0);
      finish();
      return;
    case 'undefined':
      start(TAG_UNDEFINED, 0);
      finish();
      return;
    case 'bigint':
      hashString(x.toString());
      start(TAG_BIGINT, 2);
      absorb(A);
      absorb(B);
      finish();
      return;
    case 'object': {
      if (x === null) {
        start(TAG_NULL, 0);
        finish();
        return;
      }
      const hit = (x as Cached)[FP];
      if (hit !== undefined) {
        A = hit >>> 0;
        B = (x as Cached)[FP2]! >>> 0;
        return;
      }
      hashObjectUncached(x);
      if (isImmutable(x)) {
        (x as Cached)[FP] = A | 0;
        (x as Cached)[FP2] = B | 0;
      }
      return;
    }
    default:
      throw new ModelError(`a state contains a ${typeof x}; states must be built from Immutable collections and plain values`);
  }
}

/**
 * The fingerprint of `x`, as the high and low 32 bits. Call `fingerprint(x)` and then read
 * `fpHigh()` / `fpLow()`; this keeps the explorer's hot path free of allocations.
 */
export function fingerprint(x: unknown): void {
  // The root of a successor is new and hashed once (a successor that is its parent is caught by
  // the explorer before hashing), so caching it would only cost an allocation.
  if (typeof x === 'object' && x !== null) {
    const hit = (x as Cached)[FP];
    if (hit !== undefined) {
      A = hit >>> 0;
      B = (x as Cached)[FP2]! >>> 0;
    } else hashObjectUncached(x);
  } else hashValue(x);
}
/**
 * The fingerprint of `x` as a part of a larger value (into fpHigh/fpLow): an Immutable collection
 * keeps it, as it does when a state holding it is fingerprinted, so a part already hashed with its
 * state costs a property read.
 */
export function fingerprintPart(x: unknown): void {
  hashValue(x);
}
export function fpHigh(): number {
  return A;
}
export function fpLow(): number {
  return B;
}
/** Make (hi, lo) the current fingerprint, for a caller that chose it among several. */
export function setFingerprint(hi: number, lo: number): void {
  A = hi >>> 0;
  B = lo >>> 0;
}

/** A fingerprint given as its high and low words, as 16 hex digits. */
export function fingerprintHexOf(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** The fingerprint of `x` as 16 hex digits (for tests, reports and debugging). */
export function fingerprintHex(x: unknown): string {
  fingerprint(x);
  return fingerprintHexOf(A, B);
}

/** The fingerprint of `x` as a bigint (for tests). */
export function fingerprintBigInt(x: unknown): bigint {
  fingerprint(x);
  return (BigInt(A) << 32n) | BigInt(B);
}
