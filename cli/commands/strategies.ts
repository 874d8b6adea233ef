import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';

/** `tapedeck strategies [type]`: the built-in strategies (or one, or a module's) with their descriptions and parameters. */
export function registerStrategies(program: Command): void {
  program
    .command('strategies')
    .description('list the built-in strategies with their descriptions and parameters (defaults); or describe one, or a strategy module')
    .argument('[type]', "a built-in name (sma_cross) or a strategy module's path (./strategies/breakout.ts)")
    .option('--json', 'print the listing as JSON')
    .addHelpText(
      'after',
      '\nA scenario names a strategy by this `type`; its `params` override the defaults shown (an unknown key is refused).\n\nExamples:\n  $ tapedeck strategies\n  $ tapedeck strategies rsi_reversion\n  $ tapedeck strategies ./strategies/breakout.ts --json',
    )
    .action(lazyAction(async () => (await import('../actions/strategies.js')).strategiesAction));
}
