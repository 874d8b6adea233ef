import type { Command } from 'commander';
import { DEFAULT_MAX_TRIALS_TEXT, SWEEP_METHODS } from '../../sim/research/sweep-methods.js';
import { collectSet, intFlag, numberFlag, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

export function registerWalkForward(program: Command): void {
  program
    .command('walkforward')
    .description('walk-forward analysis: optimize on each train window, run the choice on the next test window, stitch the out-of-sample curve; writes DIR/walkforward.json')
    .argument('<scenario>', 'scenario JSON file')
    .option('--space <file>', 'search space JSON (as for tapedeck sweep); required unless --lambda-eta')
    .requiredOption('--train <duration>', 'train window length, e.g. 90d')
    .requiredOption('--test <duration>', 'test window length, e.g. 30d')
    .requiredOption('--out <dir>', 'output directory (folds/*.duckdb, walkforward.json)')
    .option('--anchored', 'anchored windows: every train window starts at the data start')
    .option('--purge <duration>', 'drop this much of the end of each train window before its test, e.g. 5d')
    .option('--embargo <duration>', 'only 0: a walk-forward never trains after its test window, so an embargo would change nothing (refused)')
    .option('--method <name>', `search method per fold: ${SWEEP_METHODS.join(', ')}`, 'grid')
    .option('--trials <n>', 'trials per fold (random and optimizer methods)', intFlag('--trials'))
    .option('--max-trials <n>', `most trials per fold, grid points or --trials (default ${DEFAULT_MAX_TRIALS_TEXT})`, intFlag('--max-trials'))
    .option('--workers <n>', 'worker threads (default: the number of CPUs; at most 4 per CPU)', intFlag('--workers'))
    .option('--seed <n>', 'seed, 0 to 2^53-1 (default: the scenario seed)', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--fitness <expr>', "metric to maximize, a weighted composite such as 'sharpe:1,maxDrawdown:-0.5', or a preset (seed001)", 'sharpe')
    .option('--warmup <duration>', "warm-up of each test run: the strategies see this much data before the test window, without trading (default: the train length; 0 or --no-warmup: none)")
    .option('--no-warmup', 'test runs start cold at their test window (indicators warm up inside it)')
    .option('--warm-start', 'test runs replay their train window first: learning strategies stop training at the train end and act on what they learned; only the test window is measured')
    .option('--improvement-threshold <x>', "automatic update (seed 001): a fold adopts its re-optimized parameters only when their train fitness beats the parameters in force by more than x times |their fitness| (e.g. 0.05); otherwise those run the test", numberFlag('--improvement-threshold'))
    .option('--min-observations <n>', 'automatic update: a fold adopts re-optimized parameters only when its train window gives at least n per-period returns', intFlag('--min-observations'))
    .option('--lambda-eta', "seed 000's nested walk-forward of the ensemble's mean-variance lambda and eta instead of --space parameters: each strategy runs alone, and each fold picks (lambda, eta) by an inner walk-forward in its train window; writes DIR/lambda-eta.json")
    .option('--lambdas <list>', 'with --lambda-eta: risk aversions tried (default 50,100,150,200,300)')
    .option('--etas <list>', 'with --lambda-eta: turnover penalties tried (default 0.01,0.03,0.05,0.08,0.1)')
    .option('--inner-train <duration>', 'with --lambda-eta: inner train window inside each train window, e.g. 60d')
    .option('--inner-test <duration>', 'with --lambda-eta: inner test window, e.g. 10d')
    .option('--cost <x>', 'with --lambda-eta: cost per unit of turnover, charged when the weights change (default 0)', numberFlag('--cost'))
    .option('--w-max <x>', 'with --lambda-eta: cap per weight (default max(0.25, 1/strategies))', numberFlag('--w-max'))
    .option('--fresh', 'delete the fold trial stores of DIR and start over')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck walkforward scenarios/sma-cross.json --space space.json --train 90d --test 30d --out out/wf',
        '  $ tapedeck walkforward scenarios/sma-cross.json --space space.json --train 180d --test 30d --anchored --purge 5d --method random --trials 20 --out out/wf',
        '',
        'The data window is the scenario data.start/data.end (settable with --set), else the whole dataset.',
        '',
        'Warm-up (default): each test run replays the --warmup span before its test window (default the',
        'train length, never before the data start) with engine.tradeFrom at the test start: strategies see',
        'those bars and timers, so indicators are warm when the window opens, but every order, target and',
        'signal before it is dropped (counted in the assumptions); only the test window is measured.',
        '--no-warmup (or --warmup 0) starts each test run cold at its window, as before.',
        '',
        'Warm start (--warm-start): by default a test run starts cold at its test window, so a strategy that',
        'learns (such as q_learning_selector) would be judged untrained. With --warm-start each test run',
        "replays from its train window's start through its test window's end; every strategy whose type",
        "declares a train-until parameter (q_learning_selector: trainUntil) gets it set, by dotted path",
        '(strategies.<i>.params.trainUntil), to the train window end, in the train trials and in the test',
        "run, and so does an ensemble's learning weighting (kind rl: ensemble.weighting.trainUntil);",
        "the fold's OOS metrics and the stitched curve use only the test window, rebased at its start.",
        'walkforward.json then has "warmStart": true and, per fold, warmStart {replayFrom, trainUntil, paths}.',
        '  $ tapedeck walkforward scenarios/q-learning.json --space scenarios/q-learning.space.json --train 180d --test 60d --warm-start --out out/wf-q',
        '',
        'Automatic update (--improvement-threshold, --min-observations; seed 001): the first fold adopts its',
        "best parameters; each later fold re-optimizes and adopts the result only when its train window has at",
        "least --min-observations returns and its fitness beats the parameters in force, run on the same train",
        'window, by more than the threshold times |their fitness|; otherwise the parameters in force run the',
        "test window. Each fold's decision and reason is in walkforward.json (folds[].update).",
        '  $ tapedeck walkforward scenarios/sma-cross.json --space scenarios/sma-cross.space.json --train 90d --test 30d --improvement-threshold 0.05 --min-observations 60 --out out/wf-auto',
        '',
        "Lambda/eta (--lambda-eta; seed 000): each strategy of the scenario runs alone over the data window; their",
        'per-period returns are the columns of a matrix, and durations become rows in proportion to the data window.',
        'Each outer fold scores every (lambda, eta) pair by the Sharpe ratio of an inner walk-forward inside its train',
        'window, optimizes the weights on the whole train window with the best pair and holds them through its test.',
        '  $ tapedeck walkforward scenarios/ensemble.json --lambda-eta --train 180d --test 60d --inner-train 120d --inner-test 30d --out out/wf-lambda-eta',
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/walkforward.js')).walkForwardAction));
}
