// Loading model files written in TypeScript, anywhere on disk: tsx for the syntax, and hooks
// (hooks.mjs) that point every model's `faultline` and `immutable` imports at this installation's
// copies, so one Immutable.js lives in the process. Imported first by the CLI (src/cli/boot.mjs)
// and by each worker thread of the parallel search (Node 20 does not pass loader hooks to workers).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./hooks.mjs', import.meta.url);
