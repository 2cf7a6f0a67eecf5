/**
 * `faultline bench` (`npm run bench`): the explorer's speed and memory on fixed configurations —
 * TwoPhase at several sizes (a plain model, tuned and written naturally) and the message-passing
 * library models — each in a
 * fresh process so that its peak memory is its own. With `--baseline <checkout>`, every
 * configuration also runs with another checkout of faultline (say a worktree of the previous
 * commit), the two in turn, and the table gives the ratio: one run, side by side, is how speed is
 * compared on a noisy machine. A benchmark for people and docs/performance.md, not a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/errors.js';
import type { CheckJson } from '../../report/json.js';
import { type Command, wholeAtLeast } from '../options.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Case {
  readonly name: string;
  /** The model file, relative to the checkout. */
  readonly model: string;
  readonly args: readonly string[];
}

/** The actor models' configurations: the library's correct variants at their defaults, and a large one. */
const ACTORS: readonly Case[] = [
  { name: 'raft correct', model: 'models/raft.ts', args: [] },
  { name: 'paxos correct', model: 'models/paxos.ts', args: [] },
  { name: 'zab correct', model: 'models/zab.ts', args: [] },
  { name: 'at-least-once requests=4 retries=3', model: 'models/examples/at-least-once.ts', args: ['--param', 'requests=4,retries=3'] },
];

/** TwoPhase at each size, as tuned (Record, List, string messages) and as written naturally (Maps, Map messages in a Set). */
function twoPhase(rms: readonly number[]): Case[] {
  return rms.flatMap((n) => [
    { name: `two-phase rms=${n}`, model: 'models/classic/two-phase.ts', args: ['--param', `rms=${n}`] },
    { name: `two-phase-natural rms=${n}`, model: 'models/classic/two-phase-natural.ts', args: ['--param', `rms=${n}`] },
  ]);
}

interface Run {
  readonly distinct: number;
  readonly generated: number;
  readonly ms: number;
  readonly rss: number;
}

function run(checkout: string, c: Case, workers: number): Run {
  // A model the other checkout does not have is taken from this one.
  const model = existsSync(join(checkout, c.model)) ? join(checkout, c.model) : join(root, c.model);
  const args = [join(checkout, 'bin/faultline.mjs'), 'check', model, ...c.args, '--no-liveness', '--workers', String(workers), '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (!r.stdout.trim()) throw new UsageError(`benchmark run ${c.name} (${checkout}) failed: ${(r.stderr || '').split('\n')[0]}`);
  const j = JSON.parse(r.stdout) as CheckJson;
  const s = j.stats!;
  return { distinct: s.distinctStates, generated: s.generatedStates, ms: s.durationMs, rss: s.peakMemoryBytes };
}

const num = (n: number) => Math.round(n).toLocaleString('en-US');

export async function runBench(opts: { suite: string; rms: string; workers: number; baseline?: string; runs: number }): Promise<number> {
  const sizes = opts.rms.split(',').map((x) => Number(x.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--rms expects whole numbers, got ${opts.rms}`);
  if (!['all', 'actors', 'two-phase'].includes(opts.suite)) throw new UsageError(`--suite expects all, actors or two-phase, got ${opts.suite}`);
  const baseline = opts.baseline === undefined ? null : resolve(opts.baseline);
  if (baseline !== null && !existsSync(join(baseline, 'bin/faultline.mjs'))) throw new UsageError(`--baseline: no faultline checkout at ${opts.baseline}`);
  const cases = [...(opts.suite === 'two-phase' ? [] : ACTORS), ...(opts.suite === 'actors' ? [] : twoPhase(sizes))];
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(`faultline benchmark — node ${process.version}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${opts.workers} worker(s), --no-liveness, median of ${opts.runs} run(s)\n`);
  if (baseline) process.stdout.write(`baseline: ${baseline} (run in turn with this checkout; ratio = baseline time / this time)\n`);
  const head = ['configuration', 'distinct', 'generated', 'time (s)', 'distinct/s', 'peak RSS', 'bytes/distinct', ...(baseline ? ['baseline distinct', 'baseline (s)', 'baseline RSS', 'speed-up'] : [])];
  const rows: string[][] = [head];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const c of cases) {
    const mine: Run[] = [];
    const theirs: Run[] = [];
    for (let k = 0; k < opts.runs; k++) {
      mine.push(run(root, c, opts.workers));
      if (baseline) theirs.push(run(baseline, c, opts.workers));
    }
    const m = mine[0]!;
    const ms = median(mine.map((r) => r.ms));
    const rss = median(mine.map((r) => r.rss));
    const row = [c.name, num(m.distinct), num(m.generated), (ms / 1000).toFixed(2), num(m.distinct / (ms / 1000)), `${(rss / 2 ** 20).toFixed(0)} MiB`, num(rss / m.distinct)];
    if (baseline) {
      const bms = median(theirs.map((r) => r.ms));
      const ratios = mine.map((r, i) => theirs[i]!.ms / r.ms);
      row.push(num(theirs[0]!.distinct), (bms / 1000).toFixed(2), `${(median(theirs.map((r) => r.rss)) / 2 ** 20).toFixed(0)} MiB`, `${median(ratios).toFixed(1)}×`);
    }
    rows.push(row);
    process.stderr.write(`  ${c.name} done\n`);
  }
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ') + '\n');
  return 0;
}

export const benchCommand: Command<{ suite: string; rms: string; workers: number; baseline?: string; runs: number }> = {
  usage: 'bench',
  describe: 'benchmark the explorer on TwoPhase and the actor models, optionally side by side with another checkout (see docs/performance.md)',
  options: (y) =>
    y
      .option('suite', { type: 'string', default: 'all', describe: 'all, actors or two-phase' })
      .option('rms', { type: 'string', default: '5,6,7,8', describe: 'comma-separated RM counts for TwoPhase' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads per run' })
      .option('runs', { type: 'number', default: 1, describe: 'runs of each configuration (the median is shown)' })
      .option('baseline', { type: 'string', describe: 'another faultline checkout to run each configuration with, in turn (e.g. a git worktree of the previous commit)' }),
  run: (a) =>
    runBench({
      suite: a.suite,
      rms: String(a.rms),
      workers: wholeAtLeast('workers', a.workers, 1)!,
      runs: wholeAtLeast('runs', a.runs, 1)!,
      ...(a.baseline !== undefined ? { baseline: a.baseline } : {}),
    }),
};
