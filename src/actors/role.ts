/**
 * A role: what every node of one kind does. Its state is an Immutable Record of the `durable`
 * fields (kept through a crash) and the `volatile` ones (reset to these initial values on a
 * crash); its handlers are pure functions of that state and what happened.
 */
import { isImmutable, Record, type RecordOf } from 'immutable';
import { ModelError } from '../model/errors.js';
import type { Json, Message } from './codec.js';

/**
 * What a handler may do besides returning the node's new state. `M` is the system's messages (see
 * `messages`): what `send`, `broadcast` and `reply` accept.
 */
export interface Ctx<M extends Message = Message> {
  /** This node's id. */
  readonly id: string;
  /** This node's role. */
  readonly role: string;
  /** This node's position among the nodes of its role (0, 1, ...). */
  readonly index: number;
  /** The sender of the message being handled (null in timer, step, start and restart handlers). */
  readonly from: string | null;
  /** The ids of a role's nodes (all nodes without an argument), in declaration order. */
  nodes(role?: string): readonly string[];
  /** The smallest majority of a role's nodes: ⌊n/2⌋ + 1. */
  quorum(role: string): number;
  /** Send a message. To a node that is down it is lost. */
  send(to: string, msg: M): void;
  /** Send to every node of a role (or every listed node) except this one. */
  broadcast(to: string | readonly string[], msg: M): void;
  /** Send to the sender of the message being handled. */
  reply(msg: M): void;
  /** Arm a timer (a no-op if armed); it may fire at any later step while this node is up. */
  setTimer(name: string): void;
  cancelTimer(name: string): void;
  /**
   * A nondeterministic choice: the explorer tries every option (the handler is re-run once per
   * option; handlers are pure, so that is safe).
   */
  choose<T extends Json>(options: readonly T[]): T;
  /** Record in the history that this node (a client) invoked operation `f` with `value`. */
  invoke(f: string, value?: Json): void;
  /** Record that this node's pending operation `f` completed with `value`. */
  ok(f: string, value?: Json): void;
  /** Record that this node's pending operation `f` failed (it certainly did not take effect). */
  fail(f: string, value?: Json): void;
  /** Update the ghost variables (read only by invariants). */
  updateGhost<G>(update: (ghost: G) => G): void;
}

/** A handler's result: the node's new state (return `self` for no change), or null: not enabled. */
export type Result<Self> = Self | null;

// Method syntax makes these bivariant in their parameters, so a handler may annotate its message
// with the exact shape it expects: `Vote: (self, msg: { type: 'Vote'; yes: boolean }, ctx) => ...`.
/** A handler of message `In`, which may send the system's messages `M`. */
export type MessageHandler<Self, In extends Message = Message, M extends Message = Message> = {
  bivarianceHack(self: Self, msg: In, ctx: Ctx<M>): Result<Self>;
}['bivarianceHack'];
export type Handler<Self, M extends Message = Message> = { bivarianceHack(self: Self, ctx: Ctx<M>): Result<Self> }['bivarianceHack'];

/**
 * A role's message handlers by message type. With the system's messages declared (`messages<M>()`),
 * only their types may be handled and each handler receives its own message's shape; without, any
 * type and any message.
 */
export type MessageHandlers<Self, M extends Message = Message> = string extends M['type']
  ? { readonly [type: string]: MessageHandler<Self, M, M> }
  : { readonly [T in M['type']]?: MessageHandler<Self, Extract<M, { readonly type: T }>, M> };

export interface RoleDefinition<D extends object, V extends object, M extends Message = Message> {
  /** The ids of this role's nodes. */
  readonly ids: readonly string[];
  /**
   * The nodes are interchangeable: explore states only up to a permutation of their ids. `true`:
   * all of them; or the groups of ids that are (each id in one group at most), when the model
   * tells some nodes apart (only s1 and s2 may stand for election: `[['s1', 's2'], ['s3', 's4']]`).
   */
  readonly symmetric?: boolean | readonly (readonly string[])[];
  /** Whether these nodes may crash (default true). */
  readonly crashes?: boolean;
  /**
   * The fields that say the most about this role's state and the messages its nodes send (a
   * term, a ballot): reports show them first and keep them when a label must be shortened.
   * Presentation only; names a state or message lacks are skipped.
   */
  readonly keyFields?: readonly string[];
  /** Fields that survive a crash, with their initial values. */
  readonly durable: D;
  /** Fields lost on a crash, with the values they start from (again after a restart). */
  readonly volatile?: V;
  /**
   * Durable fields that a crash resets to their initial values all the same: for a variant that
   * keeps them in memory only (an acceptor that does not persist its promise, a disk that can be
   * lost). The node's state keeps its type; only what a crash does changes.
   */
  readonly forget?: readonly (keyof D & string)[];
  /** Runs once at the start. */
  readonly start?: Handler<RecordOf<D & V>, M>;
  /** Runs when the node restarts after a crash (default: `start`). */
  readonly restart?: Handler<RecordOf<D & V>, M>;
  /** Message handlers by message type. */
  readonly on?: MessageHandlers<RecordOf<D & V>, M>;
  /** Timer handlers by timer name. */
  readonly timers?: { readonly [name: string]: Handler<RecordOf<D & V>, M> };
  /** Local steps a node may take on its own at any time (return null when not enabled). */
  readonly steps?: { readonly [name: string]: Handler<RecordOf<D & V>, M> };
}

/** A role as the system uses it. `Self` is the type of its nodes' state. */
export interface Role<Self> {
  readonly kind: 'faultline/role';
  readonly ids: readonly string[];
  /** Whether some of its nodes are interchangeable. */
  readonly symmetric: boolean;
  /** The groups of interchangeable ids (RoleDefinition.symmetric), each of two ids or more. */
  readonly symmetricGroups: readonly (readonly string[])[];
  readonly crashes: boolean;
  /** Fields reports show first (RoleDefinition.keyFields). */
  readonly keyFields: readonly string[];
  /** A node's state before its start handler runs. */
  readonly initial: Self;
  /** The state after a crash: durable fields kept, volatile ones back to their initial values. */
  crash(self: Self): Self;
  isState(x: unknown): boolean;
  readonly durableFields: readonly string[];
  readonly volatileFields: readonly string[];
  readonly start?: Handler<Self>;
  readonly restart?: Handler<Self>;
  readonly on: { readonly [type: string]: MessageHandler<Self> };
  readonly timers: { readonly [name: string]: Handler<Self> };
  readonly steps: { readonly [name: string]: Handler<Self> };
}

function checkField(name: string, value: unknown): void {
  const ok = value === null || ['string', 'number', 'boolean'].includes(typeof value) || isImmutable(value);
  if (!ok)
    throw new ModelError(
      `role field ${name} starts as ${Array.isArray(value) ? 'an array' : typeof value}; node state holds plain values (string, number, boolean, null) and Immutable collections`,
    );
}

/** The groups of interchangeable ids a role's `symmetric` declares (those of two ids or more). */
function symmetricGroups(ids: readonly string[], symmetric: unknown): string[][] {
  if (symmetric === false) return [];
  if (symmetric === true) return ids.length >= 2 ? [[...ids]] : [];
  const wrong = (why: string) => new ModelError(`symmetric must be true, false or a list of groups of the role's ids (${why})`);
  if (!Array.isArray(symmetric)) throw wrong(`got ${typeof symmetric}`);
  const seen = new Set<string>();
  for (const g of symmetric as unknown[]) {
    if (!Array.isArray(g)) throw wrong(`a group is ${typeof g}, not a list`);
    for (const id of g as unknown[]) {
      if (typeof id !== 'string' || !ids.includes(id)) throw wrong(`${JSON.stringify(id)} is not one of ${ids.join(', ')}`);
      if (seen.has(id)) throw wrong(`${id} is in two groups`);
      seen.add(id);
    }
  }
  return (symmetric as string[][]).filter((g) => g.length >= 2).map((g) => [...g]);
}

/** No fields (the default for `volatile`). */
export type NoFields = { readonly [K in never]: never };

/** Declare a role: its nodes' ids, their durable and volatile state, and their handlers. */
export function role<D extends object, V extends object = NoFields, M extends Message = Message>(def: RoleDefinition<D, V, NoInfer<M>>): Role<RecordOf<D & V>> {
  const durable = def.durable ?? ({} as D);
  const volatile = def.volatile ?? ({} as V);
  const forget: readonly string[] = def.forget ?? [];
  for (const k of forget) if (!Object.hasOwn(durable, k)) throw new ModelError(`role field ${k} in forget is not a durable field`);
  const durableFields = Object.keys(durable).filter((k) => !forget.includes(k));
  const volatileFields = [...Object.keys(volatile), ...forget];
  for (const k of Object.keys(volatile)) if (Object.hasOwn(durable, k)) throw new ModelError(`role field ${k} is both durable and volatile`);
  // What a crash resets each lost field to.
  const reset: { readonly [k: string]: unknown } = { ...Object.fromEntries(forget.map((k) => [k, (durable as { readonly [k: string]: unknown })[k]])), ...volatile };
  for (const [k, v] of Object.entries(durable)) checkField(k, v);
  for (const [k, v] of Object.entries(volatile)) checkField(k, v);
  if (!Array.isArray(def.ids)) throw new ModelError('a role needs a list of node ids (ids: [...]; it may be empty)');
  const groups = symmetricGroups(def.ids, def.symmetric ?? false);
  const keyFields: unknown = def.keyFields ?? [];
  if (!Array.isArray(keyFields) || !keyFields.every((f) => typeof f === 'string')) throw new ModelError('keyFields must be a list of field names');
  // Named after its nodes (unique across roles), so that worker threads rebuild each role's state
  // with the right Record type even when two roles have the same fields.
  const Factory = Record({ ...durable, ...volatile } as D & V, `role(${def.ids.join(',')})`);
  const initial = Factory() as RecordOf<D & V>;
  const crash = (self: RecordOf<D & V>): RecordOf<D & V> => {
    if (volatileFields.length === 0) return self;
    let out = self;
    for (const k of volatileFields) out = out.set(k as keyof (D & V), reset[k] as never);
    return out;
  };
  return {
    kind: 'faultline/role',
    ids: [...def.ids],
    symmetric: groups.length > 0,
    symmetricGroups: groups,
    crashes: def.crashes ?? true,
    keyFields: [...(keyFields as string[])],
    initial,
    crash,
    isState: (x) => x instanceof Factory,
    durableFields,
    volatileFields,
    ...(def.start ? { start: def.start } : {}),
    ...(def.restart ? { restart: def.restart } : {}),
    on: (def.on ?? {}) as Role<RecordOf<D & V>>['on'],
    timers: def.timers ?? {},
    steps: def.steps ?? {},
  };
}

/**
 * Declare the messages of a system once, as a union of their shapes, and get a `role` whose
 * handlers are checked against it: a handler's key must be one of the types, its `msg` has that
 * type's fields, and `ctx.send`/`broadcast`/`reply` accept only these messages — a misspelt type
 * or field is a type error instead of a run-time one.
 *
 *     type Msg = { type: 'Prepare'; n: number } | { type: 'Promise'; n: number; v: string | null };
 *     const { role } = messages<Msg>();
 *
 * (A type only: at run time this `role` is the plain one.)
 */
export function messages<M extends Message>(): { role: <D extends object, V extends object = NoFields>(def: RoleDefinition<D, V, M>) => Role<RecordOf<D & V>> } {
  return { role: <D extends object, V extends object = NoFields>(def: RoleDefinition<D, V, M>) => role<D, V, M>(def) };
}
