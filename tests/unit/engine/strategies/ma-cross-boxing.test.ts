import { describe, expect, it } from 'vitest';
import { runNoInlineChild } from '../../../support/no-inline-child.js';

/**
 * sma_cross's onBar boxes no number whether or not V8 inlines the averages' updates into it. Which calls
 * V8 inlines depends on when each function is compiled (in some processes of the same build the second
 * average's update was left a call: its double argument and result boxed on every bar, ~120 MB a 2 M-bar
 * run; bench/RESULTS.md, s14-curve, s14-sma). The averages now read the bar from the series and leave
 * their value in a field (`updateFrom`), so a call left out passes and returns no double.
 *
 * A child process runs 600,000 bars through the strategy's onBar with V8 forbidden to inline any function
 * over 32 bytes of bytecode (Sma.update is ~36, its step ~256, updateFrom ~60: all calls; the getters and
 * the bar ring's close(0) stay inlined, its `at` is a call returning a small integer), and measures what
 * the last 200,000 allocate with the sampling heap profiler (collected objects included).
 * It does so again with plotting on, the plot line's methods calls too (the averages go to it by `setFrom`).
 * The same child checks that the measure sees boxing: Sma.update called there boxes ~10-13 MB over 200,000 bars.
 */

const CHILD = `
const { symbolId } = await import(R + '/engine/core/index.ts');
const { Sma } = await import(R + '/engine/indicators/index.ts');
const { BarRing } = await import(R + '/engine/kernel/bar-cache.ts');
const { createStrategy } = await import(R + '/engine/strategies/index.ts');
const n = 600_000;
const cols = { ts: new Float64Array(n), barTs: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
// A steady rise: the fast average stays above the slow one, no cross (no order path in the measure).
for (let i = 0; i < n; i++) { const c = 100 * Math.pow(1.000001, i); cols.ts[i] = i; cols.barTs[i] = i; cols.open[i] = c; cols.high[i] = c; cols.low[i] = c; cols.close[i] = c; cols.volume[i] = 1; }
const ring = new BarRing(symbolId('AAA'), 64);
const strategy = createStrategy('sma_cross', 's', ['AAA'], { fast: 10, slow: 20 });
const ctx = { plotting: false, now: 0 };
function bars(from, to) { for (let r = from; r < to; r++) { ring.pushRow(cols, r); strategy.onBar(ctx, ring); } }
const plotted = createStrategy('sma_cross', 'p', ['AAA'], { fast: 10, slow: 20 });
const plotCtx = { plotting: true, now: 0, plotSeries: () => new Line() };
function plottedBars(from, to) { for (let r = from; r < to; r++) { ring.pushRow(cols, r); plotted.onBar(plotCtx, ring); } }
const fast = new Sma(10);
const slow = new Sma(20);
function updates(from, to) { for (let r = from; r < to; r++) { ring.pushRow(cols, r); const c = ring.close(0); fast.update(c); slow.update(c); } }
bars(0, 400_000);
const onBar = await allocated(bars, 400_000, 600_000);
ring.reset();
plottedBars(0, 400_000);
const plotting = await allocated(plottedBars, 400_000, 600_000);
ring.reset();
updates(0, 400_000);
const update = await allocated(updates, 400_000, 600_000);
console.log(JSON.stringify({ onBar, plotting, update }));
`;

describe("sma_cross's onBar with the averages' updates left calls", () => {
  it('allocates under 2 MB over 200,000 bars (boxing the two averages would be ~13 MB)', () => {
    const { onBar, plotting, update } = runNoInlineChild<{ onBar: number; plotting: number; update: number }>(CHILD);
    // The measure sees boxing: Sma.update, a call here, boxes its argument and its result (16 B each).
    console.log(`allocated over 200,000 bars: onBar ${onBar} B, plotting ${plotting} B, the update loop ${update} B`);
    expect(update).toBeGreaterThan(5e6);
    expect(onBar).toBeLessThan(2e6);
    // Plotting both averages on a line whose methods are calls: no value crosses them (PlotLine.setFrom).
    expect(plotting).toBeLessThan(2e6);
  }, 120_000);
});
