/**
 * The text a person reads after `faultline check`: the verdict, the statistics, and for a
 * violation the shortest trace, one numbered step per action with what it changed.
 */
import type { SimulationResult } from '../check/simulate.js';
import type { CheckResult, Stats, TraceStep } from '../check/types.js';
import { toPlain } from '../model/values.js';
import type { RunInfo } from '../check/types.js';
import { Spelling } from './spell.js';
import { visibleControls } from './trace.js';

const num = (n: number) => n.toLocaleString('en-US');

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(b: number): string {
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(0)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 / 1024).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}

function paramText(params: RunInfo['params']): string {
  const e = Object.entries(params);
  return e.length ? ' (' + e.map(([k, v]) => `${k}=${v}`).join(', ') + ')' : '';
}

export function formatTrace(trace: readonly TraceStep<unknown>[]): string[] {
  const lines: string[] = [];
  const width = String(trace.length - 1).length;
  const steps = trace.map((t) => ({ action: t.action, state: toPlain(t.state), ...(t.event ? { event: t.event } : {}) }));
  const sp = new Spelling({ steps });
  const pad = `  ${' '.repeat(width)}    `;
  lines.push(`  ${'0'.padStart(width)}  initial state`);
  // One line per node (or per field of the state), not the whole state on one line.
  for (const l of sp.stateLines(steps[0]!.state)) lines.push(pad + l);
  for (let i = 1; i < steps.length; i++) {
    lines.push(`  ${String(i).padStart(width)}  ${sp.action(steps[i]!)}`);
    const changes = sp.changes(steps[i - 1]!.state, steps[i]!.state);
    if (changes.length === 0) lines.push(`${pad}(no change)`);
    for (const c of changes) lines.push(pad + c);
  }
  return lines;
}

export function formatStats(s: Stats): string[] {
  const lines = [
    `  ${num(s.distinctStates)} distinct states, ${num(s.generatedStates)} generated, diameter ${s.diameter}`,
    `  ${formatDuration(s.durationMs)}, ${num(s.statesPerSecond)} states/s, peak memory ${formatBytes(s.peakMemoryBytes)}, fingerprint collision probability ${s.collisionProbability.toExponential(1)}`,
  ];
  if (s.actions.length) {
    // Protocol steps first, then the faults the environment injected, each under its own heading
    // when the model has both.
    const protocol = s.actions.filter((a) => !a.fault);
    const faults = s.actions.filter((a) => a.fault);
    const w = Math.max(12, ...s.actions.map((a) => a.name.length));
    const row = (a: Stats['actions'][number]) => `    ${a.name.padEnd(w)}  ${num(a.generated).padStart(10)}  ${num(a.distinct).padStart(10)}`;
    const head = (title: string) => `  ${title.padEnd(w + 2)}   generated    distinct`;
    if (protocol.length) lines.push(head(faults.length ? 'protocol steps' : 'action'), ...protocol.map(row));
    if (faults.length) lines.push(head('faults'), ...faults.map(row));
  }
  return lines;
}

/** ", within the constraint (N states at its edge, not expanded)" when the model has a constraint. */
function within(r: CheckResult<unknown>): string {
  const n = r.stats.beyondConstraint;
  return n === undefined ? '' : ` within the constraint: ${n.toLocaleString('en-US')} states at its edge not expanded`;
}

/** What was checked, as the first line of a result says it: `two-phase, variant correct (rms=3)`. */
export function runName(info: RunInfo): string {
  const budgets = Object.entries(info.faults ?? {}).filter(([, n]) => n > 0);
  const faultText = info.faults ? `, faults ${budgets.length ? budgets.map(([k, n]) => `${k}=${n}`).join(',') : 'none'}` : '';
  const only = info.invariants ? `, checking only ${info.invariants.join(', ')}` : '';
  return `${info.model}, variant ${info.variant}${paramText(info.params)}${faultText}${only}`;
}

export function formatResult(info: RunInfo, r: CheckResult<unknown>): string {
  const head = runName(info);
  const lines: string[] = [];
  const v = r.violation;
  if (!v && info.witness) {
    const scope = r.complete ? `no reachable state has it (all explored${within(r)})` : `not found before the search stopped (${r.stopReason})`;
    lines.push(`✗ witness ${info.witness} not found — ${head}`, `  ${scope}`);
  } else if (!v) {
    const scope = r.complete ? `all reachable states explored${within(r)}` : `search stopped early (${r.stopReason}): nothing found so far`;
    lines.push(`✓ no violation — ${head}`, `  ${scope}`);
  } else if (v.kind === 'liveness') {
    const shape = v.loop !== undefined && v.loop !== null ? `a lasso: steps ${v.loop + 1}–${v.trace.length - 1} repeat forever` : 'it ends in a stuck state';
    lines.push(`✗ liveness ${v.name} violated — ${head}`, `  ${v.trace.length - 1} steps; ${shape}`);
  } else if (v.kind === 'witness') {
    lines.push(`✓ witness ${v.name} found — ${head}`, `  shortest trace: ${v.trace.length - 1} steps`);
  } else {
    const what = v.kind === 'deadlock' ? 'Deadlock reached (a state with no successors)' : `${v.name} violated`;
    lines.push(`✗ ${what} — ${head}`, `  shortest trace: ${v.trace.length - 1} steps`);
  }
  lines.push(...formatStats(r.stats));
  if (r.liveness)
    lines.push(`  liveness: ${r.liveness.states.toLocaleString('en-US')} states, ${r.liveness.edges.toLocaleString('en-US')} steps in the graph, ${formatDuration(r.liveness.durationMs)}${r.liveness.complete ? '' : ' (bounded: only the explored part was checked)'}`);
  if (v) {
    lines.push('', ...formatTrace(v.trace));
    if (v.loop !== undefined && v.loop !== null) lines.push(`  ↺ back to step ${v.loop}: steps ${v.loop + 1}–${v.trace.length - 1} repeat forever`);
    lines.push('');
    if (v.kind === 'witness') lines.push(`  ${v.name} holds in the last state`);
    else if (v.kind === 'liveness') lines.push(`  ${v.name}: ${v.explanation ?? ''}`);
    else if (v.kind === 'invariant') lines.push(`  ${v.name}${v.explanation ? ': ' + v.explanation : ' does not hold in the last state'}`);
    else lines.push('  no action is enabled in the last state (use --no-deadlock if that is expected)');
  }
  return visibleControls(lines.join('\n') + '\n');
}

/** The text of a `simulate` run: as `check`'s, with the simulation's own statistics. */
export function formatSimulation(info: RunInfo, r: SimulationResult<unknown>): string {
  const s = r.simulation;
  const head = formatResult(info, r).split('\n');
  const v = r.violation;
  const line1 = v ? head[0]! : `✓ no violation found by simulation — ${head[0]!.replace(/^✓ no violation — /, '')}`;
  const lines = [
    line1,
    ...(v ? [`  trace: ${v.trace.length - 1} steps`] : []),
    `  simulation: ${s.runs.toLocaleString('en-US')} runs, ${s.steps.toLocaleString('en-US')} steps, ${s.stepsPerSecond.toLocaleString('en-US')} steps/s, deepest run ${s.deepest}, ${s.distinctStates.toLocaleString('en-US')} distinct states seen, seed ${s.seed} (--seed ${s.seed} repeats these runs)`,
  ];
  if (!v && r.stopReason === 'time-limit') lines.push(`  stopped at the time limit: ${s.runs.toLocaleString('en-US')} runs made`);
  if (!v && r.stopReason === 'interrupted') lines.push(`  interrupted: ${s.runs.toLocaleString('en-US')} runs made`);
  if (v && s.found !== null) lines.push(`  counterexample: found at ${s.found} steps; ${s.minimized} after removing the steps it does not need; ${s.shrunk} after fast-check's shrinking`);
  if (v) lines.push('', ...formatTrace(v.trace), '', v.kind === 'deadlock' ? '  no action is enabled in the last state' : `  ${v.name}${v.explanation ? ': ' + v.explanation : ' does not hold in the last state'}`);
  return visibleControls(lines.join('\n') + '\n');
}
