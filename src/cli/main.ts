/**
 * The faultline command line: `check`, `simulate`, `list`, `regress`, `render`, `report`, `bench`. Documented in docs/cli.md.
 * Exit codes follow TLC: 0 nothing found, 12 invariant violated, 11 deadlock, 13 liveness
 * (reserved), 1 usage or model error.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import yargs from 'yargs';
import { Worker } from 'node:worker_threads';
import { compile, type Compiled } from '../check/compile.js';
import { exploreCompiled, type CheckOptions, type CheckResult } from '../check/explore.js';
import { exploreParallel } from '../check/parallel.js';
import { checkLiveness } from '../check/liveness.js';
import { simulate } from '../check/simulate.js';
import { buildSpec, describeThrown, FaultlineError, ModelError, resolveConfig, variantNames, type AnyModel } from '../model/index.js';
import { checkJson, errorJson, type RunInfo } from '../report/json.js';
import { readItf } from '../report/itf.js';
import { traceHtml } from '../report/html.js';
import { formatDuration, formatResult, formatSimulation } from '../report/text.js';
import { writeIndex, writeReport, writeSequence } from '../report/write.js';
import { runBench } from './bench.js';
import { regress } from './regress.js';
import { loadModel, modelFiles } from './load.js';

export const EXIT = { ok: 0, error: 1, deadlock: 11, violation: 12, liveness: 13 } as const;

export function exitCodeOf(r: CheckResult<unknown>, witness?: string): number {
  // A witness search succeeds when it finds its example; not finding it is the failure.
  if (witness) return r.result === 'witness' ? EXIT.ok : r.result === 'deadlock' ? EXIT.deadlock : EXIT.violation;
  return r.result === 'violation' ? EXIT.violation : r.result === 'deadlock' ? EXIT.deadlock : r.result === 'liveness' ? EXIT.liveness : EXIT.ok;
}

/** `--param k=v` (repeatable, or comma-separated) → an object of raw strings. */
export function parseParams(raw: readonly string[] | undefined, option = 'param'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw ?? []) {
    for (const part of String(item).split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new FaultlineError(`--${option} expects name=value, got "${part}"`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

interface CheckArgs {
  target: string;
  variant?: string;
  param?: string[];
  faults?: string[];
  maxDepth?: number;
  maxStates?: number;
  timeLimit?: number;
  deadlock: boolean;
  symmetry: boolean;
  liveness: boolean;
  witness?: string;
  json: boolean;
  report?: string | boolean;
  workers: number;
}

function positiveOrUndefined(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new FaultlineError(`--${name} expects a non-negative number, got ${String(v)}`);
  return v;
}

async function runOne(model: AnyModel, file: string, variant: string | undefined, params: Record<string, unknown>, args: CheckArgs, progress: boolean) {
  const faults = parseParams(args.faults, 'faults');
  const config = resolveConfig(model, variant, params, faults);
  const info: RunInfo = {
    model: model.name,
    file,
    variant: config.variant,
    params: { ...config.params },
    ...(Object.keys(config.faults).length ? { faults: { ...config.faults } } : {}),
    ...(args.witness ? { witness: args.witness } : {}),
  };
  let spec;
  try {
    spec = buildSpec(model, config);
  } catch (e) {
    if (e instanceof FaultlineError) throw e;
    throw new ModelError(`${model.name}: build threw: ${describeThrown(e)}`, e);
  }
  const compiled = compile(spec, { symmetry: args.symmetry !== false, ...(args.witness ? { witness: args.witness } : {}) });
  const options: CheckOptions = {
    ...(args.maxDepth !== undefined ? { maxDepth: positiveOrUndefined('max-depth', args.maxDepth)! } : {}),
    ...(args.maxStates !== undefined ? { maxStates: positiveOrUndefined('max-states', args.maxStates)! } : {}),
    ...(args.timeLimit !== undefined ? { timeLimitMs: positiveOrUndefined('time-limit', args.timeLimit)! * 1000 } : {}),
    ...(args.deadlock ? {} : { deadlock: false }),
    ...(progress
      ? {
          onProgress: (p) =>
            process.stderr.write(
              `\r  ${p.distinctStates.toLocaleString('en-US')} distinct, ${p.generatedStates.toLocaleString('en-US')} generated, depth ${p.depth}, ${p.queued.toLocaleString('en-US')} queued, ${formatDuration(p.elapsedMs)}   `,
            ),
        }
      : {}),
  };
  const liveOptions: { -readonly [K in keyof CheckOptions]: CheckOptions[K] } = { ...options };
  const workers = Math.floor(args.workers ?? 1);
  if (!(workers >= 1)) throw new FaultlineError(`--workers expects a whole number of at least 1, got ${String(args.workers)}`);
  const result =
    workers === 1
      ? exploreCompiled(compiled, options)
      : await exploreParallel(
          compiled,
          Array.from({ length: workers }, () => new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { file, variant: config.variant, params: { ...config.params }, faults: { ...config.faults }, symmetry: args.symmetry !== false, witness: args.witness ?? null } })),
          options,
        );
  if (progress && result.stats.durationMs >= 1000) process.stderr.write('\r\x1b[K');
  // Liveness: once safety holds, over the graph without symmetry reduction (concrete traces).
  if (result.result === 'ok' && !args.witness && args.liveness !== false && compiled.properties.length) {
    const plain = compiled.reduced ? compile(spec, { symmetry: false }) : compiled;
    // One --time-limit for the whole check: the liveness pass gets what the safety pass left.
    if (liveOptions.timeLimitMs !== undefined) liveOptions.timeLimitMs = Math.max(1, liveOptions.timeLimitMs - result.stats.durationMs);
    const live = checkLiveness(plain, plain.properties, liveOptions);
    const v = live.violation;
    const liveness = { states: live.states, edges: live.edges, durationMs: live.durationMs, complete: live.complete };
    const merged: CheckResult<unknown> = v
      ? { ...result, result: 'liveness', liveness, violation: { kind: 'liveness', name: v.name, explanation: v.explanation, trace: v.trace, loop: v.loop } }
      : { ...result, liveness, complete: result.complete && live.complete };
    return { info, result: merged, compiled: plain };
  }
  return { info, result, compiled };
}

function defaultReportDir(info: RunInfo): string {
  return join('reports', info.model, info.variant);
}

async function checkFile(args: CheckArgs): Promise<number> {
  const model = await loadModel(args.target);
  const params = parseParams(args.param);
  const { info, result, compiled } = await runOne(model, args.target, args.variant, params, args, process.stderr.isTTY === true && !args.json);
  if (args.json) process.stdout.write(JSON.stringify(checkJson(info, result)) + '\n');
  else process.stdout.write(formatResult(info, result));
  if (args.report !== undefined && args.report !== false) {
    const dir = typeof args.report === 'string' && args.report !== '' ? args.report : defaultReportDir(info);
    await writeReport(dir, info, result, compiled as Compiled<unknown>);
    if (dir === defaultReportDir(info)) writeIndex('reports');
    if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
  }
  return exitCodeOf(result, args.witness);
}

/** Every variant of every model in a folder, with default params: a table, and reports/ if asked. */
async function checkFolder(args: CheckArgs): Promise<number> {
  const files = modelFiles(args.target);
  if (files.length === 0) throw new FaultlineError(`no model files in ${args.target}`);
  const params = parseParams(args.param);
  const rows: string[][] = [['model', 'variant', 'result', 'states', 'diameter', 'trace', 'time']];
  const docs: unknown[] = [];
  let failed = false;
  for (const file of files) {
    let model: AnyModel;
    try {
      model = await loadModel(file);
    } catch (e) {
      failed = true;
      rows.push([relative('.', file), '', 'error: ' + describeThrown(e), '', '', '', '']);
      continue;
    }
    for (const variant of args.variant ? [args.variant] : variantNames(model)) {
      try {
        const { info, result, compiled } = await runOne(model, file, variant, params, args, false);
        const v = result.violation;
        rows.push([
          model.name,
          variant,
          result.result === 'ok' ? (result.complete ? 'ok' : `ok (${result.stopReason})`) : `${result.result}: ${v?.name}`,
          result.stats.distinctStates.toLocaleString('en-US'),
          String(result.stats.diameter),
          v ? String(v.trace.length - 1) : '',
          formatDuration(result.stats.durationMs),
        ]);
        docs.push(checkJson(info, result));
        if (args.report !== undefined && args.report !== false) {
          const base = typeof args.report === 'string' && args.report !== '' ? args.report : 'reports';
          await writeReport(join(base, info.model, info.variant), info, result, compiled as Compiled<unknown>);
        }
      } catch (e) {
        failed = true;
        rows.push([model.name, variant, 'error: ' + describeThrown(e), '', '', '', '']);
        docs.push(errorJson({ model: model.name, file, variant }, describeThrown(e)));
      }
    }
  }
  if (args.json) process.stdout.write(JSON.stringify(docs) + '\n');
  else {
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) process.stdout.write(r.map((cell, c) => (c === 3 || c === 4 || c === 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n');
  }
  if (args.report !== undefined && args.report !== false) {
    const base = typeof args.report === 'string' && args.report !== '' ? args.report : 'reports';
    writeFileSync(join(base, 'summary.json'), JSON.stringify(docs, null, 2) + '\n');
    writeIndex(base);
    if (!args.json) process.stdout.write(`reports written under ${base}/ — open ${join(base, 'index.html')}\n`);
  }
  return failed ? EXIT.error : EXIT.ok;
}

interface SimulateArgs {
  model: string;
  variant?: string;
  param?: string[];
  faults?: string[];
  runs: number;
  depth: number;
  seed?: number;
  timeLimit?: number;
  deadlock: boolean;
  json: boolean;
  report?: string | boolean;
}

/** `simulate`: random walks with shrinking; reported like check. */
async function simulateCommand(args: SimulateArgs): Promise<number> {
  const model = await loadModel(args.model);
  const config = resolveConfig(model, args.variant, parseParams(args.param), parseParams(args.faults, 'faults'));
  const info: RunInfo = {
    model: model.name,
    file: args.model,
    variant: config.variant,
    params: { ...config.params },
    ...(Object.keys(config.faults).length ? { faults: { ...config.faults } } : {}),
  };
  let spec;
  try {
    spec = buildSpec(model, config);
  } catch (e) {
    if (e instanceof FaultlineError) throw e;
    throw new ModelError(`${model.name}: build threw: ${describeThrown(e)}`, e);
  }
  const compiled = compile(spec, { symmetry: false });
  for (const [name, v] of [['runs', args.runs], ['depth', args.depth]] as const)
    if (!Number.isInteger(v) || v < 1) throw new FaultlineError(`--${name} expects a whole number of at least 1, got ${String(v)}`);
  if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new FaultlineError(`--seed expects a whole number, got ${String(args.seed)}`);
  const result = simulate(compiled, {
    runs: args.runs,
    depth: args.depth,
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.timeLimit !== undefined ? { timeLimitMs: positiveOrUndefined('time-limit', args.timeLimit)! * 1000 } : {}),
    ...(args.deadlock ? {} : { deadlock: false }),
  });
  const sim = result.simulation;
  if (args.json) process.stdout.write(JSON.stringify({ ...checkJson(info, result), simulation: sim }) + '\n');
  else process.stdout.write(formatSimulation(info, result));
  if (args.report !== undefined && args.report !== false) {
    const dir = typeof args.report === 'string' && args.report !== '' ? args.report : join('reports', info.model, `${info.variant}-simulate`);
    await writeReport(dir, info, result, compiled as Compiled<unknown>);
    if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
  }
  return exitCodeOf(result);
}

/** `render trace.itf.json`: redraw a saved trace (sequence.dot, sequence.svg, trace.html). */
async function render(file: string, out: string | undefined): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new FaultlineError(`cannot read ${file}`);
  }
  const trace = readItf(text, file);
  const dir = out ?? dirname(file);
  mkdirSync(dir, { recursive: true });
  const svg = await writeSequence(dir, trace);
  writeFileSync(join(dir, 'trace.html'), traceHtml(trace, svg));
  process.stdout.write(`${trace.title}: ${trace.steps.length - 1} steps → ${join(dir, 'sequence.svg')}, ${join(dir, 'trace.html')}\n`);
  return EXIT.ok;
}

async function list(dir: string, json: boolean): Promise<number> {
  const out: unknown[] = [];
  for (const file of modelFiles(dir)) {
    const m = await loadModel(file);
    out.push({
      file: relative('.', file),
      name: m.name,
      description: m.description ?? '',
      params: Object.fromEntries(Object.entries(m.params ?? {}).map(([k, p]) => [k, { ...p }])),
      faults: { ...(m.faults ?? {}) },
      variants: m.variants ? { ...m.variants } : { default: '' },
    });
    if (!json) {
      process.stdout.write(`${m.name}  ${relative('.', file)}\n  ${m.description ?? ''}\n`);
      for (const [k, p] of Object.entries(m.params ?? {})) {
        const range = 'min' in p || 'max' in p ? ` [${(p as { min?: number }).min ?? ''}..${(p as { max?: number }).max ?? ''}]` : '';
        const choices = 'choices' in p && p.choices ? ` (${p.choices.join('|')})` : '';
        process.stdout.write(`  --param ${k}=${String(p.default)}${range}${choices}  ${p.description ?? ''}\n`);
      }
      const budgets = Object.entries(m.faults ?? {});
      if (budgets.length) process.stdout.write(`  --faults ${budgets.map(([k, n]) => `${k}=${n}`).join(',')}  (default fault budgets)\n`);
      variantNames(m).forEach((v, i) => process.stdout.write(`  --variant ${v}${i === 0 ? ' (default)' : ''}  ${m.variants?.[v] ?? ''}\n`));
      process.stdout.write('\n');
    }
  }
  if (json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  let failure: unknown = null;
  const cli = yargs(argv)
    .scriptName('faultline')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      failure = err ?? new FaultlineError(`${msg ?? 'invalid command line'} (see faultline --help)`);
    })
    .command(
      'check <target>',
      'explore a model (a file) or every variant of every model in a folder',
      (y) =>
        y
          .positional('target', { type: 'string', demandOption: true, describe: 'model file, or a folder of models' })
          .option('variant', { type: 'string', describe: 'variant to check (default: the first)' })
          .option('param', { type: 'string', array: true, describe: 'override a parameter: --param rms=4 (repeatable)' })
          .option('faults', { type: 'string', array: true, describe: 'fault budgets: --faults crash=1,restart=1,drop=2 (see faultline list)' })
          .option('max-depth', { type: 'number', describe: 'explore states at most this many steps deep' })
          .option('max-states', { type: 'number', describe: 'stop after this many distinct states' })
          .option('time-limit', { type: 'number', describe: 'stop after this many seconds' })
          .option('deadlock', { type: 'boolean', default: true, describe: 'report states without successors (--no-deadlock: do not)' })
          .option('liveness', { type: 'boolean', default: true, describe: "check the model's liveness properties (--no-liveness: safety only)" })
          .option('witness', { type: 'string', describe: 'find the shortest path to a state where this witness of the model holds' })
          .option('symmetry', { type: 'boolean', default: true, describe: "use the model's symmetry reduction (--no-symmetry: explore every state)" })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
          .option('workers', { type: 'number', default: 1, describe: 'worker threads for the search (same results, faster on big models)' })
          .option('report', { type: 'string', describe: 'write result.json and trace.txt (default dir reports/<model>/<variant>/)' }),
      async (a) => {
        const args = a as unknown as CheckArgs;
        const isDir = (() => {
          try {
            return statSync(args.target).isDirectory();
          } catch {
            return false;
          }
        })();
        code = isDir ? await checkFolder(args) : await checkFile(args);
      },
    )
    .command(
      'list [dir]',
      'list the models in a folder with their params and variants',
      (y) => y.positional('dir', { type: 'string', default: 'models' }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        code = await list(a.dir as string, a.json as boolean);
      },
    )
    .command(
      'regress [targets..]',
      'run the cases of regression specs and compare with their expectations (exit 1 on any difference)',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, default: ['specs'], describe: 'spec files or folders' })
          .option('filter', { type: 'string', describe: 'only cases whose id or model path contains this text' })
          .option('update', { type: 'boolean', default: false, describe: 'rewrite the expectations of cases that differ from the current results' })
          .option('jobs', { type: 'number', describe: 'cases run at once (default: the number of cores)' })
          .option('out', { type: 'string', default: join('reports', 'regress'), describe: 'where junit.xml, index.html and the case reports go' }),
      async (a) => {
        code = await regress({
          targets: a.targets as string[],
          update: a.update as boolean,
          out: a.out as string,
          ...(a.filter !== undefined ? { filter: a.filter as string } : {}),
          ...(a.jobs !== undefined ? { jobs: a.jobs as number } : {}),
        });
      },
    )
    .command(
      'simulate <model>',
      'random walks through a model, far deeper than check; a failing run is shrunk and reported like check',
      (y) =>
        y
          .positional('model', { type: 'string', demandOption: true, describe: 'model file' })
          .option('variant', { type: 'string', describe: 'variant (default: the first)' })
          .option('param', { type: 'string', array: true, describe: 'override a parameter: --param k=v' })
          .option('faults', { type: 'string', array: true, describe: 'fault budgets: --faults crash=1,drop=2' })
          .option('runs', { type: 'number', default: 1000, describe: 'random runs to try' })
          .option('depth', { type: 'number', default: 200, describe: 'steps per run at most' })
          .option('seed', { type: 'number', describe: 'seed of the random runs (printed; the same seed repeats the same runs)' })
          .option('time-limit', { type: 'number', describe: 'stop trying new runs after this many seconds' })
          .option('deadlock', { type: 'boolean', default: true, describe: 'report states without successors (--no-deadlock: do not)' })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
          .option('report', { type: 'string', describe: 'write a report folder (default reports/<model>/<variant>-simulate/)' }),
      async (a) => {
        code = await simulateCommand(a as unknown as SimulateArgs);
      },
    )
    .command(
      'render <trace>',
      'redraw a saved trace (trace.itf.json): sequence.dot, sequence.svg and trace.html',
      (y) =>
        y
          .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace written by check --report' })
          .option('out', { type: 'string', describe: 'folder to write to (default: the trace file’s folder)' }),
      async (a) => {
        code = await render(a.trace as string, a.out as string | undefined);
      },
    )
    .command(
      'report [dir]',
      'write dir/index.html linking every report under dir',
      (y) => y.positional('dir', { type: 'string', default: 'reports' }),
      async (a) => {
        const n = writeIndex(a.dir as string);
        process.stdout.write(`${join(a.dir as string, 'index.html')}: ${n} report(s)\n`);
        code = EXIT.ok;
      },
    )
    .command(
      'bench',
      'benchmark the explorer on TwoPhase (see docs/performance.md)',
      (y) =>
        y
          .option('rms', { type: 'string', default: '5,6,7,8', describe: 'comma-separated RM counts' })
          .option('workers', { type: 'number', default: 1, describe: 'worker threads per run' }),
      async (a) => {
        code = await runBench(String(a.rms), Number(a.workers));
      },
    )
    .demandCommand(1, 'give a command: check, simulate, list, regress, render, report or bench');
  try {
    await cli.parseAsync();
  } catch (e) {
    failure ??= e;
  }
  if (failure !== null) {
    if (failure instanceof FaultlineError) process.stderr.write(`faultline: ${failure.message.split('\n')[0]}\n`);
    else {
      process.stderr.write(`faultline: internal error: ${describeThrown(failure)}\n`);
      if (process.env.FAULTLINE_DEBUG) process.stderr.write(String((failure as Error).stack) + '\n');
    }
    return EXIT.error;
  }
  return code;
}
