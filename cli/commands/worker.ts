import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { runQueueWorker } from '../../sim/research/index.js';
import { SWEEP_TRIAL_MODULE } from '../compose/sweep-trial.js';
import { UsageError } from '../errors.js';
import { intFlag } from './run.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process the trials of sweeps started with --queue (on any machine that can read their data); Ctrl-C stops')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT')
    .option('--concurrency <n>', 'trials at once, one worker thread each (default: the number of CPUs)', intFlag('--concurrency'))
    .option('--quiet', 'do not log joined queues and finished trials')
    .addHelpText('after', '\nExamples:\n  $ tapedeck worker --queue redis://127.0.0.1:6379\n  $ tapedeck worker --queue redis://10.0.0.5:6379 --concurrency 8')
    .action(async (opts: { queue: string; concurrency?: number; quiet?: boolean }) => {
      if (!/^rediss?:\/\//.test(opts.queue)) throw new UsageError(`--queue: expected redis://HOST:PORT, was ${JSON.stringify(opts.queue)}`);
      const concurrency = opts.concurrency ?? availableParallelism();
      if (concurrency < 1) throw new UsageError(`--concurrency: not a positive integer, was ${concurrency}`);
      const controller = new AbortController();
      const stop = (): void => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const log = (line: string): void => {
        if (!opts.quiet) process.stderr.write(`${line}\n`);
      };
      log(`worker: listening on ${opts.queue} with ${concurrency} thread${concurrency === 1 ? '' : 's'}`);
      try {
        await runQueueWorker({
          url: opts.queue,
          concurrency,
          runnerModule: SWEEP_TRIAL_MODULE,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.kind === 'trial') log(`worker: ${e.queue} trial ${e.key} ${e.status}`);
            else log(`worker: ${e.kind} ${e.queue}`);
          },
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      log('worker: stopped');
    });
}
