import type { Command } from 'commander';
import { redactUrl, runQueueWorker } from '../../sim/research/index.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial.js';
import { checkWorkers, intFlag, queueFlag } from '../flags.js';
import { shutdownSignal, stopsOnShutdown } from '../shutdown.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process the trials of sweeps started with --queue (on any machine that can read their data); Ctrl-C stops')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT[/DB]', queueFlag)
    .option('--concurrency <n>', 'trials at once, one worker thread each (default: the number of CPUs; at most 4 per CPU)', intFlag('--concurrency'))
    .option('--quiet', 'do not log joined queues and finished trials')
    .addHelpText('after', '\nExamples:\n  $ tapedeck worker --queue redis://127.0.0.1:6379\n  $ tapedeck worker --queue redis://10.0.0.5:6379 --concurrency 8')
    .action(async (opts: { queue: string; concurrency?: number; quiet?: boolean }) => {
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
    });
}
