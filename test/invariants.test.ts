/**
 * Every invariant must be falsifiable: an invariant nothing can break proves nothing when it holds.
 * For each model, the invariants it checks in any regression case (or under any variant's
 * defaults) must each be broken by some case in specs/ — a buggy variant or a mutant whose
 * expected result is a violation of that invariant.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { buildSpec, resolveConfig, variantNames } from '../src/model/define.js';
import { loadModel, modelFiles } from '../src/model/load.js';
import { readRegressionFile, regressionFiles } from '../src/cli/regression.js';

describe('every invariant can be broken', async () => {
  const cases = regressionFiles(['specs']).flatMap((f) => readRegressionFile(f).cases);
  for (const file of modelFiles('models')) {
    const model = await loadModel(file);
    const own = cases.filter((c) => resolve(c.model) === resolve(file));
    const checked = new Set<string>();
    const configs = [
      ...variantNames(model).map((v) => resolveConfig(model, v)),
      ...own.map((c) => resolveConfig(model, c.variant, c.params ?? {}, c.faults ?? {})),
    ];
    for (const config of configs) for (const name of Object.keys(buildSpec(model, config).invariants ?? {})) checked.add(name);
    for (const name of [...checked].sort())
      it(`${model.name}: ${name}`, () => {
        const breaking = own.filter((c) => c.expect?.result === 'violation' && c.expect.property === name);
        expect(breaking.map((c) => c.variant), `no case in specs/ expects a variant or mutant of ${model.name} to break ${name}`).not.toEqual([]);
      });
  }
});
