/** Loading model files: a path on disk (or a file URL) → the model it default-exports. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeThrown, FaultlineError, UsageError } from './errors.js';
import { isModel } from './define.js';
import type { AnyModel } from './types.js';

const MODEL_FILE = /\.(m?ts|m?js)$/;

// The module each loaded model came from, so worker threads can load the same one.
const modules = new WeakMap<AnyModel, string>();

/** The URL of the module a model was loaded from by `loadModel`, if it was. */
export function moduleOf(model: AnyModel): string | undefined {
  return modules.get(model);
}

/** Load the model a file default-exports; `file` is a path or a `file:` URL. */
export async function loadModel(file: string | URL): Promise<AnyModel> {
  const shown = String(file);
  let path: string;
  try {
    path = file instanceof URL || shown.startsWith('file:') ? fileURLToPath(file) : resolve(shown);
  } catch {
    throw new UsageError(`not a file path or file URL: ${shown}`);
  }
  if (!existsSync(path)) throw new UsageError(`no such file: ${shown}`);
  if (statSync(path).isDirectory()) throw new UsageError(`${shown} is a folder; give a model file`);
  const url = pathToFileURL(path).href;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (e) {
    throw new UsageError(`cannot load ${shown}: ${loadError(e)}`);
  }
  if (!isModel(mod.default)) throw new UsageError(`${shown} has no model: its default export must be defineModel({...})`);
  modules.set(mod.default, url);
  return mod.default;
}

/** Why a model file did not load, in one line: where a syntax error is (file:line:col), or what threw. */
function loadError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // esbuild: "Transform failed with 1 error:\n/abs/file.ts:4:47: ERROR: Unexpected ..."
  const at = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (at) return `${relative('.', at[1]!) || at[1]}:${at[2]}:${at[3]}: ${at[4]}`;
  if (e instanceof FaultlineError) return e.message;
  return describeThrown(e);
}

/** Model files in a folder and its subfolders, sorted. */
export function modelFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${dir}`);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (MODEL_FILE.test(name) && !name.endsWith('.d.ts') && !/\.(test|spec)\./.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
