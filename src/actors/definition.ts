/**
 * Declaring a message-passing model: the system a model's build returns (roles, network, timers,
 * partitions, invariants, liveness properties, witnesses, renumbering, constraint) and
 * `defineActorModel`. The author writes roles and invariants; faultline supplies the
 * interleavings and the faults (src/actors/system.ts). Documented in docs/actors.md.
 */
import { defineModel } from '../model/define.js';
import { ModelError } from '../model/errors.js';
import type { BuildConfig, Model, ParamDefinitions, VariantInfo } from '../model/types.js';
import type { NetworkKind } from './network.js';
import type { Renumbering } from './renumber.js';
import { actorSpec } from './system.js';
import type { Roles, World, WorldState } from './world.js';

/** The kinds of fault, each with a budget per run. */
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
   * Liveness assumes that a crashed node comes back (while the restart budget allows): restarts
   * are fair steps, so a state where the only thing left is a restart is not stuck, and a
   * counterexample cannot rely on a node staying down for ever. Default false: a crashed node may
   * stay down (the environment is free to stop).
   */
  readonly fairRestarts?: boolean;
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
  readonly variants?: { readonly [K in V]: VariantInfo<P> };
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
    build: (config) => actorSpec(def.build(config), { model: def.name, variant: config.variant, params: config.params, faults: config.faults }),
  });
}
