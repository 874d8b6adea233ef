import { wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';
import type { LiveLog } from './live-log.js';

/**
 * Ctrl-C and SIGTERM for a live session: flush once (the recorder, the state snapshot, the journal),
 * bounded in time, then exit 130 (SIGINT) or 143 (SIGTERM).
 *
 * It adds no signal handler of its own: the CLI's (cli/shutdown.ts) already turns the first SIGINT or
 * SIGTERM into an aborted AbortSignal (`shutdownSignal()`, for a command that declared
 * `stopsOnShutdown()`), and ends the process at once, with the first signal's code, on a second one.
 * This helper listens to that AbortSignal, so a second Ctrl-C during a slow flush still exits at once.
 * (live/ may not import cli/, hence the signal and the exit are handed in.)
 */

/** Options of {@link flushOnShutdown}. */
export interface FlushOnShutdownOptions {
  /** Aborted on the first SIGINT or SIGTERM; its reason's `signal` (a ShutdownError's) picks the exit code. */
  readonly signal: AbortSignal;
  /** Saves what must survive; called at most once. */
  readonly flush: () => Promise<void>;
  /** Ends the process (the CLI: run the cleanups, then `process.exit(code)`). */
  readonly exit: (code: number) => void;
  /** Longest wait for the flush, ms (default 5000); then the process exits anyway. */
  readonly timeoutMs?: number;
  readonly timers?: LiveTimers;
  /** Where `shutdown.*` events go (flushing, flushed, flush_failed, flush_timeout). */
  readonly log?: LiveLog;
}

/** What {@link flushOnShutdown} returns. */
export interface ShutdownFlush {
  /** Resolves with the exit code once the flush ended (or timed out) and `exit` was called. */
  readonly done: Promise<number>;
  /** Stops listening (the session ended by itself); a flush already under way still ends in `exit`. */
  dispose(): void;
}

/** Returns the exit code of a process stopped by `signal`: 143 for SIGTERM, 130 otherwise (SIGINT). */
export function shutdownExitCode(reason: unknown): number {
  const signal = typeof reason === 'object' && reason !== null ? (reason as { signal?: unknown }).signal : undefined;
  return signal === 'SIGTERM' ? 143 : 130;
}

/**
 * Calls `flush` once when `signal` aborts, waits for it at most `timeoutMs`, then calls `exit` with
 * 130 (SIGINT) or 143 (SIGTERM). A flush that fails or times out is logged; the exit code stays the
 * signal's, since the user asked the session to stop and it did.
 */
export function flushOnShutdown(options: FlushOnShutdownOptions): ShutdownFlush {
  const timers = options.timers ?? wallTimers;
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(timeoutMs > 0)) throw new Error(`flushOnShutdown: timeoutMs must be positive, was ${timeoutMs}`);
  let started = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const onAbort = (): void => {
    if (started) return;
    started = true;
    const code = shutdownExitCode(options.signal.reason);
    const startUs = timers.nowUs();
    const signalName = code === 143 ? 'SIGTERM' : 'SIGINT';
    options.log?.info('shutdown.flushing', { signal: signalName, timeoutMs });
    let finished = false;
    let timer: TimerHandle | null = null;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      timer?.cancel();
      options.exit(code);
      resolveDone(code);
    };
    timer = timers.after(timeoutMs, () => {
      if (finished) return;
      options.log?.error('shutdown.flush_timeout', { timeoutMs, note: 'exiting without waiting for the flush' });
      finish();
    });
    let flushing: Promise<void>;
    try {
      flushing = Promise.resolve(options.flush());
    } catch (e) {
      flushing = Promise.reject(e);
    }
    flushing.then(
      () => {
        if (!finished) options.log?.info('shutdown.flushed', { ms: Math.round((timers.nowUs() - startUs) / 1000) });
        finish();
      },
      (e: unknown) => {
        if (!finished) options.log?.error('shutdown.flush_failed', { error: e });
        finish();
      },
    );
  };

  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  return {
    done,
    dispose: () => options.signal.removeEventListener('abort', onAbort),
  };
}
