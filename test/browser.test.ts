/**
 * The HTML report in a real browser (Debian's Chromium, driven by playwright-core): it opens from
 * disk, its diagrams render with the expected lifelines and arrows, and it fetches nothing; and
 * every report of the shipped models, at 1280×800, fits its charts in their boxes, draws each
 * message as one straight segment and titles every element with text, not a Graphviz name; and
 * `faultline explore`'s page steps through a model by clicks, fetching from 127.0.0.1 only.
 * `.ci/run` installs Chromium; without it (outside CI) this file is skipped, loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExplorer } from '../src/explore/server.js';
import { Session } from '../src/explore/session.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`browser tests need Chromium at ${CHROMIUM} (.ci/run installs it)`);
if (!available) console.warn(`SKIPPED: browser tests need Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

/** The names a DOT file gives its nodes and edges (`n3_1`, `n0_0->n1_1`): what a `<title>` must not be. */
function dotNames(file: string): Set<string> {
  const names = new Set<string>();
  if (!existsSync(file)) return names;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const e = /^\s*(\w+) -> (\w+) \[/.exec(line);
    if (e) names.add(`${e[1]}->${e[2]}`);
    const n = /^\s*(\w+) \[/.exec(line);
    if (n) names.add(n[1]!);
  }
  return names;
}

/** How far the points of an SVG path stray from the line through its ends, at most. */
function straying(d: string): number {
  const p = [...d.matchAll(/-?[\d.]+,-?[\d.]+/g)].map((m) => m[0].split(',').map(Number) as [number, number]);
  const [a, b] = [p[0]!, p[p.length - 1]!];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  return Math.max(0, ...p.map((q) => Math.abs((b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0])) / len));
}

describe.runIf(available)('HTML report in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => browser?.close());

  it('renders the sequence chart and state graph from disk without touching the network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-browser-'));
    const r = spawnSync(process.execPath, ['bin/faultline.mjs', 'check', 'models/examples', '--report', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    // The index of the run links the report of each variant.
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const links = await page.$$eval('td a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual([
      './at-least-once/correct/index.html',
      './at-least-once/no-dedupe/index.html',
      './at-least-once/volatile-dedupe/index.html',
      './seq-wraparound/correct/index.html',
      './seq-wraparound/no-wraparound/index.html',
    ]);
    await page.click('a[href="./at-least-once/no-dedupe/index.html"]');
    await page.waitForSelector('#sequence svg');
    // Two lifelines (client, server), four rows (start and three steps), two message arrows and
    // two stubs (the Acks still in flight), each titled with its whole text.
    const titles = async (cls: string) => page.$$eval(`#sequence svg g.${cls}`, (gs) => gs.map((g) => g.querySelector(':scope > title')?.textContent ?? '').sort());
    expect(await titles('header')).toEqual(['client\n{next: 1, acked: 0, retried: 0}', 'server\n{count: 0, applied: [], seen: []}']);
    expect((await titles('label')).filter((t) => t.startsWith('step '))).toEqual(['step 0: start', 'step 1: client→server Inc {id: 1}', 'step 2: client timeout retry', 'step 3: client→server Inc {id: 1}']);
    expect(await titles('message')).toEqual([
      'client→server Inc {id: 1}\nsent at step 0, delivered at step 1',
      'client→server Inc {id: 1}\nsent at step 2, delivered at step 3',
      'server→client Ack {id: 1}\nsent at step 1, still in flight at the end',
      'server→client Ack {id: 1}\nsent at step 3, still in flight at the end',
    ]);
    // Laid out, not just present: the chart has a size, and client's lifeline is left of server's.
    const box = await page.$eval('#sequence svg', (s) => s.getBoundingClientRect().toJSON() as { width: number; height: number });
    expect(box.width).toBeGreaterThan(200);
    expect(box.height).toBeGreaterThan(200);
    const xs = await page.$$eval('#sequence svg g.header', (gs) => gs.map((g) => g.getBoundingClientRect().x));
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(await page.$$eval('#state-graph svg g.node', (gs) => gs.length)).toBeGreaterThan(3);
    expect(await page.textContent('.verdict')).toContain('ExactlyOnce violated — shortest trace 3 steps');
    // The legend names what the chart draws.
    const legend = await page.$$eval('ul.legend li', (ls) => ls.map((l) => l.textContent ?? ''));
    expect(legend.some((l) => l.startsWith('a message: one straight arrow'))).toBe(true);
    expect(legend.some((l) => l.startsWith('in flight at the end'))).toBe(true);
    expect(legend.some((l) => l.startsWith('a partition'))).toBe(false);
    // The full-size chart is one click away.
    await page.click('a[href="./sequence.svg"]');
    expect(page.url()).toMatch(/sequence\.svg$/);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await page.close();
  }, 60_000);

  it('explore: a crash and a retry taken by clicking; the cards, the chart and the flagged invariant follow', async () => {
    const explorer = await startExplorer(await Session.open('models/examples/at-least-once.ts', { variant: 'volatile-dedupe' }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(explorer.url);
      await atStep(page, 0);
      expect(await page.$$eval('.card', (cs) => cs.map((c) => c.getAttribute('data-node')))).toEqual(['client', 'server']);
      expect(await page.textContent('.card[data-node=client] .timers')).toBe('timers armed: retry');
      expect(await page.textContent('#inflight')).toBe('client→server Inc {id: 1}');
      expect(await page.textContent('#verdict')).toContain('✓ all 2 invariants hold here');
      // The server applies the request; then it crashes: down, its volatile `seen` reset.
      await clickStep(page, 'client→server Inc {id: 1}', 1);
      await clickStep(page, 'crash server', 2);
      expect(await page.getAttribute('.card[data-node=server]', 'class')).toBe('card down changed');
      expect(await page.textContent('.card[data-node=server] .badge')).toBe('down');
      expect(await field(page, 'server', 'seen')).toEqual({ value: '[]', cls: 'volatile changed' });
      expect(await field(page, 'server', 'count')).toEqual({ value: '1', cls: '' });
      expect(await page.textContent('#budgets')).toContain('crash 0 of 1');
      // It restarts, the client's retry fires, and the retried Inc is flagged before it is taken.
      await clickStep(page, 'restart server', 3);
      await clickStep(page, 'client timeout retry', 4);
      expect(await page.textContent('#enabled button:has-text("client→server Inc {id: 1}") .tag')).toBe('✗ breaks ExactlyOnce');
      await clickStep(page, 'client→server Inc {id: 1}', 5);
      expect(await page.getAttribute('#verdict', 'class')).toBe('bad');
      expect(await page.textContent('#verdict')).toContain("✗ ExactlyOnce violated — the server's count is 2 but it applied only 1 distinct request(s)");
      expect(await field(page, 'server', 'count')).toEqual({ value: '2', cls: 'changed' });
      // The chart: a row per step, the crash and restart on the server's lifeline, the violation noted.
      await page.waitForFunction(() => document.querySelectorAll('#chart svg g.label title').length > 6);
      const rows = await page.$$eval('#chart svg g.label > title', (ts) => ts.map((t) => t.textContent ?? '').filter((t) => t.startsWith('step ')));
      expect(rows).toEqual(['step 0: start', 'step 1: client→server Inc {id: 1}', 'step 2: crash server', 'step 3: restart server', 'step 4: client timeout retry', 'step 5: client→server Inc {id: 1}']);
      const marks = await page.$$eval('#chart svg g.mark > title', (ts) => ts.map((t) => t.textContent ?? ''));
      expect(marks.some((t) => t.startsWith('server at step 2\n✖ crash'))).toBe(true);
      expect(marks.some((t) => t.startsWith('server at step 3\n↻ restart'))).toBe(true);
      expect(await page.$$eval('#chart svg g.label > title', (ts) => ts.some((t) => t.textContent?.startsWith('✗ ExactlyOnce violated')))).toBe(true);
      // A row of the chart takes the page back to its step; the URL holds the path.
      await page.click('#chart svg g.label:has(> title:text-is("step 2: crash server"))');
      await atStep(page, 2);
      expect(await page.textContent('.card[data-node=server] .badge')).toBe('down');
      const at2 = new URL(page.url()).searchParams.get('path')!;
      expect(at2.split('.')).toHaveLength(3);
      // Forward walks the path again; a reload (a deep link) shows the same state; the browser's back button works.
      await page.click('#forward');
      await atStep(page, 3);
      await page.reload();
      await atStep(page, 3);
      expect(await page.textContent('.card[data-node=server] .badge')).toBe('up');
      expect(await page.$$eval('#path li', (ls) => ls.map((l) => l.textContent))).toEqual(['initial state', 'client→server Inc {id: 1}', 'crash server', 'restart server']);
      await page.click('#path li:nth-child(2)');
      await atStep(page, 1);
      await page.goBack();
      await atStep(page, 3);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${explorer.port}/`))).toEqual([]);
    } finally {
      await page.close();
      await explorer.close();
    }
  }, 60_000);

  it('every shipped model: charts fit at 1280×800 and stay readable, messages are straight, titles are text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-shipped-'));
    const r = spawnSync(process.execPath, ['bin/faultline.mjs', 'check', 'models', '--report', dir, '--time-limit', '60'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const reports = await page.$$eval('td a', (as) => as.map((a) => a.getAttribute('href')!));
    expect(reports.length).toBeGreaterThan(50);
    const problems: string[] = [];
    let charts = 0;
    for (const href of reports) {
      const folder = join(dir, href.replace(/\/index\.html$/, ''));
      await page.goto(pathToFileURL(join(folder, 'index.html')).href);
      const boxes = await page.$$eval('.diagram', (ds) =>
        ds.map((d) => {
          const svg = d.querySelector('svg')!;
          const box = d.getBoundingClientRect();
          const drawn = svg.getBoundingClientRect();
          const view = svg.viewBox.baseVal;
          return { id: d.id, overflow: d.scrollWidth - d.clientWidth, left: drawn.left - box.left, right: box.right - drawn.right, scale: drawn.width / view.width };
        }),
      );
      for (const b of boxes) {
        if (b.overflow > 0 || b.left < 0 || b.right < 0) problems.push(`${href} #${b.id}: overflows its box by ${Math.max(b.overflow, -b.left, -b.right)} px`);
        // Graphviz draws in points (4/3 px): text at 3/4 of its size or more stays readable.
        if (b.id === 'sequence' && b.scale < 0.75 * (4 / 3)) problems.push(`${href}: the chart is shrunk to ${((b.scale * 3) / 4).toFixed(2)} of its size`);
      }
      if (boxes.some((b) => b.id === 'sequence')) charts++;
      for (const d of await page.$$eval('#sequence g.edge.message path', (ps) => ps.map((p) => p.getAttribute('d') ?? '')))
        if (straying(d) > 0.5) problems.push(`${href}: a message arrow bends: ${d}`);
      const names = new Set([...dotNames(join(folder, 'sequence.dot')), ...dotNames(join(folder, 'state-graph.dot'))]);
      for (const t of await page.$$eval('.diagram svg title', (ts) => ts.map((x) => x.textContent ?? '')))
        if (names.has(t.replace('-&gt;', '->'))) problems.push(`${href}: a <title> is a Graphviz name: ${t}`);
    }
    expect(problems).toEqual([]);
    expect(charts).toBeGreaterThan(40);
    await page.close();
  }, 300_000);
});

/** Wait until the explorer page shows the state after `step` steps (its chart drawn too). */
async function atStep(page: Page, step: number): Promise<void> {
  await page.waitForFunction((k) => {
    const rows = [...document.querySelectorAll('#chart svg g.label > title')].filter((t) => /^step \d+:/.test(t.textContent ?? ''));
    return document.getElementById('where')?.textContent?.startsWith(`step ${k} `) && rows.length === k + 1;
  }, step);
}

/** Click the enabled step with this label, and wait for the state it leads to. */
async function clickStep(page: Page, label: string, step: number): Promise<void> {
  await page.click(`#enabled button:has(> .label:text-is(${JSON.stringify(label)}))`);
  await atStep(page, step);
}

/** A field of a node's card: its value and its marks (volatile, changed). */
async function field(page: Page, node: string, name: string): Promise<{ value: string; cls: string }> {
  return page.$eval(`.card[data-node=${node}] tr:has(> td.name:text-is(${JSON.stringify(name)}))`, (tr) => ({ value: tr.querySelector('td.value')?.textContent ?? '', cls: tr.className }));
}
