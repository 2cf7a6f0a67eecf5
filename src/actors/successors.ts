/**
 * The protocol's steps from a packed world: every deliverable message (in key order), every armed
 * timer (in `node/timer` order), every local step (in node order), and the start handlers that
 * make the initial worlds. A handler runs only the first time its node meets an event in a given
 * state: its outcome — the node's new state, the messages it sent, its timer operations, history
 * and ghost updates — is remembered and applied wherever that happens again.
 */
import { List } from 'immutable';
import type { SentMessage, TraceEvent } from '../model/trace.js';
import type { FaultBudgets, StepDescriber, SuccessorSink } from '../model/types.js';
import { withChoices } from './codec.js';
import { runHandler, type Run } from './context.js';
import { FAULT_KINDS } from './definition.js';
import type { Handler, MessageHandler } from './role.js';
import type { Words32 } from './network.js';
import type { System } from './system.js';
import type { PairMemo } from './tables.js';
import type { HistoryEvent, WorldState } from './world.js';

/** The families of the protocol's steps, by number. */
export function protocolFamilies(sys: System): string[] {
  const out: string[] = [];
  const add = (f: string) => {
    if (!out.includes(f)) out.push(f);
  };
  for (const name of sys.roleNames) {
    const r = sys.roles[name]!;
    for (const type of Object.keys(r.on)) add(`recv ${type}`);
    for (const t of Object.keys(r.timers)) add(`timeout ${t}`);
    for (const st of Object.keys(r.steps)) add(`step ${st}`);
  }
  return out;
}

/** What happened at a step, apart from the event's own kind: the trace event without it. */
type Happening =
  | { readonly kind: 'deliver'; readonly msg: number }
  | { readonly kind: 'timeout'; readonly timer: string }
  | { readonly kind: 'local'; readonly step: string }
  | { readonly kind: 'restart' }
  | { readonly kind: 'start' };

/** One way a node's handler ran on one event in one state, ready to apply to any world. */
export class Outcome implements StepDescriber<WorldState> {
  /** History after appending this outcome's events, by history id. */
  readonly historyAfter = new Map<number, number>();
  /** Ghost after this outcome's updates, by ghost id. */
  readonly ghostAfter = new Map<number, number>();

  constructor(
    readonly sys: System,
    readonly slot: number,
    readonly what: Happening,
    /** The node's new state (an id in its role's table). */
    readonly self: number,
    /** Messages sent, in order (ids). */
    readonly sends: Int32Array,
    /** Timer bits set and cleared (the last operation on each timer wins). */
    readonly set: number,
    readonly clear: number,
    readonly timersSet: readonly string[],
    readonly timersCancelled: readonly string[],
    readonly choices: readonly string[],
    readonly history: readonly HistoryEvent[] | null,
    readonly ghost: readonly ((g: unknown) => unknown)[] | null,
    readonly family: number,
    readonly text: string,
  ) {}

  label(): string {
    return this.text;
  }

  event(_from: WorldState, to: WorldState): TraceEvent {
    const sys = this.sys;
    const node = sys.ids[this.slot]!;
    const sends: SentMessage[] = [];
    for (const id of this.sends) {
      const info = sys.msgInfo[id]!.info;
      sends.push(sys.isUp(to.words, sys.msgTo[id]!) ? info : { ...info, lost: 'receiver down' });
    }
    const effects = {
      sends,
      ...(this.timersSet.length ? { timersSet: [...this.timersSet] } : {}),
      ...(this.timersCancelled.length ? { timersCancelled: [...this.timersCancelled] } : {}),
      ...(this.choices.length ? { choices: [...this.choices] } : {}),
    };
    const w = this.what;
    switch (w.kind) {
      case 'deliver':
        return { kind: 'deliver', node, message: sys.msgInfo[w.msg]!.info, ...effects };
      case 'timeout':
        return { kind: 'timeout', node, timer: w.timer, ...effects };
      case 'local':
        return { kind: 'local', node, step: w.step, ...effects };
      case 'restart':
        return { kind: 'restart', node, ...effects };
      case 'start':
        return { kind: 'init', ...effects };
    }
  }
}

// Event codes, per node: a message's id ×4, a timer's bit ×4 + 1, a local step ×4 + 2, start 3, restart 7.
const START = 3;
const RESTART = 7;

/** The outcomes of a node's handlers, by state id and event code. */
function memoOf(sys: System, slot: number): PairMemo<Outcome[]> {
  return sys.outcomes[slot]!;
}

/** Turn the runs of a handler into outcomes (interning states and messages). */
function outcomes(sys: System, slot: number, what: Happening, label: string, family: number, runs: Run[]): Outcome[] {
  const timers = sys.timerNames[sys.roleIndex[slot]!]!;
  return runs.map((run) => {
    let set = 0;
    let clear = 0;
    const timersSet: string[] = [];
    const timersCancelled: string[] = [];
    for (const [on, name] of run.timerOps) {
      const bit = timers.indexOf(name);
      const b = bit < 0 ? 0 : 1 << bit;
      if (on) {
        set |= b;
        clear &= ~b;
        timersSet.push(name);
      } else {
        clear |= b;
        set &= ~b;
        timersCancelled.push(name);
      }
    }
    const sends = Int32Array.from(run.sent, (key) => sys.msg(key));
    return new Outcome(
      sys,
      slot,
      what,
      sys.stateId(slot, run.self),
      sends,
      set,
      clear,
      timersSet,
      timersCancelled,
      run.choices,
      run.history.length ? run.history : null,
      run.ghost.length ? run.ghost : null,
      family,
      withChoices(label, run.choices),
    );
  });
}

/** What node `slot` does on event `code` in state `state`, if it is known. */
function known(sys: System, slot: number, code: number, state: number): Outcome[] | undefined {
  return memoOf(sys, slot).get(state, code);
}

/** Run node `slot`'s handler for event `code` in state `state`, and remember what it does. */
function learn(sys: System, slot: number, code: number, state: number, happening: Happening, label: string, family: number, handler: Handler<unknown>): Outcome[] {
  const self = sys.states[sys.roleIndex[slot]!]!.values[state];
  const from = happening.kind === 'deliver' ? sys.ids[sys.msgFrom[happening.msg]!]! : null;
  return memoOf(sys, slot).set(state, code, outcomes(sys, slot, happening, label, family, runHandler(sys.layout, label, sys.ids[slot]!, from, handler, self)));
}

/** The outcomes of delivering message `id` to its receiver in state `state`. */
function deliveryOutcomes(sys: System, id: number, state: number): Outcome[] {
  const slot = sys.msgTo[id]!;
  const o = known(sys, slot, id * 4, state);
  if (o !== undefined) return o;
  const d = sys.msgInfo[id]!;
  const h = sys.roleOf[slot]!.on[d.info.type] as MessageHandler<unknown>;
  return learn(sys, slot, id * 4, state, { kind: 'deliver', msg: id }, d.info.key, sys.familyId(`recv ${d.info.type}`), (self, ctx) => h(self, d.msg, ctx));
}

/** The outcomes of node `slot`'s timer `bit` (`name`) firing in state `state`. */
function timerOutcomes(sys: System, slot: number, bit: number, name: string, state: number): Outcome[] {
  const o = known(sys, slot, bit * 4 + 1, state);
  if (o !== undefined) return o;
  return learn(sys, slot, bit * 4 + 1, state, { kind: 'timeout', timer: name }, `${sys.ids[slot]!} timeout ${name}`, sys.familyId(`timeout ${name}`), sys.roleOf[slot]!.timers[name]!);
}

/** The outcomes of node `slot`'s k-th local step (`name`) in state `state`. */
function stepOutcomes(sys: System, slot: number, k: number, name: string, state: number): Outcome[] {
  const o = known(sys, slot, k * 4 + 2, state);
  if (o !== undefined) return o;
  return learn(sys, slot, k * 4 + 2, state, { kind: 'local', step: name }, `${sys.ids[slot]!} ${name}`, sys.familyId(`step ${name}`), sys.roleOf[slot]!.steps[name]!);
}

/**
 * The world after `o` at its node: `w` with the node's new state, its timers (less `disarm`),
 * history and ghost updated, one copy of `consume` delivered (-1: none), and the sends added
 * (those to a node that is down are lost). `w` itself when nothing changes.
 */
export function apply(sys: System, p: WorldState, o: Outcome, consume: number, disarm: number): WorldState {
  const w = p.words;
  const slot = o.slot;
  const out = sys.scratch;
  out.load(w);
  const a = out.a;
  const sum = sys.sum;
  sum.a = p.sa;
  sum.b = p.sb;
  sys.change(sum, slot, w[slot]!, o.self);
  a[slot] = o.self;
  const t = sys.T + slot;
  const timers = (w[t]! & ~disarm & ~o.clear) | o.set;
  sys.change(sum, t, w[t]!, timers);
  a[t] = timers;
  if (o.history !== null) {
    const h = w[sys.HISTORY]!;
    let after = o.historyAfter.get(h);
    if (after === undefined) {
      after = sys.histories.id(sys.histories.values[h]!.push(...o.history));
      o.historyAfter.set(h, after);
    }
    sys.change(sum, sys.HISTORY, h, after);
    a[sys.HISTORY] = after;
  }
  if (o.ghost !== null) {
    const g = w[sys.GHOST]!;
    let after = o.ghostAfter.get(g);
    if (after === undefined) {
      let v = sys.ghosts.values[g];
      for (const f of o.ghost) v = f(v);
      after = sys.ghosts.id(v);
      o.ghostAfter.set(g, after);
    }
    sys.change(sum, sys.GHOST, g, after);
    a[sys.GHOST] = after;
  }
  const H = sys.H;
  if (consume >= 0) sys.net.consume(out, H, consume, sum);
  const down = out.a[sys.DOWN]!;
  for (const id of o.sends) if (((down >>> sys.msgTo[id]!) & 1) === 0) sys.net.send(out, H, id, sum);
  // Nothing changed: the same world (the explorer then knows it is a self-loop without hashing it).
  if (sum.a === p.sa && sum.b === p.sb && out.n === w.length) {
    let same = true;
    for (let i = 0; i < out.n && same; i++) same = out.a[i] === w[i];
    if (same) return p;
  }
  return sys.worldWith(out.take(), sum);
}

/** Deliveries, timeouts and local steps from `p`, in that order, written into `out`. */
export function expandProtocol(sys: System, p: WorldState, out: SuccessorSink<WorldState>): void {
  const w = p.words;
  const H = sys.H;
  const down = w[sys.DOWN]!;
  // Deliveries, in key order (FIFO: channel order).
  const deliverable: number[] = [];
  sys.net.deliverable(w, H, deliverable);
  for (const id of deliverable) {
    const to = sys.msgTo[id]!;
    if ((down >>> to) & 1 || sys.blocked(w, sys.msgFrom[id]!, to)) continue;
    for (const o of deliveryOutcomes(sys, id, w[to]!)) out.add(apply(sys, p, o, id, 0), o.family, o);
  }
  // Timers, in node/timer order.
  for (const { slot, bit, name } of sys.timerOrder) {
    if (((w[sys.T + slot]! >>> bit) & 1) === 0) continue;
    if (sys.quiet && canDeliverTo(sys, w, slot, deliverable)) continue;
    if (sys.timeoutsWhen && !timeoutAllowed(sys, p, slot, bit, name)) continue;
    const os = timerOutcomes(sys, slot, bit, name, w[slot]!);
    for (const o of os) out.add(apply(sys, p, o, -1, 1 << bit), o.family, o);
  }
  // Local steps, in node order.
  for (let slot = 0; slot < sys.n; slot++) {
    if ((down >>> slot) & 1) continue;
    const steps = sys.stepNames[sys.roleIndex[slot]!]!;
    for (let k = 0; k < steps.length; k++) {
      const name = steps[k]!;
      const os = stepOutcomes(sys, slot, k, name, w[slot]!);
      for (const o of os) out.add(apply(sys, p, o, -1, 0), o.family, o);
    }
  }
}

/** Whether the system's `timeoutsWhen` lets node `slot`'s timer fire (remembered by what it reads). */
function timeoutAllowed(sys: System, p: WorldState, slot: number, bit: number, name: string): boolean {
  const e = sys.timeoutMemo.find(p.words, slot * 32 + bit);
  return e !== undefined ? e.result : sys.timeoutMemo.learn(sys, p.words, slot * 32 + bit, () => sys.timeoutsWhen!(sys.view(p), sys.ids[slot]!, name));
}

/** Whether some message to `slot` can be delivered (for quiet timers). */
function canDeliverTo(sys: System, w: Words32, slot: number, deliverable: readonly number[]): boolean {
  for (const id of deliverable) if (sys.msgTo[id] === slot && !sys.blocked(w, sys.msgFrom[id]!, slot)) return true;
  return false;
}

/** What node `slot` does when it restarts in state `state`: its restart (or start) handler, or nothing. */
export function restartOutcomes(sys: System, slot: number, state: number): Outcome[] {
  const r = sys.roleOf[slot]!;
  const h = (r.restart ?? r.start) as Handler<unknown> | undefined;
  const label = `restart ${sys.ids[slot]!}`;
  const family = sys.familyId('restart');
  const o = known(sys, slot, RESTART, state);
  if (o !== undefined) return o;
  if (!h) return memoOf(sys, slot).set(state, RESTART, outcomes(sys, slot, { kind: 'restart' }, label, family, [{ self: sys.states[sys.roleIndex[slot]!]!.values[state], sent: [], timerOps: [], choices: [], history: [], ghost: [] }]));
  return learn(sys, slot, RESTART, state, { kind: 'restart' }, label, family, h);
}

/** The initial worlds: every node in its initial state, then each start handler run in node order (every choice). */
export function initialWorlds(sys: System, budgets: FaultBudgets, ghost: unknown): WorldState[] {
  const s = sys.scratch;
  s.reset();
  for (let slot = 0; slot < sys.n; slot++) s.push(sys.stateId(slot, sys.roleOf[slot]!.initial));
  for (let slot = 0; slot <= sys.n; slot++) s.push(0);
  for (const k of FAULT_KINDS) s.push(budgets[k] ?? 0);
  s.push(0);
  s.push(sys.ghosts.id(ghost));
  s.push(sys.histories.id(List<HistoryEvent>()));
  let worlds = [sys.world(s.take())];
  for (let slot = 0; slot < sys.n; slot++) {
    const start = sys.roleOf[slot]!.start as Handler<unknown> | undefined;
    if (!start) continue;
    const next: WorldState[] = [];
    for (const p of worlds) {
      const os = known(sys, slot, START, p.words[slot]!) ?? learn(sys, slot, START, p.words[slot]!, { kind: 'start' }, `start ${sys.ids[slot]!}`, 0, start);
      for (const o of os) next.push(apply(sys, p, o, -1, 0));
    }
    worlds = next;
  }
  return worlds;
}
