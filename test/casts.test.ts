/**
 * The models need no casts to read the world or their messages: the World is typed per role
 * (`w.get(role, id)`, `w.of(role)`), a system's messages can be declared once (`messages<M>()`),
 * and params with choices are typed as their union. A cast there means the API failed the model
 * (or hides a mistake TypeScript would catch), so none is allowed back.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bas unknown as\b/, 'a double cast'],
  [/\bw\.node\([^)]*\)\s+as\b/, 'a cast of a node state (use w.get(role, id) or w.of(role) on a typed World)'],
  [/\bmsg(\.\w+)?\s+as\s/, 'a cast of a message (declare the messages with messages<M>())'],
  [/\bparams\.\w+\s+as\s/, 'a cast of a param (a param with choices is typed as their union)'],
];

describe('models need no casts', () => {
  it('none in models/', () => {
    const found: string[] = [];
    for (const file of files('models'))
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [re, what] of FORBIDDEN) if (re.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
        });
    expect(found, found.join('\n')).toEqual([]);
  });
});
