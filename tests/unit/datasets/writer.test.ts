import { spawnSync } from 'node:child_process';
import { lstat, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { addToDataset, DatasetWriter, readAll, readManifest, writeDataset } from '../../../datasets/index.js';
import { DuckSession, sqlString } from '../../../datasets/duckdb.js';
import { DirectoryRefused, OUTPUT_MARKER, serializeOutputMarker } from '../../../datasets/output-dir.js';
import { bars, entries, exists, MINUTE, removeAll, snapshotTree, T0, tempDir } from './helpers.js';

const cleanup: string[] = [];
afterEach(() => removeAll(cleanup));

describe('writeDataset', () => {
  it('round-trips every value of every kind bit for bit', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    const b = bars(300);
    const n = 4;
    const ts = Float64Array.from([T0, T0 + 1, T0 + 1, T0 + 5]);
    await writeDataset(
      dir,
      [
        { kind: 'bars', symbol: 'AAA', columns: b },
        { kind: 'trades', symbol: 'AAA', columns: { ts, price: [10.1, 10.2, 10.15, 0.1 + 0.2], size: [1, 2, 3, 4], side: new Int8Array([1, -1, 0, 1]) } },
        { kind: 'quotes', symbol: 'AAA', columns: { ts, bid: [10, 10, 10.05, 10], bidSize: [5, 5, 5, 5], ask: [10.1, 10.1, 10.05, 10.2], askSize: [1, 2, 3, 4] } },
        {
          kind: 'options',
          symbol: 'AAA',
          columns: {
            ts,
            underlying: ['AAA', 'AAA', 'AAA', 'AAA'],
            expiry: Array.from(ts, (t) => t + 86_400_000_000),
            strike: [95, 100, 105, 110],
            right: [1, -1, 1, -1],
            bid: [5.5, 0, 1.25, 10],
            ask: [5.75, 0.05, 1.5, 10.5],
            last: [5.6, 0.01, 1.3, 10.2],
            volume: [10, 0, 3, 1],
            openInterest: [100, 5, 30, 2],
            iv: [0.2, Number.NaN, 0.25, 0.3],
          },
        },
      ],
      { generator: 'test' },
    );
    const rb = await readAll(dir, { kind: 'bars' });
    expect(rb.length).toBe(300);
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(rb.columns[k]!)).toEqual(Array.from(b[k]));
    const rt = await readAll(dir, { kind: 'trades' });
    expect(Array.from(rt.columns['price']!)).toEqual([10.1, 10.2, 10.15, 0.1 + 0.2]);
    expect(Array.from(rt.columns['side']!)).toEqual([1, -1, 0, 1]);
    expect(Array.from(rt.columns['ts']!)).toEqual(Array.from(ts));
    const ro = await readAll(dir, { kind: 'options' });
    expect(Array.from(ro.columns['iv']!)).toEqual([0.2, Number.NaN, 0.25, 0.3]);
    expect(Array.from(ro.columns['delta']!).every(Number.isNaN)).toBe(true);
    expect(ro.dictionaries['underlying']).toEqual(['AAA']);
    expect(Array.from(ro.codes['underlying']!)).toEqual([0, 0, 0, 0]);
    expect(Array.from(ro.columns['right']!)).toEqual([1, -1, 1, -1]);
  });

  it('writes a table with the encodings of parquetCopyOptions (times delta-packed, prices byte-stream-split, zstd) and reads it back whole', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    const b = bars(5000);
    await writeDataset(dir, [{ kind: 'bars', symbol: 'AAA', columns: b }], { generator: 'test' });
    const session = await DuckSession.open({ threads: 1 });
    try {
      const r = await session.conn.runAndReadAll(`SELECT path_in_schema, string_agg(DISTINCT encodings, ' '), string_agg(DISTINCT compression, ' ') FROM parquet_metadata(${sqlString(join(dir, 'bars', 'AAA.parquet'))}) GROUP BY path_in_schema ORDER BY path_in_schema`);
      expect(r.getRowsJS()).toEqual([
        ['close', 'BYTE_STREAM_SPLIT', 'ZSTD'],
        ['high', 'BYTE_STREAM_SPLIT', 'ZSTD'],
        ['low', 'BYTE_STREAM_SPLIT', 'ZSTD'],
        ['open', 'BYTE_STREAM_SPLIT', 'ZSTD'],
        ['ts', 'DELTA_BINARY_PACKED', 'ZSTD'],
        ['volume', 'BYTE_STREAM_SPLIT', 'ZSTD'],
      ]);
    } finally {
      session.close();
    }
    const rb = await readAll(dir, { kind: 'bars' });
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(rb.columns[k]!)).toEqual(Array.from(b[k]));
  });

  it('reads back timestamps across the supported range exactly (int64 halves conversion), refusing times outside it', async () => {
    const root = await tempDir(cleanup);
    const dir = join(root, 'ds');
    // Before issue 11 (D6) times before 1970 and up to 2255 were written too; the engine cannot run them.
    const ts = [0, 1, 2 ** 32, 2 ** 32 + 1, 7_258_118_399_999_999];
    const one = ts.map(() => 1);
    await writeDataset(dir, [{ kind: 'trades', symbol: 'T', columns: { ts, price: one, size: one, side: one } }], {});
    expect(Array.from((await readAll(dir, { kind: 'trades' })).columns['ts']!)).toEqual(ts);
    for (const t of [-1, 7_258_118_400_000_000, Number.MAX_SAFE_INTEGER]) {
      await expect(writeDataset(join(root, 'x'), [{ kind: 'trades', symbol: 'T', columns: { ts: [t], price: [1], size: [1], side: [1] } }], {})).rejects.toThrow(
        /row 1, column 'ts': ts .* is outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59\.999999Z/,
      );
    }
  });

  it('gives the same manifest and contentHash for the same content written twice', async () => {
    const root = await tempDir(cleanup);
    const m1 = await writeDataset(join(root, 'a'), [{ kind: 'bars', symbol: 'X', columns: bars(50) }], { seed: 1 });
    const m2 = await writeDataset(join(root, 'b'), [{ kind: 'bars', symbol: 'X', columns: bars(50) }], { seed: 1 });
    expect(m1.contentHash).toBe(m2.contentHash);
    expect(await readFile(join(root, 'a', 'manifest.json'), 'utf8')).toBe(await readFile(join(root, 'b', 'manifest.json'), 'utf8'));
  });

  it('gives a different contentHash when one value changes in the last bit', async () => {
    const root = await tempDir(cleanup);
    const b = bars(50);
    const m1 = await writeDataset(join(root, 'a'), [{ kind: 'bars', symbol: 'X', columns: b }], {});
    const c = bars(50);
    c.volume[49] = c.volume[49]! + 1;
    const m2 = await writeDataset(join(root, 'b'), [{ kind: 'bars', symbol: 'X', columns: c }], {});
    expect(m1.contentHash).not.toBe(m2.contentHash);
    expect(m1.files[0]!.contentHash).not.toBe(m2.files[0]!.contentHash);
  });

  it('gives the same contentHash whether a table is streamed in one batch or many', async () => {
    const root = await tempDir(cleanup);
    const b = bars(5000);
    const m1 = await writeDataset(join(root, 'a'), [{ kind: 'bars', symbol: 'X', columns: b }], {});
    const w = await DatasetWriter.open(join(root, 'b'), { createdBy: {} });
    const t = await w.beginTable('bars', 'X');
    for (let s = 0; s < 5000; s += 777) {
      const part = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.subarray(s, Math.min(5000, s + 777))]));
      await t.append(part);
    }
    await t.end();
    const m2 = await w.commit();
    expect(m2.contentHash).toBe(m1.contentHash);
  });

  it('records kinds, symbols, time range and rows in the manifest without wall-clock time', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [
      { kind: 'bars', symbol: 'ZZZ', columns: bars(10, 50, T0 + MINUTE) },
      { kind: 'bars', symbol: 'AAA', columns: bars(20) },
    ], { generator: 'g', seed: 3 });
    const m = await readManifest(dir);
    expect(m.kinds).toEqual(['bars']);
    expect(m.symbols).toEqual(['AAA', 'ZZZ']);
    expect(m.rows).toEqual({ bars: { AAA: 20, ZZZ: 10 } });
    expect(m.startUs).toBe(T0);
    expect(m.endUs).toBe(T0 + 19 * MINUTE);
    expect(m.start).toBe('2023-11-14T22:13:20.000Z');
    expect(m.files.map((f) => f.path)).toEqual(['bars/AAA.parquet', 'bars/ZZZ.parquet']);
    expect(m.createdBy).toEqual({ generator: 'g', seed: 3 });
  });

  it('refuses to overwrite an existing directory unless asked to replace it', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    await expect(writeDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {})).rejects.toThrow(/already exists/);
    const m = await writeDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {}, { replace: true });
    expect(m.symbols).toEqual(['B']);
    expect(await exists(join(dir, 'bars', 'A.parquet'))).toBe(false);
  });

  it('leaves no output at all when a table is invalid', async () => {
    const root = await tempDir(cleanup);
    const bad = bars(10);
    bad.close[7] = Number.NaN;
    const err = await writeDataset(join(root, 'ds'), [
      { kind: 'bars', symbol: 'A', columns: bars(10) },
      { kind: 'bars', symbol: 'B', columns: bad },
    ], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(/^bars\/B, row 8, column 'close': close is NaN/);
    expect(await entries(root)).toEqual([]);
  });

  it('adds a second symbol to an existing dataset and keeps the first one byte-identical', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], { first: true });
    const before = await snapshotTree(dir);
    const m = await addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(7) }], { second: true });
    expect(m.symbols).toEqual(['A', 'B']);
    expect(m.rows).toEqual({ bars: { A: 5, B: 7 } });
    expect(m.createdBy).toEqual({ first: true });
    expect(m.files.map((f) => f.source)).toEqual([{ first: true }, { second: true }]);
    const after = await snapshotTree(dir);
    expect(after['bars/A.parquet']).toBe(before['bars/A.parquet']);
  });

  it('refuses to add a table that exists unless replace is set, and then replaces only that table', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [
      { kind: 'bars', symbol: 'A', columns: bars(5) },
      { kind: 'bars', symbol: 'B', columns: bars(5) },
    ], {});
    const before = await snapshotTree(dir);
    await expect(addToDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(6) }], {})).rejects.toThrow(/already has bars for A/);
    expect(await snapshotTree(dir)).toEqual(before);
    const m = await addToDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(6) }], {}, { replace: true });
    expect(m.rows).toEqual({ bars: { A: 6, B: 5 } });
    const after = await snapshotTree(dir);
    expect(after['bars/B.parquet']).toBe(before['bars/B.parquet']);
    expect(after['bars/A.parquet']).not.toBe(before['bars/A.parquet']);
    expect((await readAll(dir, { kind: 'bars', symbols: ['A'] })).length).toBe(6);
  });

  it('keeps an existing dataset byte-identical when an added table is invalid', async () => {
    const root = await tempDir(cleanup);
    const dir = join(root, 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    const before = await snapshotTree(dir);
    const bad = bars(5);
    bad.high[2] = bad.low[2]! - 1;
    await expect(addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bad }], {})).rejects.toThrow(/row 3, column 'high'/);
    expect(await snapshotTree(dir)).toEqual(before);
    expect(await entries(root)).toEqual(['ds']);
  });

  it('names a missing column and an unknown column', async () => {
    const root = await tempDir(cleanup);
    const { volume: _v, ...noVolume } = bars(3);
    await expect(writeDataset(join(root, 'a'), [{ kind: 'bars', symbol: 'A', columns: noVolume }], {})).rejects.toThrow(/column 'volume': missing column 'volume'/);
    await expect(writeDataset(join(root, 'b'), [{ kind: 'bars', symbol: 'A', columns: { ...bars(3), vwap: [1, 2, 3] } }], {})).rejects.toThrow(/unknown column 'vwap'/);
    expect(await entries(root)).toEqual([]);
  });
});

/** The pid of a process that has already exited (a writer killed earlier). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

describe('the writer never deletes what it did not write (issue 11)', () => {
  it('D1: a user file in a dataset directory survives adding a table, replacing a table and replacing the dataset', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    await writeFile(join(dir, 'NOTES.txt'), 'my notes\n');
    await mkdir(join(dir, 'reports'));
    await writeFile(join(dir, 'reports', 'report.json'), '{"mine":true}\n');
    await writeFile(join(dir, 'bars', 'README'), 'about these bars\n');
    const mine = async (): Promise<Record<string, string>> => {
      const t = await snapshotTree(dir);
      return { notes: t['NOTES.txt']!, report: t['reports/report.json']!, readme: t['bars/README']! };
    };
    const before = await mine();
    expect(Object.values(before).every((h) => typeof h === 'string')).toBe(true);

    await addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(6) }], {});
    expect(await mine()).toEqual(before);
    await addToDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(7) }], {}, { replace: true });
    expect(await mine()).toEqual(before);
    const m = await writeDataset(dir, [{ kind: 'bars', symbol: 'C', columns: bars(3) }], {}, { replace: true });
    expect(m.symbols).toEqual(['C']);
    expect(await mine()).toEqual(before);
    expect(await readFile(join(dir, 'NOTES.txt'), 'utf8')).toBe('my notes\n');
    expect(await exists(join(dir, 'bars', 'A.parquet'))).toBe(false);
    expect(await entries(dirname(dir))).toEqual(['ds']); // no staging or aside left beside it
  });

  it('D1: refuses a run/sweep output directory and a non-empty directory that is not a dataset, touching nothing', async () => {
    const root = await tempDir(cleanup);
    const out = join(root, 'run-out');
    await mkdir(out);
    await writeFile(join(out, OUTPUT_MARKER), serializeOutputMarker('sweep', ['sweep.json']));
    await writeFile(join(out, 'sweep.json'), '{}');
    const other = join(root, 'other');
    await mkdir(other);
    await writeFile(join(other, 'NOTES.txt'), 'x');
    for (const dir of [out, other]) {
      const before = await snapshotTree(dir);
      const err = await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {}, { replace: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DirectoryRefused);
      expect((err as Error).message).toMatch(dir === out ? /is a sweep output directory/ : /is not a dataset directory and holds files Tapedeck did not write \("NOTES.txt"\)/);
      await expect(addToDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {})).rejects.toBeInstanceOf(DirectoryRefused);
      expect(await snapshotTree(dir)).toEqual(before);
    }
    expect(await entries(root)).toEqual(['other', 'run-out']);
  });

  it('D1: refuses to write a table over a file of the same name that the manifest does not list', async () => {
    const dir = join(await tempDir(cleanup), 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    await writeFile(join(dir, 'bars', 'B.parquet'), 'a parquet file the user put here');
    const before = await snapshotTree(dir);
    await expect(addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {})).rejects.toThrow(/bars\/B\.parquet.*not in manifest\.json/);
    expect(await snapshotTree(dir)).toEqual(before);
    expect(await entries(dirname(dir))).toEqual(['ds']);
  });

  it('D20: the next write removes a killed writer\'s staging directory, and only that', async () => {
    const root = await tempDir(cleanup);
    const dir = join(root, 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    const dead = deadPid();
    const stale = join(root, `.ds.staging-${dead}-0123abcd`);
    await mkdir(join(stale, 'bars'), { recursive: true });
    await writeFile(join(stale, 'bars', 'A.parquet'), 'half written');
    const live = join(root, `.ds.staging-${process.ppid}-0123abcd`); // a writer still running
    await mkdir(live);
    await writeFile(join(root, '.ds.staging-notes'), 'not a Tapedeck name');
    await writeFile(join(root, `.other.staging-${dead}-0123abcd`), 'another directory\'s');
    await addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {});
    expect(await entries(root)).toEqual([`.ds.staging-${process.ppid}-0123abcd`, '.ds.staging-notes', `.other.staging-${dead}-0123abcd`, 'ds'].sort());
    expect((await readManifest(dir)).symbols).toEqual(['A', 'B']);
  });

  it('D20: a dataset a killed writer had moved aside is put back before the next write', async () => {
    const root = await tempDir(cleanup);
    const dir = join(root, 'ds');
    await writeDataset(dir, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    await writeFile(join(dir, 'NOTES.txt'), 'mine');
    const dead = deadPid();
    // Killed between the two renames of the swap: the old dataset aside, the new one staged.
    await rename(dir, join(root, `.ds.aside-${dead}-0123abcd`));
    await writeDataset(join(root, `.ds.staging-${dead}-89abcdef`), [{ kind: 'bars', symbol: 'X', columns: bars(5) }], {});
    await addToDataset(dir, [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {});
    expect(await entries(root)).toEqual(['ds']);
    expect((await readManifest(dir)).symbols).toEqual(['A', 'B']);
    expect(await readFile(join(dir, 'NOTES.txt'), 'utf8')).toBe('mine');
  });

  it('D1: a dataset reached through a symbolic link is replaced where it is, the link and the user files kept', async () => {
    const root = await tempDir(cleanup);
    const real = join(root, 'real');
    await writeDataset(real, [{ kind: 'bars', symbol: 'A', columns: bars(5) }], {});
    await writeFile(join(real, 'NOTES.txt'), 'mine');
    await symlink(real, join(root, 'link'));
    await addToDataset(join(root, 'link'), [{ kind: 'bars', symbol: 'B', columns: bars(5) }], {});
    expect((await lstat(join(root, 'link'))).isSymbolicLink()).toBe(true);
    expect((await readManifest(real)).symbols).toEqual(['A', 'B']);
    expect(await readFile(join(real, 'NOTES.txt'), 'utf8')).toBe('mine');
    expect(await entries(root)).toEqual(['link', 'real']);
  });
});
