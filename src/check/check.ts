/**
 * A whole check, as the CLI runs it and as a program can: load and build the model, compile it,
 * search for invariant violations and deadlocks (breadth first, on worker threads if asked), then,
 * if that found nothing, check the liveness properties over the graph without symmetry reduction.
 * Also a whole simulation. Every strategy underneath returns the same CheckResult.
 */
import { Worker } from 'node:worker_threads';
import { buildSpec, resolveConfig, type ResolvedConfig } from '../model/define.js';
import { describeThrown, FaultlineError, ModelError, UsageError } from '../model/errors.js';
import { loadModel, moduleOf } from '../model/load.js';
import type { AnyModel, Model, ParamDefinitions, Spec } from '../model/types.js';
import { bfsAsync } from './bfs.js';
import { compile, type Compiled } from './compile.js';
import { Budget } from './core.js';
import { checkLivenessAsync, livenessOfGraph, livenessRecorder } from './liveness.js';
import type { Graph } from './graph.js';
import { parallelBfs } from './parallel.js';
import type { SimulateOptions, SimulationResult } from './simulate.js';
import type { CheckReport, CheckResult, Limits, Progress, RunInfo } from './types.js';
import type { WorkerSetup } from './worker.js';

/** How to check a model: which variant and parameters, and how to search. */
export interface CheckSettings {
  /** The variant to check (default: the model's first). */
  readonly variant?: string;
  /** Parameter values (typed, or strings as on the command line); the rest keep their defaults. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Fault budgets (`{ crash: 1 }`); the rest keep the model's defaults. */
  readonly faults?: Readonly<Record<string, unknown>>;
  /** Use the model's symmetry reduction (default true). */
  readonly symmetry?: boolean;
  /** Look for the shortest path to a state where this witness of the model holds, instead of checking. */
  readonly witness?: string;
  /** Check only these invariants (default: every invariant of the model). */
  readonly invariants?: readonly string[];
  /** Check the model's liveness properties once the invariants hold (default true). */
  readonly liveness?: boolean;
  /** Override the model's deadlock setting. */
  readonly deadlock?: boolean;
  /** Worker threads for the safety search (default 1); the result is the same with any number. */
  readonly workers?: number;
  /** Bounds on the whole check (the liveness pass gets the time the safety search left). */
  readonly limits?: Limits;
  /** Called with the safety search's result when the liveness pass is about to start. */
  readonly onSafetyResult?: (r: CheckResult<unknown>) => void;
  /** Called about every `progressIntervalMs` (default 1000) during the safety search. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** A model to check: a model object, or the path or `file:` URL of a model file. */
export type CheckTarget<S = unknown, P extends ParamDefinitions = ParamDefinitions, V extends string = string> = Model<S, P, V> | string | URL;

/** A built model: what was resolved, and the Spec its build returned. */
export interface Built {
  readonly model: AnyModel;
  readonly config: ResolvedConfig;
  readonly spec: Spec<unknown>;
  readonly info: RunInfo;
}

/** Load (if needed) and build a model with the settings' variant, params and faults. */
export async function buildModel(target: CheckTarget, settings: Pick<CheckSettings, 'variant' | 'params' | 'faults' | 'witness' | 'invariants'>, file?: string): Promise<Built> {
  const model = typeof target === 'string' || target instanceof URL ? await loadModel(target) : (target as unknown as AnyModel);
  const config = resolveConfig(model, settings.variant, settings.params ?? {}, settings.faults ?? {});
  let spec: Spec<unknown>;
  try {
    spec = buildSpec(model, config);
  } catch (e) {
    if (e instanceof FaultlineError) throw e;
    throw new ModelError(`${model.name}: build threw: ${describeThrown(e)}`, e);
  }
  const shown = file ?? (typeof target === 'string' ? target : undefined);
  const info: RunInfo = {
    model: model.name,
    ...(shown !== undefined ? { file: shown } : {}),
    variant: config.variant,
    params: { ...config.params },
    ...(Object.keys(config.faults).length ? { faults: { ...config.faults } } : {}),
    ...(settings.witness ? { witness: settings.witness } : {}),
    ...(settings.invariants ? { invariants: [...settings.invariants] } : {}),
  };
  return { model, config, spec, info };
}

function wholeNumber(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UsageError(`${name} expects a whole number of at least ${min}, got ${String(v)}`);
  return v;
}

function checkLimits(limits: Limits): void {
  for (const [name, v] of Object.entries(limits))
    if (name !== 'signal' && v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || v < 0)) throw new UsageError(`${name} expects a non-negative number, got ${String(v)}`);
}

/** The model built and compiled for its safety search, and the search's budget (what runCheck and a shard share). */
export async function prepareSafety(
  target: CheckTarget,
  settings: CheckSettings = {},
  file?: string,
): Promise<{ built: Built; compiled: Compiled<unknown>; budget: Budget; symmetry: boolean }> {
  const built = await buildModel(target, settings, file);
  const symmetry = settings.symmetry !== false;
  const only = settings.invariants ? { invariants: settings.invariants } : {};
  const compiled = compile(built.spec, { symmetry, ...only, ...(settings.witness ? { witness: settings.witness } : {}) });
  const limits = settings.limits ?? {};
  checkLimits(limits);
  const budget = new Budget({
    ...limits,
    ...(settings.deadlock !== undefined ? { deadlock: settings.deadlock } : {}),
    ...(settings.onProgress ? { onProgress: settings.onProgress } : {}),
    ...(settings.progressIntervalMs !== undefined ? { progressIntervalMs: settings.progressIntervalMs } : {}),
  });
  return { built, compiled, budget, symmetry };
}

/**
 * Check a model: the safety search, then (if it found nothing) the liveness pass. Returns what was
 * checked and what was found, with the compiled model a report draws its state graph from.
 */
export async function runCheck(target: CheckTarget, settings: CheckSettings = {}, file?: string): Promise<{ info: RunInfo; result: CheckResult<unknown>; compiled: Compiled<unknown> }> {
  const workers = wholeNumber('workers', settings.workers ?? 1, 1);
  const { built, compiled, budget, symmetry } = await prepareSafety(target, settings, file);
  const only = settings.invariants ? { invariants: settings.invariants } : {};
  let result: CheckResult<unknown>;
  const wantLiveness = !settings.witness && settings.liveness !== false && compiled.properties.length > 0;
  // Without symmetry reduction the liveness pass would search the same graph again: record it now.
  let recorded: Graph | null = null;
  if (workers === 1)
    result = await bfsAsync(
      compiled,
      budget,
      wantLiveness && !compiled.reduced
        ? {
            record: (store) => {
              const r = livenessRecorder(compiled, store);
              recorded = r.graph;
              return r;
            },
          }
        : {},
    );
  else {
    const module = moduleOf(built.model);
    if (module === undefined) throw new UsageError('a check on worker threads needs the model as a file: give check() its path or URL');
    const setup: WorkerSetup = { module, variant: built.config.variant, params: { ...built.config.params }, faults: { ...built.config.faults }, symmetry, witness: settings.witness ?? null, invariants: settings.invariants ?? null };
    const threads = Array.from({ length: workers }, () => new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: setup }));
    result = await parallelBfs(compiled, threads, budget);
  }
  // Liveness: once safety holds, over the graph without symmetry reduction (concrete traces).
  const stopped = result.stopReason === 'interrupted' || result.stopReason === 'memory';
  if (result.result === 'ok' && !stopped && wantLiveness) {
    settings.onSafetyResult?.(result);
    const plain = compiled.reduced ? compile(built.spec, { symmetry: false, ...only }) : compiled;
    // A search cut short by its limits recorded part of the graph: the liveness pass builds its own then.
    const graph: Graph | null = result.complete ? recorded : null;
    const live = graph !== null ? livenessOfGraph(plain, graph, plain.properties) : await checkLivenessAsync(plain, plain.properties, budget);
    const v = live.violation;
    const liveness = { states: live.states, edges: live.edges, durationMs: live.durationMs, complete: live.complete };
    const merged: CheckResult<unknown> = v
      ? { ...result, result: 'liveness', liveness, violation: { kind: 'liveness', name: v.name, explanation: v.explanation, trace: v.trace, loop: v.loop } }
      : // A liveness pass cut short leaves the check incomplete, and says why (stopReason is null only for a complete run).
        { ...result, liveness, complete: result.complete && live.complete, stopReason: result.stopReason ?? (live.complete ? null : (live.stopReason ?? 'interrupted')) };
    return { info: built.info, result: merged, compiled: plain };
  }
  return { info: built.info, result, compiled };
}

/**
 * Check a model as `faultline check` does: invariants and deadlocks breadth first (on worker
 * threads with `workers`), then liveness. The result has the fields of `check --json`'s document
 * (docs/cli.md), with the trace's states as the model's own values.
 */
export async function check<S, P extends ParamDefinitions, V extends string>(target: CheckTarget<S, P, V>, settings: CheckSettings = {}): Promise<CheckReport<S>> {
  const { info, result } = await runCheck(target as CheckTarget, settings);
  return { ...info, ...(result as CheckResult<S>) };
}

/** How to simulate a model: which variant and parameters, and the random walks' settings. */
export interface SimulateSettings extends SimulateOptions, Pick<CheckSettings, 'variant' | 'params' | 'faults'> {}

/** Run random walks as `faultline simulate` does, returning what was found and the walks' statistics. */
export async function runSimulation(target: CheckTarget, settings: SimulateSettings = {}, file?: string): Promise<{ info: RunInfo; result: SimulationResult<unknown>; compiled: Compiled<unknown> }> {
  const built = await buildModel(target, settings, file);
  const compiled = compile(built.spec, { symmetry: false });
  if (settings.runs !== undefined) wholeNumber('runs', settings.runs, 1);
  if (settings.depth !== undefined) wholeNumber('depth', settings.depth, 1);
  if (settings.seed !== undefined && !Number.isInteger(settings.seed)) throw new UsageError(`seed expects a whole number, got ${String(settings.seed)}`);
  if (settings.timeLimitMs !== undefined) checkLimits({ timeLimitMs: settings.timeLimitMs });
  const { variant: _v, params: _p, faults: _f, ...options } = settings;
  // Loaded here: fast-check is needed by simulation only.
  const { randomWalksAsync } = await import('./simulate.js');
  return { info: built.info, result: await randomWalksAsync(compiled, options), compiled };
}

/** Simulate a model (random walks, a failing one shrunk): `faultline simulate` as a function. */
export async function simulate<S, P extends ParamDefinitions, V extends string>(
  target: CheckTarget<S, P, V>,
  settings: SimulateSettings = {},
): Promise<CheckReport<S> & Pick<SimulationResult<S>, 'simulation'>> {
  const { info, result } = await runSimulation(target as CheckTarget, settings);
  return { ...info, ...(result as SimulationResult<S>) };
}
