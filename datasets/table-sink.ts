import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, TapedeckError } from '../engine/core/index.js';
import { WriteError } from './atomic.js';
import { ParquetConcat } from './parquet-concat.js';
import { writeDoublesParquet } from './parquet-doubles.js';
import { parquetCopyOptions } from './writer.js';
import { DOUBLE, DuckDBDataChunk, DuckSession, fillVector, setVectorString, sqlIdent, sqlString, VARCHAR } from './duckdb.js';

/**
 * Columnar output tables written as Parquet while a run goes on (a run's equity curve, fills, orders and
 * round trips: see reports/run-tables.ts for the tables themselves).
 *
 * Rows are appended synchronously (typed-array batches, no object per row) into the buffers of a part; every
 * `rowsPerPart` rows (one Parquet row group) the part is staged, written as a plain Parquet file of doubles
 * in a hidden directory beside `file` (datasets/parquet-doubles.ts: one gathered write, no copy through
 * DuckDB's appender on the caller's thread), and handed to a background write (DuckDB's COPY from that file),
 * so memory stays flat however long the run and the run does not wait for the write. Each part is written
 * once, in the file's final types and compression (zstd; writer.ts's parquetCopyOptions), and joined to the parts before it by copying its
 * bytes (datasets/parquet-concat.ts): no part is read back and compressed again. `finish()` writes the last
 * rows and the footer. Nothing is visible at `file` before finish().
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

/**
 * A str column's rows given as codes of the caller's (no string per row): row i holds `values[codes[i]]`. The
 * sink codes each value it meets once per batch (see {@link StringCodes}), so the file holds what the same
 * rows given as strings would write, byte for byte.
 */
export interface CodedStrings {
  readonly codes: Int32Array;
  readonly values: readonly (string | null)[];
}

/**
 * A numbered str column's rows (SinkColumn.numbered) given as their numbers: row i holds the prefix then
 * `numbers[i]` (an integer of at most 15 digits, which {@link StringCodes} would number as the text), or null where it is NaN.
 */
export interface NumberedStrings {
  readonly numbers: Float64Array;
}

/**
 * A batch as appended: numbers as Float64Array; strings as arrays (null allowed in nullable columns), or as
 * {@link CodedStrings} or {@link NumberedStrings}.
 */
export type SinkBatch = Readonly<Record<string, Float64Array | readonly (string | null)[] | CodedStrings | NumberedStrings>>;

const CHUNK_ROWS = 2048;
/** Rows a part's buffers start with (a short table's columns stay small; a long one's grow to a part). */
const FIRST_BUFFER_ROWS = 4096;
/** Spare part buffers a SinkGroup keeps (a run's widest table varies in fewer columns). */
const MAX_SPARE_BUFFERS = 16;
/** What a null in a column that is not nullable is written as (one control character), as before strings were coded. */
const NULL_TEXT = '\u0001';
/** DuckDB's Parquet row group size: a part is one row group of the file. */
const DEFAULT_ROWS_PER_PART = 122_880;
/** A dictionary of at most this many characters is written into the statement itself (a list literal). */
const INLINE_DICTIONARY_CHARS = 4096;
/** Digits of the largest integer a numbered value may carry (exact as a double). */
const MAX_NUMBER_DIGITS = 15;
/** The largest number a numbered value given as a number may carry (MAX_NUMBER_DIGITS digits). */
const MAX_NUMBERED = 10 ** MAX_NUMBER_DIGITS - 1;

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

  /** Whether null is written as NULL (NaN), not as a string. */
  get nullable(): boolean {
    return this.nullText === null;
  }

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

/** A part staged in a file: per column, the SQL literal of the value it holds in every row (left out of the file), else null. */
interface StagedPart {
  readonly file: string;
  readonly constants: readonly (string | null)[];
}

/** Bit pattern of the NaN JavaScript writes (a literal NaN reads back as this one). */
const NAN_HIGH = 0x7ff80000;

/**
 * The SQL literal of the double of bits (`lo`, `hi`), or null for a NaN other than JavaScript's own (the one a
 * literal gives back): the column is then staged as it is.
 */
function constantLiteral(lo: number, hi: number): string | null {
  const v = new Float64Array(new Int32Array([lo, hi]).buffer)[0]!;
  if (v !== v && (hi !== NAN_HIGH || lo !== 0)) return null;
  return doubleLiteral(v);
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

/**
 * What sinks writing at the same time share (a run's tables): how many parts DuckDB writes at once (its COPYs,
 * each on a thread of its own, first asked first served, whatever the number of tables), and the part buffers
 * of the sinks done staging, taken again by the next rather than made anew (fresh memory costs a page fault per
 * 4 KiB when first written: 60-150 ms for 20 MB on a loaded machine here).
 */
export class SinkGroup {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private readonly spare: Float64Array[] = [];

  constructor(writers: number) {
    if (!(Number.isInteger(writers) && writers > 0)) throw new InvalidArgumentError(`writers must be a positive integer, got ${writers}`);
    this.free = writers;
  }

  /** Runs `op` once a writer is free, and frees it when `op` settles. */
  async write<T>(op: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await op();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.free++;
    }
  }

  /** A buffer of at least `rows` doubles: a spare one when there is one that long (its contents are left over), else a new one of `size`. */
  take(rows: number, size: number): Float64Array {
    const k = this.spare.findIndex((b) => b.length >= rows);
    return k >= 0 ? this.spare.splice(k, 1)[0]! : new Float64Array(size);
  }

  /** Gives buffers back for the next sink to take. */
  give(buffers: readonly Float64Array[]): void {
    for (const b of buffers) if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(b);
  }
}

export class ParquetTableSink {
  /** Rows of a part (a row group of the file) unless `open` is told otherwise: DuckDB's row group size. */
  static readonly ROWS_PER_PART = DEFAULT_ROWS_PER_PART;
  /** Parts written or being written: the first is the file being joined (see {@link ParquetConcat}), the others are appended to it and removed. */
  private parts = 0;
  /** Parts staged (their rows written to a staging file), written or not. */
  private stagedParts = 0;
  /** Full parts staged and not handed to the background writer yet (see {@link flush}). */
  private readonly queued: StagedPart[] = [];
  private joined: ParquetConcat | null = null;
  /** Rows of the part being filled, in {@link buffers}. */
  private inPart = 0;
  private total = 0;
  private finished = false;
  /** The parts being written in the background (see {@link flush}); its failure surfaces at the next flush or finish. */
  private pending: Promise<void> = Promise.resolve();
  /**
   * The written parts being joined to the file, one after another in order (see {@link writePart}); its failure
   * surfaces at finish.
   */
  private joining: Promise<void> = Promise.resolve();
  /** Per column: its string codes (str columns), else null. */
  private readonly codes: (StringCodes | null)[];
  /** Per str column with a large dictionary: how many of its values are in its dictionary table so far. */
  private readonly listed: number[];
  /**
   * Per column: the part being filled, as doubles (strings as their codes), grown as rows come, up to a part; null
   * while every row of the part so far holds the first row's value (bit for bit, in {@link firstBits}): such a
   * column is never copied, and is written as a literal if it stays so (see {@link stagePart}).
   */
  private buffers: (Float64Array | null)[];
  /** Per column: the bits of the part's first value (low and high words). */
  private readonly firstBits: Int32Array;
  /** Per str column: the codes of the rows being appended. */
  private codeScratch = new Float64Array(0);
  private readonly name: string;

  private constructor(
    private readonly session: DuckSession,
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
    /** Shared with the other sinks writing at the same time, if any (see {@link SinkGroup}). */
    private readonly group: SinkGroup | null,
    /** Rows to come, when known: a part's buffers are made that large at once. */
    private readonly expected: number | undefined,
  ) {
    this.codes = columns.map((c) => (c.type === 'str' ? new StringCodes(c.numbered, c.nullable === true ? null : NULL_TEXT) : null));
    this.buffers = columns.map(() => null);
    this.firstBits = new Int32Array(columns.length * 2);
    this.listed = columns.map(() => 0);
    this.name = `sink_${Math.abs(hashName(file))}_${sinkSeq++}`;
  }

  /**
   * Opens a sink writing `file` (a Parquet file; its parts go to a hidden directory beside it). `session`:
   * a DuckDB session to share (several sinks of one run), else one of its own with one thread.
   * `rowsPerPart`: rows of each part, so of each row group of the file (DuckDB's row group size by default).
   * `group`: shared by sinks writing at the same time (see {@link SinkGroup}). `rows`: the rows to come, when
   * known (a part's buffers are sized once).
   */
  static async open(file: string, columns: readonly SinkColumn[], options: { session?: DuckSession; rowsPerPart?: number; label?: string; group?: SinkGroup; rows?: number } = {}): Promise<ParquetTableSink> {
    if (columns.length === 0) throw new InvalidArgumentError('a table needs at least one column');
    const rowsPerPart = options.rowsPerPart ?? DEFAULT_ROWS_PER_PART;
    if (!(Number.isInteger(rowsPerPart) && rowsPerPart > 0 && rowsPerPart <= DEFAULT_ROWS_PER_PART)) throw new InvalidArgumentError(`rowsPerPart must be an integer from 1 to ${DEFAULT_ROWS_PER_PART}, got ${rowsPerPart}`);
    const label = options.label ?? file;
    const session = options.session ?? (await DuckSession.open({ threads: 1 }));
    // A connection of its own on a shared session: sinks of one run write at the same time, and a connection
    // runs one query at a time (a second one fails the first's pending result).
    const writer = options.session !== undefined ? await session.connect() : session.conn;
    const sink = new ParquetTableSink(session, writer, file, label, `${file}.parts`, columns, rowsPerPart, options.session === undefined, options.group ?? null, options.rows);
    // Made now: a full part is staged there as soon as its last row is appended.
    await mkdir(sink.partsDir).catch((err: unknown) => {
      throw new WriteError(label, err);
    });
    return sink;
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.total;
  }

  /** Whether full parts wait to be written: call {@link flush} at the next await point. */
  get wantsFlush(): boolean {
    return this.queued.length > 0;
  }

  /**
   * Appends the first `n` rows of `batch` (every column present, numbers for numeric columns). A part whose
   * last row comes in is staged at once (see {@link stagePart}) and waits for {@link flush} to be written.
   */
  append(batch: SinkBatch, n: number): void {
    if (this.finished) throw new InvalidArgumentError(`table ${this.file} already finished`);
    const cols = this.columns.map((c) => {
      const v = batch[c.name];
      const rows = v === undefined ? -1 : 'codes' in v ? v.codes.length : 'numbers' in v ? v.numbers.length : v.length;
      if (rows < n) throw new InvalidArgumentError(`table ${this.file}: column '${c.name}' missing or shorter than ${n} rows`);
      if (v !== undefined && c.type !== 'str' && !(v instanceof Float64Array)) throw new InvalidArgumentError(`table ${this.file}: column '${c.name}' is numeric, given strings`);
      if (v !== undefined && 'numbers' in v && c.numbered === undefined) throw new InvalidArgumentError(`table ${this.file}: column '${c.name}' is not numbered, given numbers`);
      return v!;
    });
    for (let start = 0; start < n; ) {
      const m = Math.min(n - start, this.rowsPerPart - this.inPart);
      const at = this.inPart;
      for (let j = 0; j < cols.length; j++) {
        let values: Float64Array;
        const codes = this.codes[j]!;
        const col = cols[j]!;
        if (codes === null) values = (col as Float64Array).subarray(start, start + m);
        else if ('codes' in col) values = this.codedRows(codes, col, start, m);
        else if ('numbers' in col) values = this.numberedRows(codes, col.numbers, start, m);
        else values = this.stringRows(codes, col as readonly (string | null)[], start, m);
        this.put(j, values, m, at);
      }
      this.inPart += m;
      this.total += m;
      start += m;
      if (this.inPart === this.rowsPerPart) this.queued.push(this.stagePart());
    }
  }

  /** The scratch array of a str column's codes, at least `m` long. */
  private scratch(m: number): Float64Array {
    if (this.codeScratch.length < m) this.codeScratch = new Float64Array(m);
    return this.codeScratch;
  }

  /** The codes of strings `s[start, start + m)`. */
  private stringRows(codes: StringCodes, s: readonly (string | null)[], start: number, m: number): Float64Array {
    const values = this.scratch(m);
    // A run's string columns mostly repeat the row before (one symbol, one strategy): coded once.
    let last: string | null | undefined;
    let code = 0;
    for (let i = 0; i < m; i++) {
      const v = s[start + i] ?? null;
      if (v !== last) {
        last = v;
        code = codes.code(v);
      }
      values[i] = code;
    }
    return values;
  }

  /**
   * The codes of rows `[start, start + m)` of a column given as codes: each of its values coded once, when a row
   * first holds it (so in the order of the rows, as {@link stringRows} codes them), then a lookup per row.
   */
  private codedRows(codes: StringCodes, col: CodedStrings, start: number, m: number): Float64Array {
    const values = this.scratch(m);
    const own = col.codes;
    const dictionary = col.values;
    // Infinity: a value not met yet (no code is infinite).
    const mapped = new Float64Array(dictionary.length).fill(Number.POSITIVE_INFINITY);
    // A row holding the row before's code takes its code without a read of `mapped`: run cold (interpreted), each
    // read of a code that is not a small integer (NaN, a null) made a heap number (~0.8 MB of a 62,496-bar run's tables).
    let last = -1;
    let code = 0;
    for (let i = 0; i < m; i++) {
      const c = own[start + i]!;
      if (c !== last) {
        if (!(c >= 0 && c < dictionary.length)) throw new InvalidArgumentError(`table ${this.file}: code ${c} outside its ${dictionary.length} values`);
        code = mapped[c]!;
        if (code === Number.POSITIVE_INFINITY) code = mapped[c] = codes.code(dictionary[c] ?? null);
        last = c;
      }
      values[i] = code;
    }
    return values;
  }

  /** The codes of rows `[start, start + m)` of a numbered column given as numbers (see {@link NumberedStrings}): the numbers themselves, checked. */
  private numberedRows(codes: StringCodes, numbers: Float64Array, start: number, m: number): Float64Array {
    const values = numbers.subarray(start, start + m);
    for (let i = 0; i < m; i++) {
      const k = values[i]!;
      // As a string the prefix then k would be coded: k itself (NaN is null).
      if (!(k >= 0 && k <= MAX_NUMBERED && Math.floor(k) === k) && k === k) throw new InvalidArgumentError(`table ${this.file}: ${k} is not a number a numbered column holds`);
      if (k !== k && !codes.nullable) throw new InvalidArgumentError(`table ${this.file}: a null in a column that is not nullable, given as numbers`);
    }
    return values;
  }

  /** Puts the first `m` of `values` at row `at` of column `j`'s part (see {@link buffers}). */
  private put(j: number, values: Float64Array, m: number, at: number): void {
    let buffer = this.buffers[j]!;
    if (buffer === null) {
      const words = new Int32Array(values.buffer, values.byteOffset, m * 2);
      const bits = this.firstBits;
      if (at === 0) {
        bits[2 * j] = words[0]!;
        bits[2 * j + 1] = words[1]!;
      }
      const lo = bits[2 * j]!;
      const hi = bits[2 * j + 1]!;
      let i = 0;
      while (i < m && words[2 * i] === lo && words[2 * i + 1] === hi) i++;
      if (i === m) return;
      // The first row that differs: the column is made, its rows so far all the first value.
      buffer = this.buffer(at + m);
      this.fillFirst(j, buffer, at);
      this.buffers[j] = buffer;
    } else if (buffer.length < at + m) {
      const grown = this.buffer(at + m);
      grown.set(buffer.subarray(0, at));
      buffer = grown;
      this.buffers[j] = buffer;
    }
    buffer.set(values.subarray(0, m), at);
  }

  /** A buffer for a column of the part of at least `rows` rows: the rest of the table when known, else twice the rows (at most a part). */
  private buffer(rows: number): Float64Array {
    const rest = this.expected !== undefined ? this.expected - (this.total - this.inPart) : rows;
    const size = Math.min(this.rowsPerPart, this.expected !== undefined ? Math.max(rows, rest) : Math.max(rows * 2, FIRST_BUFFER_ROWS));
    return this.group !== null ? this.group.take(rows, size) : new Float64Array(size);
  }

  /**
   * Writes the part being filled to its staging file (see parquet-doubles.ts) and empties it. A column holding
   * one value in every row of the part (one symbol, market orders without limits or tags, no margin in use) is
   * left out of the file and written as a literal through the column's own cast, so the part is the one staging
   * it gives: half a run's logs' columns are such, and staging them was half the bytes DuckDB read back.
   */
  private stagePart(): StagedPart {
    const file = join(this.partsDir, `stage-${String(this.stagedParts).padStart(6, '0')}.parquet`);
    const n = this.inPart;
    const constants: (string | null)[] = this.columns.map((_, j) => (n > 0 && this.buffers[j] === null ? constantLiteral(this.firstBits[2 * j]!, this.firstBits[2 * j + 1]!) : null));
    // At least one column is read from the file: it carries the part's row count.
    const staged = this.columns.flatMap((c, j) => (constants[j] === null ? [{ name: c.name, values: this.buffers[j] ?? this.filled(j, n) }] : []));
    if (staged.length === 0) {
      constants[0] = null;
      staged.push({ name: this.columns[0]!.name, values: this.filled(0, n) });
    }
    try {
      writeDoublesParquet(file, staged, n);
    } catch (err) {
      throw new WriteError(this.label, err);
    }
    // The next part's columns start over as one value each (a made buffer is kept for the rows to come).
    for (const [j, b] of this.buffers.entries()) if (b !== null) this.buffers[j] = null;
    this.spareBuffers(staged.map((c) => c.values));
    this.stagedParts++;
    this.inPart = 0;
    return { file, constants };
  }

  /** Column `j`'s first `n` rows as a buffer (every row its first value), for a column that cannot be a literal. */
  private filled(j: number, n: number): Float64Array {
    const b = this.buffer(Math.max(n, 1));
    this.fillFirst(j, b, n);
    return b;
  }

  /** Sets the first `n` rows of `buffer` to column `j`'s first value, bit for bit. */
  private fillFirst(j: number, buffer: Float64Array, n: number): void {
    new BigInt64Array(buffer.buffer, buffer.byteOffset, n).fill(new BigInt64Array(this.firstBits.buffer, j * 8, 1)[0]!);
  }

  /** Keeps part buffers for the next part's columns (the group's, when the sink has one). */
  private spareBuffers(buffers: readonly Float64Array[]): void {
    if (this.group !== null) this.group.give(buffers);
  }

  /**
   * Hands the staged full parts to the background writer; returns once the parts handed before are written,
   * so at most two parts' writes are ever waiting. A no-op while no part is full.
   */
  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const parts = this.queued.splice(0);
    await this.pending;
    const job = (async (): Promise<void> => {
      for (const part of parts) await this.writePart(part);
    })();
    job.catch(() => undefined); // awaited at the next flush or at finish; not an unhandled rejection meanwhile
    this.pending = job;
  }

  /**
   * Writes the rows of a staged part as the next part, cast to the file's types and compressed as the file is,
   * and has it joined to the parts before. Returns once DuckDB wrote it, not once it is joined: the join is
   * chained after the previous part's ({@link joining}), so the next part's write does not wait for it. A join
   * copies the part's bytes a MiB at a time, each copy a turn of the main thread, which the run's long
   * synchronous stretches (the report being built) held back: DuckDB waited for them between parts (a 2.5 M-bar
   * run's last equity parts, under load: ~1.6 s).
   */
  private async writePart(staged: StagedPart): Promise<void> {
    const k = this.parts++;
    const part = this.partFile(k);
    const copy = async (): Promise<void> => {
      const select = await this.select(staged.constants);
      // Every part with the same options (they are joined as they are): Parquet V2 encodings, zstd level 1, small
      // dictionaries, chosen for the CPU the writes take beside the run (see parquetCopyOptions).
      await this.written(this.writer.run(`COPY (SELECT ${select} FROM read_parquet(${sqlString(staged.file)})) TO ${sqlString(part)} (${parquetCopyOptions('zstd')})`));
    };
    await (this.group !== null ? this.group.write(copy) : copy());
    this.joining = this.joining.then(() =>
      this.written(
        (async () => {
          await rm(staged.file);
          if (k > 0) {
            this.joined ??= await ParquetConcat.open(this.partFile(0));
            await this.joined.append(part);
            await rm(part);
          }
        })(),
      ),
    );
    this.joining.catch(() => undefined); // awaited at finish; not an unhandled rejection meanwhile
  }

  private partFile(k: number): string {
    return join(this.partsDir, `part-${String(k).padStart(6, '0')}.parquet`);
  }

  /**
   * Stages the last rows and writes `file` (every row, in append order, zstd; one row group per part), then
   * removes the parts; returns the row count. The rows are staged before the first await: the caller's
   * arrays may be reused as soon as this is called.
   */
  async finish(): Promise<number> {
    if (this.finished) throw new InvalidArgumentError(`table ${this.file} already finished`);
    this.finished = true;
    try {
      // The last rows (or, for a table without rows, a file that still has its columns and types).
      if (this.inPart > 0 || this.stagedParts === 0) this.queued.push(this.stagePart());
      this.buffers = [];
      const parts = this.queued.splice(0);
      await this.pending;
      for (const part of parts) await this.writePart(part);
      await this.joining;
      if (this.joined !== null) await this.written(this.joined.close());
      this.joined = null;
      await this.written(rename(this.partFile(0), this.file));
      for (const [k, n] of this.listed.entries()) {
        if (n > 0) {
          await this.writer.run(`DROP TABLE ${this.dictionaryTable(k)}`);
          await this.writer.run(`RESET VARIABLE ${this.dictionaryTable(k)}`);
        }
      }
    } finally {
      await this.joining.catch(() => undefined);
      await this.joined?.close().catch(() => undefined);
      await rm(this.partsDir, { recursive: true, force: true });
    }
    if (this.ownsSession) this.session.close();
    return this.total;
  }

  /** The SELECT list that turns a part's staged columns (or its `constants`, see {@link stagePart}) into the file's (times, booleans, integers, strings from their codes). */
  private async select(constants: readonly (string | null)[]): Promise<string> {
    const dictionaries = await this.writeDictionaries();
    return this.columns
      .map((c, k) => {
        const id = sqlIdent(c.name);
        // The staged column, or the constant in its place: the same cast either way, so the same values and types.
        const v = constants[k] ?? id;
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
    this.finished = true;
    this.buffers = [];
    this.queued.length = 0;
    await this.pending.catch(() => undefined);
    await this.joining.catch(() => undefined);
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
