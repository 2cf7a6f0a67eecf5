/**
 * `faultline init` and `check --typecheck`, as a newcomer meets them: a starter project written into
 * a folder outside the repository, that tsc type-checks (faultline and immutable resolve through the
 * tsconfig.json init writes), whose regression file passes, and a type error reported as
 * file:line:col before anything is explored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tscPath } from '../src/cli/typecheck.js';

const BIN = fileURLToPath(new URL('../bin/faultline.mjs', import.meta.url));

const run = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A fresh folder outside the repository, with a starter project in `project/`. */
function starter(): { root: string; dir: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'faultline-init-'));
  const r = run(root, 'init', 'project');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return { root, dir: join(root, 'project'), out: r.out };
}

describe('faultline init', () => {
  it('writes the model, its tsconfig.json and its regression file, and says what to run next', () => {
    const { dir, out } = starter();
    for (const f of ['model.ts', 'tsconfig.json', 'specs/model.yaml']) expect(existsSync(join(dir, f))).toBe(true);
    expect(out).toMatch(/project\/model\.ts/);
    expect(out).toMatch(/check project\/model\.ts --variant trust-fifo/);
    expect(out).toMatch(/regress project\/specs/);
    expect(out).toMatch(/tsc -p project/);
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.paths.faultline[0]).toBe(fileURLToPath(new URL('../src/index.ts', import.meta.url)));
    expect(tsconfig.compilerOptions.strict).toBe(true);
  });

  it('refuses to overwrite a file, with one line and exit 1, and writes nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-init-'));
    writeFileSync(join(root, 'tsconfig.json'), '{}\n');
    const r = run(root, 'init');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^faultline: tsconfig\.json already exists: faultline init does not overwrite files/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(root, 'tsconfig.json'), 'utf8')).toBe('{}\n');
    expect(existsSync(join(root, 'model.ts'))).toBe(false);

    const extra = run(root, 'init', 'x', 'y');
    expect(extra.code).toBe(1);
    expect(extra.err).toMatch(/^faultline: unexpected argument: y /);
    expect(existsSync(join(root, 'x'))).toBe(false);

    const again = run(starter().root, 'init', 'project');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/project\/model\.ts already exists/);
  });

  it('the starter project type-checks with tsc, from a folder outside the repository', () => {
    const { dir } = starter();
    const tsc = tscPath();
    expect(tsc).not.toBeNull();
    const r = spawnSync(process.execPath, [tsc!, '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('its regression file passes: 23 states for the correct variant, a 2-step counterexample for trust-fifo', () => {
    const { root } = starter();
    const r = run(root, 'regress', 'project/specs', '--out', 'out');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/model\/correct +ok 23 states d4 +ok 23 states d4/);
    expect(r.out).toMatch(/model\/trust-fifo +violation InOrder in 2 +violation InOrder in 2/);
    expect(r.out).toMatch(/4 of 4 cases as expected/);
  });
});

describe('faultline check --typecheck', () => {
  it('a misspelt field: file:line:col and exit 1 with --typecheck; without it the types are stripped and the check runs', () => {
    const { dir } = starter();
    const model = join(dir, 'model.ts');
    const source = readFileSync(model, 'utf8');
    const line = source.split('\n').findIndex((l) => l.includes("self.set('got', self.got.push(msg.n))")) + 1;
    expect(line).toBeGreaterThan(0);
    writeFileSync(model, source.replace("self.set('got', self.got.push(msg.n))", "self.set('gotten', self.got.push(msg.n))"));

    const typed = run(dir, 'check', 'model.ts', '--typecheck');
    expect(typed.code).toBe(1);
    expect(typed.out).toBe(''); // nothing explored
    const lines = typed.err.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^model\\.ts:${line}:\\d+: Argument of type '"gotten"' is not assignable to parameter of type '"got"'\\.$`));
    expect(lines[1]).toBe('faultline: model.ts: 1 type error (--typecheck); not checked');
    expect(lines).toHaveLength(2);
    expect(typed.err).not.toMatch(/\bat .*:\d+:\d+\)/); // no stack trace

    // Types stripped: the run goes ahead, and Immutable's Record ignores the unknown field, so the
    // receiver never delivers anything — a vacuous ✓ over fewer states than the real 23.
    const stripped = run(dir, 'check', 'model.ts', '--json');
    expect(stripped.code).toBe(0);
    expect(JSON.parse(stripped.out)).toMatchObject({ result: 'ok', stats: { distinctStates: 18 } });
  }, 60_000);

  it('a correct model passes --typecheck and is checked as usual', () => {
    const { dir } = starter();
    const r = run(dir, 'check', 'model.ts', '--typecheck', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'ok', stats: { distinctStates: 23, diameter: 4 } });
  }, 60_000);
});
