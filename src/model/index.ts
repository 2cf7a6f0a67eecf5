export * from './types.js';
export * from './trace.js';
export * from './errors.js';
export { defineModel, spec, each, eventually, alwaysEventually, leadsTo, range, isModel, variantNames, defaultParams, resolveConfig, buildSpec, type ResolvedConfig } from './define.js';
export { toPlain, show, showPlain, type Plain } from './values.js';
