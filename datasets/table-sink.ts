import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, TapedeckError } from '../engine/core/index.js';
import { WriteError } from './atomic.js';
import { ParquetConcat } from './parquet-concat.js';
import { DOUBLE, DuckDBDataChunk, DuckSession, fillVector, setVectorString, sqlIdent, sqlString, VARCHAR } from './duckdb.js';

/**
 * Columnar output tables written as Parquet while a run goes on (a run's equity curve, fills, orders and
 * round trips: see reports/run-tables.ts for the tables themselves).
 *
 * Rows are appended synchronously (a typed-array batch into a DuckDB appender, no object per row) into a
 * small in-memory staging table; every `rowsPerPart` rows (one Parquet row group) the staging table is
 * handed to a background write and a fresh one takes the next rows, so memory stays flat however long the
 * run and the run does not wait for the write. Each part is written once, in the file's final types and
 * compression (zstd), and joined to the parts before it by copying its bytes (datasets/parquet-concat.ts):
 * no part is read back and compressed again. `finish()` writes the last rows and the footer. Nothing is
 * visible at `file` before finish().
 *
 * Every column is staged as DOUBLE: numbers as they are, and strings as codes (see {@link StringCodes}).
 * Handing DuckDB one string per row costs a call into the native side per row (most of the time of
 * writing a run's fills and orders); a code column is one copy per chunk, and the strings are made by
 * DuckDB when the file is written, from a dictionary of the distinct values.
 *
 * Column types: `ts` (integer microseconds since the epoch, written as a Parquet TIMESTAMP, which pandas,
 * polars and DuckDB read as a datetime), `f64` (DOUBLE; a `nullable` one writes NaN as NULL), `i64`
 * (integers, written as BIGINT), `bool` (0/1, written as BOOLEAN) and `str` (VARCHAR; a `nullable` one
 * writes null as NULL).
 */

export type SinkColumnType = 'ts' | 'f64' | 'i64' | 'bool' | 'str';

export interface SinkColumn {
  readonly name: string;
  readonly type: SinkColumnType;
  /** f64: NaN is written as NULL; str: null is written as NULL. */
  readonly nullable?: boolean;
  /**
   * str: the prefix of numbered values (`O-` for order ids `O-1`, `O-2`, ...): a value that is the prefix
   * then an integer without leading zeros is staged as that integer rather than as a dictionary entry, so
   * a column of distinct ids needs no dictionary.
   */
  readonly numbered?: string;
}

/** A batch as appended: numbers as Float64Array, strings as arrays (null allowed in nullable columns). */
export type SinkBatch = Readonly<Record<string, Float64Array | readonly (string | null)[]>>;

/** A value every row of a column holds (see ParquetTableSink.open's `constants`): a number, or a string (or null) of a str column. */
export type SinkConstant = number | string | null;

const CHUNK_ROWS = 2048;
/** What a null in a column that is not nullable is written as (one control character), as before strings were coded. */
const NULL_TEXT = '\u0001';
/** DuckDB's Parquet row group size: a part is one row group of the file. */
const DEFAULT_ROWS_PER_PART = 122_880;
/** A dictionary of at most this many characters is written into the statement itself (a list literal). */
const INLINE_DICTIONARY_CHARS = 4096;
/** Digits of the largest integer a numbered value may carry (exact as a double). */
const MAX_NUMBER_DIGITS = 15;

/**
 * A string column's codes: a value `prefix` + integer k (no leading zeros; see SinkColumn.numbered) is
 * staged as k >= 0, any other value as -(its 1-based index in the dictionary of distinct values, in order
 * of first appearance), null as NaN. Values map to the same code for the life of the sink (every part).
 */
export class StringCodes {
  private readonly index = new Map<string, number>();
  /** The distinct values not numbered, in order of first appearance. */
  readonly values: string[] = [];

  constructor(
    private readonly prefix: string | undefined,
    /** What null stands for: NaN (written as NULL), or a string (a column that is not nullable). */
    private readonly nullText: string | null,
  ) {}

  /** The code of `value`. */
  code(value: string | null): number {
    if (value === null) {
      if (this.nullText === null) return Number.NaN;
      value = this.nullText;
    } else if (this.nullText === null && value === NULL_TEXT) {
      return Number.NaN; // as a nullable column always wrote it
    }
    const p = this.prefix;
    if (p !== undefined && value.length > p.length && value.length <= p.length + MAX_NUMBER_DIGITS && value.startsWith(p)) {
      const k = integerAt(value, p.length);
      if (k >= 0) return k;
    }
    let c = this.index.get(value);
    if (c === undefined) {
      this.values.push(value);
      c = -this.values.length;
      this.index.set(value, c);
    }
    return c;
  }
}

/** `v` as a SQL DOUBLE, exactly: parsed from its shortest round-trip text (a decimal literal would be a DECIMAL first), the sign of zero and NaN kept. */
function doubleLiteral(v: number): string {
  return `CAST('${Object.is(v, -0) ? '-0' : String(v)}' AS DOUBLE)`;
}

/** The integer written in `s` from `from` to its end (digits only, no leading zero unless it is 0), or -1. */
function integerAt(s: string, from: number): number {
  if (s.charCodeAt(from) === 48 && s.length > from + 1) return -1;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

export class ParquetTableSink {
  /** Rows of a part (a row group of the file) unless `open` is told otherwise: DuckDB's row group size. */
  static readonly ROWS_PER_PART = DEFAULT_ROWS_PER_PART;
  private appender: DuckDBAppender | null = null;
  private readonly chunk: DuckDBDataChunk;
  /** Parts written: the first is the file being joined (see {@link ParquetConcat}), the others are appended to it and removed. */
  private parts = 0;
  private joined: ParquetConcat | null = null;
  private inPart = 0;
  private total = 0;
  private finished = false;
  /** The staging table rows are appended to (a new one, numbered, whenever full parts leave). */
  private staging: string;
  private generation = 0;
  /** The parts being written in the background (see {@link flush}); its failure surfaces at the next flush or finish. */
  private pending: Promise<void> = Promise.resolve();
  /** Per column: its string codes (str columns), else null. */
  private readonly codes: (StringCodes | null)[];
  /** The columns staged, in order (the others hold one value, written as a literal: see {@link open}). */
  private readonly staged: readonly number[];
  /** Per column: its value as a SQL DOUBLE (a string column's code) when every row holds it, else null. */
  private readonly constants: (string | null)[];
  /** Per str column with a large dictionary: how many of its values are in its dictionary table so far. */
  private readonly listed: number[];
  /** A chunk's codes of a str column before they are copied into the chunk. */
  private readonly codeScratch = new Float64Array(CHUNK_ROWS);
  private readonly name: string;

  private constructor(
    private readonly session: DuckSession,
    /** The connection rows are appended through. */
    private readonly conn: DuckDBConnection,
    /** The connection parts are written through, in the background while rows are appended. */
    private readonly writer: DuckDBConnection,
    /** The Parquet file finish() writes. */
    readonly file: string,
    /** How messages name the file (its final place, when `file` is staged elsewhere). */
    private readonly label: string,
    private readonly partsDir: string,
    readonly columns: readonly SinkColumn[],
    private readonly rowsPerPart: number,
    private readonly ownsSession: boolean,
    constants: Readonly<Record<string, SinkConstant>>,
  ) {
    this.codes = columns.map((c) => (c.type === 'str' ? new StringCodes(c.numbered, c.nullable === true ? null : NULL_TEXT) : null));
    // A constant's string is coded once, here (checked by open): its value is in the column's dictionary as any other.
    this.constants = columns.map((c, k) => {
      if (!Object.hasOwn(constants, c.name)) return null;
      const v = constants[c.name]!;
      const codes = this.codes[k]!;
      return doubleLiteral(codes !== null ? codes.code(v as string | null) : (v as number));
    });
    this.staged = columns.flatMap((_, k) => (this.constants[k] === null ? [k] : []));
    this.chunk = DuckDBDataChunk.create(
      this.staged.map(() => DOUBLE),
      CHUNK_ROWS,
    );
    this.listed = columns.map(() => 0);
    this.name = `sink_${Math.abs(hashName(file))}_${sinkSeq++}`;
    this.staging = `${this.name}_s0`;
  }

  /**
   * Opens a sink writing `file` (a Parquet file; its parts go to a hidden directory beside it). `session`:
   * a DuckDB session to share (several sinks of one run), else one of its own with one thread.
   * `rowsPerPart`: rows of each part, so of each row group of the file (DuckDB's row group size by default).
   * `constants`: columns (by name) whose every row holds the given value: they are not staged nor appended (a
   * batch may leave them out) and each part writes the value through the column's own cast, so the file is
   * the one staging them gives. A run's logs hold many such columns (one symbol, market orders without
   * limits, tags or links): staging them was half the rows' bytes appended on the main thread and held in
   * DuckDB's pool. At least one column is staged.
   */
  static async open(
    file: string,
    columns: readonly SinkColumn[],
    options: { session?: DuckSession; rowsPerPart?: number; label?: string; constants?: Readonly<Record<string, SinkConstant>> } = {},
  ): Promise<ParquetTableSink> {
    if (columns.length === 0) throw new InvalidArgumentError('a table needs at least one column');
    const rowsPerPart = options.rowsPerPart ?? DEFAULT_ROWS_PER_PART;
    if (!(Number.isInteger(rowsPerPart) && rowsPerPart > 0 && rowsPerPart <= DEFAULT_ROWS_PER_PART)) throw new InvalidArgumentError(`rowsPerPart must be an integer from 1 to ${DEFAULT_ROWS_PER_PART}, got ${rowsPerPart}`);
    const label = options.label ?? file;
    const constants = options.constants ?? {};
    for (const [name, v] of Object.entries(constants)) {
      const c = columns.find((x) => x.name === name);
      if (c === undefined) throw new InvalidArgumentError(`table ${file}: constant of unknown column '${name}'`);
      if (c.type === 'str' ? typeof v === 'number' : typeof v !== 'number') throw new InvalidArgumentError(`table ${file}: constant of column '${name}' must be ${c.type === 'str' ? 'a string or null' : 'a number'}`);
    }
    if (columns.every((c) => Object.hasOwn(constants, c.name))) throw new InvalidArgumentError(`table ${file}: at least one column must be staged (not constant)`);
    const session = options.session ?? (await DuckSession.open({ threads: 1 }));
    const writer = await session.connect();
    // The staging table's own connection on a shared session: sinks of one run stage, flush and finish at the same
    // time, and a connection runs one query at a time (a second one fails the first's pending result).
    const staging = options.session !== undefined ? await session.connect() : session.conn;
    const sink = new ParquetTableSink(session, staging, writer, file, label, `${file}.parts`, columns, rowsPerPart, options.session === undefined, constants);
    // Made now, so that a part's COPY starts without waiting for the event loop (a caller busy rendering the report).
    await mkdir(sink.partsDir).catch((err: unknown) => {
      throw new WriteError(label, err);
    });
    await sink.conn.run(`CREATE TABLE ${sink.staging} (${sink.stagingColumns()})`);
    sink.appender = await sink.conn.createAppender(sink.staging);
    return sink;
  }

  /** The staging table's columns: every staged one DOUBLE (times and integers are exact below 2^53, strings as their codes), cast once, when a part is written. */
  private stagingColumns(): string {
    return this.staged.map((k) => `${sqlIdent(this.columns[k]!.name)} DOUBLE`).join(', ');
  }

  /** Whether column `name` is staged (appended), not one of the constants given to {@link open}. */
  stages(name: string): boolean {
    return this.staged.some((k) => this.columns[k]!.name === name);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.total;
  }

  /** Whether the staging table holds a part's worth of rows: call {@link flush} at the next await point. */
  get wantsFlush(): boolean {
    return this.inPart >= this.rowsPerPart;
  }

  /** Appends the first `n` rows of `batch` (every staged column present, numbers for numeric columns; constant columns may be left out). */
  append(batch: SinkBatch, n: number): void {
    if (this.finished || this.appender === null) throw new InvalidArgumentError(`table ${this.file} already finished`);
    const cols = this.staged.map((k) => {
      const c = this.columns[k]!;
      const v = batch[c.name];
      if (v === undefined || v.length < n) throw new InvalidArgumentError(`table ${this.file}: column '${c.name}' missing or shorter than ${n} rows`);
      return v;
    });
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const m = Math.min(CHUNK_ROWS, n - start);
      for (let j = 0; j < cols.length; j++) {
        const col = cols[j]!;
        const codes = this.codes[this.staged[j]!]!;
        if (codes !== null) {
          const s = col as readonly (string | null)[];
          const out = this.codeScratch;
          for (let i = 0; i < m; i++) out[i] = codes.code(s[start + i] ?? null);
          fillVector(this.chunk, j, out, 0, m * 8);
        } else {
          fillVector(this.chunk, j, col as Float64Array, start * 8, m * 8);
        }
      }
      this.chunk.rowCount = m;
      this.appender.appendDataChunk(this.chunk);
    }
    this.inPart += n;
    this.total += n;
  }

  /**
   * Hands every full part of the staged rows to the background writer and goes on appending into a fresh
   * staging table (the rows past the last full part move there); returns once the parts before are written,
   * so at most two staging tables exist. A no-op while no part is full.
   */
  async flush(): Promise<void> {
    if (this.appender === null || this.inPart < this.rowsPerPart) return;
    this.appender.flushSync();
    this.appender.closeSync();
    this.appender = null;
    const full = Math.floor(this.inPart / this.rowsPerPart);
    const left = this.inPart - full * this.rowsPerPart;
    const table = this.staging;
    this.staging = `${this.name}_s${++this.generation}`;
    await this.pending;
    // Dropping the full table, not deleting its rows: a DELETE in an in-memory database only marks rows deleted and keeps their memory.
    await this.conn.run(
      left > 0
        ? `CREATE TABLE ${this.staging} AS SELECT * FROM ${table} WHERE rowid >= ${full * this.rowsPerPart} ORDER BY rowid`
        : `CREATE TABLE ${this.staging} (${this.stagingColumns()})`,
    );
    this.appender = await this.conn.createAppender(this.staging);
    this.inPart = left;
    const job = (async (): Promise<void> => {
      for (let k = 0; k < full; k++) await this.writePart(table, k * this.rowsPerPart, this.rowsPerPart, full > 1 || left > 0);
      await this.writer.run(`DROP TABLE ${table}`);
    })();
    job.catch(() => undefined); // awaited at the next flush or at finish; not an unhandled rejection meanwhile
    this.pending = job;
  }

  /**
   * Writes rows [from, from + count) of `table` as the next part, cast to the file's types and compressed
   * as the file is, and joins it to the parts before. `filtered`: the table holds other rows too.
   */
  private async writePart(table: string, from: number, count: number, filtered: boolean): Promise<void> {
    const part = this.partFile(this.parts);
    const where = filtered ? ` WHERE rowid >= ${from} AND rowid < ${from + count}` : '';
    const select = await this.select();
    await this.written(this.writer.run(`COPY (SELECT ${select} FROM ${table}${where}) TO ${sqlString(part)} (FORMAT parquet, COMPRESSION zstd)`));
    if (this.parts > 0) {
      await this.written(
        (async () => {
          this.joined ??= await ParquetConcat.open(this.partFile(0));
          await this.joined.append(part);
          await rm(part);
        })(),
      );
    }
    this.parts++;
  }

  /** Waits for the parts handed to the background writer (a failure of theirs is thrown here): one part at a time in DuckDB's pool. */
  async drain(): Promise<void> {
    await this.pending;
  }

  private partFile(k: number): string {
    return join(this.partsDir, `part-${String(k).padStart(6, '0')}.parquet`);
  }

  /** Writes `file` (every row, in append order, zstd; one row group per part) and removes the parts; returns the row count. */
  async finish(): Promise<number> {
    if (this.finished) throw new InvalidArgumentError(`table ${this.file} already finished`);
    // Full parts not flushed yet leave first, so every part is one row group of rowsPerPart rows.
    if (this.wantsFlush) await this.flush();
    this.finished = true;
    try {
      await this.pending;
      this.appender?.flushSync();
      this.appender?.closeSync();
      this.appender = null;
      // The last rows (or, for a table without rows, a file that still has its columns and types).
      if (this.inPart > 0 || this.parts === 0) await this.writePart(this.staging, 0, this.inPart, false);
      if (this.joined !== null) await this.written(this.joined.close());
      this.joined = null;
      await this.written(rename(this.partFile(0), this.file));
      await this.conn.run(`DROP TABLE ${this.staging}`);
      for (const [k, n] of this.listed.entries()) {
        if (n > 0) {
          await this.writer.run(`DROP TABLE ${this.dictionaryTable(k)}`);
          await this.writer.run(`RESET VARIABLE ${this.dictionaryTable(k)}`);
        }
      }
    } finally {
      await this.joined?.close().catch(() => undefined);
      await rm(this.partsDir, { recursive: true, force: true });
    }
    if (this.ownsSession) this.session.close();
    return this.total;
  }

  /** The SELECT list that turns staged columns into the file's (times, booleans, integers, strings from their codes). */
  private async select(): Promise<string> {
    const dictionaries = await this.writeDictionaries();
    return this.columns
      .map((c, k) => {
        const id = sqlIdent(c.name);
        // The staged column, or the constant in its place: the same cast either way, so the same values and types.
        const v = this.constants[k] ?? id;
        switch (c.type) {
          case 'ts':
            return `make_timestamp(CAST(${v} AS BIGINT)) AS ${id}`;
          case 'bool':
            return `(${v} <> 0) AS ${id}`;
          case 'str': {
            const numbered = c.numbered !== undefined ? ` WHEN ${v} >= 0 THEN ${sqlString(c.numbered)} || CAST(CAST(${v} AS BIGINT) AS VARCHAR)` : '';
            const dictionary = dictionaries[k] ?? null;
            const listed = dictionary !== null ? `${dictionary}[CAST(-${v} AS BIGINT)]` : 'NULL::VARCHAR';
            return `CASE WHEN isnan(${v}) THEN NULL::VARCHAR${numbered} ELSE ${listed} END AS ${id}`;
          }
          case 'f64':
            if (c.nullable === true) return `CASE WHEN isnan(${v}) THEN NULL ELSE ${v} END AS ${id}`;
            return v === id ? id : `${v} AS ${id}`;
          case 'i64':
            return `CAST(${v} AS BIGINT) AS ${id}`;
        }
      })
      .join(', ');
  }

  private dictionaryTable(k: number): string {
    return `${this.name}_d${k}`;
  }

  /**
   * Each str column's dictionary (its distinct values not numbered so far, in code order) as a SQL list: a
   * literal when short (a few symbols, sides, statuses), else a DuckDB variable (of the writer connection)
   * set from a table the values are appended to, one string per distinct value and only once, not one per
   * row. Null for a column without values.
   */
  private async writeDictionaries(): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    for (const [k, codes] of this.codes.entries()) {
      if (codes === null || codes.values.length === 0) {
        out.push(null);
        continue;
      }
      const values = codes.values;
      let chars = 0;
      for (const v of values) chars += v.length;
      if (chars <= INLINE_DICTIONARY_CHARS && this.listed[k] === 0) {
        out.push(`[${values.map(sqlString).join(', ')}]`);
        continue;
      }
      const name = this.dictionaryTable(k);
      if (this.listed[k] === 0) await this.writer.run(`CREATE TABLE ${name} (i DOUBLE, v VARCHAR)`);
      const from = this.listed[k]!;
      const to = values.length;
      if (to > from) {
        const appender = await this.writer.createAppender(name);
        const chunk = DuckDBDataChunk.create([DOUBLE, VARCHAR], CHUNK_ROWS);
        const index = new Float64Array(CHUNK_ROWS);
        for (let start = from; start < to; start += CHUNK_ROWS) {
          const m = Math.min(CHUNK_ROWS, to - start);
          for (let i = 0; i < m; i++) {
            index[i] = start + i;
            setVectorString(chunk, 1, i, values[start + i]!);
          }
          fillVector(chunk, 0, index, 0, m * 8);
          chunk.rowCount = m;
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
        appender.closeSync();
        this.listed[k] = to;
        // A variable, not a subquery in the SELECT: DuckDB plans a subquery as a join, which does not keep row order on several threads.
        await this.writer.run(`SET VARIABLE ${name} = (SELECT list(v ORDER BY i) FROM ${name})`);
      }
      out.push(`getvariable(${sqlString(name)})`);
    }
    return out;
  }

  /** Awaits a write of DuckDB's; its failure becomes a WriteError naming the table's final file and the reason in words. */
  private async written(op: Promise<unknown>): Promise<void> {
    try {
      await op;
    } catch (err) {
      throw duckWriteError(this.label, err);
    }
  }

  /** Drops what was staged and the parts (after a failed run); the sink cannot be used afterwards. */
  async abort(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      try {
        this.appender?.closeSync();
      } catch {
        // already failing: the staging table goes with the session
      }
      this.appender = null;
    }
    await this.pending.catch(() => undefined);
    await this.joined?.close().catch(() => undefined);
    this.joined = null;
    await rm(this.partsDir, { recursive: true, force: true }).catch(() => undefined);
    if (this.ownsSession) this.session.close();
  }
}

let sinkSeq = 0;

/** DuckDB reports a failed write as text ("IO Error: Could not write file ...: No space left on device"): name its cause as the file system would. */
export function duckWriteError(file: string, err: unknown): TapedeckError {
  if (err instanceof TapedeckError) return err;
  const text = err instanceof Error ? err.message : String(err);
  const code = /no space left on device/i.test(text) ? 'ENOSPC' : /read-only file system/i.test(text) ? 'EROFS' : /permission denied/i.test(text) ? 'EACCES' : undefined;
  return new WriteError(file, code !== undefined ? Object.assign(new Error(text), { code }) : err);
}

function hashName(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
