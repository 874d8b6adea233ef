import { DuckSession } from '../../datasets/duckdb.js';

/** The options of a run's DuckDB session (RunOutputs.open): one thread, a 64 MB pool. */
export const RUN_SESSION = { threads: 1, memoryLimit: '64MB' } as const;

/**
 * Starts making the run's DuckDB session (DuckSession.prepare) on a thread of libuv's, for RunOutputs.open to take:
 * `tapedeck run` calls it once its arguments are parsed, before the rest of the run's modules load and the scenario
 * is read, which the main thread does meanwhile (~10-20 ms of DuckDB's start-up it waited for after them). A run
 * refused before its outputs open closes it (runAndWrite).
 */
export function prepareRunSession(): void {
  DuckSession.prepare(RUN_SESSION);
}
