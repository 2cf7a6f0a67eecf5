/**
 * Traces in the Informal Trace Format (ITF, Apalache ADR-015), which Quint and Apalache tooling
 * read: `{ "#meta", "vars", "states": [{ "#meta", var: value, ... }] }`, with integers as
 * `{"#bigint": "n"}`, sets as `{"#set": [...]}`, maps as `{"#map": [[k, v], ...]}`, records as
 * objects and lists as arrays. ITF has no null: faultline writes `{"#unserializable": "null"}`.
 * Each state's `#meta` also holds the step's action and trace event, so `faultline render` can
 * redraw a saved trace.
 */
import { isImmutable, isIndexed, isKeyed, isMap, isOrdered, isRecord, isSet } from 'immutable';
import type { CheckResult } from '../check/types.js';
import { UsageError } from '../model/errors.js';
import type { TraceEvent } from '../model/trace.js';
import { PackedState, type Plain } from '../model/values.js';
import type { RunInfo } from '../check/types.js';
import type { PlainStep, PlainTrace } from './trace.js';

export type Itf = null | boolean | string | number | Itf[] | { [key: string]: Itf };

function compare(a: Itf, b: Itf): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A model value as an ITF value. */
export function toItf(x: unknown): Itf {
  if (x === null || x === undefined) return { '#unserializable': 'null' };
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'number':
      return Number.isInteger(x) ? { '#bigint': String(x) } : { '#unserializable': String(x) };
    case 'bigint':
      return { '#bigint': x.toString() };
    case 'object':
      break;
    default:
      return { '#unserializable': String(x) };
  }
  if (x instanceof PackedState) return toItf(x.unpacked());
  if (isImmutable(x)) {
    if (isSet(x)) {
      const items = [...(x as Iterable<unknown>)].map(toItf);
      return { '#set': isOrdered(x) ? items : items.sort(compare) };
    }
    if (isRecord(x)) {
      const out: { [k: string]: Itf } = {};
      for (const [k, v] of (x as unknown as { toSeq(): { entries(): Iterable<[string, unknown]> } }).toSeq().entries()) out[k] = toItf(v);
      return out;
    }
    if (isMap(x) || isKeyed(x)) return { '#map': [...(x as unknown as Iterable<[unknown, unknown]>)].map(([k, v]) => [toItf(k), toItf(v)]) };
    if (isIndexed(x)) return [...(x as Iterable<unknown>)].map(toItf);
    return { '#unserializable': String(x) };
  }
  if (Array.isArray(x)) return x.map(toItf);
  const out: { [k: string]: Itf } = {};
  for (const [k, v] of Object.entries(x)) out[k] = toItf(v);
  return out;
}

/** The variables of a state: a Record's or string-keyed Map's fields, or one variable `state`. */
function variables(state: unknown): [string, unknown][] {
  const s = state instanceof PackedState ? state.unpacked() : state;
  if (isRecord(s)) return [...(s as unknown as { toSeq(): { entries(): Iterable<[string, unknown]> } }).toSeq().entries()];
  if (isMap(s) && [...(s as unknown as Iterable<[unknown, unknown]>)].every(([k]) => typeof k === 'string'))
    return [...(s as unknown as Iterable<[string, unknown]>)];
  return [['state', s]];
}

export function itfDocument(info: RunInfo, r: CheckResult<unknown>): Itf | null {
  const v = r.violation;
  if (!v) return null;
  const states = v.trace.map((t, i) => {
    const meta: { [k: string]: Itf } = { index: i, action: t.action };
    if (t.event) meta.event = JSON.parse(JSON.stringify(t.event)) as Itf;
    const out: { [k: string]: Itf } = { '#meta': meta };
    for (const [k, val] of variables(t.state)) out[k] = toItf(val);
    return out;
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      description: `faultline ${v.kind === 'witness' ? 'witness' : 'counterexample'}: ${v.name} (${v.kind}) in ${info.model}, variant ${info.variant}`,
      source: info.file ?? null,
      model: info.model,
      variant: info.variant,
      params: info.params as { [k: string]: Itf },
      ...(info.faults ? { faults: info.faults as { [k: string]: Itf } } : {}),
      violation: { kind: v.kind, name: v.name, explanation: v.explanation },
    },
    vars: variables(v.trace[0]!.state).map(([k]) => k),
    states,
    // ITF's lasso: the index of the state the trace loops back to.
    ...(v.loop !== undefined && v.loop !== null ? { loop: v.loop } : {}),
  };
}

/** An ITF value as plain JSON, the way toPlain shows the same model value. */
export function fromItf(x: Itf): Plain {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(fromItf);
  if ('#bigint' in x) return Number(x['#bigint']);
  if ('#unserializable' in x) {
    const u = String(x['#unserializable']);
    return u === 'null' ? null : Number.isFinite(Number(u)) && u.trim() !== '' ? Number(u) : u;
  }
  for (const tag of ['#set', '#tup', '#map'])
    if (tag in x && !Array.isArray(x[tag])) throw new UsageError(`not an ITF value: ${tag} must hold a list, got ${JSON.stringify(x[tag]).slice(0, 60)}`);
  if ('#set' in x) return (x['#set'] as Itf[]).map(fromItf).sort((a, b) => compare(a as Itf, b as Itf));
  if ('#tup' in x) return (x['#tup'] as Itf[]).map(fromItf);
  if ('#map' in x) {
    const out: { [k: string]: Plain } = {};
    for (const pair of x['#map'] as Itf[][]) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new UsageError(`not an ITF value: a #map entry must be a [key, value] pair, got ${JSON.stringify(pair).slice(0, 60)}`);
      const k = fromItf(pair[0]!);
      out[typeof k === 'string' ? k : JSON.stringify(k)] = fromItf(pair[1]!);
    }
    return out;
  }
  const out: { [k: string]: Plain } = {};
  for (const [k, v] of Object.entries(x)) if (k !== '#meta') out[k] = fromItf(v);
  return out;
}

/** Read a saved trace back (what `faultline render` draws). */
export function readItf(text: string, where: string): PlainTrace & { readonly meta: { [k: string]: Itf } } {
  let doc: Itf;
  try {
    doc = JSON.parse(text) as Itf;
  } catch (e) {
    throw new UsageError(`${where} is not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(doc.states) || !Array.isArray(doc.vars))
    throw new UsageError(`${where} is not an ITF trace (it needs "vars" and "states")`);
  const meta = (typeof doc['#meta'] === 'object' && doc['#meta'] !== null && !Array.isArray(doc['#meta']) ? doc['#meta'] : {}) as { [k: string]: Itf };
  const vars = doc.vars as string[];
  const steps: PlainStep[] = (doc.states as Itf[]).map((s, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new UsageError(`${where}: state ${i} is not an object`);
    const m = (s['#meta'] ?? {}) as { [k: string]: Itf };
    let state: Plain;
    try {
      state = vars.length === 1 && vars[0] === 'state' ? fromItf(s.state ?? null) : fromItf(s);
    } catch (e) {
      throw new UsageError(`${where}: state ${i}: ${(e as Error).message}`);
    }
    const action = typeof m.action === 'string' ? m.action : i === 0 ? null : `step ${i}`;
    return m.event && typeof m.event === 'object' ? { action, state, event: m.event as unknown as TraceEvent } : { action, state };
  });
  if (steps.length === 0) throw new UsageError(`${where}: the trace has no states`);
  const v = meta.violation as { kind?: string; name?: string; explanation?: string | null } | undefined;
  const title = typeof meta.model === 'string' ? `${meta.model}, variant ${String(meta.variant ?? 'default')}` : where;
  return {
    title,
    steps,
    ...(typeof doc.loop === 'number' ? { loop: doc.loop } : {}),
    violation: v && typeof v.name === 'string' ? { kind: String(v.kind ?? 'invariant'), name: v.name, explanation: v.explanation ?? null } : null,
    meta,
  };
}
