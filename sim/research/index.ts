/**
 * Research layer: search spaces, trial identity, the worker pool and the Redis queue that run trials,
 * the resumable DuckDB trial store, and the sweep driver.
 *
 * Programmatic use (what `tapedeck sweep` does):
 *
 * ```ts
 * const outcome = await runSweep({
 *   scenario: rawScenarioDoc,            // JSON document; each trial applies its params with --set semantics
 *   space: parseSearchSpace(spaceDoc),
 *   method: 'grid',                      // or 'random' (with trials), 'ga' | 'de' | 'mcmc' | 'bayes'
 *   seed: 1,
 *   fitness: parseFitness('sharpe'),
 *   storeFile: 'out/sweep/trials.duckdb',
 *   workers: 2,
 *   runnerModule: SWEEP_TRIAL_MODULE,    // cli/compose/sweep-trial: runs a scenario trial
 * });
 * outcome.trials; outcome.combinedHash; outcome.best;
 * ```
 */
export * from './space.js';
export * from './optimizer-settings.js';
export * from './trial.js';
export * from './fitness.js';
export * from './return-moments.js';
export * from './trial-executor.js';
export * from './execute-trial.js';
export { createLocalExecutor, moduleUrl, tsxLoaderUrl } from './local-executor.js';
export type { LocalExecutorOptions } from './local-executor.js';
export * from './trial-store.js';
export * from './sweep.js';
export * from './queue.js';
export { validateClassifier, validationSplits, type ValidationFold, type ValidationOptions, type ValidationResult, type Scores as ValidationScores } from './classifier-validation.js';
