/** `faultline list [dir]`: the models in a folder, with their params, fault budgets and variants. */
import { relative } from 'node:path';
import { mutantNames, variantDefaults, variantDescription, variantNames } from '../../model/define.js';
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
        variantDefaults: Object.fromEntries(variantNames(m).flatMap((v) => { const d = variantDefaults(m, v); return Object.keys(d.params).length + Object.keys(d.faults).length ? [[v, d]] : []; })),
        mutants: Object.fromEntries(mutantNames(m).map((v) => [v, variantDescription(m, v)])),
      });
      if (!json) {
        const line = (head: string, text = '') => process.stdout.write(fit(head, text) + '\n');
        line(`${m.name}  ${relative('.', file)}`);
        line('  ', m.description ?? '');
        for (const [k, p] of Object.entries(m.params ?? {})) {
          const range = 'min' in p || 'max' in p ? ` [${(p as { min?: number }).min ?? ''}..${(p as { max?: number }).max ?? ''}]` : '';
          const choices = 'choices' in p && p.choices ? ` (${p.choices.join('|')})` : '';
          line(`  --param ${k}=${String(p.default)}${range}${choices}  `, p.description ?? '');
        }
        const budgets = Object.entries(m.faults ?? {});
        if (budgets.length) line(`  --faults ${budgets.map(([k, n]) => `${k}=${n}`).join(',')}  `, '(default fault budgets)');
        variantNames(m).forEach((v, i) => {
          const d = variantDefaults(m, v);
          const own = [...Object.entries(d.params), ...Object.entries(d.faults)].map(([k, x]) => `${k}=${String(x)}`);
          line(`  --variant ${v}${i === 0 ? ' (default)' : ''}${own.length ? ` [${own.join(' ')}]` : ''}  `, variantDescription(m, v));
        });
        const mutants = mutantNames(m);
        if (mutants.length) line(`  ${mutants.length} mutant${mutants.length === 1 ? '' : 's'} (test only, see docs/models.md): `, mutants.join(', '));
        process.stdout.write('\n');
      }
    }
    if (!json) process.stdout.write('Texts are cut to a line (--json has them whole). [k=v ...]: what a variant is checked with unless given.\n');
    if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return EXIT.ok;
  },
};

/** The width of a line of `list`: the terminal's, or 120 when not a terminal (the same output every time). */
const WIDTH = Math.max(60, Math.min(process.stdout.isTTY ? process.stdout.columns || 120 : 120, 160));

/** `head` then as much of `text` as fits in WIDTH, cut at a word with "…". */
export function fit(head: string, text: string, width = WIDTH): string {
  const line = head + text;
  if ([...line].length <= width || text === '') return line;
  const room = width - [...head].length - 1;
  if (room < 10) return head.trimEnd();
  const chars = [...text].slice(0, room + 1).join('');
  const cut = chars.lastIndexOf(' ');
  return head + (cut > room / 2 ? chars.slice(0, cut) : chars.slice(0, room)).replace(/[\s,;:(—-]+$/, '') + '…';
}
