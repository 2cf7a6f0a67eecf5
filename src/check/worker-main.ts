/** A worker thread of the parallel search: load the same model by module URL, compile it the same way, serve. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildSpec, resolveConfig } from '../model/define.js';
import { describeThrown } from '../model/errors.js';
import { loadModel } from '../model/load.js';
import { compile } from './compile.js';
import { serveWorker, type Port, type WorkerSetup } from './worker.js';

const setup = workerData as WorkerSetup;
const port = parentPort as unknown as Port;
try {
  const model = await loadModel(new URL(setup.module));
  serveWorker(compile(buildSpec(model, resolveConfig(model, setup.variant, setup.params, setup.faults)), { symmetry: setup.symmetry, ...(setup.witness ? { witness: setup.witness } : {}), ...(setup.invariants ? { invariants: setup.invariants } : {}) }), port);
} catch (e) {
  // Answer every request with the error; the search then falls back to one thread.
  port.on('message', () => port.postMessage({ type: 'error', message: describeThrown(e) }));
}
