/**
 * faultline's public API: what a model file imports (`import { defineModel } from 'faultline'`),
 * and `check`/`simulate` for programs. This list is the whole API (test/api.test.ts pins it);
 * everything else under src/ is internal and may change.
 */

// ------------------------------------------------------------------ writing a model (docs/models.md)

/** Declare a model: its name, params, variants, fault budgets and `build`. */
export { defineModel } from './model/define.js';
/** Identity for a Spec, so that TypeScript infers the state type from `init`. */
export { spec } from './model/define.js';
/** An action with one argument per element of a list, labelled `Name(arg)`. */
export { each } from './model/define.js';
/** `['p1', 'p2', ...]`: n ids with a prefix. */
export { range } from './model/define.js';
/** Liveness: every fair behaviour eventually reaches a state where `p` holds (◇p). */
export { eventually } from './model/define.js';
/** Liveness: `p` holds infinitely often on every fair behaviour (□◇p). */
export { alwaysEventually } from './model/define.js';
/** Liveness: whenever `p` holds, `q` holds then or later (□(p ⇒ ◇q)). */
export { leadsTo } from './model/define.js';
/** The checked specification `build` returns: initial states, actions or `next`, invariants, properties... */
export type { Spec } from './model/types.js';
/** One successor from a `next` function: its label, state, and optionally family and event. */
export type { Successor } from './model/types.js';
/** A named action (a function of the state, or `each(...)`), and what it may return. */
export type { Action, ActionResult } from './model/types.js';
/** An invariant: a predicate, or `{ holds, explain }`. */
export type { Invariant } from './model/types.js';
/** A liveness property (built by `eventually`, `alwaysEventually`, `leadsTo`). */
export type { Property } from './model/types.js';
/** A model as `defineModel` returns it, its definition, and any model. */
export type { Model, ModelDefinition, AnyModel } from './model/types.js';
/** What a variant is: a sentence, or a mutant (a test-only variant with one protective rule broken). */
export type { VariantInfo } from './model/types.js';
/** What `build` receives: the param values, the variant and the fault budgets. */
export type { BuildConfig, FaultBudgets } from './model/types.js';
/** A param's declaration (a number, boolean or string param), a model's params, and their values. */
export type { ParamDefinition, ParamDefinitions, NumberParam, BooleanParam, StringParam, ParamValues, ParamValue } from './model/types.js';
/** A structured description of one trace step, for reports (message-passing models attach one to every step). */
export type { TraceEvent, MessageInfo, SentMessage, StepEffects, NodeInfo } from './model/trace.js';

// ------------------------------------------------------------------ message-passing models (docs/actors.md)

/** Declare a message-passing model: roles, network, faults, invariants. */
export { defineActorModel } from './actors/definition.js';
/** Identity for an actor system, so that TypeScript infers the roles' state types. */
export { system } from './actors/definition.js';
/** Declare a role: its nodes' ids, durable and volatile state, and handlers. */
export { role } from './actors/role.js';
/** Declare a system's messages once (a union of their shapes) and get a `role` whose handlers and sends are checked against them. */
export { messages } from './actors/role.js';
/** The kinds of fault an actor model may inject, with a budget each. */
export { FAULT_KINDS, type FaultKind } from './actors/definition.js';
/** An actor system, its invariants and liveness properties, its definition, and partition shapes. */
export type { ActorSystem, ActorInvariant, ActorProperty, ActorModelDefinition, PartitionShapes } from './actors/definition.js';
/** A role's declaration, the role it makes, its handlers and what a handler may do (`ctx`). */
export type { RoleDefinition, Role, Ctx, Handler, MessageHandler, MessageHandlers, Result, NoFields } from './actors/role.js';
/** The read-only view of the world that invariants receive, and a node as it sees it. */
export { World, type NodeView, type Roles, type StateOf } from './actors/world.js';
/** The state of a message-passing model (as traces and JSON show it). */
export type { WorldState } from './actors/world.js';
/** One entry of a client history: an invocation or its completion. */
export { HistoryEvent, type HistoryEventProps } from './actors/world.js';
/** A message (plain data with a `type`), and the plain data messages and choices are made of. */
export type { Message, Json } from './actors/codec.js';
/** How in-flight messages behave: unordered, duplicating or fifo. */
export type { NetworkKind } from './actors/network.js';
/** Fields holding ballots, terms or epochs that only matter relative to each other. */
export type { Renumbering } from './actors/renumber.js';

// ------------------------------------------------------------------ client histories (docs/actors.md, "Checking histories")

/** The invariant "the client history is linearizable" for a data type. */
export { linearizable } from './actors/consistency.js';
/** Session guarantees as invariants: read-your-writes, monotonic reads, no lost writes. */
export { sessionGuarantees } from './actors/consistency.js';
/** Data types for linearizability: a register (read, write, cas) and a key-value map. */
export { register, keyValue, type DataType } from './actors/consistency.js';
/** Whether a history is linearizable, as a function. */
export { checkLinearizable, type LinearizabilityResult } from './actors/consistency.js';
/** The session guarantees as functions of a history. */
export { readYourWrites, monotonicReads, noLostWrites, type SessionViolation } from './actors/consistency.js';
/** A history's events paired into operations. */
export { operations, type Operation } from './actors/consistency.js';
/** What a history invariant is, and the view of the history it reads. */
export type { HistoryInvariant, HistoryView } from './actors/consistency.js';

// ------------------------------------------------------------------ values

/** A model value (Immutable collections and plain values) as plain JSON. */
export { toPlain, type Plain } from './model/values.js';
/** A model value as short text, cut to a length. */
export { show } from './model/values.js';

// ------------------------------------------------------------------ checking from a program (docs/cli.md, "From a program")

/** Check a model as `faultline check` does: safety, then liveness, on worker threads if asked. */
export { check, type CheckSettings, type CheckTarget } from './check/check.js';
/** Simulate a model as `faultline simulate` does. */
export { simulate, type SimulateSettings } from './check/check.js';
/** The result of a check: what was checked (RunInfo) and what was found (CheckResult). */
export type { CheckReport, RunInfo, CheckResult, Violation, TraceStep, Stats, ActionStats, StopReason, Limits, Progress, LivenessStats } from './check/types.js';
/** A simulation's own figures. */
export type { SimulationInfo, SimulationProgress, SimulationResult, SimulateOptions } from './check/simulate.js';
/** The JSON document `check --json` prints, from a check's result. */
export { checkJson, type CheckJson } from './report/json.js';
/** Parts of that document: a step's event and its messages (spelled as the reports spell them), and what a regression case expects of a run. */
export type { EventJson, MessageJson, ExpectedJson } from './report/json.js';
/** A value's 64-bit fingerprint as 16 hex digits (equal values, equal fingerprints). */
export { fingerprintHex } from './model/fingerprint.js';

// ------------------------------------------------------------------ errors

/** Errors faultline reports as one line: bad input (UsageError), a misbehaving model (ModelError). */
export { FaultlineError, UsageError, ModelError } from './model/errors.js';
