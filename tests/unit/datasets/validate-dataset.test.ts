import { readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { validateDataset, writeDataset } from '../../../datasets/index.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { bars, removeAll, tempDir } from './helpers.js';

const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

async function dataset(): Promise<string> {
  const dir = join(await tempDir(cleanup), 'ds');
  await writeDataset(dir, [
    { kind: 'bars', symbol: 'A', columns: bars(100) },
    { kind: 'bars', symbol: 'B', columns: bars(50, 20) },
  ], {});
  return dir;
}

/** Rewrites a Parquet file through DuckDB with `select` over its rows (same schema). */
async function rewrite(file: string, select: string): Promise<void> {
  const s = await DuckSession.open();
  await s.conn.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${sqlString(file)})`);
  await s.conn.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`);
  s.close();
}

async function failure(dir: string): Promise<DataError> {
  const e = await validateDataset(dir, { batchRows: 16 }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DataError);
  return e as DataError;
}

describe('validateDataset', () => {
  it('accepts a dataset as written and returns its contentHash', async () => {
    const dir = await dataset();
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { contentHash: string };
    const v = await validateDataset(dir, { batchRows: 7 });
    expect(v).toMatchObject({ files: 2, rows: 150, contentHash: manifest.contentHash });
  });

  it('accepts the same content re-encoded differently (the hash is independent of Parquet encoding)', async () => {
    const dir = await dataset();
    const f = join(dir, 'bars', 'A.parquet');
    const s = await DuckSession.open();
    await s.conn.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${sqlString(f)})`);
    await s.conn.run(`COPY t TO ${sqlString(f)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 10)`);
    s.close();
    await expect(validateDataset(dir)).resolves.toMatchObject({ rows: 150 });
  });

  it('detects a changed value through the content hash', async () => {
    const dir = await dataset();
    const f = join(dir, 'bars', 'A.parquet');
    await rewrite(f, `SELECT ts, open, high, low, close, CASE WHEN ts = (SELECT max(ts) FROM t) THEN volume + 1 ELSE volume END AS volume FROM t`);
    const e = await failure(dir);
    expect(e.file).toBe(f);
    expect(e.message).toMatch(/content hash .* does not match manifest\.json/);
  });

  it('runs the row checks on the files and names file, row and column', async () => {
    const dir = await dataset();
    const f = join(dir, 'bars', 'B.parquet');
    await rewrite(f, `SELECT ts, open, CASE WHEN ts = (SELECT min(ts) FROM t) + 40 * 60000000::BIGINT THEN low - 1 ELSE high END AS high, low, close, volume FROM t`);
    const e = await failure(dir);
    expect([e.file, e.row, e.column]).toEqual([f, 41, 'high']);
  });

  it('reports a truncated Parquet file as unreadable', async () => {
    const dir = await dataset();
    const f = join(dir, 'bars', 'B.parquet');
    const bytes = await readFile(f);
    await writeFile(f, bytes.subarray(0, bytes.length >> 1));
    const e = await failure(dir);
    expect(e.file).toBe(f);
    expect(e.message).toMatch(/unreadable Parquet file/);
  });

  it('reports a file listed in the manifest but missing', async () => {
    const dir = await dataset();
    await rm(join(dir, 'bars', 'A.parquet'));
    expect((await failure(dir)).message).toMatch(/A\.parquet: unreadable Parquet file/);
  });

  it('reports a Parquet file the manifest does not list', async () => {
    const dir = await dataset();
    await copyFile(join(dir, 'bars', 'A.parquet'), join(dir, 'bars', 'C.parquet'));
    expect((await failure(dir)).message).toMatch(/C\.parquet: Parquet file not listed in manifest\.json/);
  });

  it('reports NULL in a required column and a wrong column type', async () => {
    const dir = await dataset();
    const f = join(dir, 'bars', 'A.parquet');
    await rewrite(f, `SELECT ts, open, high, low, NULL::DOUBLE AS close, volume FROM t`);
    expect((await failure(dir)).message).toMatch(/column 'close': 100 missing \(NULL\) values/);
    await rewrite(f, `SELECT ts, open, high, low, close, CAST(volume AS BIGINT) AS volume FROM t`);
    expect((await failure(dir)).message).toMatch(/column 'volume': column type BIGINT, expected DOUBLE/);
  });

  it('reports a missing or corrupt manifest', async () => {
    const dir = await dataset();
    await writeFile(join(dir, 'manifest.json'), '{"formatVersion": 1');
    expect((await failure(dir)).message).toMatch(/manifest\.json: not valid JSON/);
    await writeFile(join(dir, 'manifest.json'), '{"formatVersion": 1}');
    expect((await failure(dir)).message).toMatch(/manifest\.json: not a Tapedeck manifest/);
    await rm(join(dir, 'manifest.json'));
    expect((await failure(dir)).message).toMatch(/manifest\.json: no manifest\.json: not a Tapedeck dataset directory/);
  });

  it('detects a manifest whose contentHash was edited', async () => {
    const dir = await dataset();
    const p = join(dir, 'manifest.json');
    const m = JSON.parse(await readFile(p, 'utf8')) as { contentHash: string };
    m.contentHash = '0'.repeat(64);
    await writeFile(p, JSON.stringify(m));
    expect((await failure(dir)).message).toMatch(/contentHash 0{64} does not match/);
  });
});
