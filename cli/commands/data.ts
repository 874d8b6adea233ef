import type { Command } from 'commander';

/**
 * Returns the shared `data` command of `program` (creating it on first use), so that each `data`
 * subcommand registers itself from its own file.
 */
export function dataCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'data');
  if (existing) return existing;
  return program
    .command('data')
    .description('generate, import, resample, inspect and validate datasets')
    .addHelpText(
      'after',
      '\nExamples:\n  $ tapedeck data generate --seed 7 --out data/demo\n  $ tapedeck data import --csv SPY.csv --kind bars --symbol SPY --out data/real\n  $ tapedeck data resample data/ticks --interval 5m\n  $ tapedeck data inspect data/demo --json\n  $ tapedeck data validate data/demo',
    );
}
