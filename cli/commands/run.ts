import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { collectSet, seedFlag } from '../flags.js';
import { lazyAction } from '../lazy-action.js';

/** Collects `--export` values (repeatable); commander checks each against the choices first. */
function collectExport(value: string, previous: string[] = []): string[] {
  if (value !== 'csv') throw new InvalidArgumentError(`expected csv, was '${value}'`);
  return previous.includes(value) ? previous : [...previous, value];
}

const runAction = lazyAction(async () => (await import('../actions/run.js')).runAction);

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('replay a scenario and write DIR/report.json, report.html and the Parquet tables (equity, fills, orders, trades)')
    .argument('<scenario>', 'scenario JSON file')
    .option('--out <dir>', 'output directory (default: out/<scenario name>)')
    .option('--seed <n>', 'override the scenario seed (0 to 2^53-1)', seedFlag)
    .option('--set <path=value>', 'override a scenario field by dotted path (repeatable)', collectSet, [])
    .option('--json', 'print the metrics as JSON instead of a summary')
    .addOption(new Option('--export <format>', 'also write each table as <format> beside its Parquet file (repeatable)').choices(['csv']).argParser(collectExport).default([]))
    .option('-q, --quiet', 'no replay progress bar on stderr (shown for tapes of more than 200,000 events)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ tapedeck run scenarios/sma-cross.json\n  $ tapedeck run scenarios/sma-cross.json --json --quiet\n  $ tapedeck run scenarios/sma-cross.json --export csv\n  $ tapedeck run scenarios/quickstart.json --set data.bars=prices.csv --out out/spy\n  $ tapedeck run scenarios/demo.json --set strategies.0.params.fast=10 --seed 3',
    )
    .action(async (...args: Parameters<typeof runAction>) => {
      // DuckDB's instance starts on a thread of libuv's while the run's other modules load and the scenario is read.
      (await import('../compose/run-session.js')).prepareRunSession(args[0]);
      await runAction(...args);
    });
}
