import { rmSync } from 'node:fs';
import { TapedeckError } from '../engine/core/index.js';

/**
 * Process-level shutdown on SIGINT (Ctrl-C) and SIGTERM. The first signal aborts {@link shutdownSignal}:
 * a command that stops cooperatively (sweep, walkforward, worker: stop handing out trials, let the
 * running ones finish, close the pool, the trial store and Redis, in that order) declares so with
 * {@link stopsOnShutdown} and ends by throwing; every other command is ended at once, after the
 * registered cleanups ran. A second signal always ends the process at once (cleanups first). The exit
 * code is 130 for SIGINT and 143 for SIGTERM (128 + the signal number), whatever the command threw.
 *
 * Cleanups are synchronous so that they also run on a forced exit; temporary directories
 * (`tapedeck-import-*` of a CSV given as data, a dataset import's staging directory) register here
 * with {@link registerTempDir} and unregister once removed. The registry is per thread: a worker
 * thread's registrations are not seen here, which is why running trials are never terminated.
 */

const controller = new AbortController();
let received: NodeJS.Signals | null = null;
let cooperative = 0;
let installed = false;
const cleanups = new Set<() => void>();
let endAtOnce = false;

/** Why a command stopped: the reason the shutdown signal aborts with. */
export class ShutdownError extends TapedeckError {
  constructor(readonly signal: NodeJS.Signals) {
    super('interrupted', `interrupted by ${signal}`);
  }
}

/** Aborted on the first SIGINT or SIGTERM (its reason a {@link ShutdownError}). */
export function shutdownSignal(): AbortSignal {
  return controller.signal;
}

/** The signal that asked the process to stop, or null. */
export function receivedSignal(): NodeJS.Signals | null {
  return received;
}

/** Exit code of a process stopped by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

/**
 * Declares that the running command stops by itself when {@link shutdownSignal} aborts (instead of
 * being ended at once). Returns the function that withdraws the declaration.
 */
export function stopsOnShutdown(): () => void {
  cooperative++;
  let done = false;
  return () => {
    if (!done) cooperative--;
    done = true;
  };
}

/** Registers a synchronous cleanup run on shutdown (and by {@link runCleanups}); returns its unregistration. */
export function registerCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/**
 * Registers a temporary directory removed on shutdown; returns its unregistration (call it once removed).
 * A file being created in it on a libuv thread while it is removed (a report staged as Ctrl-C comes) makes
 * the last rmdir fail with ENOTEMPTY: the removal is retried a few times (20 ms apart, then more).
 */
export function registerTempDir(dir: string): () => void {
  return registerCleanup(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }));
}

/** Runs (and forgets) every registered cleanup; a failing one does not stop the others. */
export function runCleanups(): void {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort: the process is ending
    }
  }
}

/**
 * Declares that the process may end as soon as the running command returns (the CLI's entry point then calls
 * process.exit once stdout and stderr are flushed, after the cleanups): nothing the command leaves is needed after
 * it, and what it leaves open (a DuckDB instance) is freed with the process instead of being closed and finalized
 * first. A natural exit tears V8's heap down and finalizes every native object (10-25 ms of a 62,496-bar run).
 */
export function endWhenDone(): void {
  endAtOnce = true;
}

/** Whether the running command declared {@link endWhenDone}. */
export function endsWhenDone(): boolean {
  return endAtOnce;
}

function forceExit(signal: NodeJS.Signals): never {
  runCleanups();
  process.exit(signalExitCode(signal));
}

/** Installs the SIGINT and SIGTERM handlers (once; the CLI's entry point calls it). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== null || cooperative === 0) forceExit(received ?? signal);
    received = signal;
    controller.abort(new ShutdownError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
