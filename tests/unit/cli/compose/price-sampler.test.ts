import { describe, expect, it } from 'vitest';
import { PriceSampler } from '../../../../cli/compose/price-sampler.js';
import { MAX_PRICE_POINTS } from '../../../../reports/index.js';

/** The report's sampled candles: every bar of a short run; merged candles (first open, high, low, last close, summed volume) of a long one. */
describe('PriceSampler', () => {
  it('keeps every bar of a run of at most MAX_PRICE_POINTS bars, as it is', () => {
    const p = new PriceSampler(['AAA', 'BBB'], [3, 0]);
    p.observe(0, 10, 1, 2, 0.5, 1.5, 100);
    p.observe(0, 20, 1.5, 3, 1.4, 2.5, 200);
    p.observe(0, 30, 2.5, 2.6, 2, 2.1, 50);
    expect(p.result()).toEqual({ AAA: { ts: [10, 20, 30], open: [1, 1.5, 2.5], high: [2, 3, 2.6], low: [0.5, 1.4, 2], close: [1.5, 2.5, 2.1], volume: [100, 200, 50] } });
  });

  it('merges a long run into at most MAX_PRICE_POINTS candles, each the merge of its bars', () => {
    const n = 9000; // stride 2 while streaming (4500 pairs), then 3 pairs per candle: 1500 candles of 6 bars
    const p = new PriceSampler(['AAA'], [n]);
    const bar = (i: number) => ({ ts: i * 60, open: 100 + i, high: 100 + i + ((i * 7) % 5), low: 100 + i - ((i * 3) % 4), close: 100 + i + 0.5, volume: i % 10 });
    for (let i = 0; i < n; i++) {
      const b = bar(i);
      p.observe(0, b.ts, b.open, b.high, b.low, b.close, b.volume);
    }
    const r = p.result().AAA!;
    expect(r.ts.length).toBe(1500);
    expect(r.ts.length).toBeLessThanOrEqual(MAX_PRICE_POINTS);
    for (const c of [0, 1, 777, 1499]) {
      const bars = Array.from({ length: 6 }, (_, j) => bar(c * 6 + j));
      expect(r.ts[c]).toBe(bars[0]!.ts);
      expect(r.open![c]).toBe(bars[0]!.open);
      expect(r.high![c]).toBe(Math.max(...bars.map((b) => b.high)));
      expect(r.low![c]).toBe(Math.min(...bars.map((b) => b.low)));
      expect(r.close[c]).toBe(bars[5]!.close);
      expect(r.volume![c]).toBe(bars.reduce((v, b) => v + b.volume, 0));
    }
  });
});
