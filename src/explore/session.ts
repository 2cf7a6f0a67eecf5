/**
 * An exploration of one model: the state at a path of step indices, what can happen next (the
 * same successors, labels and events `check` explores), the invariants on it, its trace drawn as
 * the reports' sequence chart, and the shortest path from it to a state where an invariant breaks
 * or a witness holds (the breadth-first explorer, started from that state).
 *
 * A path is a list of whole numbers: the initial state's index, then at each step the index of the
 * successor taken among the enabled steps, in the order the model generates them. It is written
 * `0.3.1` in URLs; it is stable for a given model, variant, params and fault budgets.
 */
import { bfsAsync } from '../check/bfs.js';
import { checkLivenessAsync } from '../check/liveness.js';
import { buildModel, type CheckTarget } from '../check/check.js';
import { compile, type Compiled, startingFrom, SuccessorBuffer } from '../check/compile.js';
import { actionThrew, Budget, where } from '../check/core.js';
import { initialStep, successorStep } from '../check/path.js';
import type { RunInfo, StopReason, TraceStep } from '../check/types.js';
import { describeThrown, ModelError, UsageError } from '../model/errors.js';
import { fingerprintHex } from '../model/fingerprint.js';
import type { TraceEvent } from '../model/trace.js';
import type { ParamDefinitions, Spec } from '../model/types.js';
import { type Plain, toPlain } from '../model/values.js';
import { fromItf, toItf } from '../report/itf.js';
import { legendHtml } from '../report/legend.js';
import { LAYERS, sequenceChart } from '../report/sequence.js';
import { Spelling } from '../report/spell.js';
import { inLayers, renderSvg } from '../report/svg.js';
import type { PlainStep, PlainTrace } from '../report/trace.js';
import { stateView, type StateView } from './view.js';

/** How the enabled steps are grouped on the page: protocol steps first, then faults. */
export const GROUPS = ['deliveries', 'timeouts', 'local steps', 'actions', 'faults'] as const;
export type Group = (typeof GROUPS)[number];

/** A step that can be taken from the state shown. */
export interface EnabledStep {
  /** Its index among the state's successors: the next number of the path. */
  readonly index: number;
  readonly group: Group;
  /** As the reports spell it: `client→server Inc {id: 1}`, `client timeout retry`, `crash server`. */
  readonly label: string;
  /** The engine's label (what a saved trace records). */
  readonly action: string;
  /** The node that acts (receives, times out, crashes), if the step has one. */
  readonly node?: string;
  /** The invariants that hold here and that the state after this step breaks. */
  readonly breaks: readonly string[];
  /** The step leads back to the same state. */
  readonly unchanged: boolean;
}

/** A step of the path so far. */
export interface PathStep {
  /** `initial state`, or the step as the reports spell it. */
  readonly label: string;
}

export interface InvariantVerdict {
  readonly name: string;
  readonly holds: boolean;
  /** The model's explanation of what breaks, when it breaks and the invariant gives one. */
  readonly explanation: string | null;
}

/** Something the shortest path from here can be searched for. */
export interface Target {
  /** `invariant:Name`, `witness:Name`, `liveness:Name` or `deadlock`. */
  readonly id: string;
  /** `ExactlyOnce is broken`, `AllAcked holds`. */
  readonly text: string;
}

/** Everything the page shows of one state (the JSON of `GET /api/state`). */
export interface ExploreState {
  /** `at-least-once, variant volatile-dedupe`. */
  readonly title: string;
  readonly info: RunInfo;
  readonly path: readonly number[];
  /** How many initial states the model has (a path's first number picks one). */
  readonly initialStates: number;
  /** The path so far, step 0 first. */
  readonly steps: readonly PathStep[];
  readonly view: StateView;
  readonly enabled: readonly EnabledStep[];
  readonly invariants: readonly InvariantVerdict[];
  readonly witnesses: readonly { readonly name: string; readonly holds: boolean }[];
  /** No step is possible and the model counts that as a deadlock. */
  readonly deadlock: boolean;
  /** The state lies beyond the model's constraint: `check` does not explore past it. */
  readonly beyond: boolean;
  readonly targets: readonly Target[];
}

/** A path drawn as the reports draw a trace (the JSON of `GET /api/chart`). */
export interface Chart {
  /** The sequence chart. */
  readonly svg: string;
  /** Its legend: what each kind of mark it uses means (HTML). */
  readonly legend: string;
}

/** What a search for the shortest path from a state found. */
export interface FindResult {
  readonly found: boolean;
  /** The whole path to the state found (the path searched from, then the steps found). */
  readonly path: readonly number[] | null;
  /** Steps from the state searched from; 0: that state is one already. */
  readonly steps: number | null;
  /** Distinct states the search explored. */
  readonly explored: number;
  readonly complete: boolean;
  readonly stopReason: StopReason | null;
  /** One sentence for the page. */
  readonly message: string;
}

/** The model, variant, params and faults to explore. */
export interface ExploreSettings {
  readonly variant?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly faults?: Readonly<Record<string, unknown>>;
}

/** `0.3.1` → [0, 3, 1]; empty or absent → [0] (the first initial state). */
export function parsePath(text: string | null | undefined): number[] {
  const t = (text ?? '').trim();
  if (t === '') return [0];
  const parts = t.split('.');
  if (!parts.every((p) => /^\d{1,6}$/.test(p))) throw new UsageError(`bad path "${t.slice(0, 60)}": a path is step indices separated by dots, starting with the initial state (0.3.1)`);
  if (parts.length > 10_000) throw new UsageError(`bad path: ${parts.length} steps is more than the 10000 a path may have`);
  return parts.map(Number);
}

export const pathText = (path: readonly number[]): string => path.join('.');

/** A walked path: its steps (states, labels, events) and the last state's successors. */
interface Walk<S> {
  readonly trace: TraceStep<S>[];
  readonly buf: SuccessorBuffer<S>;
}

export class Session {
  private readonly charts = new Map<string, Chart>();
  private readonly searches = new Map<string, Compiled<unknown>>();

  private constructor(
    readonly info: RunInfo,
    private readonly spec: Spec<unknown>,
    private readonly model: Compiled<unknown>,
    private readonly budgets: Readonly<Record<string, number>>,
  ) {}

  /** Load (if needed) and build the model, as `check` does. */
  static async open<S, P extends ParamDefinitions, V extends string>(target: CheckTarget<S, P, V>, settings: ExploreSettings = {}, file?: string): Promise<Session> {
    const built = await buildModel(target as CheckTarget, settings, file);
    return new Session(built.info, built.spec, compile(built.spec), built.config.faults);
  }

  get title(): string {
    return `${this.info.model}, variant ${this.info.variant}`;
  }

  /** Follow a path from its initial state; a step the path names that is not there is a UsageError. */
  private walk(path: readonly number[]): Walk<unknown> {
    const m = this.model;
    const text = pathText(path);
    const first = path[0] ?? 0;
    if (first >= m.init.length) throw new UsageError(`path ${text}: there is no initial state ${first} (the model has ${m.init.length}, numbered from 0)`);
    const trace = [initialStep(m, m.init[first])];
    const buf = new SuccessorBuffer<unknown>();
    let s = m.init[first];
    for (let k = 1; ; k++) {
      try {
        m.expand(s, buf);
      } catch (e) {
        throw actionThrew(e, where(-1, k - 1, s));
      }
      if (k === path.length) break;
      const c = path[k]!;
      if (c >= buf.length)
        throw new UsageError(`path ${text}: step ${k} is choice ${c}, but ${buf.length === 0 ? 'no step is' : `only ${buf.length} step${buf.length === 1 ? ' is' : 's are'}`} enabled there (numbered from 0)`);
      const step = successorStep(m, buf, c);
      trace.push(step);
      s = step.state;
    }
    return { trace, buf };
  }

  /** The state at `path`, as the page shows it. */
  state(path: readonly number[]): ExploreState {
    const m = this.model;
    const { trace, buf } = this.walk(path);
    const plain = plainSteps(trace);
    const sp = new Spelling({ steps: plain });
    const last = trace[trace.length - 1]!;
    const s = last.state;
    const init = plain[0]!.event?.kind === 'init' ? plain[0]!.event.nodes : undefined;
    const view = stateView(plain[plain.length - 1]!.state, plain.length > 1 ? plain[plain.length - 2]!.state : null, init, sp, this.budgets);
    // A step "breaks" an invariant that holds here: one already broken stays so, and says nothing of the step.
    const invariants = this.verdicts(s);
    const holding = new Set(invariants.filter((v) => v.holds).map((v) => v.name));
    const enabled: EnabledStep[] = [];
    for (let i = 0; i < buf.length; i++) {
      const action = m.label(buf, i);
      const event = buf.event(i);
      const t = buf.states[i];
      const node = event && 'node' in event ? event.node : undefined;
      enabled.push({
        index: i,
        group: groupOf(event, m.isFault(m.families[buf.families[i]!]!)),
        label: sp.action(event ? { action, event } : { action }) ?? action,
        action,
        ...(node !== undefined ? { node } : {}),
        breaks: this.verdicts(t, false)
          .filter((v) => !v.holds && holding.has(v.name))
          .map((v) => v.name),
        unchanged: t === s || fingerprintHex(t) === fingerprintHex(s),
      });
    }
    // Protocol steps first, in the groups' order; within a group, the model's order.
    enabled.sort((a, b) => GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group) || a.index - b.index);
    return {
      title: this.title,
      info: this.info,
      path: [...path],
      initialStates: m.init.length,
      steps: plain.map((p, k) => ({ label: k === 0 ? 'initial state' : (sp.action(p) ?? '') })),
      view,
      enabled,
      invariants,
      witnesses: m.witnessNames.map((name) => ({ name, holds: this.witnessHolds(name, s) })),
      deadlock: buf.length === 0 && m.deadlock,
      beyond: m.beyond?.(s) ?? false,
      targets: this.targets(),
    };
  }

  /**
   * The sequence chart of the path as the reports draw it (an SVG, the state's broken invariant
   * marked), and its legend (HTML).
   */
  async chart(path: readonly number[]): Promise<Chart> {
    const key = pathText(path);
    const cached = this.charts.get(key);
    if (cached !== undefined) return cached;
    const { trace } = this.walk(path);
    const bad = this.broken(trace[trace.length - 1]!.state)[0];
    const t: PlainTrace = { title: this.title, steps: plainSteps(trace), violation: bad ? { kind: 'invariant', name: bad.name, explanation: bad.explanation } : null };
    const c = sequenceChart(t);
    const chart = { svg: inLayers(await renderSvg(c.dot, 'nop2'), LAYERS), legend: legendHtml(c.marks) };
    if (this.charts.size >= 200) this.charts.delete(this.charts.keys().next().value!);
    this.charts.set(key, chart);
    return chart;
  }

  /** What the shortest path from a state can be searched for. */
  targets(): Target[] {
    const m = this.model;
    return [
      ...m.invariants.map((i) => ({ id: `invariant:${i.name}`, text: `${i.name} is broken` })),
      ...m.witnessNames.map((w) => ({ id: `witness:${w}`, text: `${w} holds` })),
      ...m.properties.map((p) => ({ id: `liveness:${p.name}`, text: `${p.name} fails (a run that never satisfies it)` })),
      ...(m.deadlock ? [{ id: 'deadlock', text: 'no step is possible (a deadlock)' }] : []),
    ];
  }

  /**
   * The shortest path from the state at `path` to a state where `target` is true (an invariant
   * broken, a witness holding, a deadlock), by the breadth-first explorer started from that state.
   */
  async find(path: readonly number[], target: string, limits: { timeLimitMs?: number; maxStates?: number; signal?: AbortSignal } = {}): Promise<FindResult> {
    const { trace } = this.walk(path);
    const from = trace[trace.length - 1]!.state;
    const model = startingFrom(this.search(target), [from]);
    if (target.startsWith('liveness:')) return this.findLiveness(path, trace, model, target.slice('liveness:'.length), limits);
    const what = this.targets().find((t) => t.id === target)!.text;
    const r = await bfsAsync(model, new Budget({ ...limits, deadlock: target === 'deadlock' }));
    const v = r.violation;
    const explored = r.stats.distinctStates;
    if (v) {
      const found = this.choices(trace, v.trace);
      const n = v.trace.length - 1;
      return {
        found: true,
        path: [...path, ...found],
        steps: n,
        explored,
        complete: r.complete,
        stopReason: r.stopReason,
        message: n === 0 ? `${what} here already` : `${what} ${n} step${n === 1 ? '' : 's'} from here (the shortest way; ${explored.toLocaleString('en-US')} states explored)`,
      };
    }
    const message = r.complete
      ? `no state where ${what} is reachable from here (all ${explored.toLocaleString('en-US')} states explored)`
      : `not found in the ${explored.toLocaleString('en-US')} states explored: the search stopped (${r.stopReason})`;
    return { found: false, path: null, steps: null, explored, complete: r.complete, stopReason: r.stopReason, message };
  }

  /**
   * A run from the state at `path` on which liveness property `name` fails — stuck, or looping for
   * ever — as check's liveness pass finds it (over the states reachable from there, no symmetry).
   */
  private async findLiveness(
    path: readonly number[],
    trace: readonly TraceStep<unknown>[],
    model: Compiled<unknown>,
    name: string,
    limits: { timeLimitMs?: number; maxStates?: number; signal?: AbortSignal },
  ): Promise<FindResult> {
    const r = await checkLivenessAsync(model, model.properties.filter((p) => p.name === name), new Budget(limits));
    const v = r.violation;
    const explored = r.states;
    if (v) {
      const n = v.trace.length - 1;
      const shape =
        v.shape === 'stuck' || v.loop === null ? `stuck after ${n} step${n === 1 ? '' : 's'}` : `${n} steps, the last ${n - v.loop} of them a loop back to step ${path.length - 1 + v.loop} that can go on for ever`;
      return { found: true, path: [...path, ...this.choices(trace, v.trace)], steps: n, explored, complete: r.complete, stopReason: r.stopReason, message: `${name} fails from here: ${shape} (${v.explanation})` };
    }
    const message = r.complete
      ? `${name} holds on every run from here (all ${explored.toLocaleString('en-US')} states explored)`
      : `no run where ${name} fails found in the ${explored.toLocaleString('en-US')} states explored: the search stopped (${r.stopReason})`;
    return { found: false, path: null, steps: null, explored, complete: r.complete, stopReason: r.stopReason, message };
  }

  /**
   * The path of a saved trace (an ITF file `check --report` wrote): at each step the successor
   * with the trace's label, and among several with that label the one whose state is the trace's.
   */
  pathOf(t: PlainTrace): number[] {
    const m = this.model;
    const want = (p: Plain) => JSON.stringify(p);
    const asSaved = (s: unknown) => want(fromItf(toItf(s)));
    const first = t.steps[0]!;
    let start = m.init.findIndex((s) => asSaved(s) === want(first.state));
    if (start < 0) {
      if (m.init.length > 1) throw new UsageError(`${t.title}: the trace's first state is none of the model's initial states (another version of the model, or other params?)`);
      start = 0;
    }
    const path = [start];
    const buf = new SuccessorBuffer<unknown>();
    let s = m.init[start];
    for (let k = 1; k < t.steps.length; k++) {
      const step = t.steps[k]!;
      try {
        m.expand(s, buf);
      } catch (e) {
        throw actionThrew(e, where(-1, k - 1, s));
      }
      const same: number[] = [];
      for (let i = 0; i < buf.length; i++) if (m.label(buf, i) === step.action) same.push(i);
      const c = same.length <= 1 ? same[0] : (same.find((i) => asSaved(buf.states[i]) === want(step.state)) ?? same[0]);
      if (c === undefined)
        throw new UsageError(`the trace's step ${k} (${step.action ?? '?'}) is not a step the model can take there: was the trace written by another version of the model, or with other params, faults or variant?`);
      path.push(c);
      s = buf.states[c];
    }
    return path;
  }

  /** The invariants `s` breaks, with their explanations. */
  private broken(s: unknown): InvariantVerdict[] {
    return this.verdicts(s).filter((v) => !v.holds);
  }

  /** Every invariant's verdict on `s`, with the explanation of a broken one (`explain`: if asked; it may cost more than the verdict). */
  private verdicts(s: unknown, explain = true): InvariantVerdict[] {
    return this.model.invariants.map((inv) => {
      let holds: boolean;
      try {
        holds = inv.holds(s);
      } catch (e) {
        throw new ModelError(`invariant ${inv.name} threw on ${where(-1, 0, s)}: ${describeThrown(e)}`, e);
      }
      let explanation: string | null = null;
      if (!holds && explain && inv.explain)
        try {
          explanation = inv.explain(s);
        } catch (e) {
          explanation = `(explain threw: ${describeThrown(e)})`;
        }
      return { name: inv.name, holds, explanation };
    });
  }

  private witnessHolds(name: string, s: unknown): boolean {
    try {
      return !this.search(`witness:${name}`).invariants[0]!.holds(s);
    } catch (e) {
      throw new ModelError(`witness ${name} threw on ${where(-1, 0, s)}: ${describeThrown(e)}`, e);
    }
  }

  /** The model compiled to search for `target` (remembered: compiling a big actor system is not free). */
  private search(target: string): Compiled<unknown> {
    let c = this.searches.get(target);
    if (c) return c;
    if (!this.targets().some((t) => t.id === target))
      throw new UsageError(`nothing to search for called "${target}"; targets: ${this.targets().map((t) => t.id).join(', ') || 'none (the model declares no invariants or witnesses)'}`);
    const [kind, name] = [target.slice(0, target.indexOf(':')), target.slice(target.indexOf(':') + 1)];
    c =
      target === 'deadlock'
        ? compile(this.spec, { invariants: [] })
        : kind === 'witness'
          ? compile(this.spec, { witness: name })
          : kind === 'liveness'
            ? compile(this.spec, { symmetry: false, invariants: [] }) // liveness runs over concrete states, as check's pass does
            : compile(this.spec, { invariants: [name] });
    this.searches.set(target, c);
    return c;
  }

  /**
   * The successor indices of a trace found from the last state of `before` (a search's model has
   * the same successors in the same order; the one with the trace's label and exactly its state).
   */
  private choices(before: readonly TraceStep<unknown>[], found: readonly TraceStep<unknown>[]): number[] {
    const m = this.model;
    const buf = new SuccessorBuffer<unknown>();
    const out: number[] = [];
    let s = before[before.length - 1]!.state;
    for (let k = 1; k < found.length; k++) {
      m.expand(s, buf);
      const step = found[k]!;
      const fp = fingerprintHex(step.state);
      let c = -1;
      for (let i = 0; i < buf.length && c < 0; i++) if (m.label(buf, i) === step.action && fingerprintHex(buf.states[i]) === fp) c = i;
      if (c < 0) throw new ModelError(`the model is not deterministic: the step ${step.action} the search found is not among the successors of ${where(-1, k - 1, s)} now`);
      out.push(c);
      s = buf.states[c];
    }
    return out;
  }
}

/** A trace's steps as plain JSON, as every report draws from. */
function plainSteps(trace: readonly TraceStep<unknown>[]): PlainStep[] {
  return trace.map((t) => (t.event ? { action: t.action, state: toPlain(t.state), event: t.event } : { action: t.action, state: toPlain(t.state) }));
}

/** Where an enabled step goes on the page, by what its event says it does. */
function groupOf(e: TraceEvent | undefined, fault: boolean): Group {
  if (fault) return 'faults';
  switch (e?.kind) {
    case 'deliver':
      return 'deliveries';
    case 'timeout':
      return 'timeouts';
    case 'local':
      return 'local steps';
    case 'crash':
    case 'restart':
    case 'drop':
    case 'duplicate':
    case 'partition':
    case 'heal':
      return 'faults';
    default:
      return 'actions';
  }
}
