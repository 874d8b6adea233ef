import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceSampler } from '../../../../cli/compose/price-sampler.js';
import { MAX_PRICE_POINTS } from '../../../../reports/index.js';
import type { BarBatch } from '../../../../engine/model/index.js';

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

  it('observeBatch keeps the candles observe keeps, row by row, to the bit (symbols interleaved, batches split anywhere, NaN)', () => {
    const value = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(Number.NaN, 0, -0) });
    const row = fc.record({ symbol: fc.nat(2), open: value, high: value, low: value, close: value, volume: value });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 400 }), fc.array(fc.nat(400), { maxLength: 4 }), fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300)), (rows, cuts, counts) => {
        // rowsPerSymbol sets each symbol's stride, ceil(rows / (4 x MAX_PRICE_POINTS)): 1 (every bar kept) to 3
        const perSymbol = counts.map((k) => k * Math.ceil((4 * MAX_PRICE_POINTS) / 100));
        const byRow = new PriceSampler(['A', 'B', 'C'], perSymbol);
        const byBatch = new PriceSampler(['A', 'B', 'C'], perSymbol);
        rows.forEach((r, i) => byRow.observe(r.symbol, i * 60, r.open, r.high, r.low, r.close, r.volume));
        const bounds = [0, ...cuts.map((c) => Math.min(c, rows.length)).sort((a, b) => a - b), rows.length];
        for (let k = 0; k + 1 < bounds.length; k++) byBatch.observeBatch(batchOf(rows.slice(bounds[k], bounds[k + 1]), bounds[k]!));
        const a = byBatch.result();
        const b = byRow.result();
        for (const s of Object.keys(b)) expect(a[s]!.ts.length).toBe(b[s]!.ts.length);
        expect(Object.keys(a)).toEqual(Object.keys(b));
        for (const s of Object.keys(b)) for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) b[s]![f]!.forEach((v, i) => expect(Object.is(a[s]![f]![i], v)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('observeBatch merges a long run as observe does (stride > 1, one symbol, batches of uneven sizes)', () => {
    const n = 9001;
    const byRow = new PriceSampler(['AAA'], [n]);
    const byBatch = new PriceSampler(['AAA'], [n]);
    const rows = Array.from({ length: n }, (_, i) => ({ symbol: 0, open: 100 + i, high: 100 + i + ((i * 7) % 5), low: 100 + i - ((i * 3) % 4), close: 100 + i + 0.5, volume: (i % 10) + 0.1 }));
    rows.forEach((r, i) => byRow.observe(0, i * 60, r.open, r.high, r.low, r.close, r.volume));
    for (const [from, to] of [[0, 1], [1, 4000], [4000, 4001], [4001, 9001]] as const) byBatch.observeBatch(batchOf(rows.slice(from, to), from));
    expect(byBatch.result()).toEqual(byRow.result());
    expect(byBatch.result().AAA!.ts.length).toBe(1501);
  });
});

/** A bar batch of `rows`, bar times 60 s apart from row `first`'s. */
function batchOf(rows: readonly { symbol: number; open: number; high: number; low: number; close: number; volume: number }[], first: number): BarBatch {
  const col = (f: (r: (typeof rows)[number]) => number) => Float64Array.from(rows, f);
  const barTs = Float64Array.from(rows, (_, i) => (first + i) * 60);
  return { length: rows.length, ts: barTs, symbol: Int32Array.from(rows, (r) => r.symbol), barTs, open: col((r) => r.open), high: col((r) => r.high), low: col((r) => r.low), close: col((r) => r.close), volume: col((r) => r.volume) } as unknown as BarBatch;
}
