import fc from 'fast-check';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../../engine/core/index.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReader, readAll, writeDataset } from '../../../datasets/index.js';
import { bars, MINUTE, removeAll, T0, tempDir } from './helpers.js';

const cleanup: string[] = [];
let dir = '';
// Trades of three symbols with shared and distinct timestamps and several rows per timestamp.
const tapes: Record<string, { ts: number[]; price: number[] }> = {
  BBB: { ts: [0, 0, 1, 3, 3, 3, 7], price: [1, 2, 3, 4, 5, 6, 7] },
  AAA: { ts: [0, 2, 3, 3, 8], price: [11, 12, 13, 14, 15] },
  CCC: { ts: [1, 1, 2, 9], price: [21, 22, 23, 24] },
};

beforeAll(async () => {
  dir = join(await tempDir(cleanup), 'ds');
  await writeDataset(
    dir,
    Object.entries(tapes).map(([symbol, t]) => ({
      kind: 'trades' as const,
      symbol,
      columns: { ts: t.ts.map((x) => T0 + x), price: t.price, size: t.price.map(() => 1), side: t.price.map(() => 0) },
    })),
    {},
  );
});
afterAll(() => removeAll(cleanup));

/** Expected merge: sort by (ts, symbol), keeping file order within a symbol. */
function expectedOrder(symbols: string[]): Array<[number, string, number]> {
  const rows: Array<[number, string, number]> = [];
  for (const s of symbols) tapes[s]!.ts.forEach((t, i) => rows.push([T0 + t, s, tapes[s]!.price[i]!]));
  return rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)); // stable sort keeps file order
}

describe('openReader', () => {
  it('merges symbols in (ts, symbol) order and keeps file order within a symbol', async () => {
    for (const batchRows of [1, 2, 3, 5, 100]) {
      const r = await readAll(dir, { kind: 'trades', batchRows });
      const got = Array.from(r.symbol, (code, i) => [r.columns['ts']![i]!, r.symbols[code]!, r.columns['price']![i]!]);
      expect(got).toEqual(expectedOrder(['AAA', 'BBB', 'CCC']));
    }
  });

  it('reads only the requested symbols, with codes indexing the sorted symbol list', async () => {
    const r = await readAll(dir, { kind: 'trades', symbols: ['CCC', 'AAA'] });
    expect(r.symbols).toEqual(['AAA', 'CCC']);
    const got = Array.from(r.symbol, (code, i) => [r.columns['ts']![i]!, r.symbols[code]!, r.columns['price']![i]!]);
    expect(got).toEqual(expectedOrder(['AAA', 'CCC']));
  });

  it('keeps rows with start <= ts < end', async () => {
    const r = await readAll(dir, { kind: 'trades', start: T0 + 1, end: T0 + 3 });
    expect(Array.from(r.columns['ts']!).map((t) => t - T0)).toEqual([1, 1, 1, 2, 2]);
  });

  it('reads a subset of columns, ts always first', async () => {
    const reader = await openReader(dir, { kind: 'trades', columns: ['price'] });
    expect(reader.numericColumns).toEqual(['ts', 'price']);
    reader.close();
  });

  it('refuses a symbol or column the dataset does not have', async () => {
    await expect(openReader(dir, { kind: 'trades', symbols: ['NOPE'] })).rejects.toThrow(/has no trades for "NOPE"/);
    await expect(openReader(dir, { kind: 'bars' , symbols: ['AAA'] })).rejects.toThrow(/has no bars/);
    await expect(openReader(dir, { kind: 'trades', columns: ['bid'] })).rejects.toThrow(/no column "bid"/);
  });

  it('merges any interleaving of symbols correctly (property)', async () => {
    const root = await tempDir(cleanup);
    let case_ = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 17 }),
        async (deltas, batchRows) => {
          const d = join(root, `p${case_++}`);
          const tables = deltas.map((ds, k) => {
            const ts: number[] = [];
            let t = T0;
            for (const x of ds) ts.push((t += x));
            return { kind: 'trades' as const, symbol: `S${k}`, columns: { ts, price: ts.map((_, i) => k * 1000 + i + 1), size: ts.map(() => 1), side: ts.map(() => 1) } };
          });
          await writeDataset(d, tables, {});
          const r = await readAll(d, { kind: 'trades', batchRows });
          const expected = tables
            .flatMap((t) => t.columns.ts.map((ts, i) => [ts, t.symbol, t.columns.price[i]!] as [number, string, number]))
            .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
          const got = Array.from(r.symbol, (code, i) => [r.columns['ts']![i]!, r.symbols[code]!, r.columns['price']![i]!]);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('memory boundedness', () => {
  it('yields more batches for a longer tape while no batch exceeds batchRows', async () => {
    const root = await tempDir(cleanup);
    const counts: number[] = [];
    for (const n of [10_000, 40_000]) {
      const d = join(root, `n${n}`);
      await writeDataset(d, [
        { kind: 'bars', symbol: 'A', columns: bars(n) },
        { kind: 'bars', symbol: 'B', columns: bars(n, 50, T0 + MINUTE / 2) },
      ], {});
      let batches = 0;
      let rows = 0;
      let maxLen = 0;
      let lastTs = -Infinity;
      for await (const b of await openReader(d, { kind: 'bars', batchRows: 4096, reuseBuffers: true })) {
        batches++;
        rows += b.length;
        maxLen = Math.max(maxLen, b.length, b.columns['ts']!.length, b.columns['close']!.buffer.byteLength / 8);
        expect(b.columns['ts']![0]!).toBeGreaterThanOrEqual(lastTs);
        lastTs = b.columns['ts']![b.length - 1]!;
      }
      expect(rows).toBe(2 * n);
      expect(maxLen).toBeLessThanOrEqual(4096);
      counts.push(batches);
    }
    expect(counts).toEqual([Math.ceil(20_000 / 4096), Math.ceil(80_000 / 4096)]);
  });

  it('reuses one set of buffers across batches when asked to', async () => {
    const d = join(await tempDir(cleanup), 'ds');
    await writeDataset(d, [{ kind: 'bars', symbol: 'A', columns: bars(10_000) }], {});
    const buffers = new Set<ArrayBufferLike>();
    for await (const b of await openReader(d, { kind: 'bars', batchRows: 1000, reuseBuffers: true })) buffers.add(b.columns['ts']!.buffer);
    expect(buffers.size).toBe(1);
  });
});

describe('a dataset written before the time range was checked (issue 11)', () => {
  it('D6: a table holding times before 1970 fails naming the file and ts, not the kernel\'s "time would go backwards"', async () => {
    const old = join(await tempDir(cleanup), 'old');
    await writeDataset(old, [{ kind: 'bars', symbol: 'OLD', columns: bars(5) }], {});
    // What an older version wrote: the same table moved 60 years back, the manifest saying so.
    const file = join(old, 'bars', 'OLD.parquet');
    const shift = 60 * 365 * 86_400_000_000;
    const s = await DuckSession.open();
    await s.conn.run(`COPY (SELECT CAST(ts - ${shift} AS BIGINT) AS ts, open, high, low, close, volume FROM read_parquet(${sqlString(file)})) TO ${sqlString(`${file}.new`)} (FORMAT parquet)`);
    s.close();
    await rename(`${file}.new`, file);
    const manifestPath = join(old, 'manifest.json');
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Array<{ startUs: number; endUs: number }> };
    const honest = JSON.stringify(m);
    m.files[0]!.startUs -= shift;
    m.files[0]!.endUs -= shift;
    await writeFile(manifestPath, JSON.stringify(m));
    const err = await openReader(old, { kind: 'bars' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/OLD\.parquet, column 'ts': times from 1963-.* are outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59\.999999Z/);
    // and when the manifest does not say so, the rows themselves are checked as they are read
    await writeFile(manifestPath, honest);
    const err2 = await readAll(old, { kind: 'bars' }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(DataError);
    expect((err2 as Error).message).toMatch(/OLD\.parquet, column 'ts': ts 1963-.* is outside the supported range 1970-01-01/);
  });
});
