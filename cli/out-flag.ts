import type { Command } from 'commander';
import { printable } from '../engine/core/index.js';
import { UsageError } from './errors.js';

/** Refuses an empty or blank value of an output flag (it would write into the current directory). */
export function checkOutFlag(value: string, flag = '--out', what: 'directory' | 'file' = 'directory'): string {
  if (value.trim() === '') throw new UsageError(`${flag}: expected a ${what} name, was ${printable(value)}`);
  return value;
}

/**
 * Gives every `--out` option of `program` and its subcommands the check of {@link checkOutFlag}, so
 * that `--out ''` is a usage error for every command, whatever else its option parses.
 */
export function installOutFlagChecks(program: Command): void {
  for (const option of program.options) {
    if (option.long !== '--out') continue;
    const previous = option.parseArg;
    const what = /<file>/.test(option.flags) ? 'file' : 'directory';
    option.argParser((value: string, prior: unknown) => {
      checkOutFlag(value, '--out', what);
      return previous ? previous(value, prior) : value;
    });
  }
  for (const sub of program.commands) installOutFlagChecks(sub);
}
