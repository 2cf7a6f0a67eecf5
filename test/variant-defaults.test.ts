/**
 * What `npm start` and a plain `faultline check --variant v` show: every variant, checked at its
 * own defaults (the model's params and budgets, then the variant's), has a regression case, and
 * each variant after the first shows something the first does not: a buggy variant shows its own
 * bug, not the first variant's verdict — a pass, or the same liveness counterexample — which is
 * what several showed before variants could declare the configuration their bug needs.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { mutantNames, variantNames } from '../src/model/define.js';
import { bounds } from './helpers.js';
import { loadModel, modelFiles } from '../src/model/load.js';
import { readRegressionFile, regressionFiles, type Case } from '../src/cli/regression.js';


describe('variants at their own defaults', async () => {
  const cases = regressionFiles(['specs']).flatMap((f) => readRegressionFile(f).cases);
  for (const file of modelFiles('models')) {
    const model = await loadModel(file);
    const own = cases.filter((c) => resolve(c.model) === resolve(file));
    const variants = variantNames(model);
    /** The case that checks `v` exactly as `faultline check --variant v` does (no witness, every invariant). */
    const defaultCase = (v: string) =>
      own.find((c) => (c.variant ?? variants[0]) === v && c.witness === undefined && c.invariants === undefined && c.maxDepth === undefined && c.maxStates === undefined && bounds(model, v, c.params, c.faults) === bounds(model, v));
    const shown = (c: Case | undefined) => (c?.expect ? `${c.expect.result} ${'property' in c.expect ? String(c.expect.property) : ''}` : 'none');
    for (const v of variants)
      it(`${model.name} ${v}`, () => {
        expect(mutantNames(model)).not.toContain(v);
        const c = defaultCase(v);
        expect(c, `no case in specs/ checks ${model.name} ${v} at its defaults`).toBeDefined();
        if (v === variants[0]) return;
        expect(shown(c), `${model.name} ${v} shows what ${variants[0]} shows at its defaults`).not.toBe(shown(defaultCase(variants[0]!)));
      });
  }
});
