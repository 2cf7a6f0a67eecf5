/**
 * `faultline regress` as CI runs it: a passing run, a failing table when an expectation is edited,
 * JUnit XML that parses, errors and timeouts as failures with their reason, --filter, --update.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/faultline.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A spec folder in a temporary directory; models referred to by absolute path. */
function specDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-specs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll('$ROOT', ROOT));
  return dir;
}

const TCOMMIT = `# TCommit: 34 states (TLC)
model: $ROOT/models/classic/tcommit.ts
cases:
  - variant: correct
    expect: { result: ok, states: 34, diameter: 6 }
  # the buggy one
  - variant: unchecked-abort
    expect: { result: violation, property: TCConsistent, trace: 5 }
`;

describe('faultline regress', () => {
  it('passes when every case is as expected, and writes JUnit XML and a summary', () => {
    const dir = specDir({ 'tcommit.yaml': TCOMMIT });
    const out = join(dir, 'out');
    const r = cli('regress', dir, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tcommit\/correct +ok 34 states d6 +ok 34 states d6 +\S+ m?s +✓/);
    expect(r.out).toMatch(/2 of 2 cases as expected/);
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const j = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(j.testsuites['@_tests']).toBe('2');
    expect(j.testsuites['@_failures']).toBe('0');
    expect(j.testsuites.testsuite.testcase.map((c: Record<string, string>) => c['@_name'])).toEqual(['correct', 'unchecked-abort']);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('href="./tcommit/correct/index.html"');
  });

  it('leaves deep cases out unless asked (--deep), and says so', () => {
    // The buggy case made deep, with a wrong expectation: it fails only when it runs.
    const dir = specDir({ 'tcommit.yaml': TCOMMIT.replace('expect: { result: violation, property: TCConsistent, trace: 5 }', 'deep: true\n    expect: { result: violation, property: TCConsistent, trace: 4 }') });
    const out = join(dir, 'out');
    const r = cli('regress', dir, '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 of 1 cases as expected \(1 deep case\(s\) not run \(--deep runs them\)\)/);
    const deep = cli('regress', dir, '--out', out, '--deep');
    expect(deep.code).toBe(1);
    expect(deep.out).toMatch(/tcommit\/unchecked-abort: trace: expected 4, got 5/);
    const only = cli('regress', dir, '--out', out, '--filter', 'unchecked');
    expect(only.code).not.toBe(0);
    expect(only.err).toMatch(/no cases match "unchecked" but 1 deep case\(s\) not run \(--deep runs them\)/);
  });

  it('fails with a clear table when an expectation is edited, and --update writes it back', () => {
    const dir = specDir({ 'tcommit.yaml': TCOMMIT.replace('states: 34', 'states: 35').replace('trace: 5', 'trace: 4') });
    const out = join(dir, 'out');
    const r = cli('regress', dir, '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/tcommit\/correct +ok 35 states d6 +ok 34 states d6 +\S+ m?s +✗/);
    expect(r.out).toContain('✗ tcommit/correct: states: expected 35, got 34');
    expect(r.out).toContain('✗ tcommit/unchecked-abort: trace: expected 4, got 5');
    expect(r.out).toMatch(/0 of 2 cases as expected/);
    const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const j = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(j.testsuites['@_failures']).toBe('2');
    expect(j.testsuites.testsuite.testcase[0].failure['@_message']).toBe('states: expected 35, got 34');
    // --filter runs a subset; --update rewrites what differs, keeping the comments.
    expect(cli('regress', dir, '--out', out, '--filter', 'unchecked').out).toMatch(/0 of 1 cases as expected/);
    expect(cli('regress', dir, '--out', out, '--update').code).toBe(0);
    expect(readFileSync(join(dir, 'tcommit.yaml'), 'utf8')).toBe(TCOMMIT.replaceAll('$ROOT', ROOT));
    expect(cli('regress', dir, '--out', out).code).toBe(0);
  });

  it('a case that crashes or times out is a failure with its reason, not a skip', () => {
    const dir = specDir({
      'bad.yaml': `model: $ROOT/test/fixtures/throws.ts
cases:
  - expect: { result: ok }
`,
      'slow.yaml': `model: $ROOT/models/classic/two-phase.ts
cases:
  - params: { rms: 8 }
    timeout: 1
    expect: { result: ok }
`,
    });
    const out = join(dir, 'out');
    const r = cli('regress', dir, '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ bad\/default: error: action .* threw/);
    expect(r.out).toContain('✗ slow/default rms=8: error: timed out after 1 s');
    const j = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(out, 'junit.xml'), 'utf8'));
    expect(j.testsuites['@_errors']).toBe('2');
  });

  it('reports a malformed spec in one line, as an error of its own', () => {
    const dir = specDir({ 'x.yaml': `model: $ROOT/models/classic/tcommit.ts\ncases:\n  - variant: correct\n    expect: { result: fine }\n` });
    const r = cli('regress', dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ .*x\.yaml: error: .*x\.yaml: cases\[0\]\.expect\.result must be one of ok, violation, deadlock, witness, liveness$/m);
    expect(cli('regress', join(dir, 'nope')).err).toMatch(/no such file or folder/);
  });
});
