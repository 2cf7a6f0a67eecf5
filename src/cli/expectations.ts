/**
 * What the regression files (`specs/*.yaml`, docs/specs.md) expect of a run: the case of the same
 * model file, variant, params, fault budgets, witness and invariants, so that a report (and the
 * reports' index) can say whether a verdict is the intended one. A correct protocol may be expected
 * to fail a liveness property, and a buggy variant to fail an invariant.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { resolveConfig } from '../model/define.js';
import type { AnyModel } from '../model/types.js';
import type { ExpectedJson } from '../report/json.js';
import type { RunInfo } from '../check/types.js';
import { type Case, readRegressionFile, regressionFiles } from './regression.js';

/** The folder the regression files are read from: `specs/` of the folder faultline runs in. */
export const SPECS_DIR = 'specs';

let loaded: { dir: string; cases: Case[] } | null = null;

/** Every case of every readable regression file under `dir` (read once per process; a malformed file is skipped). */
function casesIn(dir: string): Case[] {
  if (loaded?.dir === dir) return loaded.cases;
  const cases: Case[] = [];
  if (existsSync(dir))
    for (const f of regressionFiles([dir])) {
      try {
        cases.push(...readRegressionFile(f).cases);
      } catch {
        // `regress` reports a malformed file; here it only has no expectations to give.
      }
    }
  loaded = { dir, cases };
  return cases;
}

const same = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/**
 * The expectation of the case matching a run, or null. Among matching cases, one that checks
 * liveness as the run did and has no bounds is preferred; a case that skips liveness still says
 * what the safety search should find (`scope: 'safety'`).
 */
export function expectationFor(model: AnyModel, info: RunInfo, liveness: boolean, dir = SPECS_DIR): ExpectedJson | null {
  if (!info.file) return null;
  const file = resolve(info.file);
  const matches: { c: Case; score: number }[] = [];
  for (const c of casesIn(dir)) {
    if (c.model !== file || !c.expect?.result) continue;
    let config;
    try {
      config = resolveConfig(model, c.variant, c.params, c.faults);
    } catch {
      continue;
    }
    if (config.variant !== info.variant || !same(config.params, info.params) || !same(config.faults, info.faults ?? {})) continue;
    if ((c.witness ?? null) !== (info.witness ?? null) || (c.invariants ?? []).join() !== (info.invariants ?? []).join()) continue;
    const bounded = c.maxDepth !== undefined || c.maxStates !== undefined || c.timeLimit !== undefined;
    matches.push({ c, score: (c.liveness === liveness ? 4 : 0) + (bounded ? 0 : 2) + (c.symmetry ? 1 : 0) });
  }
  if (matches.length === 0) return null;
  const { c } = matches.sort((a, b) => b.score - a.score)[0]!;
  const e = c.expect!;
  return {
    result: e.result!,
    ...(e.property !== undefined ? { property: e.property } : {}),
    // A case without the liveness pass says nothing about liveness.
    ...(liveness && !c.liveness && e.result === 'ok' ? { scope: 'safety' as const } : {}),
    spec: relative('.', c.file).split('\\').join('/'),
    case: c.name,
  };
}
