import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, TapedeckError } from '../engine/core/index.js';
import { WriteError } from './atomic.js';
import { DOUBLE, DuckDBDataChunk, DuckSession, fillVector, setVectorString, sqlIdent, sqlString, VARCHAR } from './duckdb.js';

/**
 * Columnar output tables written as Parquet while a run goes on (a run's equity curve, fills, orders and
 * round trips: see reports/run-tables.ts for the tables themselves).
 *
 * Rows are appended synchronously (a typed-array batch into a DuckDB appender, no object per row) into a
 * small in-memory staging table; every `rowsPerPart` rows the staging table is written out as a Parquet
 * part file and emptied, so memory stays flat however long the run. `finish()` joins the parts, in order,
 * into the one file (DuckDB streams Parquet into Parquet); a table that never filled a part is written
 * straight from the staging table. Nothing is visible at `file` before finish().
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

const CHUNK_ROWS = 2048;
/** What a null in a column that is not nullable is written as (one control character), as before strings were coded. */
const NULL_TEXT = '\u0001';
const DEFAULT_ROWS_PER_PART = 1 << 17;
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
  private appender: DuckDBAppender | null = null;
  private readonly chunk: DuckDBDataChunk;
  private readonly parts: string[] = [];
  private inPart = 0;
  private total = 0;
  private finished = false;
  private readonly staging: string;
  /** Per column: its string codes (str columns), else null. */
  private readonly codes: (StringCodes | null)[];
  /** A chunk's codes of a str column before they are copied into the chunk. */
  private readonly codeScratch = new Float64Array(CHUNK_ROWS);

  private constructor(
    private readonly session: DuckSession,
    /** The connection the sink's statements go through (the session's, or one of its others). */
    private readonly conn: DuckDBConnection,
    /** The Parquet file finish() writes. */
    readonly file: string,
    /** How messages name the file (its final place, when `file` is staged elsewhere). */
    private readonly label: string,
    private readonly partsDir: string,
    readonly columns: readonly SinkColumn[],
    private readonly rowsPerPart: number,
    private readonly ownsSession: boolean,
  ) {
    this.chunk = DuckDBDataChunk.create(
      columns.map(() => DOUBLE),
      CHUNK_ROWS,
    );
    this.codes = columns.map((c) => (c.type === 'str' ? new StringCodes(c.numbered, c.nullable === true ? null : NULL_TEXT) : null));
    this.staging = `sink_${Math.abs(hashName(file))}_${sinkSeq++}`;
  }

  /**
   * Opens a sink writing `file` (a Parquet file; its parts go to a hidden directory beside it). `session`:
   * a DuckDB session to share (several sinks of one run), else one of its own with one thread.
   */
  static async open(file: string, columns: readonly SinkColumn[], options: { session?: DuckSession; rowsPerPart?: number; label?: string } = {}): Promise<ParquetTableSink> {
    if (columns.length === 0) throw new InvalidArgumentError('a table needs at least one column');
    const label = options.label ?? file;
    const session = options.session ?? (await DuckSession.open({ threads: 1 }));
    const partsDir = `${file}.parts`;
    const sink = new ParquetTableSink(session, session.conn, file, label, partsDir, columns, options.rowsPerPart ?? DEFAULT_ROWS_PER_PART, options.session === undefined);
    await sink.createStaging();
    return sink;
  }

  /**
   * (Re)creates the empty staging table and its appender. Staged as DOUBLE (times and integers are exact
   * below 2^53, strings as their codes) and cast once, when the file is written. A part's rows leave by dropping the table: a
   * DELETE in an in-memory database only marks rows deleted and keeps their memory, which grew a 5 M-row
   * curve's staging to the whole curve.
   */
  private async createStaging(): Promise<void> {
    const defs = this.columns.map((c) => `${sqlIdent(c.name)} DOUBLE`).join(', ');
    await this.conn.run(`CREATE TABLE ${this.staging} (${defs})`);
    this.appender = await this.conn.createAppender(this.staging);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.total;
  }

  /** Whether the staging table holds a part's worth of rows: call {@link flush} at the next await point. */
  get wantsFlush(): boolean {
    return this.inPart >= this.rowsPerPart;
  }

  /** Appends the first `n` rows of `batch` (every column present, numbers for numeric columns). */
  append(batch: SinkBatch, n: number): void {
    if (this.finished || this.appender === null) throw new InvalidArgumentError(`table ${this.file} already finished`);
    const cols = this.columns.map((c) => {
      const v = batch[c.name];
      if (v === undefined || v.length < n) throw new InvalidArgumentError(`table ${this.file}: column '${c.name}' missing or shorter than ${n} rows`);
      return v;
    });
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const m = Math.min(CHUNK_ROWS, n - start);
      for (let c = 0; c < this.columns.length; c++) {
        const spec = this.columns[c]!;
        const col = cols[c]!;
        const codes = this.codes[c]!;
        if (codes !== null) {
          const s = col as readonly (string | null)[];
          const out = this.codeScratch;
          for (let i = 0; i < m; i++) out[i] = codes.code(s[start + i] ?? null);
          fillVector(this.chunk, c, out, 0, m * 8);
        } else {
          fillVector(this.chunk, c, col as Float64Array, start * 8, m * 8);
        }
      }
      this.chunk.rowCount = m;
      this.appender.appendDataChunk(this.chunk);
    }
    this.inPart += n;
    this.total += n;
  }

  /** Writes the staged rows as the next part file and empties the staging table (a no-op when empty). */
  async flush(): Promise<void> {
    if (this.appender === null || this.inPart === 0) return;
    this.appender.flushSync();
    if (this.parts.length === 0) {
      await mkdir(this.partsDir).catch((err: unknown) => {
        throw new WriteError(this.label, err);
      });
    }
    const part = join(this.partsDir, `part-${String(this.parts.length).padStart(6, '0')}.parquet`);
    await this.written(this.conn.run(`COPY ${this.staging} TO ${sqlString(part)} (FORMAT parquet, COMPRESSION snappy)`));
    this.appender.closeSync();
    this.appender = null;
    await this.conn.run(`DROP TABLE ${this.staging}`);
    await this.createStaging();
    this.parts.push(part);
    this.inPart = 0;
  }

  /** Writes `file` (every row, in append order, zstd) and removes the parts; returns the row count. */
  async finish(): Promise<number> {
    if (this.finished) throw new InvalidArgumentError(`table ${this.file} already finished`);
    // A table that never filled a part is written from the staging table itself: no part written and read back.
    const direct = this.parts.length === 0;
    if (direct) this.appender?.flushSync();
    else await this.flush();
    this.appender?.closeSync();
    this.appender = null;
    this.finished = true;
    const dictionaries = await this.writeDictionaries();
    const select = this.columns
      .map((c, k) => {
        const id = sqlIdent(c.name);
        switch (c.type) {
          case 'ts':
            return `make_timestamp(CAST(${id} AS BIGINT)) AS ${id}`;
          case 'bool':
            return `(${id} <> 0) AS ${id}`;
          case 'str': {
            const numbered = c.numbered !== undefined ? ` WHEN ${id} >= 0 THEN ${sqlString(c.numbered)} || CAST(CAST(${id} AS BIGINT) AS VARCHAR)` : '';
            const dictionary = dictionaries[k] ?? null;
            const listed = dictionary !== null ? `${dictionary.list}[CAST(-${id} AS BIGINT)]` : 'NULL::VARCHAR';
            return `CASE WHEN isnan(${id}) THEN NULL::VARCHAR${numbered} ELSE ${listed} END AS ${id}`;
          }
          case 'f64':
            return c.nullable === true ? `CASE WHEN isnan(${id}) THEN NULL ELSE ${id} END AS ${id}` : id;
          case 'i64':
            return `CAST(${id} AS BIGINT) AS ${id}`;
        }
      })
      .join(', ');
    // No row: the empty staging table gives a file that still has the table's columns and types.
    const source = direct ? this.staging : `read_parquet([${this.parts.map(sqlString).join(', ')}])`;
    await this.written(this.conn.run(`COPY (SELECT ${select} FROM ${source}) TO ${sqlString(this.file)} (FORMAT parquet, COMPRESSION zstd)`));
    await this.conn.run(`DROP TABLE ${this.staging}`);
    for (const d of dictionaries) if (d?.variable !== undefined) await this.conn.run(`RESET VARIABLE ${d.variable}`);
    if (!direct) await rm(this.partsDir, { recursive: true, force: true });
    if (this.ownsSession) this.session.close();
    return this.total;
  }

  /**
   * Each str column's dictionary (its distinct values not numbered, in code order) as a SQL list: a literal
   * when short (a few symbols, sides, statuses), else a DuckDB variable set from a table the values are
   * appended to, one string per distinct value, not one per row. Null for a column without values.
   */
  private async writeDictionaries(): Promise<({ list: string; variable?: string } | null)[]> {
    const out: ({ list: string; variable?: string } | null)[] = [];
    for (const [k, codes] of this.codes.entries()) {
      if (codes === null || codes.values.length === 0) {
        out.push(null);
        continue;
      }
      const values = codes.values;
      let chars = 0;
      for (const v of values) chars += v.length;
      if (chars <= INLINE_DICTIONARY_CHARS) {
        out.push({ list: `[${values.map(sqlString).join(', ')}]` });
        continue;
      }
      const name = `${this.staging}_d${k}`;
      await this.conn.run(`CREATE TABLE ${name} (i DOUBLE, v VARCHAR)`);
      const appender = await this.conn.createAppender(name);
      const chunk = DuckDBDataChunk.create([DOUBLE, VARCHAR], CHUNK_ROWS);
      const index = new Float64Array(CHUNK_ROWS);
      for (let start = 0; start < values.length; start += CHUNK_ROWS) {
        const m = Math.min(CHUNK_ROWS, values.length - start);
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
      // A variable, not a subquery in the SELECT: DuckDB plans a subquery as a join, which does not keep row order on several threads.
      await this.conn.run(`SET VARIABLE ${name} = (SELECT list(v ORDER BY i) FROM ${name})`);
      await this.conn.run(`DROP TABLE ${name}`);
      out.push({ list: `getvariable(${sqlString(name)})`, variable: name });
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
