// Starts the CLI, with TypeScript model files loadable from anywhere (src/model/loader.mjs).
import '../model/loader.mjs';

// A reader that goes away (`faultline list | head -1`) is not an error: stop quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
