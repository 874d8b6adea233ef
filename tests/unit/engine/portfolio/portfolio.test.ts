import { describe, expect, it } from 'vitest';
import { Portfolio } from '../../../../engine/portfolio/index.js';
import { firstWrites } from '../../../support/first-writes.js';

describe('Portfolio accounting (hand-computed)', () => {
  it('buys, adds at a new price and averages the entry', () => {
    const p = new Portfolio(1, 1, 10_000);
    p.applyFill(0, 0, 1, 10, 100, 1, 1);
    p.applyFill(0, 0, 1, 30, 120, 3, 2);
    expect(p.position(0, 0)).toBe(40);
    expect(p.averagePrice(0, 0)).toBe((10 * 100 + 30 * 120) / 40);
    expect(p.cash).toBe(10_000 - 1000 - 1 - 3600 - 3);
    p.markPrice(0, 125);
    expect(p.equity()).toBe(p.cash + 40 * 125);
    expect(p.unrealizedPnl()).toBe((125 - 115) * 40);
  });

  it('closes part of a long and books the round trip with prorated commissions', () => {
    const p = new Portfolio(1, 1, 10_000);
    p.applyFill(0, 0, 1, 10, 100, 2, 1); // entry fee 2 for 10 units
    const closed = p.applyFill(0, 0, -1, 4, 110, 0.8, 5); // exit fee 0.8 for 4 units
    expect(closed).toBe(1);
    const t = p.closedTrades[0]!;
    expect(t).toMatchObject({ side: 'long', qty: 4, entryTs: 1, entryPrice: 100, exitTs: 5, exitPrice: 110 });
    expect(t.commission).toBeCloseTo(0.8 + 2 * (4 / 10), 12);
    expect(t.pnl).toBeCloseTo(40 - 1.6, 12);
    expect(t.returnPct).toBeCloseTo((40 - 1.6) / 400, 12);
    expect(p.position(0, 0)).toBe(6);
    expect(p.averagePrice(0, 0)).toBe(100);
  });

  it('flips from long to short in one fill: closes the long, opens the rest at the fill price', () => {
    const p = new Portfolio(1, 1, 0);
    p.applyFill(0, 0, 1, 100, 50, 0, 1);
    p.applyFill(0, 0, -1, 200, 55, 0, 2);
    expect(p.position(0, 0)).toBe(-100);
    expect(p.averagePrice(0, 0)).toBe(55);
    expect(p.closedTrades).toHaveLength(1);
    expect(p.closedTrades[0]!.pnl).toBe(500);
    expect(p.cash).toBe(-5000 + 11_000);
    // Short profits when the price falls.
    p.applyFill(0, 0, 1, 100, 45, 0, 3);
    expect(p.closedTrades[1]).toMatchObject({ side: 'short', qty: 100, entryPrice: 55, exitPrice: 45, pnl: 1000 });
    expect(p.position(0, 0)).toBe(0);
    expect(p.cash).toBe(1500);
  });

  it('names each round trip by its symbol and ledger, in one key order (closedTrades then symbol, strategyId)', () => {
    const p = new Portfolio(2, 2, 1000);
    p.applyFill(0, 1, 1, 5, 10, 0, 1);
    p.applyFill(0, 1, -1, 5, 12, 0, 2);
    p.applyFill(1, 0, -1, 2, 20, 0, 3);
    p.applyFill(1, 0, 1, 2, 18, 0, 4);
    const named = p.namedClosedTrades(['AAA', 'BBB'], ['fast', 'slow']);
    expect(named).toHaveLength(2);
    expect(named.map((t) => [t.symbol, t.strategyId])).toEqual([
      ['BBB', 'fast'],
      ['AAA', 'slow'],
    ]);
    named.forEach((t, i) => {
      expect(Object.keys(t)).toEqual([...Object.keys(p.closedTrades[i]!), 'symbol', 'strategyId']);
      expect(t).toMatchObject(p.closedTrades[i]!);
    });
  });

  it('keeps separate ledgers per strategy and a net position per symbol', () => {
    const p = new Portfolio(2, 2, 1000);
    p.applyFill(0, 1, 1, 5, 10, 0, 1);
    p.applyFill(1, 1, -1, 2, 12, 0, 1);
    expect(p.position(0, 1)).toBe(5);
    expect(p.position(1, 1)).toBe(-2);
    expect(p.netPosition[1]).toBe(3);
    expect(p.openPositionCount()).toBe(1);
    p.markPrice(1, 11);
    expect(p.grossExposure()).toBe(33);
  });

  it('supports fractional units and contract multipliers', () => {
    const p = new Portfolio(1, 1, 1000, [100]);
    p.applyFill(0, 0, 1, 0.5, 2, 0, 1);
    expect(p.cash).toBe(1000 - 0.5 * 2 * 100);
    p.markPrice(0, 3);
    expect(p.equity()).toBe(900 + 0.5 * 3 * 100);
  });

  it('rejects a non-positive fill quantity as a broken invariant', () => {
    const p = new Portfolio(1, 1, 1000);
    expect(() => p.applyFill(0, 0, 1, 0, 10, 0, 1)).toThrow(/fill quantity must be positive/);
  });
});

describe('Portfolio.cash', () => {
  it('is first written with the initial cash, not defined as undefined before the constructor (no box at each fill)', () => {
    // A field defined as undefined before the constructor runs (a TypeScript field without `declare`) is kept
    // "tagged" by V8, which boxes every double written to it anew: a number allocated at each fill. A setter
    // on a subclass's prototype sees the constructor's write only when the class defines no such field.
    const made: Portfolio[] = [];
    const seen = firstWrites(Portfolio, ['cash'], (C) => {
      made.push(new (C as unknown as typeof Portfolio)(1, 1, 10_000.5));
      return made[0]!;
    });
    expect(seen).toEqual({ cash: 10_000.5 });
    const p = made[0]!;
    p.applyFill(0, 0, 1, 10, 100.25, 1, 1);
    expect(p.cash).toBe(10_000.5 - 1002.5 - 1);
  });
});

