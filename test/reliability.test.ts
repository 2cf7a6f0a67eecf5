/**
 * Limits and interruptions: a check stops when told to — by its time limit however slow one step
 * is, by the memory ceiling before V8 gives up, by Ctrl-C or SIGTERM — and says so, with what it
 * found so far.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = 'bin/faultline.mjs';

function json(stdout: string): { result: string; complete: boolean; stopReason: string | null; stats: { distinctStates: number; durationMs: number } } {
  return JSON.parse(stdout);
}

/**
 * Run the CLI and send `signal`: once it has printed its first progress line; or, with `when` a
 * text, once its stderr holds that text (a fixture saying it is stuck); or, with `when` a number,
 * that many milliseconds after it started. Collect the outcome and how long it took to end after
 * the signal.
 */
function interrupted(signal: NodeJS.Signals, args: string[], when?: string | number): Promise<{ code: number | null; out: string; endedMs: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, ...(when === undefined ? ['--progress'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = 0;
    const send = () => {
      if (sent) return;
      sent = performance.now();
      child.kill(signal);
    };
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (when === undefined || (typeof when === 'string' && err.includes(when))) send();
    });
    if (typeof when === 'number') setTimeout(send, when);
    child.on('close', (code) => resolve({ code, out, endedMs: performance.now() - sent }));
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
    // regress's case workers, from /proc (field 4 of /proc/<pid>/stat is the parent; the TypeScript
    // loader's esbuild process is a child too, and is not one of them).
    const children = () =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            const parent = readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1];
            return parent === String(child.pid) && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('regress-worker');
          } catch {
            return false;
          }
        })
        .map(Number);
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

describe('bad input, one clear answer', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  it('--json gets a JSON document even for a usage error', () => {
    const r = cli('check', 'models/classic/two-phase.ts', '--variant', 'nope', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'error', error: expect.stringMatching(/unknown variant "nope"/) });
  });

  it('check <folder> --json lists the files that failed to load too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-folder-'));
    writeFileSync(join(dir, 'a-good.ts'), "import { defineModel } from 'faultline';\nexport default defineModel({ name: 'good', build: () => ({ init: [0], next: () => [], deadlock: false }) });\n");
    writeFileSync(join(dir, 'b-broken.ts'), "import { defineModel } from 'faultline';\nexport default defineModel({ name: 'broken', build: () => ({ init: [0], next: (n) => [n + ] }) });\n");
    const r = cli('check', dir, '--json');
    const docs = JSON.parse(r.stdout) as { result: string; file?: string; error?: string }[];
    expect(docs.map((d) => d.result)).toEqual(['ok', 'error']);
    expect(docs[1]!.file).toMatch(/b-broken\.ts$/);
    expect(r.status).toBe(1);
  });

  it('--workers beyond the cores: said once, and the cores used', () => {
    const r = cli('check', 'models/classic/two-phase.ts', '--workers', '64');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^faultline: --workers 64 on a machine with \d+ cores: using \d+\n$/);
  });

  it('render of a malformed ITF file: one line saying what is wrong', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-itf-')), 'bad.itf.json');
    writeFileSync(file, JSON.stringify({ vars: ['state'], states: [{ state: { '#set': 5 } }] }));
    const r = cli('render', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/state 0: not an ITF value: #set must hold a list, got 5\n$/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('faultline report escapes what it reads from result.json and links with ./', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-index-'));
    mkdirSync(join(dir, 'javascript:alert(1)'), { recursive: true });
    const json = { model: 'm', variant: 'v', params: {}, result: 'violation', complete: true, stopReason: null, stats: { distinctStates: '<img src=x onerror=alert(1)>' }, violation: { kind: 'invariant', name: 'I', length: '<b>3</b>', trace: [] } };
    writeFileSync(join(dir, 'javascript:alert(1)', 'result.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'javascript:alert(1)', 'index.html'), '');
    expect(cli('report', dir).status).toBe(0);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>3</b>');
    expect(html).toContain('href="./javascript:alert(1)/index.html"');
  });

  it('regress: a malformed file is an error of its own, the others still run; similar case names get their own folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-specs-'));
    const model = join(process.cwd(), 'models/classic/two-phase.ts');
    writeFileSync(join(dir, 'good.yaml'), `model: ${model}\ncases:\n  - name: a b\n    expect: { result: ok }\n  - name: a/b\n    expect: { result: ok }\n`);
    writeFileSync(join(dir, 'bad.yaml'), `model: ${model}\ncases:\n  - variant: correct\n    expekt: { result: ok }\n`);
    const out = join(dir, 'out');
    const r = cli('regress', dir, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/✗ .*bad\.yaml: error: .*unknown key expekt/);
    expect(r.stdout).toMatch(/2 of 2 cases as expected, 1 regression file\(s\) could not be read/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/unknown key expekt/);
    expect(readdirSync(join(out, 'good')).filter((d) => d.startsWith('a_b')).length).toBe(2);
  });
});

describe('the command line is checked before any work', () => {
  it('a misspelt option stops the command before it runs (nothing on stdout)', () => {
    for (const args of [['check', 'models/classic/two-phase.ts', '--varient', 'x'], ['regress', '--filtr', 'x']]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
    }
  });

  it('a word beyond the command\'s arguments stops it before it runs', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'models/classic/two-phase.ts', 'extra'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('faultline: unexpected argument: extra (see faultline check --help)\n');
  });

  it('--version prints the package version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('simulate within its time limit', () => {
  it('stops generating runs at the limit and reports the runs it made, with stopReason "time-limit"', () => {
    const r = spawnSync(process.execPath, [BIN, 'simulate', 'test/fixtures/endless.ts', '--runs', '100000000', '--time-limit', '1', '--json'], { encoding: 'utf8', timeout: 60_000 });
    const j = JSON.parse(r.stdout) as { stopReason: string; simulation: { runs: number }; stats: { durationMs: number } };
    expect(j.stopReason).toBe('time-limit');
    // 10^8 runs of up to 200 steps would take hours: the limit stopped it.
    expect(j.simulation.runs).toBeGreaterThan(0);
    expect(j.simulation.runs).toBeLessThan(100_000_000);
  });
});

describe('Ctrl-C wherever the search is', () => {
  it.each([[[]], [['--workers', '2']]])('while an action never returns (%j): the check ends at once with what it found, not after --action-timeout', async (extra) => {
    // The action loops on state 3; the timeout (60 s) is far beyond the test's own.
    const r = await interrupted('SIGINT', ['check', 'test/fixtures/loops.ts', '--param', 'say=true', '--action-timeout', '60', '--json', ...extra], 'stuck');
    expect(r.code).toBe(0);
    expect(json(r.out)).toMatchObject({ result: 'ok', complete: false, stopReason: 'interrupted' });
    expect(json(r.out).stats.distinctStates).toBe(4);
  });

  it('in the middle of a level on worker threads: the workers stop their parts', async () => {
    // Level 1 is 1,000 expansions of 20 ms: 10 s per worker if the level had to end first.
    const r = await interrupted('SIGINT', ['check', 'test/fixtures/wide.ts', '--workers', '2', '--json']);
    expect(r.code).toBe(0);
    expect(json(r.out)).toMatchObject({ result: 'ok', complete: false, stopReason: 'interrupted', stats: { distinctStates: 1001 } });
    expect(r.endedMs).toBeLessThan(5000);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s ends simulate with the runs it made, stopReason "interrupted"', async (signal) => {
    // Sent once the first runs are made (the first progress line), not after a fixed delay that a
    // busy machine may not have started the simulation by.
    const r = await interrupted(signal, ['simulate', 'test/fixtures/endless.ts', '--runs', '100000000', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { stopReason: string; simulation: { runs: number } };
    expect(j.stopReason).toBe('interrupted');
    expect(j.simulation.runs).toBeLessThan(100_000_000);
  });

  it('simulate: an action that never returns is stopped after --action-timeout, or at once by Ctrl-C', async () => {
    const r = spawnSync(process.execPath, [BIN, 'simulate', 'test/fixtures/loops.ts', '--action-timeout', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('faultline: action next on state 3 did not return within 1 s\n');
    const i = await interrupted('SIGINT', ['simulate', 'test/fixtures/loops.ts', '--param', 'say=true', '--action-timeout', '60', '--json'], 'stuck');
    expect(i.code).toBe(0);
    expect(JSON.parse(i.out)).toMatchObject({ result: 'ok', stopReason: 'interrupted' });
  });
});

describe('worker threads that go away', () => {
  it('a worker thread that exits without an answer: the search falls back to one thread instead of hanging', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/exits.ts', '--workers', '2', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    // The single-threaded search explores 0..6: seven states.
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'ok', complete: true, stats: { distinctStates: 7 } });
  });
});

describe('an action that never returns', () => {
  it('is stopped after --action-timeout and reported: which action, which state', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/loops.ts', '--action-timeout', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('faultline: action next on state #3 (depth 3) 3 did not return within 1 s\n');
  });

  it('is stopped by the time limit too (plus a second of grace)', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', 'test/fixtures/loops.ts', '--time-limit', '0.5'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^faultline: action next on state #3 \(depth 3\) 3 did not return within 1(\.\d)? s\n$/);
  });
});
