import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_MINUTE } from '../../../engine/core/index.js';
import { createStrategy } from '../../../engine/strategies/index.js';
import { IndicatorsSectionSchema, MAX_INDICATOR_POINTS, buildRunReport, minMaxIndices } from '../../../reports/index.js';
import { replay } from '../../../sim/backtest/index.js';
import { venueConfig } from '../../../sim/venue/index.js';
import { barFeed, walkBars } from '../../support/bar-feed.js';

describe('minMaxIndices (the report downsample of plotted series)', () => {
  it('keeps, per bucket, the first and last point, the lowest and highest value and the first gap', () => {
    const y = [5, 1, 9, Number.NaN, 3, 7, 2, 8, 4, 6];
    // One bucket (10 / 5 = 2 buckets would need max 10, which keeps the series whole).
    expect(minMaxIndices(y, 5)).toEqual([0, 1, 2, 3, 9]);
    expect(minMaxIndices(y, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 12 points, 2 buckets of 6: [5 1 9 NaN 3 7] -> 0 (first) 1 (low) 2 (high) 3 (gap) 5 (last);
    // [2 8 4 6 0 3] -> 6 (first) 7 (high) 10 (low) 11 (last); no gap.
    expect(minMaxIndices([...y, 0, 3], 10)).toEqual([0, 1, 2, 3, 5, 6, 7, 10, 11]);
    expect(() => minMaxIndices(y, 4)).toThrow("invalid 'max': below 5, was 4");
  });

  it('keeps each bucket\'s first, lowest, highest, first gap and last point in order, each once, on any series', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN)), { maxLength: 200 }), fc.integer({ min: 5, max: 40 }), (y, max) => {
        const n = y.length;
        let expected = Array.from({ length: n }, (_, i) => i);
        if (n > max) {
          expected = [];
          const buckets = Math.floor(max / 5);
          for (let b = 0; b < buckets; b++) {
            const start = Math.floor((b * n) / buckets);
            const end = Math.floor(((b + 1) * n) / buckets);
            const idx = Array.from({ length: end - start }, (_, k) => start + k);
            const real = idx.filter((i) => !Number.isNaN(y[i]));
            const lo = real.reduce((a, i) => (a < 0 || y[i]! < y[a]! ? i : a), -1);
            const hi = real.reduce((a, i) => (a < 0 || y[i]! > y[a]! ? i : a), -1);
            const gap = idx.find((i) => Number.isNaN(y[i])) ?? -1;
            expected.push(...[...new Set([start, lo, hi, gap, end - 1].filter((i) => i >= 0))].sort((a, c) => a - c));
          }
        }
        expect(minMaxIndices(y, max)).toEqual(expected);
      }),
    );
  });

  it('bounds each series of a 100,000-bar run to 2000 points in the report, keeping its ends, its extremes and the full count', async () => {
    const steps = Array.from({ length: 997 }, (_, i) => 0.004 * Math.sin(i * 1.7) + 0.002 * Math.cos(i * 0.37));
    const n = 100_000;
    const bars = walkBars(1, Array.from({ length: n }, (_, i) => steps[i % steps.length]!), US_PER_MINUTE);
    const r = await replay(
      {
        symbols: ['S0'],
        initialCash: 1e7,
        barIntervalUs: US_PER_MINUTE,
        equityEveryUs: US_PER_MINUTE,
        lookback: 64,
        venue: { kind: 'l1', config: venueConfig({ barIntervalUs: US_PER_MINUTE }) },
        createStrategies: () => [createStrategy('sma_cross', 'sma', ['S0'], { fast: 10, slow: 30, sizing: { kind: 'units', units: 10 } })],
        createRisk: null,
      },
      { bars: barFeed(bars, US_PER_MINUTE, 4096) },
    );
    const full = r.indicators!;
    expect(full.map((s) => s.ts.length)).toEqual([n - 9, n - 29]);
    const data = { source: 'test', kinds: ['bars'], symbols: ['S0'], start: null, end: null, rows: {}, contentHash: null, barInterval: '1m' };
    const section = buildRunReport(r, {}, 1, data).indicators!.sma!;
    for (const [k, s] of full.entries()) {
      const shown = section[s.name]!;
      expect(shown.points).toBe(s.ts.length);
      expect(shown.ts.length).toBeLessThanOrEqual(MAX_INDICATOR_POINTS);
      expect(shown.ts.length).toBeGreaterThan(MAX_INDICATOR_POINTS / 2);
      expect(shown.values.length).toBe(shown.ts.length);
      expect([shown.ts[0], shown.ts.at(-1)]).toEqual([s.ts[0], s.ts.at(-1)]);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of s.values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(Math.min(...(shown.values as number[])), `series ${k}`).toBe(lo);
      expect(Math.max(...(shown.values as number[])), `series ${k}`).toBe(hi);
      // Every point shown is a point of the run, at its time.
      const at = new Map<number, number>();
      s.ts.forEach((t, i) => at.set(t, s.values[i]!));
      shown.ts.forEach((t, i) => expect(shown.values[i]).toBe(at.get(t)));
    }
    // The section of 2 x 2000 points stays small beside a 100k-bar tape.
    expect(JSON.stringify(section).length).toBeLessThan(200_000);
  });
});

describe('IndicatorsSectionSchema (report.json\'s indicators)', () => {
  it('is built on first use, not when a run loads the module, and validates a section then', () => {
    expect(IndicatorsSectionSchema._zod.def.type).toBe('lazy');
    const series = { name: 'SMA 10', symbol: 'AAA', overlay: true, points: 2, ts: [1, 2], values: [1.5, null] };
    expect(IndicatorsSectionSchema.safeParse({ sma: { 'SMA 10': series } }).success).toBe(true);
    expect(IndicatorsSectionSchema.safeParse({ sma: { 'SMA 10': { ...series, ts: [1.5] } } }).success).toBe(false);
  });
});
