import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { ParquetConcat } from '../../../datasets/parquet-concat.js';

let dir: string;
let session: DuckSession;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parquet-concat-'));
  session = await DuckSession.open({ threads: 1 });
});
afterAll(async () => {
  session.close();
  await rm(dir, { recursive: true, force: true });
});

/** Rows i in [from, to): a timestamp, a few distinct strings (dictionary pages and bloom filters), nulls, doubles. */
function rowsSql(from: number, to: number): string {
  return `SELECT make_timestamp(946684800000000 + i * 60000000) AS ts, ['AAA', 'BBB', NULL][1 + i % 3] AS symbol, 'O-' || i AS id, CASE WHEN i % 7 = 3 THEN NULL ELSE i / 8 END AS price, i % 2 = 0 AS flag, i::BIGINT AS n FROM range(${from}, ${to}) t(i)`;
}

async function write(file: string, sql: string): Promise<void> {
  await session.conn.run(`COPY (${sql}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

async function query(sql: string): Promise<unknown[][]> {
  return (await session.conn.runAndReadAll(sql)).getRowsJS() as unknown[][];
}

describe('ParquetConcat', () => {
  it('writes a footer back byte for byte (the Thrift compact protocol read and written unchanged)', async () => {
    const file = join(dir, 'same.parquet');
    await write(file, rowsSql(0, 3000));
    const before = await readFile(file);
    await (await ParquetConcat.open(file)).close();
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('joins files into one whose rows, order, row groups and statistics are the parts, in order', async () => {
    const bounds = [0, 2000, 2001, 4500, 9000];
    const parts: string[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      parts.push(join(dir, `part-${k}.parquet`));
      await write(parts[k]!, rowsSql(bounds[k]!, bounds[k + 1]!));
    }
    const joined = join(dir, 'joined.parquet');
    await copyFile(parts[0]!, joined);
    const c = await ParquetConcat.open(joined);
    for (const p of parts.slice(1)) await c.append(p);
    await c.close();

    const whole = join(dir, 'whole.parquet');
    await write(whole, rowsSql(0, 9000));
    const rows = await query(`SELECT *, epoch_us(ts)::DOUBLE FROM read_parquet(${sqlString(joined)})`);
    expect(rows).toEqual(await query(`SELECT *, epoch_us(ts)::DOUBLE FROM read_parquet(${sqlString(whole)})`));
    expect(rows.length).toBe(9000);
    expect(rows.map((r) => r[5])).toEqual(Array.from({ length: 9000 }, (_, i) => BigInt(i)));
    // One row group per part, each with its own statistics (min/max of n), and the file's row count.
    const groups = await query(`SELECT row_group_id, row_group_num_rows, stats_min, stats_max FROM parquet_metadata(${sqlString(joined)}) WHERE path_in_schema = 'n' ORDER BY row_group_id`);
    expect(groups).toEqual([
      [0n, 2000n, '0', '1999'],
      [1n, 1n, '2000', '2000'],
      [2n, 2499n, '2001', '4499'],
      [3n, 4500n, '4500', '8999'],
    ]);
    expect(await query(`SELECT num_rows, num_row_groups FROM parquet_file_metadata(${sqlString(joined)})`)).toEqual([[9000n, 4n]]);
    // Dictionary pages and bloom filters are found where the offsets now point: a filter on them reads the right rows.
    expect(await query(`SELECT count(*)::INT FROM read_parquet(${sqlString(joined)}) WHERE symbol = 'BBB' AND n >= 4500`)).toEqual([[1500]]);
  });

  it('refuses a file that is not Parquet, naming it', async () => {
    const file = join(dir, 'not.parquet');
    await session.conn.run(`COPY (SELECT 1 AS x) TO ${sqlString(file)} (FORMAT csv)`);
    await expect(ParquetConcat.open(file)).rejects.toThrow(`${file} is not a Parquet file`);
  });
});
