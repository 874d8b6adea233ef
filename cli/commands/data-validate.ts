import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

/** Registers `data validate` on the shared `data` command. */
export function registerDataValidate(data: Command): void {
  data
    .command('validate')
    .description('re-read every file of a dataset, run all data checks and verify the contentHash')
    .argument('<dir>', 'dataset directory')
    .option('--json', 'print {"ok", "dataset", "files", "rows", "kinds", "symbols", "contentHash"} as JSON')
    .addHelpText(
      'after',
      `
Checks the Parquet schema of every file, every row (finite positive prices, high >= low, open and
close inside [low, high], time order, no duplicate bar times, uncrossed quotes, a consistent and
uncrossed reconstructed book), row counts and time ranges, and recomputes each table hash and the
dataset contentHash. Exit code 0 and one OK line, or non-zero with the first problem (file, row,
column).

Examples:
  $ tapedeck data validate data/demo
  $ tapedeck data validate data/demo --json
`,
    )
    .action(lazyAction(async () => (await import('../actions/data-validate.js')).dataValidateAction));
}
