/**
 * A stand-in for a live session's process, for tests/faults/live-shutdown.test.ts: the CLI's signal
 * handlers, a cooperative command, and flushOnShutdown wired the way `tapedeck live` wires them.
 * argv: 'ok' (the flush prints `flushed`) or 'hang' (it never ends), then the flush timeout in ms.
 */
import { installSignalHandlers, runCleanups, shutdownSignal, stopsOnShutdown } from '../../cli/shutdown.js';
import { LiveLog } from '../../live/ops/live-log.js';
import { flushOnShutdown } from '../../live/ops/shutdown.js';

const mode = process.argv[2] ?? 'ok';
const timeoutMs = Number(process.argv[3] ?? 5000);
installSignalHandlers();
stopsOnShutdown();
flushOnShutdown({
  signal: shutdownSignal(),
  timeoutMs,
  log: new LiveLog({ format: 'json' }),
  flush: () =>
    mode === 'hang'
      ? new Promise<void>(() => undefined)
      : new Promise<void>((resolve) => {
          process.stdout.write('flushed\n', () => resolve());
        }),
  exit: (code) => {
    runCleanups();
    process.exit(code);
  },
});
// The session's work: keeps the process alive until a signal ends it.
setInterval(() => undefined, 1000);
process.stdout.write('ready\n');
