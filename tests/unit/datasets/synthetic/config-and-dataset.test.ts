import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../engine/core/index.js';
import type { Manifest } from '../../../../datasets/manifest.js';
import { choleskyFactor, generateDataset, qualifySyntheticOptions, tradingDays } from '../../../../datasets/synthetic/index.js';

const dirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tapedeck-synth-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const fileHash = (m: Manifest, kind: string, symbol: string): string => m.files.find((f) => f.kind === kind && f.symbol === symbol)!.contentHash;
const small = { seed: 5, symbols: ['AAA', 'BBB'], days: 20, intraday: { days: 1, tradesPerDay: 500, quotesPerDay: 500, bookEventsPerDay: 500 } };

describe('qualifySyntheticOptions', () => {
  it('applies the documented defaults', () => {
    const c = qualifySyntheticOptions({ seed: 1 });
    expect(c.symbols).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(c.days).toBe(504);
    expect(c.interval).toBe('1d');
    expect(c.kinds).toEqual(['bars', 'trades', 'quotes', 'book', 'options']);
    expect(c.intraday.symbols).toEqual(['AAA']);
    expect(c.options.underlying).toBe('AAA');
  });

  it.each([
    [{ seed: 1.5 }, "invalid 'seed': not a safe integer, was 1.5"],
    [{ seed: 1, days: 0 }, "invalid 'days': not a positive integer, was 0"],
    [{ seed: 1, symbols: ['A', 'A'] }, `invalid 'symbols': duplicate symbol, was "A"`],
    [{ seed: 1, symbols: ['a/b'] }, `invalid 'symbols': not a symbol`],
    [{ seed: 1, interval: '5x' }, `invalid 'interval': not one of 1m, 1h, 1d, was "5x"`],
    [{ seed: 1, kinds: ['bars', 'ticks'] }, `invalid 'kinds': not one of bars, trades, quotes, book, options, sentiment, was "ticks"`],
    [{ seed: 1, start: '2023-02-30' }, `invalid 'start': not a calendar date/time`],
    [{ seed: 1, options: { underlying: 'ZZZ' } }, `invalid 'options.underlying': not among the symbols, was "ZZZ"`],
    [{ seed: 1, symbols: ['A', 'B'], correlation: [[1, 2], [2, 1]] }, `invalid 'correlation[0][1]': outside [-1, 1], was 2`],
  ])('rejects %j naming the field and value', (options, message) => {
    expect(() => qualifySyntheticOptions(options as never)).toThrow(InvalidArgumentError);
    expect(() => qualifySyntheticOptions(options as never)).toThrow(message);
  });

  it('rejects a correlation matrix that is not positive definite', () => {
    const m = [
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ];
    expect(() => choleskyFactor(m)).toThrow(/not positive definite/);
  });
});

describe('choleskyFactor and tradingDays', () => {
  it('factors a correlation matrix: L L^T reproduces it', () => {
    const m = [
      [1, 0.5, 0.2],
      [0.5, 1, 0.3],
      [0.2, 0.3, 1],
    ];
    const l = choleskyFactor(m);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += l[i * 3 + k]! * l[j * 3 + k]!;
        expect(s).toBeCloseTo(m[i]![j]!, 14);
      }
    }
    expect(l[0 * 3 + 1]).toBe(0);
  });

  it('skips weekends: a Saturday start moves to Monday, Friday is followed by Monday', () => {
    const days = tradingDays(Date.UTC(2024, 0, 6) * 1000, 6); // Saturday 2024-01-06
    expect(Array.from(days, (d) => new Date(d / 1000).toISOString().slice(0, 10))).toEqual([
      '2024-01-08',
      '2024-01-09',
      '2024-01-10',
      '2024-01-11',
      '2024-01-12',
      '2024-01-15',
    ]);
  });
});

describe('generateDataset', () => {
  it('writes Parquet + manifest whose per-kind hashes do not move when another kind is added', async () => {
    const root = await scratch();
    const a = await generateDataset({ ...small, kinds: ['bars', 'book'], out: join(root, 'a') });
    const b = await generateDataset({ ...small, out: join(root, 'b') });
    expect(a.manifest.kinds).toEqual(['bars', 'book']);
    expect(b.manifest.kinds).toEqual(['bars', 'trades', 'quotes', 'book', 'options']);
    expect(fileHash(a.manifest, 'bars', 'BBB')).toBe(fileHash(b.manifest, 'bars', 'BBB'));
    expect(fileHash(a.manifest, 'book', 'AAA')).toBe(fileHash(b.manifest, 'book', 'AAA'));
    expect(a.manifest.contentHash).not.toBe(b.manifest.contentHash);
    expect((await readdir(join(root, 'b'))).sort()).toEqual(['bars', 'book', 'manifest.json', 'options', 'quotes', 'trades']);
    const onDisk = JSON.parse(await readFile(join(root, 'b', 'manifest.json'), 'utf8')) as Manifest;
    expect(onDisk.contentHash).toBe(b.manifest.contentHash);
    expect(onDisk.createdBy['seed']).toBe(5);
  });

  it('refuses a non-empty output directory unless forced, then replaces it', async () => {
    const root = await scratch();
    const out = join(root, 'ds');
    await mkdir(out);
    await generateDataset({ ...small, out }); // an empty directory is fine
    await expect(generateDataset({ ...small, seed: 6, out })).rejects.toThrow(/directory exists and is not empty/);
    const before = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(before.createdBy['seed']).toBe(5);
    const replaced = await generateDataset({ ...small, seed: 6, out, force: true });
    expect(replaced.manifest.contentHash).not.toBe(before.contentHash);
    expect((await readdir(root)).filter((n) => n !== 'ds')).toEqual([]);
  });

  it('leaves nothing behind when the options are invalid', async () => {
    const root = await scratch();
    await expect(generateDataset({ ...small, days: -1, out: join(root, 'x') })).rejects.toThrow("invalid 'days'");
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses to replace a directory that is not a dataset even when forced', async () => {
    const root = await scratch();
    await writeFile(join(root, 'precious.txt'), 'keep me');
    await expect(generateDataset({ ...small, out: root, force: true })).rejects.toThrow(/is not a dataset directory and holds files Tapedeck did not write/);
    expect(await readFile(join(root, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});
