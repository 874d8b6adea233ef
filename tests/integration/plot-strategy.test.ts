import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, defineStrategy } from '../../index.js';
import { generateDataset } from '../../datasets/synthetic/index.js';
import { validateRunReport } from '../../reports/report-schema.js';

/**
 * Issue 18, point 2: a user strategy (defineStrategy) plots with ctx.plot; its series reach the run's
 * result and report.json, and plotting changes nothing else of the run.
 */

const BAND = defineStrategy({
  name: 'close_band',
  description: 'Plots a band 5% above the close and a bar counter; buys on the fifth bar and sells on the fiftieth.',
  defaults: { width: 0.05, plot: true },
  create: ({ params }) => {
    let n = 0;
    return {
      onBar(ctx, bars) {
        n++;
        if (params.plot) {
          ctx.plot('upper', bars.close(0) * (1 + params.width));
          ctx.plot('count', n, { overlay: false, color: '#888' });
        }
        if (n === 5) ctx.setTarget(bars.symbol, 10);
        if (n === 50) ctx.setTarget(bars.symbol, 0);
      },
    };
  },
});

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-plot-'));
  data = join(dir, 'data');
  await generateDataset({ seed: 42, out: data, symbols: ['AAA', 'BBB'], days: 120, kinds: ['bars'] });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenario = (params: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  name: 'plot',
  seed: 1,
  initialCash: 100_000,
  data: { bars: data },
  strategies: [{ id: 'band', type: BAND, symbols: ['AAA'], params }],
  ...more,
});

describe('a user strategy plots with ctx.plot', () => {
  it('its series are in the result and report.json exactly, on the bars of the price pane; the runHash is the one without plots', async () => {
    const out = await backtest(scenario({}));
    const quiet = await backtest(scenario({ plot: false }));
    expect(out.trades.length).toBe(1);
    expect(out.runHash).toBe(quiet.runHash);
    expect(quiet.result.indicators).toBeUndefined();
    expect(quiet.report.indicators).toBeUndefined();

    const prices = out.report.prices!.AAA!;
    const bars = prices.ts.length;
    expect(bars).toBeGreaterThan(80);
    const section = out.report.indicators!.band!;
    expect(section.upper).toEqual({ name: 'upper', symbol: 'AAA', overlay: true, points: bars, ts: prices.ts, values: prices.close.map((c) => c * 1.05) });
    expect(section.count).toEqual({ name: 'count', symbol: 'AAA', overlay: false, color: '#888', points: bars, ts: prices.ts, values: prices.ts.map((_, i) => i + 1) });
    expect([...out.result.indicators![0]!.ts]).toEqual(prices.ts);
    const checked = validateRunReport(out.report);
    expect(checked.ok ? 'ok' : checked.issue).toBe('ok');
  });

  it('in a run whose strategies trade their own books, each book plots its own series', async () => {
    const doc = {
      ...scenario({}),
      initialCash: undefined,
      strategies: [
        { id: 'a', type: BAND, symbols: ['AAA'], account: { initialCash: 50_000 } },
        { id: 'b', type: BAND, symbols: ['BBB'], params: { width: 0.1 }, account: { initialCash: 50_000 } },
      ],
    };
    delete (doc as { initialCash?: number }).initialCash;
    const out = await backtest(doc);
    const section = out.report.indicators!;
    expect(Object.keys(section)).toEqual(['a', 'b']);
    expect(section.b!.upper!.symbol).toBe('BBB');
    expect(section.b!.upper!.values[0]).toBeCloseTo(out.report.prices!.BBB!.close[0]! * 1.1, 10);
  });
});
