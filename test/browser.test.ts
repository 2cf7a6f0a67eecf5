/**
 * The HTML report in a real browser (Debian's Chromium, driven by playwright-core): it opens from
 * disk, its diagrams render with the expected lifelines and arrows, and it fetches nothing.
 * `.ci/run` installs Chromium; without it (outside CI) this file is skipped, loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`browser tests need Chromium at ${CHROMIUM} (.ci/run installs it)`);
if (!available) console.warn(`SKIPPED: browser tests need Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

describe.runIf(available)('HTML report in headless Chromium', () => {
  it('renders the sequence chart and state graph from disk without touching the network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-browser-'));
    const r = spawnSync(process.execPath, ['bin/faultline.mjs', 'check', 'models/examples', '--report', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      // The index of the run links the report of each variant.
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
      expect(links).toEqual([
        './at-least-once/correct/index.html',
        './at-least-once/no-dedupe/index.html',
        './at-least-once/volatile-dedupe/index.html',
        './seq-wraparound/correct/index.html',
        './seq-wraparound/no-wraparound/index.html',
      ]);
      await page.click('a[href="./at-least-once/no-dedupe/index.html"]');
      await page.waitForSelector('#sequence svg');
      // Two lifelines (client, server), four rows (start and three steps), four message arrows.
      const chart = await page.$$eval('#sequence svg g', (gs) =>
        gs.map((g) => ({ cls: g.getAttribute('class'), title: g.querySelector(':scope > title')?.textContent ?? '' })),
      );
      const nodes = chart.filter((g) => g.cls === 'node').map((g) => g.title);
      const edges = chart.filter((g) => g.cls === 'edge').map((g) => g.title);
      expect(nodes.filter((t) => /^h\d$/.test(t))).toEqual(['h0', 'h1']);
      expect(nodes.filter((t) => /^L\d$/.test(t))).toEqual(['L0', 'L1', 'L2', 'L3']);
      expect(nodes).toContain('V');
      for (const e of ['n0_0->n1_1', 'n2_0->n3_1', 'n1_1->n3_0', 'n3_1->n3_0']) expect(edges).toContain(e);
      // Laid out, not just present: the chart has a size, and client's lifeline is left of server's.
      const box = await page.$eval('#sequence svg', (s) => s.getBoundingClientRect().toJSON() as { width: number; height: number });
      expect(box.width).toBeGreaterThan(200);
      expect(box.height).toBeGreaterThan(200);
      const x = async (title: string) =>
        page.$eval(`#sequence svg g.node:has(> title:text-is("${title}"))`, (g) => g.getBoundingClientRect().x);
      expect(await x('h0')).toBeLessThan(await x('h1'));
      expect(await page.$$eval('#state-graph svg g.node', (gs) => gs.length)).toBeGreaterThan(3);
      expect(await page.textContent('.verdict')).toContain('ExactlyOnce violated — shortest trace 3 steps');
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
