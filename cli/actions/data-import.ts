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

/** What `tapedeck data import` does once its arguments are parsed (loaded only when the command runs). */
export async function dataImportAction(flags: ImportFlags): Promise<void> {
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
}
