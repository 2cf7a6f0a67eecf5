// Starts the CLI, with TypeScript model files loadable from anywhere (src/model/loader.mjs).
import '../model/loader.mjs';

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
