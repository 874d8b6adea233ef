import type { DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { join } from 'node:path';
import { checkInteger, checkPositiveInteger, DataError, formatIsoUs, InvalidArgumentError, printable } from '../engine/core/index.js';
import { chunkColumnTypeId, chunkRead, columnAsDouble, copyInt32Column, DuckSession, expectColumnType, sqlIdent, sqlString, TYPE_ID } from './duckdb.js';
import { compareStrings } from './hash.js';
import { readManifest, type Manifest } from './manifest.js';
import { columnsOf, inTimeRange, isDataKind, TIME_RANGE_TEXT, type ColumnSpec, type DataKind } from './schema.js';

/**
 * The streaming reader: Parquet -> time-ordered typed-array column batches.
 *
 * Design (figures in bench/RESULTS.md, alternatives in datasets/README.md):
 * - One streaming DuckDB query per file (`stream()`), each on its own connection of one private
 *   database with one DuckDB thread, filtered to `start <= ts < end` in SQL. Each 2048-row vector is
 *   copied out once (`vector_get_data`); DOUBLE columns are used as views of that copy, BIGINT `ts`
 *   and TINYINT codes are converted to Float64 in a tight loop after checking the stored type (a
 *   DECIMAL read as DOUBLE would be silently wrong). The next vector is requested before the current
 *   one is merged, so DuckDB decodes while JS copies.
 * - The files are merged in (ts, symbol code) order, ties within a symbol in file order, taking the
 *   longest run of one file that sorts before every other file's head; with one file left (or one
 *   symbol read) a whole vector is taken with no comparison. Batches are cut at exactly `batchRows`.
 * Memory is one DuckDB vector per file (plus DuckDB's own scan buffers) and one batch, whatever the
 * tape length.
 *
 * Materialized windows (`run()` over a `ts` range + synchronous `getChunk(i)`) were measured as an
 * alternative and not kept: no faster here (the result is copied once more inside DuckDB and again by
 * `getChunk`), and @duckdb/node-bindings frees a result only when V8 collects its handle, which V8
 * does not know to hurry: reading 4 symbols grew to 2.3 GB over 80 M rows.
 */
export interface ReaderOptions {
  readonly kind: DataKind;
  /** Symbols to read (default: every symbol of the dataset that has `kind`). */
  readonly symbols?: readonly string[];
  /** First timestamp to read (inclusive, integer microseconds). */
  readonly start?: number;
  /** Timestamp to stop before (exclusive, integer microseconds). */
  readonly end?: number;
  /** Rows per batch (default 65536). */
  readonly batchRows?: number;
  /** Columns to read besides `ts` (default: all of the kind, in canonical order). */
  readonly columns?: readonly string[];
  /**
   * Reuse one set of buffers for every batch (no allocation per batch): a batch's arrays are then
   * overwritten by the next batch, so copy what you keep. Default false.
   */
  readonly reuseBuffers?: boolean;
}

/**
 * A batch of rows in (ts, symbol) order; ties within one symbol keep file order. Every array has
 * exactly `length` elements.
 */
export interface ColumnBatch {
  readonly length: number;
  /** Symbol of each row: an index into DatasetReader.symbols (sorted, so code order is symbol order). */
  readonly symbol: Int32Array;
  /** `ts` (integer microseconds as numbers) and the numeric columns, codes included, as Float64. */
  readonly columns: Readonly<Record<string, Float64Array>>;
  /** String columns as Int32 codes into DatasetReader.dictionaries[column]. */
  readonly codes: Readonly<Record<string, Int32Array>>;
}

const VECTOR_ROWS = 2048;

/** One file's streaming query and its current DuckDB chunk, copied into typed arrays. */
class FileCursor {
  /** The current chunk's numeric columns (views of DuckDB's copies, or converted into `scratch`). */
  readonly num: Float64Array[];
  private readonly scratch: Float64Array[];
  readonly str: Int32Array[];
  n = 0;
  pos = 0;
  done = false;
  private checked = false;
  private prefetch: Promise<DuckDBDataChunk | null> | null = null;

  constructor(
    readonly code: number,
    readonly file: string,
    private readonly result: DuckDBResult,
    private readonly numTypes: readonly number[],
    strCount: number,
  ) {
    this.scratch = Array.from({ length: numTypes.length }, () => new Float64Array(VECTOR_ROWS));
    this.num = [...this.scratch];
    this.str = Array.from({ length: strCount }, () => new Int32Array(VECTOR_ROWS));
  }

  /** Loads the next chunk when the current one is used up; returns false at the end of the file. */
  async ready(): Promise<boolean> {
    while (this.pos >= this.n) {
      if (this.done) return false;
      const chunk = await (this.prefetch ?? this.result.fetchChunk());
      this.prefetch = null;
      chunkRead();
      if (chunk === null || chunk.rowCount === 0) {
        this.done = true;
        return false;
      }
      // Ask for the next chunk now: DuckDB decodes it on its own thread while this one is copied
      // and merged (and while the consumer works on the batch).
      this.prefetch = this.result.fetchChunk();
      this.prefetch.catch(() => undefined); // a failure surfaces on the next await, not as unhandled
      const n = chunk.rowCount;
      if (!this.checked) {
        // Read the stored types as they are (no SQL cast costs), but only the types the schema allows.
        for (let c = 0; c < this.num.length; c++) {
          const id = chunkColumnTypeId(chunk, c);
          if (id !== this.numTypes[c]) {
            throw new DataError(`column ${c + 1} has DuckDB type id ${id}, expected ${this.numTypes[c]} (see 'tapedeck data validate')`, { file: this.file });
          }
        }
        for (let c = 0; c < this.str.length; c++) expectColumnType(chunk, this.num.length + c, TYPE_ID.INTEGER, `code column ${c} of ${this.file}`);
        this.checked = true;
      }
      for (let c = 0; c < this.num.length; c++) this.num[c] = columnAsDouble(chunk, c, this.numTypes[c]!, n, this.scratch[c]!);
      // A table an older version wrote may hold times the engine cannot run (before 1970 the clock
      // would go backwards): name the file here rather than fail inside the simulation.
      const ts = this.num[0]!;
      for (let i = 0; i < n; i++) {
        if (!inTimeRange(ts[i]!)) {
          throw new DataError(`ts ${formatIsoUs(ts[i]!)} is outside the supported range ${TIME_RANGE_TEXT} (written by an older version? re-import the data)`, {
            file: this.file,
            column: 'ts',
          });
        }
      }
      for (let c = 0; c < this.str.length; c++) copyInt32Column(chunk, this.num.length + c, n, this.str[c]!, 0);
      this.n = n;
      this.pos = 0;
    }
    return true;
  }
}

/** Reads one kind for a set of symbols as time-ordered column batches; iterate it with `for await`. */
export class DatasetReader implements AsyncIterable<ColumnBatch> {
  /** The symbols read, sorted; a batch's `symbol` codes index this array. */
  readonly symbols: readonly string[];
  /** Names of the Float64 columns of each batch, `ts` first. */
  readonly numericColumns: readonly string[];
  /** Names of the string (code) columns of each batch. */
  readonly stringColumns: readonly string[];
  /** For each string column, the strings its codes stand for (sorted). */
  readonly dictionaries: Readonly<Record<string, readonly string[]>>;
  readonly manifest: Manifest;
  private readonly batchRows: number;
  private readonly reuse: boolean;
  private readonly numericTypes: readonly number[];
  private cursors: FileCursor[] | null = null;
  private started = false;
  private closed = false;

  private constructor(
    private readonly session: DuckSession,
    private readonly queries: ReadonlyArray<{ code: number; file: string; sql: string }>,
    init: {
      symbols: readonly string[];
      numericColumns: readonly string[];
      numericTypes: readonly number[];
      stringColumns: readonly string[];
      dictionaries: Record<string, readonly string[]>;
      manifest: Manifest;
      batchRows: number;
      reuse: boolean;
    },
  ) {
    this.symbols = init.symbols;
    this.numericColumns = init.numericColumns;
    this.numericTypes = init.numericTypes;
    this.stringColumns = init.stringColumns;
    this.dictionaries = init.dictionaries;
    this.manifest = init.manifest;
    this.batchRows = init.batchRows;
    this.reuse = init.reuse;
  }

  /** Opens a reader over dataset `dir`; see ReaderOptions. */
  static async open(dir: string, options: ReaderOptions): Promise<DatasetReader> {
    const { kind } = options;
    if (!isDataKind(kind)) throw new InvalidArgumentError(`invalid 'kind': not a data kind, was ${printable(kind)}`);
    const batchRows = checkPositiveInteger(options.batchRows ?? 65536, 'batchRows');
    if (options.start !== undefined) checkInteger(options.start, 'start');
    if (options.end !== undefined) checkInteger(options.end, 'end');
    const manifest = await readManifest(dir);
    const available = manifest.files.filter((f) => f.kind === kind);
    const wanted = options.symbols ? [...new Set(options.symbols)] : available.map((f) => f.symbol);
    for (const s of wanted) {
      if (!available.some((f) => f.symbol === s)) {
        throw new InvalidArgumentError(`invalid 'symbols': dataset '${dir}' has no ${kind} for ${printable(s)} (has: ${available.map((f) => f.symbol).join(', ') || 'none'})`);
      }
    }
    const symbols = wanted.sort(compareStrings);
    for (const f of available) {
      if (!symbols.includes(f.symbol) || f.startUs === null || f.endUs === null) continue;
      if (!inTimeRange(f.startUs) || !inTimeRange(f.endUs)) {
        throw new DataError(
          `times from ${formatIsoUs(f.startUs)} to ${formatIsoUs(f.endUs)} are outside the supported range ${TIME_RANGE_TEXT} (written by an older version? re-import the data)`,
          { file: join(dir, f.path), column: 'ts' },
        );
      }
    }
    const specs = selectColumns(kind, options.columns);
    const numeric = specs.filter((s) => s.type !== 'str');
    const strings = specs.filter((s) => s.type === 'str');
    const paths = symbols.map((s) => join(dir, available.find((f) => f.symbol === s)!.path));
    // A replay reads each file once, front to back: DuckDB's cache of blocks would only grow with the tape.
    const session = await DuckSession.open({ threads: 1, memoryLimit: '64MB' });
    try {
      const dictionaries: Record<string, readonly string[]> = {};
      for (const s of strings) {
        if (paths.length === 0) {
          dictionaries[s.name] = [];
          continue;
        }
        const list = `[${paths.map(sqlString).join(', ')}]`;
        const r = await session.conn.runAndReadAll(`SELECT DISTINCT ${sqlIdent(s.name)} FROM read_parquet(${list}) WHERE ${sqlIdent(s.name)} IS NOT NULL`);
        dictionaries[s.name] = r.getRows().map((row) => String(row[0])).sort(compareStrings);
      }
      const where: string[] = [];
      if (options.start !== undefined) where.push(`ts >= ${options.start}`);
      if (options.end !== undefined) where.push(`ts < ${options.end}`);
      const select = [
        ...numeric.map((s) => numericExpr(s)),
        ...strings.map((s) => {
          const dict = dictionaries[s.name]!;
          return `CAST(coalesce(list_position([${dict.map(sqlString).join(', ')}]::VARCHAR[], ${sqlIdent(s.name)}), 0) - 1 AS INTEGER)`;
        }),
      ].join(', ');
      const queries = paths.map((file, code) => ({
        code,
        file,
        sql: `SELECT ${select} FROM read_parquet(${sqlString(file)})${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
      }));
      return new DatasetReader(session, queries, {
        symbols,
        numericColumns: numeric.map((s) => s.name),
        numericTypes: numeric.map((s) => STORED_TYPE_ID[s.type as 'ts' | 'f64' | 'i8']),
        stringColumns: strings.map((s) => s.name),
        dictionaries,
        manifest,
        batchRows,
        reuse: options.reuseBuffers ?? false,
      });
    } catch (err) {
      session.close();
      throw err;
    }
  }

  /** Yields the batches once; a reader is not restartable. The reader closes itself at the end. */
  async *[Symbol.asyncIterator](): AsyncIterator<ColumnBatch> {
    if (this.started) throw new InvalidArgumentError('a DatasetReader can be iterated only once');
    this.started = true;
    try {
      const cursors: FileCursor[] = [];
      for (const q of this.queries) {
        let result: DuckDBResult;
        try {
          // one connection per stream: a new query on a connection would end its previous stream
          result = await (await this.session.connect()).stream(q.sql);
        } catch (err) {
          throw new DataError(`unreadable Parquet file: ${(err as Error).message.split('\n')[0]}`, { file: q.file }, { cause: err });
        }
        cursors.push(new FileCursor(q.code, q.file, result, this.numericTypes, this.stringColumns.length));
      }
      this.cursors = cursors;
      yield* this.merge(cursors);
    } finally {
      this.close();
    }
  }

  private async *merge(cursors: FileCursor[]): AsyncGenerator<ColumnBatch> {
    const cap = this.batchRows;
    const nNum = this.numericColumns.length;
    const nStr = this.stringColumns.length;
    let sym = new Int32Array(cap);
    let num = Array.from({ length: nNum }, () => new Float64Array(cap));
    let str = Array.from({ length: nStr }, () => new Int32Array(cap));
    let live: FileCursor[] = [];
    for (const c of cursors) if (await readyOrFail(c)) live.push(c);
    let fill = 0;
    while (live.length > 0) {
      // The cursor with the smallest (ts, code); ties go to the lower code (cursors are in code order).
      let best = live[0]!;
      let second = Number.POSITIVE_INFINITY;
      let secondCode = Number.MAX_SAFE_INTEGER;
      if (live.length > 1) {
        let bestTs = best.num[0]![best.pos]!;
        for (let k = 1; k < live.length; k++) {
          const c = live[k]!;
          const t = c.num[0]![c.pos]!;
          if (t < bestTs) {
            second = bestTs;
            secondCode = best.code;
            best = c;
            bestTs = t;
          } else if (t < second || (t === second && c.code < secondCode)) {
            second = t;
            secondCode = c.code;
          }
        }
      }
      // Take the run of `best`'s rows that sort before every other cursor's head: all of the chunk,
      // up to the batch's room, when it is the only cursor left (one symbol: no comparisons at all).
      const p = best.pos;
      const ts = best.num[0]!;
      const limit = Math.min(best.n, p + (cap - fill));
      let end = p + 1;
      if (live.length === 1) end = limit;
      else if (best.code < secondCode) while (end < limit && ts[end]! <= second) end++;
      else while (end < limit && ts[end]! < second) end++;
      const m = end - p;
      if (m === 1) {
        // Interleaved symbols take one row per turn: plain element copies, no inner loops.
        for (let c = 0; c < nNum; c++) num[c]![fill] = best.num[c]![p]!;
        for (let c = 0; c < nStr; c++) str[c]![fill] = best.str[c]![p]!;
        sym[fill] = best.code;
      } else if (m <= 8) {
        // Short runs: element copies beat creating subarray views.
        for (let c = 0; c < nNum; c++) {
          const from = best.num[c]!;
          const to = num[c]!;
          for (let i = 0; i < m; i++) to[fill + i] = from[p + i]!;
        }
        for (let c = 0; c < nStr; c++) {
          const from = best.str[c]!;
          const to = str[c]!;
          for (let i = 0; i < m; i++) to[fill + i] = from[p + i]!;
        }
        for (let i = 0; i < m; i++) sym[fill + i] = best.code;
      } else {
        for (let c = 0; c < nNum; c++) num[c]!.set(best.num[c]!.subarray(p, end), fill);
        for (let c = 0; c < nStr; c++) str[c]!.set(best.str[c]!.subarray(p, end), fill);
        sym.fill(best.code, fill, fill + m);
      }
      fill += m;
      best.pos = end;
      if (end >= best.n && !(await readyOrFail(best))) live = live.filter((c) => c !== best);
      if (fill === cap) {
        yield this.batch(sym, num, str, fill);
        fill = 0;
        if (!this.reuse) {
          sym = new Int32Array(cap);
          num = Array.from({ length: nNum }, () => new Float64Array(cap));
          str = Array.from({ length: nStr }, () => new Int32Array(cap));
        }
      }
    }
    if (fill > 0) yield this.batch(sym, num, str, fill);
  }

  private batch(sym: Int32Array, num: Float64Array[], str: Int32Array[], n: number): ColumnBatch {
    const columns: Record<string, Float64Array> = {};
    for (let c = 0; c < num.length; c++) columns[this.numericColumns[c]!] = n === num[c]!.length ? num[c]! : num[c]!.subarray(0, n);
    const codes: Record<string, Int32Array> = {};
    for (let c = 0; c < str.length; c++) codes[this.stringColumns[c]!] = n === str[c]!.length ? str[c]! : str[c]!.subarray(0, n);
    return { length: n, symbol: n === sym.length ? sym : sym.subarray(0, n), columns, codes };
  }

  /** Releases the DuckDB session; called automatically when iteration ends or breaks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cursors = null;
    this.session.close();
  }
}

async function readyOrFail(c: FileCursor): Promise<boolean> {
  try {
    return await c.ready();
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`unreadable Parquet file: ${(err as Error).message.split('\n')[0]}`, { file: c.file }, { cause: err });
  }
}

function selectColumns(kind: DataKind, names: readonly string[] | undefined): ColumnSpec[] {
  const all = columnsOf(kind);
  if (names === undefined) return [...all];
  for (const n of names) {
    if (!all.some((s) => s.name === n)) {
      throw new InvalidArgumentError(`invalid 'columns': ${kind} has no column ${printable(n)} (columns: ${all.map((s) => s.name).join(', ')})`);
    }
  }
  return all.filter((s) => s.name === 'ts' || names.includes(s.name));
}

/** The DuckDB type each column type is stored as; the reader converts to Float64 itself. */
const STORED_TYPE_ID: Readonly<Record<'ts' | 'f64' | 'i8', number>> = { ts: TYPE_ID.BIGINT, f64: TYPE_ID.DOUBLE, i8: TYPE_ID.TINYINT };

function numericExpr(s: ColumnSpec): string {
  // No cast: the stored column is copied raw (copyColumnAsDouble); NULL reads as NaN, which is what
  // a missing optional value is, and which the validator reports in a required column.
  return sqlIdent(s.name);
}

/** Opens a streaming reader over dataset `dir` (see ReaderOptions and DatasetReader). */
export function openReader(dir: string, options: ReaderOptions): Promise<DatasetReader> {
  return DatasetReader.open(dir, options);
}

/** All rows of one kind, concatenated: for small data and tests (memory grows with the data). */
export interface ReadAllResult {
  readonly length: number;
  readonly symbols: readonly string[];
  readonly symbol: Int32Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
  readonly codes: Readonly<Record<string, Int32Array>>;
  readonly dictionaries: Readonly<Record<string, readonly string[]>>;
}

/** Reads every requested row into single arrays (see openReader for the options). */
export async function readAll(dir: string, options: Omit<ReaderOptions, 'reuseBuffers'>): Promise<ReadAllResult> {
  const reader = await openReader(dir, { ...options, reuseBuffers: false });
  const batches: ColumnBatch[] = [];
  let total = 0;
  for await (const b of reader) {
    batches.push(b);
    total += b.length;
  }
  const concat = <T extends Float64Array | Int32Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  };
  const columns: Record<string, Float64Array> = {};
  for (const name of reader.numericColumns) columns[name] = concat(batches.map((b) => b.columns[name]!), (n) => new Float64Array(n));
  const codes: Record<string, Int32Array> = {};
  for (const name of reader.stringColumns) codes[name] = concat(batches.map((b) => b.codes[name]!), (n) => new Int32Array(n));
  return {
    length: total,
    symbols: reader.symbols,
    symbol: concat(batches.map((b) => b.symbol), (n) => new Int32Array(n)),
    columns,
    codes,
    dictionaries: reader.dictionaries,
  };
}
