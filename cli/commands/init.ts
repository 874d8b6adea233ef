import type { Command } from 'commander';
import { SAMPLE_SYMBOL } from '../init-template.js';
import { lazyAction } from '../lazy-action.js';

const HELP_AFTER = `
Writes a project that runs offline against this Tapedeck (by default its absolute path, as
"tapedeck": "file:..." in package.json):
  package.json             depends on tapedeck; scripts backtest, sweep, walkforward, test
  strategies/breakout.ts   a Donchian breakout written with defineStrategy and indicators from 'tapedeck'
  scenario.json            runs it on data/${SAMPLE_SYMBOL}.csv (seeded synthetic daily bars)
  space.json               the parameters a sweep explores
  test/breakout.test.mjs   calls backtest() (node --test, nothing else to install)
  README.md
DIR must be new or empty: nothing is ever overwritten.

Example:
  $ tapedeck init my-strategies && cd my-strategies && npm install && npx tapedeck run scenario.json
  $ tapedeck init my-strategies --tapedeck ../tapedeck-0.1.0.tgz
`;

/** Registers `init DIR`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a new project: a strategy of your own, a scenario, sample data and a test')
    .argument('<dir>', 'the project directory (new or empty)')
    .option('--tapedeck <spec>', 'tapedeck dependency: a version, a path to a checkout or tarball, or an npm spec (default: this tapedeck by path)')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', HELP_AFTER)
    .action(lazyAction(async () => (await import('../actions/init.js')).initAction));
}
