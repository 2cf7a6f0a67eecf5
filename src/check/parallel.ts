/**
 * The breadth-first explorer on several worker threads, with results identical to `explore`'s:
 * the same state ids, parents and choices, counts (per action too), first violation and trace.
 *
 * Level by level, each worker holds a contiguous part of the level (in id order) and expands it,
 * dropping successors whose fingerprints are already in the seen-state store (shared, read-only
 * while the workers run). This thread then merges what is left in exactly the order the
 * sequential search would have met it: state by state, successor by successor, adding to the
 * store and checking deadlocks and (worker-computed) invariant verdicts. The new states stay with
 * the worker that made them, so the next level is again contiguous per worker; when the parts get
 * uneven, a worker hands its tail (or head) to its neighbour.
 *
 * If anything goes wrong in a worker (a model error, a Record type it cannot rebuild), the search
 * is run again sequentially, which reports the same result with the sequential explorer's message.
 */
import type { Worker } from 'node:worker_threads';
import { bfsAsync, finishSearch } from './bfs.js';
import { BEYOND, type Compiled, familyNumbering } from './compile.js';
import { Budget, Counters, type Found, stopAtNew, StuckError, takeInitialStates } from './core.js';
import { StateStore } from './store.js';
import type { CheckResult, StopReason } from './types.js';
import type { Expanded, FromWorker, ToWorker } from './worker.js';

class Fallback extends Error {}

function ask(w: Worker, m: ToWorker): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const done = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (r: FromWorker) => {
      done();
      // A stuck action is reported as it is (the sequential search would only be stuck again).
      if (r.type === 'error') reject(r.stuck ? new StuckError(r.message) : new Fallback(r.message));
      else resolve(r);
    };
    const onError = (e: Error) => {
      done();
      reject(new Fallback(e.message));
    };
    // A worker that ends without an answer (process.exit in a model, say) must not hang the search.
    const onExit = (code: number) => {
      done();
      reject(new Fallback(`a worker thread exited (code ${code})`));
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.once('exit', onExit);
    w.postMessage(m);
  });
}

/** The breadth-first search of a compiled model on `workers` (each serving the same model), within `budget`. */
export async function parallelBfs<S>(model: Compiled<S>, workers: Worker[], budget: Budget = new Budget()): Promise<CheckResult<S>> {
  // Ctrl-C reaches this thread only: the workers read this flag (Budget.stop) and stop within
  // milliseconds — unless one is stuck in an action; the search gives up on them a second later.
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  let timer: NodeJS.Timeout | undefined;
  let stopListening = (): void => {};
  const givenUp = new Promise<typeof GIVEN_UP>((resolve) => {
    stopListening = budget.onInterrupt(() => {
      Atomics.store(interrupt, 0, 1);
      timer ??= setTimeout(() => resolve(GIVEN_UP), GRACE_MS);
    });
  });
  try {
    return await run(model, workers, budget, { flag: interrupt, givenUp });
  } catch (e) {
    if (e instanceof Fallback) {
      if (process.env.FAULTLINE_DEBUG) process.stderr.write(`parallel search fell back to one thread: ${e.message}\n`);
      return await bfsAsync(model, budget);
    }
    throw e;
  } finally {
    stopListening();
    clearTimeout(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const GIVEN_UP = Symbol('given up');
const GRACE_MS = 1000;

async function run<S>(model: Compiled<S>, workers: Worker[], budget: Budget, interrupt: { flag: Int32Array; givenUp: Promise<typeof GIVEN_UP> }): Promise<CheckResult<S>> {
  const maxDepth = budget.maxDepth;
  const maxStates = budget.maxStates;
  const deadline = budget.wallDeadline();
  const deadlockOn = budget.deadlockOn(model);
  const counters = new Counters();
  const W = workers.length;

  const store = new StateStore(1 << 14);
  // Workers number the families of `next` labels in their own order; names map them to ours.
  const families: string[] = model.families.slice();
  const familyId = familyNumbering(families);
  let depth = 0;
  let maxLevel = 0;

  // Initial states, exactly as the sequential search takes them.
  const start = takeInitialStates(model, store, maxStates);
  counters.generated = start.generated;
  let found: Found | null = start.found;
  let stopReason: StopReason | null = start.stopReason;
  const held = start.held;
  const sizes: number[] = [];
  for (let w = 0; w < W; w++) {
    const part = held.slice(Math.floor((w * held.length) / W), Math.floor(((w + 1) * held.length) / W));
    sizes.push(part.length);
    await ask(workers[w]!, { type: 'hold', init: part });
  }

  let levelStart = 0;
  while (!found && stopReason === null) {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total === 0) break;
    maxLevel = depth;
    if (depth >= maxDepth) {
      stopReason = 'max-depth';
      break;
    }
    const why = budget.stop();
    if (why !== null) {
      stopReason = why;
      break;
    }
    const tA = performance.now();
    const view = store.view();
    const firstIds = sizes.map((_, w) => levelStart + sizes.slice(0, w).reduce((a, b) => a + b, 0));
    const actionTimeoutMs = budget.actionTimeoutMs;
    const answers = Promise.all(workers.map((w, k) => ask(w, { type: 'expand', view, deadline, actionTimeoutMs, interrupt: interrupt.flag, firstId: firstIds[k]!, depth })));
    answers.catch(() => {}); // if given up on, the workers' answers (or their ends) are not waited for
    const results = (await Promise.race([answers, interrupt.givenUp])) as Expanded[] | typeof GIVEN_UP;
    if (results === GIVEN_UP) {
      stopReason = 'interrupted';
      break;
    }
    const tM = performance.now();
    const stopped = results.find((r) => r.stopped !== null);
    if (stopped) {
      stopReason = budget.stop() ?? stopped.stopped;
      break;
    }
    // Merge in sequential order. Only the candidates (successors no worker had seen) are walked
    // one by one; the other successors are counted per family from the workers' totals — unless
    // the search stops inside this level, where the counts must stop at the same successor as
    // the sequential search's: then they are counted one by one up to there (stopW, stopQ).
    const keeps: Uint8Array[] = [];
    let base = levelStart;
    let stopW = -1;
    let stopQ = 0;
    merge: for (let w = 0; w < W; w++) {
      const r = results[w]!;
      const map = r.families.map(familyId);
      const keep = new Uint8Array(r.cand.length);
      keeps.push(keep);
      let pos = 0;
      let c = 0;
      for (let p = 0; p < r.counts.length; p++) {
        const id = base + p;
        const n = r.counts[p]!;
        if (n === BEYOND) {
          counters.beyond++;
          continue;
        }
        if (n === 0 && deadlockOn) {
          found = { kind: 'deadlock', name: 'Deadlock', id };
          stopW = w;
          stopQ = pos;
          break merge;
        }
        const end = pos + n;
        for (; c < r.cand.length && r.cand[c]! < end; c++) {
          const q = r.cand[c]!;
          const nid = store.add(r.candHi[c]!, r.candLo[c]!, id, q - pos);
          if (nid < 0) continue;
          keep[c] = 1;
          counters.newBy(map[r.candFam[c]!]!);
          const stop = stopAtNew(model, r.candBad[c]!, nid, store.size, maxStates);
          if (stop) {
            ({ found, stopReason } = stop);
            maxLevel = depth + 1;
            stopW = w;
            stopQ = q + 1;
            break merge;
          }
        }
        pos = end;
      }
      base += sizes[w]!;
    }
    for (let w = 0; w < W && (stopW < 0 || w <= stopW); w++) {
      const r = results[w]!;
      const map = r.families.map(familyId);
      if (w === stopW) {
        const { fams } = (await ask(workers[w]!, { type: 'fams', upTo: stopQ })) as Extract<FromWorker, { type: 'fams' }>;
        for (let q = 0; q < stopQ; q++) counters.generatedBy(map[fams[q]!]!);
      }
      else r.famTotals.forEach((n, k) => n > 0 && counters.generatedMany(map[k]!, n));
    }
    if (found || stopReason) break;
    const tB = performance.now();
    await Promise.all(workers.map((w, k) => ask(w, { type: 'keep', keep: keeps[k]! })));
    const tC = performance.now();
    levelStart += total;
    for (let w = 0; w < W; w++) sizes[w] = keeps[w]!.reduce((a, b) => a + b, 0);
    if (sizes.some((n) => n > 0)) depth++;
    const before = sizes.slice();
    await balance(workers, sizes);
    if (process.env.FAULTLINE_DEBUG) process.stderr.write(`level ${depth}: sizes ${before} -> ${sizes}, expand ${(tM - tA).toFixed(0)} ms (workers ${results.map((r) => r.ms.toFixed(0))}) merge ${(tB - tM).toFixed(0)} ms (${results.reduce((n, r) => n + r.cand.length, 0)} candidates), keep ${(tC - tB).toFixed(0)} ms, balance ${(performance.now() - tC).toFixed(0)} ms\n`);
    budget.progress(() => ({ distinctStates: store.size, generatedStates: counters.generated, depth, queued: sizes.reduce((a, b) => a + b, 0), elapsedMs: performance.now() - budget.start }), performance.now(), true);
  }

  return finishSearch(model, store, budget, { counters, diameter: maxLevel, families, found: found as Found | null, stopReason });
}

/** Even out the parts, keeping them contiguous: neighbours hand over a tail or a head. */
async function balance(workers: Worker[], sizes: number[]): Promise<void> {
  const W = workers.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  if (W < 2 || total < 256) return;
  const target = (w: number) => Math.floor((w * total) / W); // start of part w
  let start = 0;
  for (let b = 1; b < W; b++) {
    start += sizes[b - 1]!; // current start of part b
    const want = target(b);
    const delta = start - want; // > 0: part b-1 is too long
    if (Math.abs(delta) < Math.max(256, total / (4 * W))) continue;
    const fromLeft = delta > 0;
    const count = fromLeft ? delta : Math.min(-delta, sizes[b]!);
    if (count <= 0) continue;
    const giver = fromLeft ? b - 1 : b;
    const taker = fromLeft ? b : b - 1;
    const offered = (await ask(workers[giver]!, { type: 'give', count, fromHead: !fromLeft, to: taker })) as Extract<FromWorker, { type: 'offered' }>;
    const taken = (await ask(workers[taker]!, { type: 'take', states: offered.states, atHead: fromLeft, from: giver })).type === 'ok';
    await ask(workers[giver]!, { type: 'given', taken });
    // A taker that cannot rebuild a state (a Record type it has not met yet) leaves the parts
    // uneven for this level; the next level tries again.
    if (!taken) continue;
    sizes[giver]! -= count;
    sizes[taker]! += count;
    start += fromLeft ? -count : count;
  }
}
