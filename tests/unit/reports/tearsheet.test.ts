import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../engine/core/index.js';
import {
  benchmarkStats,
  benchmarkStatsOf,
  buyAndHoldCurve,
  computeMetrics,
  computeTearSheet,
  curveReturns,
  distributionOf,
  histogram,
  quantile,
  returnDistribution,
  rollingPicks,
  rollingStats,
  rollingStatsOf,
  rollingWindowOf,
  tradeStats,
  worstDrawdowns,
  WorstDrawdownKeeper,
} from '../../../reports/index.js';
import type { EquityCurveScan, ReturnSource, TearSheet } from '../../../reports/index.js';
import { everyKth } from '../../../reports/html/downsample.js';

const JAN_1_2024 = Date.UTC(2024, 0, 1) * 1000;
const day = (i: number): number => JAN_1_2024 + i * US_PER_DAY;
const iso = (i: number): string => new Date(day(i) / 1000).toISOString();

/**
 * Twelve daily samples from 2024-01-01 with three drawdowns, worked out by hand:
 * - 110 (01-02) -> 99 (01-03) -> back to 110 on 01-05: depth 10%, 3 days, recovered in 2;
 * - 121 (01-06) -> 108.9 -> 96.8 (01-08) -> 121 on 01-09: depth 20%, 3 days, recovered in 1;
 * - 133.1 (01-10) -> 113.135 (01-11, 15% down) -> 125 (01-12): not recovered, 2 days to the last sample.
 */
const HAND_EQUITY = [100, 110, 99, 104.5, 110, 121, 108.9, 96.8, 121, 133.1, 113.135, 125];
const HAND_TS = HAND_EQUITY.map((_, i) => day(i));

describe('worstDrawdowns on a hand-computed curve', () => {
  const rows = worstDrawdowns({ ts: HAND_TS, equity: HAND_EQUITY });

  it('lists the three episodes deepest first with their peak, trough and recovery dates', () => {
    expect(rows.map((r) => [r.start, r.trough, r.end])).toEqual([
      [iso(5), iso(7), iso(8)],
      [iso(9), iso(10), null],
      [iso(1), iso(2), iso(4)],
    ]);
  });

  it('are the same from computeMetrics\' own pass (onDrawdownEpisode into a WorstDrawdownKeeper), in the tear sheet too', () => {
    const keeper = new WorstDrawdownKeeper();
    const curve = { ts: HAND_TS, equity: HAND_EQUITY };
    computeMetrics({ equity: curve, trades: [], fills: [], initialCash: HAND_EQUITY[0]!, onDrawdownEpisode: (e) => keeper.add(e) });
    expect(keeper.result()).toEqual(rows);
    expect(new WorstDrawdownKeeper(2).result()).toEqual([]);
    const input = { curve, periodsPerYear: 252, benchmark: null, previewTs: [], trades: [] };
    expect(computeTearSheet({ ...input, worstDrawdowns: keeper.result() })).toEqual(computeTearSheet(input));
    // Given, they are what the tear sheet lists (the curve is not read for them).
    expect(computeTearSheet({ ...input, worstDrawdowns: rows.slice(0, 1) }).worstDrawdowns).toEqual(rows.slice(0, 1));
  });

  it('gives each depth as a positive fraction of the peak', () => {
    expect(rows[0]!.depth).toBeCloseTo(0.2, 14);
    expect(rows[1]!.depth).toBeCloseTo(0.15, 14);
    expect(rows[2]!.depth).toBeCloseTo(0.1, 14);
  });

  it('measures lengths from the peak to the recovery (or the last sample) and recoveries from the trough', () => {
    expect(rows.map((r) => [r.lengthDays, r.recoveryDays])).toEqual([
      [3, 1],
      [2, null],
      [3, 2],
    ]);
  });

  it('keeps at most `count` episodes', () => {
    expect(worstDrawdowns({ ts: HAND_TS, equity: HAND_EQUITY }, 2).map((r) => r.depth)).toEqual(rows.slice(0, 2).map((r) => r.depth));
  });

  it('uses the episodes computeMetrics counts (one implementation)', () => {
    const m = computeMetrics({ equity: { ts: HAND_TS, equity: HAND_EQUITY }, trades: [], fills: [], initialCash: 100 });
    expect(m.drawdownEpisodes).toBe(3);
    expect(m.maxDrawdown).toBe(rows[0]!.depth);
    expect(m.maxDrawdownDurationUs).toBe(3 * US_PER_DAY);
  });

  it('starts an episode at the last sample of a flat peak', () => {
    const rows2 = worstDrawdowns({ ts: [day(0), day(1), day(2), day(3)], equity: [100, 100, 90, 100] });
    expect(rows2).toEqual([{ start: iso(1), trough: iso(2), end: iso(3), depth: 0.09999999999999998, lengthDays: 2, recoveryDays: 1 }]);
  });

  it('is empty for a curve that never falls', () => {
    expect(worstDrawdowns({ ts: [day(0), day(1)], equity: [100, 101] })).toEqual([]);
  });
});

describe('returnDistribution on hand-computed returns', () => {
  it('gives the moments of returns 0, 0, 0, 0.1: mean 0.025, std 0.05, skew 2, excess kurtosis 4', () => {
    // m2 = 0.001875, m3 = 9.375e-5, m4 = 8.203125e-6: g1 = 2/sqrt(3), G1 = g1 sqrt(12) / 2 = 2;
    // g2 = 7/3 - 3, G2 = ((n + 1) g2 + 6)(n - 1) / ((n - 2)(n - 3)) = 4 (scipy bias=False).
    const d = returnDistribution([0, 0, 0, 0.1])!;
    expect(d.periods).toBe(4);
    expect(d.mean).toBeCloseTo(0.025, 15);
    expect(d.std!).toBeCloseTo(0.05, 15);
    expect(d.skew!).toBeCloseTo(2, 12);
    expect(d.kurtosis!).toBeCloseTo(4, 12);
    expect(d.var95).toBe(0);
    expect(d.cvar95).toBe(0); // nothing lies below the quantile: CVaR is the quantile itself
    expect(d.normal).toEqual({ mean: d.mean, std: d.std });
  });

  it('gives min, max, VaR and CVaR of the hand curve: the 5% quantile halfway between -0.15 and -1/9', () => {
    const r = HAND_EQUITY.slice(1).map((e, i) => e / HAND_EQUITY[i]! - 1);
    const d = returnDistribution(r)!;
    expect(d.periods).toBe(11);
    expect(d.min).toBeCloseTo(-0.15, 14);
    expect(d.max).toBeCloseTo(0.25, 14);
    // Sorted: -0.15, -1/9, ...; (11 - 1) x 0.05 = 0.5 of the way from the first to the second.
    expect(d.var95).toBeCloseTo(-(0.15 + 1 / 9) / 2, 14);
    expect(d.cvar95).toBeCloseTo(-0.15, 14);
  });

  it('leaves skew and kurtosis null when they are undefined', () => {
    const two = returnDistribution([0.01, 0.02])!;
    expect([two.skew, two.kurtosis]).toEqual([null, null]);
    const flat = returnDistribution([0.01, 0.01, 0.01, 0.01])!;
    expect([flat.std, flat.skew, flat.kurtosis]).toEqual([0, null, null]);
    expect(returnDistribution([0.01])!.std).toBeNull();
    expect(returnDistribution([])).toBeNull();
  });

  it('bins equal-width over [min, max] with the last bin closed', () => {
    const h = histogram([0, 0, 0, 0.1], 30);
    expect(h).toHaveLength(30);
    expect(h[0]).toEqual({ from: 0, to: 0.1 / 30, count: 3 });
    expect(h[29]!.count).toBe(1);
    expect(h[29]!.to).toBe(0.1);
    expect(h.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(histogram([0.5, 0.5], 2)).toEqual([
      { from: 0, to: 0.5, count: 0 },
      { from: 0.5, to: 1, count: 2 },
    ]);
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics, as numpy, with ties and in any order', () => {
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.05)).toBe(5);
    expect(quantile([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, -1], 0.05)).toBe(-0.5); // h = 0.5 between -1 and 0
    // Against a sort, on seeded arrays full of ties (returns of a strategy often out of the market).
    let seed = 7;
    for (let trial = 0; trial < 50; trial++) {
      const x = Array.from({ length: 1 + (trial * 37) % 400 }, () => {
        seed = (seed * 16807) % 2147483647;
        return (seed % 7) - 3;
      });
      const sorted = [...x].sort((a, b) => a - b);
      for (const q of [0, 0.05, 0.5, 0.95, 1]) {
        const h = (x.length - 1) * q;
        const k = Math.floor(h);
        const want = sorted[k]! + (h - k) * (sorted[Math.min(k + 1, x.length - 1)]! - sorted[k]!);
        expect(quantile(x, q), `trial ${trial} q ${q}`).toBeCloseTo(want, 12);
      }
    }
  });

  it('selects exactly beyond a million values, narrowing by histograms first (ties included)', () => {
    let seed = 11;
    const x = new Float64Array(1_300_000);
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 16807) % 2147483647;
      x[i] = seed % 5 < 3 ? 0 : (seed % 100003) / 1e5 - 0.5; // 60% zeros, the rest spread over [-0.5, 0.5]
    }
    const sorted = Float64Array.from(x).sort();
    for (const q of [0.05, 0.3, 0.5, 0.999]) {
      const h = (x.length - 1) * q;
      const k = Math.floor(h);
      expect(quantile(x, q), `q ${q}`).toBe(sorted[k]! + (h - k) * (sorted[k + 1]! - sorted[k]!));
    }
  });
});

describe('var95 of returns held in a Float64Array (selected from a sampled bracket)', () => {
  const var95Of = (x: Float64Array): number => {
    const sorted = Float64Array.from(x).sort();
    const h = (x.length - 1) * 0.05;
    const k = Math.floor(h);
    return sorted[k]! + (h - k) * (sorted[Math.min(k + 1, x.length - 1)]! - sorted[k]!);
  };

  it('is the sorted order statistics, bit for bit, with ties, a trend and small runs, and as the streamed path', () => {
    let seed = 5;
    const next = (): number => (seed = (seed * 16807) % 2147483647);
    const cases: [string, Float64Array][] = [
      ['spread', Float64Array.from({ length: 300_000 }, () => (next() % 100003) / 1e5 - 0.5)],
      ['mostly zeros', Float64Array.from({ length: 300_000 }, () => (next() % 5 < 4 ? 0 : (next() % 1001) / 1e4 - 0.05))],
      // Sorted input: the evenly spaced sample sees it in order.
      ['trend', Float64Array.from({ length: 200_000 }, (_, i) => Math.sin(i / 5000) * 1e-3)],
      ['all equal', new Float64Array(100_000).fill(0.001)],
      ['small', Float64Array.from([0.03, -0.02, 0.01, -0.05, 0.04])],
    ];
    for (const [name, x] of cases) {
      const held = returnDistribution(x)!; // a Float64Array: selected in memory
      const streamed = returnDistribution(Array.from(x))!; // a plain array: the histogram-narrowing path
      expect(held.var95, name).toBe(var95Of(x));
      expect(streamed.var95, name).toBe(held.var95);
      expect(held.cvar95, name).toBe(streamed.cvar95);
    }
  });

  it('falls back to the streamed selection when a value is NaN', () => {
    const x = Float64Array.from([0.01, Number.NaN, -0.03, 0.02, -0.01]);
    expect(returnDistribution(x)!.var95).toBe(returnDistribution(Array.from(x))!.var95);
  });
});

describe("var95 and cvar95 of a long curve's tear sheet (selected from the first pass's sampled bracket)", () => {
  /** A curve of `n` samples whose return into sample i + 1 is about ret(i). */
  const curveOf = (n: number, ret: (i: number) => number): { ts: number[]; equity: number[] } => {
    const ts: number[] = [];
    const equity: number[] = [];
    let e = 100_000;
    for (let i = 0; i < n; i++) {
      ts.push(day(0) + i * 60_000_000);
      equity.push(e);
      e *= 1 + ret(i);
    }
    return { ts, equity };
  };
  /** var95 and cvar95 by a sort and a sum in order of the curve's returns E_i / E_{i-1} - 1. */
  const bySort = ({ equity }: { equity: number[] }): [number, number] => {
    const r = Float64Array.from(equity.slice(1), (e, i) => e / equity[i]! - 1);
    const sorted = r.slice().sort();
    const h = (r.length - 1) * 0.05;
    const k = Math.floor(h);
    const var95 = sorted[k]! + (h - k) * (sorted[k + 1]! - sorted[k]!);
    let sum = 0;
    let count = 0;
    for (const x of r) {
      if (x < var95) {
        sum += x;
        count++;
      }
    }
    return [var95, count > 0 ? sum / count : var95];
  };

  it('is the sort and the sum in order, bit for bit: spread, ties, a trend, and a sample that misses the quantile', () => {
    let seed = 11;
    const next = (): number => (seed = (seed * 16807) % 2147483647);
    const n = 8192 * 5 + 1; // 40,960 returns: sampled every 5th
    const cases: [string, (i: number) => number][] = [
      ['spread', () => (next() % 100003) / 1e7 - 0.005],
      ['mostly flat', () => (next() % 5 < 4 ? 0 : (next() % 1001) / 1e6 - 0.0005)],
      ['trend', (i) => Math.sin(i / 5000) * 1e-3],
      // Every sampled return is the largest: the bracket misses var95's ranks and it is selected in passes.
      ['sample misses', (i) => (i % 5 === 0 ? 0.01 : (next() % 1001) / 1e6 - 0.0005)],
    ];
    for (const [name, ret] of cases) {
      const curve = curveOf(n, ret);
      const sheet = computeTearSheet({ curve, periodsPerYear: 525_960, benchmark: null, previewTs: [], trades: [] });
      expect([sheet.distribution!.var95, sheet.distribution!.cvar95], name).toEqual(bySort(curve));
    }
  });
});

describe('benchmark regression by hand', () => {
  const rb = [0.01, -0.02, 0.03, 0, 0.01];
  const rs = rb.map((x) => 0.001 + 2 * x);

  it('finds beta 2 and alpha 0.001 a period, annualized by P', () => {
    const b = benchmarkStats(rs, rb, 252)!;
    expect(b.periods).toBe(5);
    expect(b.beta!).toBeCloseTo(2, 12);
    expect(b.alpha!).toBeCloseTo(0.252, 12);
    expect(b.correlation!).toBeCloseTo(1, 12);
    expect(b.rSquared!).toBeCloseTo(1, 12);
    // Active returns 0.001 + rb: mean 0.007, squared deviations sum to 1.32e-3, variance 3.3e-4.
    expect(b.trackingError!).toBeCloseTo(Math.sqrt(3.3e-4) * Math.sqrt(252), 12);
    expect(b.informationRatio!).toBeCloseTo((0.007 / Math.sqrt(3.3e-4)) * Math.sqrt(252), 10);
  });

  it('gives no beta against a flat benchmark and no annualized figures without P', () => {
    const flat = benchmarkStats(rs, [0, 0, 0, 0, 0], 252)!;
    expect([flat.beta, flat.alpha, flat.correlation]).toEqual([null, null, null]);
    const noP = benchmarkStats(rs, rb, null)!;
    expect([noP.alpha, noP.trackingError, noP.informationRatio]).toEqual([null, null, null]);
    expect(noP.beta!).toBeCloseTo(2, 12);
  });
});

describe('buyAndHoldCurve', () => {
  it('averages each symbol as of the sample, a symbol not yet priced counting as 1', () => {
    const prices = { AAA: { ts: [day(0), day(1), day(2)], close: [10, 11, 12] }, BBB: { ts: [day(1), day(2)], close: [20, 10] } };
    const c = buyAndHoldCurve([day(0), day(1), day(2), day(3)], prices, ['AAA', 'BBB', 'CCC'])!;
    expect(c.symbols).toEqual(['AAA', 'BBB']);
    expect(Array.from(c.value)).toEqual([1, (1.1 + 1) / 2, (1.2 + 0.5) / 2, (1.2 + 0.5) / 2]);
  });

  it('is null without a priced symbol', () => {
    expect(buyAndHoldCurve([day(0)], {}, ['AAA'])).toBeNull();
  });
});

describe('rollingStats', () => {
  it('is null until the window fills, then the window Sharpe, volatility and beta', () => {
    const rs = [0.1, -0.1, 0.1, 0.3];
    const rb = [0.05, -0.05, 0.05, 0.05];
    const ts = [0, 1, 2, 3, 4];
    const r = rollingStats(ts, rs, rb, 4, 2, [0, 1, 2, 3, 4]);
    expect(r.sharpe.slice(0, 2)).toEqual([null, null]);
    // Sample 2: returns 0.1, -0.1: mean 0, sd sqrt(0.02); beta = cov / var = 2.
    expect(r.sharpe[2]!).toBeCloseTo(0, 14);
    expect(r.volatility[2]!).toBeCloseTo(Math.sqrt(0.02) * 2, 14);
    expect(r.beta![2]!).toBeCloseTo(2, 14);
    // Sample 4: returns 0.1, 0.3: mean 0.2, sd sqrt(0.02); the benchmark is flat: no beta.
    expect(r.sharpe[4]!).toBeCloseTo((0.2 / Math.sqrt(0.02)) * 2, 12);
    expect(r.beta![4]).toBeNull();
  });

  it('finds flat windows exactly: no Sharpe and volatility 0 out of the market, no beta against a flat benchmark, beta 0 when flat', () => {
    // Whole-run means far from the flat windows' values: the prefix sums alone would leave a rounding residue.
    const rs = [0.3, -0.2, 0.01, 0.01, 0.01, 0.02, -0.01];
    const rb = [0.07, 0.05, 0.03, -0.02, 0.004, 0.004, 0.004];
    const ts = rs.map((_, i) => i).concat([7]);
    const r = rollingStats(ts, rs, rb, 252, 3, [5, 7]);
    expect([r.sharpe[0], r.volatility[0], r.beta![0]]).toEqual([null, 0, 0]); // returns 2..4 are all 0.01
    expect(r.beta![1]).toBeNull(); // benchmark returns 4..6 are all 0.004
    expect(r.volatility[1]!).toBeGreaterThan(0);
  });

  it('uses half a year of periods, at least 20', () => {
    expect(rollingWindowOf(252)).toBe(126);
    expect(rollingWindowOf(12)).toBe(20);
  });
});

describe('tradeStats', () => {
  it('gives durations in days of all round trips, the winners and the losers; MAE/MFE are not recorded', () => {
    const t = (days: number, pnl: number) => ({ entryTs: day(0), exitTs: day(days), pnl });
    const s = tradeStats([t(1, 5), t(2, -3), t(3, 1), t(10, 0)]);
    expect(s.all).toEqual({ count: 4, meanDays: 4, medianDays: 2.5, maxDays: 10 });
    expect(s.winners).toEqual({ count: 2, meanDays: 2, medianDays: 2, maxDays: 3 });
    expect(s.losers).toEqual({ count: 1, meanDays: 2, medianDays: 2, maxDays: 2 });
    expect([s.mae, s.mfe]).toEqual([null, null]);
    expect(tradeStats([]).all).toEqual({ count: 0, meanDays: null, medianDays: null, maxDays: null });
  });
});

describe('computeTearSheet', () => {
  it('gives yearly returns of the strategy and buy and hold per UTC calendar year', () => {
    const ts = [Date.UTC(2023, 11, 30), Date.UTC(2023, 11, 31), Date.UTC(2024, 0, 1), Date.UTC(2024, 5, 1)].map((ms) => ms * 1000);
    const prices = { X: { ts, close: [10, 10, 5, 10] } };
    const sheet = computeTearSheet({ curve: { ts, equity: [100, 110, 121, 133.1] }, periodsPerYear: 252, benchmark: { prices, symbols: ['X'] }, previewTs: [ts[0]!, ts[3]!], trades: [] });
    expect(sheet.yearly.map((y) => y.year)).toEqual([2023, 2024]);
    expect(sheet.yearly[0]!.strategy!).toBeCloseTo(0.1, 14);
    expect(sheet.yearly[1]!.strategy!).toBeCloseTo(0.21, 14);
    expect(sheet.yearly.map((y) => y.benchmark)).toEqual([0, 0]);
    expect(sheet.benchmarkCurve).toEqual({ symbols: ['X'], ts: [ts[0], ts[3]], value: [1, 1] });
  });

  it('downsamples the rolling series to at most maxPoints samples, keeping the last', () => {
    const n = 50;
    const ts = Array.from({ length: n }, (_, i) => day(i));
    const equity = ts.map((_, i) => 100 * (1 + 0.01 * Math.sin(i)));
    const sheet = computeTearSheet({ curve: { ts, equity }, periodsPerYear: 252, benchmark: null, previewTs: ts, trades: [], rollingWindow: 5, maxPoints: 10 });
    expect(sheet.rolling!.ts.length).toBeLessThanOrEqual(10);
    expect(sheet.rolling!.ts.at(-1)).toBe(ts.at(-1));
    expect(sheet.rolling!.beta).toBeNull();
    expect(sheet.benchmark).toBeNull();
    expect(sheet.benchmarkCurve).toBeNull();
  });

  it('gives the same sheet for a curve read in chunks (a streamed run) as for the whole curve', () => {
    const c = reference.cases[1]!;
    const { ts, equity, prices } = c.input;
    const chunked: EquityCurveScan = {
      length: ts.length,
      scan: (visit) => {
        for (let o = 0; o < ts.length; o += 97) visit(ts.slice(o, o + 97), equity.slice(o, o + 97), Math.min(97, ts.length - o));
      },
    };
    const input = { periodsPerYear: 252, benchmark: { prices: prices!, symbols: Object.keys(prices!) }, previewTs: ts.filter((_, i) => i % 5 === 0), trades: [], maxPoints: 300 };
    expect(computeTearSheet({ ...input, curve: chunked })).toEqual(computeTearSheet({ ...input, curve: { ts, equity } }));
  });

  it('reads the same figures from the curve one return at a time as the sheet reads in chunks', () => {
    const c = reference.cases[1]!;
    const { ts, equity, prices } = c.input;
    const bench = { prices: prices!, symbols: Object.keys(prices!) };
    const sheet = computeTearSheet({ curve: { ts, equity }, periodsPerYear: 252, benchmark: bench, previewTs: [], trades: [], maxPoints: 300 });
    const fromCurve = curveReturns({ length: ts.length, scan: (visit) => visit(ts, equity, ts.length) }, bench);
    expect(distributionOf(fromCurve)).toEqual(sheet.distribution);
    expect(benchmarkStatsOf(fromCurve, 252)).toEqual(sheet.benchmark);
    const pick = rollingPicks(ts.length, 300);
    expect(rollingStatsOf(fromCurve, true, 252, rollingWindowOf(252), pick, pick.map((i) => ts[i]!))).toEqual(sheet.rolling);
  });

  it('ends the returns at a ruin: the return into it is the last', () => {
    const ts = [0, 1, 2, 3, 4].map(day);
    const sheet = computeTearSheet({ curve: { ts, equity: [100, 110, 0, 50, 60] }, periodsPerYear: 252, benchmark: null, previewTs: ts, trades: [], rollingWindow: 2 });
    expect(sheet.distribution!.periods).toBe(2);
    expect(sheet.distribution!.min).toBe(-1);
    expect(sheet.rolling!.volatility.map((v) => v !== null)).toEqual([false, false, true, false, false]);
  });

  it('leaves the rolling series null when the window is longer than the run (microsecond samples: P ~ 3e13)', () => {
    const ts = [1, 2, 3, 4];
    const sheet = computeTearSheet({ curve: { ts, equity: [100, 101, 99, 100] }, periodsPerYear: 31_557_600_000_000, benchmark: null, previewTs: ts, trades: [] });
    expect(sheet.rolling!.window).toBe(15_778_800_000_000);
    expect(sheet.rolling!.sharpe).toEqual([null, null, null, null]);
  });

  it('picks the rolling samples as everyKth does', () => {
    for (const [n, max] of [[10, 20], [2500, 2000], [4001, 2000], [7, 3]] as const) {
      expect(rollingPicks(n, max)).toEqual(everyKth(Array.from({ length: n }, (_, i) => i), max));
    }
  });

  it('refuses a curve of fewer than two samples', () => {
    expect(() => computeTearSheet({ curve: { ts: [0], equity: [1] }, periodsPerYear: 252, benchmark: null, previewTs: [0], trades: [] })).toThrow(/at least 2 samples/);
  });
});

interface ReferenceCase {
  name: string;
  input: { ts: number[]; equity: number[]; periodsPerYear: number; prices?: Record<string, { ts: number[]; close: number[] }> };
  expected: {
    distribution: Omit<NonNullable<TearSheet['distribution']>, 'normal'>;
    worstDrawdowns: TearSheet['worstDrawdowns'];
    yearly: Record<string, number>;
    benchmark?: NonNullable<TearSheet['benchmark']>;
    benchmarkValue?: number[];
    benchmarkYearly?: Record<string, number>;
    rolling: { window: number; sharpe: (number | null)[]; volatility: (number | null)[]; beta?: (number | null)[] };
  };
}
const reference = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/tearsheet-reference.json'), 'utf8')) as { cases: ReferenceCase[] };

const TOL = 1e-9;
function near(got: number | null | undefined, want: number | null, what: string): void {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(typeof got, what).toBe('number');
  expect(Math.abs(got! - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(want)));
}

describe('the tear sheet against pandas, scipy and statsmodels (tests/fixtures/scripts/tearsheet-reference.py)', () => {
  it('has both reference cases', () => {
    expect(reference.cases).toHaveLength(2);
  });

  for (const c of reference.cases) {
    describe(c.name, () => {
      const { ts, equity, periodsPerYear, prices } = c.input;
      const bench = prices !== undefined ? buyAndHoldCurve(ts, prices, Object.keys(prices)) : null;
      const sheet = computeTearSheet({ curve: { ts, equity }, periodsPerYear, benchmark: prices !== undefined ? { prices, symbols: Object.keys(prices) } : null, previewTs: ts, trades: [] });
      const e = c.expected;

      it('matches the distribution (scipy bias=False skew and kurtosis, numpy quantile and histogram)', () => {
        const d = sheet.distribution!;
        expect(d.periods).toBe(e.distribution.periods);
        for (const k of ['mean', 'std', 'skew', 'kurtosis', 'min', 'max', 'var95', 'cvar95'] as const) near(d[k], e.distribution[k], k);
        expect(d.histogram.map((b) => b.count)).toEqual(e.distribution.histogram.map((b) => b.count));
        d.histogram.forEach((b, i) => {
          near(b.from, e.distribution.histogram[i]!.from, `histogram[${i}].from`);
          near(b.to, e.distribution.histogram[i]!.to, `histogram[${i}].to`);
        });
      });

      it("matches pyfolio's top five drawdowns", () => {
        expect(sheet.worstDrawdowns.map((r) => [r.start, r.trough, r.end, r.lengthDays, r.recoveryDays])).toEqual(
          e.worstDrawdowns.map((r) => [r.start, r.trough, r.end, r.lengthDays, r.recoveryDays]),
        );
        sheet.worstDrawdowns.forEach((r, i) => near(r.depth, e.worstDrawdowns[i]!.depth, `worstDrawdowns[${i}].depth`));
      });

      it('matches the yearly returns', () => {
        expect(sheet.yearly.map((y) => String(y.year))).toEqual(Object.keys(e.yearly));
        for (const y of sheet.yearly) {
          near(y.strategy, e.yearly[String(y.year)]!, `strategy ${y.year}`);
          near(y.benchmark, e.benchmarkYearly === undefined ? null : e.benchmarkYearly[String(y.year)]!, `benchmark ${y.year}`);
        }
      });

      it('matches pandas rolling Sharpe, volatility and beta at every sample', () => {
        const r = sheet.rolling!;
        expect(r.window).toBe(e.rolling.window);
        expect(r.ts).toEqual(ts);
        r.sharpe.forEach((v, i) => near(v, e.rolling.sharpe[i]!, `sharpe[${i}]`));
        r.volatility.forEach((v, i) => near(v, e.rolling.volatility[i]!, `volatility[${i}]`));
        if (e.rolling.beta === undefined) expect(r.beta).toBeNull();
        else r.beta!.forEach((v, i) => near(v, e.rolling.beta![i]!, `beta[${i}]`));
      });

      if (e.benchmark !== undefined) {
        it('matches the equal-weight buy-and-hold curve', () => {
          bench!.value.forEach((v, i) => near(v, e.benchmarkValue![i]!, `benchmark[${i}]`));
        });

        it('matches the statsmodels OLS alpha and beta, the correlation, tracking error and information ratio', () => {
          const b = sheet.benchmark!;
          expect(b.periods).toBe(e.benchmark!.periods);
          for (const k of ['alpha', 'beta', 'correlation', 'rSquared', 'trackingError', 'informationRatio'] as const) near(b[k], e.benchmark![k], k);
        });
      } else {
        it('has no benchmark', () => {
          expect([sheet.benchmark, sheet.benchmarkCurve]).toEqual([null, null]);
        });
      }
    });
  }
});

