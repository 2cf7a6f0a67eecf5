/**
 * Turning model values (Immutable collections and plain values) into plain JSON and short text,
 * for error messages, traces and reports.
 */
import { isImmutable, isIndexed, isKeyed, isMap, isOrdered, isRecord, isSet } from 'immutable';

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/**
 * A state a layer keeps in a packed form of its own (an actor model's world: a few integers that
 * index tables of node states and messages). faultline never looks inside: the packing layer gives
 * its fingerprint (of its content, so equal states have equal fingerprints in every thread), and
 * faultline shows the unpacked value in reports and moves it between threads.
 */
export abstract class PackedState {
  /** The state's 64-bit fingerprint, high and low 32 bits (unsigned). */
  abstract readonly fingerprintHi: number;
  abstract readonly fingerprintLo: number;
  /** The state as Immutable and plain values: what reports show, what crosses to another thread. */
  abstract unpacked(): unknown;
  /** The name under which the packing layer registered how to pack an unpacked value again (`registerPacking`). */
  abstract readonly packing: string;
  /** Append this state to `q`, in a form `readFrom` (of any state of the same packing) reads back. */
  abstract writeTo(q: WordQueue): void;
  /** Read the next state `writeTo` wrote into `q`. */
  abstract readFrom(q: WordQueue): PackedState;
  /**
   * This state for the thread at the other end of `link`, in a form the packing's importer there
   * reads back (`registerPacking`); null if the packing has no such form (the state then travels
   * unpacked). The far end must import what was exported on a link in the order it was exported.
   */
  exportTo(_link: Link): unknown {
    return null;
  }
}

/**
 * One direction of a link between this thread and another, over which states travel in order: a
 * packing keeps what it has already sent (or received) on it in `memo`, so that a value common to
 * many states (a node's state, a message) crosses once.
 */
export interface Link {
  /** What each packing keeps about this link, by packing name. */
  readonly memo: Map<string, unknown>;
  /** A value (Immutable or plain) in a form that survives structured cloning, and back. */
  encode(x: unknown): unknown;
  decode(e: unknown): unknown;
}

/**
 * A first-in first-out queue of 32-bit words: where a search keeps the packed states of a level,
 * a few words each, instead of an object each.
 */
export class WordQueue {
  private a = new Int32Array(1 << 12);
  private w = 0;
  private r = 0;
  /** States in the queue (counted by the caller's writes and reads). */
  count = 0;
  push(x: number): void {
    if (this.w === this.a.length) this.grow(1);
    this.a[this.w++] = x;
  }
  /** Append `n` words of `from`, from index `at`. */
  pushAll(from: ArrayLike<number>, at: number, n: number): void {
    if (this.w + n > this.a.length) this.grow(n);
    const a = this.a;
    for (let i = 0; i < n; i++) a[this.w + i] = from[at + i]!;
    this.w += n;
  }
  shift(): number {
    return this.a[this.r++]!;
  }
  /** Empty the queue, keeping its room. */
  reset(): void {
    this.r = 0;
    this.w = 0;
    this.count = 0;
  }
  /** The next `n` words, as a plain array. */
  shiftArray(n: number): number[] {
    const out = new Array<number>(n);
    const a = this.a;
    for (let i = 0; i < n; i++) out[i] = a[this.r + i]!;
    this.r += n;
    return out;
  }
  /** Bytes held. */
  get bytes(): number {
    return this.a.byteLength;
  }
  private grow(n: number): void {
    // Move what is still to read to the front when that frees at least half the room (so each
    // word is moved a bounded number of times), else double the room.
    const live = this.w - this.r;
    if (2 * (live + n) <= this.a.length) this.a.copyWithin(0, this.r, this.w);
    else {
      let cap = this.a.length * 2;
      while (live + n > cap) cap *= 2;
      const b = new Int32Array(cap);
      b.set(this.a.subarray(this.r, this.w));
      this.a = b;
    }
    this.w = live;
    this.r = 0;
  }
}

const packings = new Map<string, (unpacked: unknown) => PackedState>();
const importers = new Map<string, (exported: unknown, link: Link) => PackedState>();

/**
 * Say how to pack an unpacked value again (in this thread): for PackedState.packing === `name`;
 * and, if the packing exports its states (`exportTo`), how to import one arriving on a link.
 */
export function registerPacking(name: string, pack: (unpacked: unknown) => PackedState, importer?: (exported: unknown, link: Link) => PackedState): void {
  packings.set(name, pack);
  if (importer) importers.set(name, importer);
}

/** A state `exportTo` exported on the other end of `link`, imported with the packing registered as `name`. */
export function importPacked(name: string, exported: unknown, link: Link): PackedState {
  const importer = importers.get(name);
  if (!importer) throw new Error(`no importer for packing ${name} in this thread`);
  return importer(exported, link);
}

/** Pack an unpacked value with the packing registered as `name` in this thread. */
export function repack(name: string, unpacked: unknown): PackedState {
  const pack = packings.get(name);
  if (!pack) throw new Error(`no packing ${name} in this thread`);
  return pack(unpacked);
}

function keyText(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'boolean' || k === null || k === undefined) return String(k);
  return JSON.stringify(toPlain(k));
}

function compareJson(a: Plain, b: Plain): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A plain JSON value: Maps and Records become objects (keys in the collection's order; non-string
 * keys written as JSON), Lists and Stacks arrays, Sets arrays (unordered Sets sorted, so equal
 * sets always print alike). `undefined` becomes null; non-finite numbers become strings.
 */
export function toPlain(x: unknown): Plain {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return Number.isFinite(x) ? x : String(x);
    case 'bigint':
      return x.toString();
    case 'object':
      break;
    default:
      return String(x);
  }
  if (x instanceof PackedState) return toPlain(x.unpacked());
  if (isImmutable(x)) {
    if (isSet(x)) {
      const items = (x as Iterable<unknown> & { toArray(): unknown[] }).toArray().map(toPlain);
      return isOrdered(x) ? items : items.sort(compareJson);
    }
    if (isMap(x) || isRecord(x) || isKeyed(x)) {
      const out: { [key: string]: Plain } = {};
      for (const [k, v] of (x as unknown as { entries(): Iterable<[unknown, unknown]> }).entries()) out[keyText(k)] = toPlain(v);
      return out;
    }
    if (isIndexed(x)) return (x as unknown as { toArray(): unknown[] }).toArray().map(toPlain);
    return String(x);
  }
  if (Array.isArray(x)) return x.map(toPlain);
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of Object.entries(x)) out[k] = toPlain(v);
  return out;
}

const BARE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;

/** Short human text for a plain value: JSON without quotes around simple names. */
export function showPlain(p: Plain): string {
  if (p === null) return 'null';
  if (typeof p === 'string') return BARE.test(p) && p !== 'null' && p !== 'true' && p !== 'false' ? p : JSON.stringify(p);
  if (typeof p !== 'object') return String(p);
  if (Array.isArray(p)) return `[${p.map(showPlain).join(', ')}]`;
  return `{${Object.entries(p)
    .map(([k, v]) => `${BARE.test(k) ? k : JSON.stringify(k)}: ${showPlain(v)}`)
    .join(', ')}}`;
}

/** Short text for any model value, cut to `max` characters. */
export function show(x: unknown, max = 200): string {
  const s = showPlain(toPlain(x));
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
