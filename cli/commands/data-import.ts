import type { Command } from 'commander';
import { DATA_KINDS, TIME_RANGE_TEXT } from '../../datasets/schema.js';
import { lazyAction } from '../lazy-action.js';

/**
 * The units of a numeric epoch time column, for the help (the action checks --epoch-unit against the
 * importer's own list, datasets/import.ts EPOCH_UNITS; a test keeps the two equal). Importing the
 * importer here would load DuckDB to print help.
 */
export const EPOCH_UNIT_NAMES = ['s', 'ms', 'us', 'ns'] as const;

const HELP_AFTER = `
Input: one CSV (comma-separated, header line) or Parquet file holding one kind for one symbol.
Column names are case-insensitive and ignore spaces, '_' and '-'. The time column is ts, timestamp,
datetime, date or time, or an unnamed first column (pandas' to_csv layout ',Open,High,Low,Close,Volume').
Times are ISO-8601 dates or datetimes (UTC unless they carry a zone); a numeric epoch column needs
--epoch-unit. A missing Volume is 0; a missing price column is an error; extra columns are ignored.
A tick file of ts and price imports as --kind trades (size 0 and side 0: unknown). A close-only series
imports as --kind closes: its value is the column named close, price, value, rate, last or adj close,
or the only column besides the time (R's and pandas' 'ts,USDCHF'); 'tapedeck data resample' builds bars.
Rows are kept exactly, in file order; any bad row (NaN or non-positive price, high < low, out-of-order
or duplicate time, crossed quote or book, unparseable date) stops the import with its file, row and
column, and nothing is written. Rows count data rows from 1, the header not counted.

Supported ranges (a value outside them stops the import the same way):
  prices (open, high, low, close, price, bid, ask, strike)   > 0 and <= 1e12 (option bid/ask/last may be 0)
  sizes (volume, size, bidSize, askSize, openInterest,
         mentions)                                            >= 0 and <= 1e15
  sentiment score                                             >= -1 and <= 1
  times                                                       ${TIME_RANGE_TEXT}
A binary file (NUL bytes in its first KB) is refused as not a text CSV file.

--out is created if missing; otherwise the table is added to that dataset and its manifest updated
(atomically). A symbol already there for that kind needs --replace. --out must be a new or empty
directory or a dataset: a run/sweep output directory or a folder of other files is refused (exit 2).
Files in a dataset directory that Tapedeck did not write (notes, READMEs) are kept.

Examples:
  $ tapedeck data import --csv SPY.csv --kind bars --symbol SPY --out data/real
  $ tapedeck data import --parquet QQQ.parquet --kind bars --symbol QQQ --out data/real
  $ tapedeck data import --csv SPY-new.csv --kind bars --symbol SPY --out data/real --replace
  $ tapedeck data import --csv usdchf.csv --kind closes --symbol USDCHF --out data/usdchf
  $ tapedeck data import --csv spy-news.csv --kind sentiment --symbol SPY --out data/real   (ts,score[,mentions])
`;

/** Registers `data import` on the shared `data` command. */
export function registerDataImport(data: Command): void {
  data
    .command('import')
    .description('import a CSV or Parquet file as one kind and symbol of a dataset')
    .option('--csv <file>', 'CSV input file')
    .option('--parquet <file>', 'Parquet input file')
    .option('--kind <kind>', `data kind: ${DATA_KINDS.join(', ')}`, 'bars')
    .requiredOption('--symbol <symbol>', 'symbol the rows belong to')
    .requiredOption('--out <dir>', 'dataset directory (created, or added to)')
    .option('--replace', 'replace this kind and symbol if the dataset already has it')
    .option('--epoch-unit <unit>', `unit of a numeric epoch time column: ${EPOCH_UNIT_NAMES.join(', ')}`)
    .addHelpText('after', HELP_AFTER)
    .action(lazyAction(async () => (await import('../actions/data-import.js')).dataImportAction));
}
