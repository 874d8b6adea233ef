import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { DataError, InvalidArgumentError, parseIsoUs, printable, TapedeckError } from '../engine/core/index.js';
import { CsvParser, CsvSyntaxError, type CsvRecord } from './csv.js';
import { plainCsvRows, scanPlainCsv, type ScanClass } from './csv-scan.js';
import { numberCellSql, plainTimeSql, stringCellSql, timeCellSql } from './csv-sql.js';
import { chunkRead, copyDoubleColumn, doublesWithoutNull, DuckSession, expectColumnType, sqlIdent, sqlString, TYPE_ID, type DuckDBDataChunk } from './duckdb.js';
import type { DuckDBResult } from '@duckdb/node-api';
import type { Manifest, ManifestFile, Provenance } from './manifest.js';
import { columnsOf, inTimeRange, MAX_TS_US, MIN_TS_US, TIME_RANGE_TEXT, type ColumnSpec, type DataKind } from './schema.js';
import { ROW_NOTE } from './validate.js';
import { asWriteError, checkSymbol, DatasetWriter, TableCheck, type TableWriter } from './writer.js';

/**
 * Import of CSV or Parquet files into a dataset (one kind and one symbol per call).
 *
 * Column matching is case-insensitive and ignores spaces, `_` and `-` (`Open Interest`,
 * `open_interest` and `openInterest` all match `openInterest`); a few aliases are accepted (COLUMN_ALIASES).
 * The time column is the one named ts, timestamp, datetime, date or time (in that preference), else an
 * unnamed first column (pandas' `to_csv` layout `,Open,High,Low,Close,Volume`). Times are ISO-8601
 * dates or datetimes; a date or a datetime without zone is UTC. A numeric epoch time column is accepted
 * only with an explicit `epochUnit` (s, ms, us or ns; nanoseconds are truncated to microseconds).
 * Missing columns take these defaults: bars.volume 0, trades.size 0 and trades.side 0 (unknown: a tick
 * file of ts and price is a trades table), book.flags 0, options.underlying the symbol, option greeks
 * and sentiment.mentions missing; any other missing column is an error. A closes table takes its value from a column named
 * close, price, value, rate, last or adj close (KIND_COLUMN_ALIASES), else from the only column besides
 * the time (R's and pandas' one-series layout, `ts,USDCHF`).
 * Extra columns (e.g. `Adj Close`) are ignored and listed in the file's provenance.
 * Rows are kept exactly as they are, in file order: numbers are parsed to the nearest double
 * (correctly rounded), and nothing is sorted, filled or dropped; bad rows are errors.
 */

export type EpochUnit = 's' | 'ms' | 'us' | 'ns';
export const EPOCH_UNITS: readonly EpochUnit[] = ['s', 'ms', 'us', 'ns'];

export interface ImportOptions {
  /** The input file. */
  readonly input: string;
  /** Input format; default from the extension (.parquet/.pq is Parquet, anything else CSV). */
  readonly format?: 'csv' | 'parquet';
  readonly kind: DataKind;
  readonly symbol: string;
  /** Dataset directory: created if missing, else the table is added to it. */
  readonly out: string;
  /** Replace the table if the dataset already has this kind and symbol (otherwise an error). */
  readonly replace?: boolean;
  /** Unit of a numeric epoch time column. */
  readonly epochUnit?: EpochUnit;
  /**
   * What the user can do to give the unit of a numeric epoch time column, in the words of the caller
   * (`data import` has a flag); default DEFAULT_EPOCH_UNIT_HINT, for callers that have none (a run
   * reading a CSV file directly).
   */
  readonly epochUnitHint?: string;
  /** Told the dataset writer's staging directory (see DatasetWriterOptions.onStaging). */
  readonly onStaging?: (stagingDir: string) => () => void;
  /**
   * The dataset is read once and removed (a run's temporary import): the input file is not hashed (the
   * manifest's createdBy has no sha256) and the Parquet file is written with LZ4 (DatasetWriterOptions.compression).
   * Rows, checks, errors and contentHash are the same.
   */
  readonly scratch?: boolean;
}

/** How to give an epoch unit where the caller has no way of its own: import the file first. */
export const DEFAULT_EPOCH_UNIT_HINT = 'import the file with `tapedeck data import --epoch-unit s|ms|us|ns` and use the dataset directory';

export interface ImportResult {
  readonly manifest: Manifest;
  readonly rows: number;
  /** Canonical column -> the input column it came from (absent when defaulted). */
  readonly mapping: Readonly<Record<string, string>>;
  readonly ignoredColumns: readonly string[];
}

/** Accepted names per canonical column, normalized (lower case, no spaces, `_` or `-`). */
export const COLUMN_ALIASES: Readonly<Record<string, readonly string[]>> = {
  ts: ['ts', 'timestamp', 'datetime', 'date', 'time'],
  open: ['open'],
  high: ['high'],
  low: ['low'],
  close: ['close'],
  volume: ['volume', 'vol'],
  price: ['price'],
  size: ['size', 'qty', 'quantity'],
  side: ['side', 'aggressorside', 'aggressor'],
  bid: ['bid', 'bidprice'],
  bidSize: ['bidsize', 'bidqty'],
  ask: ['ask', 'askprice', 'offer'],
  askSize: ['asksize', 'askqty', 'offersize'],
  action: ['action'],
  flags: ['flags'],
  underlying: ['underlying', 'underlyingsymbol'],
  expiry: ['expiry', 'expiration', 'expirationdate', 'expirydate'],
  strike: ['strike', 'strikeprice'],
  right: ['right', 'optiontype', 'type', 'putcall', 'callput', 'cp'],
  last: ['last', 'lastprice'],
  openInterest: ['openinterest', 'oi'],
  iv: ['iv', 'impliedvolatility'],
  delta: ['delta'],
  gamma: ['gamma'],
  vega: ['vega'],
  theta: ['theta'],
  score: ['score', 'sentiment', 'sentimentscore', 'polarity'],
  mentions: ['mentions', 'mentioncount', 'count', 'posts', 'volume'],
};

/** Accepted names of a column that differ by kind (tried instead of COLUMN_ALIASES). */
export const KIND_COLUMN_ALIASES: Readonly<Partial<Record<DataKind, Readonly<Record<string, readonly string[]>>>>> = {
  closes: { close: ['close', 'price', 'value', 'rate', 'last', 'adjclose'] },
};

/** Words accepted for code columns, besides the numeric codes themselves. */
export const CODE_WORDS: Readonly<Partial<Record<DataKind, Readonly<Record<string, Readonly<Record<string, number>>>>>>> = {
  trades: { side: { b: 1, buy: 1, s: -1, sell: -1, n: 0, u: 0, unknown: 0 } },
  book: { side: { b: 1, bid: 1, a: -1, ask: -1 } },
  options: { right: { c: 1, call: 1, p: -1, put: -1 } },
};

const DEFAULTS: Readonly<Partial<Record<DataKind, Readonly<Record<string, number | 'symbol' | 'missing'>>>>> = {
  bars: { volume: 0 },
  trades: { size: 0, side: 0 },
  book: { flags: 0 },
  options: { underlying: 'symbol', iv: 'missing', delta: 'missing', gamma: 'missing', vega: 'missing', theta: 'missing' },
  sentiment: { mentions: 'missing' },
};

const UNNAMED = '(unnamed first column)';
const BATCH_ROWS = 65536;

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** How input columns map to the kind's columns. */
export interface ColumnMapping {
  /** canonical name -> input column index */
  readonly index: Readonly<Record<string, number>>;
  /** canonical name -> input column name as the user sees it */
  readonly labels: Readonly<Record<string, string>>;
  readonly ignored: readonly string[];
}

/**
 * A column name from a file as messages show it: as it is when it is plain text, else escaped and
 * quoted by printable() (control bytes, very long names), so a message stays one safe line.
 */
export function shownName(name: string): string {
  const p = printable(name, 60);
  return p === `"${name}"` && !name.includes('"') ? name : p;
}

function listNames(header: readonly string[]): string {
  const shown = header.slice(0, 30).map((h) => `'${shownName(h)}'`).join(', ');
  return header.length > 30 ? `${shown} and ${header.length - 30} more` : shown;
}

/** Maps input column names to the columns of `kind`; throws DataError for a missing required column. */
export function mapColumns(kind: DataKind, header: readonly string[], file: string): ColumnMapping {
  const norm = header.map(normalize);
  const index: Record<string, number> = {};
  const labels: Record<string, string> = {};
  const used = new Set<number>();
  for (const spec of columnsOf(kind)) {
    const aliases = KIND_COLUMN_ALIASES[kind]?.[spec.name] ?? COLUMN_ALIASES[spec.name] ?? [normalize(spec.name)];
    let found = -1;
    for (const a of aliases) {
      const candidates = norm.flatMap((n, i) => (n === a ? [i] : []));
      if (candidates.length > 1) {
        throw new DataError(`columns ${candidates.map((i) => `'${shownName(header[i]!)}'`).join(' and ')} both match '${spec.name}'`, { file, column: shownName(header[candidates[1]!]!) });
      }
      if (candidates.length === 1) {
        found = candidates[0]!;
        break;
      }
    }
    if (found < 0 && spec.name === 'ts' && header.length > 0 && /^(|unnamed0|column0|index|indexlevel0)$/.test(norm[0]!)) found = 0;
    if (found >= 0 && used.has(found)) found = -1;
    if (found < 0 && kind === 'closes' && spec.name === 'close' && header.length === 2 && used.size === 1) found = used.has(0) ? 1 : 0;
    if (found >= 0) {
      index[spec.name] = found;
      used.add(found);
      labels[spec.name] = header[found]!.trim() === '' ? UNNAMED : shownName(header[found]!);
      continue;
    }
    if (DEFAULTS[kind]?.[spec.name] === undefined) {
      const expected =
        spec.name === 'ts'
          ? 'a time column (ts, timestamp, datetime, date or time, or an unnamed first column)'
          : kind === 'closes'
            ? 'a value column (close, price, value, rate, last or adj close, or the only column besides the time)'
            : `a column '${spec.name}'`;
      const hint = kind === 'bars' && isCloseOnly(header) ? ': a close-only file imports with --kind closes, and `tapedeck data resample` builds bars from it' : '';
      throw new DataError(`missing column: ${kind} needs ${expected}; the file has ${listNames(header)}${hint}`, { file, column: spec.name });
    }
  }
  const ignored = header.filter((_, i) => !used.has(i)).map(shownName);
  return { index, labels, ignored };
}

/**
 * Whether a file with `header` is a close-only series: it has no open, high or low column, and maps as
 * a closes table (a time column and a close-like column, or one column besides the time).
 */
export function isCloseOnly(header: readonly string[]): boolean {
  const norm = new Set(header.map(normalize));
  if (['open', 'high', 'low'].some((c) => norm.has(c))) return false;
  try {
    mapColumns('closes', header, '');
    return true;
  } catch {
    return false;
  }
}

/** A time that is a valid date/time (or epoch value) but outside the supported range (schema TIME_RANGE_TEXT). */
export class TimeOutOfRangeError extends InvalidArgumentError {
  constructor(text: string) {
    super(`${printable(text)} is a valid date/time but outside the supported range ${TIME_RANGE_TEXT}`);
  }
}

const ISO_YEAR = /^(\d{4})(-\d{2}-\d{2}(?:[T ].*)?)$/i;

function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/**
 * Parses a time value (ISO-8601, or a numeric epoch in `unit`) to integer microseconds inside the
 * supported range. Throws TimeOutOfRangeError for a valid time outside it (year 1969, 0050 or 9999),
 * InvalidArgumentError for anything else; `epochUnitHint` says how to give a missing unit.
 */
export function parseTimeUs(text: string, unit: EpochUnit | undefined, epochUnitHint = DEFAULT_EPOCH_UNIT_HINT): number {
  const t = text.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(t);
  if (m) {
    if (unit === undefined) throw new InvalidArgumentError(`a numeric epoch time needs its unit: ${epochUnitHint}`);
    const digits = { s: 6, ms: 3, us: 0, ns: -3 }[unit];
    const [, sign, int, frac = ''] = m;
    let us: bigint;
    if (digits >= 0) us = BigInt(int!) * 10n ** BigInt(digits) + BigInt((frac + '000000').slice(0, digits) || '0');
    else us = BigInt(int!) / 1000n; // nanoseconds: truncated to microseconds (DESIGN.md)
    if (sign === '-') us = -us;
    if (us < BigInt(MIN_TS_US) || us > BigInt(MAX_TS_US)) throw new TimeOutOfRangeError(text);
    return Number(us);
  }
  let us: number;
  try {
    us = parseIsoUs(t, 'time');
  } catch {
    // parseIsoUs handles the years a timestamp can hold; a year outside them may still be a real date:
    // check the same day in a year of the same leap-ness, so 0050-06-01 or 9999-12-31 are called valid.
    const y = ISO_YEAR.exec(t);
    if (y !== null) {
      let valid = true;
      try {
        parseIsoUs(`${isLeapYear(Number(y[1])) ? '2000' : '2001'}${y[2]}`, 'time');
      } catch {
        valid = false;
      }
      if (valid) throw new TimeOutOfRangeError(text);
    }
    throw new InvalidArgumentError('expected an ISO-8601 date or datetime such as 2024-01-31 or 2024-01-31T09:30:00Z');
  }
  if (!inTimeRange(us)) throw new TimeOutOfRangeError(text);
  return us;
}

/** The message of a time value that parseTimeUs refused. */
function timeMessage(text: string, err: unknown): string {
  if (err instanceof TimeOutOfRangeError) return err.message;
  return `unparseable date/time ${printable(text)}, ${(err as Error).message}`;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = { nan: Number.NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };

/** Returns the number written in `text` (correctly rounded), or undefined if it is not a number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  return SPECIAL[t.toLowerCase()];
}

/**
 * Files smaller than this are read and written by DuckDB on one thread: starting and stopping its
 * threads costs more than they save on a few MB (farm-bench, 62k-bar CSV import: 0.92x CPU, 0.89x wall).
 * An import's CSV file is read on one thread whatever its size (CSV_READ_THREADS).
 */
const SMALL_FILE_BYTES = 16 << 20;

/**
 * DuckDB's threads for the table of a CSV file's rows an import writes to Parquet (openCsvFast): one,
 * whatever the file's size, so the file's bytes do not depend on the machine's load. DuckDB's COPY cuts a
 * Parquet row group where the batches of its source end (122,880 rows give or take a vector of 2,048:
 * PhysicalFixedBatchCopy), and a table filled on several threads has its row groups where DuckDB's parallel
 * insert merged the threads' batches, which depends on which thread finished first: on a busy machine one
 * file of 2.5 M bars was imported as 65,093,858 bytes once and 65,094,870 another time (same rows, same
 * contentHash). Filled on one thread, the table's row groups, and so the file's, are 122,880 rows each but
 * the last (tests/unit/datasets/import-bytes.test.ts). It costs no CPU (2.5 M bars, farm-bench n 11 paired at
 * load 8-10: 0.91x CPU, 0.89x wall, the same peak): the file is scanned and hashed here meanwhile (the two
 * threads of before shared two cores with that scan).
 */
const CSV_READ_THREADS = 1;

/** Imports one file as one table of a dataset; nothing is written unless the whole file is valid. */
export async function importTable(options: ImportOptions): Promise<ImportResult> {
  const { input, kind, symbol } = options;
  const format = options.format ?? (/^\.(parquet|pq)$/i.test(extname(input)) ? 'parquet' : 'csv');
  const size = inputSize(input);
  if (format === 'csv') checkText(input);
  // DuckDB starts reading a CSV file on its own threads while the file is hashed and the writer opens;
  // what goes wrong with the output directory is still reported first.
  const threads = size < SMALL_FILE_BYTES ? 1 : undefined;
  // The byte scan of the fast reader hashes the file as it reads it (one pass over the bytes, not two).
  const scratch = options.scratch === true;
  let digest: (hex: string | null) => void = () => {};
  const scanned = new Promise<string | null>((resolve) => (digest = resolve));
  const reading = format === 'csv' ? startCsv(options, threads, scratch && storedAsRead(kind), scratch ? undefined : digest) : null;
  if (reading === null || scratch) digest(null);
  reading?.catch(() => undefined); // awaited in importCsv, or dropped
  let writer: DatasetWriter;
  try {
    const sha256 = scratch ? null : ((await scanned) ?? (await fileSha256(input)));
    writer = await DatasetWriter.open(options.out, {
      createdBy: { importedFrom: basename(input), format, ...(sha256 !== null ? { sha256 } : {}), kind, symbol },
      mode: 'update',
      replaceTables: options.replace === true,
      ...(scratch ? { compression: 'lz4' as const } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(options.onStaging !== undefined ? { onStaging: options.onStaging } : {}),
    }).catch((err: unknown) => {
      throw asWriteError(options.out, err);
    });
  } catch (err) {
    if (reading !== null) await dropCsv(reading);
    throw err;
  }
  try {
    const outcome = reading !== null ? await importCsv(writer, options, reading) : await importParquet(writer, options);
    const manifest = await writer.commit();
    return { manifest, ...outcome };
  } catch (err) {
    await writer.abort();
    throw asWriteError(options.out, err);
  }
}

/**
 * The size of input file `file`; a DataError when it is not a readable file. This, checkText and readHead read
 * synchronously (a few KB and at most one MB, from a file about to be read whole): awaited, they were seven round
 * trips through libuv's thread pool before DuckDB's read could start, the main thread idle in each.
 */
function inputSize(file: string): number {
  try {
    const s = statSync(file);
    if (!s.isFile()) throw new DataError('not a file', { file });
    return s.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`unreadable input file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file });
  }
}

/**
 * Refuses a binary file given as CSV before any of it is parsed or shown: NUL bytes never occur in
 * UTF-8 text (a UTF-16 file has them too, and is not read either).
 */
function checkText(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const bytesRead = readSync(fd, head, 0, head.length, 0);
    if (head.subarray(0, bytesRead).includes(0)) throw new DataError('not a text CSV file (it has NUL bytes in its first KB)', { file });
  } finally {
    closeSync(fd);
  }
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer); // 1 MB reads: half the time of 64 KB
  return h.digest('hex');
}

function sourceOf(options: Pick<ImportOptions, 'input'>, format: string, mapping: ColumnMapping): Provenance {
  return {
    importedFrom: basename(options.input),
    format,
    columns: Object.fromEntries(Object.entries(mapping.labels)),
    ignoredColumns: [...mapping.ignored],
  };
}

/** A batch of canonical columns and its row count, as handed to the table writer. */
type AppendBatch = (columns: Record<string, Float64Array | string[]>) => Promise<void>;

/** Collects converted rows into column arrays and hands full batches (BATCH_ROWS) on. */
class BatchBuilder {
  readonly num: Record<string, Float64Array> = {};
  readonly str: Record<string, string[]> = {};
  n = 0;
  rows = 0;
  constructor(
    private readonly specs: readonly ColumnSpec[],
    private readonly append: AppendBatch,
  ) {
    this.reset();
  }
  /**
   * Starts the next batch. The numeric buffers are reused (zeroed allocations of every batch cost as much
   * as the copying): an append must be done with a batch's arrays when it returns, as the table writer,
   * which validates, hashes and stages them at once, is.
   */
  private reset(): void {
    for (const s of this.specs) {
      if (s.type === 'str') this.str[s.name] = [];
      else this.num[s.name] ??= new Float64Array(BATCH_ROWS);
    }
    this.n = 0;
  }
  get full(): boolean {
    return this.n === BATCH_ROWS;
  }
  async flush(): Promise<void> {
    if (this.n === 0) return;
    const cols: Record<string, Float64Array | string[]> = {};
    for (const s of this.specs) cols[s.name] = s.type === 'str' ? this.str[s.name]! : this.num[s.name]!.subarray(0, this.n);
    await this.append(cols);
    this.rows += this.n;
    this.reset();
  }
}

/**
 * The field delimiter of a CSV file, from its first line (the header; a BOM and quoted text skipped):
 * `,` when the line has one, else `;`, else a tab, else `,` (a one-column file).
 */
export function detectDelimiter(head: string): ',' | ';' | '\t' {
  let inQuotes = false;
  let semicolon = false;
  let tab = false;
  for (let i = head.charCodeAt(0) === 0xfeff ? 1 : 0; i < head.length; i++) {
    const ch = head[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (ch === ',') return ',';
    else if (ch === ';') semicolon = true;
    else if (ch === '\t') tab = true;
    else if (ch === '\n' || ch === '\r') break;
  }
  return semicolon ? ';' : tab ? '\t' : ',';
}

/** What both CSV readers need: the file, the kind's columns and how the header maps to them. */
export interface CsvPlan {
  readonly file: string;
  readonly kind: DataKind;
  readonly symbol: string;
  readonly delimiter: string;
  /** The header's field count. */
  readonly fields: number;
  readonly mapping: ColumnMapping;
  readonly epochUnit?: EpochUnit | undefined;
  readonly epochUnitHint?: string | undefined;
}

/** Whether a numeric cell's `,` is its decimal point: files not separated by commas (see numberCellSql). */
function decimalComma(delimiter: string): boolean {
  return delimiter !== ',';
}

/**
 * The first MB of a file as text (the header and the delimiter are read from it). When it has no `"`,
 * only the lines up to the first record are ever parsed from it (headerRecord): then only its first
 * 64 KB are decoded, if the first line ends there (decoding the whole MB cost a run from a 4 MB file
 * ~5 ms); the plan is the same.
 */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const bytesRead = readSync(fd, buf, 0, buf.length, 0);
    const bytes = buf.subarray(0, bytesRead);
    if (!bytes.includes(34)) {
      let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      while (bytes[at] === 10 || bytes[at] === 13) at++; // blank lines before the header
      while (at < bytes.length && bytes[at] !== 10 && bytes[at] !== 13) at++;
      if (at < SHORT_HEAD_BYTES) return bytes.subarray(0, SHORT_HEAD_BYTES).toString('utf8');
    }
    return bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const SHORT_HEAD_BYTES = 64 << 10;

/**
 * About how many rows a CSV file of `size` bytes has, from its head: the size over the mean length of
 * up to 1,000 lines after the header, taken as at least 8 bytes (a blank or very short line early on
 * must not size the columns for hundreds of millions of rows).
 */
function estimateRows(head: string, size: number): number {
  const first = head.indexOf('\n');
  if (first < 0) return BATCH_ROWS;
  let lines = 0;
  let last = first;
  for (let at = head.indexOf('\n', first + 1); at >= 0 && lines < 1000; at = head.indexOf('\n', at + 1)) {
    lines++;
    last = at;
  }
  if (lines === 0) return BATCH_ROWS;
  return Math.ceil((size / Math.max(8, (last - first) / lines)) * 1.01) + 16;
}

/**
 * The plan of a CSV file from its first MB `head`: delimiter, header field count and column mapping.
 * Null when `head` holds no complete, well-formed first record (the JS reader then reports what is
 * wrong); throws the mapping's DataError (a missing or ambiguous column), as the JS reader would.
 */
export function planCsv(options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>, head: string, delimiter: string): CsvPlan | null {
  let header: CsvRecord | undefined;
  try {
    header = headerRecord(head, delimiter);
  } catch {
    return null;
  }
  if (header === undefined) return null;
  const mapping = mapColumns(options.kind, header.fields, options.input);
  return { file: options.input, kind: options.kind, symbol: options.symbol, delimiter, fields: header.fields.length, mapping, epochUnit: options.epochUnit, epochUnitHint: options.epochUnitHint };
}

/**
 * The first record of `head` as `new CsvParser(delimiter).push(head)[0]` gives it, throwing the same
 * CsvSyntaxError when any of `head` is malformed. Without a `"` in `head` no part of it can be malformed
 * (only quotes make a syntax error), so only the lines up to the first record are parsed then: the rest
 * of the first MB is left to the readers (a quarter of the time of planning a plain file).
 */
export function headerRecord(head: string, delimiter: string): CsvRecord | undefined {
  const parser = new CsvParser(delimiter);
  if (head.includes('"')) return parser.push(head)[0];
  for (let at = 0; at < head.length; ) {
    const next = Math.min(head.length, at + 4096);
    const records = parser.push(head.slice(at, next));
    if (records.length > 0) return records[0];
    at = next;
  }
  return undefined;
}

/** A CSV file read by DuckDB into a table of canonical columns (see openCsvDuckDb). */
export interface DuckCsv {
  readonly rows: number;
  /** Hands the rows on in file order, a DuckDB chunk (2,048 rows) at a time (see pumpRows). */
  stream(append: AppendBatch): Promise<void>;
  /**
   * Runs `sql(table)` in the session holding the rows (the table writer's COPY to Parquet), on a
   * connection of its own: it may run while `stream` hands the rows on.
   */
  run(sql: (table: string) => string): Promise<void>;
  close(): void;
}

/**
 * The size of the pieces DuckDB's CSV reader reads a file in. Its default, 16 times its 2 MB
 * max_line_size (32 MB), is memory fresh from the system for every piece: streaming a 2.5 M-row, 151 MB
 * file on one thread took 1.7-1.9 s of CPU against 1.2-1.4 s with 1-4 MB pieces, the difference mostly
 * page faults (sys time, ~25k minor faults fewer), and peaked ~50 MB lower; an import's read on two
 * threads 1.09 -> 0.67 s (2026-12-06). Twice max_line_size, so every line DuckDB reads with its default
 * pieces it still reads (a line may span two pieces; with the size given, lines up to a piece long are
 * read, a longer one is declined and the JS reader decides, as for any declined file). On several
 * threads the pieces are how DuckDB's reader batches rows, and decided where an import's row groups end;
 * an import reads on one thread (CSV_READ_THREADS), and its row groups are 122,880 rows whatever the pieces.
 */
const CSV_PIECE_BYTES = 4 << 20;

/**
 * The SQL reading `plan`'s file with DuckDB's CSV reader into the kind's columns (`<columns> FROM
 * read_csv(...)`): every column as VARCHAR (the delimiter given, `"` quotes, strict field counts) and
 * every cell converted and checked in SQL (csv-sql.ts); `typed` (the file proved plain by
 * scanPlainCsv): number columns read as DOUBLE by the CSV reader itself and times through one cast.
 * A cell outside the forms csv-sql.ts accepts gives NULL; with `nullFails` it fails the query instead
 * (DuckDB's error(), evaluated only for a NULL cell), for a query whose rows no one looks at first.
 */
function csvSelect(plan: CsvPlan, typed: boolean, options: { nullFails?: boolean } = {}): string {
  const specs = columnsOf(plan.kind);
  const types = Array.from({ length: plan.fields }, (): 'VARCHAR' | 'DOUBLE' => 'VARCHAR');
  const words = CODE_WORDS[plan.kind] ?? {};
  const defaults = DEFAULTS[plan.kind] ?? {};
  const exprs = specs.map((spec) => {
    const idx = plan.mapping.index[spec.name];
    let e: string;
    if (idx === undefined) {
      const d = defaults[spec.name]!;
      e = spec.type === 'str' ? sqlString(plan.symbol) : d === 'missing' ? `'NaN'::DOUBLE` : `CAST(${Number(d)} AS DOUBLE)`;
    } else {
      const col = `c${idx}`;
      if (spec.type === 'str') e = stringCellSql(col);
      else if (spec.type === 'ts') e = typed ? plainTimeSql(col) : timeCellSql(col, plan.epochUnit);
      else if (typed) {
        types[idx] = 'DOUBLE'; // scanPlainCsv proved every cell a plain decimal number
        e = col;
      } else e = numberCellSql(col, { optional: spec.optional === true, words: words[spec.name] ?? {}, decimalComma: decimalComma(plan.delimiter) });
      if (options.nullFails === true) e = `coalesce(${e}, error('NULL cell'))`;
    }
    return `${e} AS ${sqlIdent(spec.name)}`;
  });
  const columns = `{${types.map((t, i) => `'c${i}': '${t}'`).join(', ')}}`;
  const src = `read_csv(${sqlString(plan.file)}, header = true, delim = ${sqlString(plan.delimiter)}, quote = '"', escape = '"', auto_detect = false, columns = ${columns}, strict_mode = true, null_padding = false, buffer_size = ${CSV_PIECE_BYTES})`;
  return `${exprs.join(', ')} FROM ${src}`;
}

/**
 * The fast CSV reader into a table: DuckDB's CSV reader converts and checks every cell in SQL
 * (csvSelect) into a table of canonical columns. Null when DuckDB cannot read the file or any cell is
 * not in the forms csv-sql.ts accepts; the JS reader (readCsvJs) then accepts the file or names its
 * first bad cell. `threads` bounds DuckDB's threads (default: DuckDB's own choice); `cancel` stops the read (null).
 */
export async function openCsvDuckDb(plan: CsvPlan, typed = false, threads?: number, cancel?: AbortSignal): Promise<DuckCsv | null> {
  const specs = columnsOf(plan.kind);
  const cancelled = (): boolean => cancel?.aborted === true; // read anew each time: it changes while awaiting
  if (cancelled()) return null;
  const session = await DuckSession.open(threads !== undefined ? { threads } : {});
  // A cancelled read stops DuckDB's query at once; the listener goes before the session closes.
  const interrupt = (): void => session.conn.interrupt();
  cancel?.addEventListener('abort', interrupt, { once: true });
  const close = (): void => {
    cancel?.removeEventListener('abort', interrupt);
    session.close();
  };
  let rows: number;
  try {
    if (cancelled()) throw new Error('cancelled');
    await session.conn.run(`CREATE TABLE csv_rows AS SELECT ${csvSelect(plan, typed)}`);
    const r = await session.conn.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE ${specs.map((s) => `${sqlIdent(s.name)} IS NULL`).join(' OR ')}) FROM csv_rows`);
    const [count, bad] = r.getRows()[0]!.map(Number);
    if (count === 0 || bad !== 0 || cancelled()) {
      close();
      return null;
    }
    rows = count!;
  } catch {
    close();
    return null; // DuckDB refused the file (field counts, quoting, encoding), or the read was cancelled: the JS reader says why
  }
  return {
    rows,
    async stream(append: AppendBatch): Promise<void> {
      // streamed, not run(): a materialized result would hold a second copy of every row
      const got = await pumpRows(await session.conn.stream('SELECT * FROM csv_rows'), specs, append, false);
      if (got !== rows) throw new DataError(`DuckDB returned ${got ?? 'NULL in some'} of ${rows} rows`, { file: plan.file });
    },
    async run(sql: (table: string) => string): Promise<void> {
      const conn = await session.connect();
      // The table is read: one thread writes it out (the rows stream to the checks meanwhile, the slower side).
      // With a thread per core each buffered its own row groups: a 2.5 M-row import peaked ~90 MB higher.
      await conn.run('SET threads = 1');
      await conn.run(sql('csv_rows'));
    },
    close,
  };
}

/** A DuckDB result declined the file: a NULL value, or a fetch that failed (see duckChunks). */
class Declined extends Error {}

/** One DuckDB chunk of rows as the kind's columns (see duckChunks). */
interface RowChunk {
  readonly n: number;
  readonly cols: Record<string, Float64Array | string[]>;
}

/**
 * The rows of `result` (the columns of `specs`: DOUBLE, VARCHAR for strings) one DuckDB chunk (2,048
 * rows) at a time, as fresh arrays. The next chunk is asked for before the current one is handed on,
 * so DuckDB produces it meanwhile (waiting for each in turn cost ~40% more CPU: a thread hop per
 * chunk). Throws Declined at the first NULL value or failed fetch; no fetch is under way once it
 * ends, however it ends (the session may close then).
 */
async function* duckChunks(result: DuckDBResult, specs: readonly ColumnSpec[]): AsyncGenerator<RowChunk> {
  let next: Promise<DuckDBDataChunk | null> = result.fetchChunk();
  try {
    for (;;) {
      let chunk: DuckDBDataChunk | null;
      try {
        chunk = await next;
      } catch {
        throw new Declined('DuckDB refused a line'); // DuckDB's CSV reader refused a line further down
      } finally {
        next = Promise.resolve(null);
      }
      if (chunk === null || chunk.rowCount === 0) return;
      next = result.fetchChunk();
      next.catch(() => undefined); // awaited above, or settled below
      chunkRead();
      const n = chunk.rowCount;
      const cols: Record<string, Float64Array | string[]> = {};
      for (let c = 0; c < specs.length; c++) {
        const spec = specs[c]!;
        if (spec.type === 'str') {
          const values = chunk.getColumnValues(c);
          if (values.includes(null)) throw new Declined('a NULL value');
          cols[spec.name] = values.map(String);
        } else {
          const values = doublesWithoutNull(chunk, c, n);
          if (values === null) throw new Declined('a NULL value');
          cols[spec.name] = values;
        }
      }
      yield { n, cols };
    }
  } finally {
    await next.catch(() => undefined);
  }
}

/**
 * Hands the rows of `result` on to `append`, a chunk at a time (see duckChunks). Returns the row
 * count, or null when the file is declined. With `declinable` (a result read straight from the CSV
 * file, which may yet turn out NULL or fail further down) an error `append` throws is held until the
 * rest of the rows are known not to decline: a declined file goes to the JS reader, which may name an
 * earlier bad cell.
 */
async function pumpRows(result: DuckDBResult, specs: readonly ColumnSpec[], append: AppendBatch, declinable: boolean): Promise<number | null> {
  let rows = 0;
  let failure: { error: unknown } | null = null;
  try {
    for await (const { n, cols } of duckChunks(result, specs)) {
      if (failure === null) {
        try {
          await append(cols);
        } catch (error) {
          if (!declinable) throw error;
          failure = { error };
        }
      }
      rows += n;
    }
  } catch (err) {
    if (err instanceof Declined) return null;
    throw err;
  }
  if (failure !== null) throw failure.error;
  return rows;
}

/**
 * Reads a CSV file through DuckDB and hands its rows on (AppendBatch, in file order): streamed straight
 * from DuckDB's CSV reader, typed, when scanPlainCsv proves the file plain (no table is built), else
 * through openCsvDuckDb's checked table. Returns the row count, or null when DuckDB declines the file;
 * `append` may then have seen some of its rows, and the caller starts over with the JS reader, which
 * accepts the file or names its first bad cell. Both give the same rows (tests/fuzz/csv-duckdb.test.ts).
 * `threads` bounds DuckDB's threads (default: DuckDB's own choice). `shared`: a session of the caller's
 * (with `threads` DuckDB threads, left open) the typed read takes a connection of, closed when it ends,
 * instead of opening an instance of its own (see readCsvTable's `read.session`).
 */
export async function readCsvDuckDb(plan: CsvPlan, append: AppendBatch, threads?: number, shared?: DuckSession): Promise<number | null> {
  const own = shared === undefined ? await DuckSession.open(threads !== undefined ? { threads } : {}) : null;
  const conn = own !== null ? own.conn : await shared!.connect();
  try {
    // DuckDB starts reading while the file is scanned here; the stream is read only once the scan
    // proved the file plain.
    const typed = conn.stream(`SELECT ${csvSelect(plan, true)}`);
    typed.catch(() => undefined); // awaited below, or dropped with the session
    if (await scanPlainCsv(plan.file, plan.delimiter, scanClasses(plan))) {
      let result: DuckDBResult;
      try {
        result = await typed;
      } catch {
        return null; // a line DuckDB's reader refuses at once: the JS reader says why
      }
      return await pumpRows(result, columnsOf(plan.kind), append, true);
    }
    conn.interrupt();
    await typed.catch(() => undefined);
  } finally {
    // A shared session only closes the read's connection. Flushing its allocator as well (SET threads) moved
    // neither run's peak (200 and 62,496 bars, 2026-12-06) and cost 2-4 ms of waiting.
    if (own !== null) own.close();
    else shared!.disconnect(conn);
  }
  const csv = await openCsvDuckDb(plan, false, threads);
  if (csv === null) return null;
  try {
    await csv.stream(append);
    return csv.rows;
  } finally {
    csv.close();
  }
}

/** The column classes of scanPlainCsv for `plan`: its mapped number and time columns. */
function scanClasses(plan: CsvPlan): ScanClass[] {
  const classes = Array.from({ length: plan.fields }, (): ScanClass => 'other');
  for (const spec of columnsOf(plan.kind)) {
    const idx = plan.mapping.index[spec.name];
    if (idx !== undefined && spec.type !== 'str') classes[idx] = spec.type === 'ts' ? 'time' : 'number';
  }
  return classes;
}

/**
 * Reads a CSV file into a DuckDB table (for an import, whose Parquet file DuckDB writes from it): typed
 * by DuckDB's CSV reader when scanPlainCsv proves the file plain (the common case, and the fastest),
 * else with every cell checked in SQL; null when neither takes the file (the JS reader decides then).
 * `digest` is given the file's SHA-256 (hex), hashed by the scan.
 */
export async function openCsvFast(plan: CsvPlan, threads?: number, digest?: (hex: string) => void): Promise<DuckCsv | null> {
  // DuckDB reads the file typed on its own threads while the scan runs here; the typed table is used
  // only once the scan proved the file plain, else stopped (a large file with quoted cells would
  // otherwise keep DuckDB busy with a table nobody reads) and dropped.
  const stop = new AbortController();
  const typed = openCsvDuckDb(plan, true, threads, stop.signal);
  typed.catch(() => undefined); // awaited below, after the scan
  let plain: boolean;
  try {
    const hash = digest !== undefined ? createHash('sha256') : undefined;
    plain = await scanPlainCsv(plan.file, plan.delimiter, scanClasses(plan), hash);
    if (hash !== undefined) digest!(hash.digest('hex'));
  } catch (err) {
    stop.abort();
    (await typed)?.close();
    throw err;
  }
  if (plain) return typed; // null: a bad date the JS reader names
  stop.abort();
  (await typed)?.close();
  return openCsvDuckDb(plan, false, threads);
}

/**
 * The streaming JS CSV reader: every cell converted and checked in file order; the first bad cell
 * throws a DataError naming the file, row, column and line. Calls `onHeader` with the mapping before
 * the first batch.
 */
export async function readCsvJs(
  options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>,
  delimiter: string,
  append: AppendBatch,
  onHeader: (mapping: ColumnMapping) => Promise<void> = async () => {},
): Promise<{ rows: number; mapping: ColumnMapping }> {
  const { input: file, kind, symbol } = options;
  const specs = columnsOf(kind);
  const parser = new CsvParser(delimiter);
  const comma = decimalComma(delimiter);
  let mapping: ColumnMapping | null = null;
  let builder: BatchBuilder | null = null;
  let headerLength = 0;
  let dataRow = 0;
  const words = CODE_WORDS[kind] ?? {};
  const defaults = DEFAULTS[kind] ?? {};

  const onRecords = async (records: CsvRecord[]): Promise<void> => {
    for (const rec of records) {
      if (mapping === null) {
        mapping = mapColumns(kind, rec.fields, file);
        headerLength = rec.fields.length;
        await onHeader(mapping);
        builder = new BatchBuilder(specs, append);
        continue;
      }
      dataRow++;
      const where = (column: string): { file: string; row: number; column: string } => ({ file, row: dataRow, column: mapping!.labels[column] ?? column });
      if (rec.fields.length !== headerLength) {
        throw new DataError(`has ${rec.fields.length} fields, the header has ${headerLength} (line ${rec.line}) ${ROW_NOTE}`, { file, row: dataRow });
      }
      const b = builder!;
      for (const spec of specs) {
        const idx = mapping.index[spec.name];
        if (idx === undefined) {
          const d = defaults[spec.name]!;
          if (spec.type === 'str') b.str[spec.name]!.push(symbol);
          else b.num[spec.name]![b.n] = d === 'missing' ? Number.NaN : (d as number);
          continue;
        }
        const text = rec.fields[idx]!;
        if (spec.type === 'str') {
          b.str[spec.name]!.push(text.trim());
          continue;
        }
        if (spec.type === 'ts') {
          try {
            b.num[spec.name]![b.n] = parseTimeUs(text, options.epochUnit, options.epochUnitHint);
          } catch (err) {
            throw new DataError(`${timeMessage(text, err)} (line ${rec.line}) ${ROW_NOTE}`, where(spec.name));
          }
          continue;
        }
        if (text.trim() === '') {
          if (spec.optional === true) {
            b.num[spec.name]![b.n] = Number.NaN;
            continue;
          }
          throw new DataError(`empty value (line ${rec.line}) ${ROW_NOTE}`, where(spec.name));
        }
        let v = parseNumber(comma && !text.includes('.') ? text.replaceAll(',', '.') : text);
        if (v === undefined) v = words[spec.name]?.[text.trim().toLowerCase()];
        if (v === undefined) throw new DataError(`not a number: ${printable(text)} (line ${rec.line}) ${ROW_NOTE}`, where(spec.name));
        b.num[spec.name]![b.n] = v;
      }
      b.n++;
      if (b.full) await b.flush();
    }
  };

  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    for await (const chunk of stream) await onRecords(parser.push(chunk as string));
    await onRecords(parser.end());
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new DataError(`malformed CSV at line ${err.line}: ${err.message}`, { file });
    if (err instanceof TapedeckError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`unreadable CSV file (${code ?? (err as Error).message})`, { file }, { cause: err });
  }
  if (mapping === null) throw new DataError('empty file: no header line', { file });
  if (dataRow === 0) throw new DataError('no data rows after the header', { file });
  await builder!.flush();
  return { rows: builder!.rows, mapping };
}

/** A CSV file's delimiter and plan, and its rows in DuckDB (null: the JS reader reads the file). */
interface CsvStart {
  readonly delimiter: string;
  readonly plan: CsvPlan | null;
  readonly csv: DuckCsv | null;
  /** The plan is for copyCsvDirect: `csv` was not opened (see importCsv). */
  readonly direct: boolean;
  /** DuckDB's threads for reading the file (see importTable). */
  readonly threads: number | undefined;
}

/**
 * Reads a CSV file's head and plans it, and has DuckDB read it (openCsvFast) unless `direct` (a run's
 * temporary import of a kind storedAsRead: importCsv copies it with copyCsvDirect); throws the plan's DataError.
 */
async function startCsv(options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>, threads: number | undefined, direct: boolean, digest?: (hex: string | null) => void): Promise<CsvStart> {
  try {
    const head = readHead(options.input);
    const delimiter = detectDelimiter(head);
    const plan = planCsv(options, head, delimiter);
    if (plan !== null && direct) return { delimiter, plan, csv: null, direct, threads };
    return { delimiter, plan, csv: plan === null ? null : await openCsvFast(plan, CSV_READ_THREADS, digest), direct: false, threads };
  } finally {
    digest?.(null); // no scan hashed the file (or it failed): a no-op once the scan gave the digest
  }
}

/** Closes what `reading` opened, when the import stops before using it; its own errors are not shown. */
async function dropCsv(reading: Promise<CsvStart>): Promise<void> {
  try {
    (await reading).csv?.close();
  } catch {
    // the import failed already, with an error that comes first
  }
}

/**
 * Imports a CSV file: the fast DuckDB reader first; when it declines, the JS reader, which accepts the
 * file or names its first bad cell. Both give the same rows (tests/fuzz/csv-duckdb.test.ts).
 */
async function importCsv(writer: DatasetWriter, options: ImportOptions, reading: Promise<CsvStart>): Promise<Omit<ImportResult, 'manifest'>> {
  const { input: file, kind, symbol } = options;
  let table: TableWriter | null = null;
  // Once per import: copyCsvDirect declines a file before any row reaches the table's checks, and the
  // reader that takes the file over maps the same header.
  const begin = async (mapping: ColumnMapping): Promise<void> => {
    table ??= await writer.beginTable(kind, symbol, sourceOf(options, 'csv', mapping), { label: file, columnLabels: mapping.labels });
  };
  const append: AppendBatch = async (cols) => {
    await table!.append(cols);
  };
  const started = await reading;
  const { delimiter, plan } = started;
  let csv = started.csv;
  if (started.direct) {
    await begin(plan!.mapping);
    const rows = await copyCsvDirect(plan!, table!, started.threads);
    if (rows !== null) {
      await table!.endExternal(async () => {});
      return { rows, mapping: plan!.mapping.labels, ignoredColumns: plan!.mapping.ignored };
    }
    csv = await openCsvFast(plan!, started.threads);
  }
  if (csv !== null) {
    let written: Promise<void> | null = null;
    try {
      await begin(plan!.mapping);
      // The rows are validated and hashed in JS while DuckDB writes them to Parquet from its own table
      // (not staged again); the Parquet file is kept only when every row passed.
      const copy = csv.run((from) => table!.copyStatement(from));
      written = copy;
      copy.catch(() => undefined); // its failure surfaces in endExternal, after the rows' own errors
      await csv.stream(async (cols) => table!.check(cols));
      await table!.endExternal(() => copy);
    } finally {
      await written?.catch(() => undefined); // the COPY ends before its session closes or the staging directory goes
      csv.close();
    }
    return { rows: csv.rows, mapping: plan!.mapping.labels, ignoredColumns: plan!.mapping.ignored };
  }
  const { rows, mapping } = await readCsvJs(options, delimiter, append, begin);
  await table!.end();
  return { rows, mapping: mapping.labels, ignoredColumns: mapping.ignored };
}

/**
 * Whether `kind`'s Parquet file holds every column exactly as the checks see it (times and required
 * doubles; a code column is rounded to TINYINT and a NaN of an optional one stored as NULL): then rows
 * read back from the file are the rows the checks would have been given.
 */
function storedAsRead(kind: DataKind): boolean {
  return columnsOf(kind).every((s) => s.type === 'ts' || (s.type === 'f64' && s.optional !== true));
}

/**
 * A run's temporary import of a CSV file of a kind storedAsRead (importTable's `scratch`): DuckDB's CSV
 * reader writes the table's Parquet file straight from the file, typed as readCsvDuckDb reads it, with no
 * table of the rows in DuckDB (building one cost ~0.65 s of CPU and ~150 MB for 2.5 M bars), while
 * scanPlainCsv proves the file plain here; the checks then read the rows back from the Parquet file (LZ4:
 * ~0.1 s for 2.5 M bars). `threads` as importTable gives them (one for a small file), at most two: with
 * two the CSV parse is split while the scan runs and the first bar of a 2.5 M-bar run came 0.2-0.4 s
 * sooner than with one (2026-12-05, load 3), for ~0.5 s more CPU (2.5 M bars in-process: 3.1-3.3 against
 * 2.65 s; the table path 3.5-3.8 s) and ~120 MB more while it runs (340-370 against 220-250 MB; the
 * table path 400-430 MB); more threads would only buffer more row groups. Returns the row count,
 * or null when the file is declined (not plain, or DuckDB's reader refused a line or gave a NULL cell):
 * no row has reached the table's checks then, and the caller reads the file another way (a declined
 * COPY's file is overwritten by the table's next write).
 */
async function copyCsvDirect(plan: CsvPlan, table: TableWriter, threads: number | undefined): Promise<number | null> {
  const session = await DuckSession.open({ threads: Math.min(threads ?? 2, 2) });
  try {
    const copy = session.conn.run(table.copyStatement(`(SELECT ${csvSelect(plan, true, { nullFails: true })})`));
    copy.catch(() => undefined); // awaited below, or stopped
    const stop = async (): Promise<void> => {
      session.conn.interrupt();
      await copy.catch(() => undefined); // the COPY ends before its session closes
    };
    const plain = await scanPlainCsv(plan.file, plan.delimiter, scanClasses(plan)).catch(async (err: unknown) => {
      await stop();
      throw err;
    });
    if (!plain) {
      await stop();
      return null;
    }
    try {
      await copy;
    } catch {
      return null; // a line DuckDB's reader refuses or a NULL cell: the reader taking over says why
    }
    const rows = await pumpRows(await session.conn.stream(table.readBackQuery()), columnsOf(plan.kind), async (cols) => table.check(cols), false);
    // The COPY failed on any NULL cell, so the file read back has none.
    if (rows === null) throw new Error(`${plan.file}: the Parquet file written from it has a NULL value`);
    return rows;
  } finally {
    session.close();
  }
}

/** A CSV file read and checked in memory (see readCsvTable). */
export interface CsvTable {
  /** The manifest entry an import of the file would write (rows, first and last ts, contentHash). */
  readonly file: ManifestFile;
  /** Canonical column -> the input column it came from (absent when defaulted). */
  readonly mapping: Readonly<Record<string, string>>;
  readonly ignoredColumns: readonly string[];
  /** Every numeric column of the kind, `file.rows` values each, in file order. */
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/**
 * Reads one CSV file as one table of `kind` into memory, checked exactly as importTable checks it (the
 * same readers, validations and DataErrors naming file, row and column) and hashed the same way, without
 * writing a dataset: for a run that reads the file directly. Only for kinds without string columns.
 *
 * `read.session`: a one-thread DuckDB session the caller keeps open past the read (a run's outputs'): a file
 * DuckDB reads on one thread (under SMALL_FILE_BYTES) is read on a connection of it rather than an instance
 * of its own. Making an instance is ~10 ms of DuckDB's start-up on a thread of libuv's, which the main thread
 * waited for, and closing it ~5-13 ms of the main thread. What DuckDB's allocator cached reading the file is
 * then handed back when that session closes, not when the read ends (a 200-bar run's peak: +2 MB).
 */
export async function readCsvTable(options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>, read: { session?: DuckSession } = {}): Promise<CsvTable> {
  const { input: file, kind, symbol } = options;
  const specs = columnsOf(kind);
  if (specs.some((s) => s.type === 'str')) throw new InvalidArgumentError(`readCsvTable: ${kind} has string columns`);
  const size = inputSize(file);
  checkText(file);
  const head = readHead(file);
  const delimiter = detectDelimiter(head);
  const plan = planCsv(options, head, delimiter);
  let check: TableCheck | null = null;
  // Every column of the file, filled as the batches come: sized by estimateRows (a little more than
  // its rows for lines of even length), grown when short.
  let store = specs.map(() => new Float64Array(estimateRows(head, size)));
  let rows = 0;
  const begin = async (mapping: ColumnMapping): Promise<void> => {
    checkSymbol(symbol); // where an import refuses it: when its table begins
    check = new TableCheck(kind, symbol, file, mapping.labels);
    rows = 0;
  };
  // A batch's arrays are reused by the reader once this returns: the rows are copied out.
  const append: AppendBatch = async (cols) => {
    const n = (cols['ts'] as Float64Array).length;
    check!.update(cols, n);
    if (rows + n > store[0]!.length) {
      const grown = Math.max(rows + n, store[0]!.length * 2);
      store = store.map((a) => {
        const b = new Float64Array(grown);
        b.set(a.subarray(0, rows));
        return b;
      });
    }
    for (let c = 0; c < specs.length; c++) store[c]!.set(cols[specs[c]!.name] as Float64Array, rows);
    rows += n;
  };
  let mapping: ColumnMapping | null = null;
  if (plan !== null) {
    await begin(plan.mapping);
    const small = size < SMALL_FILE_BYTES;
    if ((await readCsvDuckDb(plan, append, small ? 1 : undefined, small ? read.session : undefined)) !== null) mapping = plan.mapping;
  }
  // Declined by DuckDB (perhaps after some rows: begin starts the checks over): the JS reader decides.
  mapping ??= (await readCsvJs(options, delimiter, append, begin)).mapping;
  const entry = check!.finish(sourceOf(options, 'csv', mapping));
  const columns: Record<string, Float64Array> = {};
  // A view when the estimate was close (it keeps a few spare rows), a copy when the store had grown.
  const tight = store[0]!.length - rows <= store[0]!.length / 16;
  for (let c = 0; c < specs.length; c++) columns[specs[c]!.name] = tight ? store[c]!.subarray(0, rows) : store[c]!.slice(0, rows);
  return { file: entry, mapping: mapping.labels, ignoredColumns: mapping.ignored, columns };
}

/**
 * A CSV file of one table read pass by pass through DuckDB's CSV reader, every row checked as it
 * passes exactly as importTable checks it (see openCsvStream).
 */
export interface CsvStream {
  /** Data rows of the file (its lines after the header, counted by the scan that proved it plain). */
  readonly rows: number;
  /** Canonical column -> the input column it came from (absent when defaulted). */
  readonly mapping: Readonly<Record<string, string>>;
  readonly ignoredColumns: readonly string[];
  /** The first rows (at least 2,048, or every row), checked: every numeric column of the kind. */
  readonly head: Readonly<Record<string, Float64Array>>;
  /** The manifest entry an import of the file would write, once a pass has checked every row; null before. */
  readonly file: ManifestFile | null;
  /**
   * One pass over the rows in file order, a DuckDB chunk (at most 2,048 rows) at a time, each checked
   * before it is handed on: the first bad row throws the import's DataError naming file, row and
   * column. A pass that reaches the end gives `file`. Fresh arrays each chunk.
   */
  pass(): AsyncGenerator<RowChunk>;
  /** Ends what DuckDB holds open for the first pass; further passes open their own. */
  close(): void;
}

/** Rows in CsvStream.head: as many as barSpacing reads (cli/compose/data-sources.ts). */
const HEAD_ROWS = 2048;

/**
 * Opens a CSV file of `kind` (no string columns) to be read as a stream (CsvStream) rather than
 * imported, when scanPlainCsv proves it plain: DuckDB's CSV reader gives its rows typed, as
 * readCsvDuckDb reads them, with no table and no Parquet file in between, and the checks of an import
 * run on each row as a pass reads it, so a run's first bar reaches the engine once the file is scanned
 * and its first rows are read and checked (the head, checked here: a bad row there is refused now).
 * The memory held is DuckDB's scan buffers and a chunk, whatever the file's length. Null when the file
 * is not plain or DuckDB declines its first rows: an import then accepts it or names its first bad
 * cell. DuckDB reads on one thread, the next chunk while a fetch is under way (duckChunks keeps one
 * under way), so a reader that takes the rows a chunk at a time keeps it busy (cli/compose/data-sources.ts
 * streamBars); a larger streaming buffer cost memory and delayed the first chunk, and a second thread
 * gained nothing on 2 cores (bench/RESULTS.md, sixth pass).
 */
export async function openCsvStream(options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>): Promise<CsvStream | null> {
  const { input: file, kind, symbol } = options;
  const specs = columnsOf(kind);
  if (specs.some((s) => s.type === 'str')) throw new InvalidArgumentError(`openCsvStream: ${kind} has string columns`);
  inputSize(file);
  checkText(file);
  const head = readHead(file);
  const delimiter = detectDelimiter(head);
  const plan = planCsv(options, head, delimiter);
  if (plan === null) return null;
  checkSymbol(symbol); // where an import refuses it: when its table begins
  const source = sourceOf(options, 'csv', plan.mapping);
  const query = `SELECT ${csvSelect(plan, true)}`;
  const open = async (): Promise<{ session: DuckSession; rows: AsyncGenerator<RowChunk> }> => {
    const session = await DuckSession.open({ threads: 1 });
    try {
      return { session, rows: duckChunks(await session.conn.stream(query), specs) };
    } catch (err) {
      session.close();
      throw err;
    }
  };
  // DuckDB starts reading while the file is scanned here.
  const first = open();
  first.catch(() => undefined); // awaited below
  let rows: number | null;
  try {
    rows = await plainCsvRows(file, delimiter, scanClasses(plan));
  } catch (err) {
    (await first.catch(() => null))?.session.close();
    throw err;
  }
  let firstOpen: { session: DuckSession; rows: AsyncGenerator<RowChunk> };
  try {
    firstOpen = await first;
  } catch {
    return null; // a line DuckDB's reader refuses at once: the import says why
  }
  if (rows === null) {
    firstOpen.session.conn.interrupt();
    await firstOpen.rows.return(undefined);
    firstOpen.session.close();
    return null;
  }
  const check = new TableCheck(kind, symbol, file, plan.mapping.labels);
  const headChunks: RowChunk[] = [];
  let headRows = 0;
  try {
    while (headRows < Math.min(HEAD_ROWS, rows)) {
      const next = await firstOpen.rows.next();
      if (next.done === true) break;
      check.update(next.value.cols, next.value.n);
      headChunks.push(next.value);
      headRows += next.value.n;
    }
  } catch (err) {
    await firstOpen.rows.return(undefined);
    firstOpen.session.close();
    if (err instanceof Declined) return null;
    throw err;
  }
  const headCols: Record<string, Float64Array> = {};
  for (const s of specs) {
    const col = new Float64Array(headRows);
    let at = 0;
    for (const c of headChunks) {
      col.set(c.cols[s.name] as Float64Array, at);
      at += c.n;
    }
    headCols[s.name] = col;
  }
  let checked: ManifestFile | null = null;
  let pending: { session: DuckSession; rows: AsyncGenerator<RowChunk>; check: TableCheck; chunks: RowChunk[] } | null = { ...firstOpen, check, chunks: headChunks };
  const stream: CsvStream = {
    rows,
    mapping: plan.mapping.labels,
    ignoredColumns: plan.mapping.ignored,
    head: headCols,
    get file(): ManifestFile | null {
      return checked;
    },
    async *pass(): AsyncGenerator<RowChunk> {
      // The first pass goes on from the head the scan's DuckDB read; each later one reads the file anew.
      const taken = pending;
      pending = null;
      const opened = taken ?? { ...(await open()), check: new TableCheck(kind, symbol, file, plan.mapping.labels), chunks: [] };
      const passCheck = opened.check;
      let read = 0;
      try {
        for (const c of opened.chunks) {
          read += c.n;
          yield c;
        }
        try {
          for await (const c of opened.rows) {
            passCheck.update(c.cols, c.n);
            read += c.n;
            yield c;
          }
        } catch (err) {
          if (!(err instanceof Declined)) throw err;
          await declinedMidway(options, delimiter, plan.mapping.labels, source, read);
        }
        if (read !== rows) throw new DataError(`${read} rows read where ${rows} were counted before: the file changed while it was read`, { file });
        checked ??= passCheck.finish(source);
      } finally {
        await opened.rows.return(undefined);
        // Not waited for: the replay goes on while DuckDB hands the stream's memory back on a thread of libuv's.
        void opened.session.closeFlushed();
      }
    },
    close(): void {
      pending?.session.close();
      pending = null;
    },
  };
  return stream;
}

/**
 * What a CsvStream pass does when DuckDB declines the file after `read` rows (a cell of a plain file
 * that DuckDB's reader refuses, e.g. a date that does not exist): the JS reader reads the file with the
 * same checks and throws its DataError naming the first bad cell, the error an import gives. A file it
 * accepts cannot be streamed past that row: a DataError says so and how to run it.
 */
async function declinedMidway(options: Pick<ImportOptions, 'input' | 'kind' | 'symbol' | 'epochUnit' | 'epochUnitHint'>, delimiter: string, labels: Readonly<Record<string, string>>, source: Provenance, read: number): Promise<never> {
  const check = new TableCheck(options.kind, options.symbol, options.input, labels);
  await readCsvJs(options, delimiter, async (cols) => check.update(cols, (cols['ts'] as Float64Array).length));
  check.finish(source);
  throw new DataError(`DuckDB's CSV reader stopped after row ${read} of a file Tapedeck's own reader accepts: import it with \`tapedeck data import\` and run the dataset`, { file: options.input });
}

/** DuckDB types that hold an absolute time (converted with epoch_us). */
const TIME_TYPES = /^(TIMESTAMP|DATE)/;
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

async function importParquet(writer: DatasetWriter, options: ImportOptions): Promise<Omit<ImportResult, 'manifest'>> {
  const { input: file, kind, symbol } = options;
  const specs = columnsOf(kind);
  const session = await DuckSession.open({ threads: 1 });
  try {
    const src = `read_parquet(${sqlString(file)})`;
    let described: Array<[string, string]>;
    try {
      const r = await session.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
      described = r.getRows().map((row) => [String(row[0]), String(row[1])]);
    } catch (err) {
      throw new DataError(`unreadable Parquet file: ${(err as Error).message.split('\n')[0]}`, { file }, { cause: err });
    }
    const header = described.map(([name]) => name);
    const mapping = mapColumns(kind, header, file);
    const words = CODE_WORDS[kind] ?? {};
    const defaults = DEFAULTS[kind] ?? {};
    // Every column becomes a DOUBLE (NULL or unparseable -> NaN and a flag column), times become epoch us.
    const exprs: string[] = [];
    const stringCols: ColumnSpec[] = [];
    const timeAsText: string[] = [];
    for (const spec of specs) {
      const idx = mapping.index[spec.name];
      if (spec.type === 'str') {
        stringCols.push(spec);
        continue;
      }
      if (idx === undefined) {
        const d = defaults[spec.name]!;
        exprs.push(d === 'missing' ? `'NaN'::DOUBLE` : `${Number(d)}::DOUBLE`);
        continue;
      }
      const [name, type] = described[idx]!;
      const id = sqlIdent(name);
      if (spec.type === 'ts' && TIME_TYPES.test(type)) exprs.push(`CAST(epoch_us(CAST(${id} AS TIMESTAMP)) AS DOUBLE)`);
      else if (spec.type === 'ts' && !NUMERIC_TYPES.test(type)) {
        timeAsText.push(spec.name);
        exprs.push(`'NaN'::DOUBLE`);
      } else if (spec.type === 'ts') {
        if (options.epochUnit === undefined) {
          throw new DataError(`numeric time column of type ${type}: a numeric epoch time needs its unit: ${options.epochUnitHint ?? DEFAULT_EPOCH_UNIT_HINT}`, { file, column: shownName(name) });
        }
        const scale = { s: '* 1000000', ms: '* 1000', us: '', ns: '// 1000' }[options.epochUnit];
        exprs.push(`CAST(CAST(${id} AS BIGINT) ${scale} AS DOUBLE)`);
      } else if (NUMERIC_TYPES.test(type)) exprs.push(`coalesce(CAST(${id} AS DOUBLE), 'NaN'::DOUBLE)`);
      else {
        const w = words[spec.name] ?? {};
        const cases = Object.entries(w).map(([k, v]) => `WHEN ${sqlString(k)} THEN ${v}`).join(' ');
        const parsed = `TRY_CAST(CAST(${id} AS VARCHAR) AS DOUBLE)`;
        exprs.push(`coalesce(${cases ? `CASE lower(trim(CAST(${id} AS VARCHAR))) ${cases} ELSE ${parsed} END` : parsed}, 'NaN'::DOUBLE)`);
      }
    }
    const textCols = [
      ...stringCols.map((s) => (mapping.index[s.name] === undefined ? null : described[mapping.index[s.name]!]![0])),
      ...timeAsText.map((n) => described[mapping.index[n]!]![0]),
    ];
    const textSelect = textCols.map((n) => (n === null ? `NULL::VARCHAR` : `CAST(${sqlIdent(n)} AS VARCHAR)`));
    const result = await session.conn.stream(`SELECT ${[...exprs, ...textSelect].join(', ')} FROM ${src}`);
    const numSpecs = specs.filter((s) => s.type !== 'str');
    const table = await writer.beginTable(kind, symbol, sourceOf(options, 'parquet', mapping), { label: file, columnLabels: mapping.labels });
    let rows = 0;
    let checked = false;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      if (!checked) {
        for (let c = 0; c < numSpecs.length; c++) expectColumnType(chunk, c, TYPE_ID.DOUBLE, numSpecs[c]!.name);
        checked = true;
      }
      const cols: Record<string, Float64Array | string[]> = {};
      for (let c = 0; c < numSpecs.length; c++) {
        const arr = new Float64Array(n);
        copyDoubleColumn(chunk, c, n, arr, 0);
        cols[numSpecs[c]!.name] = arr;
      }
      let t = numSpecs.length;
      for (const s of stringCols) {
        const values = chunk.getColumnValues(t++);
        cols[s.name] = values.map((v, i) => {
          if (v === null) {
            if (mapping.index[s.name] === undefined) return symbol;
            throw new DataError(`missing value ${ROW_NOTE}`, { file, row: rows + i + 1, column: mapping.labels[s.name]! });
          }
          return String(v).trim();
        });
      }
      for (const name of timeAsText) {
        const values = chunk.getColumnValues(t++);
        const ts = cols[name] as Float64Array;
        for (let i = 0; i < n; i++) {
          const v = values[i];
          try {
            if (v === null) throw new InvalidArgumentError('missing value');
            ts[i] = parseTimeUs(String(v), options.epochUnit, options.epochUnitHint);
          } catch (err) {
            throw new DataError(`${timeMessage(v === null ? 'null' : String(v), err)} ${ROW_NOTE}`, {
              file,
              row: rows + i + 1,
              column: mapping.labels[name]!,
            });
          }
        }
      }
      await table.append(cols);
      rows += n;
    }
    if (rows === 0) throw new DataError('no data rows', { file });
    await table.end();
    return { rows, mapping: mapping.labels, ignoredColumns: mapping.ignored };
  } catch (err) {
    if (err instanceof TapedeckError) throw err;
    throw new DataError(`unreadable Parquet file: ${(err as Error).message.split('\n')[0]}`, { file }, { cause: err });
  } finally {
    session.close();
  }
}
