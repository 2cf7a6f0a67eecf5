/**
 * The world of a message-passing system as invariants, properties and witnesses see it (`World`),
 * and as reports show it (the unpacked record). The explorer itself keeps worlds packed
 * (src/actors/system.ts); this view reads them through the system's tables.
 */
import { List, Map as IMap, Record, Set as ISet, type RecordOf } from 'immutable';
import { ModelError } from '../model/errors.js';
import type { MessageInfo } from '../model/trace.js';
import { type Link, PackedState, toPlain, type Plain, type WordQueue } from '../model/values.js';
import { finishHi, finishLo } from './hash.js';
import type { Words32 } from './network.js';
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

/** The fields of a world, unpacked into Immutable values (what reports and JSON show). */
export interface WorldFields {
  /** Each node's state (durable and volatile fields), by id. */
  readonly nodes: IMap<string, unknown>;
  /** The nodes that are down (crashed, not yet restarted). */
  readonly down: ISet<string>;
  /** Armed timers, as `node/timer`. */
  readonly timers: ISet<string>;
  /** In-flight messages: key → copies (unordered, duplicating), or channel `a→b` → queue of keys (fifo). */
  readonly net: IMap<string, number> | IMap<string, List<string>>;
  /** The partition in force, as `a,b|c,d`, or null. */
  readonly cut: string | null;
  /** What is left of each fault budget (only kinds with a budget). */
  readonly budget: IMap<string, number>;
  /** Ghost variables: written by handlers through ctx.updateGhost, read only by invariants. */
  readonly ghost: unknown;
  /** Client operations recorded with ctx.invoke/ok/fail, in order. */
  readonly history: List<HistoryEvent>;
}
export const UnpackedWorld = Record<WorldFields>(
  { nodes: IMap(), down: ISet(), timers: ISet(), net: IMap<string, number>(), cut: null, budget: IMap(), ghost: null, history: List() },
  'World',
);
export type UnpackedWorld = RecordOf<WorldFields>;

export type Roles = { readonly [role: string]: Role<unknown> };
export type StateOf<R> = R extends Role<infer S> ? S : never;

/** A node as an invariant sees it. */
export interface NodeView<Self> {
  readonly id: string;
  readonly up: boolean;
  readonly state: Self;
}

/** How a view reads a packed world: the system behind it answers. */
export interface WorldReader {
  readonly ids: readonly string[];
  readonly packing: string;
  slotOf(id: string): number | undefined;
  roleOfSlot(slot: number): string;
  idsOf(role: string): readonly string[] | undefined;
  nodeState(w: Words32, slot: number): unknown;
  isUp(w: Words32, slot: number): boolean;
  timerArmed(w: Words32, slot: number, name: string): boolean;
  /** The messages in flight (of one type, if given). */
  messages(w: Words32, type?: string): MessageInfo[];
  messagesBetween(w: Words32, from: number, to: number, type?: string): MessageInfo[];
  partition(w: Words32): [string[], string[]] | null;
  faultsLeft(w: Words32, kind: string): number;
  ghost(w: Words32): unknown;
  history(w: Words32): List<HistoryEvent>;
  unpack(w: Words32): UnpackedWorld;
  /** The world's words for the thread at the other end of `link` (see System.exportWorld). */
  exportWorld(w: Words32, link: Link): unknown;
}

/**
 * The state of a message-passing model: a packed world (a few integers indexing the system's
 * tables). Its fields read like the unpacked record's (`nodes`, `down`, `net`, ...), built on
 * demand; invariants read it through `World`.
 */
export class WorldState extends PackedState implements WorldFields {
  /** The view invariants get, made once. */
  view: World | undefined = undefined;
  constructor(
    /** The packed words (see system.ts for the layout). */
    readonly words: Words32,
    readonly reader: WorldReader,
    /** The sums of the world's fingerprint terms (hash.ts). */
    readonly sa: number,
    readonly sb: number,
  ) {
    super();
  }
  get packing(): string {
    return this.reader.packing;
  }
  get fingerprintHi(): number {
    return finishHi(this.sa, this.sb);
  }
  get fingerprintLo(): number {
    return finishLo(this.sa, this.sb);
  }
  unpacked(): UnpackedWorld {
    return this.reader.unpack(this.words);
  }
  override exportTo(link: Link): unknown {
    return this.reader.exportWorld(this.words, link);
  }
  writeTo(q: WordQueue): void {
    q.push(this.words.length);
    q.push(this.sa);
    q.push(this.sb);
    q.pushAll(this.words, 0, this.words.length);
  }
  readFrom(q: WordQueue): WorldState {
    const n = q.shift();
    const sa = q.shift();
    const sb = q.shift();
    return new WorldState(q.shiftArray(n), this.reader, sa, sb);
  }
  get nodes(): WorldFields['nodes'] {
    return this.unpacked().nodes;
  }
  get down(): WorldFields['down'] {
    return this.unpacked().down;
  }
  get timers(): WorldFields['timers'] {
    return this.unpacked().timers;
  }
  get net(): WorldFields['net'] {
    return this.unpacked().net;
  }
  get cut(): WorldFields['cut'] {
    return this.unpacked().cut;
  }
  get budget(): WorldFields['budget'] {
    return this.unpacked().budget;
  }
  get ghost(): unknown {
    return this.reader.ghost(this.words);
  }
  get history(): WorldFields['history'] {
    return this.reader.history(this.words);
  }
}

/** The read-only view of a world that invariants receive. */
export class World<R extends Roles = Roles, G = unknown> {
  private readonly w: Words32;
  private readonly reader: WorldReader;
  constructor(
    /** The world (packed; its fields read like the unpacked record's). */
    readonly state: WorldState,
  ) {
    this.w = state.words;
    this.reader = state.reader;
  }

  private slot(id: string): number {
    const slot = this.reader.slotOf(id);
    if (slot === undefined) throw new ModelError(`no node ${JSON.stringify(id)}`);
    return slot;
  }

  /** The state of node `id`. */
  node<K extends keyof R & string = keyof R & string>(id: string): StateOf<R[K]> {
    return this.reader.nodeState(this.w, this.slot(id)) as StateOf<R[K]>;
  }
  /** The state of node `id` of `role`, typed as that role's state. */
  get<K extends keyof R & string>(role: K, id: string): StateOf<R[K]> {
    const slot = this.reader.slotOf(id);
    if (slot === undefined || this.reader.roleOfSlot(slot) !== role) throw new ModelError(`no node ${JSON.stringify(id)} in role ${role}`);
    return this.reader.nodeState(this.w, slot) as StateOf<R[K]>;
  }
  /** Whether node `id` is up. */
  up(id: string): boolean {
    return this.reader.isUp(this.w, this.slot(id));
  }
  /** The nodes of a role, with their state and whether they are up. */
  of<K extends keyof R & string>(role: K): NodeView<StateOf<R[K]>>[] {
    const ids = this.reader.idsOf(role);
    if (!ids) throw new ModelError(`no role ${JSON.stringify(role)}`);
    return ids.map((id) => {
      const slot = this.reader.slotOf(id)!;
      return { id, up: this.reader.isUp(this.w, slot), state: this.reader.nodeState(this.w, slot) as StateOf<R[K]> };
    });
  }
  /** The states of a role's nodes. */
  states<K extends keyof R & string>(role: K): StateOf<R[K]>[] {
    return this.of(role).map((n) => n.state);
  }
  /** How many nodes of `role` satisfy `pred`, stopping at the first one when `first` (no arrays made: invariants run on every state). */
  private tally<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean, first: boolean): number {
    const ids = this.reader.idsOf(role);
    if (!ids) throw new ModelError(`no role ${JSON.stringify(role)}`);
    let n = 0;
    for (const id of ids)
      if (pred(this.reader.nodeState(this.w, this.reader.slotOf(id)!) as StateOf<R[K]>, id)) {
        n++;
        if (first) break;
      }
    return n;
  }
  some<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): boolean {
    return this.tally(role, pred, true) > 0;
  }
  every<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): boolean {
    return this.tally(role, (s, id) => !pred(s, id), true) === 0;
  }
  count<K extends keyof R & string>(role: K, pred: (state: StateOf<R[K]>, id: string) => boolean): number {
    return this.tally(role, pred, false);
  }
  /** The messages in flight (with repeats), optionally only those of one type. */
  messages(type?: string): MessageInfo[] {
    return this.reader.messages(this.w, type);
  }
  /** The messages in flight from `from` to `to` (with repeats; on a FIFO network, in queue order), optionally only those of one type. */
  messagesBetween(from: string, to: string, type?: string): MessageInfo[] {
    return this.reader.messagesBetween(this.w, this.slot(from), this.slot(to), type);
  }
  /** Whether a timer of node `id` is armed. */
  timer(id: string, name: string): boolean {
    return this.reader.timerArmed(this.w, this.slot(id), name);
  }
  /** The two sides of the partition in force (frozen arrays, shared by every world), or null. */
  get partition(): [string[], string[]] | null {
    return this.reader.partition(this.w);
  }
  /** How many more faults of a kind may happen in this run (its budget left). */
  faultsLeft(kind: 'crash' | 'restart' | 'drop' | 'duplicate' | 'partition'): number {
    return this.reader.faultsLeft(this.w, kind);
  }
  get ghost(): G {
    return this.reader.ghost(this.w) as G;
  }
  /** The client history, oldest first. */
  get history(): HistoryEvent[] {
    return this.reader.history(this.w).toArray();
  }
  /** The state as plain data (for explanations). */
  plain(): Plain {
    return toPlain(this.state);
  }
}
