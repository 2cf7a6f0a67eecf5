/**
 * Mutants (test-only variants: a correct variant with one protective rule broken) must each have a
 * regression case in which they fail — that case is the proof that the correct variant's bounds
 * exercise the rule. `faultline regress` (the end of `npm test`) then checks that they do fail.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { mutantNames, variantNames } from '../src/model/define.js';
import { loadModel, modelFiles } from '../src/model/load.js';
import { readRegressionFile, regressionFiles } from '../src/cli/regression.js';

describe('mutants', async () => {
  const cases = regressionFiles(['specs']).flatMap((f) => readRegressionFile(f).cases);
  for (const file of modelFiles('models')) {
    const model = await loadModel(file);
    for (const mutant of mutantNames(model))
      it(`${model.name}: mutant ${mutant} has a regression case in which it fails`, () => {
        const failing = cases.filter((c) => resolve(c.model) === resolve(file) && c.variant === mutant && ['violation', 'deadlock', 'liveness'].includes(c.expect?.result ?? ''));
        expect(failing.length, `no case in specs/ expects ${model.name}'s mutant ${mutant} to fail`).toBeGreaterThan(0);
        // Mutants stay out of the variants people check.
        expect(variantNames(model)).not.toContain(mutant);
      });
  }
});
