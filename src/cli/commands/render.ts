/** `faultline render <trace.itf.json>` and `faultline report [dir]`: redraw a saved trace; index the reports under a folder. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeThrown, FaultlineError, UsageError } from '../../model/errors.js';
import { traceHtml } from '../../report/html.js';
import { readItf } from '../../report/itf.js';
import { writeDrawings, writeIndex } from '../../report/write.js';
import { type Command, EXIT } from '../options.js';

export const renderCommand: Command<{ trace: string; out?: string }> = {
  usage: 'render <trace>',
  describe: 'redraw a saved trace (trace.itf.json): sequence.dot, sequence.svg, history.svg (with a client history) and trace.html',
  options: (y) =>
    y
      .positional('trace', { type: 'string', demandOption: true, describe: 'an ITF trace written by check --report' })
      .option('out', { type: 'string', describe: 'folder to write to (default: the trace file’s folder)' }),
  run: async ({ trace: file, out }) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    const trace = readItf(text, file);
    const dir = out ?? dirname(file);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'trace.html'), traceHtml(trace, await writeDrawings(dir, trace)));
    } catch (e) {
      // The events faultline writes are well formed; an edited or foreign file may not be.
      if (e instanceof FaultlineError || (e as NodeJS.ErrnoException).syscall) throw e;
      throw new UsageError(`${file}: a trace faultline cannot draw (its events are not as faultline writes them): ${describeThrown(e)}`);
    }
    process.stdout.write(`${trace.title}: ${trace.steps.length - 1} steps → ${join(dir, 'sequence.svg')}, ${join(dir, 'trace.html')}\n`);
    return EXIT.ok;
  },
};

export const reportCommand: Command<{ dir: string }> = {
  usage: 'report [dir]',
  describe: 'write dir/index.html linking every report under dir',
  options: (y) => y.positional('dir', { type: 'string', default: 'reports' }),
  run: async ({ dir }) => {
    const n = writeIndex(dir);
    process.stdout.write(`${join(dir, 'index.html')}: ${n} report(s)\n`);
    return EXIT.ok;
  },
};
