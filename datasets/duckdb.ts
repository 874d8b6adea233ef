import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { InvariantError } from '../engine/core/index.js';

/**
 * A private in-memory DuckDB database with one connection. Only the statically linked extensions
 * (parquet, json, icu) are used, so nothing is ever downloaded.
 */
export class DuckSession {
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  private closed = false;
  private readonly extra: DuckDBConnection[] = [];

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection) {
    this.instance = instance;
    this.conn = conn;
  }

  /** Opens a session; `threads` bounds DuckDB's worker threads (default: DuckDB's own choice). */
  static async open(options: { threads?: number } = {}): Promise<DuckSession> {
    const config: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const conn = await instance.connect();
    return new DuckSession(instance, conn);
  }

  /**
   * Opens another connection to the same database. A connection has at most one live streaming
   * result (a new query ends the previous stream), so concurrent streams need one connection each.
   */
  async connect(): Promise<DuckDBConnection> {
    const c = await this.instance.connect();
    this.extra.push(c);
    return c;
  }

  /** Closes the connections and the database; further calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.extra) c.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Returns `text` as a SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Returns `name` as a quoted SQL identifier (column names such as `bidSize` keep their case). */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB type ids the fast copy path understands. */
export const TYPE_ID = { TINYINT: duckdb.Type.TINYINT, INTEGER: duckdb.Type.INTEGER, BIGINT: duckdb.Type.BIGINT, DOUBLE: duckdb.Type.DOUBLE, VARCHAR: duckdb.Type.VARCHAR } as const;

/** Returns the DuckDB type id of column `col` of `chunk`. */
export function chunkColumnTypeId(chunk: DuckDBDataChunk, col: number): number {
  return duckdb.get_type_id(duckdb.vector_get_column_type(duckdb.data_chunk_get_vector(chunk.chunk, col)));
}

/**
 * Copies `n` DOUBLE values of column `col` of `chunk` into `out` at `offset` (the fast path: one memcpy).
 * NULL validity is ignored, so callers select NULL-free expressions (e.g. `coalesce(x, 'NaN')`).
 */
export function copyDoubleColumn(chunk: DuckDBDataChunk, col: number, n: number, out: Float64Array, offset: number): void {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, col), n * 8);
  if ((bytes.byteOffset & 7) === 0) out.set(new Float64Array(bytes.buffer, bytes.byteOffset, n), offset);
  else new Uint8Array(out.buffer, out.byteOffset + offset * 8, n * 8).set(bytes);
}

/** Copies `n` INTEGER values of column `col` of `chunk` into `out` at `offset`. */
export function copyInt32Column(chunk: DuckDBDataChunk, col: number, n: number, out: Int32Array, offset: number): void {
  const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, col), n * 4);
  if ((bytes.byteOffset & 3) === 0) out.set(new Int32Array(bytes.buffer, bytes.byteOffset, n), offset);
  else new Uint8Array(out.buffer, out.byteOffset + offset * 4, n * 4).set(bytes);
}

/** Copies `n` bytes of raw fixed-width data from `source` into column `col` of `chunk`. */
export function fillVector(chunk: DuckDBDataChunk, col: number, source: ArrayBufferView, byteOffset: number, byteCount: number): void {
  duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(chunk.chunk, col), 0, source.buffer as ArrayBuffer, source.byteOffset + byteOffset, byteCount);
}

/** Assigns string `value` to row `row` of column `col` of `chunk`. */
export function setVectorString(chunk: DuckDBDataChunk, col: number, row: number, value: string): void {
  duckdb.vector_assign_string_element(duckdb.data_chunk_get_vector(chunk.chunk, col), row, value);
}

/** Throws unless column `col` of `chunk` has type id `expected`: reading DECIMAL as DOUBLE gives garbage. */
export function expectColumnType(chunk: DuckDBDataChunk, col: number, expected: number, what: string): void {
  const actual = chunkColumnTypeId(chunk, col);
  if (actual !== expected) throw new InvariantError(`DuckDB column ${col} (${what}) has type id ${actual}, expected ${expected}`);
}
