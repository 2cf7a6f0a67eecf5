/**
 * Faults of the environment, each within its budget: a node crashes (its volatile state, timers
 * and the messages in flight to it are lost) or restarts; the network loses or copies a message;
 * the nodes split into two sides (and the split heals). And the partition shapes a system allows.
 */
import { ModelError } from '../model/errors.js';
import type { TraceEvent } from '../model/trace.js';
import type { StepDescriber, SuccessorSink } from '../model/types.js';
import { cutText } from './codec.js';
import { FAULT_FAMILIES, type PartitionShapes } from './definition.js';
import { apply, restartOutcomes } from './successors.js';
import type { System } from './system.js';
import type { WorldState } from './world.js';

/** A way the nodes may split: the cut's text, side A as a bit per node, and both sides' ids. */
export interface Split {
  readonly cut: string;
  readonly sideA: number;
  readonly sides: readonly [readonly string[], readonly string[]];
  /** The sides as a World view returns them (frozen: one pair of arrays for every world). */
  readonly view: [string[], string[]];
}

/** The splits a partition may make, sorted by their cut's text. */
export function makeSplits(sys: System, shapes: PartitionShapes): Split[] {
  const ids = sys.ids;
  const n = ids.length;
  const sides: string[][] = [];
  if (Array.isArray(shapes)) {
    for (const side of shapes as readonly (readonly string[])[]) {
      for (const id of side) if (sys.slotOf(id) === undefined) throw new ModelError(`partitions: unknown node ${JSON.stringify(id)}`);
      if (side.length === 0 || side.length === n) throw new ModelError('partitions: each side must hold some but not all nodes');
      sides.push([...side]);
    }
  } else if (shapes === 'isolate') {
    if (n > 1) for (const id of ids) sides.push([id]);
  } else if (shapes === 'any' || shapes === 'majority') {
    // Every subset holding the first node, except all of them: each split once.
    for (let mask = 1; mask < 2 ** n - 1; mask += 2) {
      const side = ids.filter((_, i) => (mask >> i) & 1);
      if (shapes === 'majority' && side.length * 2 === n) continue;
      sides.push(side);
    }
  } else throw new ModelError(`partitions must be any, isolate, majority or a list of sides, got ${JSON.stringify(shapes)}`);
  const out: Split[] = [];
  const seen = new Set<string>();
  for (const side of sides) {
    // The side holding the first node first, each side in declaration order.
    const a = new Set(side);
    let left = ids.filter((id) => a.has(id));
    let right = ids.filter((id) => !a.has(id));
    if (!left.includes(ids[0]!)) [left, right] = [right, left];
    const cut = cutText([left, right]);
    if (seen.has(cut)) continue;
    seen.add(cut);
    let mask = 0;
    for (const id of left) mask |= 1 << sys.slotOf(id)!;
    const view: [string[], string[]] = [[...left], [...right]];
    Object.freeze(view[0]);
    Object.freeze(view[1]);
    out.push({ cut, sideA: mask, sides: [left, right], view });
  }
  return out.sort((x, y) => (x.cut < y.cut ? -1 : x.cut > y.cut ? 1 : 0));
}

export function faultFamilies(): string[] {
  return [...FAULT_FAMILIES];
}

/** A fault step's label and event. */
export class Fault implements StepDescriber<WorldState> {
  constructor(
    readonly text: string,
    readonly describe: (from: WorldState, to: WorldState) => TraceEvent,
  ) {}
  label(): string {
    return this.text;
  }
  event(from: WorldState, to: WorldState): TraceEvent {
    return this.describe(from, to);
  }
}

/** The describers of a system's faults (made once per system). */
export interface FaultDescribers {
  readonly crash: Fault[];
  readonly drop: Fault[];
  readonly duplicate: Fault[];
  readonly partition: Fault[];
  readonly heal: Fault;
}

function describersOf(sys: System): FaultDescribers {
  let d = sys.faultDescribers;
  if (d === undefined) {
    d = sys.faultDescribers = {
      crash: sys.ids.map(
        (id, slot) =>
          new Fault(`crash ${id}`, (from) => {
            const lost: number[] = [];
            const all: number[] = [];
            sys.net.all(from.words, sys.H, all);
            for (const m of all) if (sys.msgTo[m] === slot) lost.push(m);
            return { kind: 'crash', node: id, lost: lost.map((m) => sys.msgInfo[m]!.info) };
          }),
      ),
      drop: [],
      duplicate: [],
      partition: sys.splits.map((split) => new Fault(`partition ${split.sides[0].join(' ')} | ${split.sides[1].join(' ')}`, () => ({ kind: 'partition', sides: [[...split.sides[0]], [...split.sides[1]]] }))),
      heal: new Fault('heal', () => ({ kind: 'heal' })),
    };
  }
  return d;
}

/** The describer of a message fault (drop or duplicate) of message `id`. */
function messageFault(sys: System, list: Fault[], kind: 'drop' | 'duplicate', id: number): Fault {
  return (list[id] ??= new Fault(`${kind} ${sys.msgs.values[id]!}`, () => ({ kind, message: sys.msgInfo[id]!.info })));
}

const CRASH = 0;
const RESTART = 1;
const DROP = 2;
const DUPLICATE = 3;
const PARTITION = 4;

/** The world `p` with one unit of budget `kind` spent, into sys.scratch (header and net). */
function spent(sys: System, p: WorldState, kind: number): void {
  const out = sys.scratch;
  out.load(p.words);
  sys.sum.a = p.sa;
  sys.sum.b = p.sb;
  set(sys, sys.BUDGET + kind, out.a[sys.BUDGET + kind]! - 1);
}

/** In sys.scratch: header word `i` becomes `v` (and the sum follows). */
function set(sys: System, i: number, v: number): void {
  sys.change(sys.sum, i, sys.scratch.a[i]!, v);
  sys.scratch.a[i] = v;
}

/** The world built in sys.scratch. */
function built(sys: System): WorldState {
  return sys.worldWith(sys.scratch.take(), sys.sum);
}

/** Faults from `p`: crashes, restarts, losses, copies, a partition or its heal, in that order. */
export function expandFaults(sys: System, p: WorldState, out: SuccessorSink<WorldState>): void {
  const w = p.words;
  const d = describersOf(sys);
  const B = sys.BUDGET;
  const H = sys.H;
  const down = w[sys.DOWN]!;
  if (w[B + CRASH]! > 0) {
    const family = sys.familyId('crash');
    for (let slot = 0; slot < sys.n; slot++) {
      const r = sys.roleOf[slot]!;
      if ((down >>> slot) & 1 || !r.crashes) continue;
      spent(sys, p, CRASH);
      set(sys, slot, crashed(sys, slot, w[slot]!));
      set(sys, sys.T + slot, 0);
      set(sys, sys.DOWN, down | (1 << slot));
      sys.net.dropTo(sys.scratch, H, slot, sys.sum);
      out.add(built(sys), family, d.crash[slot]!);
    }
  }
  if (w[B + RESTART]! > 0) {
    for (let slot = 0; slot < sys.n; slot++) {
      if (((down >>> slot) & 1) === 0) continue;
      spent(sys, p, RESTART);
      set(sys, sys.DOWN, down & ~(1 << slot));
      const up = built(sys);
      for (const o of restartOutcomes(sys, slot, w[slot]!)) out.add(apply(sys, up, o, -1, 0), o.family, o);
    }
  }
  if (w[B + DROP]! > 0) {
    const family = sys.familyId('drop');
    const points: number[] = [];
    sys.net.lossPoints(w, H, points);
    for (let i = 0; i < points.length; i += 2) {
      spent(sys, p, DROP);
      sys.net.remove(sys.scratch, H, points[i + 1]!, sys.sum);
      out.add(built(sys), family, messageFault(sys, d.drop, 'drop', points[i]!));
    }
  }
  if (w[B + DUPLICATE]! > 0) {
    const family = sys.familyId('duplicate');
    const points: number[] = [];
    sys.net.copyPoints(w, H, points);
    for (let i = 0; i < points.length; i += 2) {
      spent(sys, p, DUPLICATE);
      sys.net.duplicate(sys.scratch, H, points[i + 1]!, sys.sum);
      out.add(built(sys), family, messageFault(sys, d.duplicate, 'duplicate', points[i]!));
    }
  }
  if (w[sys.CUT] === 0) {
    if (w[B + PARTITION]! > 0) {
      const family = sys.familyId('partition');
      for (let k = 0; k < sys.splits.length; k++) {
        spent(sys, p, PARTITION);
        set(sys, sys.CUT, k + 1);
        out.add(built(sys), family, d.partition[k]!);
      }
    }
  } else {
    sys.scratch.load(w);
    sys.sum.a = p.sa;
    sys.sum.b = p.sb;
    set(sys, sys.CUT, 0);
    out.add(built(sys), sys.familyId('heal'), d.heal);
  }
}

/** The state node `slot` is left in by a crash: durable fields kept, volatile ones reset. */
function crashed(sys: System, slot: number, state: number): number {
  const m = sys.crashed;
  const k = sys.roleIndex[slot]!;
  let after = m[k]!.get(state);
  if (after === undefined) {
    after = sys.states[k]!.id(sys.roleOf[slot]!.crash(sys.states[k]!.values[state]));
    m[k]!.set(state, after);
  }
  return after;
}
