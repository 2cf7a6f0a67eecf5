/**
 * References that resolve (issue 19). The protocol models were written from study notes that are not
 * shipped; docs/notes.md states each of their claims that a model checks. Nothing else may cite the
 * notes by line number (S0:506-517) or by an id of a catalog the reader does not have (DF-2PC-1,
 * SF-RE-3, W24, "catalog §7"): such a citation leads nowhere. Every link to an anchor of
 * docs/notes.md must name one that exists, and every variant a command in docs/notes.md names must exist.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The citation patterns, each with what it is. */
const citations: [string, RegExp][] = [
  ['a line of the notes', /\bS\d:\d+/],
  ['a derived-scenario id', /\bDF-[A-Z0-9]/],
  ['a notes-scenario id', /\bSF-[A-Z0-9]/],
  // W8, W24, W49 — but not "W = 2", "W + R > N", "WARO", "W3C" or a name like "maxW2".
  ['a wrong-claim id', /\bW\d{1,2}\b/],
  ['a catalog section', /catalog\s*§|§\s?\d/i],
  ['the catalog', /\bthe catalog\b/i],
  ['a catalog model list', /\blist \(a\)/],
];

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// Text only: a picture's bytes cite nothing (docs/images holds PNG screenshots).
const scanned = [...['models', 'docs', 'specs', 'src'].flatMap((d) => files(join(root, d))), join(root, 'README.md')].filter((p) => !/\.(png|jpe?g|gif|webp)$/i.test(p));

/** `where: line: what — text` for every line of `text` matching a citation pattern. */
function offending(where: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) =>
    citations.filter(([, re]) => re.test(line)).map(([what]) => `${where}:${i + 1}: ${what} — ${line.trim()}`),
  );
}

const listJson = () => {
  const r = spawnSync(process.execPath, ['bin/faultline.mjs', 'list', '--json'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

describe('references to the study notes', () => {
  it('the citation patterns catch citations and leave ordinary text alone', () => {
    const cited = (s: string) => citations.some(([, re]) => re.test(s));
    for (const s of ['(S0:506-517)', 'S3:215', 'DF-2PC-1', 'SF-WARO-1', 'W24', '(W8)', 'claims W31–W37', 'catalog §7–§8', '§18.1', 'the catalog’s depth', 'list (a) M4'])
      expect(cited(s), s).toBe(true);
    for (const s of ['W = 2', 'W + R > N', 'W = N, R = 1', 'WARO', '`w=1,r=3`', 'writers w1, w2', 'S1…S5', 'INV-Agreement', 'Figure 8', 'notes.md#raft-vote-check'])
      expect(cited(s), s).toBe(false);
  });

  it('no file under models/, docs/, specs/, src/ or README.md cites the notes by line or by catalog id', () => {
    const found = scanned.flatMap((path) => offending(relative(root, path), readFileSync(path, 'utf8')));
    expect(found, `citations that lead nowhere (say the claim, or link docs/notes.md):\n${found.join('\n')}`).toEqual([]);
  });

  it('no description that faultline list --json shows cites the notes by line or by catalog id', () => {
    const found = offending('faultline list --json', listJson());
    expect(found, `citations in model, param or variant descriptions:\n${found.join('\n')}`).toEqual([]);
  });

  it('every link to docs/notes.md names an anchor it has', () => {
    const notes = readFileSync(join(root, 'docs/notes.md'), 'utf8');
    const slug = (h: string) => h.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, '').trim().replace(/ /g, '-');
    const anchors = new Set([
      ...[...notes.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1]!),
      ...[...notes.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)),
    ]);
    const broken = scanned.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          [...line.matchAll(/notes\.md#([\w-]+)/g)]
            .filter((m) => !anchors.has(m[1]!))
            .map((m) => `${relative(root, path)}:${i + 1}: no anchor #${m[1]} in docs/notes.md`),
        ),
    );
    expect(broken, broken.join('\n')).toEqual([]);
  });

  it('every variant a command in docs/notes.md names exists in its model', () => {
    const models = JSON.parse(listJson()) as { file: string; variants: Record<string, unknown> }[];
    const variants = new Map(models.map((m) => [m.file, new Set(Object.keys(m.variants))]));
    const notes = readFileSync(join(root, 'docs/notes.md'), 'utf8');
    // Code spans `node bin/faultline.mjs check <file> …`, or `… <options>` for the file of the one before.
    const spans = notes.split('\n').flatMap((line) => line.split('`').filter((_, i) => i % 2 === 1));
    const commands = spans.filter((s) => s.startsWith('node bin/faultline.mjs check ') || s.startsWith('… '));
    expect(commands.length).toBeGreaterThan(50);
    let file = '';
    const wrong = commands.flatMap((cmd) => {
      const named = /^node bin\/faultline\.mjs check (\S+)/.exec(cmd)?.[1];
      if (named !== undefined) file = named;
      const known = variants.get(file);
      if (known === undefined) return [`${cmd}: no model ${file}`];
      const v = /--variant (\S+)/.exec(cmd)?.[1];
      return v !== undefined && !known.has(v) ? [`${cmd}: no variant ${v} in ${file}`] : [];
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  });
});
