/**
 * `faultline regress`: run every case of the regression files, several at a time (one child process
 * each), compare verdicts and counts with the expectations, and write JUnit XML and an HTML
 * summary. Documented in docs/specs.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/errors.js';
import { regressHtml } from '../../report/html.js';
import type { CheckJson } from '../../report/json.js';
import { junitXml, type RegressRow } from '../../report/junit.js';
import { formatDuration } from '../../report/text.js';
import { type Command } from '../options.js';
import { type Case, type Expectation, readRegressionFile, setExpectation, regressionFiles, type RegressionFile } from '../regression.js';

const BIN = fileURLToPath(new URL('../../../bin/faultline.mjs', import.meta.url));

export interface CaseOutcome {
  readonly case: Case;
  /** passed; failed: a mismatch; error: the case could not run (crash, timeout, bad input). */
  readonly status: 'passed' | 'failed' | 'error';
  readonly got: Expectation | null;
  /** What differs, or why it could not run. */
  readonly message: string;
  readonly ms: number;
  /** The case's report folder. */
  readonly report: string;
}

/** The command line of `check` for a case. */
function checkArgs(c: Case, reportDir: string): string[] {
  const args = ['check', c.model, '--json', '--report', reportDir];
  if (c.variant) args.push('--variant', c.variant);
  for (const [k, v] of Object.entries(c.params)) args.push('--param', `${k}=${v}`);
  const faults = Object.entries(c.faults);
  if (faults.length) args.push('--faults', faults.map(([k, v]) => `${k}=${v}`).join(','));
  if (c.witness) args.push('--witness', c.witness);
  if (!c.symmetry) args.push('--no-symmetry');
  if (!c.liveness) args.push('--no-liveness');
  if (c.maxDepth !== undefined) args.push('--max-depth', String(c.maxDepth));
  if (c.maxStates !== undefined) args.push('--max-states', String(c.maxStates));
  if (c.timeLimit !== undefined) args.push('--time-limit', String(c.timeLimit));
  return args;
}

/** What a run found, in the terms of an expectation. */
export function observed(j: CheckJson): Expectation {
  const v = j.violation;
  return {
    result: j.result,
    ...(v ? { property: v.name, trace: v.length } : {}),
    ...(j.complete && j.stats ? { states: j.stats.distinctStates, diameter: j.stats.diameter } : {}),
  };
}

export function expectationText(e: Expectation | null): string {
  if (!e) return '(none)';
  const parts = [e.result ?? '?'];
  if (e.property !== undefined) parts.push(e.property);
  if (e.trace !== undefined) parts.push(`in ${e.trace}`);
  if (e.states !== undefined) parts.push(`${e.states.toLocaleString('en-US')} states`);
  if (e.diameter !== undefined) parts.push(`d${e.diameter}`);
  return parts.join(' ');
}

/** The differences between an expectation and what was found ('' if none). */
export function compare(expected: Expectation | null, got: Expectation, complete: boolean, stopReason: string | null): string {
  if (!expected) return 'no expectation (run regress --update to record one)';
  const diffs: string[] = [];
  for (const k of ['result', 'property', 'trace', 'states', 'diameter'] as const) {
    const e = expected[k];
    if (e === undefined) continue;
    const g = got[k];
    if ((k === 'states' || k === 'diameter') && !complete) {
      diffs.push(`${k}: expected ${e}, but the search stopped early (${stopReason})`);
      continue;
    }
    if (g !== e) diffs.push(`${k}: expected ${e}, got ${g ?? 'none'}`);
  }
  return diffs.join('; ');
}

function runCase(c: Case, reportDir: string): Promise<CaseOutcome> {
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...checkArgs(c, reportDir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, c.timeout * 1000);
    const finish = (status: CaseOutcome['status'], got: Expectation | null, message: string) =>
      done({ case: c, status, got, message, ms: performance.now() - t0, report: reportDir });
    child.on('error', (e) => {
      clearTimeout(timer);
      finish('error', null, `could not start: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return finish('error', null, `timed out after ${c.timeout} s`);
      if (signal) return finish('error', null, `killed by ${signal}`);
      if (code === 1 || !out.trim()) return finish('error', null, err.trim().split('\n')[0]?.replace(/^faultline: /, '') || `exit code ${code}`);
      let j: CheckJson;
      try {
        j = JSON.parse(out) as CheckJson;
      } catch {
        return finish('error', null, `unreadable output (exit code ${code})`);
      }
      const got = observed(j);
      const diff = compare(c.expect, got, j.complete, j.stopReason);
      finish(diff ? 'failed' : 'passed', got, diff);
    });
  });
}

export interface RegressArgs {
  readonly targets: readonly string[];
  readonly filter?: string;
  readonly update: boolean;
  readonly jobs?: number;
  readonly out: string;
}

function matches(filter: string | undefined, c: Case): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return c.id.toLowerCase().includes(f) || relative('.', c.model).toLowerCase().includes(f);
}

function safeDir(s: string): string {
  return s.replace(/[^A-Za-z0-9_.=,-]+/g, '_');
}

export async function regress(args: RegressArgs): Promise<number> {
  const specs: RegressionFile[] = regressionFiles(args.targets).map(readRegressionFile);
  const cases = specs.flatMap((s) => s.cases).filter((c) => matches(args.filter, c));
  if (cases.length === 0) throw new UsageError(`no cases${args.filter ? ` match "${args.filter}"` : ''}`);
  const jobs = Math.max(1, Math.floor(args.jobs ?? availableParallelism()));
  const t0 = performance.now();
  const outcomes: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  let doneCount = 0;
  const tty = process.stderr.isTTY === true;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      outcomes[i] = await runCase(c, join(args.out, safeDir(c.id.split('/')[0]!), safeDir(c.name)));
      doneCount++;
      if (tty) process.stderr.write(`\r  ${doneCount}/${cases.length} cases   `);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, worker));
  if (tty) process.stderr.write('\r\x1b[K');
  const totalMs = performance.now() - t0;

  // The table.
  const rows = [['case', 'expected', 'got', 'time', ''], ...outcomes.map((o) => [o.case.id, expectationText(o.case.expect), o.got ? expectationText(o.got) : o.message, formatDuration(o.ms), o.status === 'passed' ? '✓' : '✗'])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n');
  const bad = outcomes.filter((o) => o.status !== 'passed');
  for (const o of bad) process.stdout.write(`✗ ${o.case.id}: ${o.status === 'error' ? 'error: ' : ''}${o.message}\n`);

  mkdirSync(args.out, { recursive: true });
  const reportRows: RegressRow[] = outcomes.map((o) => ({
    suite: relative('.', o.case.file),
    name: o.case.name,
    status: o.status,
    expected: expectationText(o.case.expect),
    got: o.got ? expectationText(o.got) : '',
    message: o.message,
    ms: o.ms,
    href: relative(args.out, join(o.report, 'index.html')).split('\\').join('/'),
  }));
  writeFileSync(join(args.out, 'junit.xml'), junitXml('faultline regress', reportRows, totalMs));
  writeFileSync(join(args.out, 'index.html'), regressHtml(reportRows));

  if (args.update) {
    let changed = 0;
    for (const spec of specs) {
      let n = 0;
      for (const o of outcomes) {
        if (o.case.file !== spec.path || !o.got || o.status === 'passed') continue;
        setExpectation(spec, o.case.index, o.got);
        n++;
      }
      if (n) {
        writeFileSync(spec.path, spec.doc.toString({ lineWidth: 0 }));
        process.stdout.write(`updated ${n} expectation(s) in ${relative('.', spec.path)}\n`);
        changed += n;
      }
    }
    const errors = outcomes.filter((o) => o.status === 'error').length;
    process.stdout.write(`${changed} expectation(s) rewritten; review the diff. ${errors ? `${errors} case(s) could not run.` : ''}\n`);
    return errors ? 1 : 0;
  }
  process.stdout.write(
    `${outcomes.length - bad.length} of ${outcomes.length} cases as expected, ${formatDuration(totalMs)} with ${jobs} job(s); JUnit: ${join(args.out, 'junit.xml')}, summary: ${join(args.out, 'index.html')}\n`,
  );
  return bad.length ? 1 : 0;
}

export const regressCommand: Command<{ targets: string[]; filter?: string; update: boolean; jobs?: number; out: string }> = {
  usage: 'regress [targets..]',
  describe: 'run the cases of regression files and compare with their expectations (exit 1 on any difference)',
  options: (y) =>
    y
      .positional('targets', { type: 'string', array: true, default: ['specs'], describe: "regression files or folders" })
      .option('filter', { type: 'string', describe: 'only cases whose id or model path contains this text' })
      .option('update', { type: 'boolean', default: false, describe: 'rewrite the expectations of cases that differ from the current results' })
      .option('jobs', { type: 'number', describe: 'cases run at once (default: the number of cores)' })
      .option('out', { type: 'string', default: join('reports', 'regress'), describe: 'where junit.xml, index.html and the case reports go' }),
  run: (a) =>
    regress({
      targets: a.targets,
      update: a.update,
      out: a.out,
      ...(a.filter !== undefined ? { filter: a.filter } : {}),
      ...(a.jobs !== undefined ? { jobs: a.jobs } : {}),
    }),
};
