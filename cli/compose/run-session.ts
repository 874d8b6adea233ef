import { statSync } from 'node:fs';
import { DuckSession } from '../../datasets/duckdb.js';

/** The options of a run's DuckDB session (RunOutputs.open): one thread, a 64 MB pool. */
export const RUN_SESSION = { threads: 1, memoryLimit: '64MB' } as const;

/**
 * Starts making the run's DuckDB session (DuckSession.prepare) on a thread of libuv's, for RunOutputs.open to take:
 * `tapedeck run` calls it once its arguments are parsed, before the rest of the run's modules load and the scenario
 * is read, which the main thread does meanwhile (~10-20 ms of DuckDB's start-up it waited for after them). Not when
 * `scenarioFile` is no file (the run is refused at once, with nothing started); a run refused later, before its
 * outputs open, closes it (runAndWrite), once made: that refusal costs the instance's making (~20 ms of CPU).
 */
export function prepareRunSession(scenarioFile: string): void {
  if (statSync(scenarioFile, { throwIfNoEntry: false })?.isFile() !== true) return;
  DuckSession.prepare(RUN_SESSION);
}
