import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { ParquetConcat } from '../../../datasets/parquet-concat.js';
import { ParquetTableSink, SinkGroup, StringCodes } from '../../../datasets/table-sink.js';
import type { SinkColumn } from '../../../datasets/table-sink.js';
import { parquetCopyOptions } from '../../../datasets/writer.js';

let dir: string;
let session: DuckSession;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'table-sink-'));
  session = await DuckSession.open({ threads: 1 });
});
afterAll(async () => {
  session.close();
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS: readonly SinkColumn[] = [
  { name: 'ts', type: 'ts' },
  { name: 'id', type: 'str', numbered: 'O-' },
  { name: 'symbol', type: 'str' },
  { name: 'tag', type: 'str', nullable: true },
  { name: 'price', type: 'f64', nullable: true },
  { name: 'flag', type: 'bool' },
  { name: 'n', type: 'i64' },
];

/** Rows of a Parquet file as DuckDB reads them (times as epoch microseconds), in file order. */
async function rowsOf(file: string): Promise<unknown[][]> {
  const r = await session.conn.runAndReadAll(`SELECT epoch_us(ts)::DOUBLE, id, symbol, tag, price, flag, n::DOUBLE FROM read_parquet(${sqlString(file)})`);
  return r.getRowsJS() as unknown[][];
}

async function rowGroupsOf(file: string): Promise<number[]> {
  const r = await session.conn.runAndReadAll(`SELECT row_group_num_rows::INT FROM parquet_metadata(${sqlString(file)}) WHERE column_id = 0 ORDER BY row_group_id`);
  return (r.getRowsJS() as number[][]).map((row) => row[0]!);
}

async function typesOf(file: string): Promise<string[]> {
  const r = await session.conn.runAndReadAll(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(file)}))`);
  return (r.getRowsJS() as string[][]).map((row) => row[0]!);
}

/** Ids a numbered column must keep as text: not the prefix then an integer without leading zeros. */
const ODD_IDS = ['O-', 'O-01', 'O-1x', 'O--1', 'o-5', 'X-7', 'O-1234567890123456', 'O-1.5', '', '\u00e9t\u00e9 \u{1f600}'];

function sample(n: number): { batch: Record<string, Float64Array | (string | null)[]>; expected: unknown[][] } {
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const flag = new Float64Array(n);
  const num = new Float64Array(n);
  const id: string[] = [];
  const symbol: string[] = [];
  const tag: (string | null)[] = [];
  const expected: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    ts[i] = 946_684_800_000_000 + i * 60_000_000;
    price[i] = i % 7 === 3 ? Number.NaN : 100 + i / 8;
    flag[i] = i % 3 === 0 ? 1 : 0;
    num[i] = i - 5;
    id.push(i % 11 === 10 ? ODD_IDS[(i / 11) % ODD_IDS.length | 0]! : `O-${i}`);
    symbol.push(['AAA', 'BBB', 'C,"D"'][i % 3]!);
    // tag: a dictionary longer than a list literal takes (written through a variable); symbol: a short one.
    tag.push(i % 5 === 0 ? null : i % 5 === 1 ? '\u0001' : i % 5 === 4 ? `note-${i}` : `tag-${i % 4}`);
    expected.push([ts[i], id[i], symbol[i], i % 5 <= 1 ? null : tag[i], Number.isNaN(price[i]!) ? null : price[i], flag[i] === 1, num[i]]);
  }
  return { batch: { ts, id, symbol, tag, price, flag, n: num }, expected };
}

describe('ParquetTableSink', () => {
  it('writes every row in order with its value: strings coded, ids numbered, odd ids and nulls kept', async () => {
    const file = join(dir, 'one.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session });
    const { batch, expected } = sample(5000);
    sink.append(batch, 5000);
    expect(await sink.finish()).toBe(5000);
    expect(await rowsOf(file)).toEqual(expected);
    expect(await typesOf(file)).toEqual(['TIMESTAMP', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'DOUBLE', 'BOOLEAN', 'BIGINT']);
    // Straight from the staging table: no part directory was made.
    expect((await readdir(dir)).filter((n) => n.startsWith('one.parquet.parts'))).toEqual([]);
  });

  it('writes the same rows across parts, appended in batches, as in one part', async () => {
    const file = join(dir, 'parts.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 700 });
    const { batch, expected } = sample(5000);
    for (let at = 0; at < 5000; at += 1000) {
      const slice = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.slice(at, at + 1000)]));
      sink.append(slice, 1000);
      if (sink.wantsFlush) await sink.flush();
    }
    expect(await sink.finish()).toBe(5000);
    expect(await rowsOf(file)).toEqual(expected);
    expect((await readdir(dir)).filter((n) => n.startsWith('parts.parquet.parts'))).toEqual([]);
    // Each part written once is one row group of the file, whatever the batches appended: 7 of 700 rows, then the last 100.
    expect(await rowGroupsOf(file)).toEqual([700, 700, 700, 700, 700, 700, 700, 100]);
  });

  it('writes several tables of one session at once (a run writes its tables together), each whole and in order', async () => {
    // Before each sink staged on its own connection, sinks sharing the session's connection failed here with
    // DuckDB's "Attempting to execute an unsuccessful or closed pending query result".
    const own = await DuckSession.open({ threads: 2 });
    try {
      const { batch, expected } = sample(3000);
      const files = Array.from({ length: 12 }, (_, k) => join(dir, `together-${k}.parquet`));
      const sinks = await Promise.all(files.map((f) => ParquetTableSink.open(f, COLUMNS, { session: own, rowsPerPart: 100 })));
      const counts = await Promise.all(
        sinks.map(async (sink) => {
          for (let at = 0; at < 3000; at += 100) {
            sink.append(Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.slice(at, at + 100)])), 100);
            if (sink.wantsFlush) await sink.flush();
          }
          return sink.finish();
        }),
      );
      expect(counts).toEqual(files.map(() => 3000));
      for (const f of files) expect(await rowsOf(f)).toEqual(expected);
    } finally {
      own.close();
    }
  });

  it('splits rows never flushed into parts at finish, a whole number of parts with no empty one', async () => {
    const file = join(dir, 'unflushed.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 700 });
    const { batch, expected } = sample(2100);
    sink.append(batch, 2100);
    expect(await sink.finish()).toBe(2100);
    expect(await rowsOf(file)).toEqual(expected);
    expect(await rowGroupsOf(file)).toEqual([700, 700, 700]);
  });

  it('writes the row groups one write of every row gives (DuckDB row group size), and the same bytes for a table of one part', async () => {
    const { batch } = sample(130_000);
    const file = join(dir, 'groups.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session });
    for (let at = 0; at < 130_000; at += 4096) {
      const slice = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.slice(at, at + 4096)]));
      sink.append(slice, Math.min(4096, 130_000 - at));
      if (sink.wantsFlush) await sink.flush();
    }
    expect(await sink.finish()).toBe(130_000);
    expect(await rowGroupsOf(file)).toEqual([122_880, 7_120]);
    const whole = join(dir, 'groups-whole.parquet');
    await session.conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(file)})) TO ${sqlString(whole)} (${parquetCopyOptions('zstd')})`);
    expect(await rowGroupsOf(whole)).toEqual([122_880, 7_120]);
    expect(await rowsOf(file)).toEqual(await rowsOf(whole));

    const one = join(dir, 'one-part.parquet');
    const small = await ParquetTableSink.open(one, COLUMNS, { session });
    const first = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.slice(0, 2000)]));
    small.append(first, 2000);
    await small.finish();
    const direct = join(dir, 'one-direct.parquet');
    await session.conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(one)})) TO ${sqlString(direct)} (${parquetCopyOptions('zstd')})`);
    expect((await readFile(one)).equals(await readFile(direct))).toBe(true);
  });

  it("writes the next parts while a part's join waits, and joins them in order", async () => {
    const file = join(dir, 'held.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 1000 });
    const { batch, expected } = sample(4000);
    // The first join (part 1 onto part 0) is held until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const join1 = ParquetConcat.prototype.append;
    const append = vi.spyOn(ParquetConcat.prototype, 'append').mockImplementationOnce(async function (this: ParquetConcat, part: string) {
      await held;
      return join1.call(this, part);
    });
    try {
      const slice = (from: number, to: number) => Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.slice(from, to)]));
      sink.append(slice(0, 3000), 3000);
      await sink.flush();
      sink.append(slice(3000, 4000), 1000);
      // Returns once the parts handed before are written (parts 0-2): part 2 is not held by part 1's join.
      const flushed = await Promise.race([sink.flush().then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
      expect(flushed).toBe(true);
      // Part 1's join is the one held (the next joins wait behind it).
      await vi.waitFor(() => expect(append).toHaveBeenCalledTimes(1));
      release();
      expect(await sink.finish()).toBe(4000);
    } finally {
      release();
      append.mockRestore();
    }
    expect(await rowsOf(file)).toEqual(expected);
    expect(await rowGroupsOf(file)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('reports a part that failed in the background at finish, naming the table, and leaves no file', async () => {
    const file = join(dir, 'lost.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 1000, label: '/out/lost.parquet' });
    const { batch } = sample(2500);
    sink.append(batch, 2500);
    // The parts' directory is gone (a file is in its place): the first part fails after flush has returned.
    await rm(`${file}.parts`, { recursive: true });
    await writeFile(`${file}.parts`, 'in the way');
    await sink.flush();
    await expect(sink.finish()).rejects.toThrow(/^cannot write \/out\/lost\.parquet: /);
    expect(await readdir(dir).then((names) => names.filter((n) => n === 'lost.parquet'))).toEqual([]);
  });

  it('writes a column holding one value in a part (a literal, not staged) as DuckDB writes the same rows, whatever the value', async () => {
    // One value per column type, the awkward ones included: -0, NaN (NULL), a numbered id, the null text, null, a quoted string.
    const cases: Record<string, readonly (number | string | null)[]> = {
      ts: [946_684_800_000_000, -0],
      id: ['O-7', 'O-01', '\u00e9t\u00e9 \u{1f600}'],
      symbol: ['C,"D"', "it's"],
      tag: [null, '\u0001', 'note'],
      price: [Number.NaN, -0, 0.1, 1e-300, 123_456_789.123_456_78, Number.POSITIVE_INFINITY],
      flag: [1, 0],
      n: [-5, 2 ** 52],
    };
    const n = 900;
    const { batch } = sample(n);
    let k = 0;
    for (const [name, values] of Object.entries(cases)) {
      for (const v of values) {
        // Every row the value; then the value in the first rows only (the column is staged from the first row that differs).
        for (const rows of [n, n / 2]) {
          const base = batch[name]!;
          const column = typeof v === 'number' ? Float64Array.from(base as Float64Array, (x, i) => (i < rows ? v : x)) : (base as (string | null)[]).map((x, i) => (i < rows ? v : x));
          const file = join(dir, `constant-${k}.parquet`);
          const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 1000 });
          sink.append({ ...batch, [name]: column }, n);
          expect(await sink.finish()).toBe(n);
          const direct = join(dir, `constant-direct-${k}.parquet`);
          await session.conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(file)})) TO ${sqlString(direct)} (${parquetCopyOptions('zstd')})`);
          expect((await readFile(file)).equals(await readFile(direct)), `${name} = ${String(v)} in ${rows} rows`).toBe(true);
          k++;
        }
      }
    }
  });

  it('keeps every value of columns that hold one value in some parts and not in others, every column of one value included', async () => {
    const n = 3000;
    const { batch, expected } = sample(n);
    // price: one value in the first part, varying after; flag and n: one value in every part but the last.
    const price = Float64Array.from(batch['price'] as Float64Array, (x, i) => (i < 1000 ? 7.5 : x));
    const flag = Float64Array.from(batch['flag'] as Float64Array, (x, i) => (i < 2000 ? 1 : x));
    const num = Float64Array.from(batch['n'] as Float64Array, (x, i) => (i < 2000 ? 3 : x));
    // Rows 1000-1999 hold one value in every column: the part still carries its row count.
    const middle = (i: number): boolean => i >= 1000 && i < 2000;
    const sameNumber = (col: Float64Array, v: number): Float64Array => col.map((x, i) => (middle(i) ? v : x));
    const sameString = (col: (string | null)[], v: string | null): (string | null)[] => col.map((x, i) => (middle(i) ? v : x));
    const rows: Record<string, Float64Array | (string | null)[]> = {
      ts: sameNumber(batch['ts'] as Float64Array, 1),
      id: sameString(batch['id'] as string[], 'O-1'),
      symbol: sameString(batch['symbol'] as string[], 'AAA'),
      tag: sameString(batch['tag'] as (string | null)[], null),
      price: sameNumber(price, Number.NaN),
      flag,
      n: num,
    };
    const file = join(dir, 'mixed.parquet');
    const group = new SinkGroup(1);
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 1000, group });
    for (let at = 0; at < n; at += 250) {
      sink.append(Object.fromEntries(Object.entries(rows).map(([c, v]) => [c, v.slice(at, at + 250)])), 250);
      if (sink.wantsFlush) await sink.flush();
    }
    expect(await sink.finish()).toBe(n);
    const want = expected.map((r, i) => {
      const out = [...r];
      if (i >= 1000 && i < 2000) return [1, 'O-1', 'AAA', null, null, true, 3];
      if (i < 1000) out[4] = 7.5;
      if (i < 2000) [out[5], out[6]] = [true, 3];
      return out;
    });
    expect(await rowsOf(file)).toEqual(want);
    expect(await rowGroupsOf(file)).toEqual([1000, 1000, 1000]);
  });

  it('shares part buffers and write slots through a group: one write at a time, buffers taken again', async () => {
    const group = new SinkGroup(1);
    const taken = group.take(1000, 1000);
    group.give([taken]);
    expect(group.take(2000, 2000)).not.toBe(taken);
    expect(group.take(500, 2000)).toBe(taken);
    expect(group.take(500, 2000).length).toBe(2000);
    let running = 0;
    let most = 0;
    const op = async (): Promise<void> => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    };
    await Promise.all([group.write(op), group.write(op), group.write(op)]);
    expect(most).toBe(1);
    const two = new SinkGroup(2);
    most = 0;
    await Promise.all([two.write(op), two.write(op), two.write(op)]);
    expect(most).toBe(2);
    expect(() => new SinkGroup(0)).toThrow('writers must be a positive integer, got 0');
  });

  it('writes every part with the encodings of parquetCopyOptions: times and integers delta-packed, distinct doubles byte-stream-split, few strings in a dictionary, zstd', async () => {
    const file = join(dir, 'encodings.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session, rowsPerPart: 1000 });
    const { batch, expected } = sample(3000);
    sink.append(batch, 3000);
    await sink.flush();
    expect(await sink.finish()).toBe(3000);
    expect(await rowsOf(file)).toEqual(expected);
    const r = await session.conn.runAndReadAll(
      `SELECT path_in_schema, string_agg(DISTINCT encodings, ' '), string_agg(DISTINCT compression, ' '), count(*)::INT FROM parquet_metadata(${sqlString(file)}) GROUP BY path_in_schema ORDER BY path_in_schema`,
    );
    const byColumn = Object.fromEntries((r.getRowsJS() as [string, string, string, number][]).map(([name, encodings, compression, groups]) => [name, { encodings, compression, groups }]));
    expect(byColumn['ts']).toEqual({ encodings: 'DELTA_BINARY_PACKED', compression: 'ZSTD', groups: 3 });
    expect(byColumn['n']).toEqual({ encodings: 'DELTA_BINARY_PACKED', compression: 'ZSTD', groups: 3 });
    expect(byColumn['price']).toEqual({ encodings: 'BYTE_STREAM_SPLIT', compression: 'ZSTD', groups: 3 });
    expect(byColumn['symbol']).toEqual({ encodings: 'RLE_DICTIONARY', compression: 'ZSTD', groups: 3 });
    expect(byColumn['id']).toEqual({ encodings: 'DELTA_LENGTH_BYTE_ARRAY', compression: 'ZSTD', groups: 3 });
  });

  it('writes an empty table with its columns and types', async () => {
    const file = join(dir, 'empty.parquet');
    const sink = await ParquetTableSink.open(file, COLUMNS, { session });
    expect(await sink.finish()).toBe(0);
    expect(await rowsOf(file)).toEqual([]);
    expect(await typesOf(file)).toEqual(['TIMESTAMP', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'DOUBLE', 'BOOLEAN', 'BIGINT']);
  });

  it('keeps row order and values with a session of several threads, from parts and straight from staging', async () => {
    const many = await DuckSession.open({ threads: 4 });
    try {
      for (const parts of [true, false]) {
        const file = join(dir, `threads-${parts}.parquet`);
        const sink = await ParquetTableSink.open(file, COLUMNS, { session: many, rowsPerPart: 20_000 });
        const { batch, expected } = sample(60_000);
        sink.append(batch, 60_000);
        if (parts) await sink.flush();
        expect(await sink.finish()).toBe(60_000);
        const rows = await rowsOf(file);
        expect(rows.length).toBe(60_000);
        const wrong = rows.filter((r, i) => JSON.stringify(r) !== JSON.stringify(expected[i]));
        expect(wrong.slice(0, 3)).toEqual([]);
      }
    } finally {
      many.close();
    }
  });
});

/** A string column as codes of its values (the values listed in an order of their own, some twice, some unused). */
function asCodes(values: readonly (string | null)[]): { codes: Int32Array; values: (string | null)[] } {
  const dictionary = ['unused', ...[...new Set(values)].reverse()];
  dictionary.push(dictionary[1]!);
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = dictionary.indexOf(values[i]!);
    // Every other row of a repeated value through its second entry.
    codes[i] = k === 1 && i % 2 === 0 ? dictionary.length - 1 : k;
  }
  return { codes, values: dictionary };
}

describe('ParquetTableSink, strings given as codes', () => {
  it('writes the same bytes from codes and numbers as from the strings, across parts and batches', async () => {
    const n = 5000;
    const { batch } = sample(n);
    // Ids numbered only (O-<k>), and a nullable numbered column with nulls: given as numbers, NaN for null.
    const ids = Array.from({ length: n }, (_, i) => `O-${i * 7}`);
    const owner = Array.from({ length: n }, (_, i) => (i % 9 === 4 ? null : `O-${i % 13}`));
    const columns: SinkColumn[] = [...COLUMNS, { name: 'num', type: 'str', numbered: 'O-' }, { name: 'owner', type: 'str', nullable: true, numbered: 'O-' }];
    const asStrings = { ...batch, num: ids, owner };
    const given = {
      ...batch,
      id: asCodes(batch['id'] as string[]),
      symbol: asCodes(batch['symbol'] as string[]),
      tag: asCodes(batch['tag'] as (string | null)[]),
      num: { numbers: Float64Array.from(ids, (v) => Number(v.slice(2))) },
      owner: { numbers: Float64Array.from(owner, (v) => (v === null ? Number.NaN : Number(v.slice(2)))) },
    };
    const write = async (name: string, b: Record<string, unknown>): Promise<Buffer> => {
      const file = join(dir, name);
      const sink = await ParquetTableSink.open(file, columns, { session, rowsPerPart: 1500 });
      for (let at = 0; at < n; at += 1100) {
        const m = Math.min(1100, n - at);
        const slice = Object.fromEntries(
          Object.entries(b).map(([k, v]) => [
            k,
            v instanceof Float64Array
              ? v.slice(at, at + m)
              : Array.isArray(v)
                ? v.slice(at, at + m)
                : 'codes' in (v as object)
                  ? { codes: (v as { codes: Int32Array }).codes.slice(at, at + m), values: (v as { values: string[] }).values }
                  : { numbers: (v as { numbers: Float64Array }).numbers.slice(at, at + m) },
          ]),
        );
        sink.append(slice, m);
        if (sink.wantsFlush) await sink.flush();
      }
      expect(await sink.finish()).toBe(n);
      return readFile(file);
    };
    const fromStrings = await write('given-strings.parquet', asStrings);
    const fromCodes = await write('given-codes.parquet', given);
    expect(fromCodes.equals(fromStrings)).toBe(true);
    const r = await session.conn.runAndReadAll(`SELECT count(*)::INT FROM read_parquet(${sqlString(join(dir, 'given-codes.parquet'))}) WHERE owner IS NULL`);
    expect(r.getRowsJS()).toEqual([[Math.ceil((n - 4) / 9)]]);
  });

  it('refuses a code outside its values, numbers for a column not numbered, a fraction, and a null in a column not nullable', async () => {
    const columns: SinkColumn[] = [
      { name: 'a', type: 'str', numbered: 'O-' },
      { name: 'b', type: 'str' },
    ];
    const sink = await ParquetTableSink.open(join(dir, 'refused.parquet'), columns, { session });
    expect(() => sink.append({ a: ['O-1'], b: { codes: new Int32Array([2]), values: ['x', 'y'] } }, 1)).toThrow(/code 2 outside its 2 values/);
    expect(() => sink.append({ a: ['O-1'], b: { numbers: new Float64Array([1]) } }, 1)).toThrow(/not numbered/);
    expect(() => sink.append({ a: { numbers: new Float64Array([1.5]) }, b: ['x'] }, 1)).toThrow(/not a number a numbered column holds/);
    expect(() => sink.append({ a: { numbers: new Float64Array([Number.NaN]) }, b: ['x'] }, 1)).toThrow(/not nullable/);
    expect(() => sink.append({ a: { numbers: new Float64Array(0) }, b: ['x'] }, 1)).toThrow(/shorter than 1 rows/);
    await sink.abort();
  });
});

describe('StringCodes', () => {
  it('numbers prefixed integers, lists other values once in order of appearance, and codes null', () => {
    const c = new StringCodes('O-', null);
    expect([c.code('O-12'), c.code('O-0'), c.code('B'), c.code('A'), c.code('B'), c.code(null), c.code('O-012')]).toEqual([12, 0, -1, -2, -1, Number.NaN, -3]);
    expect(c.values).toEqual(['B', 'A', 'O-012']);
    const notNullable = new StringCodes(undefined, '\u0001');
    expect([notNullable.code(null), notNullable.code('O-1')]).toEqual([-1, -2]);
    expect(notNullable.values).toEqual(['\u0001', 'O-1']);
  });
});
