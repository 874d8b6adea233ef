import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { importTable, isCloseOnly, isCloseOnlyFile, readAll, readManifest, validateDataset } from '../../../datasets/index.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { entries, removeAll, tempDir } from './helpers.js';

/** The closes kind (a close-only series) and tick files imported as trades. */
const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

const T0 = Date.UTC(1996, 2, 31, 22) * 1000;
const HALF_HOUR = 1_800_000_000;

async function importText(text: string, kind: 'closes' | 'trades' | 'bars', name = 'in.csv'): Promise<{ out: string; root: string; result: Awaited<ReturnType<typeof importTable>> }> {
  const root = await tempDir(cleanup);
  const input = join(root, name);
  await writeFile(input, text);
  const out = join(root, 'ds');
  const result = await importTable({ input, kind, symbol: 'USDCHF', out });
  return { out, root, result };
}

async function importFails(text: string, kind: 'closes' | 'trades' | 'bars'): Promise<DataError> {
  const err = await importText(text, kind).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('the closes kind', () => {
  it("imports R's one-series layout (ts and a column named after the series) exactly, the series column as close", async () => {
    const { out, result } = await importText('ts,USDCHF\n1996-03-31T22:00:00Z,1.193\n1996-03-31T22:30:00Z,1.1941\n1996-03-31T23:00:00Z,1.1933\n', 'closes');
    expect(result.rows).toBe(3);
    expect(result.mapping).toEqual({ ts: 'ts', close: 'USDCHF' });
    const r = await readAll(out, { kind: 'closes' });
    expect(Array.from(r.columns['ts']!)).toEqual([T0, T0 + HALF_HOUR, T0 + 2 * HALF_HOUR]);
    expect(Array.from(r.columns['close']!)).toEqual([1.193, 1.1941, 1.1933]);
    const m = await readManifest(out);
    expect(m.kinds).toEqual(['closes']);
    expect(m.rows).toEqual({ closes: { USDCHF: 3 } });
  });

  it('takes the value from a column named price, value, rate, last or adj close, and ignores the others', async () => {
    for (const name of ['Price', 'value', 'Rate', 'Last', 'Adj Close']) {
      const { result } = await importText(`Date,${name},Comment\n2024-01-02,1.5,a\n2024-01-03,1.25,b\n`, 'closes');
      expect(result.mapping['close'], name).toBe(name);
      expect(result.ignoredColumns, name).toEqual(['Comment']);
    }
  });

  it('prefers a column named close over the other names', async () => {
    const { result } = await importText('ts,price,close\n2024-01-02,1,2\n', 'closes');
    expect(result.mapping['close']).toBe('close');
  });

  it('refuses a file with two candidate value columns and none named like a close, naming the kind and its columns', async () => {
    const err = await importFails('ts,a,b\n2024-01-02,1,2\n', 'closes');
    expect(err.message).toMatch(/missing column: closes needs a value column \(close, price, value, rate, last or adj close, or the only column besides the time\); the file has 'ts', 'a', 'b'/);
  });

  it('refuses a repeated timestamp (a series has one value per time), naming row 2 and the time column', async () => {
    const err = await importFails('ts,USDCHF\n2024-01-02,1.5\n2024-01-02,1.6\n', 'closes');
    expect(err.row).toBe(2);
    expect(err.column).toBe('ts');
    expect(err.message).toMatch(/duplicate timestamp/);
  });

  it('refuses a non-positive close and an out-of-order time, naming the input column', async () => {
    const zero = await importFails('ts,USDCHF\n2024-01-02,1.5\n2024-01-03,0\n', 'closes');
    expect([zero.row, zero.column]).toEqual([2, 'USDCHF']);
    expect(zero.message).toMatch(/close is 0, expected a positive price/);
    const back = await importFails('ts,USDCHF\n2024-01-03,1.5\n2024-01-02,1.6\n', 'closes');
    expect([back.row, back.column]).toEqual([2, 'ts']);
  });

  it('imports a close-only Parquet file (a pandas Series written with to_frame().to_parquet())', async () => {
    const root = await tempDir(cleanup);
    const pq = join(root, 'eurchf.parquet');
    const s = await DuckSession.open();
    await s.conn.run(`COPY (SELECT TIMESTAMP '2024-01-02' + INTERVAL (i) HOUR AS "datetime", 0.93 + i * 0.5 AS "EURCHF" FROM range(4) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`);
    s.close();
    expect(await isCloseOnlyFile(pq, 'parquet')).toBe(true);
    const out = join(root, 'ds');
    const res = await importTable({ input: pq, kind: 'closes', symbol: 'EURCHF', out });
    expect(res.mapping).toEqual({ ts: 'datetime', close: 'EURCHF' });
    const r = await readAll(out, { kind: 'closes' });
    expect(Array.from(r.columns['close']!)).toEqual([0.93, 1.43, 1.93, 2.43]);
  });

  it('hashes the values, not the file: the same closes under another header give the same content hash, another close a different one', async () => {
    const a = await importText('ts,USDCHF\n2024-01-02,1.5\n2024-01-03,1.25\n', 'closes');
    const b = await importText('Date,Price\n2024-01-02,1.50\n2024-01-03,1.250\n', 'closes');
    const c = await importText('ts,USDCHF\n2024-01-02,1.5\n2024-01-03,1.26\n', 'closes');
    const [ha, hb, hc] = await Promise.all([a, b, c].map(async (x) => (await readManifest(x.out)).contentHash));
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
  });

  it('passes data validate, which checks its schema, rows and hashes', async () => {
    const { out } = await importText('ts,USDCHF\n2024-01-02,1.5\n2024-01-03,1.25\n', 'closes');
    const v = await validateDataset(out);
    expect([v.files, v.rows, v.manifest.kinds]).toEqual([1, 2, ['closes']]);
  });

  it('tells a bars import of a close-only file to import it as closes and resample it', async () => {
    const err = await importFails('ts,USDCHF\n2024-01-02,1.5\n', 'bars');
    expect(err.message).toMatch(/bars needs a column 'open'; the file has 'ts', 'USDCHF': a close-only file imports with --kind closes, and `tapedeck data resample` builds bars from it/);
    const ohlc = await importFails('ts,Open,Close\n2024-01-02,1.5,1.5\n', 'bars');
    expect(ohlc.message).not.toMatch(/close-only/);
  });

  it('isCloseOnly: a time and one value column, or a time and a close-like column; never a file with open, high or low', () => {
    expect(isCloseOnly(['ts', 'USDCHF'])).toBe(true);
    expect(isCloseOnly(['', 'SPY'])).toBe(true);
    expect(isCloseOnly(['Date', 'Close', 'Volume'])).toBe(true);
    expect(isCloseOnly(['Date', 'Open', 'Close'])).toBe(false);
    expect(isCloseOnly(['Date', 'a', 'b'])).toBe(false);
    expect(isCloseOnly(['price', 'size'])).toBe(false);
  });
});

describe('tick files as trades', () => {
  it('imports a tick file of ts and price only: size 0 (unknown) and side 0 (unknown)', async () => {
    const { out, result } = await importText('timestamp,price\n2024-01-02T09:30:00Z,100\n2024-01-02T09:30:00.5Z,100.25\n', 'trades');
    expect(result.mapping).toEqual({ ts: 'timestamp', price: 'price' });
    const r = await readAll(out, { kind: 'trades' });
    expect(Array.from(r.columns['price']!)).toEqual([100, 100.25]);
    expect(Array.from(r.columns['size']!)).toEqual([0, 0]);
    expect(Array.from(r.columns['side']!)).toEqual([0, 0]);
  });

  it('keeps a given size and refuses ticks out of time order, naming the row (a dataset is always in time order)', async () => {
    const { out } = await importText('ts,price,qty\n2024-01-02T09:30:00Z,100,3\n2024-01-02T09:30:00Z,101,2\n', 'trades');
    expect(Array.from((await readAll(out, { kind: 'trades' })).columns['size']!)).toEqual([3, 2]);
    const root = await tempDir(cleanup);
    const input = join(root, 'ticks.csv');
    await writeFile(input, 'ts,price\n2024-01-02T09:31:00Z,100\n2024-01-02T09:30:00Z,101\n');
    const err = await importTable({ input, kind: 'trades', symbol: 'T', out: join(root, 'ds') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect([(err as DataError).row, (err as DataError).column]).toEqual([2, 'ts']);
    expect(await entries(root)).toEqual(['ticks.csv']);
  });
});
