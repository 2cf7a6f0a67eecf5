/**
 * `faultline slurm` against a real single-node Slurm cluster (docs/scale-out.md): the test installs
 * Debian's packages if they are missing (munge, slurmctld, slurmd: `slurm-wlm`), starts a private
 * munged, slurmctld and slurmd in a temporary folder (their own socket, ports and state), submits
 * sharded checks, and stops the daemons. Where the packages cannot be installed (not root, no
 * apt-get, no network) it is skipped, saying so loudly.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv, timeout = 60_000): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin`, ...env }, timeout });
const found = (cmd: string) => run('sh', ['-c', `command -v ${cmd}`]).status === 0;
const DAEMONS = ['sbatch', 'slurmctld', 'slurmd', 'munged', 'scontrol', 'sinfo'];

/** Why the cluster cannot be had here, or null once the packages are there. */
function install(): string | null {
  if (DAEMONS.every(found)) return null;
  if (process.getuid?.() !== 0) return 'the Slurm packages are not installed and installing them needs root';
  if (!found('apt-get')) return 'the Slurm packages are not installed and there is no apt-get';
  const r = run('apt-get', ['install', '-y', '--no-install-recommends', 'slurm-wlm', 'munge'], { DEBIAN_FRONTEND: 'noninteractive' }, 600_000);
  if (r.status !== 0) return `apt-get install slurm-wlm munge failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  return DAEMONS.every(found) ? null : `installed, but ${DAEMONS.filter((d) => !found(d)).join(', ')} not found`;
}

const why = install();
if (why !== null) console.warn(`\n*** test/slurm.test.ts SKIPPED: ${why}. faultline slurm is not tested here. ***\n`);

describe.skipIf(why !== null)('faultline slurm on a single-node Slurm cluster', () => {
  // Made in beforeAll, so that a skipped run leaves nothing behind.
  let dir = '';
  let conf = '';
  let socket = '';
  const env: NodeJS.ProcessEnv = {};
  const cli = (...args: string[]) => run(process.execPath, ['bin/faultline.mjs', ...args], env, 120_000);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-slurm-'));
    conf = join(dir, 'slurm.conf');
    socket = join(dir, 'munge.sock');
    env.SLURM_CONF = conf;
    // A private munge: its own key and socket.
    writeFileSync(join(dir, 'munge.key'), randomBytes(1024), { mode: 0o600 });
    const munged = run('munged', ['--force', `--socket=${socket}`, `--key-file=${join(dir, 'munge.key')}`, `--log-file=${join(dir, 'munged.log')}`, `--pid-file=${join(dir, 'munged.pid')}`, `--seed-file=${join(dir, 'munged.seed')}`]);
    expect(munged.status, munged.stderr).toBe(0);
    // Ports of its own, and a scheduler that starts a job as soon as its dependency is met.
    const port = 20000 + Math.floor(Math.random() * 20000);
    for (const d of ['state', 'spool']) mkdirSync(join(dir, d));
    writeFileSync(
      conf,
      [
        'ClusterName=faultline-test',
        'SlurmctldHost=localhost',
        `SlurmctldPort=${port}`,
        `SlurmdPort=${port + 1}`,
        'AuthType=auth/munge',
        `AuthInfo=socket=${socket}`,
        'CredType=cred/munge',
        'SlurmUser=root',
        'SlurmdUser=root',
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'SchedulerType=sched/builtin',
        'SchedulerParameters=sched_interval=1',
        'ReturnToService=2',
        'MpiDefault=none',
        'NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN',
        'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    for (const [daemon, args] of [['slurmctld', ['-f', conf]], ['slurmd', ['-f', conf, '-N', 'localhost']]] as const) {
      const r = run(daemon, args);
      expect(r.status, `${daemon}: ${r.stderr}`).toBe(0);
    }
    // Up once the node is idle.
    for (let i = 0; i < 60; i++) {
      if (/idle/.test(run('sinfo', ['-h', '-o', '%T'], env).stdout)) return;
      spawnSync('sleep', ['0.5']);
    }
    throw new Error(`the test cluster did not come up: ${readFileSync(join(dir, 'slurmctld.log'), 'utf8').slice(-2000)}`);
  }, 60_000);

  afterAll(() => {
    // No job may outlive the cluster (a job's slurmstepd would wait for its slurmd for ever).
    run('scancel', ['--full', '--user', String(process.getuid?.() ?? 0)], env);
    for (let i = 0; i < 40 && run('squeue', ['-h'], env).stdout.trim() !== ''; i++) spawnSync('sleep', ['0.5']);
    run('scontrol', ['shutdown'], env);
    run('munged', ['--stop', `--socket=${socket}`]);
    // scontrol shutdown returns before the daemons have gone: give them a moment before the folder goes.
    spawnSync('sleep', ['2']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the shards as an array job and the merge after it: check\'s figures; a violation exits 12', () => {
    const one = JSON.parse(cli('check', 'models/classic/two-phase.ts', '--param', 'rms=3', '--json').stdout) as { stats: { distinctStates: number; diameter: number } };
    const out = join(dir, 'ok');
    // Most of the time (about 10 s a run) is Slurm's: starting jobs, and noticing they ended.
    const r = cli('slurm', 'models/classic/two-phase.ts', '--param', 'rms=3', '--shards', '3', '--split-depth', '3', '--out', out, '--wait');
    const bad = cli('slurm', 'models/classic/two-phase.ts', '--variant', 'commit-without-votes', '--shards', '2', '--split-depth', '1', '--out', join(dir, 'bad'), '--wait');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${one.stats.distinctStates.toLocaleString('en-US')} distinct states`);
    expect(r.stdout).toContain(`diameter ${one.stats.diameter}`);
    expect(r.stdout).toMatch(/3 shards split at depth 3/);
    expect(readFileSync(join(out, 'shards.sbatch'), 'utf8')).toMatch(/#SBATCH --array=0-2/);
    expect(bad.status, bad.stderr).toBe(12);
    expect(bad.stdout).toMatch(/TCConsistent violated[\s\S]*shortest trace: 3 steps/);
  }, 180_000);

  it('without --wait, says what it submitted; a bad variant is refused before anything is submitted', () => {
    const r = cli('slurm', 'models/classic/two-phase.ts', '--shards', '2', '--out', join(dir, 'nowait'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submitted 2 shards of models\/classic\/two-phase\.ts as job array \d+ \(tasks 0-1\), and the merge as job \d+ after it/);
    const [, array, merge] = /job array (\d+) .* merge as job (\d+)/.exec(r.stdout)!;
    run('scancel', [array!, merge!], env);
    const v = cli('slurm', 'models/classic/two-phase.ts', '--variant', 'nope', '--shards', '2', '--out', join(dir, 'nope'));
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(/unknown variant "nope"/);
  }, 60_000);
});
