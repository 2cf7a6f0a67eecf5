/**
 * Regression files (docs/specs.md): YAML files listing cases of a model — variant, params, faults,
 * bounds — with the expected verdict and counts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { UsageError } from '../model/errors.js';

export type Scalar = string | number | boolean;

export interface Expectation {
  /** ok, violation, deadlock, witness, liveness. */
  readonly result?: string;
  /** The invariant broken, or the witness found. */
  readonly property?: string;
  /** Length of the shortest trace, in steps. */
  readonly trace?: number;
  /** Distinct states and diameter: only for complete runs. */
  readonly states?: number;
  readonly diameter?: number;
}

export interface Case {
  /** `<file stem>/<case name>`, unique within a run. */
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly index: number;
  readonly model: string;
  readonly variant?: string;
  readonly params: Readonly<Record<string, Scalar>>;
  readonly faults: Readonly<Record<string, number>>;
  readonly witness?: string;
  /** Check only these invariants (as --invariant). */
  readonly invariants?: readonly string[];
  readonly symmetry: boolean;
  /** false: skip the liveness pass (as --no-liveness). */
  readonly liveness: boolean;
  readonly maxDepth?: number;
  readonly maxStates?: number;
  /** Seconds: the search's own time limit (`--time-limit`): a bounded case. */
  readonly timeLimit?: number;
  /** Seconds before the case is killed and failed (default 600). */
  readonly timeout: number;
  /** A case of minutes (its own tier): run only when asked (`regress --deep`). */
  readonly deep: boolean;
  readonly expect: Expectation | null;
}

export interface RegressionFile {
  readonly path: string;
  readonly doc: Document;
  readonly cases: Case[];
}

const CASE_KEYS = ['name', 'variant', 'params', 'faults', 'witness', 'invariants', 'symmetry', 'liveness', 'bounds', 'timeout', 'deep', 'expect'];
const EXPECT_KEYS = ['result', 'property', 'trace', 'states', 'diameter'];
const RESULTS = ['ok', 'violation', 'deadlock', 'witness', 'liveness'];

function fail(file: string, msg: string): never {
  throw new UsageError(`${file}: ${msg}`);
}

function record(file: string, where: string, x: unknown, check: (v: unknown) => boolean, what: string): Record<string, never> {
  if (x === undefined) return {};
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(file, `${where} must be a mapping`);
  for (const [k, v] of Object.entries(x)) if (!check(v)) fail(file, `${where}.${k} must be ${what}, got ${JSON.stringify(v)}`);
  return x as Record<string, never>;
}

const isWhole = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The default name of a case: its variant and whatever else sets it apart. */
function caseName(c: { variant?: string; params: Record<string, Scalar>; faults: Record<string, number>; witness?: string; invariants?: readonly string[]; symmetry: boolean; liveness: boolean }): string {
  const parts = [c.variant ?? 'default'];
  const params = Object.entries(c.params);
  if (params.length) parts.push(params.map(([k, v]) => `${k}=${v}`).join(','));
  const faults = Object.entries(c.faults);
  if (faults.length) parts.push('faults ' + faults.map(([k, v]) => `${k}=${v}`).join(','));
  if (c.witness) parts.push(`witness ${c.witness}`);
  if (c.invariants) parts.push(`only ${c.invariants.join(',')}`);
  if (!c.symmetry) parts.push('no-symmetry');
  if (!c.liveness) parts.push('no-liveness');
  return parts.join(' ');
}

export function readRegressionFile(path: string): RegressionFile {
  const shown = relative('.', path) || path;
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length) fail(shown, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const data = doc.toJS() as { model?: unknown; cases?: unknown } | null;
  if (!data || typeof data !== 'object') fail(shown, 'a spec is a mapping with model and cases');
  for (const k of Object.keys(data)) if (k !== 'model' && k !== 'cases') fail(shown, `unknown key ${k} (a spec has model and cases)`);
  if (typeof data.model !== 'string') fail(shown, 'model must be the path of a model file, relative to the spec');
  const model = resolve(dirname(path), data.model);
  if (!existsSync(model)) fail(shown, `model ${data.model} not found (paths are relative to the regression file)`);
  if (!Array.isArray(data.cases) || data.cases.length === 0) fail(shown, 'cases must be a non-empty list');
  const stem = path.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  const names = new Set<string>();
  const cases = (data.cases as unknown[]).map((raw, index): Case => {
    const where = `cases[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(shown, `${where} must be a mapping`);
    const c = raw as Record<string, unknown>;
    for (const k of Object.keys(c)) if (!CASE_KEYS.includes(k)) fail(shown, `${where}: unknown key ${k} (keys: ${CASE_KEYS.join(', ')})`);
    const params = record(shown, `${where}.params`, c.params, (v) => ['string', 'number', 'boolean'].includes(typeof v), 'a string, number or boolean');
    const faults = record(shown, `${where}.faults`, c.faults, isWhole, 'a whole number');
    const bounds = record(shown, `${where}.bounds`, c.bounds, (v) => typeof v === 'number' && v >= 0, 'a number ≥ 0') as Record<string, number>;
    for (const k of Object.keys(bounds)) if (!['maxDepth', 'maxStates', 'timeLimit'].includes(k)) fail(shown, `${where}.bounds: unknown bound ${k} (maxDepth, maxStates, timeLimit)`);
    if (c.variant !== undefined && typeof c.variant !== 'string') fail(shown, `${where}.variant must be a string`);
    if (c.witness !== undefined && typeof c.witness !== 'string') fail(shown, `${where}.witness must be a string`);
    const only = typeof c.invariants === 'string' ? [c.invariants] : c.invariants;
    if (only !== undefined && !(Array.isArray(only) && only.length > 0 && only.every((v) => typeof v === 'string'))) fail(shown, `${where}.invariants must be an invariant's name or a list of names`);
    if (c.symmetry !== undefined && typeof c.symmetry !== 'boolean') fail(shown, `${where}.symmetry must be true or false`);
    if (c.liveness !== undefined && typeof c.liveness !== 'boolean') fail(shown, `${where}.liveness must be true or false`);
    if (c.timeout !== undefined && !(typeof c.timeout === 'number' && c.timeout > 0)) fail(shown, `${where}.timeout must be a number of seconds`);
    if (c.deep !== undefined && typeof c.deep !== 'boolean') fail(shown, `${where}.deep must be true or false`);
    let expect: Expectation | null = null;
    if (c.expect !== undefined && c.expect !== null) {
      const e = record(shown, `${where}.expect`, c.expect, (v) => typeof v === 'string' || isWhole(v), 'a name or a whole number') as Expectation;
      for (const k of Object.keys(e)) if (!EXPECT_KEYS.includes(k)) fail(shown, `${where}.expect: unknown key ${k} (${EXPECT_KEYS.join(', ')})`);
      if (e.result !== undefined && !RESULTS.includes(e.result)) fail(shown, `${where}.expect.result must be one of ${RESULTS.join(', ')}`);
      expect = e;
    }
    const base = {
      ...(typeof c.variant === 'string' ? { variant: c.variant } : {}),
      params: params as Record<string, Scalar>,
      faults: faults as Record<string, number>,
      ...(typeof c.witness === 'string' ? { witness: c.witness } : {}),
      ...(only !== undefined ? { invariants: only as string[] } : {}),
      symmetry: c.symmetry !== false,
      liveness: c.liveness !== false,
    };
    const name = typeof c.name === 'string' && c.name.trim() ? c.name.trim() : caseName(base);
    if (names.has(name)) fail(shown, `${where}: two cases are named "${name}" (give one a name)`);
    names.add(name);
    return {
      id: `${stem}/${name}`,
      name,
      file: path,
      index,
      model,
      ...base,
      ...(bounds.maxDepth !== undefined ? { maxDepth: bounds.maxDepth } : {}),
      ...(bounds.maxStates !== undefined ? { maxStates: bounds.maxStates } : {}),
      ...(bounds.timeLimit !== undefined ? { timeLimit: bounds.timeLimit } : {}),
      timeout: typeof c.timeout === 'number' ? c.timeout : 600,
      deep: c.deep === true,
      expect,
    };
  });
  return { path, doc, cases };
}

/** Spec files among the given files and folders (folders: every .yaml/.yml inside, sorted). */
export function regressionFiles(targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (!existsSync(t)) throw new UsageError(`no such file or folder: ${t}`);
    if (statSync(t).isDirectory()) {
      const walk = (d: string) => {
        for (const name of readdirSync(d).sort()) {
          const p = join(d, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.ya?ml$/.test(name)) out.push(p);
        }
      };
      walk(t);
    } else out.push(t);
  }
  if (out.length === 0) throw new UsageError(`no regression files (.yaml) in ${targets.join(', ')}`);
  return out;
}

/** Replace case `index`'s expectation in the YAML document, keeping comments and layout. */
export function setExpectation(spec: RegressionFile, index: number, e: Expectation): void {
  const cases = spec.doc.get('cases');
  if (!isSeq(cases)) return;
  const node = cases.items[index];
  if (!isMap(node)) return;
  const flow = spec.doc.createNode(e) as ReturnType<Document['createNode']> & { flow?: boolean };
  flow.flow = true;
  node.set('expect', flow);
}
