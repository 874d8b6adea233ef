import type { Command } from 'commander';
import { collectSet, intFlag, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train a direction classifier per symbol on the scenario's bars with purged, embargoed cross-validation; writes DIR/{SYMBOL}_best.json model bundles (seed 004's format) and DIR/train.json")
    .argument('<scenario>', 'scenario JSON file (its data section: bars, symbols, start, end)')
    .requiredOption('--model <kind>', 'rf (random forest, ml-random-forest) or logit (L2 logistic regression)')
    .requiredOption('--features <list>', 'comma-separated features: ret1, ret5, ret20, ibs, rsi14, volz20, rvol20, range, dist20')
    .requiredOption('--out <dir>', 'output directory ({SYMBOL}_best.json per symbol, train.json)')
    .option('--target <spec>', 'label: up:H, 1 when the close H bars later is higher', 'up:1')
    .option('--cv <scheme>', 'kfold (purged k-fold: every row tested once) or walkforward (anchored: train only before each test block)', 'kfold')
    .option('--folds <n>', 'folds (test blocks)', intFlag('--folds'), 5)
    .option('--purge <bars>', 'train rows dropped before each test block (default: the target horizon H)', intFlag('--purge'))
    .option('--embargo <bars>', 'train rows dropped after each test block (kfold; default: H; walkforward: only 0)', intFlag('--embargo'))
    .option('--threshold <p>', "the bundles' Prod_Threshold: the probability an ibs entry needs", '0.5')
    .option('--trees <n>', 'rf: trees (n_estimators)', intFlag('--trees'))
    .option('--max-depth <n>', 'rf: deepest split (max_depth; default 5)', intFlag('--max-depth'))
    .option('--min-samples-leaf <n>', 'rf: min_samples_leaf (default 5)', intFlag('--min-samples-leaf'))
    .option('--max-features <v>', "rf: features per tree: sqrt, log2, a count or a share in (0, 1) (default sqrt)")
    .option('--no-bootstrap', 'rf: every tree trains on every row')
    .option('--max-samples <share>', 'rf: bootstrap sample size as a share of the rows (max_samples)')
    .option('--class-weight <kind>', 'rf: balanced or balanced_subsample (class-balanced bootstrap samples)')
    .option('--C <c>', 'logit: inverse L2 strength, as scikit-learn (default 1)')
    .option('--params <file>', "hyperparameters under scikit-learn's names (n_estimators, max_depth, min_samples_leaf, max_features, bootstrap, max_samples, class_weight; C, penalty), or a seed-004 {SYMBOL}_best.json whose Params to use")
    .option('--seed <n>', 'seed, 0 to 2^53-1 (default: the scenario seed)', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tapedeck train scenarios/quickstart.json --set data.bars=prices.csv --model rf --features ibs,rsi14,ret1,volz20 --target up:1 --out models',
        '  $ tapedeck train scenarios/quickstart.json --set data.bars=prices.csv --model logit --features ibs,ret1,ret5 --cv walkforward --folds 4 --out models',
        '  $ tapedeck train scenarios/quickstart.json --set data.bars=prices.csv --model rf --params old/AAA_best.json --features ibs,rsi14 --out models',
        '',
        'Out-of-sample accuracy, log loss, AUC and a calibration table come from predictions made only by',
        'models that never trained on the test rows nor on rows whose label overlaps them: with target up:H,',
        'purge and embargo default to H rows. Importance and mutual information (of each feature\'s deciles',
        'with the label) are from all rows. The model in each bundle is trained on every labelled row.',
        'Use the bundles in a scenario: "bundles": { "dir": "models" } with an ibs strategy, which then',
        'enters only when the model probability is at least the bundle\'s Prod_Threshold.',
      ].join('\n'),
    )
    .action(lazyAction(async () => (await import('../actions/train.js')).trainAction));
}
