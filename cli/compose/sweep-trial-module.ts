import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the trial runner module of `tapedeck sweep`, `walkforward` and `worker`
 * (cli/compose/sweep-trial: the .ts source or the compiled .js, as this module is), for the pool's
 * workers to import. Naming it here keeps the engine, which that module loads, out of the thread
 * that only hands out trials and stores their results.
 */
export const SWEEP_TRIAL_MODULE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './sweep-trial.ts' : './sweep-trial.js', import.meta.url));
