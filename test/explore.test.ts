/**
 * `faultline explore`'s HTTP API: the token is required, a path gives the state and the steps the
 * model allows there, a bad path a clear error; the shortest path from a state agrees with `check`;
 * a saved counterexample opens as a path; and the command serves until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/check.js';
import { type Explorer, startExplorer } from '../src/explore/server.js';
import { type ExploreState, type FindResult, Session } from '../src/explore/session.js';
import type { ActorsView, PlainView } from '../src/explore/view.js';
import { itfDocument, readItf } from '../src/report/itf.js';
import { defineModel } from '../src/index.js';

const AT_LEAST_ONCE = 'models/examples/at-least-once.ts';

describe('explore: the HTTP API', () => {
  let session: Session;
  let server: Explorer;
  const base = () => `http://127.0.0.1:${server.port}`;
  const get = (what: string, q: Record<string, string> = {}, token = server.token) => fetch(`${base()}${what}?${new URLSearchParams({ token, ...q })}`);
  const state = async (path: string): Promise<ExploreState> => {
    const r = await get('/api/state', { path });
    expect(r.status).toBe(200);
    return (await r.json()) as ExploreState;
  };
  /** The path after taking, from `path`, the enabled steps with these labels in turn. */
  const take = async (path: string, ...labels: string[]): Promise<string> => {
    for (const label of labels) {
      const s = await state(path);
      const step = s.enabled.find((e) => e.label === label);
      expect(step, `${label} at ${path}; enabled: ${s.enabled.map((e) => e.label).join(' | ')}`).toBeDefined();
      path = `${path}.${step!.index}`;
    }
    return path;
  };

  beforeAll(async () => {
    // volatile-dedupe: the server remembers applied ids in memory only, so after a crash a retry counts twice.
    session = await Session.open(AT_LEAST_ONCE, { variant: 'volatile-dedupe' });
    server = await startExplorer(session);
  });
  afterAll(async () => server?.close());

  it('refuses every request without the token, or with another one, or for another host', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{32}$/);
    for (const what of ['/', '/api/state', '/api/chart', '/api/find', '/favicon.ico']) {
      expect((await fetch(base() + what)).status, what).toBe(403);
      expect((await get(what, {}, 'x'.repeat(32))).status, what).toBe(403);
      expect((await get(what, {}, server.token.slice(1))).status, what).toBe(403);
    }
    expect((await get('/')).status).toBe(200);
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
    const status = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port: server.port, path: `/api/state?token=${server.token}`, headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(403);
  });

  it('serves a page that loads nothing from elsewhere, and runs only its own script', async () => {
    const r = await get('/');
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await r.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    // Another request, another nonce.
    expect((await get('/')).headers.get('content-security-policy')).not.toBe(csp);
  });

  it('the initial state: the client’s request in flight, its retry timer armed, the steps the model allows', async () => {
    const s = await state('0');
    expect(s.path).toEqual([0]);
    expect(s.steps).toEqual([{ label: 'initial state' }]);
    const v = s.view as ActorsView;
    expect(v.kind).toBe('actors');
    expect(v.nodes.map((n) => [n.id, n.role, n.up, n.timers])).toEqual([
      ['client', 'client', true, ['retry']],
      ['server', 'server', true, []],
    ]);
    // seen is the server's only volatile field (the variant's bug lives there).
    expect(v.nodes[1]!.fields.map((f) => [f.name, f.value, f.volatile])).toEqual([
      ['count', '0', false],
      ['applied', '[]', false],
      ['seen', '[]', true],
    ]);
    expect(v.inFlight).toEqual([{ text: 'client→server Inc {id: 1}', from: 'client', to: 'server', count: 1, held: false }]);
    expect(v.partition).toBeNull();
    // The model's default budgets: one of each fault but partitions (its budget is 0, not shown).
    expect(v.budgets).toEqual(['crash', 'restart', 'drop', 'duplicate'].map((kind) => ({ kind, total: 1, left: 1 })));
    // From the model: the Inc can be delivered, the retry timer can fire; the server (the client
    // does not crash) can crash, and the one message in flight can be dropped or copied.
    expect(s.enabled.map((e) => [e.group, e.label])).toEqual([
      ['deliveries', 'client→server Inc {id: 1}'],
      ['timeouts', 'client timeout retry'],
      ['faults', 'crash server'],
      ['faults', 'drop client→server Inc {id: 1}'],
      ['faults', 'duplicate client→server Inc {id: 1}'],
    ]);
    expect(s.invariants.map((i) => [i.name, i.holds])).toEqual([
      ['ExactlyOnce', true],
      ['AckedApplied', true],
    ]);
    expect(s.targets.map((t) => t.id)).toEqual(['invariant:ExactlyOnce', 'invariant:AckedApplied', 'witness:AllAcked', 'witness:DoubleCount']);
  });

  it('a crash and a retry: the state at each step, and the invariant the variant breaks, with its explanation', async () => {
    const applied = await take('0', 'client→server Inc {id: 1}');
    const crashed = await take(applied, 'crash server');
    let s = await state(crashed);
    let v = s.view as ActorsView;
    // The crash kept the durable count and applied ids, reset the volatile seen ids, and the server is down.
    expect(v.nodes[1]).toMatchObject({ id: 'server', up: false, changed: true });
    expect(v.nodes[1]!.fields.map((f) => [f.name, f.value, f.changed])).toEqual([
      ['count', '1', false],
      ['applied', '[1]', false],
      ['seen', '[]', true],
    ]);
    expect(v.budgets.find((b) => b.kind === 'crash')!.left).toBe(0);
    // Down, it can only restart: no second crash.
    expect(s.enabled.filter((e) => e.node === 'server').map((e) => e.label)).toEqual(['restart server']);
    const retried = await take(crashed, 'restart server', 'client timeout retry');
    s = await state(retried);
    // The retry's delivery would count the request twice: the page flags it before it is taken.
    expect(s.enabled.find((e) => e.label === 'client→server Inc {id: 1}')!.breaks).toEqual(['ExactlyOnce']);
    s = await state(await take(retried, 'client→server Inc {id: 1}'));
    expect(s.steps.map((x) => x.label)).toEqual(['initial state', 'client→server Inc {id: 1}', 'crash server', 'restart server', 'client timeout retry', 'client→server Inc {id: 1}']);
    v = s.view as ActorsView;
    expect(v.nodes[1]!.fields.map((f) => [f.name, f.value])).toEqual([
      ['count', '2'],
      ['applied', '[1]'],
      ['seen', '[1]'],
    ]);
    expect(s.invariants.find((i) => !i.holds)).toEqual({ name: 'ExactlyOnce', holds: false, explanation: "the server's count is 2 but it applied only 1 distinct request(s)" });
    expect(s.witnesses.find((w) => w.name === 'DoubleCount')!.holds).toBe(true);
  });

  it('the chart of a path is the reports’ sequence chart, one row per step, the broken invariant noted', async () => {
    const path = await take('0', 'client→server Inc {id: 1}', 'crash server');
    const r = await get('/api/chart', { path });
    expect(r.status).toBe(200);
    const c = (await r.json()) as { svg: string; legend: string };
    const rows = [...c.svg.matchAll(/<title>(step \d+: [^<]*)<\/title>/g)].map((m) => m[1]);
    expect(rows).toEqual(['step 0: start', 'step 1: client→server Inc {id: 1}', 'step 2: crash server']);
    expect(c.legend).toContain('crash');
    const bad = (await (await get('/api/chart', { path: '0.0.2.2.1.0' })).json()) as { svg: string };
    expect(bad.svg).toContain('ExactlyOnce violated');
  });

  it('a bad path gets a clear error, not a stack trace', async () => {
    const error = async (path: string) => {
      const r = await get('/api/state', { path });
      expect(r.status).toBe(400);
      return ((await r.json()) as { error: string }).error;
    };
    expect(await error('0.9')).toBe('path 0.9: step 1 is choice 9, but only 5 steps are enabled there (numbered from 0)');
    expect(await error('1')).toBe('path 1: there is no initial state 1 (the model has 1, numbered from 0)');
    expect(await error('0.x')).toMatch(/^bad path "0\.x": a path is step indices separated by dots/);
    expect(await error('0..1')).toMatch(/^bad path/);
    expect(await error('-1')).toMatch(/^bad path/);
    const r = await get('/api/find', { path: '0', target: 'invariant:Nope' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^nothing to search for called "invariant:Nope"; targets: invariant:ExactlyOnce/);
    expect((await get('/api/nothing')).status).toBe(404);
  });

  it('the shortest path from a state is as long as check’s counterexample, and one step shorter one step along it', async () => {
    const checked = await runCheck(AT_LEAST_ONCE, { variant: 'volatile-dedupe', liveness: false });
    const trace = checked.result.violation!.trace;
    expect(checked.result.violation!.name).toBe('ExactlyOnce');
    const find = async (path: string, target: string) => (await (await get('/api/find', { path, target })).json()) as FindResult;
    const r = await find('0', 'invariant:ExactlyOnce');
    expect(r.found).toBe(true);
    expect(r.steps).toBe(trace.length - 1);
    const end = await state(r.path!.join('.'));
    expect(end.invariants.find((i) => i.name === 'ExactlyOnce')!.holds).toBe(false);
    // check's trace starts by delivering the Inc: from there the shortest way is one step shorter.
    expect(trace[1]!.action).toBe('client→server Inc {"id":1}');
    expect((await find(await take('0', 'client→server Inc {id: 1}'), 'invariant:ExactlyOnce')).steps).toBe(trace.length - 2);
    // A witness: as long as check --witness finds it.
    const witness = await runCheck(AT_LEAST_ONCE, { variant: 'volatile-dedupe', witness: 'AllAcked' });
    expect((await find('0', 'witness:AllAcked')).steps).toBe(witness.result.violation!.trace.length - 1);
    // Where it already holds: zero steps.
    expect((await find(r.path!.join('.'), 'invariant:ExactlyOnce')).steps).toBe(0);
  });

  it('opens a saved counterexample (the ITF trace check --report writes) as a path', async () => {
    const checked = await runCheck(AT_LEAST_ONCE, { variant: 'volatile-dedupe', liveness: false });
    const saved = readItf(JSON.stringify(itfDocument(checked.info, checked.result)), 'trace.itf.json');
    const path = session.pathOf(saved);
    expect(path).toHaveLength(saved.steps.length);
    const s = await state(path.join('.'));
    expect(s.steps.map((x) => x.label)).toEqual(['initial state', ...checked.result.violation!.trace.slice(1).map((t) => labelOf(t.action!))]);
    expect(s.invariants.find((i) => !i.holds)!.name).toBe('ExactlyOnce');
    // A trace the model cannot take (edited, or from another model) is refused, naming the step.
    const edited = { ...saved, steps: saved.steps.map((st, k) => (k === 2 ? { ...st, action: 'crash client' } : st)) };
    expect(() => session.pathOf(edited)).toThrow(/^the trace's step 2 \(crash client\) is not a step the model can take there/);
  });
});

/** An engine label as the reports spell it (message keys' JSON bodies as `{id: 1}`). */
function labelOf(action: string): string {
  return action.replace(/\{"(\w+)":(\d+)\}/g, '{$1: $2}');
}

describe('explore: a plain model', () => {
  it('one card with the state, the actions as steps', async () => {
    const session = await Session.open('models/classic/two-phase.ts', { params: { rms: 2 } });
    const s = session.state([0]);
    const v = s.view as PlainView;
    expect(v.kind).toBe('plain');
    expect(v.fields.map((f) => [f.name, f.value])).toEqual([
      ['rmState', '[working, working]'],
      ['tmState', 'init'],
      ['tmPrepared', '[]'],
      ['msgs', '[]'],
    ]);
    // TLA+'s TwoPhase: at the start each RM may prepare or choose to abort; the TM can only abort.
    expect(s.enabled.map((e) => [e.group, e.label]).sort()).toEqual(
      [['actions', 'TMAbort'], ['actions', 'RMPrepare(r1)'], ['actions', 'RMPrepare(r2)'], ['actions', 'RMChooseToAbort(r1)'], ['actions', 'RMChooseToAbort(r2)']].sort(),
    );
  });
});

describe('explore: several initial states', () => {
  it('the first number of a path picks the initial state', async () => {
    // A counter that starts at 0 or at 10 and counts up to 11.
    const model = defineModel({ name: 'two-starts', build: () => ({ init: [0, 10], actions: { Inc: (n: number) => (n < 11 ? n + 1 : null) }, invariants: { Small: (n: number) => n < 11 } }) });
    const session = await Session.open(model);
    expect(session.state([0]).initialStates).toBe(2);
    expect((session.state([1]).view as PlainView).fields).toEqual([{ name: 'state', value: '10', key: false, volatile: false, changed: false }]);
    expect(session.state([1]).enabled.map((e) => [e.label, e.breaks])).toEqual([['Inc', ['Small']]]);
    expect(() => session.state([2])).toThrow('path 2: there is no initial state 2 (the model has 2, numbered from 0)');
    // From 0, the shortest way to 11 is 11 steps; from 10, one.
    expect((await session.find([0], 'invariant:Small')).steps).toBe(11);
    expect((await session.find([1], 'invariant:Small')).path).toEqual([1, 0]);
  });
});

describe('explore: liveness from a state', () => {
  const BARRIER = 'models/zk-barrier.ts';
  it('finds the run check’s liveness pass finds, from the initial state; and says when the property holds on every run', async () => {
    // A participant crashes before it enters: the barrier never opens (stuck).
    const crashed = await runCheck(BARRIER, { faults: { crash: 1 } });
    const v = crashed.result.violation!;
    expect([crashed.result.result, v.name]).toEqual(['liveness', 'Opens']);
    const session = await Session.open(BARRIER, { faults: { crash: 1 } });
    expect(session.targets().map((t) => t.id)).toContain('liveness:Opens');
    const r = await session.find([0], 'liveness:Opens');
    expect(r.found).toBe(true);
    expect(r.steps).toBe(v.trace.length - 1);
    expect(r.message).toMatch(/^Opens fails from here: stuck after \d+ steps/);
    // The path it gives can be walked (every step enabled where it is taken), as long as check's trace.
    expect(session.state(r.path!).steps).toHaveLength(v.trace.length);
    // Without the crash the barrier opens on every run: as many states as check's liveness graph.
    const ok = await runCheck(BARRIER, {});
    expect(ok.result.result).toBe('ok');
    const holds = await (await Session.open(BARRIER)).find([0], 'liveness:Opens');
    expect([holds.found, holds.complete, holds.explored]).toEqual([false, true, ok.result.liveness!.states]);
    expect(holds.message).toMatch(/^Opens holds on every run from here \(all [\d,]+ states explored\)$/);
  });
});

describe('explore: the command', () => {
  it('prints the URL, serves it, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['bin/faultline.mjs', 'explore', AT_LEAST_ONCE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})\n/.exec(out);
        if (m) (clearTimeout(timer), resolve(m[1]!));
      });
    });
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace(/\?token=.*/, ''))).status).toBe(403);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(out).toContain('faultline explore: stopped');
  }, 30_000);
});
