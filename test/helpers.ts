import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { explore } from '../src/check/bfs.js';
import type { CheckOptions } from '../src/check/types.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import type { AnyModel } from '../src/index.js';

/** Check a model with some params and a variant, as the CLI would. */
export function check(model: unknown, params: Record<string, unknown> = {}, variant?: string, options: CheckOptions = {}) {
  const m = model as AnyModel;
  return explore(buildSpec(m, resolveConfig(m, variant, params)), options);
}

/**
 * The configuration a check of `variant` with these params and faults runs — the model's defaults,
 * then the variant's, then these — as one comparable string.
 */
export function bounds(model: AnyModel, variant: string | undefined, params: Readonly<Record<string, unknown>> = {}, faults: Readonly<Record<string, unknown>> = {}): string {
  const config = resolveConfig(model, variant, params, faults);
  const sorted = (o: Readonly<Record<string, unknown>>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return sorted(config.params) + sorted(config.faults);
}

/** A maker of fresh folders under the system's temporary folder, all removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
