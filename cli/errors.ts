import { TapedeckError } from '../engine/core/index.js';

/** Thrown by CLI actions for a bad flag or argument; printed as one line, exit code 2. */
export class UsageError extends TapedeckError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Exit codes: 1 for a failed run or bad data, 2 for bad usage, 130 for an interrupted run (143 after SIGTERM: see cli/shutdown.ts). */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof TapedeckError && err.code === 'usage') return 2;
  if (err instanceof TapedeckError && err.code === 'interrupted') return 130;
  return 1;
}

/** Returns the one-line reason printed for an error; the stack only with --verbose. */
export function describeError(err: unknown, verbose: boolean): string {
  if (verbose && err instanceof Error && err.stack) return err.stack;
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}
