import { join } from 'node:path';
import { DataError, formatIsoUs, InvalidArgumentError, US_PER_DAY } from '../engine/core/index.js';
import { copyDoubleColumn, DuckSession, expectColumnType, sqlString, TYPE_ID } from './duckdb.js';
import { readManifest, type Manifest, type ManifestFile } from './manifest.js';
import { openReader } from './reader.js';
import { BAR_SOURCE_KINDS, type BarSourceKind } from './schema.js';
import { asWriteError, DatasetWriter } from './writer.js';

/**
 * Bars built from a finer kind: `tapedeck data resample`.
 *
 * A trades table (ticks: ts, price, size) or a closes table (ts, close) of one symbol becomes a bars
 * table (ts, open, high, low, close, volume) of a fixed interval:
 * - buckets are `[k * interval, (k + 1) * interval)` in integer microseconds since the Unix epoch
 *   (UTC; a daily bar is a UTC day), and a bar is stamped with its bucket's start: it opens at its
 *   `ts` and covers the rows with `ts <= t < ts + interval`. This is pandas'
 *   `resample(interval, label='left', closed='left', origin='epoch')`, which for an interval that
 *   divides a day is also pandas' default origin;
 * - open is the bucket's first row and close its last (in file order, so rows sharing a timestamp keep
 *   their order), high the largest and low the smallest value;
 * - volume: trades, the sum of the sizes, added in file order in TypeScript so it is the same double
 *   on every run (a DuckDB `sum()` over doubles need not be: TOOLCHAIN.md); closes carry no volume,
 *   so 0;
 * - a bucket without rows gives no bar (a gap stays a gap: nothing is carried forward).
 * Open, high, low and close are chosen in DuckDB (arg_min / max / min / arg_max over the row number:
 * selections, no arithmetic, so exact); only the bucket counts and the selected values come back.
 * The input is a table of a dataset, so it is in time order (the writer's validation refuses anything
 * else): the bucket counts give each bar's rows as the next run of rows in file order.
 */


/** The value column each source kind aggregates. */
const VALUE_COLUMN: Readonly<Record<BarSourceKind, string>> = { trades: 'price', closes: 'close' };

/** The longest interval: a day (epoch-aligned weeks would start on a Thursday). */
export const MAX_BAR_INTERVAL_US = US_PER_DAY;

/** Bars as typed-array columns, in time order. */
export interface BarColumns {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Source rows per bar. */
  readonly rows: Float64Array;
}

/** Checks a bar interval: a whole positive number of microseconds, at most a day. */
export function checkBarInterval(intervalUs: number, shown = String(intervalUs)): number {
  if (!Number.isSafeInteger(intervalUs) || intervalUs <= 0) throw new InvalidArgumentError(`invalid interval '${shown}': expected a positive whole number of microseconds`);
  if (intervalUs > MAX_BAR_INTERVAL_US) throw new InvalidArgumentError(`invalid interval '${shown}': at most 1d (buckets are aligned to the Unix epoch, so longer ones would not start on a calendar boundary)`);
  return intervalUs;
}

/**
 * Builds the bars of one table (`file` of `dir`, of kind `kind`) at `intervalUs` (see the module
 * comment). Returns the bars in time order; no bar for an empty bucket.
 */
export async function buildBars(dir: string, file: ManifestFile, kind: BarSourceKind, intervalUs: number): Promise<BarColumns> {
  checkBarInterval(intervalUs);
  if (file.kind !== kind) throw new InvalidArgumentError(`invalid 'file': ${file.path} is a ${file.kind} table, not ${kind}`);
  const value = VALUE_COLUMN[kind];
  const path = join(dir, file.path);
  const sql = `
    SELECT CAST(bucket AS DOUBLE), arg_min(v, rn), max(v), min(v), arg_max(v, rn), CAST(count(*) AS DOUBLE)
    FROM (SELECT ts - ts % ${intervalUs} AS bucket, "${value}" AS v, file_row_number AS rn
          FROM read_parquet(${sqlString(path)}, file_row_number = true))
    GROUP BY bucket
    ORDER BY bucket`;
  const session = await DuckSession.open({ threads: 1 });
  let cols: Float64Array[];
  let n = 0;
  try {
    const result = await session.conn.run(sql);
    const chunks = [];
    for (let i = 0; i < result.chunkCount; i++) chunks.push(result.getChunk(i));
    for (const c of chunks) n += c.rowCount;
    cols = Array.from({ length: 6 }, () => new Float64Array(n));
    let at = 0;
    for (const c of chunks) {
      for (let k = 0; k < 6; k++) {
        expectColumnType(c, k, TYPE_ID.DOUBLE, ['ts', 'open', 'high', 'low', 'close', 'rows'][k]!);
        copyDoubleColumn(c, k, c.rowCount, cols[k]!, at);
      }
      at += c.rowCount;
    }
  } finally {
    session.close();
  }
  const [ts, open, high, low, close, rows] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const volume = new Float64Array(n);
  if (kind === 'trades') await sumSizes(dir, file, rows, volume);
  return { length: n, ts, open, high, low, close, volume, rows };
}

/**
 * Adds the sizes of each bar's rows in file order: bar j holds the next `rows[j]` rows of the table
 * (the table is in time order, and each bucket's rows are consecutive).
 */
async function sumSizes(dir: string, file: ManifestFile, rows: Float64Array, volume: Float64Array): Promise<void> {
  const reader = await openReader(dir, { kind: 'trades', symbols: [file.symbol], columns: ['size'], reuseBuffers: true });
  let bar = 0;
  let left = rows.length > 0 ? rows[0]! : 0;
  let sum = 0;
  try {
    for await (const b of reader) {
      const size = b.columns.size!;
      for (let i = 0; i < b.length; i++) {
        sum += size[i]!;
        if (--left === 0) {
          volume[bar++] = sum;
          sum = 0;
          left = bar < rows.length ? rows[bar]! : 0;
        }
      }
    }
  } finally {
    reader.close();
  }
  if (bar !== rows.length) throw new DataError(`read ${bar} of ${rows.length} bars' rows: the table changed while it was read`, { file: join(dir, file.path) });
}

export interface ResampleDatasetOptions {
  /** The dataset holding the trades or closes. */
  readonly dataset: string;
  /** Bar length, integer microseconds (at most a day). */
  readonly intervalUs: number;
  /** How the interval is shown in provenance and messages (e.g. `5m`). */
  readonly intervalText: string;
  /** Source kind; default: the one of trades and closes the dataset has. */
  readonly kind?: BarSourceKind;
  /** Symbols to resample; default every symbol of the source kind. */
  readonly symbols?: readonly string[];
  /** Dataset to write the bars into (created if missing); default `dataset` itself. */
  readonly out?: string;
  /** Replace bars the output dataset already has for a symbol (otherwise refused). */
  readonly replace?: boolean;
  /** Told the writer's staging directory (see DatasetWriterOptions.onStaging). */
  readonly onStaging?: (stagingDir: string) => () => void;
}

export interface ResampleDatasetResult {
  readonly kind: BarSourceKind;
  readonly out: string;
  readonly manifest: Manifest;
  /** Per symbol: source rows and bars written. */
  readonly tables: readonly { readonly symbol: string; readonly rows: number; readonly bars: number; readonly start: string | null; readonly end: string | null }[];
}

/**
 * Resamples trades or closes of a dataset into bars tables (`bars/<SYMBOL>.parquet`) written into
 * `out` (default: the same dataset) through the DatasetWriter: staged, validated, hashed, and swapped
 * in atomically; a bars table already there is replaced only with `replace`. Throws DataError for a
 * dataset without the source kind or symbol, InvalidArgumentError for an existing bars table.
 */
export async function resampleDataset(options: ResampleDatasetOptions): Promise<ResampleDatasetResult> {
  const { dataset, intervalUs } = options;
  checkBarInterval(intervalUs, options.intervalText);
  const manifest = await readManifest(dataset);
  const kind = options.kind ?? sourceKindOf(dataset, manifest);
  const available = manifest.files.filter((f) => f.kind === kind);
  if (available.length === 0) throw new DataError(`has no ${kind} to resample (it has ${manifest.kinds.join(', ') || 'nothing'})`, { file: dataset });
  const files = (options.symbols ?? available.map((f) => f.symbol)).map((s) => {
    const f = available.find((a) => a.symbol === s);
    if (f === undefined) throw new DataError(`has no ${kind} for ${s} (it has ${kind} for ${available.map((a) => a.symbol).join(', ')})`, { file: dataset });
    return f;
  });
  const out = options.out ?? dataset;
  if (options.replace !== true) {
    const target = out === dataset ? manifest : await readManifest(out).catch(() => null);
    const clash = files.find((f) => target?.files.some((t) => t.kind === 'bars' && t.symbol === f.symbol));
    if (clash !== undefined) throw new InvalidArgumentError(`dataset '${out}' already has bars for ${clash.symbol}: give --replace to overwrite them`);
  }
  // Every bar is computed before the writer opens: the output may be the dataset being read.
  const built = [];
  for (const f of files) built.push({ file: f, bars: await buildBars(dataset, f, kind, intervalUs) });
  for (const { file, bars } of built) {
    if (bars.length === 0) throw new DataError(`no rows to resample`, { file: join(dataset, file.path) });
  }
  const writer = await DatasetWriter.open(out, {
    createdBy: { resampledFrom: kind, interval: options.intervalText },
    mode: 'update',
    replaceTables: options.replace === true,
    ...(options.onStaging !== undefined ? { onStaging: options.onStaging } : {}),
  }).catch((err: unknown) => {
    throw asWriteError(out, err);
  });
  const tables = [];
  try {
    for (const { file, bars } of built) {
      const source = { resampledFrom: file.path, sourceContentHash: file.contentHash, interval: options.intervalText, intervalUs, label: 'left', closed: 'left' };
      const t = await writer.beginTable('bars', file.symbol, source, { label: `bars/${file.symbol} resampled from ${join(dataset, file.path)}` });
      const { ts, open, high, low, close, volume } = bars;
      await t.append({ ts, open, high, low, close, volume });
      await t.end();
      tables.push({ symbol: file.symbol, rows: file.rows, bars: bars.length, start: formatIsoUs(ts[0]!), end: formatIsoUs(ts[bars.length - 1]!) });
    }
    const written = await writer.commit();
    return { kind, out, manifest: written, tables };
  } catch (err) {
    await writer.abort();
    throw asWriteError(out, err);
  }
}

/** A dataset with both trades and closes, resampled without saying which. */
export class SourceKindAmbiguous extends InvalidArgumentError {
  constructor(dataset: string) {
    super(`dataset '${dataset}' has both trades and closes: give --kind trades or --kind closes`);
  }
}

/** The source kind of a dataset without --kind: the one of trades and closes it has. */
function sourceKindOf(dataset: string, manifest: Manifest): BarSourceKind {
  const has = BAR_SOURCE_KINDS.filter((k) => manifest.kinds.includes(k));
  if (has.length === 1) return has[0]!;
  if (has.length === 0) throw new DataError(`has no trades or closes to resample (it has ${manifest.kinds.join(', ') || 'nothing'})`, { file: dataset });
  throw new SourceKindAmbiguous(dataset);
}
