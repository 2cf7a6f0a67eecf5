/**
 * faultline's public API: what a model file imports (`import { defineModel } from 'faultline'`),
 * and the explorer for programmatic use.
 */
export * from './model/index.js';
export * from './actors/index.js';
export { explore, type CheckOptions, type CheckResult, type Stats, type Violation, type TraceStep, type ActionStats, type Progress } from './check/explore.js';
export { fingerprintHex } from './check/fingerprint.js';
