/**
 * The Record types a thread has met, by shape (name and keys). Immutable Records do not survive
 * structured cloning: a state moved to another thread is rebuilt there with that thread's own
 * Record class of the same shape (its own copy of the model module made it), which the thread
 * knows only if it has met a Record of that type itself.
 */
import { isImmutable, isMap, isRecord, type Map, Record } from 'immutable';
import { PackedState } from './values.js';

type Defaults = { [key: string]: unknown };
type RecordClass = new (values: Iterable<[string, unknown]>) => unknown;
const recordTypes = new globalThis.Map<string, RecordClass>();

/** A Record's shape: `name|key1,key2,...`. */
export function recordSignature(r: unknown): string {
  const keys = (r as { _keys?: string[] })._keys ?? [];
  const name = (r as { _name?: string })._name ?? '';
  return `${name}|${keys.join(',')}`;
}

/** This thread's class for Records of shape `signature`, if it has met one. */
export function recordType(signature: string): RecordClass | undefined {
  return recordTypes.get(signature);
}

/** Remember a Record's own type (not those of its fields). */
export function registerRecordType(r: unknown): void {
  const sig = recordSignature(r);
  if (!recordTypes.has(sig)) recordTypes.set(sig, (r as { constructor: RecordClass }).constructor);
}

/** Remember the Record types found in a value (call on values this thread built). */
export function registerRecords(x: unknown): void {
  if (typeof x !== 'object' || x === null) return;
  if (x instanceof PackedState) {
    registerRecords(x.unpacked());
    return;
  }
  if (isRecord(x)) {
    registerRecordType(x);
    for (const v of (x as unknown as { toSeq(): { valueSeq(): Iterable<unknown> } }).toSeq().valueSeq()) registerRecords(v);
    return;
  }
  if (isImmutable(x) || Array.isArray(x)) {
    for (const v of (x as unknown as { values(): Iterable<unknown> }).values()) registerRecords(v);
    if (isMap(x)) for (const k of (x as unknown as Map<unknown, unknown>).keys()) registerRecords(k);
  }
}

/** Immutable's Record prototype, under every Record type's own prototype. */
const RECORD_PROTOTYPE: unknown = Object.getPrototypeOf(Object.getPrototypeOf(Record({})()));

/**
 * The default values of a Record made by a plain `Record({...}, name)` factory — whose instances
 * have no behaviour but their keys', so another thread can make an equivalent type from its shape
 * and these defaults — or undefined for anything else (a subclass with methods of its own, or a
 * Record of another copy of Immutable).
 */
export function plainRecordDefaults(r: unknown): Defaults | undefined {
  const own = Object.getPrototypeOf(r) as { _defaultValues?: Defaults } | null;
  if (own === null || Object.getPrototypeOf(own) !== RECORD_PROTOTYPE) return undefined;
  return own._defaultValues;
}

/** Make (and remember) a plain Record type of this shape, for Records from another thread. */
export function makeRecordType(signature: string, defaults: Defaults): RecordClass {
  const known = recordTypes.get(signature);
  if (known) return known;
  const name = signature.slice(0, signature.indexOf('|'));
  const made = Record(defaults, name || undefined) as unknown as RecordClass;
  recordTypes.set(signature, made);
  return made;
}

let watching = false;

/** From now on, `noteRecords` registers (a worker thread of a parallel search calls this). */
export function watchRecords(): void {
  watching = true;
}

/**
 * A value this thread has just built and will keep (a layer's interned value, say): its Record
 * types registered if this thread is watching, so that states from other threads holding them can
 * be rebuilt here. Costs nothing otherwise.
 */
export function noteRecords(x: unknown): void {
  if (watching) registerRecords(x);
}
