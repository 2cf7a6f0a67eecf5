/**
 * The HTML report: one self-contained page per check (verdict, statistics, the diagrams inline,
 * the step table), and an index page linking the reports of a run. No scripts, no external
 * resources: the pages work opened from disk, and their Content-Security-Policy forbids fetching
 * anything.
 */
import { showPlain } from '../model/values.js';
import { diffPlain, showChange } from './diff.js';
import type { CheckJson } from './json.js';
import type { RegressRow } from './junit.js';
import { formatDuration } from './text.js';
import { escapeHtml as h, type PlainTrace } from './trace.js';

const STYLE = `
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2731; margin: 0 auto; max-width: 1200px; padding: 1.5em; }
h1 { font-size: 1.35em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.8em 0 .6em; border-bottom: 1px solid #e3e8ee; padding-bottom: .2em; }
.verdict { padding: .8em 1em; border-radius: 6px; margin-bottom: 1em; }
.ok { background: #e6f4ea; border: 1px solid #9fd3ac; } .bad { background: #fde2e2; border: 1px solid #e8a3a3; } .error { background: #fff3cd; border: 1px solid #f0c36d; }
.muted { color: #5f6b7a; } code, pre, td.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: .4em 0; } th, td { text-align: left; padding: .25em .7em; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.last td { background: #fdf0f0; } .diagram { overflow: auto; border: 1px solid #e3e8ee; border-radius: 6px; padding: .5em; background: #fff; }
.diagram svg { max-width: none; height: auto; } ul.changes { margin: 0; padding-left: 1.1em; } a { color: #1f4e79; }
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
  if (j.result === 'ok' && !j.witness) return { cls: 'ok', text: j.complete ? '✓ no violation — every reachable state explored' : `✓ no violation found (search stopped: ${j.stopReason})` };
  if (j.witness && j.result !== 'witness' && j.result !== 'deadlock')
    return { cls: 'bad', text: j.complete ? `✗ witness ${j.witness} not found — no reachable state has it` : `✗ witness ${j.witness} not found before the search stopped (${j.stopReason})` };
  const v = j.violation!;
  if (v.kind === 'witness') return { cls: 'ok', text: `✓ witness ${v.name} found — shortest trace ${v.length} steps` };
  if (v.kind === 'liveness')
    return { cls: 'bad', text: `✗ liveness ${v.name} violated — ${v.loop !== undefined ? `steps ${v.loop + 1}–${v.length} repeat forever` : `stuck after ${v.length} steps`}` };
  return { cls: 'bad', text: v.kind === 'deadlock' ? `✗ deadlock after ${v.length} steps` : `✗ ${v.name} violated — shortest trace ${v.length} steps` };
}

/** The table of steps: what each did and what it changed. */
export function stepTable(t: PlainTrace): string {
  const rows = t.steps.map((s, k) => {
    const changes = k === 0 ? [] : diffPlain(t.steps[k - 1]!.state, s.state).map(showChange);
    const what = k === 0 ? `<td class="mono">${h(showPlain(s.state))}</td>` : `<td><ul class="changes">${changes.map((c) => `<li><code>${h(c)}</code></li>`).join('') || '<li class="muted">no change</li>'}</ul></td>`;
    return `<tr${k === t.steps.length - 1 && t.violation ? ' class="last"' : ''}><td class="num">${k}</td><td class="mono">${h(k === 0 ? 'initial state' : (s.action ?? ''))}</td>${what}</tr>`;
  });
  return `<table><thead><tr><th>#</th><th>step</th><th>changes</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export interface ReportPage {
  readonly json: CheckJson;
  readonly trace: PlainTrace | null;
  readonly sequenceSvg: string | null;
  readonly graphSvg: string | null;
  readonly graphNote: string | null;
  /** Other files of the report folder, to link. */
  readonly files: readonly string[];
}

export function reportHtml(r: ReportPage): string {
  const j = r.json;
  const v = verdictText(j);
  const parts: string[] = [];
  parts.push(`<h1>${h(j.model)} <span class="muted">— variant ${h(j.variant)}</span></h1>`);
  const cfg = configText(j);
  if (cfg) parts.push(`<p class="muted">${h(cfg)}</p>`);
  parts.push(`<div class="verdict ${v.cls}"><strong>${h(v.text)}</strong>${j.violation?.explanation ? `<br>${h(j.violation.explanation)}` : ''}</div>`);
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
  if (r.sequenceSvg) parts.push('<h2>Sequence chart</h2>', `<div class="diagram" id="sequence">${r.sequenceSvg}</div>`);
  if (r.trace) parts.push('<h2>Steps</h2>', stepTable(r.trace));
  if (r.graphSvg) parts.push('<h2>State graph</h2>', r.graphNote ? `<p class="muted">${h(r.graphNote)}</p>` : '', `<div class="diagram" id="state-graph">${r.graphSvg}</div>`);
  if (r.files.length) parts.push('<h2>Files</h2>', `<p>${r.files.map((f) => `<a href="${localHref(f)}">${h(f)}</a>`).join(' · ')}</p>`);
  parts.push(`<p class="muted">written by faultline</p>`);
  return page(`${j.model} ${j.variant}: ${j.result}`, parts.join('\n'));
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

/** The page linking every report of a run. */
export function indexHtml(title: string, entries: readonly IndexEntry[]): string {
  const rows = entries.map(({ href, json: j }) => {
    const v = j.violation;
    const result = j.result === 'ok' ? (j.complete ? 'ok' : `ok (${j.stopReason})`) : j.result === 'error' ? `error: ${j.error ?? ''}` : `${j.result}: ${v?.name ?? ''}`;
    const cls = j.result === 'ok' || j.result === 'witness' ? 'ok' : j.result === 'error' ? 'error' : 'bad';
    // result.json may have been edited by hand: every value is escaped, numbers too.
    return `<tr><td><a href="${localHref(href)}">${h(j.model)}</a></td><td>${h(j.variant)}</td><td class="${cls}">${h(result)}</td><td class="num">${j.stats ? h(num(j.stats.distinctStates)) : ''}</td><td class="num">${v ? h(String(v.length)) : ''}</td><td class="muted">${h(configText(j))}</td></tr>`;
  });
  const body = `<h1>${h(title)}</h1>
<p class="muted">${entries.length} report(s). Buggy variants are expected to break: each one's page shows how.</p>
<table><thead><tr><th>model</th><th>variant</th><th>result</th><th>states</th><th>trace</th><th>configuration</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
  return page(title, body);
}

/** A page for a trace alone (what `faultline render` writes from a saved ITF trace). */
export function traceHtml(t: PlainTrace, sequenceSvg: string): string {
  const v = t.violation;
  const verdict = v ? `<div class="verdict bad"><strong>${h(v.kind === 'deadlock' ? '✗ deadlock' : `✗ ${v.name} violated`)} — ${t.steps.length - 1} steps</strong>${v.explanation ? `<br>${h(v.explanation)}` : ''}</div>` : '';
  const i = sequenceSvg.indexOf('<svg');
  const svg = i < 0 ? sequenceSvg : sequenceSvg.slice(i);
  return page(t.title, `<h1>${h(t.title)}</h1>\n${verdict}\n<h2>Sequence chart</h2>\n<div class="diagram" id="sequence">${svg}</div>\n<h2>Steps</h2>\n${stepTable(t)}`);
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
