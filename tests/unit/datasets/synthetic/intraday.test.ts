import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, US_PER_DAY } from '../../../../engine/core/index.js';
import { BOOK_ACTION, BOOK_FLAGS } from '../../../../datasets/schema.js';
import {
  generateMarket,
  replayBook,
  SESSION_CLOSE_US,
  SESSION_OPEN_US,
  type BookColumns,
  type QuoteColumns,
  type TradeColumns,
} from '../../../../datasets/synthetic/index.js';
import type { TableInput } from '../../../../datasets/writer.js';

interface BarCols {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}
function get<T>(tables: readonly TableInput[], kind: string, symbol: string): T {
  const t = tables.find((x) => x.kind === kind && x.symbol === symbol);
  if (!t) throw new Error(`no ${kind}/${symbol}`);
  return t.columns as unknown as T;
}
/** Returns the index of the bar holding `ts` (bars stamped at their open time, ascending). */
function barIndex(bars: BarCols, ts: number): number {
  let lo = 0;
  let hi = bars.ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bars.ts[mid]! <= ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

describe.each(['1d', '1m'] as const)('trades and quotes against %s bars', (interval) => {
  let trades: TradeColumns;
  let quotes: QuoteColumns;
  let bars: BarCols;
  beforeAll(() => {
    const { tables } = generateMarket({
      seed: 21,
      symbols: ['AAA', 'BBB'],
      days: 6,
      interval,
      kinds: ['bars', 'trades', 'quotes'],
      intraday: { symbols: ['BBB'], days: 2, tradesPerDay: 3000, quotesPerDay: 4000 },
    });
    trades = get(tables, 'trades', 'BBB');
    quotes = get(tables, 'quotes', 'BBB');
    bars = get(tables, 'bars', 'BBB');
    expect(tables.some((t) => t.kind === 'trades' && t.symbol === 'AAA')).toBe(false);
  });

  it('produce a realistic number of trades, only in the last two sessions', () => {
    expect(trades.ts.length).toBeGreaterThan(4000);
    expect(trades.ts.length).toBeLessThan(8000);
    const days = new Set(Array.from(trades.ts, (t) => Math.floor(t / US_PER_DAY)));
    expect(days.size).toBe(2);
    const barDays = [...new Set(Array.from(bars.ts, (t) => Math.floor(t / US_PER_DAY)))];
    expect([...days].sort()).toEqual(barDays.slice(-2));
  });

  it('have trade prices inside the [low, high] of the bar holding them, positive sizes and an aggressor side', () => {
    for (let i = 0; i < trades.ts.length; i++) {
      const b = barIndex(bars, trades.ts[i]!);
      expect(trades.price[i]!).toBeGreaterThanOrEqual(bars.low[b]!);
      expect(trades.price[i]!).toBeLessThanOrEqual(bars.high[b]!);
      expect(trades.size[i]!).toBeGreaterThan(0);
      expect(Number.isInteger(trades.size[i]!)).toBe(true);
      expect([1, -1]).toContain(trades.side[i]);
      if (i > 0) expect(trades.ts[i]!).toBeGreaterThan(trades.ts[i - 1]!);
      const inDay = trades.ts[i]! % US_PER_DAY;
      expect(inDay).toBeGreaterThanOrEqual(SESSION_OPEN_US);
      expect(inDay).toBeLessThan(SESSION_CLOSE_US);
    }
  });

  it('have quotes with bid < ask on the tick grid, positive sizes, straddling the bar range', () => {
    for (let i = 0; i < quotes.ts.length; i++) {
      const b = barIndex(bars, quotes.ts[i]!);
      expect(quotes.bid[i]!).toBeLessThan(quotes.ask[i]!);
      expect(quotes.bid[i]!).toBeGreaterThan(0);
      expect(quotes.bid[i]!).toBeLessThanOrEqual(bars.high[b]!);
      expect(quotes.ask[i]!).toBeGreaterThanOrEqual(bars.low[b]!);
      expect(quotes.bidSize[i]!).toBeGreaterThan(0);
      expect(quotes.askSize[i]!).toBeGreaterThan(0);
      expect(Math.round(quotes.ask[i]! * 100) / 100).toBe(quotes.ask[i]);
      if (i > 0) expect(quotes.ts[i]!).toBeGreaterThan(quotes.ts[i - 1]!);
    }
  });

  it('have buyers aggress more often on up-moves: the tick rule agrees with the side more than by chance', () => {
    let agree = 0;
    let counted = 0;
    for (let i = 1; i < trades.ts.length; i++) {
      const d = trades.price[i]! - trades.price[i - 1]!;
      if (d === 0) continue;
      counted++;
      if (Math.sign(d) === trades.side[i]) agree++;
    }
    expect(agree / counted).toBeGreaterThan(0.52);
  });
});

describe('L2 book', () => {
  const generateBook = (seed: number, levels: number, snapshotSeconds: number): BookColumns =>
    get(
      generateMarket({
        seed,
        symbols: ['AAA'],
        days: 1,
        kinds: ['book'],
        intraday: { days: 1, bookEventsPerDay: 3000, bookLevels: levels, snapshotSeconds },
      }).tables,
      'book',
      'AAA',
    );

  it('replays from snapshots and deltas into valid books: never crossed, N levels per side, snapshots equal the replay', () => {
    const book = generateBook(4, 10, 60);
    const summary = replayBook(book);
    expect(summary.snapshots).toBe(390);
    expect(summary.snapshotsMatchingReplay).toBe(389);
    expect(summary.minLevelsPerSide).toBe(10);
    expect(summary.maxLevelsPerSide).toBe(10);
    expect(book.action.filter((a) => a === BOOK_ACTION.delete).length).toBeGreaterThan(100);
    expect(book.action.filter((a) => a === BOOK_ACTION.update).length).toBeGreaterThan(1000);
    expect(book.flags[0]).toBe(BOOK_FLAGS.snapshotBegin);
  });

  it('stays valid for any seed, depth and snapshot period (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 5, max: 900 }), (seed, levels, period) => {
        const summary = replayBook(generateBook(seed, levels, period));
        expect(summary.minLevelsPerSide).toBe(levels);
        expect(summary.maxLevelsPerSide).toBe(levels);
        expect(summary.snapshotsMatchingReplay).toBe(summary.snapshots - 1);
      }),
      { numRuns: 12 },
    );
  });

  it('replayBook rejects a delta that crosses the book, naming the row', () => {
    const book: BookColumns = {
      ts: Float64Array.of(1, 1, 2),
      side: Int8Array.of(1, -1, 1),
      price: Float64Array.of(10, 10.02, 10.02),
      size: Float64Array.of(5, 5, 7),
      action: Int8Array.of(2, 2, 0),
      flags: Int8Array.of(1, 2, 0),
    };
    expect(() => replayBook(book, 'book/X.parquet')).toThrow(DataError);
    expect(() => replayBook(book, 'book/X.parquet')).toThrow(/book\/X\.parquet, row 2, column 'price': crossed book/);
  });

  it('replayBook rejects the delete of an absent level', () => {
    const book: BookColumns = {
      ts: Float64Array.of(1, 1, 2),
      side: Int8Array.of(1, -1, -1),
      price: Float64Array.of(10, 10.02, 10.05),
      size: Float64Array.of(5, 5, 0),
      action: Int8Array.of(2, 2, 1),
      flags: Int8Array.of(1, 2, 0),
    };
    expect(() => replayBook(book)).toThrow(/row 2, column 'price': delete of an absent ask level 10.05/);
  });
});
