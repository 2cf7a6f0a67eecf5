/**
 * A message-passing system as the explorer sees it: packed worlds, and the tables behind them.
 *
 * A world is a short array of integers (`Int32Array`), laid out per system:
 *
 *   [0, n)        each node's state, as an id in its role's table (tables.ts)
 *   [n, 2n)       each node's armed timers, a bit per timer its role declares
 *   2n            the nodes that are down, a bit per node
 *   2n+1 … 2n+5   what is left of each fault budget (crash, restart, drop, duplicate, partition)
 *   2n+6          the partition in force: 0 for none, k+1 for the k-th split
 *   2n+7, 2n+8    the ghost variables and the client history, as ids in their tables
 *   2n+9 …        the messages in flight (network.ts)
 *
 * Handlers are pure, so what a node does on an event in a given state is computed once
 * (successors.ts) and its outcome reused in every world where it happens. Invariants read worlds
 * through `World` views, which look node states up in the tables. A world's fingerprint comes from
 * the content fingerprints of what its ids name, so it is the same in every thread.
 */
import { List, Map as IMap, Set as ISet } from 'immutable';
import { ModelError } from '../model/errors.js';
import type { MessageInfo, TraceEvent } from '../model/trace.js';
import type { FaultBudgets, ParamValue, Property, Spec } from '../model/types.js';
import { isImmutable } from 'immutable';
import { type Link, registerPacking } from '../model/values.js';
import { channelName, checkId, decodeMessage, parseTimerKey, timerKey, type Decoded } from './codec.js';
import type { Layout } from './context.js';
import { type ActorSystem, FAULT_FAMILIES, FAULT_KINDS, type PartitionShapes } from './definition.js';
import { expandFaults, faultFamilies, type FaultDescribers, makeSplits, type Split } from './faults.js';
import { addTerm, setTerm, type Sum, TA, TB, term } from './hash.js';
import { network, NETWORK_KINDS, type Network, Words, type Words32 } from './network.js';
import { type Renumberer, renumberer } from './renumber.js';
import type { Role } from './role.js';
import { expandProtocol, initialWorlds, type Outcome, protocolFamilies } from './successors.js';
import { Symmetry } from './symmetry.js';
import { ReadMemo } from './reads.js';
import { Interner, PairMemo } from './tables.js';
import { type HistoryEvent, type Roles, UnpackedWorld, World, type WorldReader, WorldState } from './world.js';

/** A world as it crosses a link (System.exportWorld): its words, and (table, id, value) triples of what is new on the link. */
type ExportedWorld = [words: number[], values: unknown[]];
interface IdTables<T> {
  readonly tables: T[][];
}

/** What a build was called with: names the packing, so worker threads pack with the same system. */
export interface BuildIdentity {
  readonly model: string;
  readonly variant: string;
  readonly params: { readonly [k: string]: ParamValue };
  readonly faults: FaultBudgets;
}

export class System implements WorldReader {
  readonly ids: string[] = [];
  readonly n: number;
  readonly layout: Layout;
  readonly roleNames: string[];
  /** Per slot: its role, the role's index in roleNames, its position within the role. */
  readonly roleOf: Role<unknown>[] = [];
  readonly roleIndex: number[] = [];
  private readonly slots = new Map<string, number>();
  /** Per role index: its timers' names (bit k = the k-th) and local steps' names, in declaration order. */
  readonly timerNames: string[][];
  readonly stepNames: string[][];
  /** Armed-timer candidates in the order timeouts are tried: by `node/timer` text. */
  readonly timerOrder: { slot: number; bit: number; name: string }[] = [];

  // Word offsets.
  readonly T: number;
  readonly DOWN: number;
  readonly BUDGET: number;
  readonly CUT: number;
  readonly GHOST: number;
  readonly HISTORY: number;
  readonly H: number;

  /** Tables: node states per role index, messages (by key), ghost values, histories. */
  readonly states: Interner<unknown>[];
  readonly msgs = new Interner<string>((a, b) => a === b);
  readonly msgInfo: Decoded[] = [];
  readonly msgTo: number[] = [];
  readonly msgFrom: number[] = [];
  readonly msgChannel: number[] = [];
  /**
   * Each message's place in the order of keys, as a number (comparing numbers is far cheaper than
   * comparing keys): a new message gets a number between its neighbours', and when they run out
   * of room every message is numbered again (only comparisons of ranks are ever used).
   */
  readonly msgRank: number[] = [];
  private readonly byKey: number[] = [];
  readonly ghosts = new Interner<unknown>();
  readonly histories = new Interner<List<HistoryEvent>>();

  readonly net: Network;
  readonly quiet: boolean;
  readonly splits: Split[];
  readonly timeoutsWhen: ((w: World, node: string, timer: string) => boolean) | undefined;
  readonly symmetry: Symmetry | null;
  readonly renumber: Renumberer | null;
  /** Action families by number (Spec.successors.families). */
  readonly families: string[];
  readonly familyOf = new Map<string, number>();
  readonly packing: string;
  /**
   * Per header word, per value: the term of that value there (hash.ts), once computed — a node's
   * state id at its slot, a timer set, the down set, a budget, the cut, a ghost or history id.
   */
  private readonly termA: (number | undefined)[][] = [];
  private readonly termB: number[][] = [];
  /** What each node's handlers do, by state id and event code (successors.ts). */
  readonly outcomes: PairMemo<Outcome[]>[];
  /** What a crash leaves of each node state, by role index and state id (faults.ts). */
  readonly crashed: Map<number, number>[];
  /** What `timeoutsWhen` says, remembered by what it reads. */
  readonly timeoutMemo: ReadMemo<boolean>;
  /** Fault labels and events (faults.ts). */
  faultDescribers: FaultDescribers | undefined = undefined;
  /** Scratch space for building worlds, and their sums. */
  readonly scratch = new Words();
  readonly sum: Sum = { a: 0, b: 0 };

  constructor(
    readonly roles: { readonly [role: string]: Role<unknown> },
    def: ActorSystem<Roles, unknown>,
    identity: BuildIdentity,
  ) {
    const roleOf = new Map<string, string>();
    const idsOf = new Map<string, readonly string[]>();
    this.roleNames = Object.keys(roles);
    for (const [k, name] of this.roleNames.entries()) {
      const r = roles[name];
      if (!r || r.kind !== 'faultline/role') throw new ModelError(`roles.${name} must be made with role({...})`);
      for (const id of r.ids) {
        checkId(id, `node id of role ${name}`);
        if (roleOf.has(id)) throw new ModelError(`node id ${id} is used twice (roles ${roleOf.get(id)} and ${name})`);
        roleOf.set(id, name);
        this.slots.set(id, this.ids.length);
        this.ids.push(id);
        this.roleOf.push(r);
        this.roleIndex.push(k);
      }
      idsOf.set(name, r.ids);
    }
    this.n = this.ids.length;
    if (this.n > 30) throw new ModelError(`an actor system has at most 30 nodes (this one has ${this.n})`);
    this.layout = { ids: this.ids, roles, roleOf, idsOf };
    this.timerNames = this.roleNames.map((name) => Object.keys(roles[name]!.timers));
    this.stepNames = this.roleNames.map((name) => Object.keys(roles[name]!.steps));
    for (const [k, names] of this.timerNames.entries())
      if (names.length > 30) throw new ModelError(`role ${this.roleNames[k]} declares more than 30 timers`);
    const order: { slot: number; bit: number; name: string; key: string }[] = [];
    for (let slot = 0; slot < this.n; slot++)
      this.timerNames[this.roleIndex[slot]!]!.forEach((name, bit) => order.push({ slot, bit, name, key: timerKey(this.ids[slot]!, name) }));
    order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.timerOrder = order.map(({ slot, bit, name }) => ({ slot, bit, name }));

    const n = this.n;
    this.T = n;
    this.DOWN = 2 * n;
    this.BUDGET = 2 * n + 1;
    this.CUT = 2 * n + 6;
    this.GHOST = 2 * n + 7;
    this.HISTORY = 2 * n + 8;
    this.H = 2 * n + 9;
    for (let i = 0; i < this.H; i++) {
      this.termA.push([]);
      this.termB.push([]);
    }

    this.states = this.roleNames.map(() => new Interner<unknown>());
    this.outcomes = this.ids.map(() => new PairMemo<Outcome[]>());
    this.timeoutMemo = new ReadMemo<boolean>(this.H);
    this.crashed = this.roleNames.map(() => new Map<number, number>());
    const kind = def.network ?? 'unordered';
    if (!NETWORK_KINDS.includes(kind)) throw new ModelError(`network must be one of ${NETWORK_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    const rank = this.msgRank;
    this.net = network(kind, { before: (a, b) => rank[a]! < rank[b]!, to: this.msgTo, from: this.msgFrom, channel: this.msgChannel, hi: this.msgs.hi, lo: this.msgs.lo });
    const timers = def.timers ?? 'any';
    if (timers !== 'any' && timers !== 'quiet') throw new ModelError(`timers must be any or quiet, got ${JSON.stringify(timers)}`);
    this.quiet = timers === 'quiet';
    this.splits = makeSplits(this, (def.partitions ?? 'any') as PartitionShapes);
    this.timeoutsWhen = def.timeoutsWhen as ((w: World, node: string, timer: string) => boolean) | undefined;
    // Channels are numbered in the order of their names, so runs of a FIFO net sort as the names do.
    const channels = this.ids.flatMap((a) => this.ids.map((b) => channelName(a, b))).sort();
    this.channelIndex = new Map(channels.map((c, i) => [c, i]));
    this.families = [...protocolFamilies(this), ...faultFamilies()];
    this.families.forEach((f, i) => this.familyOf.set(f, i));
    this.symmetry = Symmetry.of(this);
    this.renumber = def.renumber !== undefined ? renumberer(def.renumber, this) : null;
    this.packing = `actors:${identity.model}:${identity.variant}:${JSON.stringify(identity.params)}:${JSON.stringify(identity.faults)}`;
    registerPacking(
      this.packing,
      (u) => this.pack(u as UnpackedWorld),
      (e, link) => this.importWorld(e as ExportedWorld, link),
    );
  }

  private readonly channelIndex: Map<string, number>;

  // ---------------------------------------------------------------- tables

  /** The id of a message key, numbering (and decoding) it if it is new. */
  msg(key: string): number {
    const before = this.msgs.size;
    const id = this.msgs.id(key);
    if (id === before) {
      const d = decodeMessage(key);
      this.msgInfo.push(d);
      const to = this.slots.get(d.info.to);
      const from = this.slots.get(d.info.from);
      if (to === undefined || from === undefined) throw new ModelError(`message ${key} is between unknown nodes`);
      this.msgTo.push(to);
      this.msgFrom.push(from);
      this.msgChannel.push(this.channelIndex.get(channelName(d.info.from, d.info.to))!);
      this.rankNew(id, key);
    }
    return id;
  }

  private rankNew(id: number, key: string): void {
    const keys = this.msgs.values;
    const order = this.byKey;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[order[mid]!]! < key) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, id);
    const before = lo > 0 ? this.msgRank[order[lo - 1]!]! : 0;
    const after = lo + 1 < order.length ? this.msgRank[order[lo + 1]!]! : before + 2 ** 20;
    const r = (before + after) / 2;
    this.msgRank[id] = r;
    if (!(r > before && r < after)) order.forEach((m, i) => (this.msgRank[m] = (i + 1) * 2 ** 20));
  }

  /** The id of a node state of the role at `slot`. */
  stateId(slot: number, state: unknown): number {
    return this.states[this.roleIndex[slot]!]!.id(state);
  }

  familyId(name: string): number {
    const f = this.familyOf.get(name);
    if (f === undefined) throw new Error(`unknown family ${name}`);
    return f;
  }

  // ---------------------------------------------------------------- WorldReader

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }
  roleOfSlot(slot: number): string {
    return this.roleNames[this.roleIndex[slot]!]!;
  }
  idsOf(role: string): readonly string[] | undefined {
    return this.layout.idsOf.get(role);
  }
  /** Flags for what a World view reads, while a ReadMemo records (reads.ts). */
  recording: Uint8Array | null = null;
  /** Note that header word `p` (H: the net, H + 1: everything) was read. */
  private read(p: number): void {
    if (this.recording !== null) this.recording[p] = 1;
  }

  nodeState(w: Words32, slot: number): unknown {
    this.read(slot);
    return this.states[this.roleIndex[slot]!]!.values[w[slot]!];
  }
  isUp(w: Words32, slot: number): boolean {
    this.read(this.DOWN);
    return ((w[this.DOWN]! >>> slot) & 1) === 0;
  }
  timerArmed(w: Words32, slot: number, name: string): boolean {
    this.read(this.T + slot);
    const bit = this.timerNames[this.roleIndex[slot]!]!.indexOf(name);
    return bit >= 0 && ((w[this.T + slot]! >>> bit) & 1) === 1;
  }
  private readonly ids1: number[] = [];
  /** The infos of the message ids in ids1, of one type if given. */
  private infos(type: string | undefined): MessageInfo[] {
    const out: MessageInfo[] = [];
    for (const id of this.ids1) {
      const info = this.msgInfo[id]!.info;
      if (type === undefined || info.type === type) out.push(info);
    }
    return out;
  }
  messages(w: Words32, type?: string): MessageInfo[] {
    this.read(this.H);
    const ids = this.ids1;
    ids.length = 0;
    this.net.all(w, this.H, ids);
    return this.infos(type);
  }
  messagesBetween(w: Words32, from: number, to: number, type?: string): MessageInfo[] {
    this.read(this.H);
    const ids = this.ids1;
    ids.length = 0;
    this.net.between(w, this.H, from, to, ids);
    return this.infos(type);
  }
  partition(w: Words32): [string[], string[]] | null {
    this.read(this.CUT);
    const c = w[this.CUT]!;
    return c === 0 ? null : this.splits[c - 1]!.view;
  }
  faultsLeft(w: Words32, kind: string): number {
    const k = (FAULT_KINDS as readonly string[]).indexOf(kind);
    if (k < 0) throw new ModelError(`no fault kind ${JSON.stringify(kind)} (kinds: ${FAULT_KINDS.join(', ')})`);
    this.read(this.BUDGET + k);
    return w[this.BUDGET + k]!;
  }
  ghost(w: Words32): unknown {
    this.read(this.GHOST);
    return this.ghosts.values[w[this.GHOST]!];
  }
  history(w: Words32): List<HistoryEvent> {
    this.read(this.HISTORY);
    return this.histories.values[w[this.HISTORY]!]!;
  }

  /** The term (hash.ts) of word `i` of a world's header holding `v`: a node state, ghost and history by their content fingerprints. */
  headerTerm(i: number, v: number): void {
    // Remembered per word and value (values are small: ids, bit sets of a few timers, budgets).
    const ca = this.termA[i]!;
    const a = ca[v];
    if (a !== undefined) {
      setTerm(a, this.termB[i]![v]!);
      return;
    }
    if (i < this.n) {
      const t = this.states[this.roleIndex[i]!]!;
      term(i, t.hi[v]!, t.lo[v]!);
    } else if (i === this.GHOST) term(i, this.ghosts.hi[v]!, this.ghosts.lo[v]!);
    else if (i === this.HISTORY) term(i, this.histories.hi[v]!, this.histories.lo[v]!);
    else term(i, v, 0);
    if (v >= 0 && v < 1 << 20) {
      ca[v] = TA;
      this.termB[i]![v] = TB;
    }
  }

  /** In `sum`: word `i` of the header changes from `before` to `after`. */
  change(sum: Sum, i: number, before: number, after: number): void {
    if (before === after) return;
    this.headerTerm(i, before);
    addTerm(sum, -1);
    this.headerTerm(i, after);
    addTerm(sum, 1);
  }

  /** The sum of a world's terms, from scratch. */
  sumOf(w: Words32): Sum {
    const sum = { a: 0, b: 0 };
    for (let i = 0; i < this.H; i++) {
      this.headerTerm(i, w[i]!);
      addTerm(sum, 1);
    }
    this.net.terms(w, this.H, sum);
    return sum;
  }

  /** The world as Immutable values (what reports show). */
  unpack(w: Words32): UnpackedWorld {
    this.read(this.H + 1);
    let nodes = IMap<string, unknown>();
    let down = ISet<string>();
    let timers = ISet<string>();
    for (let slot = 0; slot < this.n; slot++) {
      const id = this.ids[slot]!;
      nodes = nodes.set(id, this.nodeState(w, slot));
      if (!this.isUp(w, slot)) down = down.add(id);
      this.timerNames[this.roleIndex[slot]!]!.forEach((name, bit) => {
        if ((w[this.T + slot]! >>> bit) & 1) timers = timers.add(timerKey(id, name));
      });
    }
    let budget = IMap<string, number>();
    FAULT_KINDS.forEach((k, i) => {
      if (w[this.BUDGET + i]! > 0) budget = budget.set(k, w[this.BUDGET + i]!);
    });
    const c = w[this.CUT]!;
    const ids = this.ids1;
    ids.length = 0;
    this.net.all(w, this.H, ids);
    const keys = ids.map((id) => this.msgs.values[id]!);
    let net: UnpackedWorld['net'];
    if (this.net.kind === 'fifo') {
      let m = IMap<string, List<string>>();
      for (const [i, key] of keys.entries()) {
        const info = this.msgInfo[ids[i]!]!.info;
        const ch = channelName(info.from, info.to);
        m = m.set(ch, (m.get(ch) ?? List<string>()).push(key));
      }
      net = m;
    } else {
      let m = IMap<string, number>();
      for (const key of keys) m = m.set(key, (m.get(key) ?? 0) + 1);
      net = m;
    }
    return UnpackedWorld({ nodes, down, timers, net, cut: c === 0 ? null : this.splits[c - 1]!.cut, budget, ghost: this.ghost(w), history: this.history(w) });
  }

  /** A world from its unpacked form (how a world arrives from another thread). */
  pack(u: UnpackedWorld): WorldState {
    const s = this.scratch;
    s.reset();
    for (let slot = 0; slot < this.n; slot++) s.push(this.stateId(slot, u.nodes.get(this.ids[slot]!)));
    for (let slot = 0; slot < this.n; slot++) s.push(0);
    s.push(0);
    for (const k of FAULT_KINDS) s.push(u.budget.get(k) ?? 0);
    s.push(u.cut === null ? 0 : this.splits.findIndex((x) => x.cut === u.cut) + 1);
    s.push(this.ghosts.id(u.ghost));
    s.push(this.histories.id(u.history));
    for (const t of u.timers) {
      const [id, name] = parseTimerKey(t);
      const slot = this.slots.get(id)!;
      s.a[this.T + slot]! |= 1 << this.timerNames[this.roleIndex[slot]!]!.indexOf(name);
    }
    for (const id of u.down) s.a[this.DOWN]! |= 1 << this.slots.get(id)!;
    const ignored = { a: 0, b: 0 };
    if (this.net.kind === 'fifo') for (const q of (u.net as IMap<string, List<string>>).values()) for (const key of q) this.net.send(s, this.H, this.msg(key), ignored);
    else for (const [key, c] of u.net as IMap<string, number>) for (let i = 0; i < c; i++) this.net.send(s, this.H, this.msg(key), ignored);
    return this.world(s.take());
  }

  /**
   * A world for the thread at the other end of `link`: its words as they are here, and the values
   * behind the ids in them (node states, ghost, history, message keys) that have not crossed this
   * link before — usually none, so a world crosses as a few integers.
   */
  exportWorld(w: Words32, link: Link): ExportedWorld {
    let sent = link.memo.get(this.packing) as IdTables<boolean> | undefined;
    if (sent === undefined) link.memo.set(this.packing, (sent = this.idTables<boolean>()));
    const values: unknown[] = [];
    const note = (table: number, id: number, value: () => unknown): void => {
      const t = sent.tables[table]!;
      if (t[id]) return;
      t[id] = true;
      values.push(table, id, link.encode(value()));
    };
    for (let slot = 0; slot < this.n; slot++) {
      const r = this.roleIndex[slot]!;
      note(r, w[slot]!, () => this.states[r]!.values[w[slot]!]);
    }
    const k = this.roleNames.length;
    note(k, w[this.GHOST]!, () => this.ghosts.values[w[this.GHOST]!]);
    note(k + 1, w[this.HISTORY]!, () => this.histories.values[w[this.HISTORY]!]);
    this.net.each(w, this.H, (id) => note(k + 2, id, () => this.msgs.values[id]));
    return [w.slice(), values];
  }

  /** A world exportWorld sent on the far end of `link` (every earlier one on it imported already). */
  importWorld([words, values]: ExportedWorld, link: Link): WorldState {
    let own = link.memo.get(this.packing) as IdTables<number> | undefined;
    if (own === undefined) link.memo.set(this.packing, (own = this.idTables<number>()));
    const k = this.roleNames.length;
    for (let i = 0; i < values.length; i += 3) {
      const table = values[i] as number;
      const v = link.decode(values[i + 2]);
      own.tables[table]![values[i + 1] as number] =
        table < k ? this.states[table]!.id(v) : table === k ? this.ghosts.id(v) : table === k + 1 ? this.histories.id(v as List<HistoryEvent>) : this.msg(v as string);
    }
    const t = own.tables;
    const s = this.scratch;
    s.reset();
    for (let i = 0; i < this.H; i++) s.push(words[i]!);
    for (let slot = 0; slot < this.n; slot++) s.a[slot] = t[this.roleIndex[slot]!]![words[slot]!]!;
    s.a[this.GHOST] = t[k]![words[this.GHOST]!]!;
    s.a[this.HISTORY] = t[k + 1]![words[this.HISTORY]!]!;
    const msgs = t[k + 2]!;
    this.net.map(words, this.H, (id) => msgs[id]!, s);
    return this.world(s.take());
  }

  /** One table per role's node states, then ghosts, histories and messages: by id. */
  private idTables<T>(): IdTables<T> {
    return { tables: Array.from({ length: this.roleNames.length + 3 }, () => [] as T[]) };
  }

  /** A world from its words (its fingerprint terms summed from scratch). */
  world(words: Words32): WorldState {
    const sum = this.sumOf(words);
    return new WorldState(words, this, sum.a, sum.b);
  }

  /** A world from its words and the sum of its terms, kept up to date as it was built. */
  worldWith(words: Words32, sum: Sum): WorldState {
    return new WorldState(words, this, sum.a, sum.b);
  }

  /** The view invariants get of a world (made once per world). */
  view(s: WorldState): World {
    return (s.view ??= new World(s));
  }

  /** Whether a message from slot `from` to slot `to` is held up by the partition in force. */
  blocked(w: Words32, from: number, to: number): boolean {
    const c = w[this.CUT]!;
    if (c === 0) return false;
    const a = this.splits[c - 1]!.sideA;
    return ((a >>> from) & 1) !== ((a >>> to) & 1);
  }

  /** The first trace event: the nodes, and what their start handlers sent and armed. */
  initEvent(s: WorldState): TraceEvent {
    const w = s.words;
    const sends = this.messages(w);
    const timersSet: string[] = [];
    for (let slot = 0; slot < this.n; slot++)
      this.timerNames[this.roleIndex[slot]!]!.forEach((name, bit) => {
        if ((w[this.T + slot]! >>> bit) & 1) timersSet.push(timerKey(this.ids[slot]!, name));
      });
    timersSet.sort();
    const nodes = this.ids.map((id, slot) => {
      const { keyFields, volatileFields } = this.roleOf[slot]!;
      return {
        id,
        role: this.layout.roleOf.get(id)!,
        ...(keyFields.length ? { keyFields: [...keyFields] } : {}),
        ...(volatileFields.length ? { volatile: [...volatileFields] } : {}),
      };
    });
    return { kind: 'init', nodes, sends, ...(timersSet.length ? { timersSet } : {}) };
  }
}

// ------------------------------------------------------------------ the Spec

export function actorSpec<R extends Roles, G>(def: ActorSystem<R, G>, identity: BuildIdentity): Spec<WorldState> {
  if (!def || typeof def !== 'object' || !def.roles) throw new ModelError('build must return an actor system: { roles: { name: role({...}) }, ... }');
  const g = def.ghost ?? null;
  if (g !== null && typeof g === 'object' && !isImmutable(g)) throw new ModelError('ghost must start as a plain value or an Immutable collection');
  const sys = new System(def.roles, def as ActorSystem<Roles, unknown>, identity);
  const init = initialWorlds(sys, identity.faults, g);
  const view = (s: WorldState) => sys.view(s) as World<R, G>;
  /** `f` of a world, remembered by what it reads (reads.ts). */
  const remembered = <T>(f: (w: World<R, G>) => T) => {
    const memo = new ReadMemo<T>(sys.H);
    return (s: WorldState): T => {
      const e = memo.find(s.words, 0);
      return e !== undefined ? e.result : memo.learn(sys, s.words, 0, () => f(view(s)));
    };
  };
  const invariants: Record<string, { holds: (s: WorldState) => boolean; explain?: (s: WorldState) => string }> = {};
  for (const [name, inv] of Object.entries(def.invariants ?? {})) {
    if (typeof inv === 'function') invariants[name] = { holds: remembered(inv) };
    else if (inv && typeof inv.holds === 'function') {
      const { holds, explain } = inv;
      invariants[name] = explain ? { holds: remembered(holds), explain: (s) => explain(view(s)) } : { holds: remembered(holds) };
    } else throw new ModelError(`invariant ${name} must be a function of the world or { holds: (w) => boolean }`);
  }
  const witnesses: Record<string, (s: WorldState) => boolean> = {};
  for (const [name, pred] of Object.entries(def.witnesses ?? {})) {
    if (typeof pred !== 'function') throw new ModelError(`witness ${name} must be a function of the world`);
    witnesses[name] = remembered(pred);
  }
  const properties: Record<string, Property<WorldState>> = {};
  for (const [name, prop] of Object.entries(def.properties ?? {})) {
    const lift = (f: (w: World<R, G>) => boolean) => remembered(f);
    const d = prop?.description !== undefined ? { description: prop.description } : {};
    if (prop && 'eventually' in prop && typeof prop.eventually === 'function') {
      if (prop.when !== undefined && typeof prop.when !== 'function') throw new ModelError(`property ${name}: when must be a function of the world`);
      properties[name] = prop.when ? { kind: 'leadsTo', p: lift(prop.when), q: lift(prop.eventually), ...d } : { kind: 'eventually', p: lift(prop.eventually), ...d };
    } else if (prop && 'alwaysEventually' in prop && typeof prop.alwaysEventually === 'function') properties[name] = { kind: 'alwaysEventually', p: lift(prop.alwaysEventually), ...d };
    else throw new ModelError(`property ${name} must be { eventually: (w) => ... }, { alwaysEventually: ... } or { when, eventually }`);
  }
  if (def.constraint !== undefined && typeof def.constraint !== 'function') throw new ModelError('constraint must be a function of the world');
  const user = def.constraint ? remembered(def.constraint) : undefined;
  const spread = sys.renumber?.within ?? null;
  const constraint: ((s: WorldState) => boolean) | null = user && spread ? (s) => spread(s) && user(s) : user ? user : spread;
  const symmetry = sys.symmetry;
  return {
    init,
    witnesses,
    properties,
    successors: {
      families: sys.families,
      expand: (s, out) => {
        expandProtocol(sys, s, out);
        expandFaults(sys, s, out);
      },
    },
    invariants,
    deadlock: def.deadlock ?? false,
    faultActions: FAULT_FAMILIES,
    ...(def.fairRestarts ? { fairFaults: ['restart'] } : {}),
    initEvent: (s) => sys.initEvent(s),
    ...(symmetry ? { symmetry: (s: WorldState) => symmetry.images(s), symmetryImagesOnly: true } : {}),
    ...(sys.renumber ? { normalize: sys.renumber.normalize } : {}),
    ...(constraint ? { constraint } : {}),
  };
}

