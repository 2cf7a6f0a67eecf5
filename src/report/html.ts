/**
 * The HTML report: one self-contained page per check (verdict, statistics, the diagrams inline,
 * the step table), and an index page linking the reports of a run. No scripts, no external
 * resources: the pages work opened from disk, and their Content-Security-Policy forbids fetching
 * anything.
 */
import type { CheckJson } from './json.js';
import type { RegressRow } from './junit.js';
import { legendHtml, timelineLegendHtml } from './legend.js';
import type { Mark } from './sequence.js';
import { Spelling } from './spell.js';
import { inlineSvg } from './svg.js';
import { formatDuration } from './text.js';
import { escapeHtml as h, type PlainTrace } from './trace.js';

const STYLE = `
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2731; margin: 0 auto; max-width: 1200px; padding: 1.5em; }
h1 { font-size: 1.35em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.8em 0 .6em; border-bottom: 1px solid #e3e8ee; padding-bottom: .2em; }
.verdict { padding: .8em 1em; border-radius: 6px; margin-bottom: 1em; }
.ok { background: #e6f4ea; border: 1px solid #9fd3ac; } .bad { background: #fde2e2; border: 1px solid #e8a3a3; } .error, .incomplete { background: #fff3cd; border: 1px solid #f0c36d; }
.muted { color: #5f6b7a; } code, pre, td.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: .4em 0; } th, td { text-align: left; padding: .25em .7em; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.last td { background: #fdf0f0; } .diagram { overflow: auto; border: 1px solid #e3e8ee; border-radius: 6px; padding: .5em; background: #fff; }
.diagram svg { display: block; max-width: 100%; height: auto; margin: 0 auto; } ul.changes { margin: 0; padding-left: 1.1em; } a { color: #1f4e79; }
ul.legend { list-style: none; padding: 0; margin: .6em 0 0; columns: 2 26em; font-size: 12.5px; color: #3b4754; }
ul.legend li { display: flex; gap: .5em; align-items: flex-start; break-inside: avoid; margin-bottom: .25em; } ul.legend svg { flex: none; margin-top: .15em; }
td.status-expected { color: #1e7b34; } td.status-unexpected, td.status-error { color: #c0392b; font-weight: 600; } td.status-incomplete { color: #8a6100; } td.status-unknown { color: #5f6b7a; }
tr.group td { border-top: 2px solid #e3e8ee; } td.status-expected, td.status-unexpected, td.status-error, td.status-incomplete, td.status-unknown { white-space: nowrap; } td.config { font-size: 12px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const num = (n: number) => n.toLocaleString('en-US');

function configText(j: Pick<CheckJson, 'params' | 'faults'>): string {
  const params = Object.entries(j.params).map(([k, v]) => `${k}=${v}`);
  const faults = Object.entries(j.faults ?? {})
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`);
  return [params.length ? `params ${params.join(', ')}` : '', j.faults ? `faults ${faults.length ? faults.join(', ') : 'none'}` : ''].filter(Boolean).join(' · ');
}

function verdictText(j: CheckJson): { cls: string; text: string } {
  if (j.result === 'error') return { cls: 'error', text: `error: ${j.error ?? ''}` };
  const states = j.stats ? `${num(j.stats.distinctStates)} states` : 'the states';
  if (j.result === 'ok' && !j.witness)
    return j.complete ? { cls: 'ok', text: '✓ no violation — every reachable state explored' } : { cls: 'incomplete', text: `incomplete: no violation in the ${states} explored — the search stopped (${j.stopReason})` };
  if (j.witness && j.result !== 'witness' && j.result !== 'deadlock')
    return j.complete
      ? { cls: 'bad', text: `✗ witness ${j.witness} not found — no reachable state has it` }
      : { cls: 'incomplete', text: `incomplete: witness ${j.witness} not found in the ${states} explored — the search stopped (${j.stopReason})` };
  const v = j.violation!;
  if (v.kind === 'witness') return { cls: 'ok', text: `✓ witness ${v.name} found — shortest trace ${v.length} steps` };
  if (v.kind === 'liveness')
    return { cls: 'bad', text: `✗ liveness ${v.name} violated — ${v.loop !== undefined ? `steps ${v.loop + 1}–${v.length} repeat forever` : `stuck after ${v.length} steps`}` };
  return { cls: 'bad', text: v.kind === 'deadlock' ? `✗ deadlock after ${v.length} steps` : `✗ ${v.name} violated — shortest trace ${v.length} steps` };
}

/** How a run compares with what its regression case expects. */
export type Status = 'expected' | 'unexpected' | 'incomplete' | 'unknown' | 'error';

export function statusOf(j: CheckJson): { status: Status; result: string; expected: string } {
  const v = j.violation;
  const found = j.result === 'ok' || j.result === 'error' ? null : v?.name ?? null;
  const result =
    j.result === 'error'
      ? `error: ${j.error ?? ''}`
      : j.result === 'ok'
        ? j.complete
          ? j.witness
            ? `ok: no state has ${j.witness}`
            : 'ok'
          : `incomplete (${j.stopReason ?? 'stopped'}): nothing found in ${j.stats ? num(j.stats.distinctStates) : 'the'} states`
        : `${j.result}: ${found ?? ''}`;
  const e = j.expected;
  const expected = e ? `${e.result}${e.property !== undefined && e.result !== 'ok' ? ': ' + e.property : ''}${e.scope === 'safety' ? ' (safety only)' : ''}` : '—';
  const incomplete = j.result === 'ok' && !j.complete;
  let status: Status;
  if (j.result === 'error') status = 'error';
  else if (!e) status = incomplete ? 'incomplete' : 'unknown';
  else if (e.result === j.result && (e.property === undefined || e.result === 'ok' || e.property === found)) status = incomplete ? 'incomplete' : 'expected';
  else if (incomplete) status = 'incomplete';
  else if (e.scope === 'safety' && e.result === 'ok' && j.result === 'liveness') status = 'unknown';
  else status = 'unexpected';
  return { status, result, expected };
}

const STATUS_TEXT: Record<Status, string> = {
  expected: '✓ as expected',
  unexpected: '✗ unexpected',
  incomplete: '⚠ incomplete',
  unknown: '? no expectation',
  error: '✗ error',
};

/** The table of steps: what each did and what it changed (step 0: one line per node). */
export function stepTable(t: PlainTrace): string {
  const sp = new Spelling(t);
  const list = (lines: readonly string[]) => `<ul class="changes">${lines.map((c) => `<li><code>${h(c)}</code></li>`).join('') || '<li class="muted">no change</li>'}</ul>`;
  const rows = t.steps.map((s, k) => {
    const lines = k === 0 ? sp.stateLines(s.state) : sp.changes(t.steps[k - 1]!.state, s.state);
    const inLoop = t.loop !== undefined && t.loop !== null && k > t.loop;
    return `<tr${k === t.steps.length - 1 && t.violation ? ' class="last"' : ''}><td class="num">${inLoop ? '↺ ' : ''}${k}</td><td class="mono">${h(k === 0 ? 'initial state' : (sp.action(s) ?? ''))}</td><td>${list(lines)}</td></tr>`;
  });
  return `<table><thead><tr><th>#</th><th>step</th><th>changes (step 0: the initial state)</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** A drawn trace: the chart (its SVG inline, its marks for the legend) and the client timeline, if any. */
export interface TraceDrawings {
  readonly sequenceSvg: string;
  readonly marks: ReadonlySet<Mark>;
  readonly historySvg: string | null;
}

/** The sections a trace adds to a page: the chart with its legend, the client timeline, the steps. */
function traceSections(t: PlainTrace, d: TraceDrawings): string[] {
  const parts = [
    '<h2>Sequence chart</h2>',
    `<p class="muted">Scaled to fit the page: <a href="./sequence.svg">open it full size</a>. Hover over an arrow, a box or a row for its whole text.</p>`,
    `<div class="diagram" id="sequence">${inlineSvg(d.sequenceSvg)}</div>`,
    legendHtml(d.marks),
  ];
  if (d.historySvg)
    parts.push(
      '<h2>Client operations</h2>',
      `<p class="muted">The history the clients recorded, one lane per client, time in steps (the rows of the chart above): <a href="./history.svg">open it on its own</a>.</p>`,
      `<div class="diagram" id="history">${inlineSvg(d.historySvg)}</div>`,
      timelineLegendHtml(),
    );
  parts.push('<h2>Steps</h2>', stepTable(t));
  return parts;
}

export interface ReportPage {
  readonly json: CheckJson;
  readonly trace: PlainTrace | null;
  /** The trace's drawings (null without a trace). */
  readonly drawings: TraceDrawings | null;
  readonly graphSvg: string | null;
  readonly graphNote: string | null;
  /** Other files of the report folder, to link. */
  readonly files: readonly string[];
}

function expectedLine(j: CheckJson): string {
  const e = j.expected;
  if (!e) return '';
  const s = statusOf(j);
  return `<p class="muted">Expected by <code>${h(e.spec)}</code> (case <em>${h(e.case)}</em>): <strong>${h(s.expected)}</strong> — <span class="status-${s.status}">${STATUS_TEXT[s.status]}</span></p>`;
}

export function reportHtml(r: ReportPage): string {
  const j = r.json;
  const v = verdictText(j);
  const parts: string[] = [];
  parts.push(`<h1>${h(j.model)} <span class="muted">— variant ${h(j.variant)}</span></h1>`);
  const cfg = configText(j);
  if (cfg) parts.push(`<p class="muted">${h(cfg)}</p>`);
  parts.push(`<div class="verdict ${v.cls}"><strong>${h(v.text)}</strong>${j.violation?.explanation ? `<br>${h(j.violation.explanation)}` : ''}</div>`);
  parts.push(expectedLine(j));
  if (j.stats) {
    const s = j.stats;
    parts.push('<h2>Statistics</h2>');
    parts.push(
      `<table><tbody><tr><th>distinct states</th><td class="num">${num(s.distinctStates)}</td></tr><tr><th>generated</th><td class="num">${num(s.generatedStates)}</td></tr>` +
        `<tr><th>diameter</th><td class="num">${s.diameter}</td></tr><tr><th>time</th><td class="num">${h(formatDuration(s.durationMs))}</td></tr>` +
        `<tr><th>states/s</th><td class="num">${num(s.statesPerSecond)}</td></tr><tr><th>collision probability</th><td class="num">${s.collisionProbability.toExponential(1)}</td></tr></tbody></table>`,
    );
    if (s.actions.length) {
      const row = (a: (typeof s.actions)[number]) => `<tr><td class="mono">${h(a.name)}</td><td>${a.fault ? 'fault' : 'protocol'}</td><td class="num">${num(a.generated)}</td><td class="num">${num(a.distinct)}</td></tr>`;
      const ordered = [...s.actions.filter((a) => !a.fault), ...s.actions.filter((a) => a.fault)];
      parts.push(`<table><thead><tr><th>action</th><th>kind</th><th>generated</th><th>distinct</th></tr></thead><tbody>${ordered.map(row).join('')}</tbody></table>`);
    }
  }
  if (r.trace && r.drawings) parts.push(...traceSections(r.trace, r.drawings));
  if (r.graphSvg)
    parts.push(
      '<h2>State graph</h2>',
      r.graphNote ? `<p class="muted">${h(r.graphNote)} <a href="./state-graph.svg">Open it full size</a>.</p>` : '',
      `<div class="diagram" id="state-graph">${inlineSvg(r.graphSvg)}</div>`,
    );
  if (r.files.length) parts.push('<h2>Files</h2>', `<p>${r.files.map((f) => `<a href="${localHref(f)}">${h(f)}</a>`).join(' · ')}</p>`);
  parts.push(`<p class="muted">written by faultline</p>`);
  return page(`${j.model} ${j.variant}: ${j.result}`, parts.filter(Boolean).join('\n'));
}

export interface IndexEntry {
  /** Path of the report page, relative to the index. */
  readonly href: string;
  readonly json: CheckJson;
}

/** A link to a file under the page's folder: './' first, so that no folder name reads as a scheme (`javascript:`). */
function localHref(path: string): string {
  return h('./' + encodeURI(path.replace(/^(\.\/)+/, '')));
}

/** Variants in the order the index lists them: `correct` first, then by name. */
const variantOrder = (a: string, b: string) => (a === b ? 0 : a === 'correct' ? -1 : b === 'correct' ? 1 : a < b ? -1 : 1);

/**
 * The page linking every report of a run, grouped by model (`correct` first): each run's result
 * beside what its regression case expects, and whether that is what it got.
 */
export function indexHtml(title: string, entries: readonly IndexEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.json.model < b.json.model ? -1 : a.json.model > b.json.model ? 1 : variantOrder(a.json.variant, b.json.variant) || (a.href < b.href ? -1 : 1)));
  const count: Record<Status, number> = { expected: 0, unexpected: 0, incomplete: 0, unknown: 0, error: 0 };
  const rows = sorted.map(({ href, json: j }, i) => {
    const v = j.violation;
    const s = statusOf(j);
    count[s.status]++;
    const first = i === 0 || sorted[i - 1]!.json.model !== j.model;
    const source = j.expected ? ` title="${h(`${j.expected.spec}, case ${j.expected.case}`)}"` : '';
    // result.json may have been edited by hand: every value is escaped, numbers too.
    return (
      `<tr${first ? ' class="group"' : ''}><td>${first ? `<strong>${h(j.model)}</strong>` : ''}</td><td><a href="${localHref(href)}">${h(j.variant)}</a></td><td>${h(s.result)}</td>` +
      `<td${source}>${h(s.expected)}</td><td class="status-${s.status}">${STATUS_TEXT[s.status]}</td>` +
      `<td class="num">${j.stats ? h(num(j.stats.distinctStates)) : ''}</td><td class="num">${v ? h(String(v.length)) : ''}</td><td class="muted config">${h(configText(j))}</td></tr>`
    );
  });
  const summary = (['expected', 'unexpected', 'incomplete', 'unknown', 'error'] as const)
    .filter((k) => count[k] > 0)
    .map((k) => `${count[k]} ${{ expected: 'as expected', unexpected: 'unexpected', incomplete: 'incomplete', unknown: 'without an expectation', error: 'failed to run' }[k]}`)
    .join(', ');
  const bad = count.unexpected + count.error;
  const body = `<h1>${h(title)}</h1>
<div class="verdict ${bad ? 'bad' : count.incomplete ? 'incomplete' : 'ok'}"><strong>${entries.length} report(s): ${h(summary || 'none')}</strong></div>
<p class="muted">“Expected” is what the regression files (<code>specs/</code>) expect of the same model, variant, params and faults — a buggy variant is expected to break, and a correct protocol may be expected to fail a liveness property it does not promise. A run that stopped early (a time or state limit) is incomplete: it proves nothing.</p>
<table><thead><tr><th>model</th><th>variant</th><th>result</th><th>expected</th><th></th><th>states</th><th>trace</th><th>configuration</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
  return page(title, body);
}

/** A page for a trace alone (what `faultline render` writes from a saved ITF trace). */
export function traceHtml(t: PlainTrace, d: TraceDrawings): string {
  const v = t.violation;
  const verdict = v ? `<div class="verdict bad"><strong>${h(v.kind === 'deadlock' ? '✗ deadlock' : `✗ ${v.name} violated`)} — ${t.steps.length - 1} steps</strong>${v.explanation ? `<br>${h(v.explanation)}` : ''}</div>` : '';
  return page(t.title, [`<h1>${h(t.title)}</h1>`, verdict, ...traceSections(t, d)].filter(Boolean).join('\n'));
}

/** The summary page of a regression run: every case, expected against got, linking its report. */
export function regressHtml(rows: readonly RegressRow[]): string {
  const bad = rows.filter((r) => r.status !== 'passed').length;
  const body = rows.map(
    (r) =>
      `<tr><td><a href="${localHref(r.href)}">${h(`${r.suite}/${r.name}`)}</a></td><td>${h(r.expected)}</td><td>${h(r.got)}</td><td class="num">${h(formatDuration(r.ms))}</td>` +
      `<td class="${r.status === 'passed' ? 'ok' : r.status === 'failed' ? 'bad' : 'error'}">${r.status === 'passed' ? '✓' : `✗ ${h(r.message)}`}</td></tr>`,
  );
  return page(
    'faultline regress',
    `<h1>faultline regress</h1>
<div class="verdict ${bad ? 'bad' : 'ok'}"><strong>${bad ? `✗ ${bad} of ${rows.length} cases differ from their expectations` : `✓ all ${rows.length} cases as expected`}</strong></div>
<table><thead><tr><th>case</th><th>expected</th><th>got</th><th>time</th><th></th></tr></thead><tbody>
${body.join('\n')}
</tbody></table>`,
  );
}
