/**
 * Moving states between worker threads. Immutable collections do not survive structured cloning,
 * so a state is encoded as nested arrays with a tag per collection and rebuilt on the other side.
 * Record types are rebuilt with the receiving thread's own Record class of the same shape: each
 * thread registers every Record type it meets (model/records.ts); a type the receiver has never
 * met makes `decode` throw, and the caller gives up on moving those states.
 */
import { isImmutable, isList, isMap, isOrdered, isRecord, isSet, isStack, List, Map, OrderedMap, OrderedSet, Set, Stack } from 'immutable';
import { makeRecordType, plainRecordDefaults, recordSignature, recordType, registerRecords, registerRecordType } from '../model/records.js';
import { importPacked, type Link, PackedState, repack } from '../model/values.js';

export { registerRecords };

export type Encoded = null | boolean | number | string | Encoded[] | { [k: string]: Encoded } | undefined;

/**
 * One direction of a link to another thread (see `Link`): states sent on it with `encode(x, link)`
 * must be decoded with `decode(e, link)` on the far end's link from this thread, in the same order.
 */
export function newLink(): Link {
  const link: Link = { memo: new globalThis.Map(), encode: (x) => encode(x, link), decode: (e) => decode(e as Encoded, link) };
  return link;
}

/** The Record types whose defaults went over `link` already (see 'RD' below). */
function typesSent(link: Link): globalThis.Set<string> {
  let sent = link.memo.get('records') as globalThis.Set<string> | undefined;
  if (sent === undefined) link.memo.set('records', (sent = new globalThis.Set()));
  return sent;
}

export function encode(x: unknown, link?: Link): Encoded {
  if (typeof x !== 'object' || x === null) return x as Encoded;
  if (x instanceof PackedState) {
    // A packed state's words index this thread's tables: it travels in its packing's own form over
    // a link (what the far end already has is not sent again), or else unpacked, and is packed again.
    const exported = link ? x.exportTo(link) : null;
    if (exported !== null) return ['Q', x.packing, exported as Encoded];
    return ['P', x.packing, encode(x.unpacked(), link)];
  }
  if (isImmutable(x)) {
    if (isMap(x)) {
      const out: Encoded[] = [isOrdered(x) ? 'OM' : 'M'];
      (x as Map<unknown, unknown>).forEach((v, k) => {
        out.push(encode(k), encode(v, link));
      });
      return out;
    }
    if (isList(x)) return ['L', ...(x as List<unknown>).toArray().map((v) => encode(v, link))];
    if (isSet(x)) return [isOrdered(x) ? 'OS' : 'S', ...(x as Set<unknown>).toArray().map((v) => encode(v, link))];
    if (isStack(x)) return ['K', ...(x as Stack<unknown>).toArray().map((v) => encode(v, link))];
    if (isRecord(x)) {
      const sig = recordSignature(x);
      registerRecordType(x);
      // The first Record of a plain type on a link carries its defaults, so that a thread that
      // has not met the type yet can make it (model/records.ts).
      const defaults = link && !typesSent(link).has(sig) ? plainRecordDefaults(x) : undefined;
      if (defaults !== undefined) typesSent(link!).add(sig);
      const out: Encoded[] = defaults !== undefined ? ['RD', sig, encode(defaults, link)] : ['R', sig];
      for (const [k, v] of (x as unknown as { toSeq(): Iterable<[string, unknown]> }).toSeq()) out.push(k, encode(v, link));
      return out;
    }
    throw new Error('cannot transfer this Immutable collection');
  }
  if (Array.isArray(x)) return ['A', ...x.map((v) => encode(v, link))];
  const out: { [k: string]: Encoded } = {};
  for (const [k, v] of Object.entries(x)) out[k] = encode(v, link);
  return ['O', out];
}

export class UnknownRecordType extends Error {}

export function decode(e: Encoded, link?: Link): unknown {
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
      return List(e.slice(1).map((v) => decode(v)));
    case 'S':
      return Set(e.slice(1).map((v) => decode(v)));
    case 'OS':
      return OrderedSet(e.slice(1).map((v) => decode(v)));
    case 'K':
      return Stack(e.slice(1).map((v) => decode(v)));
    case 'RD':
    case 'R': {
      const withDefaults = tag === 'RD';
      const Type = withDefaults ? makeRecordType(e[1] as string, decode(e[2], link) as { [key: string]: unknown }) : recordType(e[1] as string);
      if (!Type) throw new UnknownRecordType(`record type ${String(e[1])} not known in this thread`);
      const fields: [string, unknown][] = [];
      for (let i = withDefaults ? 3 : 2; i < e.length; i += 2) fields.push([e[i] as string, decode(e[i + 1], link)]);
      return new Type(fields);
    }
    case 'A':
      return e.slice(1).map((v) => decode(v));
    case 'P':
      return repack(e[1] as string, decode(e[2]));
    case 'Q':
      if (!link) throw new Error('a state exported on a link arrived without one');
      return importPacked(e[1] as string, e[2], link);
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
