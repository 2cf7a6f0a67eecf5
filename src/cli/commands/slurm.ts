/**
 * `faultline slurm <model> --shards n --out dir`: a sharded check (docs/scale-out.md) as a Slurm job
 * array, one task per shard, and the merge as a job that starts once the array has ended. It writes
 * the two batch scripts into the output folder (so that they can be read, changed and submitted
 * again by hand) and submits them with sbatch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildModel } from '../../check/check.js';
import { clearShardFiles } from '../../check/shard.js';
import { UsageError } from '../../model/errors.js';
import { type Command, EXIT, parseParams, wholeAtLeast, modelRunOptions } from '../options.js';
import { BIN, shardArgv, type ShardArgs } from './shard.js';

interface SlurmArgs extends Omit<ShardArgs, 'json' | 'workers' | 'shard' | 'report' | 'out'> {
  out: string;
  partition?: string;
  time?: string;
  mem?: string;
  account?: string;
  wait: boolean;
}

/** A word for a POSIX shell, quoted unless it is plainly safe. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Run sbatch; its job id (with --parsable), or its exit code with --wait. */
function sbatch(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('sbatch', args, { encoding: 'utf8' });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError('sbatch is not on the PATH: faultline slurm submits jobs to a Slurm cluster (from a node where sbatch works)');
    throw r.error;
  }
  if (r.status !== 0 && !args.includes('--wait')) throw new UsageError(`sbatch ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`}`);
  return { status: r.status ?? 1, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** The `#SBATCH` lines every job of the run gets. */
function common(args: SlurmArgs, cwd: string): string[] {
  return [
    `#SBATCH --chdir=${sh(cwd)}`,
    ...(args.partition ? [`#SBATCH --partition=${sh(args.partition)}`] : []),
    ...(args.account ? [`#SBATCH --account=${sh(args.account)}`] : []),
  ];
}

export const slurmCommand: Command<SlurmArgs> = {
  usage: 'slurm <target>',
  describe: 'submit a sharded check to Slurm: the shards as a job array, the merge as a job after it',
  options: (y) =>
    modelRunOptions(y.positional('target', { type: 'string', demandOption: true, describe: 'model file' }))
      .option('shards', { type: 'number', demandOption: true, describe: 'how many shards (array tasks)' })
      .option('out', { type: 'string', demandOption: true, describe: 'the folder of the shard files, the scripts and the merge: on a file system every node sees' })
      .option('split-depth', { type: 'number', describe: 'the depth of the level split between the shards (default: the first with 256 states a shard)' })
      .option('partition', { type: 'string', describe: 'Slurm partition (sbatch --partition)' })
      .option('account', { type: 'string', describe: 'Slurm account (sbatch --account)' })
      .option('time', { type: 'string', describe: "each shard's time limit, in sbatch's format (04:00:00); a shard out of time writes what it found" })
      .option('mem', { type: 'string', describe: "each shard's memory, in sbatch's format (8G)" })
      .option('wait', { type: 'boolean', default: false, describe: "wait for the merge, print its output and exit with its code" })
      .option('max-depth', { type: 'number', describe: 'explore states at most this many steps deep' })
      .option('max-states', { type: 'number', describe: 'stop each shard after this many distinct states' })
      .option('time-limit', { type: 'number', describe: 'stop each shard after this many seconds' })
      .option('max-memory', { type: 'number', describe: "stop a shard when its memory reaches this many MiB (default: 80% of its node's)" })
      .option('action-timeout', { type: 'number', describe: "a model's action that runs this many seconds without returning is stopped and reported (default 30)" })
      .option('deadlock', { type: 'boolean', default: true, describe: 'report states without successors (--no-deadlock: do not)' })
      .option('liveness', { type: 'boolean', default: true, describe: '--no-liveness: say that a sharded run, which checks safety only, may skip the liveness properties' })
      .option('witness', { type: 'string', describe: 'find the shortest path to a state where this witness of the model holds' })
      .option('invariant', { type: 'string', array: true, describe: 'check only this invariant of the model (repeatable)' })
      .option('symmetry', { type: 'boolean', default: true, describe: "use the model's symmetry reduction (--no-symmetry: explore every state)" }),
  run: async (args) => {
    const count = wholeAtLeast('shards', args.shards, 1)!;
    if (args.splitDepth !== undefined) wholeAtLeast('split-depth', args.splitDepth, 0);
    const cwd = process.cwd();
    // The model, its variant and params, once here: an error now rather than in every task.
    await buildModel(args.target, {
      ...(args.variant !== undefined ? { variant: args.variant } : {}),
      params: parseParams(args.param),
      faults: parseParams(args.faults, 'faults'),
      ...(args.witness ? { witness: args.witness } : {}),
      ...(args.invariant?.length ? { invariants: args.invariant.map(String) } : {}),
    }, args.target);
    if (existsSync(args.out) && !statSync(args.out).isDirectory()) throw new UsageError(`${args.out} is not a folder`);
    const out = resolve(args.out);
    mkdirSync(out, { recursive: true });
    // The folder is this run's: shard files of an earlier one would not merge with its own.
    clearShardFiles(out);
    const node = process.execPath;
    const name = `faultline-${args.target.replace(/^.*\//, '').replace(/\.[cm]?[jt]s$/, '')}`;

    const check = shardArgv(args, '$SLURM_ARRAY_TASK_ID', count, out, false).map((w) => (w.startsWith('$SLURM_ARRAY_TASK_ID/') ? `"${w}"` : sh(w)));
    const shards = [
      '#!/bin/bash',
      `# faultline slurm: shard $SLURM_ARRAY_TASK_ID of ${count} (docs/scale-out.md). Submit again with: sbatch ${sh(join(out, 'shards.sbatch'))}`,
      `#SBATCH --job-name=${name}`,
      `#SBATCH --array=0-${count - 1}`,
      `#SBATCH --output=${sh(join(out, 'slurm-%A_%a.out'))}`,
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=1',
      ...(args.time ? [`#SBATCH --time=${sh(args.time)}`] : []),
      ...(args.mem ? [`#SBATCH --mem=${sh(args.mem)}`] : []),
      ...common(args, cwd),
      `exec ${sh(node)} ${sh(BIN)} ${check.join(' ')}`,
      '',
    ].join('\n');
    const merge = [
      '#!/bin/bash',
      `# faultline slurm: the merge of the ${count} shards, once the array has ended. Its exit code is the verdict (0, 12, 11).`,
      `#SBATCH --job-name=${name}-merge`,
      `#SBATCH --output=${sh(join(out, 'merge.out'))}`,
      '#SBATCH --ntasks=1',
      ...common(args, cwd),
      `exec ${sh(node)} ${sh(BIN)} merge ${sh(out)} --report ${sh(join(out, 'report'))}`,
      '',
    ].join('\n');
    const shardsFile = join(out, 'shards.sbatch');
    const mergeFile = join(out, 'merge.sbatch');
    writeFileSync(shardsFile, shards, { mode: 0o755 });
    writeFileSync(mergeFile, merge, { mode: 0o755 });

    const array = sbatch(['--parsable', shardsFile]).stdout.split(';')[0]!;
    // afterany: the merge runs however the tasks ended, and says which shard is missing if one failed.
    const after = ['--parsable', `--dependency=afterany:${array}`];
    if (!args.wait) {
      const mergeJob = sbatch([...after, mergeFile]).stdout.split(';')[0]!;
      process.stdout.write(
        [
          `submitted ${count} shards of ${args.target} as job array ${array} (tasks 0-${count - 1}), and the merge as job ${mergeJob} after it`,
          `  scripts: ${shardsFile}, ${mergeFile}`,
          `  follow: squeue -j ${array},${mergeJob}; the verdict: ${join(out, 'merge.out')} (and sacct -j ${mergeJob}: its exit code), the report: ${join(out, 'report', 'index.html')}`,
          '',
        ].join('\n'),
      );
      return EXIT.ok;
    }
    process.stderr.write(`submitted ${count} shards as job array ${array}; waiting for the merge\n`);
    const r = sbatch([...after, '--wait', mergeFile]);
    const log = join(out, 'merge.out');
    if (existsSync(log)) process.stdout.write(readFileSync(log, 'utf8'));
    else process.stderr.write(r.stderr);
    return r.status;
  },
};
