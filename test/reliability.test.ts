/**
 * Limits and interruptions: a check stops when told to — by its time limit however slow one step
 * is, by the memory ceiling before V8 gives up, by Ctrl-C or SIGTERM — and says so, with what it
 * found so far.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = 'bin/faultline.mjs';

function json(stdout: string): { result: string; complete: boolean; stopReason: string | null; stats: { distinctStates: number; durationMs: number } } {
  return JSON.parse(stdout);
}

/** Run the CLI, send `signal` once it has printed its first progress line, and collect the outcome. */
function interrupted(signal: NodeJS.Signals, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.once('data', () => child.kill(signal));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('limits and signals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s ends a check with what it found, stopReason "interrupted", exit 0', async (signal) => {
    const r = await interrupted(signal, ['check', 'test/fixtures/endless.ts', '--json']);
    expect(r.code).toBe(0);
    const j = json(r.out);
    expect(j).toMatchObject({ result: 'ok', complete: false, stopReason: 'interrupted' });
    expect(j.stats.distinctStates).toBeGreaterThan(0);
  });

  it('the time limit holds when one expansion takes 40 ms (it used to be read every 256 expansions)', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/endless.ts', '--param', 'work=40', '--time-limit', '0.5', '--json'], { encoding: 'utf8' });
    const j = json(r.stdout);
    expect(j).toMatchObject({ complete: false, stopReason: 'time-limit' });
    // 256 expansions would be over 10 s; a check every few expansions stops within a step or two.
    expect(j.stats.durationMs).toBeLessThan(2000);
  });

  it('the time limit holds on worker threads when every level is narrow (it used to be read only inside wide levels)', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/endless.ts', '--workers', '2', '--time-limit', '1', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(json(r.stdout)).toMatchObject({ complete: false, stopReason: 'time-limit' });
  });

  it('a space larger than the heap stops with stopReason "memory" instead of a V8 abort', () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=150', BIN, 'check', 'test/fixtures/heapy.ts', '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status).toBe(0);
    expect(json(r.stdout)).toMatchObject({ result: 'ok', complete: false, stopReason: 'memory' });
  });

  it('--max-memory sets the ceiling (1 MiB: the process is past it at the first look)', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/endless.ts', '--max-memory', '1', '--json'], { encoding: 'utf8' });
    expect(json(r.stdout)).toMatchObject({ complete: false, stopReason: 'memory' });
  });
});

describe('regress interrupted', () => {
  it('SIGTERM kills the running cases’ worker processes, waits for them, and exits 130', async () => {
    const child = spawn(process.execPath, [BIN, 'regress', 'test/fixtures/specs-endless', '--out', 'reports/test-regress-interrupted'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const children = () => spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
    let workers: number[] = [];
    for (let waited = 0; workers.length === 0 && waited < 30_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      workers = children();
    }
    expect(workers.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000)); // the case is running
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(out).toMatch(/interrupted \(SIGTERM\): 0 of 1 cases ran/);
    const alive = workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});

describe('output that goes wrong', () => {
  it('a NUL or an escape character in a label: the report is still written, the exit code is still 12', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-nul-'));
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/nul-label.ts', '--report', dir], { encoding: 'utf8' });
    expect(r.status).toBe(12);
    expect(r.stdout).toContain('step␀0␛');
    expect(readFileSync(join(dir, 'sequence.svg'), 'utf8')).toContain('step␀0␛');
  });

  it('a report folder used again holds only the new run’s files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-again-'));
    spawnSync(process.execPath, [BIN, 'check', 'models/classic/two-phase.ts', '--variant', 'commit-without-votes', '--report', dir]);
    expect(existsSync(join(dir, 'trace.itf.json'))).toBe(true);
    const r = spawnSync(process.execPath, [BIN, 'check', 'models/classic/two-phase.ts', '--report', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'trace.itf.json'))).toBe(false);
    expect(existsSync(join(dir, 'sequence.svg'))).toBe(false);
  });

  it('a reader that stops reading (| head -1) ends the run quietly', async () => {
    const child = spawn(process.execPath, [BIN, 'list'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((r) => child.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('a folder that cannot be written: one line naming the failed call', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'models/classic/two-phase.ts', '--report', '/dev/null/x'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('faultline: mkdir /dev/null/x failed: ENOTDIR (not a folder)\n');
  });
});
