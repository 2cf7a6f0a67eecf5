import { explore, type CheckOptions } from '../src/check/explore.js';
import { buildSpec, resolveConfig, type AnyModel } from '../src/model/index.js';

/** Check a model with some params and a variant, as the CLI would. */
export function check(model: unknown, params: Record<string, unknown> = {}, variant?: string, options: CheckOptions = {}) {
  const m = model as AnyModel;
  return explore(buildSpec(m, resolveConfig(m, variant, params)), options);
}
