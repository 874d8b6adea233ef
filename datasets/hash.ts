import { createHash, type Hash } from 'node:crypto';
import { endianness } from 'node:os';
import { columnsOf, type ColumnSpec, type DataKind } from './schema.js';

/**
 * The content hash: SHA-256 over the logical content of a dataset, independent of Parquet encoding,
 * row-group sizes and compression, and stable across runs and machines.
 *
 * - A column digest is SHA-256 over the column's values in row order. Numeric columns (`ts`, `f64`,
 *   `i8`) contribute each value as an IEEE-754 Float64 in little-endian byte order (a missing optional
 *   value is the canonical NaN 0x7FF8000000000000); `str` columns contribute each value as a uint32 LE
 *   byte length followed by its UTF-8 bytes.
 * - A table hash is SHA-256 over `tapedeck.table.v1`, kind, symbol, row count and, for each column in
 *   canonical order, its name, type and digest (fields separated by NUL bytes).
 * - The dataset hash is SHA-256 over `tapedeck.dataset.v1` and, for each table in (kind, symbol) order
 *   (plain code-unit string order), kind, symbol and table hash.
 * All of it is computed in TypeScript in a fixed order; no DuckDB aggregate takes part.
 */

const LITTLE_ENDIAN = endianness() === 'LE';
const SCRATCH_SIZE = 8192;
const scratch = new Float64Array(SCRATCH_SIZE);
const scratchBytes = new Uint8Array(scratch.buffer);
const lenBytes = new Uint8Array(4);
const lenView = new DataView(lenBytes.buffer);

/** Feeds `values[0..n)` as Float64 LE into `hash`, canonicalizing NaN and byte order. */
function updateFloat64(hash: Hash, values: ArrayLike<number>, n: number): void {
  let hasNan = false;
  if (values instanceof Float64Array && LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v !== v) {
        hasNan = true;
        break;
      }
    }
    if (!hasNan) {
      hash.update(new Uint8Array(values.buffer, values.byteOffset, n * 8));
      return;
    }
  }
  for (let start = 0; start < n; start += SCRATCH_SIZE) {
    const m = Math.min(SCRATCH_SIZE, n - start);
    for (let i = 0; i < m; i++) {
      const v = values[start + i]!;
      // every NaN payload hashes as the canonical quiet NaN (the bits of Number.NaN)
      scratch[i] = v !== v ? Number.NaN : v;
    }
    if (LITTLE_ENDIAN) {
      hash.update(scratchBytes.subarray(0, m * 8));
    } else {
      const out = new Uint8Array(m * 8);
      const view = new DataView(out.buffer);
      for (let i = 0; i < m; i++) view.setFloat64(i * 8, scratch[i]!, true);
      hash.update(out);
    }
  }
}

function updateStrings(hash: Hash, values: readonly string[], n: number): void {
  for (let i = 0; i < n; i++) {
    const bytes = Buffer.from(values[i]!, 'utf8');
    lenView.setUint32(0, bytes.length, true);
    hash.update(lenBytes);
    hash.update(bytes);
  }
}

/** A column value source for hashing: numbers for numeric columns, strings for `str` columns. */
export type HashableColumn = ArrayLike<number> | readonly string[];

/**
 * Incrementally hashes one table (one kind and symbol), fed with row batches in row order. Feeding the
 * same rows in differently sized batches gives the same digest.
 */
export class TableHasher {
  readonly kind: DataKind;
  readonly symbol: string;
  private readonly specs: readonly ColumnSpec[];
  private readonly hashes: Hash[];
  private rows = 0;

  constructor(kind: DataKind, symbol: string) {
    this.kind = kind;
    this.symbol = symbol;
    this.specs = columnsOf(kind);
    this.hashes = this.specs.map(() => createHash('sha256'));
  }

  /** Adds rows `[0, n)` of each canonical column; `columns` must hold every column of the kind. */
  update(columns: Readonly<Record<string, HashableColumn>>, n: number): void {
    for (let c = 0; c < this.specs.length; c++) {
      const spec = this.specs[c]!;
      const col = columns[spec.name];
      if (col === undefined) throw new Error(`TableHasher: column '${spec.name}' missing`);
      if (spec.type === 'str') updateStrings(this.hashes[c]!, col as readonly string[], n);
      else updateFloat64(this.hashes[c]!, col as ArrayLike<number>, n);
    }
    this.rows += n;
  }

  /** Returns the table hash (hex). Call once, after the last update. */
  digest(): string {
    const h = createHash('sha256');
    h.update(`tapedeck.table.v1\0${this.kind}\0${this.symbol}\0${this.rows}\0`);
    for (let c = 0; c < this.specs.length; c++) {
      const spec = this.specs[c]!;
      h.update(`${spec.name}\0${spec.type}\0${this.hashes[c]!.digest('hex')}\0`);
    }
    return h.digest('hex');
  }
}

/** Returns the dataset content hash from its tables' hashes (sorted here by kind, then symbol). */
export function datasetContentHash(tables: ReadonlyArray<{ kind: string; symbol: string; contentHash: string }>): string {
  const sorted = [...tables].sort((a, b) => compareStrings(a.kind, b.kind) || compareStrings(a.symbol, b.symbol));
  const h = createHash('sha256');
  h.update('tapedeck.dataset.v1\0');
  for (const t of sorted) h.update(`${t.kind}\0${t.symbol}\0${t.contentHash}\0`);
  return h.digest('hex');
}

/** Compares strings by UTF-16 code units, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
