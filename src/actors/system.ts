/**
 * Message-passing systems as models: the author writes roles (what each node does) and
 * invariants; faultline supplies the interleavings — every deliverable message, every armed
 * timer, every local step — and the faults, each within its budget: crash, restart, drop,
 * duplicate, partition (and heal). The result is an ordinary Spec the explorer checks.
 * Documented in docs/actors.md.
 */
import { fromJS, hash, isImmutable, isRecord, List, Map as IMap, Set as ISet } from 'immutable';
import { defineModel } from '../model/define.js';
import { ActionError, ModelError } from '../model/errors.js';
import type { SentMessage, StepEffects, TraceEvent } from '../model/trace.js';
import type { BuildConfig, FaultBudgets, Model, ParamDefinitions, Property, Spec, Successor } from '../model/types.js';
import { checkId, decodeMessage, encodeMessage, type Json, type Message, messageText, remapJson, remapMessageKey } from './messages.js';
import { type Renumbering, renumberer } from './renumber.js';
import { type Net, network, type Network, NETWORK_KINDS, type NetworkKind, receiverOf } from './network.js';
import type { Ctx, Handler, Role } from './role.js';
import { HistoryEvent, type Layout, type Roles, World, WorldState } from './world.js';

export const FAULT_KINDS = ['crash', 'restart', 'drop', 'duplicate', 'partition'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The action families of faults, as the statistics list them. */
export const FAULT_FAMILIES = ['crash', 'restart', 'drop', 'duplicate', 'partition', 'heal'] as const;

export type ActorInvariant<R extends Roles, G> =
  | ((w: World<R, G>) => boolean)
  | { readonly holds: (w: World<R, G>) => boolean; readonly explain?: (w: World<R, G>) => string; readonly description?: string };

/** A liveness property over the world. */
export type ActorProperty<R extends Roles, G> =
  | { readonly eventually: (w: World<R, G>) => boolean; readonly when?: (w: World<R, G>) => boolean; readonly description?: string }
  | { readonly alwaysEventually: (w: World<R, G>) => boolean; readonly description?: string };

/** Which splits a partition fault may make. */
export type PartitionShapes = 'any' | 'isolate' | 'majority' | readonly (readonly string[])[];

export interface ActorSystem<R extends Roles, G> {
  readonly roles: R;
  /** How in-flight messages behave (default `unordered`). */
  readonly network?: NetworkKind;
  /**
   * When an armed timer may fire: `any` step (default), or only when no message to its node can
   * be delivered (`quiet`) — fewer interleavings, but it hides a timeout racing a reply.
   */
  readonly timers?: 'any' | 'quiet';
  /**
   * An assumption about the environment: a timer may fire only when this holds of the world (say,
   * a perfect failure detector: the peer is down or cut off). Handlers still cannot see the world;
   * only the scheduling of timeouts depends on it. Checked after `timers`.
   */
  readonly timeoutsWhen?: (w: NoInfer<World<R, G>>, node: string, timer: string) => boolean;
  /** The splits a partition may make (default `any`: every split into two non-empty sides). */
  readonly partitions?: PartitionShapes;
  /** Initial value of the ghost variables. */
  readonly ghost?: G;
  readonly invariants?: { readonly [name: string]: ActorInvariant<R, G> };
  /**
   * Liveness properties (docs/liveness.md): `{ eventually: (w) => ... }`, `{ alwaysEventually: ... }`,
   * or `{ when: p, eventually: q }` (p leads to q).
   */
  readonly properties?: { readonly [name: string]: ActorProperty<R, G> };
  /** Scenarios to find an example of with `--witness Name` (e.g. "two leaders in different terms"). */
  readonly witnesses?: { readonly [name: string]: (w: World<R, G>) => boolean };
  /** Report states where nothing at all can happen (default false: a finished protocol is quiet). */
  readonly deadlock?: boolean;
  /**
   * Fields holding ballots, terms or epochs, which only matter relative to each other: states that
   * differ by a shift of all of them are one state (src/actors/renumber.ts; docs/actors.md).
   */
  readonly renumber?: Renumbering;
  /** TLC's CONSTRAINT: a world where this is false is checked but not explored further. */
  readonly constraint?: (w: World<R, G>) => boolean;
}

export interface ActorModelDefinition<P extends ParamDefinitions, V extends string, R extends Roles, G> {
  readonly name: string;
  readonly description?: string;
  readonly params?: P;
  readonly variants?: { readonly [K in V]: string };
  /** Default fault budgets (kinds not named default to 0); `--faults` overrides them. */
  readonly faults?: { readonly [K in FaultKind]?: number };
  readonly build: (config: BuildConfig<P, V>) => ActorSystem<R, G>;
}

/**
 * The system a model's build returns. An identity function: it exists so that TypeScript infers
 * the roles' state types from `roles` and types the world that `invariants` receive.
 */
export function system<R extends Roles, G = null>(def: ActorSystem<R, G>): ActorSystem<R, G> {
  return def;
}

/** Declare a message-passing model. */
export function defineActorModel<const P extends ParamDefinitions = Record<never, never>, const V extends string = 'default', R extends Roles = Roles, G = null>(
  def: ActorModelDefinition<P, V, R, G>,
): Model<WorldState, P, V> {
  const faults: Record<string, number> = {};
  for (const k of FAULT_KINDS) faults[k] = def.faults?.[k] ?? 0;
  for (const k of Object.keys(def.faults ?? {}))
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new ModelError(`defineActorModel(${def.name}): unknown fault kind ${k}; kinds: ${FAULT_KINDS.join(', ')}`);
  return defineModel<WorldState, P, V>({
    name: def.name,
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def.params ? { params: def.params } : {}),
    ...(def.variants ? { variants: def.variants } : {}),
    faults,
    build: (config) => actorSpec(def.build(config), config.faults),
  });
}

// ------------------------------------------------------------------ running handlers

interface Effects extends StepEffects {
  readonly sends: SentMessage[];
}

/** One way a handler ran (one branch of its choices). */
interface Run {
  readonly self: unknown;
  /** Messages to send, as [to, key]. */
  readonly out: [string, string][];
  readonly timerOps: [boolean, string][];
  readonly choices: string[];
  readonly history: HistoryEvent[];
  readonly ghost: ((g: unknown) => unknown)[];
}

function choiceText(x: Json): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

class HandlerCtx implements Ctx {
  readonly out: [string, string][] = [];
  readonly timerOps: [boolean, string][] = [];
  readonly choices: string[] = [];
  readonly history: HistoryEvent[] = [];
  readonly ghost: ((g: unknown) => unknown)[] = [];
  /** Sizes of the choice points met, and the option taken at each. */
  readonly sizes: number[] = [];
  readonly picked: number[] = [];

  constructor(
    private readonly sys: System,
    readonly id: string,
    readonly role: string,
    readonly index: number,
    readonly from: string | null,
    private readonly prefix: readonly number[],
  ) {}

  nodes(role?: string): readonly string[] {
    if (role === undefined) return this.sys.ids;
    const ids = this.sys.layout.idsOf.get(role);
    if (!ids) throw new ModelError(`no role ${JSON.stringify(role)} (roles: ${[...this.sys.layout.idsOf.keys()].join(', ')})`);
    return ids;
  }
  quorum(role: string): number {
    return Math.floor(this.nodes(role).length / 2) + 1;
  }
  send(to: string, msg: Message): void {
    if (!this.sys.layout.roleOf.has(to)) throw new ModelError(`${this.id} sent ${String(msg?.type)} to unknown node ${JSON.stringify(to)}`);
    const key = encodeMessage(this.id, to, msg);
    const type = msg.type;
    const target = this.sys.roles[this.sys.layout.roleOf.get(to)!]!;
    if (!Object.hasOwn(target.on, type)) throw new ModelError(`${this.id} sent ${type} to ${to}, whose role ${this.sys.layout.roleOf.get(to)} has no handler for ${type}`);
    this.out.push([to, key]);
  }
  broadcast(to: string | readonly string[], msg: Message): void {
    const ids = typeof to === 'string' ? this.nodes(to) : to;
    for (const id of ids) if (id !== this.id) this.send(id, msg);
  }
  reply(msg: Message): void {
    if (this.from === null) throw new ModelError(`${this.id}: reply outside a message handler`);
    this.send(this.from, msg);
  }
  setTimer(name: string): void {
    const r = this.sys.roles[this.role]!;
    if (!Object.hasOwn(r.timers, name)) throw new ModelError(`${this.id} set timer ${JSON.stringify(name)}, but role ${this.role} has no handler for it`);
    this.timerOps.push([true, name]);
  }
  cancelTimer(name: string): void {
    this.timerOps.push([false, name]);
  }
  choose<T extends Json>(options: readonly T[]): T {
    if (!Array.isArray(options) || options.length === 0) throw new ModelError(`${this.id}: choose needs at least one option`);
    const k = this.sizes.length;
    const pick = k < this.prefix.length ? this.prefix[k]! : 0;
    this.sizes.push(options.length);
    this.picked.push(pick);
    const v = options[pick]!;
    this.choices.push(choiceText(v));
    return v;
  }
  private record(type: 'invoke' | 'ok' | 'fail', f: string, value: Json | undefined): void {
    const v = value === undefined ? null : typeof value === 'object' && value !== null ? fromJS(value) : value;
    this.history.push(HistoryEvent({ process: this.id, type, f, value: v }));
  }
  invoke(f: string, value?: Json): void {
    this.record('invoke', f, value);
  }
  ok(f: string, value?: Json): void {
    this.record('ok', f, value);
  }
  fail(f: string, value?: Json): void {
    this.record('fail', f, value);
  }
  updateGhost<G>(update: (ghost: G) => G): void {
    this.ghost.push(update as (g: unknown) => unknown);
  }
}

// ------------------------------------------------------------------ the system

interface Split {
  readonly cut: string;
  readonly sideA: ReadonlySet<string>;
  readonly sides: [string[], string[]];
}

class System {
  readonly ids: string[] = [];
  readonly layout: Layout;
  readonly net: Network;
  readonly quiet: boolean;
  readonly splits: Split[];
  readonly splitOf = new Map<string, Split>();
  readonly order = new Map<string, number>();
  readonly symmetric: { readonly groups: (readonly string[])[]; readonly blank: ReadonlyMap<string, string> };
  readonly timeoutsWhen: ((w: World, node: string, timer: string) => boolean) | undefined;

  constructor(
    readonly roles: { readonly [role: string]: Role<unknown> },
    def: ActorSystem<Roles, unknown>,
  ) {
    const roleOf = new Map<string, string>();
    const idsOf = new Map<string, readonly string[]>();
    for (const [name, r] of Object.entries(roles)) {
      if (!r || r.kind !== 'faultline/role') throw new ModelError(`roles.${name} must be made with role({...})`);
      for (const id of r.ids) {
        checkId(id, `node id of role ${name}`);
        if (roleOf.has(id)) throw new ModelError(`node id ${id} is used twice (roles ${roleOf.get(id)} and ${name})`);
        roleOf.set(id, name);
        this.order.set(id, this.ids.length);
        this.ids.push(id);
      }
      idsOf.set(name, r.ids);
    }
    const kind = def.network ?? 'unordered';
    if (!NETWORK_KINDS.includes(kind)) throw new ModelError(`network must be one of ${NETWORK_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    this.net = network(kind);
    this.layout = { roleOf, idsOf, net: this.net };
    const timers = def.timers ?? 'any';
    if (timers !== 'any' && timers !== 'quiet') throw new ModelError(`timers must be any or quiet, got ${JSON.stringify(timers)}`);
    this.quiet = timers === 'quiet';
    this.splits = this.makeSplits(def.partitions ?? 'any');
    for (const s of this.splits) this.splitOf.set(s.cut, s);
    this.symmetric = this.makeSymmetric();
    this.timeoutsWhen = def.timeoutsWhen as ((w: World, node: string, timer: string) => boolean) | undefined;
  }

  /** `a,b|c,d`, the side holding the first node first, each side in declaration order. */
  cutText(sideA: Iterable<string>): string {
    const a = new Set(sideA);
    const byOrder = (x: string, y: string) => this.order.get(x)! - this.order.get(y)!;
    let left = this.ids.filter((id) => a.has(id));
    let right = this.ids.filter((id) => !a.has(id));
    if (!left.includes(this.ids[0]!)) [left, right] = [right, left];
    return `${left.sort(byOrder).join(',')}|${right.sort(byOrder).join(',')}`;
  }

  private makeSplits(shapes: PartitionShapes): Split[] {
    const n = this.ids.length;
    const sides: string[][] = [];
    if (Array.isArray(shapes)) {
      for (const side of shapes as readonly (readonly string[])[]) {
        for (const id of side) if (!this.layout.roleOf.has(id)) throw new ModelError(`partitions: unknown node ${JSON.stringify(id)}`);
        if (side.length === 0 || side.length === n) throw new ModelError('partitions: each side must hold some but not all nodes');
        sides.push([...side]);
      }
    } else if (shapes === 'isolate') {
      if (n > 1) for (const id of this.ids) sides.push([id]);
    } else if (shapes === 'any' || shapes === 'majority') {
      // Every subset holding the first node, except all of them: each split once.
      for (let mask = 1; mask < 2 ** n - 1; mask += 2) {
        const side = this.ids.filter((_, i) => (mask >> i) & 1);
        if (shapes === 'majority' && side.length * 2 === n) continue;
        sides.push(side);
      }
    } else throw new ModelError(`partitions must be any, isolate, majority or a list of sides, got ${JSON.stringify(shapes)}`);
    const out: Split[] = [];
    const seen = new Set<string>();
    for (const side of sides) {
      const cut = this.cutText(side);
      if (seen.has(cut)) continue;
      seen.add(cut);
      const [a = '', b = ''] = cut.split('|');
      out.push({ cut, sideA: new Set(a.split(',')), sides: [a.split(','), b.split(',')] });
    }
    return out.sort((x, y) => (x.cut < y.cut ? -1 : x.cut > y.cut ? 1 : 0));
  }

  /** The symmetric roles with two or more nodes (their ids), and every such id renamed to '*'. */
  private makeSymmetric(): { groups: (readonly string[])[]; blank: ReadonlyMap<string, string> } {
    const groups = Object.values(this.roles)
      .filter((r) => r.symmetric && r.ids.length >= 2)
      .map((r) => r.ids);
    return { groups, blank: new Map(groups.flat().map((id) => [id, '*'])) };
  }

  private readonly signatures = new WeakMap<object, number>();
  /** A hash of a node's state with every symmetric id blanked (cached: states are shared). */
  private stateSignature(x: unknown): number {
    if (typeof x !== 'object' || x === null) return hash(remapValue(x, this.symmetric.blank));
    let h = this.signatures.get(x);
    if (h === undefined) {
      h = hash(byContent(remapValue(x, this.symmetric.blank)));
      this.signatures.set(x, h);
    }
    return h;
  }

  /**
   * The renamings under which a state is keyed (Spec.symmetry with symmetryImagesOnly): those
   * that list each symmetric role's nodes in the order of their own states — a node's signature
   * is a hash of its state with every symmetric id blanked, whether it is down, and its timers,
   * so it does not change under renaming. Nodes with equal signatures are tied, and every order of
   * the tied ones is taken. Renaming a state permutes its signatures with it, so every member of
   * an orbit yields the same set of images, and the least of them keys the whole orbit — exactly,
   * with far fewer renamings than all k! once nodes differ.
   */
  renamings(s: WorldState): ReadonlyMap<string, string>[] {
    let perms: [string, string][][] = [[]];
    for (const ids of this.symmetric.groups) {
      const sig = new Map<string, number>();
      for (const id of ids) {
        let h = this.stateSignature(s.nodes.get(id));
        h = (Math.imul(h, 31) + (s.down.has(id) ? 1 : 0)) | 0;
        for (const t of s.timers) if (t.startsWith(id + '/')) h = (Math.imul(h, 31) + hash(t.slice(id.length))) | 0;
        sig.set(id, h);
      }
      const sorted = [...ids].sort((a, b) => sig.get(a)! - sig.get(b)!);
      // The orders of `sorted` that only reorder ties.
      let orders: string[][] = [[]];
      for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j < sorted.length && sig.get(sorted[j]!) === sig.get(sorted[i]!)) j++;
        const tied = sorted.slice(i, j);
        const next: string[][] = [];
        for (const p of permutations(tied)) for (const o of orders) next.push([...o, ...p]);
        orders = next;
        i = j;
      }
      const next: [string, string][][] = [];
      for (const o of orders) for (const base of perms) next.push([...base, ...o.map((id, k): [string, string] => [id, ids[k]!])]);
      perms = next;
    }
    return perms.map((p) => this.intern(p.filter(([a, b]) => a !== b)));
  }

  // One Map object per distinct renaming, so caches keyed by the renaming (remapMessageKey) hit.
  private readonly interned = new Map<string, ReadonlyMap<string, string>>();
  private intern(pairs: [string, string][]): ReadonlyMap<string, string> {
    const text = pairs.map(([a, b]) => `${a}>${b}`).join(' ');
    let m = this.interned.get(text);
    if (m === undefined) this.interned.set(text, (m = new Map(pairs)));
    return m;
  }

  blocked(s: WorldState, from: string, to: string): boolean {
    if (s.cut === null) return false;
    const a = this.splitOf.get(s.cut)!.sideA;
    return a.has(from) !== a.has(to);
  }

  /** Run a handler, once per combination of its choices; null results are dropped. */
  run(label: string, id: string, from: string | null, fn: (self: unknown, ctx: HandlerCtx) => unknown, self: unknown): Run[] {
    const roleName = this.layout.roleOf.get(id)!;
    const r = this.roles[roleName]!;
    const index = r.ids.indexOf(id);
    const runs: Run[] = [];
    const todo: number[][] = [[]];
    for (let t = 0; t < todo.length; t++) {
      const prefix = todo[t]!;
      const ctx = new HandlerCtx(this, id, roleName, index, from, prefix);
      let result: unknown;
      try {
        result = fn(self, ctx);
      } catch (e) {
        throw new ActionError(label, e);
      }
      for (let k = prefix.length; k < ctx.sizes.length; k++)
        for (let alt = 1; alt < ctx.sizes[k]!; alt++) todo.push([...ctx.picked.slice(0, k), alt]);
      if (result === null) continue;
      if (!r.isState(result))
        throw new ActionError(
          label,
          new ModelError(
            result === undefined
              ? `the handler returned nothing; return self (no change), the new state, or null (not enabled)`
              : `the handler returned ${isImmutable(result) ? 'an Immutable value' : typeof result} that is not a ${roleName} state`,
          ),
        );
      runs.push({ self: result, out: ctx.out, timerOps: ctx.timerOps, choices: ctx.choices, history: ctx.history, ghost: ctx.ghost });
    }
    return runs;
  }

  /** Apply a handler's run at node `id` to the world. */
  apply(s: WorldState, id: string, run: Run): { state: WorldState; effects: Effects } {
    let nodes = s.nodes;
    if (nodes.get(id) !== run.self) nodes = nodes.set(id, run.self);
    let timers = s.timers;
    const set: string[] = [];
    const cancelled: string[] = [];
    for (const [on, name] of run.timerOps) {
      const key = `${id}/${name}`;
      if (on) {
        timers = timers.add(key);
        set.push(name);
      } else {
        timers = timers.remove(key);
        cancelled.push(name);
      }
    }
    let net = s.net;
    const sends: SentMessage[] = [];
    for (const [to, key] of run.out) {
      const info = decodeMessage(key).info;
      if (s.down.has(to)) sends.push({ ...info, lost: 'receiver down' });
      else {
        net = this.net.send(net, key);
        sends.push(info);
      }
    }
    let history = s.history;
    if (run.history.length) history = history.push(...run.history);
    let ghost = s.ghost;
    for (const g of run.ghost) ghost = g(ghost);
    let out = s;
    if (nodes !== s.nodes) out = out.set('nodes', nodes);
    if (timers !== s.timers) out = out.set('timers', timers);
    if (net !== s.net) out = out.set('net', net);
    if (history !== s.history) out = out.set('history', history);
    if (ghost !== s.ghost) out = out.set('ghost', ghost);
    const effects: Effects = {
      sends,
      ...(set.length ? { timersSet: set } : {}),
      ...(cancelled.length ? { timersCancelled: cancelled } : {}),
      ...(run.choices.length ? { choices: run.choices } : {}),
    };
    return { state: out, effects };
  }

  roleOf(id: string): Role<unknown> {
    return this.roles[this.layout.roleOf.get(id)!]!;
  }

  // ---------------------------------------------------------------- initial states

  init(budgets: FaultBudgets, ghost: unknown): WorldState[] {
    let budget = IMap<string, number>();
    for (const k of FAULT_KINDS) if ((budgets[k] ?? 0) > 0) budget = budget.set(k, budgets[k]!);
    let nodes = IMap<string, unknown>();
    for (const id of this.ids) nodes = nodes.set(id, this.roleOf(id).initial);
    let worlds = [WorldState({ nodes, budget, net: this.net.empty, ghost })];
    for (const id of this.ids) {
      const start = this.roleOf(id).start as Handler<unknown> | undefined;
      if (!start) continue;
      const next: WorldState[] = [];
      for (const w of worlds)
        for (const run of this.run(`start ${id}`, id, null, (self, ctx) => start(self, ctx), w.nodes.get(id))) next.push(this.apply(w, id, run).state);
      worlds = next;
    }
    return worlds;
  }

  // ---------------------------------------------------------------- successors

  *next(s: WorldState): Iterable<Successor<WorldState>> {
    // Deliveries, in key order.
    for (const key of this.net.deliverable(s.net)) {
      const { info, msg } = decodeMessage(key);
      if (s.down.has(info.to) || this.blocked(s, info.from, info.to)) continue;
      const r = this.roleOf(info.to);
      const h = r.on[info.type];
      if (!h) throw new ActionError(key, new ModelError(`${info.to} has no handler for ${info.type}`));
      const rest = this.net.consume(s.net, key);
      const consumed = rest === s.net ? s : s.set('net', rest);
      for (const run of this.run(key, info.to, info.from, (self, ctx) => h(self, msg, ctx), s.nodes.get(info.to))) {
        const { state, effects } = this.apply(consumed, info.to, run);
        const label = run.choices.length ? `${key} [${run.choices.join(', ')}]` : key;
        yield { action: label, state, family: `recv ${info.type}`, event: { kind: 'deliver', node: info.to, message: info, ...effects } };
      }
    }
    // Timers, in node/timer order.
    for (const t of [...s.timers].sort()) {
      const slash = t.indexOf('/');
      const id = t.slice(0, slash);
      const name = t.slice(slash + 1);
      if (this.quiet && this.canDeliverTo(s, id)) continue;
      if (this.timeoutsWhen && !this.timeoutsWhen(new World(s, this.layout), id, name)) continue;
      const h = this.roleOf(id).timers[name]!;
      const label = `${id} timeout ${name}`;
      const disarmed = s.set('timers', s.timers.remove(t));
      for (const run of this.run(label, id, null, (self, ctx) => h(self, ctx), s.nodes.get(id))) {
        const { state, effects } = this.apply(disarmed, id, run);
        yield { action: label + (run.choices.length ? ` [${run.choices.join(', ')}]` : ''), state, family: `timeout ${name}`, event: { kind: 'timeout', node: id, timer: name, ...effects } };
      }
    }
    // Local steps, in node order.
    for (const id of this.ids) {
      if (s.down.has(id)) continue;
      const steps = this.roleOf(id).steps;
      for (const name of Object.keys(steps)) {
        const h = steps[name]!;
        const label = `${id} ${name}`;
        for (const run of this.run(label, id, null, (self, ctx) => h(self, ctx), s.nodes.get(id))) {
          const { state, effects } = this.apply(s, id, run);
          yield { action: label + (run.choices.length ? ` [${run.choices.join(', ')}]` : ''), state, family: `step ${name}`, event: { kind: 'local', node: id, step: name, ...effects } };
        }
      }
    }
    yield* this.faults(s);
  }

  private canDeliverTo(s: WorldState, id: string): boolean {
    for (const key of this.net.deliverable(s.net)) {
      if (receiverOf(key) !== id) continue;
      const { info } = decodeMessage(key);
      if (!this.blocked(s, info.from, info.to)) return true;
    }
    return false;
  }

  private spend(s: WorldState, kind: FaultKind): WorldState {
    const left = s.budget.get(kind)! - 1;
    return s.set('budget', left === 0 ? s.budget.remove(kind) : s.budget.set(kind, left));
  }

  private *faults(s: WorldState): Iterable<Successor<WorldState>> {
    const b = s.budget;
    if (b.has('crash'))
      for (const id of this.ids) {
        const r = this.roleOf(id);
        if (s.down.has(id) || !r.crashes) continue;
        const { net, lost } = this.net.dropTo(s.net, id);
        const timers = s.timers.filter((t) => !t.startsWith(id + '/'));
        const state = this.spend(s, 'crash').merge({ nodes: s.nodes.set(id, r.crash(s.nodes.get(id))), down: s.down.add(id), net, timers });
        yield { action: `crash ${id}`, state, family: 'crash', event: { kind: 'crash', node: id, lost: lost.map((k) => decodeMessage(k).info) } };
      }
    if (b.has('restart'))
      for (const id of [...s.down].sort((x, y) => this.order.get(x)! - this.order.get(y)!)) {
        const r = this.roleOf(id);
        const h = (r.restart ?? r.start) as Handler<unknown> | undefined;
        const up = this.spend(s, 'restart').set('down', s.down.remove(id));
        const label = `restart ${id}`;
        const runs = h ? this.run(label, id, null, (self, ctx) => h(self, ctx), s.nodes.get(id)) : [{ self: s.nodes.get(id), out: [], timerOps: [], choices: [], history: [], ghost: [] }];
        for (const run of runs) {
          const { state, effects } = this.apply(up, id, run);
          yield { action: label + (run.choices.length ? ` [${run.choices.join(', ')}]` : ''), state, family: 'restart', event: { kind: 'restart', node: id, ...effects } };
        }
      }
    if (b.has('drop'))
      for (const { key, net } of this.net.drops(s.net))
        yield { action: `drop ${key}`, state: this.spend(s, 'drop').set('net', net), family: 'drop', event: { kind: 'drop', message: decodeMessage(key).info } };
    if (b.has('duplicate'))
      for (const { key, net } of this.net.duplicates(s.net))
        yield { action: `duplicate ${key}`, state: this.spend(s, 'duplicate').set('net', net), family: 'duplicate', event: { kind: 'duplicate', message: decodeMessage(key).info } };
    if (s.cut === null) {
      if (b.has('partition'))
        for (const split of this.splits)
          yield {
            action: `partition ${split.sides[0].join(' ')} | ${split.sides[1].join(' ')}`,
            state: this.spend(s, 'partition').set('cut', split.cut),
            family: 'partition',
            event: { kind: 'partition', sides: split.sides },
          };
    } else yield { action: 'heal', state: s.set('cut', null), family: 'heal', event: { kind: 'heal' } };
  }

  initEvent(s: WorldState): TraceEvent {
    const sends = this.net.all(s.net).map((k) => decodeMessage(k).info);
    const timersSet = [...s.timers].sort();
    const nodes = this.ids.map((id) => ({ id, role: this.layout.roleOf.get(id)! }));
    return { kind: 'init', nodes, sends, ...(timersSet.length ? { timersSet } : {}) };
  }

  // ---------------------------------------------------------------- symmetry

  /** The state with node ids renamed by `perm` everywhere: node map, timers, messages, values. */
  permute(s: WorldState, perm: ReadonlyMap<string, string>): WorldState {
    const id = (x: string) => perm.get(x) ?? x;
    let nodes = IMap<string, unknown>();
    for (const [k, v] of s.nodes) nodes = nodes.set(id(k), remapValue(v, perm));
    return s.merge({
      nodes,
      down: s.down.map(id),
      timers: s.timers.map((t) => {
        const slash = t.indexOf('/');
        return id(t.slice(0, slash)) + t.slice(slash);
      }),
      net: this.net.map(s.net, (k) => remapMessageKey(k, perm)),
      cut: s.cut === null ? null : this.cutText(s.cut.split('|')[0]!.split(',').map(id)),
      ghost: remapValue(s.ghost, perm),
      history: remapValue(s.history, perm) as WorldState['history'],
    });
  }
}

function* permutations<T>(xs: readonly T[]): Generator<T[]> {
  if (xs.length <= 1) {
    yield [...xs];
    return;
  }
  for (let i = 0; i < xs.length; i++) for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i]!, ...rest];
}

/**
 * The value with every plain array and object inside it turned into an Immutable List or Map, so
 * that Immutable's `hash` sees their contents (it hashes plain objects by identity).
 */
function byContent(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x) || Object.getPrototypeOf(x) === Object.prototype) return fromJS(x);
  if (List.isList(x) || ISet.isSet(x)) return (x as List<unknown>).map(byContent);
  if (IMap.isMap(x) || isRecord(x)) return IMap((x as unknown as { toSeq(): { entries(): Iterable<[unknown, unknown]> } }).toSeq().entries()).map(byContent);
  return x;
}

/** Rename node ids in a node's state, the ghost variables or the history: every equal string. */
function remapValue(x: unknown, perm: ReadonlyMap<string, string>): unknown {
  if (typeof x === 'string') return perm.get(x) ?? x;
  if (typeof x !== 'object' || x === null) return x;
  if (List.isList(x)) return (x as List<unknown>).map((v) => remapValue(v, perm));
  if (IMap.isMap(x)) return (x as IMap<unknown, unknown>).mapEntries(([k, v]) => [remapValue(k, perm), remapValue(v, perm)]);
  if (ISet.isSet(x)) return (x as ISet<unknown>).map((v) => remapValue(v, perm));
  if (isRecord(x)) {
    // A Record: same type, fields renamed.
    let r = x as unknown as { set(k: string, v: unknown): unknown; toSeq(): Iterable<[string, unknown]> };
    for (const [k, v] of (x as unknown as { toSeq(): { entries(): Iterable<[string, unknown]> } }).toSeq().entries()) {
      const w = remapValue(v, perm);
      if (w !== v) r = r.set(k, w) as typeof r;
    }
    return r;
  }
  if (isImmutable(x)) throw new ModelError('symmetry: node state may hold Maps, Sets, Lists and Records of plain values only');
  if (Array.isArray(x) || Object.getPrototypeOf(x) === Object.prototype) return remapJson(x as Json, perm);
  return x;
}

// ------------------------------------------------------------------ the Spec

function actorSpec<R extends Roles, G>(def: ActorSystem<R, G>, budgets: FaultBudgets): Spec<WorldState> {
  if (!def || typeof def !== 'object' || !def.roles) throw new ModelError('build must return an actor system: { roles: { name: role({...}) }, ... }');
  const sys = new System(def.roles, def as ActorSystem<Roles, unknown>);
  const g = def.ghost ?? null;
  if (g !== null && typeof g === 'object' && !isImmutable(g)) throw new ModelError('ghost must start as a plain value or an Immutable collection');
  const init = sys.init(budgets, g);
  const view = (s: WorldState) => new World<R, G>(s, sys.layout);
  const invariants: Record<string, { holds: (s: WorldState) => boolean; explain?: (s: WorldState) => string }> = {};
  for (const [name, inv] of Object.entries(def.invariants ?? {})) {
    if (typeof inv === 'function') invariants[name] = { holds: (s) => inv(view(s)) };
    else if (inv && typeof inv.holds === 'function') {
      const { holds, explain } = inv;
      invariants[name] = explain ? { holds: (s) => holds(view(s)), explain: (s) => explain(view(s)) } : { holds: (s) => holds(view(s)) };
    } else throw new ModelError(`invariant ${name} must be a function of the world or { holds: (w) => boolean }`);
  }
  const witnesses: Record<string, (s: WorldState) => boolean> = {};
  for (const [name, pred] of Object.entries(def.witnesses ?? {})) {
    if (typeof pred !== 'function') throw new ModelError(`witness ${name} must be a function of the world`);
    witnesses[name] = (s) => pred(view(s));
  }
  const properties: Record<string, Property<WorldState>> = {};
  for (const [name, prop] of Object.entries(def.properties ?? {})) {
    const lift = (f: (w: World<R, G>) => boolean) => (s: WorldState) => f(view(s));
    const d = prop?.description !== undefined ? { description: prop.description } : {};
    if (prop && 'eventually' in prop && typeof prop.eventually === 'function') {
      if (prop.when !== undefined && typeof prop.when !== 'function') throw new ModelError(`property ${name}: when must be a function of the world`);
      properties[name] = prop.when ? { kind: 'leadsTo', p: lift(prop.when), q: lift(prop.eventually), ...d } : { kind: 'eventually', p: lift(prop.eventually), ...d };
    } else if (prop && 'alwaysEventually' in prop && typeof prop.alwaysEventually === 'function') properties[name] = { kind: 'alwaysEventually', p: lift(prop.alwaysEventually), ...d };
    else throw new ModelError(`property ${name} must be { eventually: (w) => ... }, { alwaysEventually: ... } or { when, eventually }`);
  }
  const renumber = def.renumber !== undefined ? renumberer(def.renumber, sys.net) : null;
  if (def.constraint !== undefined && typeof def.constraint !== 'function') throw new ModelError('constraint must be a function of the world');
  const user = def.constraint;
  const spread = renumber?.within ?? null;
  const constraint: ((s: WorldState) => boolean) | null =
    user && spread ? (s) => spread(s) && user(view(s)) : user ? (s) => user(view(s)) : spread;
  return {
    init,
    witnesses,
    properties,
    next: (s) => sys.next(s),
    invariants,
    deadlock: def.deadlock ?? false,
    faultActions: FAULT_FAMILIES,
    initEvent: (s) => sys.initEvent(s),
    ...(sys.symmetric.groups.length ? { symmetry: (s: WorldState) => sys.renamings(s).map((p) => (p.size ? sys.permute(s, p) : s)), symmetryImagesOnly: true } : {}),
    ...(renumber ? { normalize: renumber.normalize } : {}),
    ...(constraint ? { constraint } : {}),
  };
}

export { messageText };
export type { Net };
