/**
 * The report folder of a check (`--report`): result.json, trace.txt, and for a counterexample
 * trace.itf.json and the sequence chart; the state graph when it is small enough; index.html to
 * open. And the index page linking every report under a folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Compiled } from '../check/compile.js';
import type { CheckResult } from '../check/types.js';
import { GRAPH_LIMIT, stateGraphDot } from './graph.js';
import { indexHtml, reportHtml, type IndexEntry, type TraceDrawings } from './html.js';
import { itfDocument } from './itf.js';
import type { RunInfo } from '../check/types.js';
import { checkJson, type CheckJson, type ExpectedJson } from './json.js';
import { LAYERS, sequenceChart } from './sequence.js';
import { inLayers, renderSvg } from './svg.js';
import { timelineSvg } from './timeline.js';
import { formatResult } from './text.js';
import { plainTrace, type PlainTrace } from './trace.js';

export function runTitle(info: RunInfo): string {
  return `${info.model}, variant ${info.variant}`;
}

/**
 * Draw a trace into `dir`: the sequence chart (sequence.dot, sequence.svg) and, for a trace with a
 * client history, its timeline (history.svg). Returns the drawings, for a page.
 */
export async function writeDrawings(dir: string, trace: PlainTrace): Promise<TraceDrawings & { readonly files: readonly string[] }> {
  const chart = sequenceChart(trace);
  writeFileSync(join(dir, 'sequence.dot'), chart.dot);
  const svg = inLayers(await renderSvg(chart.dot, 'nop2'), LAYERS);
  writeFileSync(join(dir, 'sequence.svg'), svg);
  const history = timelineSvg(trace);
  if (history !== null) writeFileSync(join(dir, 'history.svg'), history);
  return { sequenceSvg: svg, marks: chart.marks, historySvg: history, files: ['sequence.dot', 'sequence.svg', ...(history !== null ? ['history.svg'] : [])] };
}

/** Every file a report folder may hold. */
const REPORT_FILES = ['index.html', 'result.json', 'trace.txt', 'trace.itf.json', 'sequence.dot', 'sequence.svg', 'history.svg', 'state-graph.dot', 'state-graph.svg'];

/** Write a report folder; `expected` (what a regression case expects of the run) goes into result.json. */
export async function writeReport(dir: string, info: RunInfo, result: CheckResult<unknown>, model: Compiled<unknown> | null, expected: ExpectedJson | null = null): Promise<void> {
  mkdirSync(dir, { recursive: true });
  // A run into the folder of an earlier one: its files go first, so that a result that is now ok
  // does not sit beside the old counterexample.
  for (const f of REPORT_FILES) rmSync(join(dir, f), { force: true });
  const json: CheckJson = { ...checkJson(info, result), ...(expected ? { expected } : {}) };
  const files = ['result.json', 'trace.txt'];
  writeFileSync(join(dir, 'result.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(dir, 'trace.txt'), formatResult(info, result));
  const trace = plainTrace(runTitle(info), result);
  let drawings: TraceDrawings | null = null;
  if (trace) {
    writeFileSync(join(dir, 'trace.itf.json'), JSON.stringify(itfDocument(info, result), null, 1) + '\n');
    const d = await writeDrawings(dir, trace);
    drawings = d;
    files.push('trace.itf.json', ...d.files);
  }
  let graphSvg: string | null = null;
  let graphNote: string | null = null;
  if (model) {
    const g = stateGraphDot(model, result.violation?.trace ?? null, runTitle(info));
    if (g) {
      writeFileSync(join(dir, 'state-graph.dot'), g.dot);
      graphSvg = await renderSvg(g.dot);
      writeFileSync(join(dir, 'state-graph.svg'), graphSvg);
      files.push('state-graph.dot', 'state-graph.svg');
      graphNote =
        g.mode === 'full'
          ? `All ${g.states} reachable states${trace ? "; the numbered ones are the trace's steps" : ''}. Double rings are initial states, squares states without successors. Hover for a state or a step.`
          : `More than ${GRAPH_LIMIT} reachable states: only the counterexample's states (numbered by step) and every state one step off it (${g.states} in all). Hover for a state or a step.`;
    }
  }
  writeFileSync(join(dir, 'index.html'), reportHtml({ json, trace, drawings, graphSvg, graphNote, files }));
}

/** Every report (a folder with result.json and index.html) under `base`, in path order. */
function findReports(base: string): { dir: string; json: CheckJson }[] {
  const out: { dir: string; json: CheckJson }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    if (existsSync(join(dir, 'result.json')) && existsSync(join(dir, 'index.html'))) {
      try {
        out.push({ dir, json: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as CheckJson });
      } catch {
        // not one of ours
      }
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
  };
  if (existsSync(base)) walk(base, 0);
  return out;
}

/** Write `base`/index.html linking every report under it; returns how many it links. */
export function writeIndex(base: string, title = 'faultline reports'): number {
  const entries: IndexEntry[] = findReports(base)
    .filter((r) => r.dir !== base)
    .map((r) => ({ href: relative(base, join(r.dir, 'index.html')).split('\\').join('/'), json: r.json }));
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'index.html'), indexHtml(title, entries));
  return entries.length;
}
