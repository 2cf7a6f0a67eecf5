/** `faultline simulate <model>`: random walks with shrinking, reported like `check`. */
import { join } from 'node:path';
import { runSimulation } from '../../check/check.js';
import { checkJson } from '../../report/json.js';
import { formatSimulation } from '../../report/text.js';
import { writeReport } from '../../report/write.js';
import type { SimulationProgress } from '../../check/simulate.js';
import { formatDuration } from '../../report/text.js';
import { type Command, exitCodeOf, interruptible, nonNegative, parseParams, wholeAtLeast, modelRunOptions } from '../options.js';
import { UsageError } from '../../model/errors.js';
import { checkSwarmOptions, simulateShard, simulateShards, type SwarmArgs } from './swarm.js';

type SimulateArgs = SwarmArgs;

/** The simulation's progress line on stderr: in place on a terminal, else a line each time. */
function printSimulationProgress(p: SimulationProgress): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const line = `  ${n(p.runs)} runs, ${n(p.steps)} steps, deepest ${n(p.deepest)}, ${n(p.distinctStates)} distinct states, ${formatDuration(p.elapsedMs)}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
}

export const simulateCommand: Command<SimulateArgs> = {
  usage: 'simulate <model>',
  describe: 'random walks through a model, far deeper than check; a failing run is shrunk and reported like check',
  options: (y) =>
    modelRunOptions(y.positional('model', { type: 'string', demandOption: true, describe: 'model file' }), 'variant to simulate (default: the first)')
      .option('runs', { type: 'number', default: 1000, describe: 'random runs to try' })
      .option('depth', { type: 'number', default: 200, describe: 'steps per run at most' })
      .option('seed', { type: 'number', describe: 'seed of the random runs (printed; the same seed repeats the same runs)' })
      .option('time-limit', { type: 'number', describe: 'stop trying new runs after this many seconds' })
      .option('action-timeout', { type: 'number', describe: "a model's action that runs this many seconds without returning is stopped and reported (default 30)" })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report states without successors (--no-deadlock: do not)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .option('report', { type: 'string', describe: 'write a report folder (default reports/<model>/<variant>-simulate/)' })
      .option('progress', { type: 'boolean', describe: 'print progress on stderr (default: when stderr is a terminal; otherwise a line every 5 s)' })
      .option('shard', { type: 'string', describe: 'swarm mode: run shard i of n (0 ≤ i < n), its own seeds, successor order and depth, --runs runs; writes to --out, then faultline merge (docs/scale-out.md)' })
      .option('shards', { type: 'number', describe: 'swarm mode: run n shards as processes of this machine, and merge them' })
      .option('out', { type: 'string', describe: 'with --shard: the folder of the shard files (with --shards: keep them there)' }),
  run: async (args) => {
    const params = parseParams(args.param);
    const faults = parseParams(args.faults, 'faults');
    const runs = wholeAtLeast('runs', args.runs, 1)!;
    const depth = wholeAtLeast('depth', args.depth, 1)!;
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError(`--seed expects a whole number, got ${String(args.seed)}`);
    const timeLimit = nonNegative('time-limit', args.timeLimit);
    const actionTimeout = nonNegative('action-timeout', args.actionTimeout);
    checkSwarmOptions(args);
    const progress = args.progress ?? (process.stderr.isTTY === true && !args.json);
    // What a sharded and a plain simulation are both given.
    const settings = {
      ...(actionTimeout !== undefined ? { actionTimeoutMs: actionTimeout * 1000 } : {}),
      ...(args.variant !== undefined ? { variant: args.variant } : {}),
      params,
      faults,
      runs,
      depth,
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
      ...(args.deadlock ? {} : { deadlock: false }),
    };
    if (args.shard !== undefined || args.shards !== undefined) return args.shards !== undefined ? simulateShards(args, settings) : simulateShard(args, settings);
    const { info, result, compiled } = await interruptible((signal) => runSimulation(
      args.model,
      {
        signal,
        ...settings,
        ...(progress ? { onProgress: printSimulationProgress, progressIntervalMs: process.stderr.isTTY ? 1000 : 5000 } : {}),
      },
      args.model,
    ));
    if (progress && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (args.json) process.stdout.write(JSON.stringify({ ...checkJson(info, result), simulation: result.simulation }) + '\n');
    else process.stdout.write(formatSimulation(info, result));
    if (args.report !== undefined && args.report !== false) {
      const dir = typeof args.report === 'string' && args.report !== '' ? args.report : join('reports', info.model, `${info.variant}-simulate`);
      await writeReport(dir, info, result, compiled);
      if (!args.json) process.stdout.write(`  report: ${join(dir, 'index.html')}\n`);
    }
    return exitCodeOf(result);
  },
};
