import { describe, expect, it } from 'vitest';
import { runNoInlineChild } from '../../../support/no-inline-child.js';

/**
 * donchian_breakout's and rsi_reversion's onBar box no number whether or not V8 inlines their callees,
 * as sma_cross's (ma-cross-boxing.test.ts): the channels and the RSI read the bar from the series
 * (`updateFrom`), the plot lines read the bands and the RSI (`setFrom`), and donchian's decision reads the
 * close itself. Before, `update(high, low)`, `update(close)`, `line.set(value)` and `decide(..., close)`
 * passed doubles: in a 500,000-bar pipeline run donchian_breakout allocated ~96 B a bar in every process and
 * rsi_reversion ~32 B a bar in most trading ones (bench/RESULTS.md, s15-bar).
 *
 * A child process runs 600,000 bars (a steady rise, then a fall every 50 bars for the RSI to move) through
 * each strategy's onBar, plotting on a line whose `set` and `setFrom` are calls, with V8 forbidden to inline
 * any function over 32 bytes of bytecode, and measures what the last 200,000 allocate with the sampling heap
 * profiler (collected objects included). It checks that the measure sees boxing: DonchianChannel.update
 * called with the bar's numbers.
 */

const CHILD = `
const { symbolId } = await import(R + '/engine/core/index.ts');
const { DonchianChannel } = await import(R + '/engine/indicators/index.ts');
const { BarRing } = await import(R + '/engine/kernel/bar-cache.ts');
const { createStrategy } = await import(R + '/engine/strategies/index.ts');
const n = 600_000;
const cols = { ts: new Float64Array(n), barTs: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
// Rising, with a small dip every 50 bars: the channels never break (no order path in the measure), the RSI moves
// and stays between its levels.
for (let i = 0; i < n; i++) { const c = 100 * Math.pow(1.000001, i) - (i % 50 === 0 ? 0.001 : 0); cols.ts[i] = i; cols.barTs[i] = i; cols.open[i] = c; cols.high[i] = c + 0.5; cols.low[i] = c - 0.5; cols.close[i] = c; cols.volume[i] = 1; }
const ring = new BarRing(symbolId('AAA'), 64);
const ctx = { plotting: true, now: 0, plotSeries: () => new Line(), equity: () => 1e6, position: () => 0 };
function run(strategy) {
  return (from, to) => { for (let r = from; r < to; r++) { ring.pushRow(cols, r); strategy.onBar(ctx, ring); } };
}
const channel = new DonchianChannel(20);
function updates(from, to) { for (let r = from; r < to; r++) { ring.pushRow(cols, r); channel.update(ring.high(0), ring.low(0)); } }
// What the last 200,000 of 600,000 bars allocate, from an empty ring.
async function lastBars(f) {
  ring.reset();
  f(0, 400_000);
  return allocated(f, 400_000, 600_000);
}
const donchian = await lastBars(run(createStrategy('donchian_breakout', 'd', ['AAA'], {})));
const rsi = await lastBars(run(createStrategy('rsi_reversion', 'r', ['AAA'], { oversold: 1, overbought: 99 })));
const update = await lastBars(updates);
console.log(JSON.stringify({ donchian, rsi, update }));
`;

describe("donchian_breakout's and rsi_reversion's onBar with their callees left calls", () => {
  it('allocate under 2 MB over 200,000 plotted bars (boxing the bar numbers would be ~10-20 MB)', () => {
    const { donchian, rsi, update } = runNoInlineChild<{ donchian: number; rsi: number; update: number }>(CHILD);
    console.log(`allocated over 200,000 bars: donchian_breakout ${donchian} B, rsi_reversion ${rsi} B, DonchianChannel.update ${update} B`);
    // The measure sees boxing: update(high, low), a call here, boxes its two arguments and its result.
    expect(update).toBeGreaterThan(5e6);
    expect(donchian).toBeLessThan(2e6);
    expect(rsi).toBeLessThan(2e6);
  }, 120_000);
});
