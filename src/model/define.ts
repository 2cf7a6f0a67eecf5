import { UsageError } from './errors.js';
import type {
  Action,
  ActionResult,
  AnyModel,
  FaultBudgets,
  Model,
  ModelDefinition,
  ParamDefinition,
  ParamDefinitions,
  ParamValue,
  ParamValues,
  Property,
  Spec,
  VariantInfo,
} from './types.js';

const SAFE_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;

/**
 * Declare a model. The result is the definition itself, marked so that `faultline` recognises it
 * as a model file's default export.
 */
export function defineModel<S, const P extends ParamDefinitions = Record<never, never>, const V extends string = 'default'>(
  def: ModelDefinition<S, P, V>,
): Model<S, P, V> {
  if (typeof def.name !== 'string' || def.name === '') throw new UsageError('defineModel: a model needs a name');
  if (typeof def.build !== 'function') throw new UsageError(`defineModel(${def.name}): build must be a function`);
  // Names become folder names (reports/<model>/<variant>/): letters, digits, . _ - only.
  if (!SAFE_NAME.test(def.name)) throw new UsageError(`defineModel: the name ${JSON.stringify(def.name)} may hold only letters, digits, '.', '_' and '-' (it names report folders)`);
  for (const v of Object.keys(def.variants ?? {}))
    if (!SAFE_NAME.test(v)) throw new UsageError(`defineModel(${def.name}): the variant name ${JSON.stringify(v)} may hold only letters, digits, '.', '_' and '-' (it names report folders)`);
  for (const [k, n] of Object.entries(def.faults ?? {}))
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`defineModel(${def.name}): fault budget ${k} must be a whole number ≥ 0`);
  // A default must pass its own declaration, as a value given on the command line would.
  for (const [k, decl] of Object.entries(def.params ?? {})) {
    try {
      coerceParam(def.name, k, decl, decl.default);
    } catch (e) {
      throw new UsageError(`defineModel(${def.name}): the default of param ${k}: ${(e as Error).message.replace(/^param \S+ of \S+ /, '')}`);
    }
  }
  // A variant's own params and budgets must name declared ones and pass their declarations.
  for (const [v, info] of Object.entries(def.variants ?? {}) as [string, VariantInfo][]) {
    if (typeof info !== 'object' || info === null) continue;
    const where = `defineModel(${def.name}): variant ${v}`;
    for (const [k, raw] of Object.entries(info.params ?? {})) {
      const decl = Object.hasOwn(def.params ?? {}, k) ? def.params![k] : undefined;
      if (!decl) throw new UsageError(`${where} sets param ${k}, which the model does not declare`);
      try {
        coerceParam(def.name, k, decl, raw);
      } catch (e) {
        throw new UsageError(`${where}: ${(e as Error).message}`);
      }
    }
    for (const [k, n] of Object.entries(info.faults ?? {})) {
      if (!Object.hasOwn(def.faults ?? {}, k)) throw new UsageError(`${where} sets fault budget ${k}, which the model does not declare`);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${where}: fault budget ${k} must be a whole number ≥ 0`);
    }
  }
  return { ...def, kind: 'faultline/model' };
}

/**
 * Identity for a Spec, so that TypeScript infers the state type from `init` and types the
 * state parameter of every action and invariant: `build: () => spec({ init: [...], actions: ... })`.
 */
export function spec<S>(s: Spec<S>): Spec<S> {
  return s;
}

/**
 * An action with one argument per element of `over`, labelled `Name(arg)`. `when`, if given, is a
 * condition on the state alone, checked once before trying the arguments (`\E x \in over : C /\ A(x)`
 * with C not depending on x).
 */
export function each<S, A>(over: readonly A[], step: (s: S, arg: A) => ActionResult<S>, when?: (s: S) => boolean): Action<S> {
  return when ? { over, step: step as (s: S, arg: never) => ActionResult<S>, when } : { over, step: step as (s: S, arg: never) => ActionResult<S> };
}

/** Liveness: every fair behaviour eventually reaches a state where `p` holds (◇p). */
export function eventually<S>(p: (s: S) => boolean, description?: string): Property<S> {
  return description ? { kind: 'eventually', p, description } : { kind: 'eventually', p };
}
/** Liveness: `p` holds infinitely often on every fair behaviour (□◇p). */
export function alwaysEventually<S>(p: (s: S) => boolean, description?: string): Property<S> {
  return description ? { kind: 'alwaysEventually', p, description } : { kind: 'alwaysEventually', p };
}
/** Liveness: whenever `p` holds, `q` holds then or later (□(p ⇒ ◇q)). */
export function leadsTo<S>(p: (s: S) => boolean, q: (s: S) => boolean, description?: string): Property<S> {
  return description ? { kind: 'leadsTo', p, q, description } : { kind: 'leadsTo', p, q };
}

/** `['p1', 'p2', ...]`: n ids with a prefix. */
export function range(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
}

export function isModel(x: unknown): x is AnyModel {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'faultline/model';
}

/** The model's variants in order, mutants left out (a model without variants has one, `default`). */
export function variantNames(model: AnyModel): string[] {
  const names = model.variants ? Object.keys(model.variants).filter((v) => !isMutant(model, v)) : [];
  return names.length > 0 ? names : ['default'];
}

/** Whether a variant is a mutant (see VariantInfo). */
export function isMutant(model: AnyModel, variant: string): boolean {
  const info = model.variants?.[variant];
  return typeof info === 'object' && info !== null && info.mutant === true;
}

/** The model's mutants, in order. */
export function mutantNames(model: AnyModel): string[] {
  return model.variants ? Object.keys(model.variants).filter((v) => isMutant(model, v)) : [];
}

/** A variant's sentence. */
export function variantDescription(model: AnyModel, variant: string): string {
  const info = model.variants?.[variant];
  return info === undefined ? '' : typeof info === 'string' ? info : info.description;
}

/** The params and fault budgets a variant sets over the model's defaults (see VariantInfo). */
export function variantDefaults(model: AnyModel, variant: string): { params: Readonly<Record<string, ParamValue>>; faults: FaultBudgets } {
  const info = model.variants?.[variant];
  if (typeof info !== 'object' || info === null) return { params: {}, faults: {} };
  return { params: { ...(info.params as Record<string, ParamValue> | undefined) }, faults: { ...info.faults } };
}

/** The params a variant is checked with when the user sets none: the model's, then the variant's. */
export function defaultParams(model: AnyModel, variant?: string): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, decl] of Object.entries(model.params ?? {})) out[k] = decl.default;
  return variant === undefined ? out : { ...out, ...variantDefaults(model, variant).params };
}

function paramKind(decl: ParamDefinition): 'number' | 'boolean' | 'string' {
  return typeof decl.default === 'number' ? 'number' : typeof decl.default === 'boolean' ? 'boolean' : 'string';
}

/** Check one value (a CLI string or a typed value from a spec file) against its declaration. */
function coerceParam(model: string, name: string, decl: ParamDefinition, raw: unknown): ParamValue {
  const where = `param ${name} of ${model}`;
  const kind = paramKind(decl);
  if (kind === 'number') {
    const s = decl as { min?: number; max?: number; integer?: boolean };
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) throw new UsageError(`${where} must be a number, got ${JSON.stringify(raw)}`);
    if (s.integer !== false && !Number.isInteger(n)) throw new UsageError(`${where} must be a whole number, got ${JSON.stringify(raw)}`);
    if (s.min !== undefined && n < s.min) throw new UsageError(`${where} must be at least ${s.min}, got ${n}`);
    if (s.max !== undefined && n > s.max) throw new UsageError(`${where} must be at most ${s.max}, got ${n}`);
    return n;
  }
  if (kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new UsageError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw !== 'string') throw new UsageError(`${where} must be a string, got ${JSON.stringify(raw)}`);
  const choices = (decl as { choices?: readonly string[] }).choices;
  if (choices && !choices.includes(raw)) throw new UsageError(`${where} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

export interface ResolvedConfig {
  readonly variant: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly faults: FaultBudgets;
}

/** Check fault budget overrides (`--faults crash=1,drop=2`) against the kinds the model supports. */
function resolveFaults(model: AnyModel, variant: string, overrides: Readonly<Record<string, unknown>>): FaultBudgets {
  const defaults = model.faults ?? {};
  const out: Record<string, number> = { ...defaults, ...variantDefaults(model, variant).faults };
  for (const [k, raw] of Object.entries(overrides)) {
    if (!Object.hasOwn(defaults, k)) {
      const known = Object.keys(defaults);
      throw new UsageError(`unknown fault "${k}" for ${model.name}; ${known.length ? 'faults: ' + known.join(', ') : 'it has no faults to inject'}`);
    }
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`fault budget ${k} of ${model.name} must be a whole number ≥ 0, got ${JSON.stringify(raw)}`);
    out[k] = n;
  }
  return out;
}

/**
 * Resolve a variant name and parameter overrides (strings from the CLI, or typed values) into the
 * configuration `build` receives. Throws a UsageError naming what is wrong.
 */
export function resolveConfig(
  model: AnyModel,
  variant: string | undefined,
  overrides: Readonly<Record<string, unknown>> = {},
  faults: Readonly<Record<string, unknown>> = {},
): ResolvedConfig {
  const variants = variantNames(model);
  const v = variant ?? variants[0]!;
  if (!variants.includes(v) && !mutantNames(model).includes(v)) throw new UsageError(`unknown variant "${v}" of ${model.name}; variants: ${variants.join(', ')}`);
  const decls = model.params ?? {};
  const params: Record<string, ParamValue> = defaultParams(model, v);
  for (const [k, raw] of Object.entries(overrides)) {
    const decl = Object.hasOwn(decls, k) ? decls[k] : undefined;
    if (!decl) {
      const known = Object.keys(decls);
      throw new UsageError(`unknown param "${k}" of ${model.name}; ${known.length ? 'params: ' + known.join(', ') : 'it has no params'}`);
    }
    params[k] = coerceParam(model.name, k, decl, raw);
  }
  return { variant: v, params, faults: resolveFaults(model, v, faults) };
}

/** Call the model's build with a resolved configuration. */
export function buildSpec<S>(model: Model<S, ParamDefinitions, string>, config: ResolvedConfig) {
  return model.build({ params: config.params as ParamValues<ParamDefinitions>, variant: config.variant, faults: config.faults });
}
