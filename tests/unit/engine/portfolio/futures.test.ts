import { describe, expect, it } from 'vitest';
import { Portfolio } from '../../../../engine/portfolio/index.js';

/** Futures settle by variation margin: cash moves by realized P&L and fees only, position value is unrealized P&L. */
describe('Portfolio futures accounting (hand-computed)', () => {
  it('2 ES long from 5000.00 to 5010.25 at point value 50 realize 2 x 10.25 x 50 = 1025 less fees', () => {
    // Symbol 0: ES future (point value 50); fees 2.25 per contract per side = 4.50 per fill.
    const p = new Portfolio(1, 1, 100_000, [50], [true]);
    p.markPrice(0, 5000);
    p.applyFill(0, 0, 1, 2, 5000, 4.5, 1);
    // No notional leaves cash: only the entry fee.
    expect(p.cash).toBe(100_000 - 4.5);
    expect(p.positionValue()).toBe(0);
    expect(p.equity()).toBe(99_995.5);
    expect(p.grossExposure()).toBe(2 * 5000 * 50); // 500,000 notional

    p.markPrice(0, 5006);
    // Open P&L 2 x 6 x 50 = 600 is the position's value; cash unchanged.
    expect(p.positionValue()).toBe(600);
    expect(p.unrealizedPnl()).toBe(600);
    expect(p.cash).toBe(99_995.5);
    expect(p.equity()).toBe(100_595.5);

    p.markPrice(0, 5010.25);
    const closed = p.applyFill(0, 0, -1, 2, 5010.25, 4.5, 2);
    expect(closed).toBe(1);
    expect(p.position(0, 0)).toBe(0);
    expect(p.positionValue()).toBe(0);
    expect(p.cash).toBe(100_000 + 1025 - 9);
    expect(p.equity()).toBe(101_016);
    expect(p.realizedGross).toBe(1025);
    const t = p.closedTrades[0]!;
    expect(t).toMatchObject({ side: 'long', qty: 2, entryPrice: 5000, exitPrice: 5010.25, pnl: 1016, commission: 9 });
    // returnPct on the contract notional: 1016 / (5000 x 2 x 50).
    expect(t.returnPct).toBeCloseTo(1016 / 500_000, 15);
  });

  it('a short future gains when the price falls; cash moves only on the close', () => {
    // Symbol 0 a spot equity, symbol 1 CL (point value 1000).
    const p = new Portfolio(2, 1, 50_000, [1, 1000], [false, true]);
    p.applyFill(0, 1, -1, 3, 80.0, 0, 1);
    expect(p.cash).toBe(50_000);
    p.markPrice(1, 79.25);
    expect(p.positionValue()).toBeCloseTo(3 * 0.75 * 1000, 9); // 2250
    expect(p.equity()).toBeCloseTo(52_250, 9);
    p.applyFill(0, 1, 1, 1, 79.25, 0, 2); // cover one contract: realize 750
    expect(p.cash).toBeCloseTo(50_750, 9);
    expect(p.positionValue()).toBeCloseTo(1500, 9);
    expect(p.equity()).toBeCloseTo(52_250, 9);
    // The spot symbol still pays notional.
    p.applyFill(0, 0, 1, 10, 20, 0, 3);
    p.markPrice(0, 20);
    expect(p.cash).toBeCloseTo(50_550, 9);
    expect(p.equity()).toBeCloseTo(52_250, 9);
  });

  it('a flip through zero realizes the closed part and opens the rest at the fill price', () => {
    const p = new Portfolio(1, 1, 10_000, [20], [true]); // NQ, point value 20
    p.applyFill(0, 0, 1, 1, 18_000, 0, 1);
    p.applyFill(0, 0, -1, 3, 18_010, 0, 2); // close 1 (+200), open 2 short at 18010
    expect(p.cash).toBe(10_200);
    expect(p.position(0, 0)).toBe(-2);
    p.markPrice(0, 18_000);
    expect(p.positionValue()).toBe(2 * 10 * 20);
    expect(p.equity()).toBe(10_600);
  });

  it('two strategies on one future: position value sums each ledger at its own average price', () => {
    const p = new Portfolio(1, 2, 0, [50], [true]);
    p.applyFill(0, 0, 1, 1, 4000, 0, 1);
    p.applyFill(1, 0, 1, 1, 4010, 0, 2);
    p.markPrice(0, 4020);
    expect(p.positionValue()).toBe(20 * 50 + 10 * 50);
    expect(p.equity()).toBe(1500);
  });
});
