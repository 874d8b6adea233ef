import { describe, expect, it } from 'vitest';
import { DataError } from '../../../engine/core/index.js';
import { BOOK_ACTION as A, BOOK_FLAGS as F, TableValidator, type DataKind } from '../../../datasets/index.js';

function check(kind: DataKind, columns: Record<string, ArrayLike<number> | string[]>, batches: number[] = []): void {
  const v = new TableValidator(kind, 'T');
  const n = (columns['ts'] as ArrayLike<number>).length;
  let start = 0;
  for (const size of [...batches, n]) {
    const end = Math.min(n, start + size);
    const part = Object.fromEntries(
      Object.entries(columns).map(([k, c]) => [k, Array.isArray(c) ? c.slice(start, end) : Array.from(c).slice(start, end)]),
    );
    v.update(part, end - start);
    start = end;
    if (start >= n) break;
  }
  v.finish();
}

function errorOf(fn: () => void): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

/** Book rows: [ts, side, price, size, action, flags]. */
function book(rows: number[][]): Record<string, number[]> {
  const names = ['ts', 'side', 'price', 'size', 'action', 'flags'];
  return Object.fromEntries(names.map((n, i) => [n, rows.map((r) => r[i]!)]));
}
const SNAP = (ts: number, side: number, price: number, size: number, flags: number) => [ts, side, price, size, A.snapshot, flags];

describe('TableValidator', () => {
  it('counts rows across batches, so an out-of-order row in a later batch gets its file row', () => {
    const ts = [1, 2, 3, 4, 3, 5];
    const e = errorOf(() => check('trades', { ts, price: ts.map(() => 1), size: ts.map(() => 1), side: ts.map(() => 0) }, [2, 2]));
    expect([e.row, e.column]).toEqual([5, 'ts']);
  });

  it("names the first bad row of the first column (in the kind's order) that has one, with the rule it breaks", () => {
    const bars = (over: Record<string, number[]>): Record<string, number[]> => ({ ts: [1, 2, 3, 4], open: [1, 1, 1, 1], high: [2, 2, 2, 2], low: [1, 1, 1, 1], close: [1, 1, 1, 1], volume: [0, 0, 0, 0], ...over });
    const cases: [Record<string, number[]>, number, string, RegExp][] = [
      [{ close: [1, 1, Number.NaN, 1], open: [1, 1, 1, 0] }, 4, 'open', /open is 0, expected a positive price/],
      [{ close: [1, 1, Number.NaN, 1] }, 3, 'close', /close is NaN, expected a finite number/],
      [{ high: [2, 2e12, 2, 2] }, 2, 'high', /high is 2000000000000, outside the supported price range \(0, 1e\+12\]/],
      [{ volume: [0, 0, -1, Infinity] }, 3, 'volume', /volume is -1, expected a non-negative value/],
      [{ volume: [0, 0, 0, Infinity] }, 4, 'volume', /volume is Infinity, expected a finite number/],
      [{ volume: [0, 2e15, 0, 0] }, 2, 'volume', /volume is 2000000000000000, outside the supported size range/],
      [{ ts: [1, 2, 3, -Infinity] }, 4, 'ts', /ts is -Infinity, expected a finite number/],
      [{ ts: [1, 2, 9e18, 10e18] }, 3, 'ts', /ts 9000000000000000000 us is outside the supported range/],
    ];
    for (const [over, row, column, message] of cases) {
      const e = errorOf(() => check('bars', bars(over), [2]));
      expect([e.row, e.column]).toEqual([row, column]);
      expect(e.message).toMatch(message);
    }
    // A sentiment score outside [-1, 1]; an optional column's NaN passes, its infinity does not.
    expect(errorOf(() => check('sentiment', { ts: [1, 2], score: [0.5, -1.5], mentions: [1, 1] })).message).toMatch(/row 2, column 'score': score is -1.5, expected a score in \[-1, 1\]/);
    check('sentiment', { ts: [1, 2], score: [1, -1], mentions: [Number.NaN, 3] });
    expect(errorOf(() => check('sentiment', { ts: [1, 2], score: [1, -1], mentions: [Number.NaN, Infinity] })).message).toMatch(/row 2, column 'mentions': mentions is Infinity, expected a finite number/);
  });

  it('accepts several trades at one timestamp but not two bars', () => {
    const ts = [1, 1, 2];
    check('trades', { ts, price: [1, 1, 1], size: [1, 1, 1], side: [1, -1, 0] });
    const e = errorOf(() => check('bars', { ts, open: [1, 1, 1], high: [1, 1, 1], low: [1, 1, 1], close: [1, 1, 1], volume: [0, 0, 0] }));
    expect(e.message).toMatch(/row 2, column 'ts': duplicate timestamp/);
  });

  it('rejects a trade side outside 1, -1, 0 and a fractional timestamp', () => {
    expect(errorOf(() => check('trades', { ts: [1], price: [1], size: [1], side: [2] })).message).toMatch(/column 'side': side is 2, expected one of 1, -1, 0/);
    expect(errorOf(() => check('trades', { ts: [1.5], price: [1], size: [1], side: [0] })).message).toMatch(/column 'ts': ts is 1.5, expected integer microseconds/);
  });

  it('accepts a locked quote and rejects a crossed one', () => {
    check('quotes', { ts: [1], bid: [10], bidSize: [1], ask: [10], askSize: [1] });
    expect(errorOf(() => check('quotes', { ts: [1], bid: [10.01], bidSize: [1], ask: [10], askSize: [1] })).column).toBe('bid');
  });

  it('accepts a book built from a snapshot and deltas', () => {
    check(
      'book',
      book([
        SNAP(1, 1, 10, 5, F.snapshotBegin),
        SNAP(1, 1, 9.9, 5, 0),
        SNAP(1, -1, 10.1, 5, F.snapshotEnd),
        [2, 1, 10, 0, A.delete, 0],
        [2, -1, 10, 3, A.update, 0], // ask 10 while bid 9.9 is best: fine
        [3, 1, 10.05, 1, A.update, 0], // transiently crossed within ts 3 ...
        [3, -1, 10, 0, A.delete, 0], // ... and uncrossed before ts 3 ends
        SNAP(4, 1, 1, 0, F.snapshotBegin | F.snapshotEnd), // an empty book
      ]),
      [2, 3],
    );
  });

  it('checks the book after the last row of each timestamp and names the crossing row', () => {
    const e = errorOf(() =>
      check('book', book([SNAP(1, 1, 10, 5, F.snapshotBegin), SNAP(1, -1, 10.1, 5, F.snapshotEnd), [2, -1, 10, 1, A.update, 0], [3, 1, 9, 1, A.update, 0]])),
    );
    expect(e.message).toMatch(/^T, row 3, column 'price': crossed book at .*best bid 10 is not below best ask 10/);
  });

  it('finds a crossed book at the very end of the table', () => {
    const e = errorOf(() => check('book', book([SNAP(1, 1, 10, 5, F.snapshotBegin | F.snapshotEnd), [2, -1, 9.5, 1, A.update, 0]])));
    expect(e.row).toBe(2);
  });

  it('rejects badly bracketed snapshots and deletes of missing levels', () => {
    expect(errorOf(() => check('book', book([SNAP(1, 1, 10, 5, 0)]))).message).toMatch(/snapshot level outside a snapshot/);
    expect(errorOf(() => check('book', book([SNAP(1, 1, 10, 5, F.snapshotBegin)]))).message).toMatch(/the last snapshot never ends/);
    expect(errorOf(() => check('book', book([SNAP(1, 1, 10, 5, F.snapshotBegin), SNAP(2, 1, 9, 5, F.snapshotEnd)]))).message).toMatch(/span more than one timestamp/);
    expect(errorOf(() => check('book', book([SNAP(1, 1, 10, 5, F.snapshotBegin), [1, 1, 9, 1, A.update, 0]]))).message).toMatch(/delta inside a snapshot/);
    expect(errorOf(() => check('book', book([[1, 1, 10, 1, A.delete, 0]]))).message).toMatch(/row 1, column 'price': delete of level 10 that is not in the book/);
    expect(errorOf(() => check('book', book([[1, 1, 10, 0, A.update, 0]]))).column).toBe('size');
  });

  it('checks option quotes and expiries', () => {
    const base = { ts: [1], underlying: ['X'], expiry: [10], strike: [100], right: [1], bid: [0], ask: [0.05], last: [0], volume: [0], openInterest: [0], iv: [Number.NaN] };
    check('options', { ...base, delta: [Number.NaN], gamma: [Number.NaN], vega: [Number.NaN], theta: [Number.NaN] });
    const withGreeks = { delta: [0.1], gamma: [0.1], vega: [0.1], theta: [0.1] };
    expect(errorOf(() => check('options', { ...base, ...withGreeks, bid: [2], ask: [1] })).message).toMatch(/crossed option quote/);
    expect(errorOf(() => check('options', { ...base, ...withGreeks, expiry: [0] })).column).toBe('expiry');
    expect(errorOf(() => check('options', { ...base, ...withGreeks, right: [0] })).column).toBe('right');
    expect(errorOf(() => check('options', { ...base, ...withGreeks, underlying: [''] })).column).toBe('underlying');
    expect(errorOf(() => check('options', { ...base, ...withGreeks, strike: [Number.NaN] })).message).toMatch(/strike is NaN/);
    // A greek has no value rule: finite, or NaN (optional); an infinity is refused.
    expect(errorOf(() => check('options', { ...base, ...withGreeks, delta: [Infinity] })).message).toMatch(/column 'delta': delta is Infinity, expected a finite number/);
  });
});
