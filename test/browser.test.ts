/**
 * The HTML report in a real browser (Debian's Chromium, driven by playwright-core): it opens from
 * disk, its diagrams render with the expected lifelines and arrows, and it fetches nothing; and
 * every report of the shipped models, at 1280×800, fits its charts in their boxes, draws each
 * message as one straight segment and titles every element with text, not a Graphviz name.
 * `.ci/run` installs Chromium; without it (outside CI) this file is skipped, loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
