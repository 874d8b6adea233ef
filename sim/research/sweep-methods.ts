/**
 * The sweep's search methods and its default trial limit: constants without dependencies, so that the
 * CLI can list them in its help without loading the trial store (DuckDB) or the worker pool (piscina).
 */

/** Search methods: grid and random here, the others from sim/research/optimizers. */
export const SWEEP_METHODS = ['grid', 'random', 'ga', 'de', 'mcmc', 'bayes'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

/** Trials a sweep (or each fold of a walk-forward) may have unless `maxTrials` (`--max-trials`) says otherwise. */
export const DEFAULT_MAX_TRIALS = 100_000;
/**
 * DEFAULT_MAX_TRIALS as the help shows it (100,000), grouped by hand: toLocaleString would start ICU, a
 * sixth of `tapedeck --help`'s time.
 */
export const DEFAULT_MAX_TRIALS_TEXT = String(DEFAULT_MAX_TRIALS).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
