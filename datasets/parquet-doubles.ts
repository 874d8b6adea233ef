import { closeSync, openSync, writevSync } from 'node:fs';
import { T_BINARY, T_I32, T_I64, T_LIST, T_STRUCT, Writer } from './parquet-concat.js';
import type { TField, TStruct, TValue } from './parquet-concat.js';

/**
 * Columns of doubles written as the plainest Parquet file there is, for DuckDB to read back at once: one
 * row group, one uncompressed PLAIN data page per column (its values' bytes as they are in memory, Parquet's
 * little-endian IEEE doubles), REQUIRED columns (no definition levels: a NaN is a value like any other).
 * ParquetTableSink stages a table's rows this way (see table-sink.ts): writing the file is one gathered
 * write of the columns' bytes, where DuckDB's appender copied every value twice on the caller's thread
 * (into its chunks, then into the table when flushed) and held them in its memory pool.
 */

const MAGIC = Buffer.from('PAR1', 'latin1');
// parquet.thrift: Type.DOUBLE, FieldRepetitionType.REQUIRED, Encoding.PLAIN and RLE, CompressionCodec.UNCOMPRESSED, PageType.DATA_PAGE.
const DOUBLE = 5;
const REQUIRED = 0;
const PLAIN = 0;
const RLE = 3;
const UNCOMPRESSED = 0;
const DATA_PAGE = 0;

const f = (id: number, type: number, value: TValue): TField => ({ id, type, value });
const struct = (...fields: TField[]): TStruct => ({ kind: 'struct', fields });
const list = (elemType: number, items: TValue[]): TValue => ({ kind: 'list', type: T_LIST, elemType, items });
const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function thrift(s: TStruct): Uint8Array {
  const w = new Writer();
  w.struct(s);
  return w.bytes();
}

/** One column of a staged file: its name (as the reading SQL names it) and its values (the first `n` are written). */
export interface DoubleColumn {
  readonly name: string;
  readonly values: Float64Array;
}

/**
 * Writes the first `n` values of each of `columns` to `file` (created, or truncated) as a Parquet file of
 * DOUBLE columns (see the module's note). Synchronous: the caller may reuse the arrays once it returns.
 * File-system errors are thrown as they are.
 */
export function writeDoublesParquet(file: string, columns: readonly DoubleColumn[], n: number): void {
  const dataBytes = n * 8;
  const buffers: Uint8Array[] = [MAGIC];
  const chunks: TValue[] = [];
  let at = MAGIC.length;
  for (const c of columns) {
    const header = thrift(
      struct(f(1, T_I32, DATA_PAGE), f(2, T_I32, dataBytes), f(3, T_I32, dataBytes), f(5, T_STRUCT, struct(f(1, T_I32, n), f(2, T_I32, PLAIN), f(3, T_I32, RLE), f(4, T_I32, RLE)))),
    );
    const size = BigInt(header.length + dataBytes);
    const meta = struct(
      f(1, T_I32, DOUBLE),
      f(2, T_LIST, list(T_I32, [PLAIN])),
      f(3, T_LIST, list(T_BINARY, [text(c.name)])),
      f(4, T_I32, UNCOMPRESSED),
      f(5, T_I64, BigInt(n)),
      f(6, T_I64, size),
      f(7, T_I64, size),
      f(9, T_I64, BigInt(at)),
    );
    chunks.push(struct(f(2, T_I64, BigInt(at)), f(3, T_STRUCT, meta)));
    buffers.push(header, new Uint8Array(c.values.buffer, c.values.byteOffset, dataBytes));
    at += header.length + dataBytes;
  }
  const schema: TValue[] = [struct(f(4, T_BINARY, text('schema')), f(5, T_I32, columns.length))];
  for (const c of columns) schema.push(struct(f(1, T_I32, DOUBLE), f(3, T_I32, REQUIRED), f(4, T_BINARY, text(c.name))));
  const footer = thrift(
    struct(
      f(1, T_I32, 1),
      f(2, T_LIST, list(T_STRUCT, schema)),
      f(3, T_I64, BigInt(n)),
      f(4, T_LIST, list(T_STRUCT, [struct(f(1, T_LIST, list(T_STRUCT, chunks)), f(2, T_I64, BigInt(at - MAGIC.length)), f(3, T_I64, BigInt(n)))])),
    ),
  );
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(footer.length, 0);
  MAGIC.copy(tail, 4);
  buffers.push(footer, tail);
  const fd = openSync(file, 'w');
  try {
    writeAll(fd, buffers);
  } finally {
    closeSync(fd);
  }
}

/** Writes every byte of `buffers`, in order (writev may write fewer than asked). */
function writeAll(fd: number, buffers: Uint8Array[]): void {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    // At most IOV_MAX (1024 on Linux) buffers a call.
    let done = writevSync(fd, rest.slice(0, 1024));
    let k = 0;
    while (k < rest.length && done >= rest[k]!.length) done -= rest[k++]!.length;
    rest = rest.slice(k);
    if (rest.length > 0 && done > 0) rest[0] = rest[0]!.subarray(done);
  }
}
