import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { importTable, readAll, readManifest, writeDataset, type ImportOptions } from '../../../datasets/index.js';
import { readCsvJs } from '../../../datasets/import.js';

const T0_TEST = 1_700_000_000_000_000;
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { entries, exists, removeAll, snapshotTree, tempDir } from './helpers.js';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/csv/daily-ohlcv.csv');
const EXPECTED = resolve(import.meta.dirname, '../../fixtures/csv/daily-ohlcv.expected.json');
const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

async function csvFile(root: string, name: string, text: string): Promise<string> {
  const p = join(root, name);
  await writeFile(p, text);
  return p;
}

const HEADER = ',Open,High,Low,Close,Volume\n';
const GOOD_ROWS = ['2024-01-02,10,11,9,10.5,1000', '2024-01-03,10.5,12,10,11,2000', '2024-01-04,11,11.5,10.5,11.25,1500'];

/** Imports `text` into a fresh directory and returns the DataError, checking that nothing was written. */
async function importError(text: string, opts: Partial<ImportOptions> = {}): Promise<DataError> {
  const root = await tempDir(cleanup);
  const input = await csvFile(root, 'in.csv', text);
  const out = join(root, 'out');
  const err = await importTable({ input, kind: 'bars', symbol: 'SYM', out, ...opts }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  expect(await exists(out)).toBe(false);
  expect(await entries(root)).toEqual(['in.csv']); // no staging leftovers either
  return err as DataError;
}

describe('importTable (CSV)', () => {
  it('keeps every row of a real daily OHLCV CSV exactly, dates and values bit for bit', async () => {
    const out = join(await tempDir(cleanup), 'ds');
    const result = await importTable({ input: FIXTURE, kind: 'bars', symbol: 'TEST', out });
    expect(result.rows).toBe(300);
    const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as Record<string, number[]>;
    const r = await readAll(out, { kind: 'bars' });
    expect(r.length).toBe(300);
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) {
      const got = r.columns[c]!;
      const want = expected[c]!;
      for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]), `${c}[${i}]: ${got[i]} vs ${want[i]}`).toBe(true);
    }
    // and against the CSV text itself, parsed independently
    const lines = (await readFile(FIXTURE, 'utf8')).trim().split('\n').slice(1);
    lines.forEach((line, i) => {
      const [date, ...values] = line.split(',');
      expect(r.columns['ts']![i]).toBe(Date.parse(`${date}T00:00:00Z`) * 1000);
      ['open', 'high', 'low', 'close', 'volume'].forEach((c, k) => expect(r.columns[c]![i]).toBe(Number(values[k])));
    });
    const m = await readManifest(out);
    expect(m.createdBy).toMatchObject({ importedFrom: 'daily-ohlcv.csv', format: 'csv' });
    expect(m.createdBy['sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same contentHash when the same file is imported twice', async () => {
    const root = await tempDir(cleanup);
    const a = await importTable({ input: FIXTURE, kind: 'bars', symbol: 'TEST', out: join(root, 'a') });
    const b = await importTable({ input: FIXTURE, kind: 'bars', symbol: 'TEST', out: join(root, 'b') });
    expect(a.manifest.contentHash).toBe(b.manifest.contentHash);
    expect(await readFile(join(root, 'a', 'manifest.json'), 'utf8')).toBe(await readFile(join(root, 'b', 'manifest.json'), 'utf8'));
  });

  it('matches column names case-insensitively, takes a named Date column and defaults a missing volume to 0', async () => {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'x.csv', 'date,OPEN,high,Low,close,Adj Close\r\n2024-01-02,10,11,9,10.5,10.4\r\n"2024-01-03",10.5,12,10,11,10.9\r\n');
    const res = await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'ds') });
    expect(res.mapping).toEqual({ ts: 'date', open: 'OPEN', high: 'high', low: 'Low', close: 'close' });
    expect(res.ignoredColumns).toEqual(['Adj Close']);
    const r = await readAll(join(root, 'ds'), { kind: 'bars' });
    expect(Array.from(r.columns['volume']!)).toEqual([0, 0]);
    expect(Array.from(r.columns['close']!)).toEqual([10.5, 11]);
  });

  it('parses ISO datetimes with zones as UTC instants and numeric epochs with an explicit unit', async () => {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'x.csv', 'Timestamp,open,high,low,close\n2024-01-02 09:30:00-05:00,1,1,1,1\n2024-01-02T14:31:00.000123Z,1,1,1,1\n');
    await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'a') });
    const r = await readAll(join(root, 'a'), { kind: 'bars' });
    expect(Array.from(r.columns['ts']!)).toEqual([Date.UTC(2024, 0, 2, 14, 30) * 1000, Date.UTC(2024, 0, 2, 14, 31) * 1000 + 123]);
    const epoch = await csvFile(root, 'e.csv', 'ts,open,high,low,close\n1704205800000000000,1,1,1,1\n1704205860000000999,1,1,1,1\n');
    await importTable({ input: epoch, kind: 'bars', symbol: 'X', out: join(root, 'b'), epochUnit: 'ns' });
    expect(Array.from((await readAll(join(root, 'b'), { kind: 'bars' })).columns['ts']!)).toEqual([1704205800000000, 1704205860000000]);
  });

  it('appends a second symbol to an existing dataset and updates the manifest', async () => {
    const root = await tempDir(cleanup);
    const out = join(root, 'ds');
    await importTable({ input: FIXTURE, kind: 'bars', symbol: 'AAA', out });
    const before = await snapshotTree(out);
    const input = await csvFile(root, 'b.csv', HEADER + GOOD_ROWS.join('\n'));
    const { manifest } = await importTable({ input, kind: 'bars', symbol: 'BBB', out });
    expect(manifest.symbols).toEqual(['AAA', 'BBB']);
    expect(manifest.rows).toEqual({ bars: { AAA: 300, BBB: 3 } });
    expect((await snapshotTree(out))['bars/AAA.parquet']).toBe(before['bars/AAA.parquet']);
  });

  it('refuses to import the same symbol again without replace, leaving the dataset byte-identical', async () => {
    const root = await tempDir(cleanup);
    const out = join(root, 'ds');
    await importTable({ input: FIXTURE, kind: 'bars', symbol: 'AAA', out });
    const before = await snapshotTree(out);
    const input = await csvFile(root, 'b.csv', HEADER + GOOD_ROWS.join('\n'));
    await expect(importTable({ input, kind: 'bars', symbol: 'AAA', out })).rejects.toThrow(/already has bars for AAA/);
    expect(await snapshotTree(out)).toEqual(before);
    const { manifest } = await importTable({ input, kind: 'bars', symbol: 'AAA', out, replace: true });
    expect(manifest.rows).toEqual({ bars: { AAA: 3 } });
  });

  it('imports quotes, trades and options with their own columns and code words', async () => {
    const root = await tempDir(cleanup);
    const out = join(root, 'ds');
    await importTable({ input: await csvFile(root, 'q.csv', 'ts,bid,bid_size,ask,ask_size\n2024-01-02T10:00:00Z,9.99,100,10.01,200\n'), kind: 'quotes', symbol: 'X', out });
    await importTable({ input: await csvFile(root, 't.csv', 'time,price,qty,side\n2024-01-02T10:00:00Z,10,5,buy\n2024-01-02T10:00:00Z,10,1,S\n'), kind: 'trades', symbol: 'X', out });
    await importTable({
      input: await csvFile(root, 'o.csv', 'ts,expiration,strike,type,bid,ask,last,volume,open_interest,iv\n2024-01-02,2024-02-16,100,C,5,5.2,5.1,10,100,0.25\n2024-01-02,2024-02-16,100,P,4,4.2,4.1,3,50,\n'),
      kind: 'options',
      symbol: 'X',
      out,
    });
    const t = await readAll(out, { kind: 'trades' });
    expect(Array.from(t.columns['side']!)).toEqual([1, -1]);
    const o = await readAll(out, { kind: 'options' });
    expect(Array.from(o.columns['right']!)).toEqual([1, -1]);
    expect(Array.from(o.columns['iv']!)).toEqual([0.25, Number.NaN]);
    expect(o.dictionaries['underlying']).toEqual(['X']);
    expect((await readManifest(out)).kinds).toEqual(['trades', 'quotes', 'options']);
  });

  /** `n` plain 30-minute bars from 2024-01-01; `bad` (1-based data row) gets high 0.5 below its low 0.9. */
  function plainBars(n: number, bad = -1): string {
    const t0 = Date.UTC(2024, 0, 1);
    const rows: string[] = [];
    for (let i = 1; i <= n; i++) {
      const ts = new Date(t0 + (i - 1) * 1_800_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(i === bad ? `${ts},1,0.5,0.9,1,10` : `${ts},1,1.25,0.75,1.125,${i}`);
    }
    return `Date,Open,High,Low,Close,Volume\n${rows.join('\n')}\n`;
  }

  it('a plain file past one batch: DuckDB reads it (Parquet written while the rows are checked) with the rows of the JS reader', async () => {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'in.csv', plainBars(150_000));
    const out = join(root, 'ds');
    const result = await importTable({ input, kind: 'bars', symbol: 'P', out });
    expect(result.rows).toBe(150_000);
    const r = await readAll(out, { kind: 'bars' });
    expect(r.length).toBe(150_000);
    const js: Record<string, number[]> = {};
    await readCsvJs({ input, kind: 'bars', symbol: 'P' }, ',', async (cols) => {
      for (const [k, v] of Object.entries(cols)) (js[k] ??= []).push(...(v as Float64Array));
    });
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) {
      expect(r.columns[c]!.length).toBe(js[c]!.length);
      for (let i = 0; i < js[c]!.length; i++) if (!Object.is(r.columns[c]![i], js[c]![i])) throw new Error(`${c}[${i}]: ${r.columns[c]![i]} vs ${js[c]![i]}`);
    }
    expect(r.columns['ts']![149_999]).toBe((Date.UTC(2024, 0, 1) + 149_999 * 1_800_000) * 1000);
  });

  it('a bad row in the second batch of a plain file stops the import with its row and column while DuckDB writes Parquet, and nothing is left', async () => {
    const err = await importError(plainBars(150_000, 100_000));
    expect(err.message).toMatch(/in\.csv, row 100000, column 'High': high 0\.5 is below low 0\.9 \(rows are 1-based/);
  });

  it('an unusable --out is reported before a bad header, though DuckDB starts reading the file at once', async () => {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'in.csv', 'Date,Open,High,Low\n2024-01-02,1,2,0.5\n');
    const out = await csvFile(root, 'taken', 'not a directory');
    const err = (await importTable({ input, kind: 'bars', symbol: 'P', out }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/taken: is a file, not a directory/);
    expect(await entries(root)).toEqual(['in.csv', 'taken']);
    const bad = await importTable({ input, kind: 'bars', symbol: 'P', out: join(root, 'ds') }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DataError);
    expect((bad as Error).message).toMatch(/missing column: bars needs a column 'close'/);
  });
});

describe('importTable rejects bad data naming file, row and column, and writes nothing', () => {
  it('a NaN price', async () => {
    const e = await importError(HEADER + ['2024-01-02,10,11,9,NaN,1000', ...GOOD_ROWS.slice(1)].join('\n'));
    expect(e.message).toMatch(/in\.csv, row 1, column 'Close': close is NaN/);
    expect(e.message).toMatch(/1-based data rows/);
    expect([e.row, e.column]).toEqual([1, 'Close']);
  });

  it('an empty price cell', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,,12,10,11,2000'].join('\n'));
    expect(e.message).toMatch(/row 2, column 'Open': empty value \(line 3\)/);
  });

  it('a non-positive price', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], GOOD_ROWS[1], '2024-01-04,0,11.5,-1,11.25,1500'].join('\n'));
    expect(e.message).toMatch(/row 3, column 'Open': open is 0, expected a positive price/);
  });

  it('high below low', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,9,10,11,2000'].join('\n'));
    expect(e.message).toMatch(/row 2, column 'High': high 9 is below low 10/);
  });

  it('a close outside [low, high]', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,12,10,12.5,2000'].join('\n'));
    expect(e.message).toMatch(/row 2, column 'Close': close 12.5 is outside \[low 10, high 12\]/);
  });

  it('out-of-order timestamps', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[1], GOOD_ROWS[0]].join('\n'));
    expect(e.message).toMatch(/row 2, column '\(unnamed first column\)': timestamp 2024-01-02T00:00:00.000Z is earlier than the previous row's/);
  });

  it('duplicate timestamps', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], GOOD_ROWS[0]].join('\n'));
    expect(e.message).toMatch(/row 2, column '\(unnamed first column\)': duplicate timestamp 2024-01-02/);
  });

  it('a crossed quote', async () => {
    const e = await importError('ts,bid,bidSize,ask,askSize\n2024-01-02T10:00:00Z,10,1,10.1,1\n2024-01-02T10:00:01Z,10.2,1,10.1,1\n', { kind: 'quotes' });
    expect(e.message).toMatch(/row 2, column 'bid': crossed quote: bid 10.2 is above ask 10.1/);
  });

  it('a crossed book reconstructed from deltas', async () => {
    const rows = [
      '2024-01-02T10:00:00Z,1,10,5,2,1', // snapshot begins: bid 10
      '2024-01-02T10:00:00Z,-1,10.1,5,2,2', // ask 10.1, snapshot ends
      '2024-01-02T10:00:01Z,1,10.05,3,0,0', // bid 10.05: fine
      '2024-01-02T10:00:02Z,1,10.2,1,0,0', // bid 10.2 above ask 10.1: crossed
    ];
    const e = await importError(`ts,side,price,size,action,flags\n${rows.join('\n')}\n`, { kind: 'book' });
    expect(e.message).toMatch(/row 4, column 'price': crossed book at 2024-01-02T10:00:02.000Z: best bid 10.2 is not below best ask 10.1/);
  });

  it('a missing column', async () => {
    const e = await importError(',Open,High,Close,Volume\n2024-01-02,10,11,10.5,1000\n');
    expect(e.message).toMatch(/in\.csv, column 'low': missing column: bars needs a column 'low'; the file has '', 'Open', 'High', 'Close', 'Volume'/);
  });

  it('an unparseable date', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], '01/03/2024,10.5,12,10,11,2000'].join('\n'));
    expect(e.message).toMatch(/row 2, column '\(unnamed first column\)': unparseable date\/time "01\/03\/2024", expected an ISO-8601 date/);
  });

  it('a numeric epoch without a unit', async () => {
    const e = await importError('ts,open,high,low,close\n1704205800,1,1,1,1\n');
    expect(e.message).toMatch(/row 1, column 'ts': unparseable date\/time "1704205800", a numeric epoch time needs its unit/);
  });

  it('a row with the wrong number of fields', async () => {
    const e = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,12,10,11'].join('\n'));
    expect(e.message).toMatch(/row 2: has 5 fields, the header has 6 \(line 3\)/);
  });

  it('a file that does not exist', async () => {
    const root = await tempDir(cleanup);
    const err = await importTable({ input: join(root, 'nope.csv'), kind: 'bars', symbol: 'X', out: join(root, 'out') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/nope\.csv: unreadable input file \(ENOENT\)/);
    expect(await entries(root)).toEqual([]);
  });

  it('a corrupt Parquet file', async () => {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'bad.parquet', 'PAR1 this is not really parquet at all PAR1');
    const err = await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'out') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/bad\.parquet: unreadable Parquet file/);
    expect(await entries(root)).toEqual(['bad.parquet']);
  });

  it('a bad row keeps an existing dataset byte-identical', async () => {
    const root = await tempDir(cleanup);
    const out = join(root, 'ds');
    await importTable({ input: FIXTURE, kind: 'bars', symbol: 'AAA', out });
    const before = await snapshotTree(out);
    const input = await csvFile(root, 'b.csv', HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,9,10,11,2000'].join('\n'));
    await expect(importTable({ input, kind: 'bars', symbol: 'BBB', out })).rejects.toThrow(/row 2, column 'High'/);
    expect(await snapshotTree(out)).toEqual(before);
    expect(await entries(root)).toEqual(['b.csv', 'ds']);
  });
});

describe('importTable (Parquet)', () => {
  it('imports a pandas-style Parquet file with a timestamp column exactly', async () => {
    const root = await tempDir(cleanup);
    const pq = join(root, 'in.parquet');
    const s = await DuckSession.open();
    await s.conn.run(
      `COPY (SELECT TIMESTAMP '2024-01-02' + INTERVAL (i) DAY AS "Date", 100 + i * 0.1 AS "Open", 101 + i * 0.1 AS "High", 99 + i * 0.1 AS "Low", 100.05 + i * 0.1 AS "Close", (1000 + i)::BIGINT AS "Volume" FROM range(5) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    s.close();
    const res = await importTable({ input: pq, kind: 'bars', symbol: 'P', out: join(root, 'ds') });
    expect(res.rows).toBe(5);
    const r = await readAll(join(root, 'ds'), { kind: 'bars' });
    expect(Array.from(r.columns['ts']!)).toEqual([0, 1, 2, 3, 4].map((i) => Date.UTC(2024, 0, 2 + i) * 1000));
    expect(Array.from(r.columns['volume']!)).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('names the row and column of a bad value in a Parquet file', async () => {
    const root = await tempDir(cleanup);
    const pq = join(root, 'in.parquet');
    const s = await DuckSession.open();
    await s.conn.run(
      `COPY (SELECT '2024-01-0' || (i + 1) AS ts, 10.0 AS open, CASE WHEN i = 3 THEN 8.0 ELSE 11.0 END AS high, 9.0 AS low, 10.0 AS close FROM range(5) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    s.close();
    const err = await importTable({ input: pq, kind: 'bars', symbol: 'P', out: join(root, 'ds') }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/in\.parquet, row 4, column 'high': high 8 is below low 9/);
    expect(await exists(join(root, 'ds'))).toBe(false);
  });
});

describe('importTable checks ranges where data enters (issue 11)', () => {
  it('D3: refuses a price of 1e308, a huge size and an infinite value, naming file, row and column', async () => {
    const huge = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,1e308,1e308,1e308,1e308,2000'].join('\n'));
    expect(huge.message).toMatch(/in\.csv, row 2, column 'Open': open is 1e\+308, outside the supported price range \(0, 1e\+12\]/);
    const vol = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,12,10,11,2e15'].join('\n'));
    expect(vol.message).toMatch(/in\.csv, row 2, column 'Volume': volume is 2000000000000000, outside the supported size range \[0, 1e\+15\]/);
    const inf = await importError(HEADER + [GOOD_ROWS[0], '2024-01-03,10.5,inf,10,11,2000'].join('\n'));
    expect(inf.message).toMatch(/in\.csv, row 2, column 'High': high is Infinity, expected a finite number/);
    const trade = await importError('ts,price,size\n2024-01-02,1e13,1\n', { kind: 'trades' });
    expect(trade.message).toMatch(/in\.csv, row 1, column 'price': price is 10000000000000, outside the supported price range/);
  });

  it('D3: refuses a huge price written through the dataset writer too (the data generator and every importer share it)', async () => {
    const root = await tempDir(cleanup);
    const ts = [T0_TEST];
    const err = await writeDataset(join(root, 'ds'), [{ kind: 'trades', symbol: 'T', columns: { ts, price: [1e300], size: [1], side: [0] } }], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^trades\/T, row 1, column 'price': price is 1e\+300, outside the supported price range/);
    expect(await entries(root)).toEqual([]);
  });

  it('D6: refuses a time before 1970 (ISO, epoch and Parquet), naming file, row, column and the supported range', async () => {
    const iso = await importError(HEADER + ['1969-12-31,10,11,9,10.5,1000', GOOD_ROWS[1]].join('\n'));
    expect(iso.message).toMatch(/in\.csv, row 1, column '\(unnamed first column\)': "1969-12-31" is a valid date\/time but outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59\.999999Z/);
    const epoch = await importError('ts,open,high,low,close\n-86400,1,1,1,1\n', { epochUnit: 's' });
    expect(epoch.message).toMatch(/row 1, column 'ts': "-86400" is a valid date\/time but outside the supported range 1970-01-01/);
    const root = await tempDir(cleanup);
    const pq = join(root, 'old.parquet');
    const s = await DuckSession.open();
    await s.conn.run(
      `COPY (SELECT TIMESTAMP '1969-12-30' + INTERVAL (i) DAY AS "Date", 10.0 AS "Open", 11.0 AS "High", 9.0 AS "Low", 10.0 AS "Close" FROM range(5) t(i)) TO ${sqlString(pq)} (FORMAT parquet)`,
    );
    s.close();
    const err = await importTable({ input: pq, kind: 'bars', symbol: 'P', out: join(root, 'ds') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/old\.parquet, row 1, column 'Date': ts 1969-12-30T00:00:00\.000Z is outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59\.999999Z/);
    expect(await exists(join(root, 'ds'))).toBe(false);
  });

  it('D15: calls year 9999 and year 0050 valid dates outside the supported range, not unparseable', async () => {
    for (const date of ['9999-12-31', '0050-06-01', '2200-01-01T00:00:00Z']) {
      const e = await importError(HEADER + [`${date},10,11,9,10.5,1000`].join('\n'));
      expect(e.message).toContain(`"${date}" is a valid date/time but outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999Z`);
      expect(e.message).not.toMatch(/unparseable/);
    }
    const bad = await importError(HEADER + ['2024-02-30,10,11,9,10.5,1000'].join('\n'));
    expect(bad.message).toMatch(/unparseable date\/time "2024-02-30"/);
    const root = await tempDir(cleanup);
    const pq = join(root, 'far.parquet');
    const s = await DuckSession.open();
    await s.conn.run(`COPY (SELECT TIMESTAMP '9999-12-31' AS "Date", 10.0 AS "Open", 11.0 AS "High", 9.0 AS "Low", 10.0 AS "Close") TO ${sqlString(pq)} (FORMAT parquet)`);
    s.close();
    const far = await importTable({ input: pq, kind: 'bars', symbol: 'P', out: join(root, 'ds') }).catch((e: unknown) => e);
    expect((far as Error).message).toMatch(/far\.parquet, row 1, column 'Date': ts 9999-12-31T00:00:00\.000Z is outside the supported range 1970-01-01T00:00:00Z to 2199-12-31/);
  });

  it('D16: a binary file is "not a text CSV file", and a value with control bytes is shown escaped and cut', async () => {
    const root = await tempDir(cleanup);
    const input = join(root, 'bin.csv');
    await writeFile(input, Buffer.concat([Buffer.from('Date,Open\n'), Buffer.alloc(1000), Buffer.from('\n')]));
    const err = await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'out') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`${input}: not a text CSV file (it has NUL bytes in its first KB)`);
    expect(await entries(root)).toEqual(['bin.csv']);
    const e = await importError(`ts,open,high,low,close\n2024-01-02,1\u0007${'x'.repeat(300)},1,1,1\n`);
    expect(e.message).toMatch(/column 'open': not a number: "1\\x07x+"\.\.\. \(\d+ more characters\)/);
    const h = await importError(`ts,op\u0001en,high,low,close\n2024-01-02,1,1,1,1\n`);
    expect(h.message).toMatch(/the file has 'ts', '"op\\x01en"', 'high'/);
    expect(h.message).not.toContain('\u0001');
  });

  it('D14: a numeric time without a unit tells a run reading the file to import it with tapedeck data import --epoch-unit', async () => {
    const e = await importError('ts,open,high,low,close\n1704205800,1,1,1,1\n');
    expect(e.message).toMatch(/numeric epoch time needs its unit: import the file with `tapedeck data import --epoch-unit s\|ms\|us\|ns` and use the dataset directory/);
    const cli = await importError('ts,open,high,low,close\n1704205800,1,1,1,1\n', { epochUnitHint: 'give --epoch-unit s, ms, us or ns' });
    expect(cli.message).toMatch(/numeric epoch time needs its unit: give --epoch-unit s, ms, us or ns/);
  });
});

describe('importTable reads ; and tab separated, BOM-prefixed files and decimal commas (issue 14)', () => {
  const COMMA = 'Date,Open,High,Low,Close,Volume\n2024-01-02,10.25,11,9.5,10.5,1000\n2024-01-03,10.5,12,10,11.75,2000.5\n';

  async function hashOf(text: string, name = 'x.csv'): Promise<string> {
    const root = await tempDir(cleanup);
    const input = await csvFile(root, name, text);
    const res = await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'ds') });
    expect(res.rows).toBe(2);
    expect(res.mapping).toEqual({ ts: 'Date', open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' });
    return res.manifest.files[0]!.contentHash;
  }

  it('a ;-separated file with decimal points or decimal commas, a tab-separated file and a BOM give the comma file\'s rows', async () => {
    const want = await hashOf(COMMA);
    const root = await tempDir(cleanup);
    const input = await csvFile(root, 'semi.csv', 'Date;Open;High;Low;Close;Volume\n2024-01-02;10,25;11;9,5;10,5;1000\n2024-01-03;10.5;12;10;11,75;2000,5\n');
    await importTable({ input, kind: 'bars', symbol: 'X', out: join(root, 'ds') });
    const r = await readAll(join(root, 'ds'), { kind: 'bars' });
    expect(Array.from(r.columns['open']!)).toEqual([10.25, 10.5]);
    expect(Array.from(r.columns['volume']!)).toEqual([1000, 2000.5]);
    expect(await hashOf(COMMA.replaceAll(',', ';'))).toBe(want);
    expect(await hashOf(COMMA.replaceAll(',', '\t'))).toBe(want);
    expect(await hashOf(`\ufeff${COMMA}`)).toBe(want);
    expect(await hashOf(`\ufeff${COMMA.replaceAll(',', ';').replaceAll('\n', '\r\n')}`)).toBe(want);
    // a file DuckDB's reader leaves to the JS reader (lower-case `t`, a zone offset, `"` quotes): the same rows
    expect(await hashOf(COMMA.replace('2024-01-02,', '2024-01-02t00:00:00+00:00,').replace('10.5,12', '"10.5",12'))).toBe(want);
  });

  it('refuses a decimal comma that is not one, and a comma-separated decimal comma, naming file, row and column', async () => {
    const e = await importError('Date;Open;High;Low;Close\n2024-01-02;10;11;9;10\n2024-01-03;1.010,5;12;10;11\n');
    expect(e.message).toMatch(/in\.csv, row 2, column 'Open': not a number: "1\.010,5" \(line 3\)/);
    const f = await importError('Date,Open,High,Low,Close\n2024-01-02,10,11,9,10,5\n');
    expect(f.message).toMatch(/in\.csv, row 1: has 6 fields, the header has 5 \(line 2\)/);
  });
});
