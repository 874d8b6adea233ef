import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError, InvalidArgumentError } from '../../../engine/core/index.js';
import { buildBars, importTable, readAll, readManifest, resampleDataset, SourceKindAmbiguous, validateDataset, writeDataset } from '../../../datasets/index.js';
import { removeAll, snapshotTree, tempDir } from './helpers.js';

/** `data resample`: bars from trades (ticks) and closes, hand-computed. */
const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

const MIN = 60_000_000;
const T930 = Date.UTC(2024, 0, 2, 9, 30) * 1000;

async function dataset(kind: 'trades' | 'closes', csv: string, symbol = 'T'): Promise<string> {
  const root = await tempDir(cleanup);
  const input = join(root, `${kind}.csv`);
  await writeFile(input, csv);
  const out = join(root, 'ds');
  await importTable({ input, kind, symbol, out });
  return out;
}

function bars(b: Awaited<ReturnType<typeof buildBars>>): number[][] {
  return Array.from({ length: b.length }, (_, i) => [b.ts[i]!, b.open[i]!, b.high[i]!, b.low[i]!, b.close[i]!, b.volume[i]!]);
}

const TICKS = [
  'ts,price,size',
  '2024-01-02T09:30:00Z,100,0.1', // opens the 09:30 bucket
  '2024-01-02T09:31:00Z,101,0.2',
  '2024-01-02T09:34:59.999999Z,99.5,0.3', // the last microsecond of 09:30-09:35: still the 09:30 bar
  '2024-01-02T09:35:00Z,100.25,3', // exactly on the edge: opens the 09:35 bar (closed='left')
  '2024-01-02T09:50:00Z,102,1', // after two empty buckets (09:40, 09:45): no bar for them
  '',
].join('\n');

describe('buildBars', () => {
  it('trades: open first, high max, low min, close last, volume the sizes added in file order; a bar opens at its bucket start', async () => {
    const dir = await dataset('trades', TICKS);
    const file = (await readManifest(dir)).files[0]!;
    const b = await buildBars(dir, file, 'trades', 5 * MIN);
    expect(bars(b)).toEqual([
      // (0.1 + 0.2) + 0.3 is 0.6000000000000001; 0.1 + (0.2 + 0.3) would be 0.6: the order is file order
      [T930, 100, 101, 99.5, 99.5, 0.6000000000000001],
      [T930 + 5 * MIN, 100.25, 100.25, 100.25, 100.25, 3],
      [T930 + 20 * MIN, 102, 102, 102, 102, 1],
    ]);
    expect(Array.from(b.rows)).toEqual([3, 1, 1]);
  });

  it('trades sharing a timestamp keep file order: the first is the open, the last the close', async () => {
    const dir = await dataset('trades', 'ts,price\n2024-01-02T09:30:00Z,10\n2024-01-02T09:30:00Z,12\n2024-01-02T09:30:00Z,9\n2024-01-02T09:30:00Z,11\n');
    const b = await buildBars(dir, (await readManifest(dir)).files[0]!, 'trades', MIN);
    expect(bars(b)).toEqual([[T930, 10, 12, 9, 11, 0]]); // a tick file without sizes: volume 0
  });

  it('closes: 30-minute closes to 1-hour bars, volume 0, a bucket with one close is a bar of that close', async () => {
    const dir = await dataset('closes', 'ts,USDCHF\n1996-03-31T22:00:00Z,1.193\n1996-03-31T22:30:00Z,1.1941\n1996-03-31T23:00:00Z,1.1933\n1996-03-31T23:30:00Z,1.1931\n1996-04-01T01:30:00Z,1.1924\n');
    const b = await buildBars(dir, (await readManifest(dir)).files[0]!, 'closes', 60 * MIN);
    const t0 = Date.UTC(1996, 2, 31, 22) * 1000;
    expect(bars(b)).toEqual([
      [t0, 1.193, 1.1941, 1.193, 1.1941, 0],
      [t0 + 60 * MIN, 1.1933, 1.1933, 1.1931, 1.1931, 0],
      [t0 + 3 * 60 * MIN, 1.1924, 1.1924, 1.1924, 1.1924, 0], // 00:00 has no close: no bar
    ]);
  });

  it('buckets are aligned to the epoch in UTC: a 1d bar is a UTC day, whatever time the data starts', async () => {
    const dir = await dataset('closes', 'ts,X\n2024-01-02T21:00:00Z,2\n2024-01-02T23:59:59Z,3\n2024-01-03T00:00:00Z,4\n');
    const b = await buildBars(dir, (await readManifest(dir)).files[0]!, 'closes', 1440 * MIN);
    expect(bars(b)).toEqual([
      [Date.UTC(2024, 0, 2) * 1000, 2, 3, 2, 3, 0],
      [Date.UTC(2024, 0, 3) * 1000, 4, 4, 4, 4, 0],
    ]);
  });

  it('refuses an interval that is not a whole positive number of microseconds, or longer than a day', async () => {
    const dir = await dataset('closes', 'ts,X\n2024-01-02,2\n');
    const file = (await readManifest(dir)).files[0]!;
    await expect(buildBars(dir, file, 'closes', 0)).rejects.toThrow(InvalidArgumentError);
    await expect(buildBars(dir, file, 'closes', 1.5)).rejects.toThrow(/positive whole number of microseconds/);
    await expect(buildBars(dir, file, 'closes', 2 * 1440 * MIN)).rejects.toThrow(/at most 1d/);
  });
});

describe('resampleDataset', () => {
  it('writes bars beside the trades, validated and hashed; two resamples of the same data give the same content hash', async () => {
    const dir = await dataset('trades', TICKS);
    const r = await resampleDataset({ dataset: dir, intervalUs: 5 * MIN, intervalText: '5m' });
    expect(r.kind).toBe('trades');
    expect(r.tables).toEqual([{ symbol: 'T', rows: 5, bars: 3, start: '2024-01-02T09:30:00.000Z', end: '2024-01-02T09:50:00.000Z' }]);
    expect(r.manifest.kinds).toEqual(['bars', 'trades']);
    const read = await readAll(dir, { kind: 'bars' });
    expect(Array.from(read.columns['volume']!)).toEqual([0.6000000000000001, 3, 1]);
    expect((await validateDataset(dir)).contentHash).toBe(r.manifest.contentHash);
    const again = await resampleDataset({ dataset: dir, intervalUs: 5 * MIN, intervalText: '5m', out: join(dir, '..', 'again') });
    const bars1 = r.manifest.files.find((f) => f.kind === 'bars')!;
    const bars2 = again.manifest.files.find((f) => f.kind === 'bars')!;
    expect(bars2.contentHash).toBe(bars1.contentHash);
    expect(again.manifest.kinds).toEqual(['bars']); // --out holds only the bars
  });

  it('never overwrites bars without replace, leaving the dataset byte for byte; with replace it does', async () => {
    const dir = await dataset('trades', TICKS);
    await resampleDataset({ dataset: dir, intervalUs: 5 * MIN, intervalText: '5m' });
    const before = await snapshotTree(dir);
    const err = await resampleDataset({ dataset: dir, intervalUs: MIN, intervalText: '1m' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`dataset '${dir}' already has bars for T: give --replace to overwrite them`);
    expect(await snapshotTree(dir)).toEqual(before);
    const r = await resampleDataset({ dataset: dir, intervalUs: MIN, intervalText: '1m', replace: true });
    expect(r.tables[0]!.bars).toBe(5); // 09:30, 09:31, 09:34, 09:35 and 09:50: one tick each
    expect(Array.from((await readAll(dir, { kind: 'bars' })).columns['ts']!)).toEqual([0, 1, 4, 5, 20].map((m) => T930 + m * MIN));
  });

  it('refuses a dataset without trades or closes, a symbol it lacks, and asks which kind when it has both', async () => {
    const root = await tempDir(cleanup);
    const onlyBars = join(root, 'bars');
    await writeDataset(onlyBars, [{ kind: 'bars', symbol: 'A', columns: { ts: [0], open: [1], high: [1], low: [1], close: [1], volume: [0] } }], {});
    await expect(resampleDataset({ dataset: onlyBars, intervalUs: MIN, intervalText: '1m' })).rejects.toThrow(/has no trades or closes to resample \(it has bars\)/);
    const dir = await dataset('trades', TICKS);
    const missing = await resampleDataset({ dataset: dir, intervalUs: MIN, intervalText: '1m', symbols: ['ZZZ'] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DataError);
    expect((missing as Error).message).toMatch(/has no trades for ZZZ \(it has trades for T\)/);
    const both = join(root, 'both');
    await writeDataset(both, [
      { kind: 'trades', symbol: 'A', columns: { ts: [0], price: [1], size: [1], side: [0] } },
      { kind: 'closes', symbol: 'A', columns: { ts: [0], close: [1] } },
    ], {});
    await expect(resampleDataset({ dataset: both, intervalUs: MIN, intervalText: '1m' })).rejects.toThrow(SourceKindAmbiguous);
    const r = await resampleDataset({ dataset: both, intervalUs: MIN, intervalText: '1m', kind: 'closes' });
    expect(r.kind).toBe('closes');
  });
});
