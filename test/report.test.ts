/**
 * Reports: the sequence chart's DOT structure for traces whose steps are known by hand, SVG
 * rendering, the state graph, ITF traces (format and round trip), HTML escaping, the index.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/check/compile.js';
import { explore } from '../src/check/bfs.js';
import type { CheckResult } from '../src/check/types.js';
import { buildSpec, resolveConfig } from '../src/model/define.js';
import type { AnyModel } from '../src/index.js';
import { stateGraphDot } from '../src/report/graph.js';
import { statusOf } from '../src/report/html.js';
import { fromItf, itfDocument, readItf, toItf } from '../src/report/itf.js';
import type { CheckJson } from '../src/report/json.js';
import { LAYERS, sequenceDot } from '../src/report/sequence.js';
import { Spelling } from '../src/report/spell.js';
import { inLayers, renderSvg } from '../src/report/svg.js';
import { namedOperations, operationsOf, opText, timelineSvg } from '../src/report/timeline.js';
import type { Plain } from '../src/model/values.js';
import { plainTrace } from '../src/report/trace.js';
import { List, Map as IMap, OrderedSet, Record as IRecord, Set as ISet } from 'immutable';
import atLeastOnce from '../models/examples/at-least-once.js';
import tcommit from '../models/classic/tcommit.js';
import paxos from '../models/paxos.js';
import raft3 from '../models/raft.js';
import { expectationFor } from '../src/cli/expectations.js';
import race from './fixtures/race.js';

function run(model: unknown, variant?: string, faults: Record<string, unknown> = {}, params: Record<string, unknown> = {}) {
  const m = model as AnyModel;
  const config = resolveConfig(m, variant, params, faults);
  const spec = buildSpec(m, config);
  return { result: explore(spec) as CheckResult<unknown>, compiled: compile(spec), info: { model: m.name, variant: config.variant, params: { ...config.params }, faults: { ...config.faults } } };
}

const noFaults = { crash: 0, restart: 0, drop: 0, duplicate: 0 };

/** Statements of a DOT text, one per line, trimmed. */
const lines = (dot: string) => dot.split('\n').map((l) => l.trim());
/** A DOT attribute's value (a quoted string unescaped, or a bare word). */
function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|, )${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^,\\]]+))`).exec(attrs);
  if (!m) return undefined;
  return m[2] ?? m[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'l' ? '\n' : c));
}
/** The chart's nodes, by name: their attributes and pinned position (y pointing down). */
function nodesOf(dot: string): Map<string, { attrs: string; x: number; y: number; label?: string; tooltip?: string }> {
  const out = new Map<string, { attrs: string; x: number; y: number; label?: string; tooltip?: string }>();
  for (const l of lines(dot)) {
    const m = /^(\w+) \[(.*)\];$/.exec(l);
    if (!m) continue;
    const p = /pos="(-?[\d.]+),(-?[\d.]+)!"/.exec(m[2]!);
    out.set(m[1]!, { attrs: m[2]!, x: p ? +p[1]! : NaN, y: p ? -p[2]! : NaN, label: attr(m[2]!, 'label'), tooltip: attr(m[2]!, 'tooltip') });
  }
  return out;
}
/** The attributes of the edge from `from` to `to`, if there is one. */
const edge = (dot: string, from: string, to: string) => lines(dot).find((l) => l.startsWith(`${from} -> ${to} [`));
/** Every edge of a class: [from, to, attributes]. */
const edgesOf = (dot: string, cls: string) =>
  lines(dot)
    .map((l) => /^(\w+) -> (\w+) \[(.*)\];$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && new RegExp(`class="${cls}[" ]`).test(m[3]!))
    .map((m) => ({ from: m[1]!, to: m[2]!, attrs: m[3]! }));

describe('sequence chart', () => {
  // at-least-once, no-dedupe, no faults: 1 server gets Inc (sent at start), 2 client's retry
  // timer fires and re-sends Inc, 3 server gets the second Inc and double counts. Both Acks are
  // still in flight at the end.
  const { result, info } = run(atLeastOnce, 'no-dedupe', noFaults);
  const trace = plainTrace(`${info.model}, variant ${info.variant}`, result)!;
  const dot = sequenceDot(trace);
  const nodes = nodesOf(dot);
  const at = (name: string) => nodes.get(name)!;

  it('pins every lane to a column and every step to a row: boxes sit on their lane, rows go down in order', () => {
    expect(dot).toMatch(/^\/\/ .*neato -n2/);
    expect(at('h0').label!.replace(/\n/g, ' ')).toBe('client next: 1, acked: 0, retried: 0');
    expect(at('h1').label!.replace(/\n/g, ' ')).toBe('server count: 0, applied: [], seen: []');
    expect(at('h0').x).toBeLessThan(at('h1').x);
    for (let k = 0; k <= 3; k++) {
      for (const i of [0, 1]) expect(at(`n${k}_${i}`).x).toBe(at(`h${i}`).x);
      expect(at(`n${k}_1`).y).toBe(at(`n${k}_0`).y);
      expect(at(`L${k}`).y).toBe(at(`n${k}_0`).y);
      if (k > 0) expect(at(`n${k}_0`).y).toBeGreaterThan(at(`n${k - 1}_0`).y);
      for (const i of [0, 1]) expect(edge(dot, k === 0 ? `h${i}` : `n${k - 1}_${i}`, `n${k}_${i}`)).toMatch(/class="lifeline", arrowhead=none/);
    }
    // Three lanes are evenly spaced (Raft: s1, s2, s3).
    const raft = nodesOf(sequenceDot(plainTrace('raft', run(raft3, 'no-up-to-date-check').result)!));
    expect(raft.get('h2')!.x - raft.get('h1')!.x).toBeCloseTo(raft.get('h1')!.x - raft.get('h0')!.x, 5);
  });

  it('draws each message straight from the step that sent it to the step that delivered it; one in flight is a stub under its sender', () => {
    const messages = edgesOf(dot, 'message').filter((e) => !e.attrs.includes('stub'));
    expect(messages.map((e) => [e.from, e.to])).toEqual([
      ['n0_0', 'n1_1'], // sent at start, delivered at 1
      ['n2_0', 'n3_1'], // the retry, delivered at 3
    ]);
    expect(attr(messages[0]!.attrs, 'tooltip')).toBe('client→server Inc {id: 1}\nsent at step 0, delivered at step 1');
    // The two Acks: nothing reaches the client; each is a stub from the server's box, going its way.
    const stubs = edgesOf(dot, 'message stub');
    expect(stubs.map((e) => e.from)).toEqual(['n1_1', 'n3_1']);
    for (const [j, s] of stubs.entries()) {
      expect(s.attrs).toMatch(/style=dashed, arrowhead=empty/);
      const end = at(s.to);
      const row = +s.from.slice(1, 2);
      expect(end.x).toBeLessThan(at('h1').x);
      expect(at('h1').x - end.x).toBeLessThan(at('h1').x - at('h0').x);
      expect(end.y).toBeGreaterThan(at(`n${row}_1`).y);
      if (row < 3) expect(end.y).toBeLessThan(at(`n${row + 1}_1`).y);
      expect(at(`SL${j}`).label).toBe('Ack {id: 1} → client (in flight)');
      expect(at(`SL${j}`).tooltip).toBe(`server→client Ack {id: 1}\nsent at step ${row}, still in flight at the end`);
    }
  });

  it('marks the timeout, lists state changes, and highlights the violating step', () => {
    expect(at('n2_0').label).toBe('timeout retry\nretried: 0 → 1');
    expect(at('n2_0').attrs).toMatch(/fillcolor="#fff3cd"/);
    expect(at('n1_1').label).toBe('count: 0 → 1\napplied: + 1\nseen: + 1');
    expect(at('L3').label).toBe('3  client→server Inc {id: 1}');
    expect(at('L3').attrs).toMatch(/fontcolor="#c0392b", fontname="Helvetica-Bold"/);
    expect(at('n3_1').label).toBe('count: 1 → 2');
    expect(at('n3_1').attrs).toMatch(/color="#c0392b", penwidth=2/);
    expect(at('V').label).toBe("✗ ExactlyOnce violated\nthe server's count is 2 but it applied only 1 distinct request(s)\n");
    expect(at('V').y).toBeGreaterThan(at('n3_1').y);
  });

  it('shades a partition over the rows it lasts, escaping every label', () => {
    const d = sequenceDot(plainTrace('race', run(race).result)!);
    const n = nodesOf(d);
    // partition at step 1, never healed: rows 1 and 2 inside the band, row 0 above it.
    const band = n.get('B0')!;
    const half = (+attr(band.attrs, 'height')! * 72) / 2;
    expect(band.tooltip).toBe('partition: s  |  r');
    for (const k of [1, 2]) expect(Math.abs(n.get(`L${k}`)!.y - band.y)).toBeLessThan(half);
    expect(band.y - half).toBeGreaterThan(n.get('L0')!.y);
    // The message text holds quotes, a backslash and angle brackets: quoted and escaped in DOT.
    expect(d).toContain('label="M {text: \\"say \\\\\\"hi\\\\\\" <b>\\\\\\\\o/</b>\\"} → r (in flight)"');
    expect(n.get('V')!.label).toBe('✗ NoEarlyTimeout violated\nr timed out <before> M & "arrived"\n');
  });

  it('ends a dropped message at a cross, and a message lost with a crashed node', () => {
    const dropped = sequenceDot(plainTrace('race', run(race, 'quiet', { partition: 0, drop: 1 }).result)!);
    // drop at step 1, then the timer fires: the arrow from the send ends at a cross on r.
    expect(nodesOf(dropped).get('n1_1')!.label).toBe('✕');
    expect(edge(dropped, 'n0_0', 'n1_1')).toMatch(/class="message", color="#c0392b", style=dashed, arrowhead=none/);
    expect(nodesOf(dropped).get('ML0')!.label).toMatch(/^M \{.*✂ dropped$/);
    const { result: vd } = run(atLeastOnce, 'volatile-dedupe');
    const crashed = sequenceDot(plainTrace('x', vd)!);
    // crash server at step 2 (a box on its lifeline), dashed while it is down, restart at 3.
    expect(nodesOf(crashed).get('n2_1')!.label).toBe('✖ crash\nseen: − 1');
    expect(edge(crashed, 'n2_1', 'n3_1')).toMatch(/style=dashed/);
    expect(edge(crashed, 'n1_1', 'n2_1')).not.toMatch(/style=dashed/);
    expect(nodesOf(crashed).get('n3_1')!.label).toBe('↻ restart');
  });

  it("shortens a message by dropping its least telling fields, never its sender's key fields", () => {
    const rv = (term: number, lastTerm: number) => ({ from: 's1', to: 's2', type: 'RequestVote', body: { lastIndex: 0, lastTerm, term }, key: `s1→s2 RequestVote ${JSON.stringify({ lastIndex: 0, lastTerm, term })}` });
    const steps = [
      { action: null, state: null, event: { kind: 'init' as const, nodes: [{ id: 's1', role: 'server', keyFields: ['term'] }, { id: 's2', role: 'server', keyFields: ['term'] }], sends: [rv(1, 0), rv(2, 1)] } },
      { action: 'x', state: null, event: { kind: 'deliver' as const, node: 's2', message: rv(1, 0), sends: [] } },
    ];
    const sp = new Spelling({ steps });
    // The whole message: key fields first, then the rest by name.
    expect(sp.message(rv(1, 0))).toBe('s1→s2 RequestVote {term: 1, lastIndex: 0, lastTerm: 0}');
    expect(sp.action(steps[1]!)).toBe('s1→s2 RequestVote {term: 1, lastIndex: 0, lastTerm: 0}');
    // Shortened: term stays; lastTerm (it differs between the trace's RequestVotes) before lastIndex (always 0).
    expect(sp.short(rv(1, 0), 40)).toBe('RequestVote {term: 1, lastTerm: 0, …}');
    expect(sp.short(rv(1, 0), 10)).toBe('RequestVote {term: 1, …}');
    // A key in a state is spelled the same way, and a label holding one too (choices kept).
    expect(sp.value({ [rv(2, 1).key]: 1 })).toBe('{s1→s2 RequestVote {term: 2, lastIndex: 0, lastTerm: 1}: 1}');
    expect(sp.label(`drop ${rv(2, 1).key}`)).toBe('drop s1→s2 RequestVote {term: 2, lastIndex: 0, lastTerm: 1}');
    expect(sp.label('a→b Ping [yes]')).toBe('a→b Ping [yes]');
    expect(sp.label('a→b Ping {"n":1} [yes]')).toBe('a→b Ping {n: 1} [yes]');
  });

  it('renders to SVG in-process: every element titled with its whole text, every message one straight segment', async () => {
    const svg = inLayers(await renderSvg(dot, 'nop2'), LAYERS);
    expect(svg).toMatch(/^<\?xml/);
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!.replace(/&#45;/g, '-').replace(/&gt;/g, '>').replace(/&#10;/g, '\n'));
    const names = new Set([...nodes.keys(), ...lines(dot).flatMap((l) => /^(\w+) -> (\w+) /.exec(l)?.slice(1, 3).join('->') ?? [])]);
    expect(titles.filter((t) => names.has(t))).toEqual([]);
    expect(titles).toContain('client→server Inc {id: 1}\nsent at step 0, delivered at step 1');
    expect(titles).toContain('step 3: client→server Inc {id: 1}');
    // Straight: every point of a message's path on the line through its ends.
    const paths = [...svg.matchAll(/class="edge message[^"]*">[\s\S]*?<path [^>]*d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(4);
    for (const d of paths) {
      const p = [...d.matchAll(/-?[\d.]+,-?[\d.]+/g)].map((m) => m[0].split(',').map(Number) as [number, number]);
      const [a, b] = [p[0]!, p[p.length - 1]!];
      for (const q of p) expect(Math.abs((b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0])) / Math.hypot(b[0] - a[0], b[1] - a[1])).toBeLessThan(0.5);
    }
    // Messages are painted over the boxes they cross, labels over messages.
    expect(svg.indexOf('class="edge message')).toBeGreaterThan(svg.lastIndexOf('class="node mark'));
    expect(svg.indexOf('class="node label')).toBeGreaterThan(svg.lastIndexOf('class="edge message'));
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(/Graphviz could not lay out the diagram/);
  });
});

describe('client timeline', () => {
  // A hand-made history: c1 writes 1 (steps 1–3), c2 reads 1 (2–4), then c1 reads 0 (5–6), which
  // cannot follow the completed write; c2's write 2 (from 5) never completes.
  const ev = (process: string, type: string, f: string, value: unknown) => ({ process, type, f, value });
  const histories = [
    [],
    [ev('c1', 'invoke', 'write', 1)],
    [ev('c2', 'invoke', 'read', null)],
    [ev('c1', 'ok', 'write', null)],
    [ev('c2', 'ok', 'read', 1)],
    [ev('c1', 'invoke', 'read', null), ev('c2', 'invoke', 'write', 2)],
    [ev('c1', 'ok', 'read', 0)],
  ];
  let h: unknown[] = [];
  const t = {
    title: 'by hand',
    steps: histories.map((add, k) => ({ action: k === 0 ? null : `step ${k}`, state: { history: (h = [...h, ...add]) } as Plain })),
    violation: { kind: 'invariant', name: 'Linearizable', explanation: 'not linearizable: after c1 write 1, c2 read → 1, c1 read → 0 cannot be placed — no order of the 4 operations respects real time and the register' },
  };

  it('pairs invocations with completions, by client, at the steps they happened; an operation never completed is pending', () => {
    const ops = operationsOf(t)!;
    expect(ops.map((o) => [o.process, opText(o), o.call, o.ret])).toEqual([
      ['c1', 'write 1', 1, 3],
      ['c2', 'read → 1', 2, 4],
      ['c1', 'read → 0', 5, 6],
      ['c2', 'write 2 (pending)', 5, null],
    ]);
    const named = namedOperations(ops, t.violation.explanation);
    expect(named.order.map(opText)).toEqual(['write 1', 'read → 1']);
    expect(named.stuck).toBe(ops[2]);
    expect(operationsOf({ ...t, steps: t.steps.map((s) => ({ ...s, state: { nodes: {} } })) })).toBeNull();
  });

  it('draws a lane per client, the stuck operation marked, the pending one open-ended', () => {
    const svg = timelineSvg(t)!;
    expect(svg.match(/font-weight="bold">c\d</g)).toEqual(['font-weight="bold">c1<', 'font-weight="bold">c2<']);
    expect(svg).toMatch(/<g class="op stuck"><title>c1 read → 0\ninvoked at step 5, completed at step 6\ncannot be linearized: not linearizable/);
    expect(svg).toMatch(/<g class="op pending"><title>c2 write 2 \(pending\)\ninvoked at step 5, never completed/);
    expect(svg).toContain('>✗ read → 0<');
    expect(svg).toContain('>1. write 1<');
  });
});

describe('state graph', () => {
  it('draws every reachable state of a small model and highlights the path', () => {
    // TCommit with 3 RMs: 34 states (TLC), all drawn.
    const { compiled } = run(tcommit);
    const g = stateGraphDot(compiled, null, 'tcommit')!;
    expect(g.mode).toBe('full');
    expect(g.states).toBe(34);
    expect(lines(g.dot).filter((l) => /^s\d+ \[/.test(l))).toHaveLength(34);
    const bad = run(tcommit, 'unchecked-abort');
    const h = stateGraphDot(bad.compiled, bad.result.violation!.trace, 'tcommit')!;
    const hot = lines(h.dot).filter((l) => l.includes('color="#c0392b", fontcolor="#c0392b", penwidth=2.2'));
    expect(hot).toHaveLength(bad.result.violation!.trace.length - 1);
  });

  it('a larger space gets the neighbourhood of the path, or nothing without a path', () => {
    const { compiled, result } = run(atLeastOnce, 'volatile-dedupe');
    const g = stateGraphDot(compiled, result.violation!.trace, 'x')!;
    expect(g.mode).toBe('neighbourhood');
    expect(stateGraphDot(run(atLeastOnce).compiled, null, 'x')).toBeNull();
  });
});

describe('ITF traces', () => {
  it('writes the ITF shapes: records as objects, integers as #bigint, sets, maps, lists, no null', () => {
    const R = IRecord({ a: 1, s: ISet<string>(), m: IMap<number, string>(), l: List<number>(), o: OrderedSet<string>(), n: null as null | string });
    const x = R({ s: ISet(['b', 'a']), m: IMap([[2, 'x']]), l: List([3]), o: OrderedSet(['z', 'y']) });
    expect(toItf(x)).toEqual({
      a: { '#bigint': '1' },
      s: { '#set': ['a', 'b'] },
      m: { '#map': [[{ '#bigint': '2' }, 'x']] },
      l: [{ '#bigint': '3' }],
      o: { '#set': ['z', 'y'] },
      n: { '#unserializable': 'null' },
    });
    expect(fromItf(toItf(x))).toEqual({ a: 1, s: ['a', 'b'], m: { '2': 'x' }, l: [3], o: ['y', 'z'], n: null });
  });

  it('a counterexample round-trips: vars, states with #meta, and the same chart when redrawn', () => {
    const { result, info } = run(atLeastOnce, 'volatile-dedupe');
    const doc = itfDocument(info, result) as { vars: string[]; states: { '#meta': { index: number; action: string | null } }[]; '#meta': { format: string } };
    expect(doc['#meta'].format).toBe('ITF');
    expect(doc.vars).toEqual(['nodes', 'down', 'timers', 'net', 'cut', 'budget', 'ghost', 'history']);
    expect(doc.states.map((s) => s['#meta'].index)).toEqual([0, 1, 2, 3, 4, 5]);
    const back = readItf(JSON.stringify(doc), 'trace.itf.json');
    const direct = plainTrace(`${info.model}, variant ${info.variant}`, result)!;
    expect(back.steps).toEqual(direct.steps);
    expect(sequenceDot(back)).toBe(sequenceDot(direct));
    expect(() => readItf('{"x": 1}', 'f.json')).toThrow(/f.json is not an ITF trace/);
    expect(() => readItf('nope', 'f.json')).toThrow(/f.json is not JSON/);
  });
});

describe('report folders and the index (CLI)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/faultline.mjs', ...args], { encoding: 'utf8' });

  it('check --report writes every file; render redraws the saved trace identically; report links them all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-report-'));
    const r = cli('check', 'test/fixtures/race.ts', '--report', join(dir, 'race'));
    expect(r.status).toBe(12);
    expect(readdirSync(join(dir, 'race')).sort()).toEqual(
      ['index.html', 'result.json', 'sequence.dot', 'sequence.svg', 'state-graph.dot', 'state-graph.svg', 'trace.itf.json', 'trace.txt'].sort(),
    );
    const html = readFileSync(join(dir, 'race', 'index.html'), 'utf8');
    // Labels from the model are escaped in HTML; nothing is loaded from elsewhere.
    expect(html).toContain('r timed out &lt;before&gt; M &amp; &quot;arrived&quot;');
    expect(html).not.toMatch(/<script|<b>|\\o\/<\/b>|src="http|href="http/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    const out = join(dir, 'redrawn');
    expect(cli('render', join(dir, 'race', 'trace.itf.json'), '--out', out).status).toBe(0);
    expect(readFileSync(join(out, 'sequence.dot'), 'utf8')).toBe(readFileSync(join(dir, 'race', 'sequence.dot'), 'utf8'));
    expect(readFileSync(join(out, 'trace.html'), 'utf8')).toContain('<svg');
    cli('check', 'models/classic/tcommit.ts', '--report', join(dir, 'tcommit'));
    const idx = cli('report', dir);
    expect(idx.stdout).toBe(`${join(dir, 'index.html')}: 2 report(s)\n`);
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('href="./race/index.html"');
    expect(index).toContain('href="./tcommit/index.html"');
    expect(cli('render', join(dir, 'nope.json')).stderr).toBe(`faultline: cannot read ${join(dir, 'nope.json')}\n`);
  });

  it('a report says what the regression files expect of the run; the index groups by model, correct first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-index-'));
    // specs/tcommit.yaml: correct holds in all 34 states; unchecked-abort breaks TCConsistent.
    expect(cli('check', 'models/classic/tcommit.ts', '--variant', 'unchecked-abort', '--report', join(dir, 'b')).status).toBe(12);
    expect(cli('check', 'models/classic/tcommit.ts', '--report', join(dir, 'a')).status).toBe(0);
    // No case of specs/tcommit.yaml has 4 RMs.
    cli('check', 'models/classic/tcommit.ts', '--param', 'rms=4', '--report', join(dir, 'c'));
    const json = (d: string) => JSON.parse(readFileSync(join(dir, d, 'result.json'), 'utf8'));
    expect(json('b').expected).toEqual({ result: 'violation', property: 'TCConsistent', spec: 'specs/tcommit.yaml', case: 'unchecked-abort' });
    expect(json('a').expected).toEqual({ result: 'ok', spec: 'specs/tcommit.yaml', case: 'correct' });
    expect(json('c').expected).toBeUndefined();
    expect(readFileSync(join(dir, 'b', 'index.html'), 'utf8')).toContain('Expected by <code>specs/tcommit.yaml</code> (case <em>unchecked-abort</em>): <strong>violation: TCConsistent</strong>');
    cli('report', dir);
    const rows = [...readFileSync(join(dir, 'index.html'), 'utf8').matchAll(/<tr[^>]*>(<td.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')).slice(0, 7));
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      ['tcommit', 'correct', 'ok', 'ok', '✓ as expected'],
      ['', 'correct', 'ok', '—', '? no expectation'], // rms=4: no case; after the rms=3 run by its folder
      ['', 'unchecked-abort', 'violation: TCConsistent', 'violation: TCConsistent', '✓ as expected'],
    ]);
    // TCommit's states: no RM committed (each working, prepared or aborted: 3^n), or some committed
    // and the rest prepared (2^n − 1): 34 with 3 RMs, 96 with 4.
    expect(rows.slice(0, 2).map((r) => r[5])).toEqual(['34', '96']);
  });

  it('a case that skips the liveness pass gives what the safety search should find, and nothing about liveness', () => {
    // specs/paxos.yaml checks correct at its defaults only with liveness: false.
    const config = resolveConfig(paxos as unknown as AnyModel, 'correct', {}, {});
    const info = { model: 'paxos', file: 'models/paxos.ts', variant: 'correct', params: { ...config.params }, faults: { ...config.faults } };
    expect(expectationFor(paxos as unknown as AnyModel, info, true)).toEqual({ result: 'ok', scope: 'safety', spec: 'specs/paxos.yaml', case: 'correct no-liveness' });
    expect(expectationFor(paxos as unknown as AnyModel, info, false)).toEqual({ result: 'ok', spec: 'specs/paxos.yaml', case: 'correct no-liveness' });
    // Other params: no case.
    expect(expectationFor(paxos as unknown as AnyModel, { ...info, params: { ...info.params, acceptors: 4 } }, true)).toBeNull();
  });

  it('a run that stopped early is incomplete, never a plain ✓; one that differs from its case is unexpected', () => {
    const base: CheckJson = { model: 'm', variant: 'v', params: {}, result: 'ok', complete: true, stopReason: null, stats: null, violation: null };
    const expected = { spec: 'specs/m.yaml', case: 'v' };
    expect(statusOf({ ...base, expected: { ...expected, result: 'ok' } })).toEqual({ status: 'expected', result: 'ok', expected: 'ok' });
    expect(statusOf({ ...base, complete: false, stopReason: 'time-limit', expected: { ...expected, result: 'ok' } })).toMatchObject({ status: 'incomplete', result: 'incomplete (time-limit): nothing found in the states' });
    expect(statusOf({ ...base, complete: false, stopReason: 'max-states' })).toMatchObject({ status: 'incomplete', expected: '—' });
    const broke = { ...base, result: 'violation' as const, complete: false, stopReason: 'violation', violation: { kind: 'invariant' as const, name: 'Safe', explanation: null, length: 2, trace: [] } };
    expect(statusOf({ ...broke, expected: { ...expected, result: 'violation', property: 'Safe' } }).status).toBe('expected');
    expect(statusOf({ ...broke, expected: { ...expected, result: 'violation', property: 'Other' } }).status).toBe('unexpected');
    expect(statusOf({ ...broke, expected: { ...expected, result: 'ok' } }).status).toBe('unexpected');
    expect(statusOf({ ...base, expected: { ...expected, result: 'violation', property: 'Safe' } }).status).toBe('unexpected');
    // A case that skips the liveness pass says nothing about a liveness failure.
    expect(statusOf({ ...broke, result: 'liveness', expected: { ...expected, result: 'ok', scope: 'safety' } })).toMatchObject({ status: 'unknown', expected: 'ok (safety only)' });
  });
});
