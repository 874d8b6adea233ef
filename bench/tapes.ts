import { US_PER_DAY } from '../engine/core/index.js';
import type { BarBatch } from '../sim/backtest/index.js';

/** Rows per batch, as the dataset reader delivers them. */
const BATCH = 65_536;

/**
 * Returns a single-symbol daily tape of `bars` bars (a seeded random walk, 2% daily range) in
 * 65,536-row typed-array batches; the same tape on every call. `trend` true: a steady uptrend on
 * which the SMAs never cross (the per-bar cost alone).
 */
export function makeTape(bars: number, trend = false): BarBatch[] {
  const batches: BarBatch[] = [];
  let price = 100;
  let state = 12345;
  const rand = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    return ((state >>> 0) % 1_000_000) / 1_000_000;
  };
  const t0 = 946_684_800_000_000;
  for (let start = 0; start < bars; start += BATCH) {
    const n = Math.min(BATCH, bars - start);
    const b = {
      length: n,
      ts: new Float64Array(n),
      barTs: new Float64Array(n),
      symbol: new Int32Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const open = price;
      const close = trend ? open * 1.000001 : Math.max(1, open * (1 + (rand() - 0.5) * 0.04));
      b.barTs[i] = t0 + (start + i) * US_PER_DAY;
      b.ts[i] = b.barTs[i]! + US_PER_DAY;
      b.open[i] = open;
      b.close[i] = close;
      b.high[i] = Math.max(open, close) * 1.005;
      b.low[i] = Math.min(open, close) * 0.995;
      b.volume[i] = 1e6;
      price = close;
    }
    batches.push(b);
  }
  return batches;
}

