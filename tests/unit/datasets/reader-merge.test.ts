import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReader, readAll, writeDataset } from '../../../datasets/index.js';
import { removeAll, T0, tempDir } from './helpers.js';

// Larger tapes than reader.test.ts: runs of equal timestamps longer than DuckDB's 2048-row vectors,
// so run, vector and batch boundaries fall inside each other.
const cleanup: string[] = [];
let dir = '';
const ROWS = 7000;
const RUN = 300; // rows per timestamp within one symbol

interface Tape {
  symbol: string;
  ts: number[];
  price: number[];
}

function tape(symbol: string, k: number): Tape {
  const ts: number[] = [];
  const price: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    // Symbols share some timestamps (every run starts on a multiple of 10) and differ in others.
    ts.push(T0 + Math.floor(i / RUN) * 10 + (k % 2) * (Math.floor(i / RUN) % 3 === 0 ? 0 : 5));
    price.push(k * 100_000 + i + 1);
  }
  return { symbol, ts, price };
}

const tapes = [tape('AAA', 0), tape('BBB', 1), tape('CCC', 2)];

beforeAll(async () => {
  dir = join(await tempDir(cleanup), 'ds');
  await writeDataset(
    dir,
    tapes.map((t) => ({ kind: 'trades' as const, symbol: t.symbol, columns: { ts: t.ts, price: t.price, size: t.price.map(() => 1), side: t.price.map(() => 0) } })),
    {},
  );
});
afterAll(() => removeAll(cleanup));

/** Expected merge: a stable sort by (ts, symbol) of the tapes concatenated in symbol order. */
function expected(symbols: readonly string[], start = -Infinity, end = Infinity): Array<[number, string, number]> {
  const rows: Array<[number, string, number]> = [];
  for (const t of tapes) {
    if (!symbols.includes(t.symbol)) continue;
    t.ts.forEach((ts, i) => {
      if (ts >= start && ts < end) rows.push([ts, t.symbol, t.price[i]!]);
    });
  }
  return rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

async function rows(options: Parameters<typeof readAll>[1]): Promise<Array<[number, string, number]>> {
  const r = await readAll(dir, options);
  return Array.from(r.symbol, (code, i) => [r.columns['ts']![i]!, r.symbols[code]!, r.columns['price']![i]!] as [number, string, number]);
}

describe('openReader over runs of equal timestamps longer than a DuckDB vector', () => {
  it('merges three symbols in (ts, symbol) order with file order inside each run, for any batch size', async () => {
    const want = expected(['AAA', 'BBB', 'CCC']);
    for (const batchRows of [1000, 2048, 4099, 65536]) expect(await rows({ kind: 'trades', batchRows })).toEqual(want);
  });

  it('reads one symbol in file order, every batch full but the last', async () => {
    const reader = await openReader(dir, { kind: 'trades', symbols: ['BBB'], batchRows: 3000 });
    const lengths: number[] = [];
    const prices: number[] = [];
    for await (const b of reader) {
      lengths.push(b.length);
      prices.push(...b.columns['price']!);
      expect(Array.from(b.symbol).every((c) => c === 0)).toBe(true);
    }
    expect(lengths).toEqual([3000, 3000, 1000]);
    expect(prices).toEqual(tapes[1]!.price);
  });

  it('keeps whole runs at start and end bounds that fall on run timestamps', async () => {
    const start = T0 + 60; // a run timestamp every symbol has
    const end = T0 + 115; // a run timestamp only the odd symbol has
    const got = await rows({ kind: 'trades', start, end, batchRows: 777 });
    expect(got).toEqual(expected(['AAA', 'BBB', 'CCC'], start, end));
    expect(got.length).toBeGreaterThan(0);
    expect(got.filter((r) => r[0] === start).length).toBe(3 * RUN);
  });

  it('yields nothing for an empty range', async () => {
    expect(await rows({ kind: 'trades', start: T0 + 40, end: T0 + 40 })).toEqual([]);
    expect(await rows({ kind: 'trades', start: T0 + 1_000_000 })).toEqual([]);
  });
});

describe('openReader over many symbols', () => {
  it('merges 40 symbols with colliding timestamps in (ts, symbol) order', async () => {
    const d = join(await tempDir(cleanup), 'many');
    const symbols = Array.from({ length: 40 }, (_, k) => `S${String(k).padStart(2, '0')}`);
    const tables = symbols.map((symbol, k) => {
      const ts = Array.from({ length: 50 + k }, (_, i) => T0 + Math.floor((i * (k + 3)) / 4));
      return { kind: 'trades' as const, symbol, columns: { ts, price: ts.map((_, i) => k * 1000 + i + 1), size: ts.map(() => 1), side: ts.map(() => 0) } };
    });
    await writeDataset(d, tables, {});
    const want = tables
      .flatMap((t) => t.columns.ts.map((ts, i) => [ts, t.symbol, t.columns.price[i]!] as [number, string, number]))
      .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const batchRows of [7, 1000]) {
      const r = await readAll(d, { kind: 'trades', batchRows });
      expect(r.symbols).toEqual(symbols);
      expect(Array.from(r.symbol, (code, i) => [r.columns['ts']![i]!, r.symbols[code]!, r.columns['price']![i]!])).toEqual(want);
    }
  });
});
