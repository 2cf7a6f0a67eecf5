/** Message-passing systems with built-in faults (docs/actors.md). */
export { defineActorModel, system, FAULT_KINDS, FAULT_FAMILIES, type ActorSystem, type ActorInvariant, type ActorProperty, type ActorModelDefinition, type FaultKind, type PartitionShapes } from './system.js';
export { role, type Ctx, type Role, type RoleSpec, type Handler, type MessageHandler, type Result } from './role.js';
export { World, HistoryEvent, type ActorState, type HistoryEventProps, type NodeView, type Roles, type StateOf } from './world.js';
export type { Json, Message } from './messages.js';
export type { NetworkKind } from './network.js';
export type { Renumbering } from './renumber.js';
export {
  operations,
  register,
  keyValue,
  checkLinearizable,
  readYourWrites,
  monotonicReads,
  noLostWrites,
  linearizable,
  sessionGuarantees,
  type Operation,
  type SequentialSpec,
  type LinearizabilityResult,
  type SessionViolation,
  type HistoryInvariant,
  type HistoryView,
} from './consistency.js';
