import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InvariantError } from '../engine/core/index.js';

/**
 * Joins Parquet files of one schema into one file without decoding a page: each file's row groups are
 * copied byte for byte after the previous file's, and one footer lists them all, its byte offsets moved
 * by where each file's row groups now start. A table written as parts (ParquetTableSink) becomes one file
 * for the price of copying its bytes: the rows are compressed once, not written, read back and
 * compressed again.
 *
 * The footer (Parquet's FileMetaData) is Thrift's compact protocol: it is read into a generic tree
 * (field ids, types and values as written), the offsets changed, and written back in the same order.
 */

const MAGIC = 'PAR1';
const COPY_BYTES = 1 << 20;

// Thrift compact protocol type ids.
const T_TRUE = 1;
const T_FALSE = 2;
const T_BYTE = 3;
const T_I16 = 4;
export const T_I32 = 5;
export const T_I64 = 6;
const T_DOUBLE = 7;
export const T_BINARY = 8;
export const T_LIST = 9;
const T_SET = 10;
const T_MAP = 11;
export const T_STRUCT = 12;

export type TValue = bigint | number | boolean | Uint8Array | TStruct | TList | TMap;
export interface TField {
  readonly id: number;
  readonly type: number;
  value: TValue;
}
export interface TStruct {
  readonly kind: 'struct';
  readonly fields: TField[];
}
export interface TList {
  readonly kind: 'list';
  readonly type: number;
  readonly elemType: number;
  readonly items: TValue[];
}
interface TMap {
  readonly kind: 'map';
  readonly keyType: number;
  readonly valueType: number;
  readonly entries: [TValue, TValue][];
}

class Reader {
  at = 0;
  constructor(private readonly b: Uint8Array) {}

  byte(): number {
    if (this.at >= this.b.length) throw new InvariantError('Parquet footer ends early');
    return this.b[this.at++]!;
  }

  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const x = this.byte();
      v |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return v;
      shift += 7n;
    }
  }

  zigzag(): bigint {
    const v = this.varint();
    return (v >> 1n) ^ -(v & 1n);
  }

  value(type: number): TValue {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        return this.byte() === T_TRUE; // an element of a list (a field's bool is in its header)
      case T_BYTE:
        return this.byte();
      case T_I16:
      case T_I32:
        return Number(this.zigzag());
      case T_I64:
        return this.zigzag();
      case T_DOUBLE: {
        const v = this.b.slice(this.at, this.at + 8);
        this.at += 8;
        return v;
      }
      case T_BINARY: {
        const n = Number(this.varint());
        const v = this.b.slice(this.at, this.at + n);
        this.at += n;
        return v;
      }
      case T_LIST:
      case T_SET: {
        const h = this.byte();
        const n = h >> 4 === 15 ? Number(this.varint()) : h >> 4;
        const elemType = h & 0x0f;
        const items: TValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(elemType));
        return { kind: 'list', type, elemType, items };
      }
      case T_MAP: {
        const n = Number(this.varint());
        const kv = n > 0 ? this.byte() : 0;
        const entries: [TValue, TValue][] = [];
        for (let i = 0; i < n; i++) entries.push([this.value(kv >> 4), this.value(kv & 0x0f)]);
        return { kind: 'map', keyType: kv >> 4, valueType: kv & 0x0f, entries };
      }
      case T_STRUCT:
        return this.struct();
      default:
        throw new InvariantError(`Parquet footer: unknown Thrift type ${type}`);
    }
  }

  struct(): TStruct {
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return { kind: 'struct', fields };
      const type = h & 0x0f;
      const id = h >> 4 === 0 ? Number(this.zigzag()) : last + (h >> 4);
      last = id;
      fields.push({ id, type, value: type === T_TRUE || type === T_FALSE ? type === T_TRUE : this.value(type) });
    }
  }
}

/** Writes a Thrift compact-protocol tree (a footer read by Reader, or one built by parquet-doubles.ts). */
export class Writer {
  private readonly out: number[] = [];

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  varint(v: bigint): void {
    while (v >= 0x80n) {
      this.out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.out.push(Number(v));
  }

  zigzag(v: bigint): void {
    this.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
  }

  raw(b: Uint8Array): void {
    for (const x of b) this.out.push(x);
  }

  value(type: number, v: TValue): void {
    switch (type) {
      case T_TRUE:
      case T_FALSE:
        this.out.push(v === true ? T_TRUE : T_FALSE);
        return;
      case T_BYTE:
        this.out.push((v as number) & 0xff);
        return;
      case T_I16:
      case T_I32:
        this.zigzag(BigInt(v as number));
        return;
      case T_I64:
        this.zigzag(v as bigint);
        return;
      case T_DOUBLE:
        this.raw(v as Uint8Array);
        return;
      case T_BINARY:
        this.varint(BigInt((v as Uint8Array).length));
        this.raw(v as Uint8Array);
        return;
      case T_LIST:
      case T_SET: {
        const l = v as TList;
        if (l.items.length < 15) this.out.push((l.items.length << 4) | l.elemType);
        else {
          this.out.push(0xf0 | l.elemType);
          this.varint(BigInt(l.items.length));
        }
        for (const item of l.items) this.value(l.elemType, item);
        return;
      }
      case T_MAP: {
        const m = v as TMap;
        this.varint(BigInt(m.entries.length));
        if (m.entries.length > 0) this.out.push((m.keyType << 4) | m.valueType);
        for (const [k, x] of m.entries) {
          this.value(m.keyType, k);
          this.value(m.valueType, x);
        }
        return;
      }
      case T_STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new InvariantError(`Parquet footer: unknown Thrift type ${type}`);
    }
  }

  struct(s: TStruct): void {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T_TRUE || f.type === T_FALSE ? (f.value === true ? T_TRUE : T_FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.out.push((delta << 4) | type);
      else {
        this.out.push(type);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (type !== T_TRUE && type !== T_FALSE) this.value(type, f.value);
    }
    this.out.push(0);
  }
}

function field(s: TStruct, id: number): TField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** Adds `delta` to the i64 field `id` of `s` when it is there and positive (DuckDB writes 0 for offsets it leaves unset). */
function shift(s: TStruct, id: number, delta: bigint): void {
  const f = field(s, id);
  if (f !== undefined && f.type === T_I64 && (f.value as bigint) > 0n) f.value = (f.value as bigint) + delta;
}

// FileMetaData: 3 num_rows, 4 row_groups. RowGroup: 1 columns, 5 file_offset, 7 ordinal. ColumnChunk: 2 file_offset,
// 3 meta_data, 4 offset_index_offset, 6 column_index_offset. ColumnMetaData: 9 data_page_offset, 10 index_page_offset,
// 11 dictionary_page_offset, 14 bloom_filter_offset.
const FMD_NUM_ROWS = 3;
const FMD_ROW_GROUPS = 4;

/** Moves every byte offset of a row group by `delta` (its bytes moved by that much). */
function moveRowGroup(rg: TStruct, delta: bigint): void {
  shift(rg, 5, delta);
  const columns = field(rg, 1)?.value as TList | undefined;
  for (const c of columns?.items ?? []) {
    const chunk = c as TStruct;
    shift(chunk, 2, delta);
    shift(chunk, 4, delta);
    shift(chunk, 6, delta);
    const meta = field(chunk, 3)?.value as TStruct | undefined;
    if (meta !== undefined) for (const id of [9, 10, 11, 14]) shift(meta, id, delta);
  }
}

/** A Parquet file's footer and where it starts. */
async function readFooter(fh: FileHandle, file: string): Promise<{ meta: TStruct; start: number }> {
  const size = (await fh.stat()).size;
  const tail = Buffer.alloc(8);
  await fh.read(tail, 0, 8, size - 8);
  if (size < 12 || tail.toString('latin1', 4) !== MAGIC) throw new InvariantError(`${file} is not a Parquet file`);
  const len = tail.readUInt32LE(0);
  const start = size - 8 - len;
  const bytes = Buffer.alloc(len);
  await fh.read(bytes, 0, len, start);
  const meta = new Reader(bytes).struct();
  if (field(meta, FMD_ROW_GROUPS)?.type !== T_LIST || field(meta, FMD_NUM_ROWS)?.type !== T_I64) throw new InvariantError(`${file}: a Parquet footer without row groups`);
  return { meta, start };
}

/**
 * A Parquet file grown by appending the row groups of others of the same schema (see the module's note):
 * `open` takes the first file (it becomes the joined one), `append` each next, `close` writes the footer.
 */
export class ParquetConcat {
  /** The bytes being copied (one buffer for every file appended, not one each). */
  private readonly buf = Buffer.allocUnsafe(COPY_BYTES);

  private constructor(
    private readonly fh: FileHandle,
    private readonly meta: TStruct,
    /** Where the next file's row groups go (the end of the row groups so far). */
    private end: number,
  ) {}

  /** Opens `file` to append to: its footer is cut off until {@link close}. */
  static async open(file: string): Promise<ParquetConcat> {
    const fh = await open(file, 'r+');
    try {
      const { meta, start } = await readFooter(fh, file);
      await fh.truncate(start);
      return new ParquetConcat(fh, meta, start);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Appends the row groups of `file` (same schema), in order. */
  async append(file: string): Promise<void> {
    const src = await open(file, 'r');
    try {
      const { meta, start } = await readFooter(src, file);
      const delta = BigInt(this.end - 4);
      for (let at = 4; at < start; ) {
        const { bytesRead } = await src.read(this.buf, 0, Math.min(COPY_BYTES, start - at), at);
        if (bytesRead === 0) throw new InvariantError(`${file} ends early`);
        await this.write(this.buf.subarray(0, bytesRead));
        at += bytesRead;
      }
      const groups = (field(this.meta, FMD_ROW_GROUPS)!.value as TList).items;
      for (const rg of (field(meta, FMD_ROW_GROUPS)!.value as TList).items) {
        moveRowGroup(rg as TStruct, delta);
        const ordinal = field(rg as TStruct, 7);
        if (ordinal !== undefined) ordinal.value = groups.length;
        groups.push(rg);
      }
      const rows = field(this.meta, FMD_NUM_ROWS)!;
      rows.value = (rows.value as bigint) + (field(meta, FMD_NUM_ROWS)!.value as bigint);
    } finally {
      await src.close();
    }
  }

  /** Writes the joined footer and closes the file. */
  async close(): Promise<void> {
    try {
      const w = new Writer();
      w.struct(this.meta);
      const footer = w.bytes();
      const tail = Buffer.alloc(8);
      tail.writeUInt32LE(footer.length, 0);
      tail.write(MAGIC, 4, 'latin1');
      await this.write(footer);
      await this.write(tail);
    } finally {
      await this.fh.close();
    }
  }

  private async write(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, this.end);
      done += bytesWritten;
      this.end += bytesWritten;
    }
  }
}
