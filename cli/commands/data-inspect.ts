import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

/** Registers `data inspect` on the shared `data` command. */
export function registerDataInspect(data: Command): void {
  data
    .command('inspect')
    .description('print a dataset manifest summary: kinds, symbols, time range, rows, contentHash')
    .argument('<dir>', 'dataset directory')
    .option('--json', 'print the raw manifest.json')
    .addHelpText(
      'after',
      `
Reads only manifest.json (fast); use 'tapedeck data validate' to re-check the files themselves.

Examples:
  $ tapedeck data inspect data/demo
  $ tapedeck data inspect data/demo --json
`,
    )
    .action(lazyAction(async () => (await import('../actions/data-inspect.js')).dataInspectAction));
}
