/**
 * The global state of a message-passing system, and the read-only view invariants get of it.
 */
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';
import { ModelError } from '../model/errors.js';
import type { MessageInfo } from '../model/trace.js';
import { toPlain, type Plain } from '../model/values.js';
import { decodeMessage } from './messages.js';
import type { Net, Network } from './network.js';
import type { Role } from './role.js';

/** One entry of a client history (Jepsen-style): an invocation, or its completion. */
export interface HistoryEventProps {
  /** The node (client) that invoked the operation. */
  readonly process: string;
  readonly type: 'invoke' | 'ok' | 'fail';
  /** The operation, e.g. `read` or `write`. */
  readonly f: string;
  /** Its argument (invoke) or result (ok), as an Immutable value or a primitive. */
  readonly value: unknown;
}
export const HistoryEvent = Record<HistoryEventProps>({ process: '', type: 'invoke', f: '', value: null }, 'HistoryEvent');
export type HistoryEvent = RecordOf<HistoryEventProps>;

export interface WorldFields {
  /** Each node's state (durable and volatile fields), by id. */
  readonly nodes: IMap<string, unknown>;
  /** The nodes that are down (crashed, not yet restarted). */
  readonly down: ISet<string>;
  /** Armed timers, as `node/timer`. */
  readonly timers: ISet<string>;
  /** In-flight messages (see network.ts for the representation). */
  readonly net: Net;
  /** The partition in force, as `a,b|c,d`, or null. */
  readonly cut: string | null;
  /** What is left of each fault budget (only kinds with a budget). */
  readonly budget: IMap<string, number>;
  /** Ghost variables: written by handlers through ctx.updateGhost, read only by invariants. */
  readonly ghost: unknown;
  /** Client operations recorded with ctx.invoke/ok/fail, in order. */
  readonly history: List<HistoryEvent>;
}
export const WorldState = Record<WorldFields>(
  { nodes: IMap(), down: ISet(), timers: ISet(), net: IMap<string, number>(), cut: null, budget: IMap(), ghost: null, history: List() },
  'World',
);
/** The state of a message-passing model. */
export type WorldState = RecordOf<WorldFields>;

export type Roles = { readonly [role: string]: Role<unknown> };
export type StateOf<R> = R extends Role<infer S> ? S : never;

/** A node as an invariant sees it. */
export interface NodeView<Self> {
  readonly id: string;
  readonly up: boolean;
  readonly state: Self;
}

/** What the system knows about its own layout, shared by every view. */
export interface Layout {
  readonly roleOf: ReadonlyMap<string, string>;
  readonly idsOf: ReadonlyMap<string, readonly string[]>;
  readonly net: Network;
}

/** The read-only view of a global state that invariants receive. */
export class World<R extends Roles = Roles, G = unknown> {
  constructor(
    /** The underlying Immutable state. */
    readonly state: WorldState,
    private readonly layout: Layout,
  ) {}

  /** The state of node `id`. */
  node<K extends keyof R & string = keyof R & string>(id: string): StateOf<R[K]> {
    if (!this.layout.roleOf.has(id)) throw new ModelError(`no node ${JSON.stringify(id)}`);
    return this.state.nodes.get(id) as StateOf<R[K]>;
  }
  /** The state of node `id` of `role`, typed as that role's state. */
  get<K extends keyof R & string>(role: K, id: string): StateOf<R[K]> {
    if (this.layout.roleOf.get(id) !== role) throw new ModelError(`no node ${JSON.stringify(id)} in role ${role}`);
    return this.state.nodes.get(id) as StateOf<R[K]>;
  }
  /** Whether node `id` is up. */
  up(id: string): boolean {
    return !this.state.down.has(id);
  }
  /** The nodes of a role, with their state and whether they are up. */
  of<K extends keyof R & string>(role: K): NodeView<StateOf<R[K]>>[] {
    const ids = this.layout.idsOf.get(role);
    if (!ids) throw new ModelError(`no role ${JSON.stringify(role)}`);
    return ids.map((id) => ({ id, up: !this.state.down.has(id), state: this.state.nodes.get(id) as StateOf<R[K]> }));
  }
  /** The states of a role's nodes. */
  states<K extends keyof R & string>(role: K): StateOf<R[K]>[] {
    return this.of(role).map((n) => n.state);
  }
  some<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): boolean {
    return this.of(role).some((n) => pred(n.state, n.id));
  }
  every<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): boolean {
    return this.of(role).every((n) => pred(n.state, n.id));
  }
  count<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): number {
    return this.of(role).filter((n) => pred(n.state, n.id)).length;
  }
  /** The messages in flight (with repeats), optionally only those of one type. */
  messages(type?: string): MessageInfo[] {
    const all = this.layout.net.all(this.state.net).map((k) => decodeMessage(k).info);
    return type === undefined ? all : all.filter((m) => m.type === type);
  }
  /** The messages in flight from `from` to `to` (with repeats; on a FIFO network, in queue order), optionally only those of one type. */
  messagesBetween(from: string, to: string, type?: string): MessageInfo[] {
    const all = this.layout.net.between(this.state.net, from, to).map((k) => decodeMessage(k).info);
    return type === undefined ? all : all.filter((m) => m.type === type);
  }
  /** Whether a timer of node `id` is armed. */
  timer(id: string, name: string): boolean {
    return this.state.timers.has(`${id}/${name}`);
  }
  /** The two sides of the partition in force, or null. */
  get partition(): [string[], string[]] | null {
    const cut = this.state.cut;
    if (cut === null) return null;
    const [a = '', b = ''] = cut.split('|');
    return [a.split(','), b.split(',')];
  }
  get ghost(): G {
    return this.state.ghost as G;
  }
  /** The client history, oldest first. */
  get history(): HistoryEvent[] {
    return this.state.history.toArray();
  }
  /** The state as plain data (for explanations). */
  plain(): Plain {
    return toPlain(this.state);
  }
}
