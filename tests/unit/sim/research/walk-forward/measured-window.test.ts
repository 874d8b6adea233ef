import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equityReturns } from '../../../../../sim/research/index.js';
import { measuredWindow } from '../../../../../sim/research/walk-forward/index.js';

/** A run with samples at ts 10, 20, ..., equity as given, exposure 1 everywhere. */
function run(equity: number[], initialCash = 1000) {
  return {
    initialCash,
    equity: { ts: equity.map((_, i) => 10 * (i + 1)), equity, grossExposure: equity.map(() => 1) },
    trades: [
      { id: 'a', exitTs: 20 },
      { id: 'b', exitTs: 30 },
      { id: 'c', exitTs: 50 },
    ],
    fills: [
      { id: 'f1', ts: 10 },
      { id: 'f2', ts: 30 },
      { id: 'f3', ts: 40 },
    ],
  };
}

describe('measuredWindow', () => {
  it('keeps the samples from the window start, based on the last sample before it and rescaled to start at the initial cash', () => {
    // Samples: 10:1000, 20:1100, 30:1210, 40:1089, 50:1200; the window starts at 30, so 20 is the base.
    const w = measuredWindow(run([1000, 1100, 1210, 1089, 1200]), 30);
    expect(w.baseIndex).toBe(1);
    expect(w.baseTs).toBe(20);
    expect(w.baseEquity).toBe(1100);
    expect(Array.from(w.equity.ts)).toEqual([20, 30, 40, 50]);
    const scaled = [1000, 1210 / 1.1, 1089 / 1.1, 1200 / 1.1];
    Array.from(w.equity.equity).forEach((e, i) => expect(e).toBeCloseTo(scaled[i]!, 9));
    expect(w.equity.equity[0]).toBe(1000);
    expect(Array.from(w.returns)).toEqual([1210 / 1100 - 1, 1089 / 1210 - 1, 1200 / 1089 - 1]);
    expect(w.exposure).toHaveLength(4);
    expect(w.initialCash).toBe(1000);
  });
  it('counts the trades that exit and the fills made at or after the window start', () => {
    const w = measuredWindow(run([1000, 1100, 1210, 1089, 1200]), 30);
    expect(w.trades.map((t) => t.id)).toEqual(['b', 'c']);
    expect(w.fills.map((f) => f.id)).toEqual(['f2', 'f3']);
  });
  it('takes the first sample as the base when no sample precedes the window, and the whole curve measured from before it is the run', () => {
    const r = run([1000, 1100, 1210]);
    const w = measuredWindow(r, 5);
    expect(w.baseIndex).toBe(0);
    expect(Array.from(w.equity.equity)).toEqual([1000, 1100, 1210]);
    expect(Array.from(w.returns)).toEqual(Array.from(equityReturns(r.equity.equity)));
    expect(w.trades).toHaveLength(3);
  });
  it('rejects a window that starts after the last sample, naming measureFromUs', () => {
    expect(() => measuredWindow(run([1000, 1100]), 21)).toThrow(/'measureFromUs'.*was 21/);
  });
  it('returns exactly the tail of the run’s own returns, and a rebased total return equal to the compounded returns (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 1, maxLength: 60 }), fc.nat(), (changes, at) => {
        const equity = [1000];
        for (const c of changes) equity.push(equity.at(-1)! * (1 + c));
        const r = run(equity);
        const from = 10 * (1 + (at % equity.length));
        const w = measuredWindow(r, from);
        const all = equityReturns(equity);
        const tail = Array.from(all).slice(Math.max(0, w.baseIndex));
        expect(Array.from(w.returns)).toEqual(tail);
        const growth = tail.reduce((g, x) => g * (1 + x), 1);
        expect(w.equity.equity.at(-1)! / w.initialCash).toBeCloseTo(growth, 9);
      }),
    );
  });
});
