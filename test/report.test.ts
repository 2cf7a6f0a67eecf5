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
import { fromItf, itfDocument, readItf, toItf } from '../src/report/itf.js';
import { sequenceDot } from '../src/report/sequence.js';
import { renderSvg } from '../src/report/svg.js';
import { plainTrace } from '../src/report/trace.js';
import { List, Map as IMap, OrderedSet, Record as IRecord, Set as ISet } from 'immutable';
import atLeastOnce from '../models/examples/at-least-once.js';
import tcommit from '../models/classic/tcommit.js';
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
const edge = (dot: string, from: string, to: string) => lines(dot).find((l) => l.startsWith(`${from} -> ${to} [constraint=false`));

describe('sequence chart', () => {
  // at-least-once, no-dedupe, no faults: 1 server gets Inc (sent at start), 2 client's retry
  // timer fires and re-sends Inc, 3 server gets the second Inc and double counts. Both Acks are
  // still in flight at the end.
  const { result, info } = run(atLeastOnce, 'no-dedupe', noFaults);
  const trace = plainTrace(`${info.model}, variant ${info.variant}`, result)!;
  const dot = sequenceDot(trace);

  it('has one lifeline per node, in order, each a chain of rows', () => {
    expect(dot).toMatch(/h0 \[[^\]]*label="client\\n\{next: 1, acked: 0, retried: 0\}"/);
    expect(dot).toMatch(/h1 \[[^\]]*label="server\\n\{count: 0, applied: \[\], seen: \[\]\}"/);
    for (let k = 0; k <= 3; k++) expect(dot).toMatch(new RegExp(`\\{ rank=same;\\n\\s+L${k} `));
    for (const i of [0, 1]) {
      expect(lines(dot)).toContain(`h${i} -> n0_${i} [arrowhead=none, weight=100, penwidth=1.5, color="#9aa5b1"];`);
      for (let k = 0; k < 3; k++) expect(lines(dot).some((l) => l.startsWith(`n${k}_${i} -> n${k + 1}_${i} [arrowhead=none, weight=100`))).toBe(true);
    }
  });

  it('draws each message from the step that sent it to the step that delivered it', () => {
    expect(edge(dot, 'n0_0', 'n1_1')).toMatch(/label="Inc \{id: 1\}"/); // sent at start, delivered at 1
    expect(edge(dot, 'n2_0', 'n3_1')).toMatch(/label="Inc \{id: 1\}"/); // the retry, delivered at 3
    expect(edge(dot, 'n1_1', 'n3_0')).toMatch(/label="Ack \{id: 1\} \(in flight\)".*style=dotted/);
    expect(edge(dot, 'n3_1', 'n3_0')).toMatch(/label="Ack \{id: 1\} \(in flight\)"/);
    expect(lines(dot).filter((l) => l.includes('constraint=false'))).toHaveLength(4);
  });

  it('marks the timeout, annotates state changes, and highlights the violating step', () => {
    expect(dot).toMatch(/n2_0 \[shape=box[^\]]*label="timeout retry\\nretried: 0 → 1"/);
    expect(dot).toMatch(/n1_1 \[shape=box[^\]]*label="count: 0 → 1\\napplied: \+ 1\\nseen: \+ 1"/);
    expect(dot).toMatch(/L3 \[shape=plaintext, label="3  client→server Inc \{\\"id\\":1\}", fontcolor="#c0392b"/);
    expect(dot).toMatch(/n3_1 \[shape=box[^\]]*label="count: 1 → 2", color="#c0392b", penwidth=2\]/);
    expect(dot).toMatch(/V \[shape=note[^\]]*label="✗ ExactlyOnce\\nthe server's count is 2 but it applied only 1 distinct request\(s\)"\]/);
    expect(lines(dot)).toContain('L3 -> n3_0 -> n3_1 -> V [style=invis];');
  });

  it('draws a partition as a band over the rows it lasts, escaping every label', () => {
    const r = run(race);
    const d = sequenceDot(plainTrace('race', r.result)!);
    // partition at step 1, never healed: rows 1 and 2 sit in the band.
    const band = d.slice(d.indexOf('subgraph cluster_partition0'));
    expect(band).toMatch(/^subgraph cluster_partition0 \{ label="partition: s {2}\| {2}r";/);
    expect(band.indexOf('L1 [')).toBeGreaterThan(0);
    expect(band.indexOf('L2 [')).toBeGreaterThan(0);
    expect(d.indexOf('L0 [')).toBeLessThan(d.indexOf('subgraph cluster_partition0'));
    // The message text holds quotes, a backslash and angle brackets: quoted and escaped in DOT.
    expect(d).toContain('label="M {text: \\"say \\\\\\"hi\\\\\\" <b>\\\\\\\\o/</b>\\"} (in flight)"');
    expect(d).toContain('label="✗ NoEarlyTimeout\\nr timed out <before> M & \\"arrived\\""');
  });

  it('ends a dropped message in a cross, and a message lost with a crashed node', () => {
    const dropped = sequenceDot(plainTrace('race', run(race, 'quiet', { partition: 0, drop: 1 }).result)!);
    // drop at step 1, then the timer fires: the arrow from the send ends at a cross on r.
    expect(dropped).toMatch(/n1_1 \[shape=plaintext, group=life1, label="✕"/);
    expect(edge(dropped, 'n0_0', 'n1_1')).toMatch(/label="M .*✂ dropped".*arrowhead=none/);
    const { result: vd } = run(atLeastOnce, 'volatile-dedupe');
    const crashed = sequenceDot(plainTrace('x', vd)!);
    // crash server at step 2 (a box on its lifeline), dashed while it is down, restart at 3.
    expect(crashed).toMatch(/n2_1 \[shape=box[^\]]*label="✖ crash\\nseen: − 1"/);
    expect(lines(crashed)).toContain('n2_1 -> n3_1 [arrowhead=none, weight=100, style=dashed, color="#d5dbe1"];');
    expect(crashed).toMatch(/n3_1 \[shape=box[^\]]*label="↻ restart"/);
  });

  it('renders to SVG in-process, with every lifeline node and message arrow', async () => {
    const svg = await renderSvg(dot);
    expect(svg).toMatch(/^<\?xml/);
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!.replace(/&#45;&gt;/g, '->'));
    for (const n of ['h0', 'h1', 'n0_0', 'n3_1', 'V']) expect(titles).toContain(n);
    for (const e of ['n0_0->n1_1', 'n2_0->n3_1', 'n1_1->n3_0', 'n3_1->n3_0']) expect(titles).toContain(e);
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(/Graphviz could not lay out the diagram/);
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
});
