import { redactUrl, runQueueWorker } from '../../sim/research/index.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial-module.js';
import { checkWorkers, intFlag, queueFlag } from '../flags.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';

/** What `tapedeck worker` does once its arguments are parsed (loaded only when the command runs). */
export async function workerAction(opts: { queue: string; concurrency?: number; quiet?: boolean }): Promise<void> {
  const concurrency = checkWorkers(opts.concurrency, '--concurrency');
  // SIGINT/SIGTERM: running trials finish, then the queues and Redis close; exit 130/143.
  const done = stopsOnShutdown();
  const log = (line: string): void => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };
  try {
    await runQueueWorker({
      url: opts.queue,
      concurrency,
      runnerModule: SWEEP_TRIAL_MODULE,
      signal: shutdownSignal(),
      // Only once connected and on the right database: a failure never follows a success line.
      onReady: () => log(`worker: listening on ${redactUrl(opts.queue)} with ${concurrency} thread${concurrency === 1 ? '' : 's'}`),
      onEvent: (e) => {
        if (e.kind === 'trial') log(`worker: ${e.queue} trial ${e.key} ${e.status}`);
        else log(`worker: ${e.kind} ${e.queue}`);
      },
    });
  } finally {
    done();
  }
  log('worker: stopped');
}
