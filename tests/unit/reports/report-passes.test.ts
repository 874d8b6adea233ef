import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY, US_PER_HOUR } from '../../../engine/core/index.js';
import {
  BuyAndHoldCursor,
  benchmarkStatsOf,
  computeMetrics,
  computeTearSheet,
  curveReturns,
  DeviationSums,
  describeAnnualization,
  distributionOf,
  rollingPicks,
  rollingStatsOf,
  rollingWindowOf,
  TearSheetPass,
  tradeStats,
  WorstDrawdownKeeper,
} from '../../../reports/index.js';
import type { CurveObserver, EquityCurveScan, MetricsInput } from '../../../reports/index.js';

/**
 * A report reads its curve twice: the tear sheet's first pass rides on the metrics' (MetricsInput.observer),
 * the metrics' second pass (deviation sums) on the tear sheet's. Each figure must be what the passes of
 * their own give.
 */

const T0 = Date.UTC(2021, 0, 4) * 1000; // a Monday

/** A seeded random walk of `n` samples `step` apart, with a fall to `ruinAt` (equity 0) when given. */
function walk(n: number, step: number, seed: number, ruinAt = -1): { ts: number[]; equity: number[] } {
  let s = seed;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ts: number[] = [];
  const equity: number[] = [];
  let e = 100_000;
  for (let i = 0; i < n; i++) {
    ts.push(T0 + i * step);
    e *= 1 + (rnd() - 0.5) * 0.01;
    equity.push(i === ruinAt ? 0 : e);
  }
  return { ts, equity };
}

/** The curve read in chunks of `size` (a streamed run's). */
function chunked(curve: { ts: number[]; equity: number[] }, size: number): EquityCurveScan {
  const n = curve.ts.length;
  return {
    length: n,
    scan: (visit) => {
      for (let o = 0; o < n; o += size) visit(curve.ts.slice(o, o + size), curve.equity.slice(o, o + size), Math.min(size, n - o));
    },
  };
}

/** Close prices of one symbol at every `every`-th sample of `ts`. */
function prices(ts: readonly number[], every: number): { ts: number[]; close: number[] } {
  const out = { ts: [] as number[], close: [] as number[] };
  for (let i = 0; i < ts.length; i += every) {
    out.ts.push(ts[i]!);
    out.close.push(1 + 0.2 * Math.sin(i / 50) + i * 1e-5);
  }
  return out;
}

describe('the tear sheet read in the metrics\' pass', () => {
  const cases = [
    { name: 'hourly, no risk-free rate', curve: walk(3000, US_PER_HOUR, 1), extra: {} },
    { name: 'hourly, a risk-free rate', curve: walk(3000, US_PER_HOUR, 2), extra: { riskFreeRate: 0.03 } },
    { name: 'daily with weekends, the interval found from the samples', curve: walk(900, US_PER_DAY, 3), extra: {} },
    { name: 'a ruin: the returns end early', curve: walk(1200, US_PER_HOUR, 4, 700), extra: { riskFreeRate: 0.01 } },
    { name: 'a ruin, no risk-free rate', curve: walk(1200, US_PER_HOUR, 11, 700), extra: {} },
    { name: 'a ruin at the last sample, no risk-free rate', curve: walk(1200, US_PER_HOUR, 12, 1199), extra: {} },
  ] as const;

  for (const c of cases) {
    it(`gives the metrics and the sheet of their own passes: ${c.name}`, () => {
      const bench = { prices: { AAA: prices(c.curve.ts, 7) }, symbols: ['AAA'] };
      const previewTs = c.curve.ts.filter((_, i) => i % 3 === 0);
      const base: MetricsInput = { equity: c.curve, trades: [], fills: [], initialCash: 100_000, ...c.extra };
      const alone = computeMetrics(base);
      const sheetAlone = computeTearSheet({ curve: c.curve, periodsPerYear: alone.periodsPerYear, benchmark: bench, previewTs, trades: [], ...c.extra });

      const pass = new TearSheetPass({ curve: chunked(c.curve, 257), benchmark: bench, previewTs, trades: [], ...c.extra });
      const worst = new WorstDrawdownKeeper();
      const metrics = computeMetrics({ ...base, equity: chunked(c.curve, 257), observer: pass, onDrawdownEpisode: (e) => worst.add(e) });
      expect(metrics).toEqual(alone);
      expect(pass.finish(metrics.periodsPerYear, worst.result())).toEqual(sheetAlone);
    });
  }

  it("reads a short curve once: its second pass reads the first pass's returns, kept (the same sheet as the curve read again)", () => {
    for (const ruinAt of [-1, 700]) {
      const curve = walk(1200, US_PER_HOUR, 9, ruinAt);
      let scans = 0;
      const counted: EquityCurveScan = { length: curve.ts.length, scan: (visit) => (scans++, chunked(curve, 257).scan(visit)) };
      const bench = { prices: { AAA: prices(curve.ts, 5) }, symbols: ['AAA'] };
      const input = { benchmark: bench, previewTs: curve.ts.filter((_, i) => i % 4 === 0), trades: [], worstDrawdowns: [], rollingWindow: 60, maxPoints: 300 };
      const kept = computeTearSheet({ ...input, curve: counted, periodsPerYear: 8766 });
      expect(scans).toBe(1);
      scans = 0;
      const readAgain = computeTearSheet({ ...input, curve: counted, periodsPerYear: 8766, keepReturns: 1198 });
      expect(scans).toBe(2);
      expect(kept).toEqual(readAgain);
      expect(kept.rolling!.sharpe.some((x) => x !== null)).toBe(true);
    }
  });

  it('sums the deviations of every excess return in its second pass, or none when a ruin ends the returns', () => {
    const whole = walk(50, US_PER_HOUR, 5);
    const r = Float64Array.from(whole.equity.slice(1), (e, i) => e / whole.equity[i]! - 1);
    const pass = new TearSheetPass({ curve: whole, benchmark: null, previewTs: [], trades: [] });
    pass.push(whole.ts, whole.equity, whole.ts.length);
    let ss = 0;
    let downside = 0;
    for (const x of r) {
      const d = x - 0.0001 - 0.0002;
      ss += d * d;
      if (x - 0.0001 < 0) downside += (x - 0.0001) * (x - 0.0001);
    }
    expect(pass.deviations(8766, 0.0002, 0.0001)).toMatchObject({ ss, downside });
    const ruined = walk(50, US_PER_HOUR, 5, 20);
    const cut = new TearSheetPass({ curve: ruined, benchmark: null, previewTs: [], trades: [] });
    cut.push(ruined.ts, ruined.equity, ruined.ts.length);
    expect(cut.deviations(8766, 0, 0)).toBeNull();
  });

  it("reads the observer's deviations for volatility, Sharpe and Sortino rather than the curve", () => {
    const curve = walk(100, US_PER_HOUR, 6);
    const flat: CurveObserver = { push: () => {}, deviations: (_p, mean, rf) => Object.assign(new DeviationSums(mean, rf), { ss: 1e-6, downside: 0 }) };
    const m = computeMetrics({ equity: curve, trades: [], fills: [], initialCash: 100_000, observer: flat });
    // The mean comes from the curve, the deviations from the observer: sd = sqrt(1e-6 / 98), and no downside (no Sortino).
    expect(m.annualizedVolatility).toBe(Math.sqrt(1e-6 / 98) * Math.sqrt(m.periodsPerYear!));
    expect(m.sortino).toBeNull();
  });

  it("reads the returns' sum from the observer without a risk-free rate, and sums the excess returns itself with one", () => {
    const curve = walk(100, US_PER_HOUR, 13);
    const ss = 1e-6;
    const fixed = (sum: number | null): CurveObserver => ({ push: () => {}, deviations: (_p, mean, rf) => Object.assign(new DeviationSums(mean, rf), { ss, downside: 1e-7 }), returnSum: () => sum });
    const base: MetricsInput = { equity: curve, trades: [], fills: [], initialCash: 100_000 };
    const m = computeMetrics({ ...base, observer: fixed(0.0099) });
    // The mean excess return is the observer's sum over the 99 returns: Sharpe = mean / sd x sqrt(P).
    expect(m.sharpe).toBe(((0.0099 / 99) / Math.sqrt(ss / 98)) * Math.sqrt(m.periodsPerYear!));
    expect(computeMetrics({ ...base, observer: fixed(null) })).toMatchObject({ sharpe: null, sortino: null, annualizedVolatility: null });
    const withRate = computeMetrics({ ...base, riskFreeRate: 0.02, observer: fixed(0.0099) });
    expect(withRate.sharpe).toBe(computeMetrics({ ...base, riskFreeRate: 0.02, observer: { ...fixed(0.0099), returnSum: undefined } }).sharpe);
  });

  it('sums the excess returns in the pass over the curve when P is known before it, as in a pass of their own', () => {
    const curve = walk(3000, US_PER_HOUR, 8);
    const base: MetricsInput = { equity: curve, trades: [], fills: [], initialCash: 100_000, riskFreeRate: 0.04 };
    const late = computeMetrics(base);
    expect(computeMetrics({ ...base, barIntervalUs: US_PER_HOUR })).toEqual(late);
    expect(computeMetrics({ ...base, periodsPerYear: late.periodsPerYear! })).toEqual({ ...late, annualization: 'explicit' });
  });
});

describe('benchmark returns (prices at some samples only)', () => {
  const curve = walk(4000, US_PER_HOUR, 7);
  for (const every of [1, 3, 50, 4000]) {
    it(`give the figures the curve gives at each pass (prices at every ${every}-th sample)`, () => {
      const bench = { prices: { AAA: prices(curve.ts, every) }, symbols: ['AAA'] };
      const sheet = computeTearSheet({ curve, periodsPerYear: 8766, benchmark: bench, previewTs: [], trades: [], maxPoints: 300 });
      const fromCurve = curveReturns(chunked(curve, 1000), bench);
      expect(distributionOf(fromCurve)).toEqual(sheet.distribution);
      expect(benchmarkStatsOf(fromCurve, 8766)).toEqual(sheet.benchmark);
      const pick = rollingPicks(curve.ts.length, 300);
      expect(rollingStatsOf(fromCurve, true, 8766, rollingWindowOf(8766), pick, pick.map((i) => curve.ts[i]!))).toEqual(sheet.rolling);
    });
  }
});

describe('a curve past the first pass\'s var95 sample (4 x 8,192 returns), a window longer than a block (4,096 returns)', () => {
  it('gives the figures the curve gives at each pass, kept or read again', () => {
    const curve = walk(40_000, US_PER_HOUR, 10);
    const bench = { prices: { AAA: prices(curve.ts, 3) }, symbols: ['AAA'] };
    const input = { curve: chunked(curve, 5000), periodsPerYear: 8766, benchmark: bench, previewTs: [], trades: [], rollingWindow: 6000, maxPoints: 500 };
    const sheet = computeTearSheet(input);
    expect(computeTearSheet({ ...input, keepReturns: 0 })).toEqual(sheet);
    const fromCurve = curveReturns(chunked(curve, 1000), bench);
    expect(distributionOf(fromCurve)).toEqual(sheet.distribution);
    expect(benchmarkStatsOf(fromCurve, 8766)).toEqual(sheet.benchmark);
    const pick = rollingPicks(curve.ts.length, 500);
    expect(rollingStatsOf(fromCurve, true, 8766, 6000, pick, pick.map((i) => curve.ts[i]!))).toEqual(sheet.rolling);
    expect(sheet.rolling!.beta!.filter((x) => x !== null).length).toBeGreaterThan(400);
  });
});

describe('BuyAndHoldCursor', () => {
  it('is the mean of each symbol as of t over its first price (1 before it), recomputed only when a price takes effect', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0.5, max: 2, noNaN: true })), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: -5, max: 45 }), { maxLength: 60 }), (series, queries) => {
        const priced = series.map((points) => {
          const ts = [...new Set(points.map(([t]) => t))].sort((a, b) => a - b);
          return { ts, close: ts.map((t) => points.find(([u]) => u === t)![1]) };
        });
        const record = Object.fromEntries(priced.map((p, k) => [`S${k}`, p]));
        const cursor = new BuyAndHoldCursor(record, Object.keys(record));
        for (const t of [...queries].sort((a, b) => a - b)) {
          let sum = 0;
          for (const p of priced) {
            let j = -1;
            while (j + 1 < p.ts.length && p.ts[j + 1]! <= t) j++;
            sum += j < 0 ? 1 : p.close[j]! / p.close[0]!;
          }
          expect(cursor.value(t)).toBe(sum / priced.length);
        }
      }),
    );
  });
});

describe('tradeStats', () => {
  it('gives the mean (in round-trip order), median and maximum of the durations of all, winners and losers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: -2, max: 2 })), { maxLength: 40 }), (rows) => {
        const trades = rows.map(([entryTs, length, pnl]) => ({ entryTs, exitTs: entryTs + length, pnl }));
        const stats = (days: number[]) => {
          if (days.length === 0) return { count: 0, meanDays: null, medianDays: null, maxDays: null };
          let sum = 0;
          for (const d of days) sum += d;
          const s = [...days].sort((a, b) => a - b);
          const mid = s.length >>> 1;
          return { count: s.length, meanDays: sum / s.length, medianDays: s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, maxDays: s.at(-1)! };
        };
        const days = (keep: (pnl: number) => boolean) => trades.filter((t) => keep(t.pnl)).map((t) => (t.exitTs - t.entryTs) / US_PER_DAY);
        expect(tradeStats(trades)).toEqual({ all: stats(days(() => true)), winners: stats(days((p) => p > 0)), losers: stats(days((p) => p < 0)), mae: null, mfe: null });
      }),
    );
  });
});

describe('describeAnnualization', () => {
  it('writes P as en-US does (grouped thousands), without loading the locale data for an integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.double({ min: 0.01, max: 1e7, noNaN: true })), (p) => {
        expect(describeAnnualization({ kind: 'explicit', periodsPerYear: p, barIntervalUs: null })).toBe(
          `Annualized by ${Number.isInteger(p) ? p.toLocaleString('en-US') : p.toLocaleString('en-US', { maximumFractionDigits: 2 })} periods per year (metrics.periodsPerYear), whatever the bars and the calendar.`,
        );
      }),
    );
  });
});
