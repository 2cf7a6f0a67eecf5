/**
 * Every text faultline writes for an actor model and reads back, in one place: message keys,
 * timer keys, partition cuts and labels with a handler's choices. Nothing else in the engine parses
 * `→`, `/` or `|` (reports read a message key back only to spell it for people, through
 * `parseMessageKey`).
 *
 * A message is plain data with a `type` (`{ type: 'Vote', yes: true }`). Its key —
 * `p1→c Vote {"yes":true}` — is one canonical string, the same for equal messages however their
 * fields were written; it names the message in labels, traces and the unpacked world. Handlers
 * receive the decoded message, frozen.
 */
import { ModelError } from '../model/errors.js';
import type { MessageInfo } from '../model/trace.js';

/** Plain data: what messages, choices and history values are made of. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [field: string]: Json };

/** A message: a `type` naming the handler that receives it, and any other fields. */
export interface Message {
  readonly type: string;
  /** (`undefined` fields are left out, as JSON does.) */
  readonly [field: string]: Json | undefined;
}

const ID = /^[A-Za-z0-9_.-]+$/;
const TYPE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function checkId(id: string, what: string): void {
  if (typeof id !== 'string' || !ID.test(id)) throw new ModelError(`${what} ${JSON.stringify(id)} is not a valid node id (letters, digits, _ . - only)`);
}

/** JSON with object keys sorted, rejecting anything that is not plain data. */
export function canonicalJson(x: unknown, where: string): string {
  switch (typeof x) {
    case 'string':
      return JSON.stringify(x);
    case 'boolean':
      return x ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(x)) throw new ModelError(`${where} is ${x}; only finite numbers are plain data`);
      return Object.is(x, -0) ? '0' : String(x);
    case 'object': {
      if (x === null) return 'null';
      if (Array.isArray(x)) return '[' + x.map((v, i) => canonicalJson(v, `${where}[${i}]`)).join(',') + ']';
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null)
        throw new ModelError(`${where} is a ${(x as object).constructor?.name ?? 'non-plain object'}; messages hold plain data (convert Immutable values with .toJS())`);
      const keys = Object.keys(x)
        .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
        .sort();
      return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson((x as Record<string, unknown>)[k], `${where}.${k}`)).join(',') + '}';
    }
    default:
      throw new ModelError(`${where} is ${x === undefined ? 'undefined' : 'a ' + typeof x}; messages hold plain data`);
  }
}

/** The key of a message from `from` to `to`. */
export function encodeMessage(from: string, to: string, msg: Message): string {
  if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string' || !TYPE.test(msg.type))
    throw new ModelError(`a message needs a type naming its handler (letters, digits, _ . -), got ${safeShow(msg)}`);
  const keys = Object.keys(msg).filter((k) => k !== 'type' && msg[k] !== undefined);
  if (keys.length === 0) return `${from}→${to} ${msg.type}`;
  const body: Record<string, unknown> = {};
  for (const k of keys) body[k] = msg[k];
  return `${from}→${to} ${msg.type} ${canonicalJson(body, `field of message ${msg.type}`)}`;
}

function safeShow(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

export interface Decoded {
  readonly info: MessageInfo;
  /** The message as its handler receives it (frozen). */
  readonly msg: Message;
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

// Decoding is a pure function of the key; the cache only saves re-parsing. It is bounded so a
// model with unboundedly many distinct messages cannot grow it without limit.
const cache = new Map<string, Decoded>();

export function decodeMessage(key: string): Decoded {
  let d = cache.get(key);
  if (d !== undefined) return d;
  const arrow = key.indexOf('→');
  const sp = key.indexOf(' ', arrow);
  const sp2 = key.indexOf(' ', sp + 1);
  const from = key.slice(0, arrow);
  const to = key.slice(arrow + 1, sp);
  const type = sp2 < 0 ? key.slice(sp + 1) : key.slice(sp + 1, sp2);
  const body = sp2 < 0 ? {} : (JSON.parse(key.slice(sp2 + 1)) as Record<string, Json>);
  const msg = deepFreeze({ type, ...structuredClone(body) }) as Message;
  d = { info: deepFreeze({ from, to, type, body, key }), msg };
  if (cache.size >= 200_000) cache.clear();
  cache.set(key, d);
  return d;
}

const KEY = /^([A-Za-z0-9_.-]+)→([A-Za-z0-9_.-]+) ([A-Za-z_][A-Za-z0-9_.-]*)(?: (\{.*\}))?$/;

/**
 * The message a text names if it is a message key, else null (never throws): for reports, which
 * meet keys inside states and labels among other text.
 */
export function parseMessageKey(text: string): MessageInfo | null {
  const m = KEY.exec(text);
  if (!m) return null;
  try {
    const body = m[4] === undefined ? {} : (JSON.parse(m[4]) as unknown);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    return { from: m[1]!, to: m[2]!, type: m[3]!, body: body as { [k: string]: unknown }, key: text };
  } catch {
    return null;
  }
}

/** The message's text without sender and receiver: `Vote {"yes":true}`. */
export function messageText(key: string): string {
  const arrow = key.indexOf('→');
  return key.slice(key.indexOf(' ', arrow) + 1);
}

/** Replace every string equal to a key of `perm` by its image, throughout plain data. */
export function remapJson(x: Json, perm: ReadonlyMap<string, string>): Json {
  if (typeof x === 'string') return perm.get(x) ?? x;
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map((v: Json) => remapJson(v, perm));
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(x as Record<string, Json>)) out[perm.get(k) ?? k] = remapJson(v, perm);
  return out;
}

// Remapping is a pure function of (key, perm); symmetry reduction asks for the same keys under the
// same few permutations over and over, so each permutation keeps a bounded cache of its images.
const remapped = new WeakMap<ReadonlyMap<string, string>, Map<string, string>>();

/** The key of the same message with node ids permuted (sender, receiver and any field). */
export function remapMessageKey(key: string, perm: ReadonlyMap<string, string>): string {
  let images = remapped.get(perm);
  if (images === undefined) remapped.set(perm, (images = new Map()));
  let image = images.get(key);
  if (image === undefined) {
    image = remapKey(key, perm);
    if (images.size >= 200_000) images.clear();
    images.set(key, image);
  }
  return image;
}

function remapKey(key: string, perm: ReadonlyMap<string, string>): string {
  const { info } = decodeMessage(key);
  const from = perm.get(info.from) ?? info.from;
  const to = perm.get(info.to) ?? info.to;
  return encodeMessage(from, to, { ...(remapJson(info.body as Json, perm) as Record<string, Json>), type: info.type });
}

/** The receiver of a message, from its key. */
export function receiverOf(key: string): string {
  const arrow = key.indexOf('→');
  return key.slice(arrow + 1, key.indexOf(' ', arrow));
}

/** A channel's name: `from→to`. */
export function channelName(from: string, to: string): string {
  return `${from}→${to}`;
}

/** An armed timer in the unpacked world: `node/timer`. */
export function timerKey(node: string, timer: string): string {
  return `${node}/${timer}`;
}

/** A timer key's node and timer name. */
export function parseTimerKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** A partition in the unpacked world: `a,b|c,d` (each side in the given order). */
export function cutText(sides: readonly [readonly string[], readonly string[]]): string {
  return `${sides[0].join(',')}|${sides[1].join(',')}`;
}

/** The two sides of a cut. */
export function parseCut(cut: string): [string[], string[]] {
  const [a = '', b = ''] = cut.split('|');
  return [a.split(','), b.split(',')];
}

/** A choice as the label shows it. */
export function choiceText(x: Json): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** A step's label with the choices its handler made: `label [yes, 2]`. */
export function withChoices(label: string, choices: readonly string[]): string {
  return choices.length ? `${label} [${choices.join(', ')}]` : label;
}
