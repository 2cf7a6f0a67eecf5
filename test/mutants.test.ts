/**
 * Mutants (test-only variants: a correct variant with one protective rule broken) must each have a
 * regression case in which they fail, at the bounds of a case of the variant they mutate — that
 * case is the proof that the variant's bounds exercise the rule. `faultline regress` (the end of
 * `npm test`) then checks that they do fail.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { mutantNames, variantDescription, variantNames } from '../src/model/define.js';
import { bounds } from './helpers.js';
import { loadModel, modelFiles } from '../src/model/load.js';
import { readRegressionFile, regressionFiles } from '../src/cli/regression.js';


describe('mutants', async () => {
  const cases = regressionFiles(['specs']).flatMap((f) => readRegressionFile(f).cases);
  for (const file of modelFiles('models')) {
    const model = await loadModel(file);
    const own = cases.filter((c) => resolve(c.model) === resolve(file));
    for (const mutant of mutantNames(model))
      it(`${model.name}: mutant ${mutant} fails at the bounds of a case of the variant it mutates`, () => {
        // Mutants stay out of the variants people check.
        expect(variantNames(model)).not.toContain(mutant);
        const of = /^mutant of ([\w-]+):/.exec(variantDescription(model, mutant))?.[1];
        expect(of, `${model.name}'s mutant ${mutant}: its description must start "mutant of <variant>:"`).toBeDefined();
        expect(variantNames(model)).toContain(of);
        const correct = new Set(own.filter((c) => (c.variant ?? variantNames(model)[0]) === of).map((c) => bounds(model, c.variant, c.params, c.faults)));
        const failing = own.filter((c) => c.variant === mutant && ['violation', 'deadlock', 'liveness'].includes(c.expect?.result ?? ''));
        expect(failing.length, `no case in specs/ expects ${model.name}'s mutant ${mutant} to fail`).toBeGreaterThan(0);
        expect(failing.some((c) => correct.has(bounds(model, c.variant, c.params, c.faults))), `no case of ${of} has the params and faults of a case in which ${mutant} fails`).toBe(true);
      });
  }
});
