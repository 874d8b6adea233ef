import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../engine/core/index.js';
import { barIntervals, openBarFeed, openDataPath, tablesOf, type OpenedData, type TimeRange } from '../../cli/compose/data-sources.js';
import type { BarBatch } from '../../sim/backtest/index.js';

/**
 * A CSV file of bars that a run does not read directly (data.timeframes, a sweep's shared import, `train`)
 * goes through a temporary dataset (import.ts copyCsvDirect): a bad row far down stops the run with the
 * file, row and column of a direct read, and leaves no temporary directory behind; a good file gives the
 * manifest figures of a direct read.
 * A run reading a CSV file of bars over the direct bound (64 MB; here a bound of 1 KB stands for it)
 * streams it from the file instead (openDataPath's `direct`, import.ts openCsvStream) when DuckDB can type
 * it: no temporary dataset, the rows checked as the replay reads them. The feed, the bar intervals, the
 * manifest figures and every refusal must be those of the temporary dataset; a bad row far down ends
 * the read of the feed with the import's DataError.
 */
let work: string;
let tmp: string;
const saved = process.env['TMPDIR'];
const opened: OpenedData[] = [];
const BOUND = 1024;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tapedeck-scratch-run-'));
});
afterAll(async () => {
  for (const d of opened) await d.cleanup();
  await rm(work, { recursive: true, force: true });
});
afterEach(() => {
  if (saved === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = saved;
});

/** `n` plain 30-minute bars; `edit(i, line)` may change line i (0-based data row). */
async function barsFile(name: string, n: number, edit: (i: number, line: string) => string = (_, l) => l): Promise<string> {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2000, 0, 3) + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
    const p = (100 + (i % 50) / 10).toFixed(2);
    lines.push(edit(i, `${ts},${p},${(Number(p) + 1).toFixed(2)},${(Number(p) - 1).toFixed(2)},${p},${1000 + i}`));
  }
  const f = join(work, name);
  await writeFile(f, `${lines.join('\n')}\n`);
  return f;
}

/** Runs `body` with os.tmpdir() (where the temporary dataset goes) a fresh, empty directory; returns it. */
async function inFreshTmp<T>(body: () => Promise<T>): Promise<{ result: T | unknown; tmp: string }> {
  tmp = await mkdtemp(join(work, 'tmp-'));
  process.env['TMPDIR'] = tmp;
  const result = await body().catch((e: unknown) => e);
  return { result, tmp };
}

describe('a run reading a CSV file through a temporary dataset', () => {
  it('stops at a bad row far down with file, row and column, and writes nothing', async () => {
    const input = await barsFile('bad.csv', 80_000, (i, l) => (i === 75_000 ? l.replace(/,([^,]+)$/, ',-3') : l));
    const direct = await openDataPath(input, 'bars', 'bars', ['AAA'], true).catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(DataError);
    const { result } = await inFreshTmp(() => openDataPath(input, 'bars', 'bars', ['AAA'], false));
    expect(result).toBeInstanceOf(DataError);
    const err = result as DataError;
    expect(err.message).toContain(input);
    expect(err.message).toMatch(/row 75001\b/);
    expect(err.message).toMatch(/Volume/);
    expect(err.message).toBe((direct as DataError).message);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('gives the manifest figures of a direct read, from a temporary dataset removed by cleanup', async () => {
    const input = await barsFile('good.csv', 80_000);
    const direct = await openDataPath(input, 'bars', 'bars', ['AAA'], true);
    expect(direct.memory).toBeDefined();
    const { result } = await inFreshTmp(() => openDataPath(input, 'bars', 'bars', ['AAA'], false));
    const opened = result as Awaited<ReturnType<typeof openDataPath>>;
    expect(opened.memory).toBeUndefined();
    expect(opened.dir.startsWith(tmp)).toBe(true);
    expect(opened.manifest.contentHash).toBe(direct.manifest.contentHash);
    expect(opened.manifest.files.map(({ source: _s, ...f }) => f)).toEqual(direct.manifest.files.map(({ source: _s, ...f }) => f));
    await opened.cleanup();
    expect(await readdir(tmp)).toEqual([]);
  });
});

/** Opens `path` with os.tmpdir() (where a temporary dataset would go) a fresh, empty directory. */
async function openFresh(path: string, direct: boolean, bound = BOUND): Promise<OpenedData> {
  tmp = await mkdtemp(join(work, 'tmp-'));
  process.env['TMPDIR'] = tmp;
  const d = await openDataPath(path, 'bars', 'bars', ['AAA'], direct, bound);
  opened.push(d);
  return d;
}

async function feedOf(d: OpenedData, range: TimeRange, stamp: 'open' | 'close'): Promise<{ sizes: number[]; cols: Record<string, number[]> }> {
  const intervals = await barIntervals(d, ['AAA']);
  const { feed, readers } = await openBarFeed(d, ['AAA'], ['AAA'], intervals, range, stamp);
  const cols: Record<string, number[]> = { ts: [], barTs: [], symbol: [], open: [], high: [], low: [], close: [], volume: [] };
  const sizes: number[] = [];
  try {
    for await (const b of feed as AsyncIterable<BarBatch>) {
      sizes.push(b.length);
      for (const k of Object.keys(cols)) cols[k]!.push(...Array.from((b as unknown as Record<string, ArrayLike<number>>)[k]!));
    }
  } finally {
    for (const r of readers) r.close();
  }
  return { sizes, cols };
}

/** The error reading the whole feed of `d` throws (null: none). */
async function feedError(d: OpenedData): Promise<unknown> {
  return feedOf(d, {}, 'open').then(
    () => null,
    (err: unknown) => err,
  );
}

describe('a run reading a CSV file over the direct bound', () => {
  it('streams the rows of the temporary dataset, a DuckDB chunk at a time, whole and in a range, with its intervals and (after a pass) its manifest', async () => {
    const input = await barsFile('good.csv', 80_000);
    const streamed = await openFresh(input, true);
    expect(streamed.stream).toBeDefined();
    expect(streamed.memory).toBeUndefined();
    expect(await readdir(tmp)).toEqual([]); // no temporary dataset
    expect(tablesOf(streamed)).toEqual([{ kind: 'bars', symbol: 'AAA', rows: 80_000 }]);
    // The manifest holds what only the checks of every row give (contentHash, end): not before a pass.
    expect(() => streamed.manifest).toThrow(/before a replay checked every row/);
    const dataset = await openFresh(input, false);
    expect(dataset.stream).toBeUndefined();
    expect(await barIntervals(streamed, ['AAA'])).toEqual(await barIntervals(dataset, ['AAA']));
    const start = Date.UTC(2001, 0, 1) * 1000;
    const end = Date.UTC(2003, 0, 1) * 1000;
    for (const range of [{}, { start }, { end }, { start, end }, { start: end * 2, end: end * 2 + 1 }] as TimeRange[]) {
      for (const stamp of ['open', 'close'] as const) {
        const got = await feedOf(streamed, range, stamp);
        const want = await feedOf(dataset, range, stamp);
        // The same rows; streamed a DuckDB chunk (at most 2,048 rows) at a time, not in the dataset's 65,536.
        expect(Math.max(0, ...got.sizes)).toBeLessThanOrEqual(2048);
        expect(got.sizes.reduce((a, b) => a + b, 0)).toBe(want.sizes.reduce((a, b) => a + b, 0));
        expect(got.cols).toEqual(want.cols);
      }
    }
    const { createdBy: _a, ...m1 } = streamed.manifest;
    const { createdBy: _b, ...m2 } = dataset.manifest;
    expect(m1).toEqual(m2);
  });

  it('stops the feed at a bad row far down with the error of the temporary dataset (file, row, column), and writes nothing', async () => {
    const input = await barsFile('bad.csv', 80_000, (i, l) => (i === 75_000 ? l.replace(/,([^,]+)$/, ',-3') : l));
    const viaDataset = await openFresh(input, false).catch((e: unknown) => e);
    expect(viaDataset).toBeInstanceOf(DataError);
    const streamed = await openFresh(input, true);
    expect(streamed.stream).toBeDefined();
    const err = await feedError(streamed);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe((viaDataset as DataError).message);
    expect((err as DataError).message).toMatch(/row 75001\b.*Volume/s);
    expect(() => streamed.manifest).toThrow(/before a replay checked every row/);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('names a date that does not exist far down (DuckDB declines the file mid-way: the JS reader names it) as the temporary dataset does', async () => {
    const input = await barsFile('feb30.csv', 80_000, (i, l) => (i === 70_000 ? l.replace(/^\d{4}-\d{2}-\d{2}/, '2003-02-30') : l));
    const viaDataset = await openFresh(input, false).catch((e: unknown) => e);
    expect(viaDataset).toBeInstanceOf(DataError);
    const streamed = await openFresh(input, true);
    const err = await feedError(streamed);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe((viaDataset as DataError).message);
    expect((err as DataError).message).toMatch(/row 70001\b/);
  });

  it('refuses a bad row among the first rows when it opens the file, as the temporary dataset does', async () => {
    const input = await barsFile('early.csv', 80_000, (i, l) => (i === 100 ? l.replace(/^([^,]+),([^,]+),([^,]+),([^,]+)/, '$1,$2,1,$4') : l));
    const viaDataset = await openFresh(input, false).catch((e: unknown) => e);
    expect(viaDataset).toBeInstanceOf(DataError);
    const streamed = await openFresh(input, true).catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(DataError);
    expect((streamed as DataError).message).toBe((viaDataset as DataError).message);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('imports a file DuckDB cannot type (quoted cells) into a temporary dataset, as before', async () => {
    const input = await barsFile('quoted.csv', 3_000, (i, l) => (i === 2_500 ? l.replace(/,(\d+)$/, ',"$1"') : l));
    const d = await openFresh(input, true);
    expect(d.stream).toBeUndefined();
    expect(d.memory).toBeUndefined();
    expect(d.dir.startsWith(tmp)).toBe(true);
    expect(d.manifest.rows).toEqual({ bars: { AAA: 3_000 } });
  });
});
