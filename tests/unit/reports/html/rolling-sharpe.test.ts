import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../../reports/metrics.js';
import { rollingSharpe } from '../../../../reports/html/rolling-sharpe.js';

describe('rollingSharpe', () => {
  it('matches a hand computation over a 3-return window', () => {
    // Equity 100, 110, 99, 108.9: returns 0.1, -0.1, 0.1; mean 1/30, std sqrt(((2/30)^2 * 2 + (4/30)^2) / 2) = sqrt(0.01333...)
    const out = rollingSharpe([100, 110, 99, 108.9], 252, 3);
    const mean = 0.1 / 3;
    const std = Math.sqrt(((0.1 - mean) ** 2 * 2 + (-0.1 - mean) ** 2) / 2);
    expect(out.slice(0, 3)).toEqual([null, null, null]);
    expect(out[3]).toBeCloseTo((mean / std) * Math.sqrt(252), 12);
  });

  it('is null over a flat window and where equity is not positive', () => {
    expect(rollingSharpe([100, 100, 100, 100], 252, 2)).toEqual([null, null, null, null]);
    expect(rollingSharpe([100, 101, 0, 101, 102, 104], 252, 2)).toEqual([null, null, null, null, null, expect.any(Number)]);
  });

  it('subtracts the de-annualized risk-free rate per bar', () => {
    const eq = [100, 101, 100.5, 102];
    const withRf = rollingSharpe(eq, 12, 3, 0.05)[3]!;
    const r = [0.01, 100.5 / 101 - 1, 102 / 100.5 - 1];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const std = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    expect(withRf).toBeCloseTo(((mean - (1.05 ** (1 / 12) - 1)) / std) * Math.sqrt(12), 12);
  });

  it('equals the whole-run Sharpe of computeMetrics when the window spans every return', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 3, maxLength: 60 }), (returns) => {
        const equity = [1000];
        for (const r of returns) equity.push(equity.at(-1)! * (1 + r));
        const ts = equity.map((_, i) => i * 86_400_000_000);
        const m = computeMetrics({ equity: { ts, equity }, trades: [], fills: [], initialCash: 1000, periodsPerYear: 252 });
        const rolled = rollingSharpe(equity, 252, returns.length).at(-1);
        if (m.sharpe === null) expect(rolled).toBeNull();
        else expect(rolled).toBeCloseTo(m.sharpe, 8);
      }),
    );
  });

  it('rejects a window below 2 and a non-positive periodsPerYear', () => {
    expect(() => rollingSharpe([1, 2, 3], 252, 1)).toThrow(/'window'/);
    expect(() => rollingSharpe([1, 2, 3], 0, 2)).toThrow(/'periodsPerYear'/);
  });
});
