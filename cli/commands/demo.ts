import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

/**
 * `tapedeck demo`: creates the demo dataset (out/demo-data) when it is missing, then runs
 * scenarios/demo.json and writes out/demo/report.json and report.html. `npm start` runs it; a rerun
 * reuses the dataset and replaces only the files the demo wrote in out/demo.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate the demo dataset if missing, then run scenarios/demo.json')
    .option('--out <dir>', 'output directory', 'out/demo')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', '\nExample:\n  $ tapedeck demo            # what `npm start` runs')
    .action(lazyAction(async () => (await import('../actions/demo.js')).demoAction));
}
