// Entry of a worker thread of the parallel explorer: the same module setup as boot.mjs (Node 20
// does not pass registered loader hooks to workers), then the worker's own code.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./hooks.mjs', import.meta.url);
await import('./worker-main.ts');
