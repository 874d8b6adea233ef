import type { DuckDBAppender } from '@duckdb/node-api';
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
 * into the one file (DuckDB streams Parquet into Parquet). Nothing is visible at `file` before finish().
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
}

/** A batch as appended: numbers as Float64Array, strings as arrays (null allowed in nullable columns). */
export type SinkBatch = Readonly<Record<string, Float64Array | readonly (string | null)[]>>;

const CHUNK_ROWS = 2048;
/** A string no output column holds (one control character), standing for null on the way into the staging table. */
const NULL_TEXT = '\u0001';
const DEFAULT_ROWS_PER_PART = 1 << 17;

export class ParquetTableSink {
  private appender: DuckDBAppender | null = null;
  private readonly chunk: DuckDBDataChunk;
  private readonly parts: string[] = [];
  private inPart = 0;
  private total = 0;
  private finished = false;
  private readonly staging: string;

  private constructor(
    private readonly session: DuckSession,
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
      columns.map((c) => (c.type === 'str' ? VARCHAR : DOUBLE)),
      CHUNK_ROWS,
    );
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
    await mkdir(partsDir).catch((err: unknown) => {
      throw new WriteError(label, err);
    });
    const sink = new ParquetTableSink(session, file, label, partsDir, columns, options.rowsPerPart ?? DEFAULT_ROWS_PER_PART, options.session === undefined);
    await sink.createStaging();
    return sink;
  }

  /**
   * (Re)creates the empty staging table and its appender. Staged as DOUBLE (times and integers are exact
   * below 2^53) and cast once, when the file is written. A part's rows leave by dropping the table: a
   * DELETE in an in-memory database only marks rows deleted and keeps their memory, which grew a 5 M-row
   * curve's staging to the whole curve.
   */
  private async createStaging(): Promise<void> {
    const defs = this.columns.map((c) => `${sqlIdent(c.name)} ${c.type === 'str' ? 'VARCHAR' : 'DOUBLE'}`).join(', ');
    await this.session.conn.run(`CREATE TABLE ${this.staging} (${defs})`);
    this.appender = await this.session.conn.createAppender(this.staging);
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
        if (spec.type === 'str') {
          const s = col as readonly (string | null)[];
          for (let i = 0; i < m; i++) setVectorString(this.chunk, c, i, s[start + i] ?? NULL_TEXT);
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
    const part = join(this.partsDir, `part-${String(this.parts.length).padStart(6, '0')}.parquet`);
    await this.written(this.session.conn.run(`COPY ${this.staging} TO ${sqlString(part)} (FORMAT parquet, COMPRESSION snappy)`));
    this.appender.closeSync();
    this.appender = null;
    await this.session.conn.run(`DROP TABLE ${this.staging}`);
    await this.createStaging();
    this.parts.push(part);
    this.inPart = 0;
  }

  /** Writes `file` (every row, in append order, zstd) and removes the parts; returns the row count. */
  async finish(): Promise<number> {
    if (this.finished) throw new InvalidArgumentError(`table ${this.file} already finished`);
    await this.flush();
    this.appender?.closeSync();
    this.appender = null;
    this.finished = true;
    const select = this.columns
      .map((c) => {
        const id = sqlIdent(c.name);
        switch (c.type) {
          case 'ts':
            return `make_timestamp(CAST(${id} AS BIGINT)) AS ${id}`;
          case 'bool':
            return `(${id} <> 0) AS ${id}`;
          case 'str':
            return c.nullable === true ? `NULLIF(${id}, chr(1)) AS ${id}` : id;
          case 'f64':
            return c.nullable === true ? `CASE WHEN isnan(${id}) THEN NULL ELSE ${id} END AS ${id}` : id;
          case 'i64':
            return `CAST(${id} AS BIGINT) AS ${id}`;
        }
      })
      .join(', ');
    // No part (no row): an empty file that still has the table's columns and types.
    const source =
      this.parts.length === 0
        ? `(SELECT * FROM ${this.staging} LIMIT 0)`
        : `read_parquet([${this.parts.map(sqlString).join(', ')}])`;
    await this.written(this.session.conn.run(`COPY (SELECT ${select} FROM ${source}) TO ${sqlString(this.file)} (FORMAT parquet, COMPRESSION zstd)`));
    await this.session.conn.run(`DROP TABLE ${this.staging}`);
    await rm(this.partsDir, { recursive: true, force: true });
    if (this.ownsSession) this.session.close();
    return this.total;
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
