import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError, TapedeckError, checkPositiveInteger, printable } from '../../engine/core/index.js';
import { createLocalExecutor } from './local-executor.js';
import { redactUrl, redisOptions } from './redis-url.js';
import type { TrialResult, TrialTask } from './trial.js';
import type { TrialExecutor, TrialResultHandler } from './trial-executor.js';

/**
 * Distributed mode over BullMQ/Redis. The coordinator (`tapedeck sweep --queue URL`) puts the sweep's
 * trials on a queue named after the sweep's config hash, one job per trial with the trial key as job
 * id (adding a trial twice adds it once), and announces the queue in the Redis set
 * {@link SWEEP_REGISTRY_KEY}. Workers (`tapedeck worker --queue URL`, on any machine) watch that set,
 * run each job's task (scenario, params, seed) with the same trial runner module as the local pool,
 * and return the result; the coordinator stores results as they arrive and merges them by key, so the
 * trial table and combinedHash equal the local pool's.
 */

// URL parsing is in a module of its own: the CLI checks --queue without loading BullMQ or ioredis.
export { redactUrl, redisOptions } from './redis-url.js';

/** Redis set of the queue names of running sweeps, which workers watch. */
export const SWEEP_REGISTRY_KEY = 'tapedeck:sweeps';

/** Returns the queue name of a sweep: `tapedeck-sweep-` and 16 hex digits of its config hash. */
export function queueNameFor(configHash: string): string {
  return `tapedeck-sweep-${configHash.slice(0, 16)}`;
}

/** A trial result as a job's return value: JSON, the returns as base64 little-endian doubles. */
export type EncodedTrialResult =
  | (Omit<Extract<TrialResult, { status: 'ok' }>, 'returns'> & { readonly returns: string })
  | Extract<TrialResult, { status: 'failed' }>;

export function encodeTrialResult(r: TrialResult): EncodedTrialResult {
  if (r.status === 'failed') return r;
  return { ...r, returns: Buffer.from(r.returns.buffer, r.returns.byteOffset, r.returns.byteLength).toString('base64') };
}

export function decodeTrialResult(e: EncodedTrialResult): TrialResult {
  if (e.status === 'failed') return e;
  const bytes = Buffer.from(e.returns, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { ...e, returns: new Float64Array(copy.buffer) };
}

/** Returns the job id of a trial (BullMQ refuses custom ids that look like integers). */
function jobIdOf(key: string): string {
  return `trial-${key}`;
}

/**
 * Connects to the Redis server of `url` and selects its database. ioredis selects the database of
 * its `db` option on connecting but only emits an error event when the server refuses it, and then
 * goes on, on database 0: so this connection starts on database 0 and selects the database itself,
 * waiting for the answer. Throws QueueConnectionError (exit 1, one line naming the URL) when the
 * server cannot be reached or has no such database.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const { db, ...options } = redisOptions(url);
  const redis = new Redis({ ...options, db: 0, lazyConnect: true, retryStrategy: () => null });
  // Connection errors surface through connect() and the commands; without a listener ioredis prints them.
  let lastError: Error | null = null;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const cause = (lastError as Error | null) ?? (err as Error);
    throw new QueueConnectionError(`--queue: cannot connect to ${redactUrl(url)}: ${cause.message}`);
  }
  try {
    if (db !== undefined && db !== 0) await redis.select(db);
  } catch (err) {
    redis.disconnect();
    throw new QueueConnectionError(`--queue: cannot use database ${db} of ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return redis;
}

/** The Redis server of --queue cannot be reached, refused the database, or went away. Exit code 1. */
export class QueueConnectionError extends TapedeckError {
  constructor(message: string) {
    super('queue', message);
  }
}

/**
 * Returns a promise that rejects with QueueConnectionError when `redis` (a connection without
 * retries, from {@link connectRedis}) is lost: a server that goes away ends a sweep or a worker with
 * one line instead of leaving it waiting on commands that never return.
 */
function lostConnection(redis: Redis, url: string, what: string): Promise<never> {
  const lost = new Promise<never>((_, reject) => {
    redis.once('end', () => reject(new QueueConnectionError(`--queue: lost the connection to ${redactUrl(url)}; ${what}`)));
  });
  lost.catch(() => {});
  return lost;
}

/** Closes BullMQ objects, waiting at most `ms` (a close waits on a server that may be gone), then disconnects them. */
async function closeWithin(items: readonly (Queue | QueueEvents | Worker)[], ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((res) => {
    timer = setTimeout(res, ms);
  });
  await Promise.race([Promise.all(items.map((i) => i.close().catch(() => {}))), timeout]);
  clearTimeout(timer);
  // disconnect() too can wait on a server that is gone: start it and move on.
  for (const i of items) void i.disconnect().catch(() => {});
}

export interface QueueExecutorOptions {
  /** redis://HOST:PORT[/DB] */
  readonly url: string;
  /** The sweep's queue name ({@link queueNameFor}). */
  readonly queueName: string;
}

/**
 * Returns an executor that sends trials through the BullMQ queue `queueName` and collects their
 * results. Jobs whose trial has failed at the infrastructure level (a worker that cannot load the
 * runner) reject the run; a trial that throws is a normal, failed result. On abort, the waiting jobs
 * are drained (running ones finish on their worker and are dropped).
 */
export async function createQueueExecutor(options: QueueExecutorOptions): Promise<TrialExecutor> {
  const { url, queueName } = options;
  const registry = await connectRedis(url);
  const lost = lostConnection(registry, url, 'the finished trials are kept in the trial store: run the same command again once the server is back to resume');
  const connection = redisOptions(url);
  const queue = new Queue(queueName, { connection });
  queue.on('error', () => {});
  // Queue-event listeners of runs under way: a run abandoned on a lost connection leaves its own open,
  // and a BullMQ connection left open reconnects forever, keeping the process alive.
  const openEvents = new Set<QueueEvents>();
  let closed = false;
  return {
    description: `queue ${queueName} at ${redactUrl(url)}`,
    async run(tasks: readonly TrialTask[], onResult: TrialResultHandler, signal?: AbortSignal): Promise<void> {
      signal?.throwIfAborted();
      // The server going away ends the run with one line; the trials stored so far resume on a rerun.
      await Promise.race([runTasks(tasks, onResult, signal), lost]);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (registry.status === 'ready') await registry.srem(SWEEP_REGISTRY_KEY, queueName).catch(() => {});
      await closeWithin([queue, ...openEvents]);
      registry.disconnect();
    },
  };

  async function runTasks(tasks: readonly TrialTask[], onResult: TrialResultHandler, signal?: AbortSignal): Promise<void> {
    // Every job awaited at once listens for the queue's closing: as many listeners as tasks.
    queue.setMaxListeners(tasks.length + 16);
    const events = new QueueEvents(queueName, { connection });
    openEvents.add(events);
    events.setMaxListeners(tasks.length + 16);
    events.on('error', () => {});
    try {
      await events.waitUntilReady();
      await registry.sadd(SWEEP_REGISTRY_KEY, queueName);
      // A job left failed by an earlier coordinator would fail again at once: remove it so it reruns.
      for (const t of tasks) {
        const old = await Job.fromId(queue, jobIdOf(t.key));
        if (old && (await old.getState()) === 'failed') await old.remove();
      }
      const jobs = await queue.addBulk(
        tasks.map((t) => ({ name: 'trial', data: t, opts: { jobId: jobIdOf(t.key), removeOnComplete: false, removeOnFail: false, attempts: 1 } })),
      );
      let onAbort: (() => void) | null = null;
      const aborted = new Promise<never>((_, reject) => {
        if (!signal) return;
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => {});
      const collect = async (job: Job): Promise<void> => {
        let value: EncodedTrialResult;
        try {
          value = (await job.waitUntilFinished(events)) as EncodedTrialResult;
        } catch (err) {
          throw new Error(`queue job ${job.id} failed on its worker: ${(err as Error).message}`);
        }
        if (signal?.aborted) return;
        await onResult(decodeTrialResult(value));
        await job.remove().catch(() => {});
      };
      try {
        await Promise.race([Promise.all(jobs.map(collect)), aborted]);
      } catch (err) {
        if (signal?.aborted) {
          await queue.drain().catch(() => {});
          throw signal.reason;
        }
        throw err;
      } finally {
        if (onAbort) signal!.removeEventListener('abort', onAbort);
      }
    } finally {
      await closeWithin([events]);
      openEvents.delete(events);
    }
  }
}

export interface QueueWorkerOptions {
  readonly url: string;
  /** Trials run at once (worker threads of this process). */
  readonly concurrency: number;
  /** The trial runner module (absolute path or file URL). */
  readonly runnerModule: string;
  /** How often to look for new sweep queues, ms (default 500). */
  readonly pollMs?: number;
  /** Aborting stops the worker: running trials finish, then it disconnects. */
  readonly signal?: AbortSignal;
  /** Called as queues are joined and trials finish, for logging. */
  readonly onEvent?: (event: QueueWorkerEvent) => void;
  /** Called once connected to the server and its database selected (before that nothing is listening). */
  readonly onReady?: () => void;
}

export type QueueWorkerEvent =
  | { readonly kind: 'joined'; readonly queue: string }
  | { readonly kind: 'left'; readonly queue: string }
  | { readonly kind: 'trial'; readonly queue: string; readonly key: string; readonly status: 'ok' | 'failed' };

/**
 * Runs a queue worker until `signal` aborts: watches the registry of sweep queues and processes their
 * jobs on a local pool of `concurrency` worker threads running `runnerModule`. Resolves once stopped.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  checkPositiveInteger(options.concurrency, 'concurrency');
  const registry = await connectRedis(options.url);
  const connection = redisOptions(options.url);
  const pool = createLocalExecutor({ workers: options.concurrency, runnerModule: options.runnerModule });
  options.onReady?.();
  const workers = new Map<string, Worker>();
  let poolError: Error | null = null;
  const process = async (job: Job): Promise<EncodedTrialResult> => {
    let result: TrialResult | null = null;
    try {
      await pool.run([job.data as TrialTask], (r) => {
        result = r;
      });
    } catch (err) {
      poolError = err as Error;
      throw err;
    }
    const r = result as TrialResult | null;
    if (r === null) throw new Error(`trial ${job.id} produced no result`);
    options.onEvent?.({ kind: 'trial', queue: job.queueName, key: r.key, status: r.status });
    return encodeTrialResult(r);
  };
  const sync = async (): Promise<void> => {
    const names = new Set(await registry.smembers(SWEEP_REGISTRY_KEY));
    for (const name of names) {
      if (workers.has(name)) continue;
      const w = new Worker(name, process, { connection, concurrency: options.concurrency, autorun: true });
      w.on('error', () => {});
      workers.set(name, w);
      options.onEvent?.({ kind: 'joined', queue: name });
    }
    for (const [name, w] of workers) {
      if (names.has(name)) continue;
      workers.delete(name);
      await w.close();
      options.onEvent?.({ kind: 'left', queue: name });
    }
  };
  const lost = lostConnection(registry, options.url, 'start the worker again once the server is back');
  let connected = true;
  lost.catch(() => {
    connected = false;
  });
  try {
    const pollMs = options.pollMs ?? 500;
    while (!options.signal?.aborted) {
      // The server going away ends the worker with one line (exit 1) rather than a silent wait.
      await Promise.race([sync(), lost]);
      if (poolError) throw poolError;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve();
        }, pollMs);
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  } finally {
    // In order: stop taking jobs (running trials finish), close the thread pool, then Redis.
    // Running trials get a minute to finish and report; with the server gone there is no one to report to.
    await closeWithin([...workers.values()], connected ? 60_000 : 1000);
    await pool.close();
    registry.disconnect();
  }
}
