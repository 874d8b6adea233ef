#!/usr/bin/env node
import { CommanderError } from 'commander';
import { describeError, exitCodeFor } from './errors.js';
import { buildProgram, commandToRun, throwOnExit, usageExitCode } from './program.js';
import { endsWhenDone, installSignalHandlers, receivedSignal, runCleanups, signalExitCode } from './shutdown.js';

/** Runs the CLI: one line on stderr for an error (the stack with --verbose), non-zero exit. */
async function main(argv: string[]): Promise<void> {
  const program = buildProgram(commandToRun(argv.slice(2)));
  // Every (sub)command throws instead of exiting, so usage errors anywhere exit with code 2.
  throwOnExit(program);
  const verbose = argv.includes('--verbose');
  // The stack traces --verbose prints name the .ts sources: the bin is a minified bundle
  // (scripts/build.mjs), whose source maps Node reads for each chunk loaded from here on. Reading
  // them costs a run ~40 ms, so only when a stack trace may be printed.
  if (verbose) process.setSourceMapsEnabled(true);
  installSignalHandlers();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (unknown option, missing argument, --help, --version)
      process.exitCode = usageExitCode(err);
      return;
    }
    process.stderr.write(`tapedeck: ${describeError(err, verbose)}\n`);
    process.exitCode = exitCodeFor(err);
  } finally {
    runCleanups();
    // A command stopped by SIGINT or SIGTERM exits 130 or 143, whatever it threw on the way out.
    const signal = receivedSignal();
    if (signal !== null) process.exitCode = signalExitCode(signal);
    // The command is over: a connection a library keeps retrying (a Redis server that went away) must
    // not keep the process alive. The timer does not itself hold the process open.
    setTimeout(() => process.exit(), 10_000).unref();
    // A command with nothing left to do after it (see endWhenDone) ends the process here, once its output is out.
    if (endsWhenDone()) exitWhenFlushed();
  }
}

/** Ends the process (process.exit) once what was written to stdout and stderr has been handed to the system. */
function exitWhenFlushed(): void {
  const streams = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  let pending = streams.length;
  if (pending === 0) process.exit();
  for (const s of streams) {
    s.write('', () => {
      if (--pending === 0) process.exit();
    });
  }
}

// A reader that stops early (`tapedeck --help | head`) closes stdout: end quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// Not awaited at the top level: the bin also runs this program as a CommonJS script (scripts/build.mjs).
void main(process.argv);
