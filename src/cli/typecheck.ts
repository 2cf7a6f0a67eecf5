/**
 * Type-checking model files (`faultline check --typecheck`) and the TypeScript settings that make
 * `import ... from 'faultline'` resolve for a model anywhere on disk (the tsconfig.json that
 * `faultline init` writes). Both use the same settings, so the editor, `tsc -p` and `--typecheck`
 * agree.
 *
 * No build step: `faultline` is mapped (compilerOptions.paths) to this installation's src/index.ts
 * and `immutable` to the copy faultline itself uses — the same files the loader (src/model/hooks.mjs)
 * runs. The model is checked as an ES module, as the loader runs it, whatever package.json is near
 * it (module ESNext, moduleResolution Bundler), with faultline's own strict settings (tsconfig.json
 * of this repository, less the two lint-like ones, noUnusedLocals and noUnusedParameters).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../model/errors.js';
import { modelFiles } from '../model/load.js';

/** This installation of faultline: the folder holding its package.json. */
export const FAULTLINE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(FAULTLINE_ROOT, 'src') + sep;

/** At most this many diagnostics are printed. */
const MAX_DIAGNOSTICS = 20;

/** The folder of a package as faultline resolves it (its own dependency, wherever npm put it), or null. */
export function packageDir(name: string): string | null {
  const require = createRequire(join(FAULTLINE_ROOT, 'package.json'));
  let file: string;
  try {
    file = require.resolve(`${name}/package.json`);
  } catch {
    try {
      file = require.resolve(name);
    } catch {
      return null;
    }
  }
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
  }
  return null;
}

/** The `tsc` of the TypeScript faultline uses (its bin script), or null if TypeScript is not installed. */
export function tscPath(): string | null {
  const dir = packageDir('typescript');
  return dir === null ? null : join(dir, 'bin', 'tsc');
}

/** The JSON of a tsconfig.json: compiler options as tsc reads them from the file. */
export interface Tsconfig {
  readonly compilerOptions: Record<string, unknown>;
  readonly include: readonly string[];
}

/**
 * A tsconfig.json for model files outside this repository: faultline's strict settings, with
 * `faultline` and `immutable` mapped to this installation's copies (absolute paths).
 */
export function modelTsconfig(): Tsconfig {
  const immutable = packageDir('immutable');
  const nodeTypes = packageDir('@types/node');
  return {
    compilerOptions: {
      target: 'ES2022',
      // The loader runs every model as an ES module: check it as one, with or without a package.json.
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      isolatedModules: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      // faultline's sources use Node's modules: their types come from faultline's @types/node.
      ...(nodeTypes !== null ? { types: ['node'], typeRoots: [dirname(nodeTypes)] } : { types: [] }),
      paths: {
        faultline: [join(FAULTLINE_ROOT, 'src', 'index.ts')],
        ...(immutable !== null ? { immutable: [immutable] } : {}),
      },
    },
    include: ['**/*.ts', '**/*.mts'],
  };
}

/** A diagnostic as one line: `file:line:col: message` (file relative to the working folder). */
function diagnosticLine(ts: typeof import('typescript'), d: import('typescript').Diagnostic): string {
  const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  // A chain of messages, outermost first: a long one keeps its first and its last (most precise) two.
  const chain = ts
    .flattenDiagnosticMessageText(d.messageText, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const whole = chain.join(' ');
  const message = whole.length <= 400 || chain.length < 2 ? cut(whole, 400) : `${cut(chain[0]!, 200)} … ${cut(chain.slice(Math.max(1, chain.length - 2)).join(' '), 200)}`;
  if (!d.file || d.start === undefined) return `typescript: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative('.', d.file.fileName) || d.file.fileName}:${line + 1}:${character + 1}: ${message}`;
}

/** Whether a file of the program is the user's (not faultline's own sources, not a library's). */
function isUsers(fileName: string): boolean {
  const path = resolve(fileName);
  return !path.startsWith(SOURCES) && !path.includes(`${sep}node_modules${sep}`) && !/\.d\.[mc]?ts$/.test(path);
}

/**
 * The type errors of the model files at `target` (a file, or every model file of a folder) and of
 * what they import, as `file:line:col: message` lines — empty when there are none. Errors inside
 * faultline's own sources are not the model's and are left out.
 */
export async function typeErrors(target: string): Promise<string[]> {
  const path = resolve(target);
  if (!existsSync(path)) throw new UsageError(`no such file: ${target}`);
  const roots = statSync(path).isDirectory() ? modelFiles(target).map((f) => resolve(f)) : [path];
  if (roots.length === 0) throw new UsageError(`no model files in ${target}`);
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new UsageError(`--typecheck needs the typescript package, which is not installed: run npm install in ${FAULTLINE_ROOT}`);
  }
  const config = modelTsconfig();
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, dirname(roots[0]!));
  // A JavaScript model is checked too (checkJs): a misspelt field is as wrong there.
  if (roots.some((f) => /\.m?js$/.test(f))) Object.assign(options, { allowJs: true, checkJs: true });
  const program = ts.createProgram({ rootNames: roots, options });
  const diagnostics = [...errors, ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  const given = new Set(roots);
  for (const file of program.getSourceFiles())
    if (given.has(resolve(file.fileName)) || isUsers(file.fileName)) diagnostics.push(...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file));
  return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => diagnosticLine(ts, d));
}

/**
 * `check --typecheck`: type-check the model at `target` before exploring it. On type errors, print
 * them on stderr, one a line (at most 20), and fail with a one-line UsageError (exit 1), as a
 * model that does not load does.
 */
export async function typecheck(target: string): Promise<void> {
  const tty = process.stderr.isTTY === true;
  if (tty) process.stderr.write('  type-checking…');
  let lines: string[];
  try {
    lines = await typeErrors(target);
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }
  if (lines.length === 0) return;
  const shown = lines.slice(0, MAX_DIAGNOSTICS);
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more`);
  process.stderr.write(shown.join('\n') + '\n');
  const n = lines.length;
  throw new UsageError(`${target}: ${n} type error${n === 1 ? '' : 's'} (--typecheck); not checked`);
}
