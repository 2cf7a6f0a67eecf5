/**
 * Running a handler: the `ctx` it receives, and every way it can run — once per combination of
 * the options its `choose` calls offer. Handlers are pure functions of the node's state, the
 * event and ctx, so each is run (twice, to check that) only the first time its node meets that
 * event in that state; system.ts remembers the outcome.
 */
import { fromJS, isImmutable } from 'immutable';
import { ActionError, ModelError } from '../model/errors.js';
import { choiceText, encodeMessage, type Json, type Message } from './codec.js';
import type { Ctx, Role } from './role.js';
import { sameValue } from './tables.js';
import { HistoryEvent } from './world.js';

/** What a handler's context needs to know of the system. */
export interface Layout {
  readonly ids: readonly string[];
  readonly roles: { readonly [role: string]: Role<unknown> };
  readonly roleOf: ReadonlyMap<string, string>;
  readonly idsOf: ReadonlyMap<string, readonly string[]>;
}

/** One way a handler ran (one branch of its choices). */
export interface Run {
  readonly self: unknown;
  /** The keys of the messages it sent, in order. */
  readonly sent: string[];
  /** Timers set (true) or cancelled (false), in order. */
  readonly timerOps: [boolean, string][];
  readonly choices: string[];
  readonly history: HistoryEvent[];
  readonly ghost: ((g: unknown) => unknown)[];
}

class HandlerCtx implements Ctx {
  readonly sent: string[] = [];
  readonly timerOps: [boolean, string][] = [];
  readonly choices: string[] = [];
  readonly history: HistoryEvent[] = [];
  readonly ghost: ((g: unknown) => unknown)[] = [];
  /** Sizes of the choice points met, and the option taken at each. */
  readonly sizes: number[] = [];
  readonly picked: number[] = [];

  constructor(
    private readonly layout: Layout,
    readonly id: string,
    readonly role: string,
    readonly index: number,
    readonly from: string | null,
    private readonly prefix: readonly number[],
  ) {}

  nodes(role?: string): readonly string[] {
    if (role === undefined) return this.layout.ids;
    const ids = this.layout.idsOf.get(role);
    if (!ids) throw new ModelError(`no role ${JSON.stringify(role)} (roles: ${[...this.layout.idsOf.keys()].join(', ')})`);
    return ids;
  }
  quorum(role: string): number {
    return Math.floor(this.nodes(role).length / 2) + 1;
  }
  send(to: string, msg: Message): void {
    const toRole = this.layout.roleOf.get(to);
    if (toRole === undefined) throw new ModelError(`${this.id} sent ${String(msg?.type)} to unknown node ${JSON.stringify(to)}`);
    const key = encodeMessage(this.id, to, msg);
    if (!Object.hasOwn(this.layout.roles[toRole]!.on, msg.type)) throw new ModelError(`${this.id} sent ${msg.type} to ${to}, whose role ${toRole} has no handler for ${msg.type}`);
    this.sent.push(key);
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
    if (!Object.hasOwn(this.layout.roles[this.role]!.timers, name)) throw new ModelError(`${this.id} set timer ${JSON.stringify(name)}, but role ${this.role} has no handler for it`);
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

/** Run a handler once per combination of its choices; null results (not enabled) are dropped. */
function runOnce(layout: Layout, label: string, id: string, from: string | null, fn: (self: unknown, ctx: Ctx) => unknown, self: unknown): Run[] {
  const roleName = layout.roleOf.get(id)!;
  const r = layout.roles[roleName]!;
  const index = r.ids.indexOf(id);
  const runs: Run[] = [];
  const todo: number[][] = [[]];
  for (let t = 0; t < todo.length; t++) {
    const prefix = todo[t]!;
    const ctx = new HandlerCtx(layout, id, roleName, index, from, prefix);
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
    runs.push({ self: result, sent: ctx.sent, timerOps: ctx.timerOps, choices: ctx.choices, history: ctx.history, ghost: ctx.ghost });
  }
  return runs;
}

const sameRun = (a: Run, b: Run): boolean =>
  sameValue(a.self, b.self) &&
  a.sent.join('\n') === b.sent.join('\n') &&
  a.timerOps.join(';') === b.timerOps.join(';') &&
  a.choices.join('\n') === b.choices.join('\n') &&
  a.history.length === b.history.length &&
  a.history.every((h, i) => sameValue(h, b.history[i])) &&
  a.ghost.length === b.ghost.length;

/**
 * Every way the handler runs on `self`, checked for purity: it is run twice and must do the same
 * both times (its outcome is remembered and reused wherever the node meets this event in this state).
 */
export function runHandler(layout: Layout, label: string, id: string, from: string | null, fn: (self: unknown, ctx: Ctx) => unknown, self: unknown): Run[] {
  const first = runOnce(layout, label, id, from, fn, self);
  const second = runOnce(layout, label, id, from, fn, self);
  if (first.length !== second.length || first.some((r, i) => !sameRun(r, second[i]!)))
    throw new ModelError(
      `the model is not deterministic: ${label} at ${id} did different things on two runs from the same state (a handler must be a pure function of its state, the message and ctx)`,
    );
  return first;
}
