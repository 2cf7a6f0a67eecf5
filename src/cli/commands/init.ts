/**
 * `faultline init [dir]`: a starter project — a model with a correct and a buggy variant
 * (templates/model.ts), the tsconfig.json that type-checks it against this installation of
 * faultline (../typecheck.ts), and a regression file with its expected results, counted by hand
 * (templates/model.yaml). Never overwrites a file.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/errors.js';
import { type Command, EXIT } from '../options.js';
import { modelTsconfig, tscPath } from '../typecheck.js';

export interface InitArgs {
  dir: string;
}

const TEMPLATES = new URL('../templates/', import.meta.url);
const BIN = fileURLToPath(new URL('../../../bin/faultline.mjs', import.meta.url));

/** The files init writes: path in the folder → content. */
function files(): [string, string][] {
  return [
    ['model.ts', readFileSync(new URL('model.ts', TEMPLATES), 'utf8')],
    ['tsconfig.json', JSON.stringify(modelTsconfig(), null, 2) + '\n'],
    [join('specs', 'model.yaml'), readFileSync(new URL('model.yaml', TEMPLATES), 'utf8')],
  ];
}

/** A path as the user would type it from the working folder. */
function shown(path: string): string {
  const rel = relative('.', path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** How this faultline was started: `faultline` when on the PATH, else `node <its bin>`. */
function faultlineCommand(): string {
  return basename(process.argv[1] ?? '') === 'faultline' ? 'faultline' : `node ${shown(BIN)}`;
}

/** Quote a path for a shell if it needs it. */
function arg(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

async function init(args: InitArgs): Promise<number> {
  const dir = resolve(args.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${args.dir} is a file, not a folder`);
  const out = files().map(([name, content]) => [join(dir, name), content] as const);
  const taken = out.find(([path]) => existsSync(path));
  if (taken) throw new UsageError(`${shown(taken[0])} already exists: faultline init does not overwrite files (choose another folder)`);
  for (const [path, content] of out) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content, { flag: 'wx' });
  }

  const what = ['a model: a correct variant and a buggy one (trust-fifo)', 'TypeScript settings: `faultline` and `immutable` resolve to this faultline', 'the expected results, counted by hand, for faultline regress'];
  const width = Math.max(...out.map(([path]) => shown(path).length));
  const lines = out.map(([path], i) => `  ${shown(path).padEnd(width)}  ${what[i]}`);
  const fl = faultlineCommand();
  const model = arg(shown(join(dir, 'model.ts')));
  const tsc = tscPath();
  const next: [string, string][] = [
    [`${fl} check ${model}`, '✓ no violation, 23 states'],
    [`${fl} check ${model} --variant trust-fifo`, '✗ InOrder violated in 2 steps'],
    [`${fl} regress ${arg(shown(join(dir, 'specs')))}`, 'every case against its expected result'],
    [`${fl} check ${model} --typecheck`, 'type-check the model, then check it'],
    ...(tsc !== null ? [[`node ${arg(tsc)} -p ${arg(shown(dir))}`, 'type-check, as your editor does'] as [string, string]] : []),
  ];
  const cmdWidth = Math.max(...next.map(([c]) => c.length));
  process.stdout.write(
    `wrote:\n${lines.join('\n')}\n\nnext:\n${next.map(([c, why]) => `  ${c.padEnd(cmdWidth)}   # ${why}`).join('\n')}\n`,
  );
  return EXIT.ok;
}

export const initCommand: Command<InitArgs> = {
  usage: 'init [dir]',
  describe: 'write a starter model, its tsconfig.json and its expected results (specs/) into a folder',
  options: (y) => y.positional('dir', { type: 'string', default: '.', describe: 'the folder to write into (created if missing)' }),
  run: init,
};
