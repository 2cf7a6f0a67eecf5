/**
 * Turns a model's Spec into the explorer's internal form: one function that writes the
 * successors of a state into a reusable buffer, with an action family per successor (for the
 * per-action statistics) and a label that is only built when someone needs it.
 */
import { ActionError, describeThrown, ModelError, UsageError } from '../model/errors.js';
import { running } from './core.js';
import { show } from '../model/values.js';
import { fingerprint, fpHigh, fpLow, setFingerprint } from '../model/fingerprint.js';
import type { TraceEvent } from '../model/trace.js';
import type { Action, ActionResult, Invariant, Spec, StepDescriber, SuccessorSink } from '../model/types.js';
import type { CompiledProperty } from './liveness.js';

/** The successor count a worker reports for a state beyond the model's constraint (not expanded). */
export const BEYOND = 0xffffffff;

/** Successors of one state; reused from state to state. */
export class SuccessorBuffer<S> {
  states: S[] = [];
  families: number[] = [];
  /** For `actions`: a code for the action and argument; for `next`: the label itself; for `successors`: the describer. */
  labels: (string | number | StepDescriber<S>)[] = [];
  /** The state these are the successors of (for describers). */
  from: S | undefined = undefined;
  /** The successor's trace event, if the model gave one. */
  events: (TraceEvent | undefined)[] = [];
  length = 0;

  /** Whether any successor since the last clear had an event (models without events skip them). */
  private withEvents = false;

  push(state: S, family: number, label: string | number | StepDescriber<S>, event?: TraceEvent): void {
    const i = this.length++;
    this.states[i] = state;
    this.families[i] = family;
    this.labels[i] = label;
    if (event !== undefined || this.withEvents) {
      if (!this.withEvents) {
        this.withEvents = true;
        for (let k = 0; k < i; k++) this.events[k] = undefined;
      }
      this.events[i] = event;
    }
  }
  /** The event of successor i, if it had one. */
  event(i: number): TraceEvent | undefined {
    const l = this.labels[i];
    if (typeof l === 'object') return l.event?.(this.from as S, this.states[i]!);
    return this.withEvents ? this.events[i] : undefined;
  }
  clear(): void {
    // Drop references so states can be collected; keep the arrays' capacity.
    for (let i = 0; i < this.length; i++) this.states[i] = undefined as S;
    if (this.withEvents) {
      for (let i = 0; i < this.length; i++) this.events[i] = undefined;
      this.withEvents = false;
    }
    this.length = 0;
    this.from = undefined;
  }
}

export interface CompiledInvariant<S> {
  readonly name: string;
  readonly holds: (s: S) => boolean;
  readonly explain?: (s: S) => string;
}

export { ActionError };

export interface Compiled<S> {
  readonly init: readonly S[];
  /** Action family names (the action's name, or a `next` label up to its first parenthesis). */
  readonly families: string[];
  readonly invariants: readonly CompiledInvariant<S>[];
  readonly deadlock: boolean;
  /** The witness searched for (CompileOptions.witness), or null. */
  readonly witness: string | null;
  /** The model's witnesses, by name. */
  readonly witnessNames: readonly string[];
  /** The model's liveness properties. */
  readonly properties: readonly CompiledProperty<S>[];
  /** Whether symmetry reduction (`canonical` or `symmetry`) is in use. */
  readonly reduced: boolean;
  /**
   * Fingerprint the state as the seen set keys it (fpHigh()/fpLow() afterwards): its canonical
   * value's fingerprint, or the least fingerprint among its symmetric images.
   */
  key(s: S): void;
  /** Whether an action family is a fault of the environment (Spec.faultActions). */
  isFault(family: string): boolean;
  /** Whether liveness gives an action family no fairness: a fault not declared fair (Spec.fairFaults). */
  isUnfair(family: string): boolean;
  readonly initEvent?: (s: S) => TraceEvent | undefined;
  /** Write all successors of `s` into `out` (after clearing it). */
  expand(s: S, out: SuccessorBuffer<S>): void;
  /** Whether `s` lies beyond the model's constraint (it is then not expanded); null without one. */
  readonly beyond: ((s: S) => boolean) | null;
  /** The label of successor `i` of the last expansion into `out`. */
  label(out: SuccessorBuffer<S>, i: number): string;
}

function familyOf(label: string): string {
  const p = label.indexOf('(');
  const name = p < 0 ? label : label.slice(0, p);
  return name.trim() || label;
}

function argText(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

function pushResult<S>(out: SuccessorBuffer<S>, r: ActionResult<S>, family: number, label: string | number): void {
  if (r === null || r === undefined) return;
  if (Array.isArray(r)) {
    for (const s of r as readonly S[]) if (s !== null && s !== undefined) out.push(s, family, label);
  } else {
    out.push(r as S, family, label);
  }
}

/**
 * Numbers action family names in order of appearance, appending new ones to `names` (which may
 * already hold some); returns the function that gives a name its number.
 */
export function familyNumbering(names: string[]): (name: string) => number {
  const index = new Map(names.map((n, i) => [n, i]));
  return (name) => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
}

export interface CompileOptions {
  /** Use the model's `canonical`/`symmetry` (default true; `--no-symmetry` turns it off). */
  readonly symmetry?: boolean;
  /**
   * Look for an example of this witness instead of checking invariants: its negation becomes
   * the only invariant, and deadlocks are not reported.
   */
  readonly witness?: string;
  /**
   * Check only these of the model's invariants (TLC's INVARIANT list), e.g. to find the shortest
   * trace breaking one invariant of a variant that breaks another one first. Default: all.
   */
  readonly invariants?: readonly string[];
}

/**
 * The seen-set key of a state. With `symmetry`, the least fingerprint (as an unsigned 64-bit
 * number) over the state and its images: equal for every state of one orbit, so each orbit is
 * explored once (exactly, barring fingerprint collisions).
 */
function keyFunction<S>(spec: Spec<S>, reduce: boolean): (s: S) => void {
  const canonical = reduce ? spec.canonical : undefined;
  const symmetry = reduce ? spec.symmetry : undefined;
  const normalize = spec.normalize;
  if (canonical && symmetry) throw new ModelError('give either canonical or symmetry, not both');
  if (normalize !== undefined && typeof normalize !== 'function') throw new ModelError('normalize must be a function of the state');
  if (normalize) {
    // Normal forms first; the renaming commutes with the symmetries, so their images follow.
    const inner = keyFunction({ ...spec, normalize: undefined }, reduce);
    return (s) => inner(normalize(s));
  }
  if (canonical) return (s) => fingerprint(canonical(s));
  if (!symmetry) return fingerprint;
  const imagesOnly = spec.symmetryImagesOnly === true;
  return (s) => {
    let hi = 0xffffffff;
    let lo = 0xffffffff;
    if (!imagesOnly) {
      fingerprint(s);
      hi = fpHigh() >>> 0;
      lo = fpLow() >>> 0;
    }
    let any = !imagesOnly;
    for (const image of symmetry(s)) {
      fingerprint(image);
      const h = fpHigh() >>> 0;
      const l = fpLow() >>> 0;
      if (!any || h < hi || (h === hi && l < lo)) {
        hi = h;
        lo = l;
        any = true;
      }
    }
    if (!any) throw new ModelError('symmetry returned no image of a state (with symmetryImagesOnly it must return at least one)');
    setFingerprint(hi, lo);
  };
}

export function compile<S>(spec: Spec<S>, options: CompileOptions = {}): Compiled<S> {
  if (!spec || !Array.isArray(spec.init)) throw new ModelError('build must return an object with an init array');
  if (spec.init.length === 0) throw new ModelError('the model has no initial state (init is empty)');
  if (!spec.next && !spec.actions && !spec.successors) throw new ModelError('the model has neither next nor actions');

  const families: string[] = [];
  const familyId = familyNumbering(families);

  type Plain = { name: string; family: number; fn: (s: S) => ActionResult<S> };
  type Over = {
    name: string;
    family: number;
    over: readonly unknown[];
    labels: string[];
    step: (s: S, a: unknown) => ActionResult<S>;
    when: ((s: S) => boolean) | undefined;
  };
  const named: (Plain | Over)[] = [];
  for (const [name, act] of Object.entries(spec.actions ?? {}) as [string, Action<S>][]) {
    const family = familyId(name);
    if (typeof act === 'function') named.push({ name, family, fn: act });
    else if (act && Array.isArray(act.over) && typeof act.step === 'function')
      named.push({
        name,
        family,
        over: act.over,
        labels: act.over.map((a) => `${name}(${argText(a)})`),
        step: act.step as (s: S, a: unknown) => ActionResult<S>,
        when: act.when,
      });
    else throw new ModelError(`action ${name} must be a function or { over: [...], step: (s, x) => ... }`);
  }
  // Labels of `next` successors are strings; `actions` successors store the index of their
  // action in `named` (for a plain function) or, for `over` actions, a code that packs the action's
  // index and the argument's index.
  const overBase = named.length;
  const next = spec.next;
  // Cache of label -> family for `next` labels; bounded because labels can be unbounded.
  const labelFamily = new Map<string, number>();

  // `successors`: the spec's family numbers map to ours as they first appear.
  const bulk = spec.successors;
  const bulkFamilies: number[] = [];
  let target: SuccessorBuffer<S> | null = null;
  const sink: SuccessorSink<S> = {
    add(state, family, step) {
      let f = bulkFamilies[family];
      if (f === undefined) f = bulkFamilies[family] = familyId(bulk!.families[family]!);
      target!.push(state, f, step);
    },
  };

  // Plain (non-Immutable) states are frozen, deeply, as they are made: an action that changes
  // its input in place then throws at once (model files are modules, so strict mode) instead of
  // silently changing a state that is already fingerprinted — see mutationError in core.ts.
  const freeze = spec.init.some(isPlainContainer);
  if (freeze) for (const s of spec.init) deepFreeze(s);
  const expand = freeze
    ? (s: S, out: SuccessorBuffer<S>): void => {
        expandAll(s, out);
        for (let i = 0; i < out.length; i++) deepFreeze(out.states[i]);
      }
    : (s: S, out: SuccessorBuffer<S>): void => expandAll(s, out);
  const expandAll = (s: S, out: SuccessorBuffer<S>): void => {
    out.clear();
    out.from = s;
    if (bulk) {
      running.action = '';
      target = out;
      try {
        bulk.expand(s, sink);
      } catch (e) {
        if (e instanceof ActionError) throw e;
        throw new ActionError('(successors)', e);
      }
      return;
    }
    for (let a = 0; a < named.length; a++) {
      const act = named[a]!;
      if ('fn' in act) {
        let r: ActionResult<S>;
        running.action = act.name;
        try {
          r = act.fn(s);
        } catch (e) {
          throw new ActionError(act.name, e);
        }
        pushResult(out, r, act.family, a);
      } else {
        if (act.when) {
          let on: boolean;
          try {
            on = act.when(s);
          } catch (e) {
            throw new ActionError(act.name, e);
          }
          if (!on) continue;
        }
        const over = act.over;
        for (let k = 0; k < over.length; k++) {
          let r: ActionResult<S>;
          running.action = act.labels[k]!;
          try {
            r = act.step(s, over[k]);
          } catch (e) {
            throw new ActionError(act.labels[k]!, e);
          }
          pushResult(out, r, act.family, overBase + a * 0x10000 + k);
        }
      }
    }
    if (next) {
      running.action = 'next';
      let last = 'next';
      try {
        for (const succ of next(s)) {
          const label = String(succ.action);
          last = label;
          let fam: number | undefined;
          if (succ.family !== undefined) fam = familyId(succ.family);
          else {
            fam = labelFamily.get(label);
            if (fam === undefined) {
              fam = familyId(familyOf(label));
              if (labelFamily.size < 100_000) labelFamily.set(label, fam);
            }
          }
          out.push(succ.state, fam, label, succ.event);
        }
      } catch (e) {
        if (e instanceof ActionError) throw e;
        throw new ActionError(last === 'next' ? 'next' : `next (after ${last})`, e);
      }
    }
  };

  const label = (out: SuccessorBuffer<S>, i: number): string => {
    const l = out.labels[i]!;
    if (typeof l === 'string') return l;
    if (typeof l === 'object') return l.label(out.from as S, out.states[i]!);
    if (l < overBase) return named[l]!.name;
    const code = l - overBase;
    const act = named[Math.floor(code / 0x10000)] as Over;
    return act.labels[code % 0x10000]!;
  };

  let invariants: CompiledInvariant<S>[] = Object.entries(spec.invariants ?? {}).map(([name, inv]: [string, Invariant<S>]) => {
    if (typeof inv === 'function') return { name, holds: inv };
    if (inv && typeof inv.holds === 'function') return inv.explain ? { name, holds: inv.holds, explain: inv.explain } : { name, holds: inv.holds };
    throw new ModelError(`invariant ${name} must be a function or { holds: (s) => boolean }`);
  });

  if (options.invariants !== undefined) {
    const known = invariants.map((i) => i.name);
    for (const name of options.invariants)
      if (!known.includes(name)) throw new UsageError(`unknown invariant "${name}"; ${known.length ? 'invariants: ' + known.join(', ') : 'the model declares no invariants'}`);
    invariants = invariants.filter((i) => options.invariants!.includes(i.name));
  }

  for (const act of named) if ('over' in act && act.over.length > 0xffff) throw new ModelError(`action ${act.name} ranges over more than 65535 values`);

  const witnesses = spec.witnesses ?? {};
  const witnessNames = Object.keys(witnesses);
  const witness = options.witness ?? null;
  if (witness !== null) {
    const w = witnesses[witness];
    if (typeof w !== 'function')
      throw new UsageError(`unknown witness "${witness}"; ${witnessNames.length ? 'witnesses: ' + witnessNames.join(', ') : 'the model declares no witnesses'}`);
    invariants = [{ name: witness, holds: (s) => !w(s), explain: () => `${witness} holds` }];
  }

  const faults = new Set(spec.faultActions ?? []);
  const fair = new Set(spec.fairFaults ?? []);
  return {
    init: spec.init,
    families,
    invariants,
    deadlock: witness === null && (spec.deadlock ?? true),
    witness,
    witnessNames,
    properties: Object.entries(spec.properties ?? {}).map(([name, property]) => {
      const ok = property && (property.kind === 'leadsTo' ? typeof property.p === 'function' && typeof property.q === 'function' : ['eventually', 'alwaysEventually'].includes(property.kind) && typeof property.p === 'function');
      if (!ok) throw new ModelError(`property ${name} must be eventually(p), alwaysEventually(p) or leadsTo(p, q)`);
      return { name, property };
    }),
    reduced: options.symmetry !== false && !!(spec.canonical || spec.symmetry),
    key: keyFunction(spec, options.symmetry !== false),
    beyond: constraintFunction(spec.constraint),
    isFault: (family) => faults.has(family),
    isUnfair: (family) => faults.has(family) && !fair.has(family),
    ...(spec.initEvent ? { initEvent: spec.initEvent } : {}),
    expand,
    label,
  };
}

/**
 * The same compiled model started from other states: a search from a state reached some other way
 * (`faultline explore`'s "shortest path from here"). Everything else — successors, labels, keys,
 * invariants — is the model's own, so a trace found from there continues a trace that led there.
 */
export function startingFrom<S>(model: Compiled<S>, states: readonly S[]): Compiled<S> {
  if (states.length === 0) throw new ModelError('a search needs at least one state to start from');
  return { ...model, init: states };
}

/** A plain object or array (not an Immutable value, a class instance or a primitive). */
function isPlainContainer(x: unknown): x is object {
  if (typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) return true;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Freeze a plain object or array and the plain objects and arrays inside it. */
function deepFreeze(x: unknown): void {
  if (!isPlainContainer(x) || Object.isFrozen(x)) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}

function constraintFunction<S>(constraint: ((s: S) => boolean) | undefined): ((s: S) => boolean) | null {
  if (constraint === undefined) return null;
  if (typeof constraint !== 'function') throw new ModelError('constraint must be a function of the state');
  return (s) => {
    let ok: boolean;
    try {
      ok = constraint(s);
    } catch (e) {
      throw new ModelError(`the constraint threw on ${show(s, 300)}: ${describeThrown(e)}`, e);
    }
    return !ok;
  };
}
