/** `faultline explore <model>`: step through a model in the browser (src/explore). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../model/errors.js';
import { readItf } from '../../report/itf.js';
import type { PlainTrace } from '../../report/trace.js';
import { startExplorer } from '../../explore/server.js';
import { Session } from '../../explore/session.js';
import { type Command, EXIT, nonNegative, parseParams, wholeAtLeast, modelRunOptions } from '../options.js';

export interface ExploreArgs {
  model?: string;
  variant?: string;
  param?: string[];
  faults?: string[];
  port?: number;
  trace?: string;
  fromReport?: string;
  timeLimit?: number;
}

/** The saved trace to open, if asked: `--trace file`, or `--from-report dir` (its trace.itf.json). */
function savedTrace(args: ExploreArgs): (PlainTrace & { readonly meta: Record<string, unknown> }) | null {
  if (args.trace !== undefined && args.fromReport !== undefined) throw new UsageError('give --trace or --from-report, not both');
  let file = args.trace;
  if (args.fromReport !== undefined) {
    const dir = args.fromReport;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such report folder: ${dir}`);
    file = join(dir, 'trace.itf.json');
    if (!existsSync(file)) throw new UsageError(`${dir} has no trace.itf.json: its check found no counterexample or witness to walk through`);
  }
  if (file === undefined) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  return readItf(text, file);
}

/** A saved trace's params or fault budgets (from its #meta), under the ones given on the command line. */
function fromMeta(saved: unknown, given: Record<string, string>): Record<string, unknown> {
  const base = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? (saved as Record<string, unknown>) : {};
  return { ...base, ...given };
}

export const exploreCommand: Command<ExploreArgs> = {
  usage: 'explore [model]',
  describe: 'step through a model in the browser: choose the next message, timer or fault (a local web page)',
  options: (y) =>
    modelRunOptions(
      y.positional('model', { type: 'string', describe: 'model file (with --trace or --from-report: default, the file the trace was checked from)' }),
      "variant to explore (default: the first, or the saved trace's)",
    )
      .option('port', { type: 'number', describe: 'port to listen on, on 127.0.0.1 (default: any free one)' })
      .option('trace', { type: 'string', describe: 'open a saved counterexample (trace.itf.json, written by check --report) to walk through' })
      .option('from-report', { type: 'string', describe: 'open the counterexample of a report folder (its trace.itf.json)' })
      .option('time-limit', { type: 'number', describe: 'how long a search for a shortest path may run, in seconds (default 60)' }),
  run: async (args) => {
    const port = wholeAtLeast('port', args.port, 0);
    if (port !== undefined && port > 65535) throw new UsageError(`--port expects a port number (0–65535), got ${port}`);
    const timeLimit = nonNegative('time-limit', args.timeLimit);
    const trace = savedTrace(args);
    const meta = trace?.meta ?? {};
    const file = args.model ?? (typeof meta.source === 'string' ? meta.source : undefined);
    if (file === undefined) throw new UsageError(trace ? 'the trace does not say which model file it came from: give the model file' : 'give a model file: faultline explore <model>');
    if (args.model === undefined && !existsSync(file)) throw new UsageError(`the trace was checked from ${file}, which is not here: give the model file`);
    const variant = args.variant ?? (typeof meta.variant === 'string' ? meta.variant : undefined);
    const session = await Session.open(
      file,
      {
        ...(variant !== undefined ? { variant } : {}),
        params: fromMeta(trace ? meta.params : undefined, parseParams(args.param)),
        faults: fromMeta(trace ? meta.faults : undefined, parseParams(args.faults, 'faults')),
      },
      file,
    );
    const path = trace ? session.pathOf(trace) : undefined;
    const explorer = await startExplorer(session, { ...(port !== undefined ? { port } : {}), ...(path ? { path } : {}), ...(timeLimit !== undefined ? { searchTimeLimitMs: timeLimit * 1000 } : {}) });
    const what = trace ? ` at the end of the saved trace (${trace.steps.length - 1} steps)` : '';
    process.stdout.write(`faultline explore: ${session.title}${what}\n`);
    // A trace walked in another variant (or another version of the model) may not break what it broke.
    const v = trace?.violation;
    if (path && v?.kind === 'invariant' && session.state(path).invariants.find((i) => i.name === v.name)?.holds)
      process.stdout.write(`  note: the saved trace broke ${v.name}; here it holds at the end of the trace (another variant, other params, or another version of the model)\n`);
    process.stdout.write(`  open ${explorer.url}\n  (Ctrl-C to stop)\n`);
    // Serve until Ctrl-C (or SIGTERM): then stop listening, end open connections and any search.
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void explorer.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write('faultline explore: stopped\n');
    return EXIT.ok;
  },
};
