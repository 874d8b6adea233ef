import { pbkdf2 } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { readCsvTable } from '../../../datasets/import.js';
import { DuckSession } from '../../../datasets/duckdb.js';
import { plainBarsCsv, removeAll, tempDir } from './helpers.js';

/**
 * A small CSV file read on a caller's one-thread session (a run's outputs'): same rows, contentHash and errors as a
 * read on an instance of its own; and the file's size, text check and head are read without libuv's thread pool, so
 * DuckDB is asked for the rows at once.
 */
const cleanup: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await removeAll(cleanup);
});

const bars = plainBarsCsv;

async function file(text: string): Promise<string> {
  const path = join(await tempDir(cleanup), 'aaa.csv');
  await writeFile(path, text);
  return path;
}

/** readCsvTable on a one-thread session, or the DataError it throws. */
async function readShared(input: string): Promise<{ table: Awaited<ReturnType<typeof readCsvTable>> | DataError }> {
  const session = await DuckSession.open({ threads: 1, memoryLimit: '64MB' });
  try {
    const table = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }, { session }).catch((e: unknown) => {
      if (e instanceof DataError) return e;
      throw e;
    });
    return { table };
  } finally {
    session.close();
  }
}

describe('a small CSV file read on a shared session', () => {
  it('gives the rows and contentHash of a read of its own', async () => {
    const input = await file(bars(5000));
    const { table } = await readShared(input);
    const own = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' });
    expect(table).not.toBeInstanceOf(DataError);
    const shared = table as typeof own;
    expect(shared.file).toEqual(own.file);
    expect(shared.file.rows).toBe(5000);
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume']) expect(shared.columns[c]).toEqual(own.columns[c]);
  });

  it('names the bad date of a row DuckDB declines far down, as the JS reader does', async () => {
    // 2000-02-30 passes the byte scan and fails DuckDB's cast: the read is declined, and the JS reader names it.
    const input = await file(bars(5000, (i, l) => (i === 4500 ? l.replace(/^[^,]+/, '2000-02-30 00:00:00') : l)));
    const { table } = await readShared(input);
    expect(table).toBeInstanceOf(DataError);
    expect((table as DataError).message).toMatch(/unparseable date\/time "2000-02-30 00:00:00"/);
    expect((table as DataError).message).toMatch(/row 4501/);
    const own = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }).catch((e: unknown) => e);
    expect((own as DataError).message).toBe((table as DataError).message);
  });

  it('reads a file that is not plain (quoted cells) as a read of its own does', async () => {
    const input = await file(bars(3000, (i, l) => (i % 7 === 3 ? l.replace(/,(\d+)$/, ',"$1"') : l)));
    const { table } = await readShared(input);
    const own = await readCsvTable({ input, kind: 'bars', symbol: 'AAA' });
    expect(table).not.toBeInstanceOf(DataError);
    expect((table as typeof own).file).toEqual(own.file);
    expect((table as typeof own).columns['volume']).toEqual(own.columns['volume']);
  });

  it("asks DuckDB for the rows before anything waits on libuv's thread pool (the file's size, text check and head read synchronously)", async () => {
    const input = await file(bars(3000));
    const session = await DuckSession.open({ threads: 1, memoryLimit: '64MB' });
    try {
      await readCsvTable({ input, kind: 'bars', symbol: 'AAA' }, { session }); // every module loaded first
      // Each of the pool's threads busy with a key derivation: an awaited fs call would wait for one of them.
      const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const jobs = Array.from({ length: Math.max(threads, 4) * 2 }, (_, i) => new Promise<string>((done, fail) => pbkdf2(`k${i}`, 'salt', 300_000, 32, 'sha256', (err) => (err ? fail(err) : done('pool')))));
      let asked: () => void = () => undefined;
      const connected = new Promise<string>((done) => (asked = () => done('asked')));
      const connect = session.connect.bind(session);
      vi.spyOn(session, 'connect').mockImplementation(() => (asked(), connect()));
      const read = readCsvTable({ input, kind: 'bars', symbol: 'AAA' }, { session });
      expect(await Promise.race([connected, Promise.any(jobs)])).toBe('asked');
      expect((await read).file.rows).toBe(3000);
      await Promise.all(jobs);
    } finally {
      session.close();
    }
  });
});
