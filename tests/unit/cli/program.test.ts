import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandToRun } from '../../../cli/program.js';

/** Every (sub)command's path and help text, as `C --help` prints it. */
function helps(c: Command, path: string[] = []): [string, string][] {
  return [[path.join(' '), c.helpInformation()], ...c.commands.flatMap((sub) => helps(sub, [...path, sub.name()]))];
}

describe('buildProgram(only)', () => {
  it('names the command an argument list runs: the first argument after --verbose, unless it is another option', () => {
    expect(commandToRun(['run', 'x.json', '--quiet'])).toBe('run');
    expect(commandToRun(['--verbose', 'data', 'import', '--csv', 'a.csv'])).toBe('data');
    expect(commandToRun(['help', 'run'])).toBe('help');
    expect(commandToRun(['-V'])).toBeUndefined();
    expect(commandToRun(['--bogus', 'run'])).toBeUndefined();
    expect(commandToRun(['--verbose'])).toBeUndefined();
    expect(commandToRun([])).toBeUndefined();
  });

  it('holds the named command alone, with the help, options and subcommands it has in the whole tree', () => {
    const whole = buildProgram();
    const names = whole.commands.map((c) => c.name());
    expect(names).toEqual(['run', 'demo', 'init', 'sweep', 'walkforward', 'train', 'portfolio', 'worker', 'report', 'compare', 'strategies', 'data', 'feed', 'live']);
    for (const name of names) {
      const one = buildProgram(name);
      expect(one.commands.map((c) => c.name()), name).toEqual([name]);
      expect(helps(one.commands[0]!, [name]), name).toEqual(helps(whole.commands.find((c) => c.name() === name)!, [name]));
      expect(one.options.map((o) => o.flags)).toEqual(whole.options.map((o) => o.flags));
    }
  });

  it('builds the whole tree for help and for a name that is not a command (whose error suggests the nearest)', () => {
    const names = buildProgram().commands.map((c) => c.name());
    for (const only of [undefined, 'help', 'rnu', '']) expect(buildProgram(only).commands.map((c) => c.name()), String(only)).toEqual(names);
  });
});
