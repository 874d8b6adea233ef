import type { TrialResult, TrialTask } from './trial.js';

/** Called with each finished trial, in completion order (the sweep merges by key, not by this order). */
export type TrialResultHandler = (result: TrialResult) => Promise<void> | void;

/**
 * Runs trial tasks somewhere: on local worker threads ({@link createLocalExecutor}) or through a Redis
 * queue ({@link createQueueExecutor}). Both run the same runner module on the same tasks, so they
 * produce the same results.
 */
export interface TrialExecutor {
  /** How the trials run, for messages (`2 worker threads`, `queue redis://...`). */
  readonly description: string;
  /**
   * Runs the tasks and calls `onResult` as each finishes; resolves once every task's result was handled.
   * When `signal` aborts, it stops (queued tasks are dropped, running ones abandoned) and rejects with
   * the signal's reason. Rejects on an infrastructure failure (a worker that cannot load, a lost queue).
   */
  run(tasks: readonly TrialTask[], onResult: TrialResultHandler, signal?: AbortSignal): Promise<void>;
  /** Stops the workers or disconnects from the queue. */
  close(): Promise<void>;
}
