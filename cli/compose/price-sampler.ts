import { MAX_PRICE_POINTS } from '../../reports/index.js';
import type { PriceSeries } from '../../reports/index.js';
import type { BarBatch } from '../../engine/model/index.js';

/**
 * Keeps a bounded sample of each symbol's bars while they stream by, for the report's price charts
 * (candles, volume, the tear sheet's buy and hold): consecutive bars are merged into candles of
 * `stride` bars each (stride chosen from the row count so at most ~4 x MAX_PRICE_POINTS are kept; a
 * candle opens at its first bar's time and open, closes at its last bar's close, with the highest high,
 * the lowest low and the summed volume), and at the end merged again, k at a time, down to at most
 * MAX_PRICE_POINTS. A run of at most MAX_PRICE_POINTS bars per symbol keeps every bar as it is.
 * Memory does not grow with the tape beyond that bound.
 */
export class PriceSampler {
  private readonly stride: number[];
  private readonly seen: number[];
  private readonly cols: { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }[];

  constructor(
    private readonly symbols: readonly string[],
    rowsPerSymbol: readonly number[],
  ) {
    this.stride = rowsPerSymbol.map((n) => Math.max(1, Math.ceil(n / (4 * MAX_PRICE_POINTS))));
    this.seen = symbols.map(() => 0);
    this.cols = symbols.map(() => ({ ts: [], open: [], high: [], low: [], close: [], volume: [] }));
  }

  observe(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    const k = this.seen[symbolIndex]!++;
    const c = this.cols[symbolIndex]!;
    if (k % this.stride[symbolIndex]! === 0) {
      c.ts.push(ts);
      c.open.push(open);
      c.high.push(high);
      c.low.push(low);
      c.close.push(close);
      c.volume.push(volume);
      return;
    }
    const j = c.ts.length - 1;
    if (high > c.high[j]!) c.high[j] = high;
    if (low < c.low[j]!) c.low[j] = low;
    c.close[j] = close;
    c.volume[j] = c.volume[j]! + volume;
  }

  /**
   * {@link observe} for each row of a batch, in order. The bar feed calls it once a batch (up to 65,536 rows), so V8
   * runs most of this loop before TurboFan has compiled it: one loop over the batch's columns costs less there than a
   * call of observe a row from the feed's async generator (bench/RESULTS.md, s13-cold).
   */
  observeBatch(b: BarBatch): void {
    const { symbol, barTs, open, high, low, close, volume } = b;
    const n = b.length;
    const seen = this.seen;
    const stride = this.stride;
    const cols = this.cols;
    for (let i = 0; i < n; i++) {
      const s = symbol[i]!;
      const k = seen[s]!;
      seen[s] = k + 1;
      const c = cols[s]!;
      if (k % stride[s]! === 0) {
        c.ts.push(barTs[i]!);
        c.open.push(open[i]!);
        c.high.push(high[i]!);
        c.low.push(low[i]!);
        c.close.push(close[i]!);
        c.volume.push(volume[i]!);
        continue;
      }
      const j = c.ts.length - 1;
      const h = high[i]!;
      const l = low[i]!;
      if (h > c.high[j]!) c.high[j] = h;
      if (l < c.low[j]!) c.low[j] = l;
      c.close[j] = close[i]!;
      c.volume[j] = c.volume[j]! + volume[i]!;
    }
  }

  /** The sampled candles per symbol (symbols never seen are left out). */
  result(): Record<string, PriceSeries> {
    const out: Record<string, PriceSeries> = {};
    this.symbols.forEach((s, i) => {
      const c = this.cols[i]!;
      const n = c.ts.length;
      if (n === 0) return;
      const k = Math.ceil(n / MAX_PRICE_POINTS);
      if (k === 1) {
        out[s] = { ts: c.ts, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
        return;
      }
      const m: { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } = { ts: [], open: [], high: [], low: [], close: [], volume: [] };
      for (let a = 0; a < n; a += k) {
        const b = Math.min(n, a + k);
        let hi = c.high[a]!;
        let lo = c.low[a]!;
        let vol = 0;
        for (let j = a; j < b; j++) {
          if (c.high[j]! > hi) hi = c.high[j]!;
          if (c.low[j]! < lo) lo = c.low[j]!;
          vol += c.volume[j]!;
        }
        m.ts.push(c.ts[a]!);
        m.open.push(c.open[a]!);
        m.high.push(hi);
        m.low.push(lo);
        m.close.push(c.close[b - 1]!);
        m.volume.push(vol);
      }
      out[s] = m;
    });
    return out;
  }
}
