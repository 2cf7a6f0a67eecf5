import { explore } from '../src/check/bfs.js';
import type { CheckOptions } from '../src/check/types.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import type { AnyModel } from '../src/index.js';

/** Check a model with some params and a variant, as the CLI would. */
export function check(model: unknown, params: Record<string, unknown> = {}, variant?: string, options: CheckOptions = {}) {
  const m = model as AnyModel;
  return explore(buildSpec(m, resolveConfig(m, variant, params)), options);
}
