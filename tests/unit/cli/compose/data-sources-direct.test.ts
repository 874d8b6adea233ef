import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barIntervals, openBarFeed, openDataPath, type OpenedData, type TimeRange } from '../../../../cli/compose/data-sources.js';
import type { BarBatch } from '../../../../sim/backtest/index.js';

/**
 * A run reading a CSV file of bars directly (openDataPath's `direct`) holds the checked columns in
 * memory instead of importing them into a temporary dataset and reading that back: the feed, the bar
 * intervals, the manifest figures (rows, start, end, contentHash) and every refusal must be the ones
 * of the temporary dataset.
 */
const MSFT = 'tests/fixtures/csv/msft.csv';
let work: string;
const opened: OpenedData[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-direct-csv-'));
});
afterAll(async () => {
  for (const d of opened) await d.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function open(path: string, direct: boolean, symbol: string): Promise<OpenedData> {
  const d = await openDataPath(path, 'bars', 'bars', [symbol], direct);
  opened.push(d);
  return d;
}

/** Every row of a feed, column by column. */
async function rowsOf(feed: AsyncIterable<BarBatch>): Promise<{ sizes: number[]; cols: Record<string, number[]> }> {
  const cols: Record<string, number[]> = { ts: [], barTs: [], symbol: [], open: [], high: [], low: [], close: [], volume: [] };
  const sizes: number[] = [];
  for await (const b of feed) {
    sizes.push(b.length);
    for (const k of Object.keys(cols)) cols[k]!.push(...(b as unknown as Record<string, ArrayLike<number>>)[k]!.valueOf() as number[]);
  }
  return { sizes, cols };
}

async function feedOf(d: OpenedData, symbol: string, range: TimeRange, stamp: 'open' | 'close'): Promise<{ sizes: number[]; cols: Record<string, number[]> }> {
  const intervals = await barIntervals(d, [symbol]);
  const { feed, readers } = await openBarFeed(d, [symbol], ['AAA', symbol], intervals, range, stamp);
  try {
    return await rowsOf(feed);
  } finally {
    for (const r of readers) r.close();
  }
}

/** A generated 30-minute OHLCV file of `n` bars (more than one reader batch when n > 65,536). */
async function generated(n: number, zone = ''): Promise<string> {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2001, 0, 1) + i * 1_800_000).toISOString().slice(0, 19).replace('T', ' ') + zone;
    const o = p;
    p = Math.round((p * (1 + Math.sin(i * 0.7) * 0.002)) * 1e6) / 1e6;
    lines.push(`${t},${o},${Math.max(o, p) + 0.01},${Math.min(o, p) - 0.01},${p},${i % 977}`);
  }
  const file = join(work, `gen-${n}${zone === '' ? '' : '-zone'}.csv`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('a CSV file of bars read directly into memory', () => {
  it('has the manifest figures of its temporary dataset and gives the same bars, whole and in a range, stamped at opens or closes', async () => {
    const direct = await open(MSFT, true, 'MSFT');
    const dataset = await open(MSFT, false, 'MSFT');
    expect(direct.memory?.rows).toBe(249);
    expect(dataset.memory).toBeUndefined();
    const { createdBy: _a, ...m1 } = direct.manifest;
    const { createdBy: _b, ...m2 } = dataset.manifest;
    expect(m1).toEqual(m2);
    expect(await barIntervals(direct, ['MSFT'])).toEqual(await barIntervals(dataset, ['MSFT']));
    const start = Date.UTC(2000, 11, 1) * 1000;
    const end = Date.UTC(2001, 2, 1) * 1000;
    for (const range of [{}, { start }, { end }, { start, end }, { start: end, end: end + 1 }] as TimeRange[]) {
      for (const stamp of ['open', 'close'] as const) {
        const got = await feedOf(direct, 'MSFT', range, stamp);
        expect(got).toEqual(await feedOf(dataset, 'MSFT', range, stamp));
        if (range.start === undefined && range.end === undefined) expect(got.cols['ts']!.length).toBe(249);
      }
    }
  });

  it('reads a close-only file as the bars its temporary dataset builds from the closes (both tables in the manifest), with the same assumption', async () => {
    const file = join(work, 'usd.csv');
    await writeFile(file, 'ts,USDCHF\n2024-01-02T00:00:00Z,1.5\n2024-01-02T00:30:00Z,1.25\n2024-01-02T01:00:00Z,1.75\n2024-01-02T02:00:00Z,1.5\n');
    const direct = await open(file, true, 'USD');
    const dataset = await open(file, false, 'USD');
    expect(direct.memory?.rows).toBe(4);
    const { createdBy: _a, ...m1 } = direct.manifest;
    const { createdBy: _b, ...m2 } = dataset.manifest;
    expect(m1).toEqual(m2);
    expect(m1.kinds).toEqual(['bars', 'closes']);
    expect(direct.assumptions).toEqual(dataset.assumptions);
    expect(direct.assumptions?.[0]).toMatch(/close-only series \(column 'USDCHF', 4 closes\)/);
    const got = await feedOf(direct, 'USD', {}, 'open');
    expect(got).toEqual(await feedOf(dataset, 'USD', {}, 'open'));
    expect(got.cols['high']).toEqual([1.5, 1.25, 1.75, 1.5]);
    expect(got.cols['volume']).toEqual([0, 0, 0, 0]);
  });

  it('cuts more rows than a reader batch into the reader batches, with the same rows (DuckDB and the JS reader)', async () => {
    // Times with a zone offset are left to Tapedeck's own reader; plain ones are read by DuckDB.
    const hashes: string[] = [];
    for (const file of [await generated(66_000), await generated(66_000, '+00:00')]) {
      const direct = await open(file, true, 'GEN');
      const dataset = await open(file, false, 'GEN');
      expect(direct.memory?.rows).toBe(66_000);
      expect(direct.manifest.contentHash).toBe(dataset.manifest.contentHash);
      hashes.push(direct.manifest.contentHash);
      const start = Date.UTC(2001, 0, 2) * 1000;
      for (const range of [{}, { start }] as TimeRange[]) {
        const got = await feedOf(direct, 'GEN', range, 'open');
        const want = await feedOf(dataset, 'GEN', range, 'open');
        expect(got.sizes).toEqual(want.sizes);
        expect(got.cols).toEqual(want.cols);
      }
    }
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('refuses a bad file with the error of its import, naming file, row and column', async () => {
    const bad = join(work, 'bad.csv');
    await writeFile(bad, 'Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n2024-01-03,10,9,11,10\n');
    const unparseable = join(work, 'date.csv');
    await writeFile(unparseable, 'Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n2024-02-30,10,11,9,10\n');
    for (const [file, symbol] of [[bad, 'BAD'], [unparseable, 'BAD'], [MSFT, 'bad symbol']] as const) {
      const viaDataset = await openDataPath(file, 'bars', 'bars', [symbol], false).then(
        () => null,
        (err: unknown) => err as Error,
      );
      expect(viaDataset).not.toBeNull();
      await expect(openDataPath(file, 'bars', 'bars', [symbol], true)).rejects.toThrow(viaDataset!.message);
      await expect(openDataPath(file, 'bars', 'bars', [symbol], true)).rejects.toBeInstanceOf(viaDataset!.constructor);
    }
    expect(String((await openDataPath(bad, 'bars', 'bars', ['BAD'], true).catch((e: unknown) => e)) as Error)).toMatch(/bad\.csv.*row 2.*High/s);
  });
});
