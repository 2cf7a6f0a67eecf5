/** Loading model files: a path on disk → the model it default-exports. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeThrown, isModel, UsageError, type AnyModel } from '../model/index.js';

const MODEL_FILE = /\.(m?ts|m?js)$/;

export async function loadModel(file: string): Promise<AnyModel> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`no such file: ${file}`);
  if (statSync(path).isDirectory()) throw new UsageError(`${file} is a folder; give a model file`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    throw new UsageError(`cannot load ${file}: ${describeThrown(e)}`);
  }
  if (!isModel(mod.default)) throw new UsageError(`${file} has no model: its default export must be defineModel({...})`);
  return mod.default;
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
