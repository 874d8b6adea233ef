import { TapedeckError, printable } from '../engine/core/index.js';

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

/**
 * Returns the one-line reason printed for an error; the stack only with --verbose. Never empty: an
 * error without a message (ECharts' assertions throw `new Error()`) is named by its class and the
 * place it was thrown, and a thrown value that is not an Error is shown.
 */
export function describeError(err: unknown, verbose: boolean): string {
  if (verbose && err instanceof Error && err.stack) return err.stack;
  if (err instanceof Error) {
    const line = err.message.split('\n').find((l) => l.trim() !== '');
    if (line !== undefined) return line;
    const where = thrownAt(err);
    return `${err.name || err.constructor.name || 'Error'} (no message)${where ? ` at ${where}` : ''}`;
  }
  let shown: string;
  try {
    shown = typeof err === 'string' ? printable(err) : (JSON.stringify(err) ?? String(err));
  } catch {
    shown = String(err);
  }
  return `a value that is not an error was thrown: ${shown}`;
}

/** The first frame of an error's stack, as "function (file:line)" with the path cut to its last parts. */
function thrownAt(err: Error): string | null {
  const frame = err.stack?.split('\n').find((l) => /^\s+at /.test(l));
  if (frame === undefined) return null;
  // "at fn (/long/path/to/lib/file.js:111:9)" -> "fn (lib/file.js:111)"
  return frame.trim().replace(/^at /, '').replace(/(?:file:\/\/)?([^\s()]+):(\d+):\d+/, (_m, path: string, line: string) => `${path.split('/').slice(-3).join('/')}:${line}`);
}
