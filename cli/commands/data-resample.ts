import type { Command } from 'commander';
import { BAR_SOURCE_KINDS } from '../../datasets/schema.js';
import { lazyAction } from '../lazy-action.js';

const HELP_AFTER = `
Builds OHLCV bars from a dataset's trades (ticks: ts, price, size) or closes (ts, close), one bars
table per symbol, with DuckDB. Each bar opens at the start of its bucket and holds the rows with
start <= ts < start + interval (pandas resample(label='left', closed='left')); buckets are aligned to
the Unix epoch in UTC, so a 1d bar is a UTC day. open = first row, high = max, low = min, close = last
row; volume = the sum of the trade sizes in file order (bit-exact on every run), 0 from closes. An
interval without rows gives no bar. The interval is a number and a unit (s, m, h, d), at most 1d.

The bars are written into the same dataset (or --out, created if missing) atomically, validated and
hashed like an import; bars a dataset already has for a symbol need --replace. Without --kind the
dataset must have exactly one of trades and closes; without --symbol every symbol of that kind.

Examples:
  $ tapedeck data import --csv usdchf.csv --kind closes --symbol USDCHF --out data/usdchf
  $ tapedeck data resample data/usdchf --interval 1h
  $ tapedeck data resample data/ticks --interval 5m --kind trades --symbol ES --out data/es-5m
`;

/** Registers `data resample` on the shared `data` command. */
export function registerDataResample(data: Command): void {
  data
    .command('resample')
    .description('build OHLCV bars from the trades (ticks) or closes of a dataset')
    .argument('<dataset>', 'dataset directory holding trades or closes')
    .requiredOption('--interval <duration>', 'bar length, e.g. 5m, 30m, 1h, 1d')
    .option('--kind <kind>', `source kind: ${BAR_SOURCE_KINDS.join(' or ')} (default: the one the dataset has)`)
    .option('--symbol <symbol>', 'resample this symbol only (default: every symbol of the kind)')
    .option('--out <dir>', 'dataset to write the bars into (default: the same dataset)')
    .option('--replace', 'replace bars the dataset already has for a symbol')
    .addHelpText('after', HELP_AFTER)
    .action(lazyAction(async () => (await import('../actions/data-resample.js')).dataResampleAction));
}
