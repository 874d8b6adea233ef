import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, US_PER_DAY, US_PER_HOUR, US_PER_YEAR } from '../../../engine/core/index.js';
import {
  annualization,
  computeMetrics,
  DeviationSums,
  drawdownSeries,
  medianSpacingUs,
  weekendsAbsent,
  type MetricsInput,
  type PerformanceMetrics,
  type TradeRecord,
} from '../../../reports/index.js';

const MONDAY_2024_01_01 = Date.UTC(2024, 0, 1) * 1000;

/** Timestamps of `n` daily bars from Monday 2024-01-01, on weekdays only or on every day. */
function dailyTs(n: number, weekdaysOnly: boolean): number[] {
  const out: number[] = [];
  for (let day = 0; out.length < n; day++) {
    const dow = (day + 1) % 7; // 2024-01-01 is a Monday (1, with Sunday = 0)
    if (weekdaysOnly && (dow === 0 || dow === 6)) continue;
    out.push(MONDAY_2024_01_01 + day * US_PER_DAY);
  }
  return out;
}

function trade(pnl: number, returnPct: number, entryTs = 0, exitTs = 0): TradeRecord {
  return { symbol: 'X', side: 'long', qty: 1, entryTs, entryPrice: 100, exitTs, exitPrice: 100, pnl, returnPct, commission: 0 };
}

function input(equity: number[], extra: Partial<MetricsInput> = {}): MetricsInput {
  return {
    equity: { ts: dailyTs(equity.length, true), equity },
    trades: [],
    fills: [],
    initialCash: equity[0]!,
    ...extra,
  };
}

describe('computeMetrics on hand-computed cases', () => {
  // Equity 100 -> 110 -> 99 -> 121 on weekday daily bars (P = 252).
  // Returns: 0.1, -0.1, 2/9. Peak 110 then 99: drawdown 0.1, recovered at 121 (one episode of 2 bars).
  const m = computeMetrics(input([100, 110, 99, 121]));

  it('returns the final equity and a total return of 0.21', () => {
    expect(m.finalEquity).toBe(121);
    expect(m.totalReturn).toBeCloseTo(0.21, 15);
  });

  it('measures a maximum drawdown of 0.1 lasting from the peak at bar 1 to the recovery at bar 3', () => {
    expect(m.maxDrawdown).toBeCloseTo(0.1, 15);
    expect(m.maxDrawdownDurationBars).toBe(2);
    expect(m.maxDrawdownDurationUs).toBe(2 * US_PER_DAY);
    expect(m.drawdownEpisodes).toBe(1);
    expect(m.averageDrawdown).toBeCloseTo(0.1, 15);
  });

  it('annualizes weekday daily bars with 252 periods per year', () => {
    expect(m.periodsPerYear).toBe(252);
    expect(m.annualization).toBe('trading-days');
    // CAGR over 3 periods = 3/252 years: 1.21^(84) - 1.
    expect(m.cagr).toBeCloseTo(Math.pow(1.21, 84) - 1, 0);
    expect(m.cagr! / (Math.pow(1.21, 84) - 1)).toBeCloseTo(1, 12);
  });

  it('computes Sharpe and Sortino from the per-bar returns 0.1, -0.1 and 2/9', () => {
    const r = [0.1, -0.1, 2 / 9];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 12);
    expect(m.annualizedVolatility).toBeCloseTo(sd * Math.sqrt(252), 12);
    // Only -0.1 is below zero: downside deviation sqrt(0.01 / 3).
    expect(m.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * Math.sqrt(252), 12);
    expect(m.calmar).toBeCloseTo(m.cagr! / 0.1, 6);
  });

  it('computes the trade statistics of pnl 10, -5, 20, -5', () => {
    const t = computeMetrics(input([100, 110, 99, 121], { trades: [trade(10, 0.1), trade(-5, -0.05), trade(20, 0.2), trade(-5, -0.05)] }));
    expect(t.tradeCount).toBe(4);
    expect(t.winRate).toBe(0.5);
    expect(t.bestTrade).toBe(0.2);
    expect(t.worstTrade).toBe(-0.05);
    expect(t.averageTrade).toBeCloseTo(0.05, 15);
    expect(t.profitFactor).toBe(3); // 30 / 10
    expect(t.expectancy).toBe(5);
    // pnl std (ddof 1): deviations 5, -10, 15, -10 -> sqrt(450 / 3) = sqrt(150); SQN = 2 * 5 / sqrt(150).
    expect(t.sqn).toBeCloseTo(10 / Math.sqrt(150), 14);
    // Kelly: 0.5 - 0.5 / (15 / 5) = 1/3.
    expect(t.kelly).toBeCloseTo(1 / 3, 15);
    expect(t.averageWinningTrade).toBe(15);
    expect(t.averageLosingTrade).toBe(-5);
  });

  it('sums traded notional and commissions over the fills and divides by the mean equity for turnover', () => {
    const t = computeMetrics(
      input([100, 110, 99, 121], {
        fills: [
          { ts: 0, symbol: 'X', side: 'buy', qty: 2, price: 50, commission: 0.25 },
          { ts: 0, symbol: 'X', side: 'sell', qty: 1, price: 80, commission: 0.5 },
        ],
      }),
    );
    expect(t.tradedNotional).toBe(180);
    expect(t.totalCommissions).toBe(0.75);
    expect(t.turnover).toBeCloseTo(180 / 107.5, 15);
    expect(t.annualTurnover).toBeCloseTo(180 / 107.5 / (3 / 252), 12);
  });

  it('returns the equal-weight buy-and-hold return of several symbols, or that of a benchmark curve', () => {
    const prices = computeMetrics(
      input([100, 101], {
        buyAndHold: { kind: 'prices', prices: [{ symbol: 'A', firstPrice: 10, lastPrice: 12 }, { symbol: 'B', firstPrice: 20, lastPrice: 19 }] },
      }),
    );
    expect(prices.buyAndHoldReturn).toBeCloseTo((0.2 - 0.05) / 2, 15);
    const curve = computeMetrics(input([100, 101], { buyAndHold: { kind: 'equity', equity: [50, 40, 75] } }));
    expect(curve.buyAndHoldReturn).toBe(0.5);
  });

  it('counts exposure from the exposure series when given, from the trades otherwise', () => {
    const flags = computeMetrics(input([100, 101, 102, 103], { exposure: [0, 5000, -20, 0] }));
    expect(flags.exposureTime).toBe(0.5);
    const ts = dailyTs(4, true);
    // A trade from bar 1 to bar 3 holds a position over bars 1 and 2.
    const fromTrades = computeMetrics(input([100, 101, 102, 103], { trades: [trade(3, 0.03, ts[1]!, ts[3]!)] }));
    expect(fromTrades.exposureTime).toBe(0.5);
  });

  it('de-annualizes the risk-free rate geometrically and subtracts it from every return', () => {
    const eq = [100, 101, 100.5, 102, 101.7];
    const plain = computeMetrics(input(eq));
    const withRf = computeMetrics(input(eq, { riskFreeRate: 0.05 }));
    const rfBar = Math.pow(1.05, 1 / 252) - 1;
    expect(withRf.sharpe! - plain.sharpe!).toBeCloseTo((-rfBar / (plain.annualizedVolatility! / Math.sqrt(252))) * Math.sqrt(252), 12);
  });
});

describe('computeMetrics on edge cases', () => {
  it('gives null, never NaN or Infinity, for ratios of a flat equity curve', () => {
    const m = computeMetrics(input([100, 100, 100, 100]));
    expect(m.totalReturn).toBe(0);
    expect(m.cagr).toBe(0);
    expect(m.annualizedVolatility).toBe(0);
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.calmar).toBeNull();
    expect(m.maxDrawdown).toBe(0);
    expect(m.averageDrawdown).toBe(0);
    expect(m.drawdownEpisodes).toBe(0);
  });

  it('gives null trade statistics when there are no trades', () => {
    const m = computeMetrics(input([100, 105, 103]));
    expect(m.tradeCount).toBe(0);
    for (const key of ['winRate', 'bestTrade', 'worstTrade', 'averageTrade', 'profitFactor', 'expectancy', 'sqn', 'kelly'] as const) {
      expect(m[key], key).toBeNull();
    }
    expect(m.exposureTime).toBe(0);
  });

  it('handles a single bar: no returns, no annualization without a bar interval', () => {
    const m = computeMetrics(input([100]));
    expect(m.bars).toBe(1);
    expect(m.finalEquity).toBe(100);
    expect(m.totalReturn).toBe(0);
    expect(m.periodsPerYear).toBeNull();
    expect(m.cagr).toBeNull();
    expect(m.sharpe).toBeNull();
    expect(m.annualizedVolatility).toBeNull();
    expect(m.annualTurnover).toBeNull();
  });

  it('gives no profit factor and a Kelly fraction equal to the win rate when no trade loses', () => {
    const m = computeMetrics(input([100, 101], { trades: [trade(1, 0.01), trade(2, 0.02), trade(0, 0)] }));
    expect(m.profitFactor).toBeNull();
    expect(m.kelly).toBeCloseTo(2 / 3, 15);
    expect(m.averageLosingTrade).toBeNull();
  });

  it('gives no Kelly fraction when no trade wins', () => {
    const m = computeMetrics(input([100, 99], { trades: [trade(-1, -0.01), trade(-3, -0.03)] }));
    expect(m.kelly).toBeNull();
    expect(m.winRate).toBe(0);
    expect(m.profitFactor).toBe(0);
  });

  it('counts a drawdown still open on the last bar as an episode ending there', () => {
    const m = computeMetrics(input([100, 120, 90]));
    expect(m.drawdownEpisodes).toBe(1);
    expect(m.maxDrawdown).toBeCloseTo(0.25, 15);
    expect(m.maxDrawdownDurationBars).toBe(1);
  });

  it('gives a CAGR of -1 when the equity ends at or below zero, and leaves return ratios undefined', () => {
    const m = computeMetrics(input([100, 50, -10, 5]));
    expect(m.cagr).toBe(-1);
    expect(m.sharpe).toBeNull();
    expect(m.maxDrawdown).toBeCloseTo(1.1, 15);
  });

  it('rejects malformed input naming the field and the value', () => {
    expect(() => computeMetrics(input([100, Number.NaN]))).toThrow(/'equity.equity\[1\]': not a finite number, was NaN/);
    expect(() => computeMetrics(input([0, 1]))).toThrow(/'equity.equity\[0\]': not positive, was 0/);
    expect(() => computeMetrics({ ...input([100, 101]), equity: { ts: [5, 5], equity: [100, 101] } })).toThrow(
      /'equity.ts\[1\]': not after/,
    );
    expect(() => computeMetrics({ ...input([100, 101]), equity: { ts: [5], equity: [100, 101] } })).toThrow(InvalidArgumentError);
    expect(() => computeMetrics(input([100, 101], { exposure: [1] }))).toThrow(/'exposure'/);
    expect(() => computeMetrics(input([100, 101], { initialCash: -1 }))).toThrow(/'initialCash': not positive, was -1/);
    expect(() => computeMetrics(input([100, 101], { trades: [trade(Number.POSITIVE_INFINITY, 0)] }))).toThrow(/'trades\[0\].pnl'/);
  });

  it('names the first bad sample and the first check it fails (the checks of one loop, their texts made outside it)', () => {
    const curve = (ts: number[], equity: number[]): MetricsInput => ({ ...input(equity), equity: { ts, equity } });
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(message(() => computeMetrics(curve([1, 2, 3.5, 3], [100, 101, 102, Number.NaN])))).toBe("invalid 'equity.ts[2]': not a safe integer, was 3.5");
    // Not after the one before, though its equity is not finite either: the time is checked first.
    expect(message(() => computeMetrics(curve([1, 2, 2, 4], [100, 101, Number.NaN, 103])))).toBe("invalid 'equity.ts[2]': not after equity.ts[1] (2), was 2");
    expect(message(() => computeMetrics(curve([1, 2, 3, 4], [100, 101, 102, Number.POSITIVE_INFINITY])))).toBe("invalid 'equity.equity[3]': not a finite number, was Infinity");
    expect(message(() => computeMetrics(input([100, 101, 102], { exposure: [0, 5, Number.NaN] })))).toBe("invalid 'exposure[2]': not a finite number, was NaN");
    expect(message(() => drawdownSeries([100, 90, Number.NaN]))).toBe("invalid 'equity[2]': not a finite number, was NaN");
    // A chunked curve names the sample by its index in the whole curve.
    const chunked: MetricsInput = {
      ...input([100, 101, 102, 103]),
      equity: { length: 4, scan: (visit) => (visit([1, 2], [100, 101], 2), visit([3, 3], [102, 103], 2)) },
    };
    expect(message(() => computeMetrics(chunked))).toBe("invalid 'equity.ts[3]': not after equity.ts[2] (3), was 3");
  });

  it('counts the exposed samples of an exposure series as it checks it (not 0, either sign)', () => {
    expect(computeMetrics(input([100, 101, 102, 103], { exposure: [0, -5, 0.25, -0] })).exposureTime).toBe(0.5);
    // The streamed count wins over a series given beside it, which is still checked.
    expect(computeMetrics(input([100, 101, 102, 103], { exposure: [0, 0, 0, 0], exposedSamples: 3 })).exposureTime).toBe(0.75);
    expect(() => computeMetrics(input([100, 101, 102, 103], { exposure: [0, 0, Number.NaN, 0], exposedSamples: 3 }))).toThrow(/'exposure\[2\]'/);
  });

  it('sums the downside of the excess returns as the branch on their sign did, bit for bit', () => {
    // Returns of both signs, zero ones and a -0 one (equal samples at 0 after a rate): Sortino from the downside sum.
    const eq = [100, 103, 99, 99, 101.5, 97.25, 97.25, 102, 100.125, 104, 98, 98.5];
    for (const riskFreeRate of [0, 0.03]) {
      const m = computeMetrics(input(eq, { riskFreeRate }));
      const P = m.periodsPerYear!;
      const rfPerBar = Math.pow(1 + riskFreeRate, 1 / P) - 1;
      const x: number[] = [];
      for (let i = 1; i < eq.length; i++) x.push(eq[i]! / eq[i - 1]! - 1 - rfPerBar);
      let sum = 0;
      for (const v of x) sum += v;
      const mean = sum / x.length;
      let downside = 0;
      for (const v of x) if (v < 0) downside += v * v;
      expect(m.sortino).toBe((mean / Math.sqrt(downside / x.length)) * Math.sqrt(P));
    }
  });

  it('never returns NaN or an infinity for any positive equity curve (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), (eq) => {
        const m = computeMetrics(input(eq));
        for (const [key, value] of Object.entries(m)) {
          if (typeof value === 'number') expect(Number.isFinite(value), key).toBe(true);
        }
      }),
    );
  });
});

describe('annualization', () => {
  it('uses 252 periods for weekday daily bars and 365 when weekends are present', () => {
    expect(annualization(dailyTs(30, true))?.periodsPerYear).toBe(252);
    expect(annualization(dailyTs(30, false))?.periodsPerYear).toBe(365);
  });

  it('treats weekday bars stamped a day early in UTC (Sunday to Thursday) as weekday data', () => {
    const shifted = dailyTs(30, true).map((t) => t - US_PER_DAY + 15 * US_PER_HOUR);
    expect(weekendsAbsent(shifted)).toBe(true);
    expect(annualization(shifted)?.kind).toBe('trading-days');
  });

  it('uses US_PER_YEAR / interval for intraday bars and honours an explicit override', () => {
    const hourly = Array.from({ length: 10 }, (_, i) => i * US_PER_HOUR);
    expect(annualization(hourly)).toEqual({ kind: 'interval', periodsPerYear: US_PER_YEAR / US_PER_HOUR, barIntervalUs: US_PER_HOUR });
    expect(annualization(hourly, undefined, 1638)?.periodsPerYear).toBe(1638);
  });

  it('takes the median spacing, averaging the two middle spacings for an even count', () => {
    expect(medianSpacingUs([0, 1, 3, 6, 10])).toBe(2.5);
    expect(medianSpacingUs([0, 10, 11, 13])).toBe(2);
    expect(medianSpacingUs([7])).toBeNull();
  });
});

describe('drawdownSeries', () => {
  it('returns the fraction below the running peak at every point', () => {
    const dd = drawdownSeries([100, 110, 99, 121, 110]);
    expect(Array.from(dd).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([0, 0, 0.1, 0, 1 - 110 / 121].map((x) => Math.round(x * 1e12) / 1e12));
  });

  it('is zero exactly at each new high and never negative (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (eq) => {
        const dd = drawdownSeries(eq);
        let peak = Number.NEGATIVE_INFINITY;
        eq.forEach((e, i) => {
          expect(dd[i]).toBeGreaterThanOrEqual(0);
          if (e >= peak) {
            expect(dd[i]).toBe(0);
            peak = e;
          }
        });
      }),
    );
  });
});

interface ReferenceCase {
  name: string;
  input: MetricsInput;
  expected: Record<keyof PerformanceMetrics, number | string | null>;
}
const reference = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../fixtures/metrics-reference.json'), 'utf8'),
) as { cases: ReferenceCase[] };

describe('computeMetrics against the pandas/numpy reference (tests/fixtures/scripts/metrics-reference.py)', () => {
  it('has reference cases to check', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(3);
  });

  for (const c of reference.cases) {
    it(`matches every metric to 1e-12 (relative) on ${c.name}`, () => {
      const actual = computeMetrics(c.input);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(c.expected).sort());
      for (const [key, want] of Object.entries(c.expected)) {
        const got = actual[key as keyof PerformanceMetrics];
        if (typeof want === 'number' && typeof got === 'number') {
          expect(Math.abs(got - want), `${key}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
        } else {
          expect(got, key).toEqual(want);
        }
      }
    });
  }
});

describe('computeMetrics over records given as columns', () => {
  /** `records` as columns (as a run's `records.trades` and `records.fills` hand them): one Float64Array per field. */
  function asColumns<T extends object>(records: readonly T[]): { length: number; column(field: string): Float64Array } {
    return { length: records.length, column: (field) => Float64Array.from(records, (r) => (r as Record<string, number>)[field]!) };
  }

  it('gives the same metrics as the records themselves (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pnl: fc.double({ min: -1e4, max: 1e4, noNaN: true }), ret: fc.double({ min: -0.5, max: 0.5, noNaN: true }), entry: fc.integer({ min: 0, max: 9 }), span: fc.integer({ min: -1, max: 5 }) }), { maxLength: 30 }),
        fc.array(fc.record({ qty: fc.double({ min: -50, max: 50, noNaN: true }), price: fc.double({ min: 1, max: 500, noNaN: true }), commission: fc.double({ min: 0, max: 5, noNaN: true }) }), { maxLength: 30 }),
        (ts, fs) => {
          const days = dailyTs(10, true);
          const trades = ts.map((t) => trade(t.pnl, t.ret, days[t.entry]!, days[Math.min(9, Math.max(0, t.entry + t.span))]!));
          const fills = fs.map((f, i) => ({ ts: days[i % 10]!, symbol: 'X', side: 'buy' as const, qty: f.qty, price: f.price, commission: f.commission }));
          const equity = [100, 101, 99, 103, 104, 102, 105, 107, 106, 108];
          const whole = computeMetrics(input(equity, { trades, fills }));
          const columns = computeMetrics(input(equity, { trades: asColumns(trades), fills: asColumns(fills) }));
          expect(columns).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the first row with a number that is not finite, and its first such field, either way', () => {
    const trades = [trade(1, 0.01), { ...trade(2, 0.02), exitPrice: Number.NaN, pnl: Number.POSITIVE_INFINITY }, { ...trade(3, 0.03), qty: Number.NaN }];
    for (const t of [trades, asColumns(trades)]) expect(() => computeMetrics(input([100, 101], { trades: t }))).toThrow("invalid 'trades[1].exitPrice'");
    const fills = [{ ts: 0, symbol: 'X', side: 'buy' as const, qty: 1, price: 1, commission: 0 }, { ts: 0, symbol: 'X', side: 'buy' as const, qty: 1, price: 1, commission: Number.NaN }];
    for (const f of [fills, asColumns(fills)]) expect(() => computeMetrics(input([100, 101], { fills: f }))).toThrow("invalid 'fills[1].commission'");
  });
});

describe('DeviationSums', () => {
  it('sums in runs the same squares, in the same order, as one loop over the curve, however it is chunked', () => {
    const n = 1000;
    const equity = Float64Array.from({ length: n }, (_, i) => 100 * Math.exp(0.01 * Math.sin(i * 1.7) + i * 1e-4));
    const meanExcess = 3e-5;
    const rfPerBar = 1e-6;
    let ss = 0;
    let downside = 0;
    for (let i = 1; i < n; i++) {
      const x = equity[i]! / equity[i - 1]! - 1 - rfPerBar;
      ss += (x - meanExcess) * (x - meanExcess);
      if (x < 0) downside += x * x;
    }
    for (const chunk of [n, 255, 256, 257, 1, 700]) {
      const sums = new DeviationSums(meanExcess, rfPerBar);
      for (let at = 0; at < n; at += chunk) sums.push(equity.subarray(at, Math.min(n, at + chunk)), Math.min(n, at + chunk) - at);
      expect([sums.ss, sums.downside]).toEqual([ss, downside]);
    }
  });
});
