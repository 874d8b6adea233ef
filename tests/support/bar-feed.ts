import type { BarBatch } from '../../sim/backtest/index.js';

export interface SimpleBar {
  readonly symbol: number;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** An in-memory bar feed in batches of `batchRows` (bars must already be in time order). */
export async function* barFeed(bars: readonly SimpleBar[], intervalUs: number, batchRows = 64): AsyncGenerator<BarBatch> {
  for (let start = 0; start < bars.length; start += batchRows) {
    const part = bars.slice(start, start + batchRows);
    const col = (f: (b: SimpleBar) => number) => Float64Array.from(part, f);
    yield {
      length: part.length,
      ts: col((b) => b.ts + intervalUs),
      barTs: col((b) => b.ts),
      symbol: Int32Array.from(part, (b) => b.symbol),
      open: col((b) => b.open),
      high: col((b) => b.high),
      low: col((b) => b.low),
      close: col((b) => b.close),
      volume: col((b) => b.volume),
    };
  }
}

/** Deterministic random-walk bars for `symbols` symbols from a list of returns in [-0.1, 0.1]. */
export function walkBars(symbols: number, steps: readonly number[], intervalUs: number, t0 = 1_700_000_000_000_000): SimpleBar[] {
  const out: SimpleBar[] = [];
  const price = Array.from({ length: symbols }, (_, i) => 50 + 10 * i);
  for (let t = 0; t < steps.length; t++) {
    for (let s = 0; s < symbols; s++) {
      const r = steps[(t + s * 7) % steps.length]!;
      const open = price[s]!;
      const close = Math.max(1, open * (1 + r));
      const high = Math.max(open, close) * (1 + Math.abs(r) / 2);
      const low = Math.min(open, close) * (1 - Math.abs(r) / 2);
      out.push({ symbol: s, ts: t0 + t * intervalUs, open, high, low, close, volume: 1000 + 10 * t });
      price[s] = close;
    }
  }
  return out;
}
