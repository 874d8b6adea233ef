// The module itself, not reports/html/index.js: that would load ECharts with every run, before the replay.
import { lttbIndices } from '../../reports/html/downsample.js';
import { MAX_PRICE_POINTS } from '../../reports/index.js';
import type { PriceSeries } from '../../reports/index.js';

/**
 * Keeps a bounded sample of each symbol's closes while bars stream by, for the report's price
 * charts: every k-th bar (k chosen from the row count so at most ~4 x MAX_PRICE_POINTS are kept,
 * plus the last bar), then LTTB down to MAX_PRICE_POINTS at the end. Memory does not grow with the
 * tape beyond that bound.
 */
export class PriceSampler {
  private readonly stride: number[];
  private readonly seen: number[];
  private readonly ts: number[][];
  private readonly close: number[][];
  private readonly lastTs: number[];
  private readonly lastClose: number[];

  constructor(
    private readonly symbols: readonly string[],
    rowsPerSymbol: readonly number[],
  ) {
    this.stride = rowsPerSymbol.map((n) => Math.max(1, Math.ceil(n / (4 * MAX_PRICE_POINTS))));
    this.seen = symbols.map(() => 0);
    this.ts = symbols.map(() => []);
    this.close = symbols.map(() => []);
    this.lastTs = symbols.map(() => Number.NaN);
    this.lastClose = symbols.map(() => Number.NaN);
  }

  observe(symbolIndex: number, ts: number, close: number): void {
    const k = this.seen[symbolIndex]!++;
    this.lastTs[symbolIndex] = ts;
    this.lastClose[symbolIndex] = close;
    if (k % this.stride[symbolIndex]! === 0) {
      this.ts[symbolIndex]!.push(ts);
      this.close[symbolIndex]!.push(close);
    }
  }

  /** The downsampled series per symbol (symbols never seen are left out). */
  result(): Record<string, PriceSeries> {
    const out: Record<string, PriceSeries> = {};
    this.symbols.forEach((s, i) => {
      const ts = this.ts[i]!;
      const close = this.close[i]!;
      if (ts.length === 0) return;
      if (ts.at(-1) !== this.lastTs[i]) {
        ts.push(this.lastTs[i]!);
        close.push(this.lastClose[i]!);
      }
      const keep = ts.length > MAX_PRICE_POINTS ? lttbIndices(ts, close, MAX_PRICE_POINTS) : ts.map((_, j) => j);
      out[s] = { ts: keep.map((j) => ts[j]!), close: keep.map((j) => close[j]!) };
    });
    return out;
  }
}
