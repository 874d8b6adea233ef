import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { checkPositiveInteger } from '../../engine/core/index.js';
import type { TrialResult, TrialTask } from './trial.js';
import type { TrialExecutor, TrialResultHandler } from './trial-executor.js';

/** Returns the file URL of a module given as an absolute path or a file URL. */
export function moduleUrl(pathOrUrl: string): string {
  if (pathOrUrl.startsWith('file:')) return pathOrUrl;
  if (!isAbsolute(pathOrUrl)) throw new TypeError(`trial runner module: expected an absolute path or file URL, was ${JSON.stringify(pathOrUrl)}`);
  return pathToFileURL(pathOrUrl).href;
}

/** Returns the absolute file URL of tsx's ESM loader (a bare `--import tsx` would resolve from the cwd). */
export function tsxLoaderUrl(): string {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve('tsx');
    } catch {
      // fall through to the package directory
    }
  }
  const require = createRequire(import.meta.url);
  const cjsEntry = require.resolve('tsx');
  // .../tsx/dist/cjs/index.cjs or similar: the ESM loader sits at .../tsx/dist/loader.mjs
  let dir = dirname(cjsEntry);
  while (!dir.endsWith(`${'/'}dist`) && dirname(dir) !== dir) dir = dirname(dir);
  return pathToFileURL(join(dir, 'loader.mjs')).href;
}

/**
 * Young generation of each trial worker, in MB (V8 splits it into two semi-spaces and a large-object
 * space: 32 MB semi-spaces here). A trial allocates 15-20 MB of short-lived objects (orders, events,
 * fills before they are logged); with the default young generation of a worker thread V8 scavenged
 * about once per trial and, by promoting what was live at that moment, ran a full mark-compact every
 * 20-30 trials. With this one it scavenges every two to three trials and the old generation barely
 * grows: on the 40-trial sweep bench, 8% less wall time on 1 and on 2 workers (bench/RESULTS.md).
 * It costs up to this much memory per worker while trials run.
 */
export const TRIAL_WORKER_YOUNG_GENERATION_MB = 96;

export interface LocalExecutorOptions {
  /** Number of worker threads (>= 1). */
  readonly workers: number;
  /** The trial runner module (absolute path or file URL); a .ts module runs through tsx. */
  readonly runnerModule: string;
  /**
   * Data the runner module prepared in this thread for the workers (see TrialRunnerModule's
   * `prepareSharedData`), handed to every task as `shared`: typed arrays on SharedArrayBuffers
   * are shared with the workers, not copied, so each worker replays the one copy read here
   * instead of reading the data itself. Called with each batch of tasks before it starts (a
   * walk-forward's folds each have their own data); the batch waits for it while the workers start.
   */
  readonly shared?: (tasks: readonly TrialTask[]) => Promise<unknown> | unknown;
}

/**
 * Returns an executor running trials on a piscina pool of `workers` threads. Every W, 1 included,
 * runs in worker threads, so results never depend on W. From sources (this file is .ts) the workers
 * get tsx's loader; from dist the compiled .js worker needs nothing.
 */
export function createLocalExecutor(options: LocalExecutorOptions): TrialExecutor {
  checkPositiveInteger(options.workers, 'workers');
  const fromSources = import.meta.url.endsWith('.ts');
  const runnerModule = moduleUrl(options.runnerModule);
  const needsTsx = fromSources || runnerModule.endsWith('.ts');
  const filename = new URL(fromSources ? './trial-worker.ts' : './trial-worker.js', import.meta.url).href;
  let poolError: Error | null = null;
  const failWaiters = new Set<(err: Error) => void>();
  const pool = new Piscina<TrialTask & { shared?: unknown }, TrialResult>({
    filename,
    minThreads: options.workers,
    maxThreads: options.workers,
    concurrentTasksPerWorker: 1,
    // Idle workers wait on their event loop, not in Atomics.wait: a worker blocked there could not
    // load its runner module (module loading is asynchronous) until its first task arrived.
    atomics: 'disabled',
    idleTimeout: 60_000,
    workerData: { runnerModule },
    resourceLimits: { maxYoungGenerationSizeMb: TRIAL_WORKER_YOUNG_GENERATION_MB },
    ...(needsTsx ? { execArgv: ['--import', tsxLoaderUrl()] } : {}),
  });
  pool.on('error', (err: Error) => {
    poolError = err;
    for (const w of failWaiters) w(err);
  });
  let closed = false;
  return {
    description: `${options.workers} worker thread${options.workers === 1 ? '' : 's'}`,
    async run(tasks: readonly TrialTask[], onResult: TrialResultHandler, signal?: AbortSignal): Promise<void> {
      if (poolError) throw poolError;
      signal?.throwIfAborted();
      let fail!: (err: Error) => void;
      const failed = new Promise<never>((_, reject) => {
        fail = reject;
      });
      failed.catch(() => {});
      failWaiters.add(fail);
      // Tasks are handed out one per free thread (the pool never queues), and the signal is not given
      // to piscina: piscina terminates the thread of an aborted running task, which killed trials in
      // the middle of a DuckDB call (a native abort) and left their temporary files behind. On abort
      // no new task starts, and the running ones finish and are handled (stored) before run rejects.
      // A thread gets its next task as soon as it hands back a result: the result is handled (stored)
      // beside it, not before it, so no worker waits on the trial store's commits.
      let next = 0;
      let firstError: { err: unknown } | null = null;
      const handling: Promise<void>[] = [];
      const handle = async (result: TrialResult): Promise<void> => {
        try {
          await onResult(result);
        } catch (err) {
          firstError ??= { err };
        }
      };
      let shared: unknown;
      const lane = async (): Promise<void> => {
        while (next < tasks.length && !signal?.aborted && firstError === null && poolError === null) {
          const task = tasks[next++]!;
          let result: TrialResult;
          try {
            result = await pool.run(shared === undefined ? task : { ...task, shared });
          } catch (err) {
            firstError ??= { err };
            return;
          }
          handling.push(handle(result));
        }
      };
      try {
        if (options.shared && tasks.length > 0) shared = await Promise.race([options.shared(tasks), failed]);
        await Promise.race([Promise.all(Array.from({ length: Math.min(options.workers, tasks.length) }, lane)), failed]);
        await Promise.all(handling);
        if (signal?.aborted) throw signal.reason;
        if (firstError !== null) throw (firstError as { err: unknown }).err;
      } finally {
        failWaiters.delete(fail);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}
