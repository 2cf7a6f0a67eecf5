/**
 * `faultline regress`: run every case of the regression files, several at a time, compare verdicts
 * and counts with the expectations, and write JUnit XML and an HTML summary. Documented in
 * docs/specs.md. The cases run in worker processes (one per job), each running one case after
 * another, so that faultline starts once per job rather than once per case; a case that times out
 * takes its worker with it, and a new one carries on.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeThrown, FaultlineError, UsageError } from '../../model/errors.js';
import { regressHtml } from '../../report/html.js';
import type { CheckJson } from '../../report/json.js';
import { junitXml, type RegressRow } from '../../report/junit.js';
import { formatDuration } from '../../report/text.js';
import { type Command } from '../options.js';
import { type CheckArgs, checkForRegress } from './check.js';
import type { Case, Expectation, RegressionFile } from '../regression.js';

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

/** The `check` options of a case. */
function checkArgs(c: Case, reportDir: string): CheckArgs {
  const faults = Object.entries(c.faults);
  return {
    target: c.model,
    ...(c.variant ? { variant: c.variant } : {}),
    param: Object.entries(c.params).map(([k, v]) => `${k}=${v}`),
    faults: faults.length ? [faults.map(([k, v]) => `${k}=${v}`).join(',')] : [],
    ...(c.witness ? { witness: c.witness } : {}),
    ...(c.invariants ? { invariant: [...c.invariants] } : {}),
    symmetry: c.symmetry,
    liveness: c.liveness,
    deadlock: true,
    json: true,
    report: reportDir,
    workers: 1,
    ...(c.maxDepth !== undefined ? { maxDepth: c.maxDepth } : {}),
    ...(c.maxStates !== undefined ? { maxStates: c.maxStates } : {}),
    ...(c.timeLimit !== undefined ? { timeLimit: c.timeLimit } : {}),
  };
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

/** What a worker answers for a case: the check's JSON document, or why it could not run. */
type Answer = { json: CheckJson } | { error: string };

/** A worker process running cases one after another (`faultline regress-worker`). */
class CaseWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: ((a: Answer | null) => void) | null = null;
  private stderr = '';
  dead = false;

  constructor() {
    this.child = spawn(process.execPath, [BIN, 'regress-worker'], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const p = this.pending;
      this.pending = null;
      let a: Answer;
      try {
        a = JSON.parse(line) as Answer;
      } catch {
        a = { error: `unreadable answer from the worker: ${line.slice(0, 200)}` };
      }
      p?.(a);
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on('close', () => {
      this.dead = true;
      const p = this.pending;
      this.pending = null;
      p?.(null);
    });
    this.child.on('error', () => {
      this.dead = true;
    });
  }

  /** Run a case; null if the worker died (its last words are in `lastError`). */
  ask(args: CheckArgs): Promise<Answer | null> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.child.stdin.write(JSON.stringify(args) + '\n');
    });
  }

  get lastError(): string {
    return this.stderr.trim().split('\n').pop()?.replace(/^faultline: /, '') ?? '';
  }

  kill(): void {
    this.dead = true;
    this.child.kill('SIGKILL');
  }

  /** Resolves once the process has exited. */
  exited(): Promise<void> {
    return this.child.exitCode !== null || this.child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => this.child.once('close', () => resolve()));
  }

  close(): void {
    this.child.stdin.end();
  }
}

async function runCase(worker: { current: CaseWorker }, c: Case, reportDir: string): Promise<CaseOutcome> {
  const t0 = performance.now();
  const finish = (status: CaseOutcome['status'], got: Expectation | null, message: string): CaseOutcome => ({ case: c, status, got, message, ms: performance.now() - t0, report: reportDir });
  if (worker.current.dead) worker.current = new CaseWorker();
  const w = worker.current;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    w.kill();
  }, c.timeout * 1000);
  const answer = await w.ask(checkArgs(c, reportDir));
  clearTimeout(timer);
  if (timedOut) return finish('error', null, `timed out after ${c.timeout} s`);
  if (answer === null) return finish('error', null, w.lastError || 'the worker process died');
  if ('error' in answer) return finish('error', null, answer.error);
  const got = observed(answer.json);
  const diff = compare(c.expect, got, answer.json.complete, answer.json.stopReason);
  return finish(diff ? 'failed' : 'passed', got, diff);
}

export interface RegressArgs {
  readonly targets: readonly string[];
  readonly filter?: string;
  readonly update: boolean;
  readonly jobs?: number;
  readonly out: string;
  /** Run the deep cases too. */
  readonly deep?: boolean;
}

function matches(filter: string | undefined, c: Case): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return c.id.toLowerCase().includes(f) || relative('.', c.model).toLowerCase().includes(f);
}

/** A folder name for a case: its name where that is safe, else the name made safe plus a hash of it (so `a b` and `a/b` differ). */
function safeDir(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9_.=,-]+/g, '_');
  if (safe === s) return s;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return `${safe}-${h.toString(16).padStart(8, '0').slice(0, 6)}`;
}

export async function regress(args: RegressArgs): Promise<number> {
  // Loaded here: YAML is needed by regress only.
  const { readRegressionFile, regressionFiles, setExpectation } = await import('../regression.js');
  // A malformed file is an error of its own; the other files still run.
  const specs: RegressionFile[] = [];
  const broken: { file: string; message: string }[] = [];
  for (const file of regressionFiles(args.targets)) {
    try {
      specs.push(readRegressionFile(file));
    } catch (e) {
      if (!(e instanceof FaultlineError)) throw e;
      broken.push({ file: relative('.', file), message: e.message.split('\n')[0]! });
    }
  }
  const matching = specs.flatMap((s) => s.cases).filter((c) => matches(args.filter, c));
  const cases = args.deep ? matching : matching.filter((c) => !c.deep);
  const deepLeft = matching.length - cases.length;
  const leftOut = deepLeft ? `${deepLeft} deep case(s) not run (--deep runs them)` : '';
  if (cases.length === 0 && broken.length === 0) throw new UsageError(`no cases${args.filter ? ` match "${args.filter}"` : ''}${deepLeft ? ` but ${leftOut}` : ''}`);
  const jobs = Math.max(1, Math.floor(args.jobs ?? availableParallelism()));
  const t0 = performance.now();
  const outcomes: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  let doneCount = 0;
  const tty = process.stderr.isTTY === true;
  const workers: { current: CaseWorker }[] = [];
  // Ctrl-C or SIGTERM (a cancelled CI job): no new cases, the running ones' processes killed and
  // waited for, and the table of the cases that ran.
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = sig;
    next = cases.length;
    for (const w of workers) w.current.kill();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The largest cases first (by the states they are expected to explore), so that no long case
  // starts last while the other jobs run out of work; the table keeps the files' order.
  const order = cases.map((_, i) => i).sort((a, b) => (cases[b]!.expect?.states ?? 0) - (cases[a]!.expect?.states ?? 0) || a - b);
  const job = async () => {
    const worker = { current: new CaseWorker() };
    workers.push(worker);
    while (next < cases.length) {
      const i = order[next++]!;
      const c = cases[i]!;
      const outcome = await runCase(worker, c, join(args.out, safeDir(c.id.split('/')[0]!), safeDir(c.name)));
      if (interrupted) break;
      outcomes[i] = outcome;
      doneCount++;
      if (tty) process.stderr.write(`\r  ${doneCount}/${cases.length} cases   `);
    }
    worker.current.close();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, job));
    await Promise.all(workers.map((w) => w.current.exited()));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const totalMs = performance.now() - t0;
  if (interrupted) {
    const ran = outcomes.filter((o) => o !== undefined);
    process.stdout.write(`interrupted (${interrupted}): ${ran.length} of ${cases.length} cases ran, ${ran.filter((o) => o.status === 'passed').length} as expected; nothing written\n`);
    return 130;
  }

  // The table.
  const rows = [['case', 'expected', 'got', 'time', ''], ...outcomes.map((o) => [o.case.id, expectationText(o.case.expect), o.got ? expectationText(o.got) : o.message, formatDuration(o.ms), o.status === 'passed' ? '✓' : '✗'])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n');
  const bad = outcomes.filter((o) => o.status !== 'passed');
  for (const o of bad) process.stdout.write(`✗ ${o.case.id}: ${o.status === 'error' ? 'error: ' : ''}${o.message}\n`);
  for (const b of broken) process.stdout.write(`✗ ${b.file}: error: ${b.message}\n`);

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
  for (const b of broken) reportRows.push({ suite: b.file, name: '(the file)', status: 'error', expected: '', got: '', message: b.message, ms: 0, href: '' });
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
    return errors || broken.length ? 1 : 0;
  }
  process.stdout.write(
    `${outcomes.length - bad.length} of ${outcomes.length} cases as expected${broken.length ? `, ${broken.length} regression file(s) could not be read` : ''}${leftOut ? ` (${leftOut})` : ''}, ${formatDuration(totalMs)} with ${jobs} job(s); JUnit: ${join(args.out, 'junit.xml')}, summary: ${join(args.out, 'index.html')}\n`,
  );
  return bad.length || broken.length ? 1 : 0;
}

export const regressCommand: Command<{ targets: string[]; filter?: string; update: boolean; jobs?: number; out: string; deep: boolean }> = {
  usage: 'regress [targets..]',
  describe: 'run the cases of regression files and compare with their expectations (exit 1 on any difference)',
  options: (y) =>
    y
      .positional('targets', { type: 'string', array: true, default: ['specs'], describe: "regression files or folders" })
      .option('filter', { type: 'string', describe: 'only cases whose id or model path contains this text' })
      .option('update', { type: 'boolean', default: false, describe: 'rewrite the expectations of cases that differ from the current results' })
      .option('jobs', { type: 'number', describe: 'cases run at once (default: the number of cores)' })
      .option('deep', { type: 'boolean', default: false, describe: 'run the deep cases too (minutes each; left out otherwise)' })
      .option('out', { type: 'string', default: join('reports', 'regress'), describe: 'where junit.xml, index.html and the case reports go' }),
  run: (a) =>
    regress({
      targets: a.targets,
      update: a.update,
      out: a.out,
      deep: a.deep,
      ...(a.filter !== undefined ? { filter: a.filter } : {}),
      ...(a.jobs !== undefined ? { jobs: a.jobs } : {}),
    }),
};

/** `faultline regress-worker`: run the cases regress sends on stdin (one JSON line each), answering each on stdout. */
export const regressWorkerCommand: Command<Record<string, never>> = {
  usage: 'regress-worker',
  describe: false,
  options: (y) => y,
  run: async () => {
    // regress closes stdin when it is done or gone (killed): stop at once, even in the middle of a case.
    process.stdin.once('end', () => process.exit(0));
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      let answer: Answer;
      try {
        answer = { json: await checkForRegress(JSON.parse(line) as CheckArgs) };
      } catch (e) {
        const message = e instanceof FaultlineError ? e.message.split('\n')[0]! : `internal error: ${describeThrown(e)}`;
        answer = { error: message };
      }
      process.stdout.write(JSON.stringify(answer) + '\n');
    }
    return 0;
  },
};
