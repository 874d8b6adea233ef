import { describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import { whenText } from '../../../../reports/html/tear-sheet-html.js';
import type { RunReport } from '../../../../reports/run-report.js';
import { chartOption, charts, seriesNames } from './chart-options.js';
import { sampleReport } from './fixture.js';

const T0 = Date.parse('2023-02-01T00:00:00Z') * 1000;
const DAY = 86_400_000_000;

/** A tear sheet with the fields reports/tearsheet.ts computes (times in microseconds). */
function tearSheet(): Record<string, unknown> {
  const base = sampleReport();
  const ts = base.equity.map((p) => p.ts);
  return {
    worstDrawdowns: [
      { start: T0, trough: T0 + 10 * DAY, end: T0 + 30 * DAY, depth: 0.125, lengthDays: 30, recoveryDays: 20 },
      { start: '2023-06-01T00:00:00.000Z', trough: '2023-06-05T00:00:00.000Z', end: null, depth: 0.05, lengthDays: 12.5, recoveryDays: null },
    ],
    distribution: {
      periods: 100,
      mean: 0.001,
      std: 0.01,
      skew: -0.25,
      kurtosis: 1.5,
      min: -0.03,
      max: 0.025,
      var95: -0.016,
      cvar95: -0.021,
      bins: [
        { from: -0.03, to: -0.01, count: 10 },
        { from: -0.01, to: 0.01, count: 70 },
        { from: 0.01, to: 0.03, count: 20 },
      ],
      normal: { mean: 0.001, std: 0.01 },
    },
    yearly: [{ year: 2023, return: 0.08, benchmark: 0.05 }],
    benchmark: { alpha: 0.031, beta: 0.42, correlation: 0.6, rSquared: 0.36, trackingError: 0.12, informationRatio: 0.5 },
    rolling: { window: 63, ts, sharpe: ts.map((_, i) => (i < 62 ? null : 1 + i / 1000)), volatility: ts.map((_, i) => (i < 62 ? null : 0.2)), beta: ts.map(() => null) },
    tradeStats: { count: 2, winRate: 0.5, avgHoldingDays: 10, maxHoldingDays: 10 },
  };
}

function render(ts: unknown): string {
  return renderRunReportHtml({ ...sampleReport(), tearSheet: ts } as unknown as RunReport);
}

describe('the tear sheet in report.html', () => {
  it('lists the worst drawdowns with their dates, depth, length and recovery', () => {
    const html = render(tearSheet());
    const table = html.slice(html.indexOf('<table id="worst-drawdowns">'), html.indexOf('</table>', html.indexOf('<table id="worst-drawdowns">')));
    expect(table).toContain('<tr><td class="num">1</td><td>2023-02-01</td><td>2023-02-11</td><td>2023-03-03</td><td class="num neg">12.50%</td><td class="num">30.0</td><td class="num">20.0</td></tr>');
    expect(table).toContain('<td>2023-06-01</td><td>2023-06-05</td><td><span class="muted">not recovered</span></td><td class="num neg">5.00%</td><td class="num">12.5</td><td class="num"><span class="muted">n/a</span></td>');
    expect(html).toContain('<a href="#drawdowns">Worst drawdowns</a>');
  });

  it('draws the distribution with the normal counts over each bin, and its statistics', () => {
    const html = render(tearSheet());
    const option = chartOption(html, 'distribution');
    expect(seriesNames(option)).toEqual(['Periods', 'Normal']);
    const normal = (option.series as { data: { value: number }[] }[])[1]!.data.map((d) => d.value);
    // periods * width * pdf(center): 100 * 0.02 * N(0; 0.001, 0.01) = 79.3905... for the middle bin (the page keeps 8 digits).
    const pdf = (x: number) => Math.exp(-0.5 * ((x - 0.001) / 0.01) ** 2) / (0.01 * Math.sqrt(2 * Math.PI));
    expect(normal[1]).toBeCloseTo(100 * 0.02 * pdf(0), 5);
    expect(normal[0]).toBeCloseTo(100 * 0.02 * pdf(-0.02), 5);
    expect(html).toContain('<tr><td>Skew</td><td class="num">-0.250</td></tr>');
    expect(html).toContain('<tr><td>Expected shortfall (95%)</td><td class="num">-2.10%</td></tr>');
  });

  it('draws yearly returns beside buy and hold, rolling Sharpe and volatility (beta all null: left out), trade statistics and alpha/beta', () => {
    const html = render(tearSheet());
    expect(seriesNames(chartOption(html, 'yearly'))).toEqual(['Strategy', 'Buy & hold']);
    expect(seriesNames(chartOption(html, 'rolling'))).toEqual(['Sharpe', 'Volatility']);
    expect(charts(html)).not.toContain('rolling-sharpe');
    expect(html).toContain('<tr><td>Alpha (annualized)</td><td class="num pos">3.10%</td></tr>');
    expect(html).toContain('<tr><td>Beta</td><td class="num ">0.420</td></tr>');
    expect(html).toContain('<tr><td>Win rate</td><td class="num ">50.00%</td></tr>');
    expect(html).toContain('<tr><td>Avg holding days</td><td class="num ">10.00</td></tr>');
  });

  it('leaves out each view whose field is absent, and all of them without a tear sheet', () => {
    // A report written before the tear sheet (buildRunReport adds one now).
    const { tearSheet: _ts, ...before } = sampleReport();
    const none = renderRunReportHtml(before);
    for (const id of ['drawdowns', 'distribution', 'rolling', 'statistics']) expect(none).not.toContain(`<section id="${id}">`);
    expect(charts(none)).toContain('rolling-sharpe');
    // Yearly bars come from the equity when the tear sheet has none.
    expect(seriesNames(chartOption(none, 'yearly'))).toEqual(['Strategy']);
    const partial = render({ distribution: tearSheet().distribution, rolling: 'nonsense', worstDrawdowns: 3 });
    expect(partial).toContain('<section id="distribution">');
    for (const id of ['drawdowns', 'rolling', 'statistics']) expect(partial).not.toContain(`<section id="${id}">`);
    expect(render({ benchmark: null })).toContain('No buy-and-hold benchmark for this run');
  });

  it('reads times as ISO text, microseconds or milliseconds', () => {
    expect(whenText('2023-02-01T00:00:00.000Z')).toBe('2023-02-01');
    expect(whenText(T0)).toBe('2023-02-01');
    expect(whenText(T0 / 1000 + 3_600_000)).toBe('2023-02-01 01:00:00Z');
    expect(whenText(undefined)).toBe('');
  });
});
