/** A worker thread: load the same model with the same configuration, then serve the explorer. */
import { parentPort, workerData } from 'node:worker_threads';
import { compile } from '../check/compile.js';
import { serveWorker, type Port } from '../check/worker.js';
import { buildSpec, describeThrown, resolveConfig } from '../model/index.js';
import { loadModel } from './load.js';

const { file, variant, params, faults, symmetry, witness } = workerData as {
  file: string;
  variant: string;
  params: Record<string, unknown>;
  faults: Record<string, unknown>;
  symmetry: boolean;
  witness: string | null;
};
const port = parentPort as unknown as Port;
try {
  const model = await loadModel(file);
  serveWorker(compile(buildSpec(model, resolveConfig(model, variant, params, faults)), { symmetry, ...(witness ? { witness } : {}) }), port);
} catch (e) {
  // Answer every request with the error; the explorer then falls back to working alone.
  port.on('message', () => port.postMessage({ type: 'error', message: describeThrown(e) }));
}
