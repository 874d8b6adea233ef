import { copyFile, link, lstat, mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, formatIsoUs, InvalidArgumentError, TapedeckError, printable } from '../engine/core/index.js';
import { temporarySibling } from './atomic.js';
import { recoverSiblings, swapInDataset } from './dataset-dir.js';
import { DOUBLE, DuckDBDataChunk, DuckSession, fillVector, setVectorString, sqlIdent, sqlString, VARCHAR } from './duckdb.js';
import { TableHasher } from './hash.js';
import { buildManifest, MANIFEST_FILE, readManifest, serializeManifest, tablePath, type Manifest, type ManifestFile, type Provenance } from './manifest.js';
import { checkDatasetDirectory, DirectoryRefused, OUTPUT_MARKER } from './output-dir.js';
import { columnsOf, isDataKind, SYMBOL_PATTERN, type ColumnSpec, type DataKind } from './schema.js';
import { TableValidator } from './validate.js';

/**
 * Writing datasets. Everything is staged in a temporary sibling directory and swapped into place only
 * when complete, so a failure (bad data, a full disk, a crash) leaves no half-written dataset and never
 * damages an existing one; files in the directory that Tapedeck did not write are kept (dataset-dir.ts). Every row is validated (validate.ts) and hashed (hash.ts) on the way in.
 */

/** A numeric column: integer microseconds for `ts`/`expiry`, codes for `i8`, values for `f64`. */
export type NumericColumn =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | readonly number[];

/** A column as given to the writer: numbers for numeric columns, strings for `str` columns. */
export type ColumnInput = NumericColumn | readonly string[];

/** One table to write: a kind, a symbol and its columns (all of the same length, rows in ts order). */
export interface TableInput {
  readonly kind: DataKind;
  readonly symbol: string;
  readonly columns: Readonly<Record<string, ColumnInput>>;
  /** What produced this table; defaults to the writer's provenance. */
  readonly source?: Provenance;
}

/**
 * How a DatasetWriter treats an existing directory:
 * - `create`: the directory must not exist;
 * - `replace`: an existing dataset (or empty directory) is replaced as a whole;
 * - `update`: tables are added to the existing dataset (created if missing); the existing tables are
 *   kept, and writing a table that already exists needs `replaceTables`.
 */
export type WriteMode = 'create' | 'replace' | 'update';

export interface DatasetWriterOptions {
  /** What creates the dataset (kept from the existing manifest in `update` mode). */
  readonly createdBy: Provenance;
  readonly mode?: WriteMode;
  /** In `update` mode, allows overwriting a (kind, symbol) table that already exists. */
  readonly replaceTables?: boolean;
  /** How messages name the directory (default `--out`, the flag every command gives it with). */
  readonly flag?: string;
  /**
   * Told the staging directory once it exists, so a process being stopped by a signal can remove it
   * (the CLI registers it with its shutdown cleanups). The returned function is called when the
   * staging directory stops being removable: the swap into place begins, or the writer removed it.
   */
  readonly onStaging?: (stagingDir: string) => () => void;
  /** DuckDB's threads for staging and writing (default: DuckDB's own choice); 1 for small tables. */
  readonly threads?: number;
  /**
   * The Parquet compression of the tables written (default `zstd`). `lz4` is for a dataset read once and
   * removed (a run's temporary import): with the plain encodings of before it was written in about half the
   * CPU time of zstd at level 3; with those of {@link parquetCopyOptions} (zstd at level 1) both cost the same
   * (2.5 M bars: 0.3-0.4 s) and lz4 is 2% bigger.
   */
  readonly compression?: ParquetCompression;
}

/** The Parquet compressions a dataset is written with (see DatasetWriterOptions.compression). */
export type ParquetCompression = 'zstd' | 'lz4';

/**
 * The options of every COPY that writes one of Tapedeck's Parquet files: a dataset's tables here, a run's
 * output tables (table-sink.ts, whose parts are joined byte for byte, so every part is written alike).
 * Chosen for the CPU DuckDB spends writing them, on both cores with the run (2.5 M rows, measured
 * 2026-12-06 against plain `COMPRESSION zstd`, DuckDB 1.5.6, one thread):
 * - `PARQUET_VERSION V2`: a column without a dictionary is written DELTA_BINARY_PACKED (integers: the
 *   times, 9 MB under zstd before, 1.4 KB now) or BYTE_STREAM_SPLIT (doubles), which zstd compresses in
 *   half the time of the plain bytes. Files 8-20% smaller (a run's equity 69.6 -> 63.7 MB, fills, orders and
 *   trades alike) except price columns (a dataset's OHLC: 59.7 -> 65.1 MB), and read in half the CPU.
 *   These encodings are Parquet 2.x's: DuckDB and hyparquet (a reader of its own) read every table back
 *   value for value; pyarrow (pandas' reader) could not be tried here (not installed).
 * - `DICTIONARY_SIZE_LIMIT 64`: a column stops being analysed for a dictionary after 64 distinct values
 *   (DuckDB's default is 1% of a row group, 1,228), so a column of distinct doubles (equity, prices) is given
 *   up on at once, and one hashed per row for a dictionary of hundreds (cash) is written BYTE_STREAM_SPLIT
 *   at the same size; symbols, sides and statuses keep theirs.
 * - zstd at level 1 (DuckDB's default is 3): zstd stays (lz4, snappy: 1.4x the size at no less CPU once the
 *   encodings above are used); level 3 cost a run's equity ~0.15 s more for 1.3% of its size.
 * Equity of a 2.5 M-bar run: 1.2-1.4 s of CPU -> 0.4-0.5 s; a dataset of 2.5 M bars: 0.9-1.1 -> 0.27-0.39 s.
 *
 * Row groups: a COPY cuts them where the batches of its source end (122,880 rows give or take a vector of
 * 2,048, DuckDB's PhysicalFixedBatchCopy), so a file's bytes are as fixed as its source's layout. Every source
 * here is filled on one thread (a dataset's staging table by the appender, a CSV import's table: import.ts
 * CSV_READ_THREADS; a run's staged parts: table-sink.ts) and has row groups of 122,880 rows: the files are the
 * same bytes however busy the machine (tests/unit/datasets/import-bytes.test.ts).
 */
export function parquetCopyOptions(compression: ParquetCompression): string {
  const level = compression === 'zstd' ? ', COMPRESSION_LEVEL 1' : '';
  return `FORMAT parquet, COMPRESSION ${compression}${level}, PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 64`;
}

const CHUNK_ROWS = 2048;

function numericToFloat64(col: NumericColumn, n: number): Float64Array {
  if (col instanceof Float64Array) return col.length === n ? col : col.subarray(0, n);
  const out = new Float64Array(n);
  if (col instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = Number(col[i]!);
  else for (let i = 0; i < n; i++) out[i] = col[i]!;
  return out;
}

function isStringColumn(col: ColumnInput): col is readonly string[] {
  return Array.isArray(col) && (col.length === 0 || typeof col[0] === 'string');
}

/** Checks a symbol can name a file; throws InvalidArgumentError naming it otherwise. */
export function checkSymbol(symbol: string): string {
  if (!SYMBOL_PATTERN.test(symbol)) {
    throw new InvalidArgumentError(`invalid 'symbol': expected letters, digits and . _ ^ = - (at most 64), was ${printable(symbol)}`);
  }
  return symbol;
}

/**
 * The checks every table written goes through, without the writing: rows validated (validate.ts) and
 * hashed (hash.ts) in order, first and last `ts` kept. The table writer checks its rows with one; a
 * caller that keeps the rows itself (a run reading a CSV file directly, cli/compose/data-sources.ts)
 * uses one to get the manifest entry an import of the same rows would write.
 */
export class TableCheck {
  private readonly hasher: TableHasher;
  private readonly validator: TableValidator;
  private firstTs: number | null = null;
  private lastTs: number | null = null;

  /** `label` names the table in errors, `columnLabels` its columns (see TableValidator). */
  constructor(
    readonly kind: DataKind,
    readonly symbol: string,
    label: string,
    columnLabels: Readonly<Record<string, string>> = {},
  ) {
    this.hasher = new TableHasher(kind, symbol);
    this.validator = new TableValidator(kind, label, columnLabels);
  }

  /** Checks rows `[0, n)` of every column of the kind (numbers as Float64Array); throws the first bad row's DataError. */
  update(columns: Readonly<Record<string, Float64Array | readonly string[]>>, n: number): void {
    if (n === 0) return;
    this.validator.update(columns, n);
    this.hasher.update(columns, n);
    const ts = columns['ts'] as Float64Array;
    if (this.firstTs === null) this.firstTs = ts[0]!;
    this.lastTs = ts[n - 1]!;
  }

  /** Ends the checks (a book's last snapshot must be closed) and returns the table's manifest entry. */
  finish(source: Provenance): ManifestFile {
    this.validator.finish();
    return {
      kind: this.kind,
      symbol: this.symbol,
      path: tablePath(this.kind, this.symbol),
      rows: this.validator.rows,
      startUs: this.firstTs,
      endUs: this.lastTs,
      start: this.firstTs === null ? null : formatIsoUs(this.firstTs),
      end: this.lastTs === null ? null : formatIsoUs(this.lastTs),
      contentHash: this.hasher.digest(),
      source,
    };
  }
}

/** Streams the rows of one table into the dataset being written; see DatasetWriter.beginTable. */
export class TableWriter {
  readonly kind: DataKind;
  readonly symbol: string;
  private readonly specs: readonly ColumnSpec[];
  private readonly checks: TableCheck;
  private readonly chunk: DuckDBDataChunk;
  private ended = false;
  /** The writer's DuckDB session, once the staging table was created in it (rows given to `check` never need it). */
  private session: DuckSession | null = null;
  /** Rows come through `check` and are written by the caller (endExternal). */
  private external = false;
  private staged = false;

  /** @internal Created by DatasetWriter.beginTable. */
  constructor(
    private readonly openSession: () => Promise<DuckSession>,
    private readonly stagingTable: string,
    private readonly parquetPath: string,
    kind: DataKind,
    symbol: string,
    private readonly source: Provenance,
    private readonly label: string,
    private readonly onEnd: (file: ManifestFile) => void,
    columnLabels: Readonly<Record<string, string>>,
    private readonly compression: ParquetCompression,
  ) {
    this.kind = kind;
    this.symbol = symbol;
    this.specs = columnsOf(kind);
    this.checks = new TableCheck(kind, symbol, label, columnLabels);
    this.chunk = DuckDBDataChunk.create(this.specs.map((s) => (s.type === 'str' ? VARCHAR : DOUBLE)), CHUNK_ROWS);
  }

  /**
   * Appends rows (they follow earlier appends in time). Every column of the kind must be present
   * except optional ones (written as missing). Throws DataError naming the table, row and column
   * when a value is invalid; nothing of the dataset is committed then.
   */
  async append(columns: Readonly<Record<string, ColumnInput>>): Promise<void> {
    if (this.ended) throw new InvalidArgumentError(`table ${this.kind}/${this.symbol} already ended`);
    const ts = columns['ts'];
    if (ts === undefined) throw new DataError(`missing column 'ts' (kind ${this.kind})`, { file: this.label, column: 'ts' });
    const n = ts.length;
    const normalized: Record<string, Float64Array | readonly string[]> = {};
    for (const spec of this.specs) {
      const col = columns[spec.name];
      if (col === undefined) {
        if (spec.optional !== true) throw new DataError(`missing column '${spec.name}' (kind ${this.kind})`, { file: this.label, column: spec.name });
        normalized[spec.name] = new Float64Array(n).fill(Number.NaN);
        continue;
      }
      if (col.length < n) {
        throw new DataError(`column '${spec.name}' has ${col.length} rows, 'ts' has ${n}`, { file: this.label, column: spec.name });
      }
      if (spec.type === 'str') {
        if (!isStringColumn(col)) throw new DataError(`column '${spec.name}' must hold strings`, { file: this.label, column: spec.name });
        normalized[spec.name] = col;
      } else {
        if (isStringColumn(col) && col.length > 0) throw new DataError(`column '${spec.name}' must hold numbers`, { file: this.label, column: spec.name });
        normalized[spec.name] = numericToFloat64(col as NumericColumn, n);
      }
    }
    for (const name of Object.keys(columns)) {
      if (!this.specs.some((s) => s.name === name)) {
        throw new DataError(`unknown column '${name}' for kind ${this.kind} (columns: ${this.specs.map((s) => s.name).join(', ')})`, { file: this.label, column: name });
      }
    }
    if (n === 0) return;
    this.checks.update(normalized, n);
    if (this.external) return;
    await this.stage(normalized, n);
  }

  /**
   * Validates and hashes rows as `append` does, without staging them in the writer's DuckDB: for a
   * caller whose own DuckDB table holds the same rows and writes them with `endExternal` (the CSV
   * import's DuckDB reader). A table takes either `append` or `check`, not both.
   */
  async check(columns: Readonly<Record<string, ColumnInput>>): Promise<void> {
    if (this.staged) throw new InvalidArgumentError(`table ${this.kind}/${this.symbol}: check after append`);
    this.external = true;
    await this.append(columns);
  }

  /** The writer's session with this table's staging table, created on first use. */
  private async staging(): Promise<DuckSession> {
    if (this.session !== null) return this.session;
    const session = await this.openSession();
    await session.conn.run(`CREATE TABLE ${this.stagingTable} (${this.specs.map((s) => `${sqlIdent(s.name)} ${s.type === 'str' ? 'VARCHAR' : 'DOUBLE'}`).join(', ')})`);
    this.session = session;
    return session;
  }

  private async stage(columns: Record<string, Float64Array | readonly string[]>, n: number): Promise<void> {
    this.staged = true;
    const session = await this.staging();
    const appender = await session.conn.createAppender(this.stagingTable);
    try {
      for (let start = 0; start < n; start += CHUNK_ROWS) {
        const m = Math.min(CHUNK_ROWS, n - start);
        for (let c = 0; c < this.specs.length; c++) {
          const spec = this.specs[c]!;
          const col = columns[spec.name]!;
          if (spec.type === 'str') {
            const s = col as readonly string[];
            for (let i = 0; i < m; i++) setVectorString(this.chunk, c, i, s[start + i]!);
          } else {
            fillVector(this.chunk, c, col as Float64Array, start * 8, m * 8);
          }
        }
        this.chunk.rowCount = m;
        appender.appendDataChunk(this.chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Ends the table: writes its Parquet file into the staging directory. */
  async end(): Promise<ManifestFile> {
    if (this.external) throw new InvalidArgumentError(`table ${this.kind}/${this.symbol}: rows given to check() end with endExternal()`);
    return this.finish(async () => {
      await (await this.staging()).conn.run(this.copyStatement(this.stagingTable));
    });
  }

  /**
   * The statement that writes this table's Parquet file (zstd unless the writer says otherwise, in the staging directory) from `from`: a
   * table or subquery holding the table's rows in order, as DOUBLE (VARCHAR for strings) columns named
   * like the kind's columns. A caller whose rows went to `check` runs it in its own DuckDB (it may start
   * it while the rows are still being checked) and ends the table with `endExternal`.
   */
  copyStatement(from: string): string {
    const select = this.specs
      .map((s) => {
        const id = sqlIdent(s.name);
        switch (s.type) {
          case 'ts':
            return `CAST(${id} AS BIGINT) AS ${id}`;
          case 'i8':
            return `CAST(${id} AS TINYINT) AS ${id}`;
          case 'f64':
            return s.optional === true ? `CASE WHEN isnan(${id}) THEN NULL ELSE ${id} END AS ${id}` : id;
          case 'str':
            return id;
        }
      })
      .join(', ');
    return `COPY (SELECT ${select} FROM ${from}) TO ${sqlString(this.parquetPath)} (${parquetCopyOptions(this.compression)})`;
  }

  /**
   * The query reading this table's Parquet file (as `copyStatement` wrote it) back in row order, every
   * column as DOUBLE (VARCHAR for strings), a missing optional value as NaN: the columns `check` takes.
   */
  readBackQuery(): string {
    const select = this.specs
      .map((s) => {
        const id = sqlIdent(s.name);
        if (s.type === 'str') return id;
        return s.optional === true ? `coalesce(CAST(${id} AS DOUBLE), 'NaN'::DOUBLE) AS ${id}` : `CAST(${id} AS DOUBLE) AS ${id}`;
      })
      .join(', ');
    return `SELECT ${select} FROM read_parquet(${sqlString(this.parquetPath)})`;
  }

  /**
   * Ends a table whose rows were given to `check`: `written` resolves once the caller's DuckDB has run
   * `copyStatement(from)` over exactly those rows (it rejects with the COPY's error). The rows' checks
   * are finished before it is awaited, so a bad table fails with its DataError, not a write error.
   */
  async endExternal(written: () => Promise<void>): Promise<ManifestFile> {
    if (!this.external && this.staged) throw new InvalidArgumentError(`table ${this.kind}/${this.symbol}: appended rows end with end()`);
    return this.finish(written);
  }

  private async finish(copy: () => Promise<void>): Promise<ManifestFile> {
    if (this.ended) throw new InvalidArgumentError(`table ${this.kind}/${this.symbol} already ended`);
    this.ended = true;
    const file = this.checks.finish(this.source);
    await copy();
    await this.session?.conn.run(`DROP TABLE ${this.stagingTable}`);
    this.onEnd(file);
    return file;
  }
}

/**
 * Writes a dataset directory: `DIR/manifest.json` and `DIR/<kind>/<SYMBOL>.parquet`. Open it with
 * `DatasetWriter.open`, write tables (whole with `writeTable`, or streamed with `beginTable`), then
 * `commit()`; `abort()` (or any failure inside `writeDataset`/`addToDataset`) leaves the directory as
 * it was.
 */
export class DatasetWriter {
  private readonly files = new Map<string, ManifestFile>();
  private readonly pending = new Set<string>();
  private tableSeq = 0;
  private session: Promise<DuckSession> | null = null;
  private done = false;

  private constructor(
    readonly dir: string,
    private readonly staging: string,
    private readonly threads: number | undefined,
    private readonly compression: ParquetCompression,
    private readonly createdBy: Provenance,
    private readonly replaceTables: boolean,
    private readonly flag: string,
    private readonly target: string,
    private readonly existing: ReadonlySet<string>,
    private readonly releaseStaging: () => void,
  ) {}

  /**
   * Opens a writer for `dir` (see WriteMode); nothing is visible at `dir` before `commit()`. Refuses
   * (DirectoryRefused, a usage error) a directory that is a run/sweep output directory or holds files
   * but no dataset: a dataset is written only into a new or empty directory or over a dataset. What a
   * writer killed earlier left beside `dir` is recovered first (dataset-dir.ts recoverSiblings).
   */
  static async open(dir: string, options: DatasetWriterOptions): Promise<DatasetWriter> {
    const mode = options.mode ?? 'create';
    const flag = options.flag ?? '--out';
    // A symlink to a dataset: the dataset is replaced where it really is (beside it, on its file system),
    // and the link keeps pointing at it.
    const target = await realTarget(dir);
    await recoverSiblings(target);
    let isFile = false;
    try {
      isFile = !(await stat(dir)).isDirectory();
    } catch {
      isFile = false;
    }
    if (isFile) throw new DirectoryRefused(dir, `${flag} ${dir}: is a file, not a directory`);
    const state = await checkDatasetDirectory(dir, flag);
    if (state.kind === 'dataset' && state.entries.includes(OUTPUT_MARKER)) {
      throw new DirectoryRefused(dir, `${flag} ${dir}: is both a dataset and a run output directory (it has ${OUTPUT_MARKER}); move the outputs out first`);
    }
    const present = state.kind !== 'missing';
    let base: Manifest | null = null;
    if (present) {
      if (mode === 'create') throw new InvalidArgumentError(`output directory '${dir}' already exists (choose another directory or replace it)`);
      if (state.kind === 'dataset') base = await readManifest(dir);
    }
    const staging = temporarySibling(target, 'staging');
    await mkdir(staging, { recursive: true });
    const releaseStaging = options.onStaging?.(staging) ?? ((): void => {});
    const keep = mode === 'update' && base !== null;
    const writer = new DatasetWriter(
      dir,
      staging,
      options.threads,
      options.compression ?? 'zstd',
      keep ? base!.createdBy : options.createdBy,
      options.replaceTables ?? false,
      flag,
      target,
      new Set(keep ? base!.files.map((f) => `${f.kind}/${f.symbol}`) : []),
      releaseStaging,
    );
    try {
      if (keep) {
        for (const f of base!.files) {
          await mkdir(join(staging, f.kind), { recursive: true });
          await linkOrCopy(join(dir, f.path), join(staging, f.path));
          writer.files.set(`${f.kind}/${f.symbol}`, f);
        }
      }
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer;
  }

  /**
   * Starts streaming one table; append rows in time order, then `end()` it before `commit()`.
   * Errors name the table as `label` (default `<kind>/<symbol>`) and columns by `columnLabels`.
   */
  async beginTable(
    kind: DataKind,
    symbol: string,
    source?: Provenance,
    names: { label?: string; columnLabels?: Readonly<Record<string, string>> } = {},
  ): Promise<TableWriter> {
    this.checkOpen();
    if (!isDataKind(kind)) throw new InvalidArgumentError(`invalid 'kind': not a data kind, was ${printable(kind)}`);
    checkSymbol(symbol);
    const key = `${kind}/${symbol}`;
    if (this.pending.has(key) || (this.files.has(key) && !this.existing.has(key))) {
      throw new InvalidArgumentError(`table ${key} is written twice in one dataset`);
    }
    if (this.existing.has(key) && !this.replaceTables) {
      throw new InvalidArgumentError(`dataset '${this.dir}' already has ${kind} for ${symbol} (replace it explicitly to overwrite)`);
    }
    this.pending.add(key);
    await mkdir(join(this.staging, kind), { recursive: true });
    const path = join(this.staging, tablePath(kind, symbol));
    await rm(path, { force: true }); // a replaced table: drop the link to the old file, never write through it
    const table = `staging_${this.tableSeq++}`;
    const onEnd = (file: ManifestFile): void => {
      this.pending.delete(key);
      this.files.set(key, file);
    };
    return new TableWriter(() => this.duck(), table, path, kind, symbol, source ?? this.createdBy, names.label ?? key, onEnd, names.columnLabels ?? {}, this.compression);
  }

  /** Writes a whole table at once. */
  async writeTable(table: TableInput): Promise<ManifestFile> {
    const w = await this.beginTable(table.kind, table.symbol, table.source);
    await w.append(table.columns);
    return w.end();
  }

  /** Writes the manifest and swaps the staged dataset into place; returns the manifest. */
  async commit(): Promise<Manifest> {
    this.checkOpen();
    try {
      if (this.pending.size > 0) throw new InvalidArgumentError(`tables not ended before commit: ${[...this.pending].join(', ')}`);
      const manifest = buildManifest([...this.files.values()], this.createdBy);
      await writeFile(join(this.staging, MANIFEST_FILE), serializeManifest(manifest));
      this.done = true;
      await this.closeSession();
      // From here the staged dataset is being moved into place: a signal must not remove it (what a
      // stopped swap leaves beside the dataset is recovered by the next write, recoverSiblings).
      this.releaseStaging();
      await swapInDataset(this.staging, this.target, this.flag);
      return manifest;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Discards everything staged; the target directory stays as it was. */
  async abort(): Promise<void> {
    this.done = true;
    await this.closeSession();
    await rm(this.staging, { recursive: true, force: true });
    this.releaseStaging();
  }

  /**
   * The DuckDB session staging and writing the tables, opened when a table first needs it: a table
   * whose rows went to `check` is written by its caller's DuckDB, and never opens it.
   */
  private duck(): Promise<DuckSession> {
    this.session ??= DuckSession.open(this.threads !== undefined ? { threads: this.threads } : {});
    return this.session;
  }

  private async closeSession(): Promise<void> {
    const opening = this.session;
    this.session = null;
    if (opening === null) return;
    try {
      (await opening).close();
    } catch {
      // it never opened: nothing to close
    }
  }

  private checkOpen(): void {
    if (this.done) throw new InvalidArgumentError(`dataset writer for '${this.dir}' is already committed or aborted`);
  }
}

/** `dir` itself, or the directory it links to when it is a symbolic link. */
async function realTarget(dir: string): Promise<string> {
  try {
    if ((await lstat(dir)).isSymbolicLink()) return await realpath(dir);
  } catch {
    // missing (or a dangling link): written as given
  }
  return dir;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * The error to show when writing dataset `dir` failed: a TapedeckError as it is; a failed write of the
 * file system or of DuckDB (a full disk, a read-only directory) as one line naming `dir` and saying that
 * nothing was changed (the writer aborted, so the old dataset is as it was).
 */
export function asWriteError(dir: string, err: unknown): unknown {
  if (err instanceof TapedeckError || !(err instanceof Error)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const first = err.message.split('\n')[0]!;
  let reason: string;
  if (code === 'ENOSPC' || /no space left on device/i.test(first)) reason = 'no space left on the device';
  else if (code === 'EDQUOT' || /quota exceeded/i.test(first)) reason = 'disk quota exceeded';
  else if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') reason = `not allowed to write there (${code})`;
  else if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) reason = `${code}: ${first}`;
  else if (/^IO Error/.test(first)) reason = first;
  else return err;
  return new TapedeckError('io', `${dir}: cannot write the dataset: ${reason}; nothing was changed`, { cause: err });
}

/** Runs `body` with an open writer and commits; on any error the writer aborts and the error propagates. */
async function withWriter(dir: string, options: DatasetWriterOptions, body: (w: DatasetWriter) => Promise<void>): Promise<Manifest> {
  const writer = await DatasetWriter.open(dir, options).catch((err: unknown) => {
    throw asWriteError(dir, err);
  });
  try {
    await body(writer);
  } catch (err) {
    await writer.abort();
    throw asWriteError(dir, err);
  }
  return writer.commit().catch((err: unknown) => {
    throw asWriteError(dir, err);
  });
}

/**
 * Writes a new dataset at `dir` from whole tables and returns its manifest. `dir` must not exist
 * unless `options.replace` is set (then an existing dataset there is replaced as a whole).
 */
export async function writeDataset(
  dir: string,
  tables: readonly TableInput[],
  createdBy: Provenance,
  options: { replace?: boolean; onTable?: (table: TableInput, index: number) => void } = {},
): Promise<Manifest> {
  return withWriter(dir, { createdBy, mode: options.replace === true ? 'replace' : 'create' }, async (w) => {
    for (const [i, t] of tables.entries()) {
      await w.writeTable(t);
      options.onTable?.(t, i);
    }
  });
}

/**
 * Adds tables to the dataset at `dir` (creating it if missing) and returns the updated manifest.
 * A table that already exists is refused unless `options.replace` is set. `source` describes what
 * produced the new tables (and the dataset, if it is created here).
 */
export async function addToDataset(
  dir: string,
  tables: readonly TableInput[],
  source: Provenance,
  options: { replace?: boolean } = {},
): Promise<Manifest> {
  return withWriter(dir, { createdBy: source, mode: 'update', replaceTables: options.replace === true }, async (w) => {
    for (const t of tables) await w.writeTable({ ...t, source: t.source ?? source });
  });
}
