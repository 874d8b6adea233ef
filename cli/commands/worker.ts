import type { Command } from 'commander';
import { intFlag, queueFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process the trials of sweeps started with --queue (on any machine that can read their data); Ctrl-C stops')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT[/DB]', queueFlag)
    .option('--concurrency <n>', 'trials at once, one worker thread each (default: the number of CPUs; at most 4 per CPU)', intFlag('--concurrency'))
    .option('--quiet', 'do not log joined queues and finished trials')
    .addHelpText('after', '\nExamples:\n  $ tapedeck worker --queue redis://127.0.0.1:6379\n  $ tapedeck worker --queue redis://10.0.0.5:6379 --concurrency 8')
    .action(lazyAction(async () => (await import('../actions/worker.js')).workerAction));
}
