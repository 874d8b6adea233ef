import { describe, expect, it } from 'vitest';
import { DataError } from '../../../../../engine/core/index.js';
import { BookChange, OrderBook } from '../../../../../sim/venue/l2/index.js';
import { levels, snapshot, T0 } from './l2-harness.js';
import { firstWrites } from '../../../../support/first-writes.js';

const book = (options: Partial<ConstructorParameters<typeof OrderBook>[0]> = {}) => new OrderBook({ tickSize: 0.01, ...options });

describe('OrderBook reconstruction', () => {
  it('rebuilds the hand-computed book from a snapshot plus deltas', () => {
    const b = book();
    snapshot(b, T0, [[100.0, 5], [99.99, 7], [99.97, 3]], [[100.02, 4], [100.03, 6]]);
    b.apply(1, 99.98, 2, 0, 0, T0 + 1, 5); // new bid level between
    b.apply(-1, 100.02, 1, 0, 0, T0 + 2, 6); // best ask size 4 -> 1
    b.apply(1, 100.0, 0, 1, 0, T0 + 3, 7); // best bid deleted: 99.99 becomes best
    b.apply(-1, 100.01, 9, 0, 0, T0 + 4, 8); // improves the ask
    expect(levels(b, 1)).toEqual([[99.99, 7], [99.98, 2], [99.97, 3]]);
    expect(levels(b, -1)).toEqual([[100.01, 9], [100.02, 1], [100.03, 6]]);
    expect(b.bestBid).toBe(99.99);
    expect(b.bestAsk).toBe(100.01);
    expect(b.bestBidSize).toBe(7);
    expect(b.bestAskSize).toBe(9);
    expect(b.mid).toBeCloseTo(100.0, 12);
    expect(b.levelCount(1)).toBe(3);
    expect(b.levelCount(-1)).toBe(3);
  });

  it('clears both sides at a snapshot begin and lists only the snapshot levels', () => {
    const b = book();
    snapshot(b, T0, [[50, 1], [49.5, 1]], [[50.5, 1]]);
    snapshot(b, T0 + 10, [[51, 2]], [[51.5, 3]]);
    expect(levels(b, 1)).toEqual([[51, 2]]);
    expect(levels(b, -1)).toEqual([[51.5, 3]]);
    expect(b.snapshotPending).toBe(false);
  });

  it('reports the change of the last row for queue tracking', () => {
    const b = book();
    snapshot(b, T0, [[10, 5]], [[10.01, 5]]);
    expect(b.lastChange).toBe(BookChange.Many);
    b.apply(1, 10, 3, 0, 0, T0 + 1, 2);
    expect([b.lastChange, b.lastSide, b.lastTick, b.lastPrevSize, b.lastSize]).toEqual([BookChange.Level, 1, 1000, 5, 3]);
  });

  it('treats an update to size 0 as a delete', () => {
    const b = book();
    snapshot(b, T0, [[10, 5], [9.99, 1]], [[10.01, 5]]);
    b.apply(1, 10, 0, 0, 0, T0 + 1, 3);
    expect(b.bestBid).toBe(9.99);
  });

  it('writes depth into caller buffers without exceeding them', () => {
    const b = book();
    snapshot(b, T0, [[10, 1], [9.9, 2], [9.5, 3]], [[10.1, 4]]);
    const p = new Float64Array(2);
    const s = new Float64Array(2);
    expect(b.depth(1, 5, p, s)).toBe(2);
    expect([...p]).toEqual([10, 9.9]);
    expect([...s]).toEqual([1, 2]);
  });

  it('re-centres and grows its ladder when levels move far away', () => {
    const b = book({ initialTicks: 16 });
    snapshot(b, T0, [[100, 1]], [[100.01, 1]]);
    b.apply(1, 90, 2, 0, 0, T0 + 1, 2); // 1000 ticks below: the ladder grows
    b.apply(-1, 130, 3, 0, 0, T0 + 2, 3);
    b.apply(1, 100, 0, 1, 0, T0 + 3, 4);
    expect(b.bestBid).toBe(90);
    expect(levels(b, -1)).toEqual([[100.01, 1], [130, 3]]);
    b.apply(-1, 100.01, 0, 1, 0, T0 + 4, 5);
    expect(b.bestAsk).toBe(130);
    expect(b.sizeAt(1, b.toTick(90))).toBe(2);
  });
});

describe('OrderBook invalid input', () => {
  it('names the row, ts, side and price of a crossing delta', () => {
    const b = book({ name: 'book/AAA.parquet' });
    snapshot(b, T0, [[10, 5]], [[10.02, 5]]);
    expect(() => b.apply(1, 10.02, 1, 0, 0, T0 + 7, 42)).toThrow(DataError);
    expect(() => b.apply(1, 10.03, 1, 0, 0, T0 + 7, 42)).toThrow(/book\/AAA.parquet, row 42, column 'price': row at ts \d+ \(side 1, price 10.03\) leaves the book crossed/);
  });

  it('rejects negative sizes, NaN and off-grid prices and unknown actions', () => {
    const b = book();
    snapshot(b, T0, [[10, 5]], [[10.02, 5]]);
    expect(() => b.apply(1, 9.9, -1, 0, 0, T0, 3)).toThrow(/row 3, column 'size'.*size -1/);
    expect(() => b.apply(1, Number.NaN, 1, 0, 0, T0, 4)).toThrow(/row 4, column 'price'.*price NaN/);
    expect(() => b.apply(1, 9.995, 1, 0, 0, T0, 5)).toThrow(/tick grid/);
    expect(() => b.apply(1, 9.9, 1, 7, 0, T0, 6)).toThrow(/unknown action 7/);
    expect(() => b.apply(1, 9.9, 1, 2, 0, T0, 7)).toThrow(/snapshot row outside a snapshot/);
  });

  it('rejects a delete of an absent level only when the feed promises full depth', () => {
    const partial = book();
    snapshot(partial, T0, [[10, 5]], [[10.02, 5]]);
    partial.apply(1, 9, 0, 1, 0, T0 + 1, 2);
    expect(partial.lastChange).toBe(BookChange.None);
    const full = book({ fullDepth: true });
    snapshot(full, T0, [[10, 5]], [[10.02, 5]]);
    expect(() => full.apply(1, 9, 0, 1, 0, T0 + 1, 2)).toThrow(/delete of an absent level/);
  });

  it('skips and counts invalid rows under skip-event, keeping the book uncrossed', () => {
    const b = book({ repair: 'skip-event', fullDepth: true });
    snapshot(b, T0, [[10, 5]], [[10.02, 5]]);
    b.apply(1, 10.02, 1, 0, 0, T0 + 1, 2);
    b.apply(1, 9.9, -3, 0, 0, T0 + 2, 3);
    b.apply(1, 9.8, 0, 1, 0, T0 + 3, 4);
    b.apply(1, Number.NaN, 1, 0, 0, T0 + 4, 5);
    expect(b.bestBid).toBe(10);
    expect(b.bestAsk).toBe(10.02);
    expect(b.counters).toEqual({ skippedRows: 4, crossedRows: 1, droppedLevels: 0, negativeSize: 1, invalidPrice: 1, unknownLevel: 1, malformed: 0 });
  });

  it('drops the stale crossed levels under drop-crossed-levels and keeps the new one', () => {
    const b = book({ repair: 'drop-crossed-levels' });
    snapshot(b, T0, [[10, 5]], [[10.02, 5], [10.03, 2], [10.05, 1]]);
    b.apply(1, 10.03, 4, 0, 0, T0 + 1, 4);
    expect(b.bestBid).toBe(10.03);
    expect(levels(b, -1)).toEqual([[10.05, 1]]);
    expect(b.counters.crossedRows).toBe(1);
    expect(b.counters.droppedLevels).toBe(2);
    expect(b.counters.skippedRows).toBe(0);
  });

  it('drops the overlap of a crossed snapshot on both sides under a repair policy', () => {
    const b = book({ repair: 'skip-event' });
    snapshot(b, T0, [[10.02, 1], [10.01, 1], [10, 1]], [[10.01, 1], [10.03, 1]]);
    expect(b.bestBid).toBe(10);
    expect(b.bestAsk).toBe(10.03);
    expect(b.counters.droppedLevels).toBe(3);
    expect(() => snapshot(book(), T0, [[10.02, 1]], [[10.01, 1]])).toThrow(/snapshot ending at ts \d+ leaves the book crossed/);
  });
});

describe("OrderBook's number fields", () => {
  it('are first written with their numbers by the constructor (the sizes of the last change, set at each row, are not re-boxed)', () => {
    const fields = ['lastSide', 'lastTick', 'lastPrevSize', 'lastSize', 'rowsSeen'];
    const seen = firstWrites(OrderBook, fields, (C) => new (C as unknown as typeof OrderBook)({ tickSize: 0.01 }));
    expect(Object.keys(seen).sort()).toEqual([...fields].sort());
    for (const f of fields) expect(typeof seen[f]).toBe('number');
  });
});
