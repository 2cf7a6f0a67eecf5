/**
 * `faultline bench` (`npm run bench`): TwoPhase at several sizes, each in a fresh process so that
 * its peak memory is its own. Prints distinct states per second and bytes per distinct state.
 * A benchmark for people and docs/performance.md, not a test.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../model/errors.js';
import type { CheckJson } from '../../report/json.js';
import { type Command } from '../options.js';

const bin = fileURLToPath(new URL('../../../bin/faultline.mjs', import.meta.url));
const model = fileURLToPath(new URL('../../../models/classic/two-phase.ts', import.meta.url));

export async function runBench(rmsList: string, workers = 1): Promise<number> {
  const sizes = rmsList.split(',').map((x) => Number(x.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--rms expects whole numbers, got ${rmsList}`);
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(`TwoPhase benchmark — node ${process.version}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${workers} worker(s)\n`);
  process.stdout.write('  rms     distinct     generated   time (s)   distinct/s   generated/s   peak RSS   bytes/distinct\n');
  for (const rms of sizes) {
    const r = spawnSync(process.execPath, [bin, 'check', model, '--param', `rms=${rms}`, '--workers', String(workers), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new UsageError(`benchmark run rms=${rms} failed: ${(r.stderr || r.stdout).split('\n')[0]}`);
    const j = JSON.parse(r.stdout) as CheckJson;
    const s = j.stats!;
    const secs = s.durationMs / 1000;
    process.stdout.write(
      `  ${String(rms).padStart(3)}  ${s.distinctStates.toLocaleString('en-US').padStart(11)}  ${s.generatedStates.toLocaleString('en-US').padStart(12)}  ${secs.toFixed(2).padStart(9)}  ${Math.round(s.distinctStates / secs).toLocaleString('en-US').padStart(11)}  ${Math.round(s.generatedStates / secs).toLocaleString('en-US').padStart(12)}  ${(s.peakMemoryBytes / 2 ** 20).toFixed(0).padStart(6)} MiB  ${Math.round(s.peakMemoryBytes / s.distinctStates).toLocaleString('en-US').padStart(15)}\n`,
    );
  }
  return 0;
}

export const benchCommand: Command<{ rms: string; workers: number }> = {
  usage: 'bench',
  describe: 'benchmark the explorer on TwoPhase (see docs/performance.md)',
  options: (y) =>
    y
      .option('rms', { type: 'string', default: '5,6,7,8', describe: 'comma-separated RM counts' })
      .option('workers', { type: 'number', default: 1, describe: 'worker threads per run' }),
  run: (a) => runBench(String(a.rms), Number(a.workers)),
};
