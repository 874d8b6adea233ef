import type * as DuckApi from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type * as DuckBindings from '@duckdb/node-bindings';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InvariantError } from '../engine/core/index.js';

/**
 * DuckDB's Node packages are CommonJS: loaded with `require`, not `import`, which would have Node scan their
 * source for named exports first (cjs-module-lexer), a quarter of a second of CPU in every command that
 * touches data (farm-bench, 2026-12-04: 0.56 -> 0.32 s CPU to load). Every module of the project takes
 * DuckDB from here (sim/research/trial-store.ts, which may not import datasets/, loads it the same way).
 */
const requireCjs = createRequire(import.meta.url);
const api = requireCjs('@duckdb/node-api') as typeof DuckApi;
const duckdb = requireCjs('@duckdb/node-bindings') as typeof DuckBindings;
export const { DuckDBInstance, DuckDBDataChunk, DOUBLE, VARCHAR } = api;
export type DuckDBInstance = DuckApi.DuckDBInstance;
export type DuckDBDataChunk = DuckApi.DuckDBDataChunk;

/**
 * Chunks read from a stream between two young-generation collections (see {@link chunkRead}):
 * 64 chunks of 2,048 rows.
 */
const CHUNKS_PER_COLLECTION = 64;
let chunksSinceCollection = 0;
let collectYoung: ((options: { type: 'minor' }) => void) | null | undefined;

/**
 * Counts a DuckDB data chunk the caller is done with, and every {@link CHUNKS_PER_COLLECTION} chunks
 * asks V8 for a young-generation collection. A chunk's wrapper holds native memory V8 does not see, so
 * V8 collects them too rarely: streaming a 5 M-row Parquet file held ~150 MB of dead chunks (peak RSS
 * 342 MiB; 191 MiB with a scavenge every 64 chunks). A scavenge of a small young generation costs well
 * under a millisecond; results do not depend on when it runs.
 */
export function chunkRead(): void {
  if (++chunksSinceCollection < CHUNKS_PER_COLLECTION) return;
  chunksSinceCollection = 0;
  if (collectYoung === undefined) {
    try {
      // The documented way to reach V8's gc() without starting node with --expose-gc.
      setFlagsFromString('--expose-gc');
      collectYoung = runInNewContext('gc') as (options: { type: 'minor' }) => void;
    } catch {
      collectYoung = null;
    }
  }
  collectYoung?.({ type: 'minor' });
}

/**
 * A private in-memory DuckDB database with one connection. Only the statically linked extensions
 * (parquet, json, icu) are used, so nothing is ever downloaded.
 */
let spillSessions = 0;

/**
 * Where a session spills by default: DuckDB's own default for an in-memory database is `.tmp` in the working
 * directory, which is the user's (a read-only one fails the spill; a killed process leaves DuckDB's files among
 * theirs). DuckDB makes the directory only when it spills and removes it when the database closes; its parent
 * must exist, hence the system's temporary directory. One per session: sessions close at different times.
 */
export function sessionSpillDirectory(): string {
  spillSessions += 1;
  return join(tmpdir(), `tapedeck-duckdb-${process.pid}-${spillSessions}`);
}

/** The options every session's instance is made with, besides `temp_directory`. */
function sessionConfig(options: { threads?: number; memoryLimit?: string }): Record<string, string> {
  const config: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
  if (options.threads !== undefined) config['threads'] = String(options.threads);
  if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
  return config;
}

function sessionKey(options: { threads?: number; memoryLimit?: string }): string {
  return `${options.threads ?? ''}/${options.memoryLimit ?? ''}`;
}

interface MadeSession {
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
}

/** The session DuckSession.prepare started, until an open takes it or discardPrepared drops it. */
let prepared: { readonly key: string; readonly made: Promise<MadeSession | null> } | null = null;

/** The prepared session for an open with `options`: null when there is none, or it was made with other options (then closed). */
function takePrepared(options: { threads?: number; memoryLimit?: string }): Promise<MadeSession | null> | null {
  const p = prepared;
  if (p === null) return null;
  prepared = null;
  if (p.key === sessionKey(options)) return p.made;
  void p.made.then((made) => made !== null && closeMade(made));
  return null;
}

function closeMade(made: MadeSession): void {
  try {
    made.conn.closeSync();
    made.instance.closeSync();
  } catch {
    // the process's end closes what is left
  }
}

export class DuckSession {
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  private closed = false;
  private readonly extra: DuckDBConnection[] = [];

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection) {
    this.instance = instance;
    this.conn = conn;
  }

  /**
   * Opens a session; `threads` bounds DuckDB's worker threads (default: DuckDB's own choice), `memoryLimit`
   * its buffer pool (e.g. '64MB'; default DuckDB's, 80% of RAM, which it fills with cached blocks freely),
   * `tempDirectory` where it spills what does not fit (default: a directory of its own in the system's temporary
   * directory, see {@link sessionSpillDirectory}).
   */
  static async open(options: { threads?: number; memoryLimit?: string; tempDirectory?: string } = {}): Promise<DuckSession> {
    const ahead = takePrepared(options);
    const tempDirectory = options.tempDirectory ?? sessionSpillDirectory();
    const made = ahead === null ? null : await ahead;
    if (made !== null) {
      try {
        // Nothing has run on it yet, so nothing has spilled: where it spills is set before its first query.
        await made.conn.run(`SET temp_directory = ${sqlString(tempDirectory)}`);
        return new DuckSession(made.instance, made.conn);
      } catch {
        closeMade(made); // opened anew below
      }
    }
    const instance = await DuckDBInstance.create(':memory:', { ...sessionConfig(options), temp_directory: tempDirectory });
    const conn = await instance.connect();
    return new DuckSession(instance, conn);
  }

  /**
   * Starts making the instance and connection of the next session {@link open} opens, on a thread of libuv's, so
   * that the caller's own work goes on meanwhile: making an instance is ~10-20 ms of DuckDB's start-up (loading
   * its statically linked extensions), which `open` otherwise waits for. The next `open` takes it when its
   * `threads` and `memoryLimit` are these (and sets its `tempDirectory` before anything runs on it), and closes it
   * unused otherwise; {@link discardPrepared} closes one no `open` took. At most one is prepared at a time.
   */
  static prepare(options: { threads?: number; memoryLimit?: string } = {}): void {
    if (prepared !== null) return;
    // A placeholder: `open` sets the session's own before any query, and DuckDB makes the directory only to spill.
    const config = { ...sessionConfig(options), temp_directory: join(tmpdir(), `tapedeck-duckdb-${process.pid}-prepared`) };
    const made = DuckDBInstance.create(':memory:', config).then(async (instance) => {
      try {
        return { instance, conn: await instance.connect() };
      } catch {
        instance.closeSync();
        return null;
      }
    });
    // A failure is not this caller's: `open` then makes its instance itself (and says why if that fails too).
    prepared = { key: sessionKey(options), made: made.catch(() => null) };
  }

  /** Closes the session {@link prepare} started if no {@link open} took it (once it is made). */
  static discardPrepared(): void {
    const p = prepared;
    prepared = null;
    if (p !== null) void p.made.then((made) => made !== null && closeMade(made));
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

  /** Closes a connection {@link connect} gave, before the session closes (which then leaves it alone). */
  disconnect(conn: DuckDBConnection): void {
    const k = this.extra.indexOf(conn);
    if (k < 0) return;
    this.extra.splice(k, 1);
    conn.closeSync();
  }

  /**
   * Hands the memory DuckDB's allocator keeps back to the operating system, on a thread of libuv's: the session's
   * thread count is changed and set back, which flushes the allocator (see {@link MemoryReleaser}). Never rejects.
   */
  async flushAllocator(): Promise<void> {
    try {
      const threads = Number((await this.conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0]);
      await this.conn.run(`SET threads = ${threads + 1}; SET threads = ${threads}`);
    } catch {
      // the memory stays cached: closing the session returns it
    }
  }

  /**
   * {@link close} after {@link flushAllocator}: the memory a session's queries freed is handed back off the main thread,
   * where the close would hand it back (~155 ms of the main thread for the session that streamed a 2.5 M-row CSV).
   * Never rejects.
   */
  async closeFlushed(): Promise<void> {
    if (this.closed) return;
    await this.flushAllocator();
    try {
      this.close();
    } catch {
      // nothing is lost: the process's end closes what is left
    }
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

/**
 * Gives the memory DuckDB's allocator keeps after a query back to the operating system, on a thread of libuv's.
 * DuckDB allocates through its bundled jemalloc, which keeps what a query freed for reuse, for the whole process
 * (every instance's), and returns it when DuckDB flushes the allocator: when an instance closes, and when an
 * instance's thread count changes (DuckDB 1.5's TaskScheduler::RelaunchThreads). Closing an empty instance did it
 * on the caller's thread (the bindings' close is synchronous, DuckDB's C API `duckdb_close`): 20-140 ms of the main
 * thread each time in a 2.5 M-bar run (CPU profile, load 4-8). A release here changes the thread count of an instance
 * of its own (opened at the first release) to two and back, one statement run by libuv's thread like any query, so
 * the main thread goes on meanwhile. Releases run one after another; {@link close} closes the instance.
 */
export class MemoryReleaser {
  private session: Promise<DuckSession | null> | null = null;
  private last: Promise<void> = Promise.resolve();

  /** Flushes DuckDB's allocator; settles once the memory is handed back. Never rejects: nothing is lost when it cannot run. */
  release(): Promise<void> {
    this.last = this.last.then(async () => {
      this.session ??= DuckSession.open({ threads: 1 }).catch(() => null);
      await (await this.session)?.flushAllocator();
    });
    return this.last;
  }

  /** Settles once the releases under way have (the instance, if any, stays open). */
  idle(): Promise<void> {
    return this.last;
  }

  /** Waits for the releases under way, then closes the instance (if a release opened it). */
  async close(): Promise<void> {
    await this.last;
    (await this.session)?.close();
    this.session = null;
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

let scratch = new ArrayBuffer(8 * 2048);

/** Returns an 8-byte-aligned view of `bytes` (copied into a scratch buffer only when misaligned). */
function aligned(bytes: Uint8Array): { buffer: ArrayBufferLike; byteOffset: number } {
  if ((bytes.byteOffset & 7) === 0) return bytes;
  if (scratch.byteLength < bytes.length) scratch = new ArrayBuffer(bytes.length);
  new Uint8Array(scratch, 0, bytes.length).set(bytes);
  return { buffer: scratch, byteOffset: 0 };
}

/**
 * Copies `n` values of column `col` of `chunk`, of DuckDB type `typeId` (DOUBLE, BIGINT, INTEGER or
 * TINYINT), into `out` at `offset` as Float64, without a SQL cast: DOUBLE is one memcpy, the integer
 * types convert in a tight loop (BIGINT through its two 32-bit halves, exact below 2^53). NULL
 * becomes NaN (read from the validity mask, which DuckDB omits when every value is valid).
 */
export function copyColumnAsDouble(chunk: DuckDBDataChunk, col: number, typeId: number, n: number, out: Float64Array, offset: number): void {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
  if (typeId === TYPE_ID.DOUBLE) {
    const bytes = duckdb.vector_get_data(vector, n * 8);
    const a = aligned(bytes);
    out.set(new Float64Array(a.buffer, a.byteOffset, n), offset);
  } else if (typeId === TYPE_ID.BIGINT) {
    const a = aligned(duckdb.vector_get_data(vector, n * 8));
    const halves = new Int32Array(a.buffer, a.byteOffset, n * 2);
    // little-endian int64: low word first (DuckDB vectors use the host byte order; Node runs on LE hosts)
    for (let i = 0; i < n; i++) out[offset + i] = halves[2 * i + 1]! * 4294967296 + (halves[2 * i]! >>> 0);
  } else if (typeId === TYPE_ID.INTEGER) {
    const bytes = duckdb.vector_get_data(vector, n * 4);
    const a = (bytes.byteOffset & 3) === 0 ? bytes : aligned(bytes);
    const v = new Int32Array(a.buffer, a.byteOffset, n);
    for (let i = 0; i < n; i++) out[offset + i] = v[i]!;
  } else if (typeId === TYPE_ID.TINYINT) {
    const bytes = duckdb.vector_get_data(vector, n);
    const v = new Int8Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) out[offset + i] = v[i]!;
  } else {
    throw new InvariantError(`copyColumnAsDouble: unsupported DuckDB type id ${typeId} in column ${col}`);
  }
  const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
  if (validity !== null) {
    for (let i = 0; i < n; i++) if ((validity[i >> 3]! & (1 << (i & 7))) === 0) out[offset + i] = Number.NaN;
  }
}

/**
 * Returns `n` values of column `col` of `chunk` as Float64 with one copy out of DuckDB: a DOUBLE
 * column comes back as a view of the bytes `vector_get_data` copied out (no second copy), other types
 * are converted into `scratch` (at least `n` long) by copyColumnAsDouble. NULL reads as NaN.
 */
export function columnAsDouble(chunk: DuckDBDataChunk, col: number, typeId: number, n: number, scratch: Float64Array): Float64Array {
  if (typeId !== TYPE_ID.DOUBLE) {
    copyColumnAsDouble(chunk, col, typeId, n, scratch, 0);
    return scratch;
  }
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
  const values = doubleView(vector, n);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
  if (validity !== null) {
    for (let i = 0; i < n; i++) if ((validity[i >> 3]! & (1 << (i & 7))) === 0) values[i] = Number.NaN;
  }
  return values;
}

/** The first `n` values of DOUBLE vector `vector`, a view of the fresh copy vector_get_data makes (copied again only when misaligned). */
function doubleView(vector: DuckBindings.Vector, n: number): Float64Array {
  const bytes = duckdb.vector_get_data(vector, n * 8); // a fresh copy owned by JS
  return (bytes.byteOffset & 7) === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, n) : new Float64Array(bytes.slice().buffer, 0, n);
}

/**
 * The first `n` values of DOUBLE column `col` of `chunk` (as columnAsDouble gives them), or null when any
 * is NULL: the validity mask is read once (DuckDB omits it when no value is NULL), a byte of it at a time.
 */
export function doublesWithoutNull(chunk: DuckDBDataChunk, col: number, n: number): Float64Array | null {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, col);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) as Uint8Array | null;
  if (validity !== null) {
    const full = n >> 3;
    for (let k = 0; k < full; k++) if (validity[k] !== 0xff) return null;
    for (let i = full << 3; i < n; i++) if ((validity[i >> 3]! & (1 << (i & 7))) === 0) return null;
  }
  return doubleView(vector, n);
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
