// Entry of a worker thread of the parallel search: the model loader first, then the worker.
import '../model/loader.mjs';

await import('./worker-main.ts');
