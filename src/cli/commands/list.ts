/** `faultline list [dir]`: the models in a folder, with their params, fault budgets and variants. */
import { relative } from 'node:path';
import { mutantNames, variantDescription, variantNames } from '../../model/define.js';
import { loadModel, modelFiles } from '../../model/load.js';
import { type Command, EXIT } from '../options.js';

interface ListArgs {
  dir: string;
  json: boolean;
}

export const listCommand: Command<ListArgs> = {
  usage: 'list [dir]',
  describe: 'list the models in a folder with their params and variants',
  options: (y) => y.positional('dir', { type: 'string', default: 'models' }).option('json', { type: 'boolean', default: false }),
  run: async ({ dir, json }) => {
    const out: unknown[] = [];
    for (const file of modelFiles(dir)) {
      const m = await loadModel(file);
      out.push({
        file: relative('.', file),
        name: m.name,
        description: m.description ?? '',
        params: Object.fromEntries(Object.entries(m.params ?? {}).map(([k, p]) => [k, { ...p }])),
        faults: { ...(m.faults ?? {}) },
        variants: Object.fromEntries(variantNames(m).map((v) => [v, variantDescription(m, v)])),
        mutants: Object.fromEntries(mutantNames(m).map((v) => [v, variantDescription(m, v)])),
      });
      if (!json) {
        process.stdout.write(`${m.name}  ${relative('.', file)}\n  ${m.description ?? ''}\n`);
        for (const [k, p] of Object.entries(m.params ?? {})) {
          const range = 'min' in p || 'max' in p ? ` [${(p as { min?: number }).min ?? ''}..${(p as { max?: number }).max ?? ''}]` : '';
          const choices = 'choices' in p && p.choices ? ` (${p.choices.join('|')})` : '';
          process.stdout.write(`  --param ${k}=${String(p.default)}${range}${choices}  ${p.description ?? ''}\n`);
        }
        const budgets = Object.entries(m.faults ?? {});
        if (budgets.length) process.stdout.write(`  --faults ${budgets.map(([k, n]) => `${k}=${n}`).join(',')}  (default fault budgets)\n`);
        variantNames(m).forEach((v, i) => process.stdout.write(`  --variant ${v}${i === 0 ? ' (default)' : ''}  ${variantDescription(m, v)}\n`));
        const mutants = mutantNames(m);
        if (mutants.length) process.stdout.write(`  mutants (test only, see docs/models.md): ${mutants.join(', ')}\n`);
        process.stdout.write('\n');
      }
    }
    if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return EXIT.ok;
  },
};
