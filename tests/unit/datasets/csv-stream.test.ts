import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { importTable, openCsvStream, readCsvTable } from '../../../datasets/import.js';
import { readManifest } from '../../../datasets/manifest.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { PLAIN_BARS_T0, plainBarsCsv, removeAll, tempDir } from './helpers.js';

/**
 * The typed DuckDB read of a plain CSV file streams its rows to the checks as DuckDB reads them (no
 * table in between, readCsvTable), so a file DuckDB declines far down (a bad calendar date the byte
 * scan cannot see) may already have handed rows on: the error named must still be the JS reader's.
 * And a run's temporary import (`scratch`) keeps the rows and contentHash, without the file digest.
 */
const cleanup: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await removeAll(cleanup);
});

const T0 = PLAIN_BARS_T0;
const bars = plainBarsCsv;

async function file(text: string): Promise<string> {
  const dir = await tempDir(cleanup);
  const f = join(dir, 'in.csv');
  await writeFile(f, text);
  return f;
}

describe('a plain CSV file streamed from DuckDB', () => {
  it('reads the same rows and contentHash as an import writes', async () => {
    const input = await file(bars(5000));
    const table = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' });
    const out = join(await tempDir(cleanup), 'ds');
    const imported = await importTable({ input, kind: 'bars', symbol: 'AAA', out });
    expect(table.file.rows).toBe(5000);
    expect(table.file.contentHash).toBe(imported.manifest.files[0]!.contentHash);
    expect(table.columns['volume']!.length).toBe(5000);
    expect(table.columns['volume']![4999]).toBe(5999);
    expect(table.columns['ts']![1]).toBe((T0 + 1_800_000) * 1000);
  });

  it('keeps every row when the lines get shorter after the head the store was sized from', async () => {
    // 1,200 lines padded to ~2.5x their length, then 20,000 plain ones: the store is sized from the long
    // ones (~9,000 rows) and must grow; the columns hold exactly the file's rows.
    const pad = '0'.repeat(40);
    const input = await file(bars(21_200, (i, l) => (i >= 1200 ? l : l.replace(/,(\d+)$/, `,${pad}$1`).replace(/,([0-9.]+),/, `,${pad}$1,`))));
    const table = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' });
    expect(table.file.rows).toBe(21_200);
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) expect(table.columns[c]!.length).toBe(21_200);
    expect(table.columns['volume']![21_199]).toBe(1000 + 21_199);
    expect(table.columns['open']![21_199]).toBe(100 + (21_199 % 50) / 10);
    expect(table.columns['volume']![0]).toBe(1000);
  });

  it('names the bad date of a row DuckDB declines after an earlier bad row, as the JS reader does', async () => {
    // Row 11 is out of order (the checks see it in DuckDB's first rows); row 4501 is 2000-02-30, which
    // the byte scan passes and DuckDB's cast refuses (NULL): the JS reader then names the date first.
    const text = bars(5000, (i, l) => (i === 10 ? l.replace(/^[^,]+/, '1999-12-31 00:00:00') : i === 4500 ? l.replace(/^[^,]+/, '2000-02-30 00:00:00') : l));
    const input = await file(text);
    const direct = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(DataError);
    expect((direct as DataError).message).toMatch(/unparseable date\/time "2000-02-30 00:00:00"/);
    expect((direct as DataError).message).toMatch(/row 4501/);
    const imported = await importTable({ input, kind: 'bars', symbol: 'AAA', out: join(await tempDir(cleanup), 'ds') }).catch((e: unknown) => e);
    expect((imported as DataError).message).toBe((direct as DataError).message);
  });

  it('streams a line longer than DuckDB reads with its default pieces, up to a piece long', async () => {
    // A note column the kind ignores, 3 MB in row 11: DuckDB's default pieces (32 MB, lines up to its
    // 2 MB max_line_size) decline it; the stream's 4 MB pieces read it. A 5 MB note is declined (null:
    // the run imports the file, whose JS reader accepts it).
    const noted = (note: number): string => bars(3000, (i, l) => `${l},${i === 10 ? 'x'.repeat(note) : 'n'}`).replace('Volume\n', 'Volume,Note\n');
    const input = await file(noted(3 << 20));
    const stream = await openCsvStream({ input, kind: 'bars', symbol: 'AAA' });
    expect(stream).not.toBeNull();
    let rows = 0;
    let last = 0;
    try {
      for await (const c of stream!.pass()) {
        rows += c.n;
        last = (c.cols['volume'] as Float64Array)[c.n - 1]!;
      }
    } finally {
      stream!.close();
    }
    expect(rows).toBe(3000);
    expect(last).toBe(3999);
    expect(stream!.file!.contentHash).toBe((await readCsvTable({ input, kind: 'bars', symbol: 'AAA' })).file.contentHash);
    expect(await openCsvStream({ input: await file(noted(5 << 20)), kind: 'bars', symbol: 'AAA' })).toBeNull();
  });

  it("reads on a connection of the caller's one-thread session, opening no instance, and leaves the session open", async () => {
    const input = await file(bars(5000));
    const alone = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' });
    const session = await DuckSession.open({ threads: 1, memoryLimit: '64MB' });
    try {
      const opened = vi.spyOn(DuckSession, 'open');
      const table = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }, { session });
      expect(opened).not.toHaveBeenCalled();
      expect(table.file).toEqual(alone.file);
      for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) expect(table.columns[c]).toEqual(alone.columns[c]);
      // The session goes on (the outputs write their tables on it after the read).
      expect(Number((await session.conn.runAndReadAll('SELECT 41 + 1')).getRows()[0]![0])).toBe(42);
      // A bad row is named as without the session.
      const bad = await file(bars(5000, (i, l) => (i === 10 ? l.replace(/^[^,]+/, '1999-12-31 00:00:00') : l)));
      const err = await readCsvTable({ input: bad, kind: 'bars', symbol: 'AAA' }, { session }).catch((e: unknown) => e);
      expect((err as DataError).message).toBe(((await readCsvTable({ input: bad, kind: 'bars', symbol: 'AAA' }).catch((e: unknown) => e)) as DataError).message);
    } finally {
      session.close();
    }
  });

  it('names the earlier bad row when nothing further down declines', async () => {
    const input = await file(bars(5000, (i, l) => (i === 10 ? l.replace(/^[^,]+/, '1999-12-31 00:00:00') : l)));
    const err = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }).catch((e: unknown) => e);
    expect((err as DataError).message).toMatch(/row 11\b.*out of order|out of order.*row 11\b/s);
  });
});

describe('importTable scratch (a run\'s temporary import)', () => {
  it('writes the same rows and contentHash, LZ4-compressed, without hashing the file', async () => {
    const input = await file(bars(3000));
    const plain = await importTable({ input, kind: 'bars', symbol: 'AAA', out: join(await tempDir(cleanup), 'a') });
    const outB = join(await tempDir(cleanup), 'b');
    const scratch = await importTable({ input, kind: 'bars', symbol: 'AAA', out: outB, scratch: true });
    expect(scratch.manifest.contentHash).toBe(plain.manifest.contentHash);
    expect(plain.manifest.createdBy['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect((await readManifest(outB)).createdBy['sha256']).toBeUndefined();
    const session = await DuckSession.open({ threads: 1 });
    try {
      const r = await session.conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${sqlString(join(outB, 'bars', 'AAA.parquet'))})`);
      expect(r.getRows().map((row) => String(row[0]))).toEqual(['LZ4_RAW']);
    } finally {
      session.close();
    }
  });
});
