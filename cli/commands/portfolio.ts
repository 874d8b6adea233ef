import type { Command } from 'commander';
import { collectSet, intFlag, numberFlag, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

const STATE_HELP = `
STATE is a live or paper session's state directory (its --state DIR, holding portfolio.json) or a
portfolio.json itself. README "Portfolio state" describes the file and the accounting.`;

/**
 * `tapedeck portfolio search SCENARIO`: greedy forward selection of strategies (or symbols) and max
 * positions; `portfolio show|export|merge STATE`: the portfolio state a live session keeps.
 */
export function registerPortfolio(program: Command): void {
  const portfolio = program
    .command('portfolio')
    .description("portfolios: greedy search over strategies or symbols; show, export and merge a live session's portfolio state")
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck portfolio search my-strategies.json --max-positions 1,2,3,4 --out out/portfolio',
        '  $ tapedeck portfolio show state/paper',
        '  $ tapedeck portfolio merge state/paper state/lab --out merged.json --name combined',
      ].join('\n'),
    );
  portfolio
    .command('show')
    .description("print a live session's portfolio: cash, equity, P&L, positions, working orders, last fills")
    .argument('<state>', 'state directory (holding portfolio.json) or a portfolio.json')
    .option('--json', 'print the portfolio file as it is')
    .addHelpText('after', `${STATE_HELP}\n\nExamples:\n  $ tapedeck portfolio show state/paper\n  $ tapedeck portfolio show state/paper/portfolio.json --json`)
    .action(lazyAction(async () => (await import('../actions/portfolio-state.js')).portfolioShowAction));
  portfolio
    .command('export')
    .description('write the portfolio to a file: the whole portfolio.json (json) or the positions table (csv)')
    .argument('<state>', 'state directory (holding portfolio.json) or a portfolio.json')
    .requiredOption('--out <file>', 'file to write (must not exist: an export never overwrites)')
    .option('--format <f>', "'json' (the whole file) or 'csv' (the positions)", 'json')
    .option('--quiet', 'print nothing on success')
    .addHelpText('after', `${STATE_HELP}\n\nExamples:\n  $ tapedeck portfolio export state/paper --out paper.json\n  $ tapedeck portfolio export state/paper --out positions.csv --format csv`)
    .action(lazyAction(async () => (await import('../actions/portfolio-state.js')).portfolioExportAction));
  portfolio
    .command('merge')
    .description('merge two portfolios into one (cash summed, positions netted, histories kept) and write it as a portfolio.json')
    .argument('<a>', 'first portfolio: state directory or portfolio.json')
    .argument('<b>', 'second portfolio: state directory or portfolio.json')
    .requiredOption('--out <file>', 'file to write (must not exist)')
    .option('--name <name>', 'name of the merged portfolio (default: A+B, the two names)')
    .option('--json', 'print the merged file instead of the summary')
    .option('--quiet', 'print nothing on success')
    .addHelpText(
      'after',
      [
        STATE_HELP,
        '',
        'Merge rules: initial cash, cash and realized P&L are summed; positions of one symbol are netted (same side:',
        'quantity-weighted average price; opposite sides: the remaining side keeps its average price and the netted',
        "quantity's P&L is realized); a symbol with two multipliers is refused; marks come from the later portfolio;",
        'fills are kept in time order; order and strategy ids are prefixed with their portfolio name (A/O-1).',
        '',
        'Example:',
        '  $ tapedeck portfolio merge state/paper state/lab --out merged.json --name combined',
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/portfolio-state.js')).portfolioMergeAction));
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
