// Starts the CLI: TypeScript support (tsx) for faultline's sources and for model files anywhere
// on disk, and a resolver that points every model's `faultline` and `immutable` imports at
// faultline's own copies, so one Immutable.js lives in the process.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./hooks.mjs', import.meta.url);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
