import { workerData } from 'node:worker_threads';
import { executeTrial, loadTrialRunner } from './execute-trial.js';
import type { TrialResult, TrialRunner, TrialTask } from './trial.js';

/**
 * The piscina worker of the local pool. It imports the trial runner module named in workerData once
 * and keeps the runner, so the data a runner opens is loaded once per worker, not once per trial.
 */
const { runnerModule } = workerData as { runnerModule: string };
// Start loading the runner when the worker starts (not at its first task), so a pool's workers load
// in parallel; a load error surfaces at the first task.
const runner: Promise<TrialRunner> = loadTrialRunner(runnerModule);
runner.catch(() => {});

export default async function runTrialTask(task: TrialTask & { readonly shared?: unknown }): Promise<TrialResult> {
  return executeTrial(await runner, task);
}
