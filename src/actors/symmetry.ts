/**
 * Symmetry reduction for roles declared `symmetric`: worlds that differ only by a renaming of
 * interchangeable nodes are one state.
 *
 * A world is keyed by the least fingerprint among its images under the renamings that list each
 * symmetric role's nodes in the order of their own states (Spec.symmetry with symmetryImagesOnly):
 * a node's signature is a hash of its state with every symmetric id blanked, whether it is down,
 * and its timers, so it does not change under renaming; when two nodes of a group tie on that, the
 * messages each has in flight count too (whether nodes tie is the same in every world of an orbit,
 * so the whole orbit uses one signature). Nodes with equal signatures are tied, and every order of
 * the tied ones is taken. Renaming a world permutes its signatures with it, so
 * every member of an orbit yields the same set of images, and the least of them keys the whole
 * orbit — exactly, with far fewer renamings than all k! once nodes differ.
 *
 * Renaming works on ids: a node state, message, ghost or history is renamed once per renaming
 * (and remembered); an image is the world's words permuted.
 */
import { hash, isImmutable, isRecord, List, Map as IMap, Set as ISet } from 'immutable';
import { ModelError } from '../model/errors.js';
import { fmix } from '../model/fingerprint.js';
import { type Link, PackedState, type WordQueue } from '../model/values.js';
import { cutText, type Json, remapJson, remapMessageKey } from './codec.js';
import { addTerm, finishHi, finishLo, messageTerm, type Sum, TA, TB } from './hash.js';
import type { Words32 } from './network.js';
import type { System } from './system.js';
import type { WorldState } from './world.js';

/** One renaming: where each node's slot goes, and the renamed ids as text. */
class Renaming {
  /** slot → the slot whose node moves there. */
  readonly from: Int32Array;
  /** A message id → its renamed id (set by Symmetry). */
  rename: (id: number) => number = (id) => id;
  readonly states: Map<number, number>[];
  readonly msgs: (number | undefined)[] = [];
  /** Per slot i, per state id: the term (two lanes) of that state renamed, at the slot it moves to. */
  readonly slotTermA: (number | undefined)[][];
  readonly slotTermB: number[][];
  /** Per message id: the term of the renamed message with one copy. */
  readonly msgTermA: (number | undefined)[] = [];
  readonly msgTermB: number[] = [];
  readonly ghosts = new Map<number, number>();
  readonly histories = new Map<number, number>();
  /** The split index (cut word) each cut word becomes. */
  readonly cuts: number[];
  readonly cutTexts: string[] = [''];
  constructor(
    sys: System,
    /** slot → slot. */
    readonly to: Int32Array,
    /** id → id, for the ids it changes. */
    readonly names: ReadonlyMap<string, string>,
  ) {
    this.from = new Int32Array(to.length);
    to.forEach((j, i) => (this.from[j] = i));
    this.states = sys.roleNames.map(() => new Map());
    this.slotTermA = sys.ids.map(() => []);
    this.slotTermB = sys.ids.map(() => []);
    this.cuts = [0];
    for (const split of sys.splits) {
      // The renamed cut, written as makeSplits writes it: the side holding the first node first.
      const a = new Set(split.sides[0].map((id) => names.get(id) ?? id));
      let left = sys.ids.filter((id) => a.has(id));
      let right = sys.ids.filter((id) => !a.has(id));
      if (!left.includes(sys.ids[0]!)) [left, right] = [right, left];
      const cut = cutText([left, right]);
      // -1: the renamed cut is not one the system allows (met only if a world has it: an error).
      this.cuts.push(sys.splits.findIndex((s) => s.cut === cut) + 1 || -1);
      this.cutTexts.push(`${split.cut} → ${cut}`);
    }
  }
}

export class Symmetry {
  /** Slots of each group of interchangeable nodes (a symmetric role's, or a group it names), two or more. */
  private readonly groups: number[][];
  /** Every symmetric id renamed to '*' (for signatures). */
  private readonly blank: ReadonlyMap<string, string>;
  /** Per role, per state id: the state's signature, once computed. */
  private readonly signatures: (number | undefined)[][];
  /** Per slot: its place within its group. */
  private readonly place: number[] = [];
  private readonly renamings = new Map<string, Renaming>();
  private readonly sig: number[] = [];
  private readonly traffic: number[] = [];
  /** Count a message's signatures (times its copies) in the traffic of its ends. */
  private readonly count = (m: number, copies: number): void => {
    const sys = this.sys;
    const to = sys.msgTo[m]!;
    const from = sys.msgFrom[m]!;
    const load = this.traffic;
    if (this.symmetric[to]) load[to] = (load[to]! + Math.imul(copies, this.inSignatures[m] ?? this.messageSignature(m, 0x3c6ef372))) | 0;
    if (this.symmetric[from]) load[from] = (load[from]! + Math.imul(copies, this.outSignatures[m] ?? this.messageSignature(m, 0x5be0cd19))) | 0;
  };
  /** Per slot: whether it belongs to a symmetric group. */
  private readonly symmetric: boolean[] = [];
  /** Per message id: its signature as its receiver sees it, and as its sender does (ids blanked). */
  private readonly inSignatures: (number | undefined)[] = [];
  private readonly outSignatures: (number | undefined)[] = [];

  /** A message's signature as one of its ends sees it (`side` tells to from from): renaming-invariant. */
  private messageSignature(m: number, side: number): number {
    const { info } = this.sys.msgInfo[m]!;
    const other = side === 0x3c6ef372 ? info.from : info.to;
    const h = fmix((Math.imul(signature(info.body, this.blank), 31) + hash(info.type) + Math.imul(signature(other, this.blank), 7) + side) | 0);
    (side === 0x3c6ef372 ? this.inSignatures : this.outSignatures)[m] = h;
    return h;
  }
  /** Per group, its slots in signature order (reused). */
  private readonly sorted: number[][];
  private readonly byCode = new Map<number, Renaming[]>();
  /** Whether a pattern fits a number: at most 7 symmetric nodes in all, 4 bits each. */
  private readonly numeric: boolean;

  private constructor(private readonly sys: System) {
    this.groups = sys.roleNames.flatMap((name) => sys.roles[name]!.symmetricGroups.map((ids) => ids.map((id) => sys.slotOf(id)!)));
    this.blank = new Map(this.groups.flat().map((slot) => [sys.ids[slot]!, '*']));
    this.signatures = sys.roleNames.map(() => []);
    for (const slots of this.groups)
      slots.forEach((slot, k) => {
        this.symmetric[slot] = true;
        this.place[slot] = k;
      });
    this.sorted = this.groups.map((slots) => [...slots]);
    for (let i = 0; i < sys.n; i++) {
      this.sig.push(0);
      this.traffic.push(0);
    }
    this.numeric = this.groups.reduce((n, g) => n + g.length, 0) <= 7;
  }

  /** The system's symmetry, or null when no role is symmetric. */
  static of(sys: System): Symmetry | null {
    const s = new Symmetry(sys);
    return s.groups.length ? s : null;
  }

  /** A hash of a node's state with every symmetric id blanked (once per state). */
  private stateSignature(role: number, state: number): number {
    const known = this.signatures[role]!;
    let h = known[state];
    if (h === undefined) known[state] = h = signature(this.sys.states[role]!.values[state], this.blank);
    return h;
  }

  /**
   * Each group's nodes sorted by signature (in place, by insertion: groups are small), into
   * `sorted`; with `traffic`, the messages each node has in flight to it and from it (ids blanked)
   * count in its signature too. Whether two nodes of a group tie.
   */
  private order(w: Words32, traffic: boolean): boolean {
    const sys = this.sys;
    const sig = this.sig;
    const load = this.traffic;
    if (traffic) {
      for (const slots of this.groups) for (const slot of slots) load[slot] = 0;
      sys.net.each(w, sys.H, this.count);
    }
    const down = w[sys.DOWN]!;
    let tie = false;
    for (let g = 0; g < this.groups.length; g++) {
      const slots = this.groups[g]!;
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k]!;
        let h = this.stateSignature(sys.roleIndex[slot]!, w[slot]!);
        h = (Math.imul(h, 31) + ((down >>> slot) & 1)) | 0;
        h = (Math.imul(h, 31) + w[sys.T + slot]!) | 0;
        if (traffic) h = (Math.imul(h, 31) + load[slot]!) | 0;
        sig[slot] = h;
      }
      // Written from the start over (every slot of the group goes in): no resizing.
      const sorted = this.sorted[g]!;
      for (let k = 0; k < slots.length; k++) {
        const x = slots[k]!;
        const hx = sig[x]!;
        let j = k;
        while (j > 0 && sig[sorted[j - 1]!]! > hx) {
          sorted[j] = sorted[j - 1]!;
          j--;
        }
        if (j > 0 && sig[sorted[j - 1]!] === hx) tie = true;
        sorted[j] = x;
      }
    }
    return tie;
  }

  /** The renamings a world is keyed under (see the top of this file). */
  private renamingsOf(w: Words32): Renaming[] {
    // Nodes are ordered by their own state, down bit and timers; only when two of them tie is the
    // traffic counted too. Whether nodes tie does not change under renaming, so every world of an
    // orbit orders its nodes by the same signature.
    if (this.order(w, false)) this.order(w, true);
    // The pattern: each group's nodes in order, and which neighbours tie — as a number (4 bits a
    // place) when it fits, else as text.
    const sig = this.sig;
    let code = 0;
    let pattern = '';
    const sortedGroups = this.sorted;
    for (let g = 0; g < this.groups.length; g++) {
      const sorted = sortedGroups[g]!;
      for (let k = 0; k < sorted.length; k++) {
        const tie = k + 1 < sorted.length && sig[sorted[k]!] === sig[sorted[k + 1]!] ? 1 : 0;
        const place = this.place[sorted[k]!]!;
        if (this.numeric) code = code * 16 + place * 2 + tie;
        else pattern += `${place}${tie ? '=' : ','}`;
      }
      if (!this.numeric) pattern += '|';
    }
    const key = this.numeric ? code : pattern;
    let out = typeof key === 'number' ? this.byCode.get(key) : this.byPattern.get(key);
    if (out === undefined) {
      let perms: number[][] = [[]];
      this.groups.forEach((slots, g) => {
        const sorted = sortedGroups[g]!;
        // The orders of `sorted` that only reorder ties.
        let orders: number[][] = [[]];
        for (let i = 0; i < sorted.length; ) {
          let j = i;
          while (j < sorted.length && sig[sorted[j]!] === sig[sorted[i]!]) j++;
          const tied = sorted.slice(i, j);
          const next: number[][] = [];
          for (const p of permutations(tied)) for (const o of orders) next.push([...o, ...p]);
          orders = next;
          i = j;
        }
        // The node in the k-th place of an order gets the k-th id of the role.
        const next: number[][] = [];
        for (const o of orders) for (const base of perms) next.push([...base, ...o.flatMap((from, k) => [from, slots[k]!])]);
        perms = next;
      });
      out = perms.map((pairs) => this.intern(pairs));
      if (typeof key === 'number') this.byCode.set(key, out);
      else this.byPattern.set(key, out);
    }
    return out;
  }
  private readonly byPattern = new Map<string, Renaming[]>();

  /** One Renaming object per distinct renaming, so its memos are shared. */
  private intern(pairs: number[]): Renaming {
    const sys = this.sys;
    const to = new Int32Array(sys.n);
    for (let i = 0; i < sys.n; i++) to[i] = i;
    for (let k = 0; k < pairs.length; k += 2) to[pairs[k]!] = pairs[k + 1]!;
    const text = to.join(',');
    let r = this.renamings.get(text);
    if (r === undefined) {
      const names = new Map<string, string>();
      to.forEach((j, i) => {
        if (i !== j) names.set(sys.ids[i]!, sys.ids[j]!);
      });
      r = new Renaming(sys, to, names);
      const renaming = r;
      r.rename = (m) => this.renamedMsg(renaming, m);
      this.renamings.set(text, r);
    }
    return r;
  }

  /**
   * The image of a world that keys its orbit: the one with the least fingerprint among its images
   * under its renamings (the world itself for the identity), fingerprinted from the world and the
   * renamings without building any image.
   */
  images(p: WorldState): PackedState[] {
    const rs = this.renamingsOf(p.words);
    if (rs.length === 1 && rs[0]!.names.size === 0) return [p];
    let best: Renaming | null = null;
    let hi = 0;
    let lo = 0;
    const sum = this.imageSums;
    for (const r of rs) {
      let a = p.sa;
      let b = p.sb;
      if (r.names.size !== 0) {
        this.imageSum(p.words, r, sum);
        a = sum.a;
        b = sum.b;
      }
      const h = finishHi(a, b);
      const l = finishLo(a, b);
      if (best === null || h < hi || (h === hi && l < lo)) {
        best = r;
        hi = h;
        lo = l;
      }
    }
    return best!.names.size === 0 ? [p] : [new Image(this, p, best!, hi, lo)];
  }
  private readonly imageSums: Sum = { a: 0, b: 0 };

  private renamedState(r: Renaming, slot: number, state: number): number {
    const sys = this.sys;
    const role = sys.roleIndex[slot]!;
    const memo = r.states[role]!;
    let s = memo.get(state);
    if (s === undefined) {
      s = sys.states[role]!.id(remapValue(sys.states[role]!.values[state], r.names));
      memo.set(state, s);
    }
    return s;
  }
  private renamedMsg(r: Renaming, m: number): number {
    return r.msgs[m] ?? (r.msgs[m] = this.sys.msg(remapMessageKey(this.sys.msgs.values[m]!, r.names)));
  }
  private renamedGhost(r: Renaming, g: number): number {
    let out = r.ghosts.get(g);
    if (out === undefined) r.ghosts.set(g, (out = this.sys.ghosts.id(remapValue(this.sys.ghosts.values[g], r.names))));
    return out;
  }
  private renamedHistory(r: Renaming, h: number): number {
    let out = r.histories.get(h);
    if (out === undefined) r.histories.set(h, (out = this.sys.histories.id(remapValue(this.sys.histories.values[h], r.names) as List<never>)));
    return out;
  }
  private renamedCut(r: Renaming, c: number): number {
    const cut = r.cuts[c]!;
    if (cut < 0) throw new ModelError(`symmetry: renaming the partition gives one the system's partitions do not allow (${r.cutTexts[c]}); list both, or make the role not symmetric`);
    return cut;
  }

  /** The sum of the terms of the image of `w` under `r` (as the built image would have it), into `sum`. */
  imageSum(w: Words32, r: Renaming, sum: Sum): void {
    const sys = this.sys;
    sum.a = 0;
    sum.b = 0;
    const from = r.from;
    for (let j = 0; j < sys.n; j++) {
      const i = from[j]!;
      const state = w[i]!;
      const ta = r.slotTermA[i]!;
      let a = ta[state];
      if (a === undefined) {
        sys.headerTerm(j, this.renamedState(r, i, state));
        ta[state] = a = TA;
        r.slotTermB[i]![state] = TB;
      }
      sum.a = (sum.a + a) | 0;
      sum.b = (sum.b + r.slotTermB[i]![state]!) | 0;
      sys.headerTerm(sys.T + j, w[sys.T + i]!);
      addTerm(sum, 1);
    }
    let down = 0;
    for (let i = 0; i < sys.n; i++) if ((w[sys.DOWN]! >>> i) & 1) down |= 1 << r.to[i]!;
    sys.headerTerm(sys.DOWN, down);
    addTerm(sum, 1);
    for (let i = sys.BUDGET; i < sys.CUT; i++) {
      sys.headerTerm(i, w[i]!);
      addTerm(sum, 1);
    }
    sys.headerTerm(sys.CUT, this.renamedCut(r, w[sys.CUT]!));
    addTerm(sum, 1);
    sys.headerTerm(sys.GHOST, this.renamedGhost(r, w[sys.GHOST]!));
    addTerm(sum, 1);
    sys.headerTerm(sys.HISTORY, this.renamedHistory(r, w[sys.HISTORY]!));
    addTerm(sum, 1);
    if (sys.net.kind === 'fifo') sys.net.terms(w, sys.H, sum, r.rename);
    else
      // Pairs (message, copies): the renamed message's term, remembered for one copy.
      for (let p = sys.H; p < w.length; p += 2) {
        const m = w[p]!;
        const c = w[p + 1]!;
        if (c === 1) {
          let a = r.msgTermA[m];
          if (a === undefined) {
            const to = this.renamedMsg(r, m);
            messageTerm(sys.msgs.hi[to]!, sys.msgs.lo[to]!, 1);
            r.msgTermA[m] = a = TA;
            r.msgTermB[m] = TB;
          }
          sum.a = (sum.a + a) | 0;
          sum.b = (sum.b + r.msgTermB[m]!) | 0;
        } else {
          const to = this.renamedMsg(r, m);
          messageTerm(sys.msgs.hi[to]!, sys.msgs.lo[to]!, c);
          addTerm(sum, 1);
        }
      }
  }

  /** The image of a world under a renaming, built. */
  image(p: WorldState, r: Renaming): WorldState {
    const sys = this.sys;
    const w = p.words;
    const out = sys.scratch;
    out.reset();
    for (let i = 0; i < sys.H; i++) out.push(0);
    const a = out.a;
    let down = 0;
    for (let i = 0; i < sys.n; i++) {
      const j = r.to[i]!;
      a[j] = this.renamedState(r, i, w[i]!);
      a[sys.T + j] = w[sys.T + i]!;
      if ((w[sys.DOWN]! >>> i) & 1) down |= 1 << j;
    }
    a[sys.DOWN] = down;
    for (let i = sys.BUDGET; i < sys.CUT; i++) a[i] = w[i]!;
    a[sys.CUT] = this.renamedCut(r, w[sys.CUT]!);
    a[sys.GHOST] = this.renamedGhost(r, w[sys.GHOST]!);
    a[sys.HISTORY] = this.renamedHistory(r, w[sys.HISTORY]!);
    sys.net.map(w, sys.H, r.rename, out);
    return sys.world(out.take());
  }
}

/** An image of a world: its fingerprint already known, built only if unpacked or queued. */
class Image extends PackedState {
  constructor(
    private readonly sym: Symmetry,
    private readonly world: WorldState,
    private readonly renaming: Renaming,
    readonly fingerprintHi: number,
    readonly fingerprintLo: number,
  ) {
    super();
  }
  get packing(): string {
    return this.world.packing;
  }
  unpacked(): unknown {
    return this.sym.image(this.world, this.renaming).unpacked();
  }
  writeTo(q: WordQueue): void {
    this.sym.image(this.world, this.renaming).writeTo(q);
  }
  override exportTo(link: Link): unknown {
    return this.sym.image(this.world, this.renaming).exportTo(link);
  }
  readFrom(q: WordQueue): PackedState {
    return this.world.readFrom(q);
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
 * A hash of a value with the ids in `blank` all read as one: equal for a state and its renaming.
 * Unordered collections (Maps, Sets, plain objects) add their entries' hashes, so entries whose
 * keys blank alike all count, whatever order the collection holds them in.
 */
function signature(x: unknown, blank: ReadonlyMap<string, string>): number {
  if (typeof x === 'string') return hash(blank.has(x) ? '*' : x);
  if (typeof x !== 'object' || x === null) return hash(x);
  if (IMap.isMap(x) || ISet.isSet(x) || (!Array.isArray(x) && !isImmutable(x) && Object.getPrototypeOf(x) === Object.prototype)) {
    let sum = 0;
    const entries: Iterable<[unknown, unknown]> = IMap.isMap(x)
      ? (x as IMap<unknown, unknown>).entries()
      : ISet.isSet(x)
        ? [...(x as ISet<unknown>)].map((v): [unknown, unknown] => [v, null])
        : Object.entries(x as object);
    for (const [k, v] of entries) sum = (sum + fmix((Math.imul(signature(k, blank), 31) + signature(v, blank)) | 0)) | 0;
    return fmix(sum ^ 0x5bd1e995);
  }
  let h = 0x27d4eb2d;
  const items: Iterable<unknown> = isRecord(x) ? (x as unknown as { toSeq(): { values(): Iterable<unknown> } }).toSeq().values() : (x as Iterable<unknown>);
  for (const v of items) h = fmix((Math.imul(h, 31) + signature(v, blank)) | 0);
  return h;
}

/** Rename node ids in a node's state, the ghost variables or the history: every equal string. */
export function remapValue(x: unknown, perm: ReadonlyMap<string, string>): unknown {
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
