import type { Command } from 'commander';
import { collectSet, intFlag, numberFlag, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

/**
 * `tapedeck portfolio search SCENARIO`: greedy forward selection of strategies (or symbols) and max
 * positions. `portfolio` is a command group: the live runtime's portfolio state commands join it.
 */
export function registerPortfolio(program: Command): void {
  const portfolio = program
    .command('portfolio')
    .description('portfolio research: greedy search over strategies or symbols')
    .addHelpText('after', '\nExample:\n  $ tapedeck portfolio search my-strategies.json --max-positions 1,2,3,4 --out out/portfolio');
  portfolio
    .command('search')
    .description("greedy portfolio search (seed 004): add the scenario's strategies (or symbols) one at a time while the fitness improves, then pick the max positions; writes DIR/portfolio.json")
    .argument('<scenario>', 'scenario JSON file')
    .requiredOption('--out <dir>', 'output directory (portfolio.json)')
    .requiredOption('--max-positions <list>', 'max-positions values tried after the selection, comma-separated, e.g. 1,2,3,4 (set at --max-positions-path)')
    .option('--over <what>', "what is selected: 'strategies' (the scenario's strategies, by id) or 'symbols' (data.symbols)", 'strategies')
    .option('--max-positions-path <path>', 'scenario field the max-positions values set', 'risk.maxOpenPositions')
    .option('--min-improvement <x>', 'smallest fitness gain that adds a candidate (default 0: any strict gain)', numberFlag('--min-improvement'))
    .option('--max-subset <n>', 'largest selection (default: every candidate)', intFlag('--max-subset'))
    .option('--fitness <expr>', "metric to maximize, a weighted composite such as 'sharpe:1,maxDrawdown:-0.5', or a preset (seed001)", 'sharpe')
    .option('--workers <n>', 'worker threads (default: the number of CPUs; at most 4 per CPU); the evaluations of a round run in parallel', intFlag('--workers'))
    .option('--seed <n>', 'seed of every evaluation, 0 to 2^53-1 (default: the scenario seed)', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Forward selection: start from nothing; each round runs the selection plus each remaining candidate (at the',
        'largest --max-positions) and adds the best one, while it improves the fitness by more than --min-improvement;',
        'then the chosen selection runs with each --max-positions value and the best is kept. Every evaluation is a',
        "run of the scenario (same seed), listed in portfolio.json with its metrics and runHash; the result's",
        '`reproduce` command gives its runHash again.',
        '',
        'Examples:',
        '  $ tapedeck portfolio search my-strategies.json --max-positions 1,2,3,4 --out out/portfolio',
        "  $ tapedeck portfolio search my-strategies.json --over symbols --max-positions 2,4 --fitness 'sharpe:1,maxDrawdown:-0.5' --out out/portfolio-symbols",
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/portfolio.js')).portfolioAction));
}
