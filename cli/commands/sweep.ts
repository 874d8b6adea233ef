import type { Command } from 'commander';
import { DEFAULT_MAX_TRIALS_TEXT, SWEEP_METHODS } from '../../sim/research/sweep-methods.js';
import { collectSet, intFlag, queueFlag, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a parameter sweep over a scenario on worker threads (or a Redis queue); resumable; writes DIR/sweep.json')
    .argument('<scenario>', 'scenario JSON file')
    .requiredOption('--space <file>', 'search space JSON: {"parameters": {"<dotted.path>": {...}}, "constraints": [...]}')
    .requiredOption('--out <dir>', 'output directory (trials.duckdb, sweep.json, sweep.html)')
    .option('--method <name>', `search method: ${SWEEP_METHODS.join(', ')}`, 'grid')
    .option('--trials <n>', 'number of trials (random and optimizer methods)', intFlag('--trials'))
    .option('--max-trials <n>', `most trials the sweep may have, grid points or --trials (default ${DEFAULT_MAX_TRIALS_TEXT})`, intFlag('--max-trials'))
    .option('--workers <n>', 'worker threads (default: the number of CPUs; at most 4 per CPU)', intFlag('--workers'))
    .option('--seed <n>', 'sweep seed, 0 to 2^53-1 (default: the scenario seed); trial seeds derive from it', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--fitness <expr>', "metric to maximize, or a weighted composite such as 'sharpe:1,maxDrawdown:-0.5'", 'sharpe')
    .option('--pbo-blocks <n>', 'blocks S of the PBO cross-validation (even)', intFlag('--pbo-blocks'), 16)
    .option('--queue <url>', 'run the trials through a BullMQ queue at redis://HOST:PORT[/DB] (start `tapedeck worker` processes)', queueFlag)
    .option('--fresh', 'delete the trial store of DIR and start over')
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck sweep scenarios/sma-cross.json --space space.json --out out/sweep',
        '  $ tapedeck sweep scenarios/sma-cross.json --space space.json --method random --trials 50 --workers 2 --out out/sweep',
        "  $ tapedeck sweep scenarios/sma-cross.json --space space.json --fitness 'sharpe:1,maxDrawdown:-0.5' --out out/sweep",
        '  $ tapedeck sweep scenarios/sma-cross.json --space space.json --queue redis://127.0.0.1:6379 --out out/sweep',
        '',
        'Rerunning the same command resumes from DIR/trials.duckdb; Ctrl-C keeps the finished trials.',
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/sweep.js')).sweepAction));
}
