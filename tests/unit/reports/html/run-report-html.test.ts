import { describe, expect, it } from 'vitest';
import { renderRunReportHtml, renderRunReportPieces } from '../../../../reports/html/run-report-html.js';
import { echartsLibraryBytes } from '../../../../reports/html/chart.js';
import { validateRunReport } from '../../../../reports/report-schema.js';
import { accountReport } from '../account-fixture.js';
import { chartOption, charts, seriesNames, withoutScripts } from './chart-options.js';
import { escapeHtml } from '../../../../reports/html/escape.js';
import { formatNumber, shortTime } from '../../../../reports/html/format.js';
import { sampleReport } from './fixture.js';

describe('renderRunReportHtml', () => {
  it('renders every section of a two-strategy run', () => {
    const html = renderRunReportHtml(accountReport());
    for (const id of ['run', 'metrics', 'equity', 'account', 'rolling', 'drawdowns', 'distribution', 'statistics', 'monthly', 'yearly', 'prices', 'exposure', 'attribution', 'trades', 'audit']) {
      expect(html, id).toContain(`<section id="${id}">`);
    }
    expect(charts(html)).toEqual(['equity-drawdown', 'account', 'price-0', 'price-1', 'exposure', 'yearly', 'distribution', 'rolling', 'attribution']);
    // Results first: the headline numbers and the equity chart, the setup last and collapsed.
    expect(html.indexOf('<section id="summary"')).toBeLessThan(html.indexOf('<section id="equity">'));
    expect(html.indexOf('<section id="equity">')).toBeLessThan(html.indexOf('<section id="metrics">'));
    expect(html.indexOf('<section id="audit">')).toBeLessThan(html.indexOf('<section id="run">'));
    expect(html).toContain('<section id="run"><details class="setup"><summary>Data, configuration and assumptions</summary>');
  });

  // The trade list's cells, formats and data: tests/unit/reports/html/record-table.test.ts.

  it('is one self-contained document: no external script, stylesheet, image or font', () => {
    const full = renderRunReportHtml(sampleReport());
    const html = withoutScripts(full);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/);
    expect([...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)]).toEqual([]);
    // The ECharts library is inlined once, whatever the number of charts.
    expect(full.split('t.version="6.1.0"').length - 1).toBe(1);
    expect(full.match(/<script>/g)).toHaveLength(3);
  });

  it('gives the same bytes as pieces, the ECharts library as the bytes of its file, never joined into the page', async () => {
    const report = sampleReport();
    const pieces = await renderRunReportPieces(report);
    expect(pieces.at(-2)).toBe(echartsLibraryBytes());
    expect(pieces.filter((p) => typeof p !== 'string')).toHaveLength(1);
    const bytes = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    expect(bytes.equals(Buffer.from(renderRunReportHtml(report)))).toBe(true);
  });

  it('lets the event loop run between its sections (work waiting on it goes on while the page renders)', async () => {
    const report = sampleReport();
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (turns < 100) setImmediate(tick);
    };
    setImmediate(tick);
    await renderRunReportPieces(report);
    const during = turns;
    turns = 100;
    expect(during).toBeGreaterThan(10);
  });

  it('gives the same bytes for the same report', () => {
    const report = sampleReport();
    expect(renderRunReportHtml(report)).toBe(renderRunReportHtml(report));
  });

  it('gives every element id once on the page', () => {
    const html = withoutScripts(renderRunReportHtml(sampleReport()));
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows the seed, runHash, provenance, every assumption and the metrics with buy and hold', () => {
    const report = sampleReport();
    const html = renderRunReportHtml(report);
    expect(html).toContain(report.runHash);
    expect(html).toContain('cd'.repeat(32));
    expect(html).toContain('/data/sample');
    for (const a of report.assumptions) expect(html).toContain(a.replace("'", '&#39;'));
    expect(html).toContain('<th class="num">Buy &amp; hold</th>');
    // buy and hold = mean(60/50, 18/20) - 1 = 5%
    expect(report.metrics.buyAndHoldReturn).toBeCloseTo(0.05, 12);
    expect(html).toContain('5.00%');
  });

  it('writes null metrics as n/a', () => {
    const report = sampleReport();
    const html = renderRunReportHtml({ ...report, metrics: { ...report.metrics, sortino: null, profitFactor: null } });
    expect(html).toMatch(/<td>Sortino ratio<\/td><td class="num ">n\/a<\/td>/);
    expect(html).toMatch(/<td>Profit factor<\/td><td class="num ">n\/a<\/td>/);
  });

  it('leaves out per-strategy attribution when one strategy ran', () => {
    const html = renderRunReportHtml(sampleReport({ strategies: ['solo'] }));
    expect(html).not.toContain('<section id="attribution">');
    expect(charts(html)).not.toContain('attribution');
  });

  it('draws the close price line and a buy-and-hold curve when the report has prices, and says so when it has not', () => {
    const withPrices = renderRunReportHtml(sampleReport({ prices: true }));
    expect(seriesNames(chartOption(withPrices, 'price-0'))).toEqual(['Close', 'Entries', 'Exits']);
    expect(seriesNames(chartOption(withPrices, 'equity-drawdown'))).toEqual(['Equity', 'Buy & hold', 'Drawdown']);
    expect(withPrices).not.toContain('has no <code>prices</code> section');
    const without = renderRunReportHtml(sampleReport());
    expect(seriesNames(chartOption(without, 'price-0'))).toEqual(['Entries', 'Exits']);
    expect(seriesNames(chartOption(without, 'equity-drawdown'))).toEqual(['Equity', 'Drawdown']);
    expect(without).toContain('has no <code>prices</code> section');
  });

  it('escapes text from the scenario and the audit trail', () => {
    const html = renderRunReportHtml(sampleReport({ name: '<script>alert(1)</script>', audit: true }));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The library, the chart script and the table sorter; the chart options and the two record tables' rows (the
    // trade list, the audit trail) are JSON with '<' escaped.
    expect(html.match(/<script>/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3 + charts(html).length + 2);
    expect(html).toContain('"order O-9 denied: \\u003cmax notional>"');
  });

  it('lists the audit trail with a count per kind', () => {
    const html = renderRunReportHtml(sampleReport({ audit: true }));
    expect(html).toContain('Audit trail (1)');
    expect(html).toContain('risk.denied &times; 1');
  });

  it('downsamples a long equity curve for drawing and says so', () => {
    const html = renderRunReportHtml(sampleReport({ days: 5000 }));
    expect(html).toContain('Drawn from 2,000 of 5,000 samples');
  });

  it('builds reports the schema accepts, prices included', () => {
    expect(validateRunReport(JSON.parse(JSON.stringify(sampleReport({ prices: true, audit: true })))).ok).toBe(true);
  });
});

describe('the ensemble section', () => {
  const base = sampleReport();
  const day = 86_400_000_000;
  const t0 = base.equity[0]!.ts;
  const snap = (ts: number, regime: string, w: number) => ({ ts, time: new Date(ts / 1000).toISOString(), regime, weights: { trend: w, revert: 1 - w }, source: 'optimizer' });
  const strategy = (id: string, status: 'ACTIVE' | 'RETIRED', finalWeight: number) => ({ id, return: 0.1, sharpe: 1.2, maxDrawdown: 0.05, turnover: 2, trades: 3, winRate: 0.5, profitFactor: null, status, finalWeight });
  const report = {
    ...base,
    ensemble: {
      mode: 'allocation' as const,
      accountId: 'ensemble',
      weightsOverTime: [snap(0, 'mixed', 0.5), snap(t0 + 40 * day, 'trending', 0.8), snap(t0 + 90 * day, 'volatile', 0.3)],
      decisions: [],
      strategies: [strategy('trend', 'ACTIVE', 0.3), strategy('revert', 'RETIRED', 0.7)],
      account: { return: 0.04, sharpe: 0.9, maxDrawdown: 0.06, turnover: 1.5 },
      decomposition: { byStrategy: {}, bySymbol: {}, byRegime: {} },
      audit: [],
    },
  };

  it('draws stacked weights with a regime strip and lists the strategies with their status', () => {
    const html = renderRunReportHtml(report);
    expect(html).toContain('<section id="ensemble">');
    expect(charts(html)).toContain('ensemble-weights');
    for (const r of ['mixed (1 re-weighting)', 'trending (1 re-weighting)', 'volatile (1 re-weighting)']) expect(html).toContain(r);
    expect(html).toContain('RETIRED');
    expect(html).toMatch(/<td class="num" data-v="0.7">70.0%<\/td>/);
  });

  it('is a report the schema accepts', () => {
    expect(validateRunReport(JSON.parse(JSON.stringify(report))).ok).toBe(true);
  });

  it('is absent from runs without an ensemble', () => {
    expect(renderRunReportHtml(base)).not.toContain('<section id="ensemble">');
  });
});
