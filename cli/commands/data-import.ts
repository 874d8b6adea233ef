import type { Command } from 'commander';
import { EPOCH_UNITS, importTable, type EpochUnit } from '../../datasets/import.js';
import { DATA_KINDS, isDataKind, SYMBOL_PATTERN, TIME_RANGE_TEXT } from '../../datasets/schema.js';
import { printable } from '../../engine/core/index.js';
import { UsageError } from '../errors.js';
import { registerTempDir } from '../shutdown.js';

interface ImportFlags {
  csv?: string;
  parquet?: string;
  kind: string;
  symbol: string;
  out: string;
  replace?: boolean;
  epochUnit?: string;
}

const HELP_AFTER = `
Input: one CSV (comma-separated, header line) or Parquet file holding one kind for one symbol.
Column names are case-insensitive and ignore spaces, '_' and '-'. The time column is ts, timestamp,
datetime, date or time, or an unnamed first column (pandas' to_csv layout ',Open,High,Low,Close,Volume').
Times are ISO-8601 dates or datetimes (UTC unless they carry a zone); a numeric epoch column needs
--epoch-unit. A missing Volume is 0; a missing price column is an error; extra columns are ignored.
Rows are kept exactly, in file order; any bad row (NaN or non-positive price, high < low, out-of-order
or duplicate time, crossed quote or book, unparseable date) stops the import with its file, row and
column, and nothing is written. Rows count data rows from 1, the header not counted.

Supported ranges (a value outside them stops the import the same way):
  prices (open, high, low, close, price, bid, ask, strike)   > 0 and <= 1e12 (option bid/ask/last may be 0)
  sizes (volume, size, bidSize, askSize, openInterest)        >= 0 and <= 1e15
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
    .option('--epoch-unit <unit>', `unit of a numeric epoch time column: ${EPOCH_UNITS.join(', ')}`)
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ImportFlags) => {
      if ((flags.csv === undefined) === (flags.parquet === undefined)) throw new UsageError('give exactly one of --csv FILE or --parquet FILE');
      if (!isDataKind(flags.kind)) throw new UsageError(`--kind: expected one of ${DATA_KINDS.join(', ')}, was ${printable(flags.kind)}`);
      if (!SYMBOL_PATTERN.test(flags.symbol)) throw new UsageError(`--symbol: expected letters, digits and . _ ^ = - (at most 64), was ${printable(flags.symbol)}`);
      if (flags.out.trim() === '') throw new UsageError('--out: expected a directory path, was an empty value');
      if (flags.epochUnit !== undefined && !(EPOCH_UNITS as readonly string[]).includes(flags.epochUnit)) {
        throw new UsageError(`--epoch-unit: expected one of ${EPOCH_UNITS.join(', ')}, was ${printable(flags.epochUnit)}`);
      }
      const input = (flags.csv ?? flags.parquet)!;
      const result = await importTable({
        input,
        format: flags.csv !== undefined ? 'csv' : 'parquet',
        kind: flags.kind,
        symbol: flags.symbol,
        out: flags.out,
        replace: flags.replace === true,
        // Ctrl-C or SIGTERM while the dataset is staged removes the staging directory before exiting.
        onStaging: registerTempDir,
        epochUnitHint: `give --epoch-unit ${EPOCH_UNITS.join(', ').replace(/, (\w+)$/, ' or $1')}`,
        ...(flags.epochUnit !== undefined ? { epochUnit: flags.epochUnit as EpochUnit } : {}),
      });
      const m = result.manifest;
      const file = m.files.find((f) => f.kind === flags.kind && f.symbol === flags.symbol)!;
      const lines = [
        `imported ${result.rows} ${flags.kind} rows for ${flags.symbol} (${file.start} .. ${file.end}) into ${flags.out}`,
        `columns ${Object.entries(result.mapping).map(([k, v]) => (k === v ? k : `${k}<-${v}`)).join(', ')}`,
      ];
      if (result.ignoredColumns.length > 0) lines.push(`ignored ${result.ignoredColumns.map((c) => `'${c}'`).join(', ')}`);
      lines.push(`contentHash ${m.contentHash}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
