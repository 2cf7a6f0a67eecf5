/**
 * Moving states between worker threads. Immutable collections do not survive structured cloning,
 * so a state is encoded as nested arrays with a tag per collection and rebuilt on the other side.
 * Record types are rebuilt with the receiving thread's own Record class of the same shape: each
 * thread registers every Record type it meets (its model module is its own copy); a type the
 * receiver has never met makes `decode` throw, and the caller falls back to working alone.
 */
import { isImmutable, isList, isMap, isOrdered, isRecord, isSet, isStack, List, Map, OrderedMap, OrderedSet, Set, Stack } from 'immutable';
import { PackedState, repack } from '../model/values.js';

type RecordLike = { toSeq(): { toArray(): unknown[] }; constructor: new (values: Iterable<[string, unknown]>) => unknown };
const recordTypes = new globalThis.Map<string, RecordLike['constructor']>();

function recordSignature(r: unknown): string {
  const keys = (r as { _keys?: string[] })._keys ?? [];
  const name = (r as { _name?: string })._name ?? '';
  return `${name}|${keys.join(',')}`;
}

/** Remember the Record types found in a value (call on states this thread built). */
export function registerRecords(x: unknown): void {
  if (typeof x !== 'object' || x === null) return;
  if (x instanceof PackedState) {
    registerRecords(x.unpacked());
    return;
  }
  if (isRecord(x)) {
    const sig = recordSignature(x);
    if (!recordTypes.has(sig)) recordTypes.set(sig, (x as unknown as RecordLike).constructor);
    for (const v of (x as unknown as { toSeq(): { valueSeq(): Iterable<unknown> } }).toSeq().valueSeq()) registerRecords(v);
    return;
  }
  if (isImmutable(x) || Array.isArray(x)) {
    for (const v of (x as unknown as { values(): Iterable<unknown> }).values()) registerRecords(v);
    if (isMap(x)) for (const k of (x as unknown as Map<unknown, unknown>).keys()) registerRecords(k);
  }
}

export type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded } | undefined;

export function encode(x: unknown): Encoded {
  if (typeof x !== 'object' || x === null) return x as Encoded;
  // A packed state's words index this thread's tables: it travels unpacked and is packed again.
  if (x instanceof PackedState) return ['P', x.packing, encode(x.unpacked())];
  if (isImmutable(x)) {
    if (isMap(x)) {
      const out: Encoded[] = [isOrdered(x) ? 'OM' : 'M'];
      (x as Map<unknown, unknown>).forEach((v, k) => {
        out.push(encode(k), encode(v));
      });
      return out;
    }
    if (isList(x)) return ['L', ...(x as List<unknown>).toArray().map(encode)];
    if (isSet(x)) return [isOrdered(x) ? 'OS' : 'S', ...(x as Set<unknown>).toArray().map(encode)];
    if (isStack(x)) return ['K', ...(x as Stack<unknown>).toArray().map(encode)];
    if (isRecord(x)) {
      const sig = recordSignature(x);
      if (!recordTypes.has(sig)) recordTypes.set(sig, (x as unknown as RecordLike).constructor);
      const out: Encoded[] = ['R', sig];
      for (const [k, v] of (x as unknown as { toSeq(): Iterable<[string, unknown]> }).toSeq()) out.push(k, encode(v));
      return out;
    }
    throw new Error('cannot transfer this Immutable collection');
  }
  if (Array.isArray(x)) return ['A', ...x.map(encode)];
  const out: { [k: string]: Encoded } = {};
  for (const [k, v] of Object.entries(x)) out[k] = encode(v);
  return ['O', out];
}

export class UnknownRecordType extends Error {}

export function decode(e: Encoded): unknown {
  if (!Array.isArray(e)) return e;
  const tag = e[0] as string;
  switch (tag) {
    case 'M':
    case 'OM': {
      const pairs: [unknown, unknown][] = [];
      for (let i = 1; i < e.length; i += 2) pairs.push([decode(e[i]), decode(e[i + 1])]);
      return tag === 'M' ? Map(pairs) : OrderedMap(pairs);
    }
    case 'L':
      return List(e.slice(1).map(decode));
    case 'S':
      return Set(e.slice(1).map(decode));
    case 'OS':
      return OrderedSet(e.slice(1).map(decode));
    case 'K':
      return Stack(e.slice(1).map(decode));
    case 'R': {
      const Type = recordTypes.get(e[1] as string);
      if (!Type) throw new UnknownRecordType(`record type ${String(e[1])} not known in this thread`);
      const fields: [string, unknown][] = [];
      for (let i = 2; i < e.length; i += 2) fields.push([e[i] as string, decode(e[i + 1])]);
      return new Type(fields);
    }
    case 'A':
      return e.slice(1).map(decode);
    case 'P':
      return repack(e[1] as string, decode(e[2]));
    case 'O': {
      const o = e[1] as { [k: string]: Encoded };
      const out: { [k: string]: unknown } = {};
      for (const [k, v] of Object.entries(o)) out[k] = decode(v);
      return out;
    }
    default:
      throw new Error(`bad transfer tag ${tag}`);
  }
}
