import { describe, expect, it } from 'vitest';
import { hasCandles, mergeCandles, reportIndicators, toMs } from '../../../../reports/html/price-pane.js';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import type { RunReport } from '../../../../reports/run-report.js';
import { chartOption, seriesNames } from './chart-options.js';
import { sampleReport } from './fixture.js';

type Series = { name: string; type: string; data: unknown[]; xAxisIndex?: number; yAxisIndex?: number };

describe('mergeCandles', () => {
  const bars = { ts: [1e15, 1e15 + 6e7, 1e15 + 12e7, 1e15 + 18e7, 1e15 + 24e7], open: [10, 11, 12, 13, 14], high: [12, 13, 15, 14, 16], low: [9, 10, 11, 12, 13], close: [11, 12, 13, 14, 15], volume: [1, 2, 3, 4, 5] };

  it('keeps each bar as a candle [ms, open, close, low, high] when they fit', () => {
    expect(mergeCandles(bars, 10).candles[1]).toEqual([1e12 + 6e4, 11, 12, 10, 13]);
    expect(mergeCandles(bars, 10).volume.map(([, v]) => v)).toEqual([1, 2, 3, 4, 5]);
  });

  it('merges runs of bars: first open, highest high, lowest low, last close, summed volume', () => {
    // 5 bars into at most 2 candles: 3 bars per candle (bars 0-2, then 3-4).
    const m = mergeCandles(bars, 2);
    expect(m.candles).toEqual([
      [1e12, 10, 13, 9, 15],
      [1e12 + 18e4, 13, 15, 12, 16],
    ]);
    expect(m.volume).toEqual([
      [1e12, 6],
      [1e12 + 18e4, 9],
    ]);
  });

  it('draws candles only for bars with a range', () => {
    expect(hasCandles(bars)).toBe(true);
    expect(hasCandles({ ...bars, high: bars.close, low: bars.close })).toBe(false);
    expect(hasCandles({ ts: bars.ts, close: bars.close })).toBe(false);
    expect(hasCandles({ ...bars, open: [1, 2] })).toBe(false);
  });
});

describe('toMs', () => {
  it('reads report microseconds and milliseconds alike', () => {
    expect(toMs(1_700_000_000_000_000)).toBe(1_700_000_000_000);
    expect(toMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });
});

/** The sample report with OHLCV sampled for AAA and the given indicators section. */
function withBarsAndIndicators(indicators: unknown): RunReport {
  const r = sampleReport({ prices: true });
  const aaa = r.prices!.AAA!;
  const ohlc = {
    ...aaa,
    open: aaa.close.map((c) => c - 0.5),
    high: aaa.close.map((c) => c + 1),
    low: aaa.close.map((c) => c - 1),
    volume: aaa.close.map((_, i) => 1000 + i),
  };
  return { ...r, prices: { ...r.prices, AAA: ohlc }, indicators } as unknown as RunReport;
}

describe('the price pane', () => {
  it('draws candles and volume when the bars were sampled with their range, and the round trips as entry and exit markers', () => {
    const r = withBarsAndIndicators(undefined);
    const option = chartOption(renderRunReportHtml(r), 'price-0');
    expect(seriesNames(option)).toEqual(['Price', 'Entries', 'Exits', 'Volume']);
    const series = option.series as Series[];
    expect(series[0]!.type).toBe('candlestick');
    expect(series[3]).toMatchObject({ type: 'bar', xAxisIndex: 1, yAxisIndex: 1 });
    expect((option.grid as unknown[]).length).toBe(2);
    // One round trip on AAA: long 100 from 50 (fill 1, day 10) to 55 (fill 2, day 20), a winner.
    const entry = series[1]!.data[0] as { value: [number, number]; itemStyle: { color: string }; tip: string };
    expect(entry.value).toEqual([Date.parse('2023-01-12T00:00:00Z'), 50]);
    expect(entry.itemStyle.color).toBe('#16a34a');
    expect(entry.tip).toBe('long 100 entered at 50.00 on 2023-01-12; P&L 498.00 (trend)');
    const exit = series[2]!.data[0] as { value: [number, number]; tip: string };
    expect(exit.value).toEqual([Date.parse('2023-01-22T00:00:00Z'), 55]);
    // The loser on BBB (20 -> 19) is red.
    const bbb = chartOption(renderRunReportHtml(r), 'price-1').series as Series[];
    expect((bbb[1]!.data[0] as { itemStyle: { color: string } }).itemStyle.color).toBe('#dc2626');
  });

  it('draws the overlay indicators on the price and the others in panes of their own, skipping null warm-up values', () => {
    const r0 = sampleReport({ prices: true });
    const ts = r0.prices!.AAA!.ts.slice(0, 5);
    const r = withBarsAndIndicators({
      trend: {
        'sma 10': { symbol: 'AAA', overlay: true, color: '#ff0000', ts, values: [null, null, 51, 52, 53] },
        rsi: { symbol: 'AAA', overlay: false, ts, values: [null, 40, 50, 60, 70] },
      },
      revert: { zscore: { symbol: 'BBB', overlay: false, ts, values: [0, 1, 2, 1, 0] }, broken: { symbol: 'BBB', ts: [1], values: [] } },
    });
    expect(reportIndicators(r).map((i) => `${i.strategyId}/${i.name}`)).toEqual(['trend/sma 10', 'trend/rsi', 'revert/zscore']);
    const aaa = chartOption(renderRunReportHtml(r), 'price-0');
    expect(seriesNames(aaa)).toEqual(['Price', 'trend: sma 10', 'Entries', 'Exits', 'Volume', 'trend: rsi']);
    const series = aaa.series as Series[];
    expect(series[1]!.data).toEqual([
      [ts[2]! / 1000, 51],
      [ts[3]! / 1000, 52],
      [ts[4]! / 1000, 53],
    ]);
    expect(series[1]).toMatchObject({ xAxisIndex: 0, yAxisIndex: 0, lineStyle: { color: '#ff0000' } });
    // Price, volume, rsi: three grids; rsi in the third.
    expect((aaa.grid as unknown[]).length).toBe(3);
    expect(series[5]).toMatchObject({ xAxisIndex: 2, yAxisIndex: 2 });
    const bbb = chartOption(renderRunReportHtml(r), 'price-1');
    expect(seriesNames(bbb)).toEqual(['Close', 'Entries', 'Exits', 'revert: zscore']);
  });

  it('draws nothing extra for a report without indicators or with a malformed section', () => {
    for (const indicators of [undefined, null, 7, { trend: 3 }, { trend: { x: { symbol: 'AAA', ts: [1, 2], values: [1] } } }]) {
      const r = withBarsAndIndicators(indicators);
      expect(seriesNames(chartOption(renderRunReportHtml(r), 'price-0'))).toEqual(['Price', 'Entries', 'Exits', 'Volume']);
    }
  });

  it('links every time chart of the run in one zoom group with the same components', () => {
    const html = renderRunReportHtml(sampleReport({ prices: true }));
    for (const name of ['equity-drawdown', 'account', 'price-0', 'price-1', 'exposure', 'rolling', 'attribution']) {
      expect(html, name).toContain(`data-chart="${name}"><div class="echart" role="img"`);
      const zoom = chartOption(html, name).dataZoom as { id: string }[];
      expect(zoom.map((z) => z.id), name).toEqual(['zoom-inside', 'zoom-slider']);
    }
    expect(html.match(/data-group="run"/g)).toHaveLength(7);
  });
});
