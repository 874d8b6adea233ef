import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

/** Default output of `tapedeck compare`. */
export const DEFAULT_COMPARE_OUT = 'out/compare.html';

/** `tapedeck compare DIR1 DIR2 ...`: metrics side by side on stdout and in a comparison HTML page. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare two or more runs: metrics side by side on stdout, overlaid equity curves in an HTML page')
    .argument('<dirs...>', 'run directories holding report.json (or report.json files)')
    .option('--out <file>', 'comparison HTML to write', DEFAULT_COMPARE_OUT)
    .option('--json', 'print the runs and their metrics as JSON instead of a table')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      '\nExamples:\n  $ tapedeck compare out/demo out/sma-cross\n  $ tapedeck compare out/a out/b out/c --out out/abc.html\n  $ tapedeck compare out/demo out/sma-cross --json | jq ".runs[].metrics.sharpe"',
    )
    .action(lazyAction(async () => (await import('../actions/compare.js')).compareAction));
}
