import { describe, expect, it } from 'vitest';
import { comparisonLabels, renderComparisonHtml } from '../../../../reports/html/comparison-html.js';
import { chartOption } from './chart-options.js';
import { sampleReport } from './fixture.js';

describe('comparisonLabels', () => {
  it('uses scenario names, adds the directory for a shared name and the position when even that is shared', () => {
    const a = sampleReport({ name: 'alpha' });
    const b = sampleReport({ name: 'beta' });
    expect(comparisonLabels([{ source: 'out/x/report.json', report: a }, { source: 'out/y', report: b }])).toEqual(['alpha', 'beta']);
    expect(comparisonLabels([{ source: 'out/x/report.json', report: a }, { source: 'out/y/report.json', report: a }])).toEqual(['alpha (x)', 'alpha (y)']);
    expect(comparisonLabels([{ source: 'x', report: a }, { source: 'x', report: a }])).toEqual(['alpha (x) #1', 'alpha (x) #2']);
  });
});

describe('renderComparisonHtml', () => {
  const long = sampleReport({ name: 'long', days: 300 });
  const short = sampleReport({ name: 'short', days: 120 });
  const html = renderComparisonHtml([
    { label: 'long', source: 'out/long/report.json', report: long },
    { label: 'short', source: 'out/short/report.json', report: short },
  ]);

  it('lists every run and every metric side by side', () => {
    expect(html).toContain('<th class="num">long</th><th class="num">short</th>');
    expect(html).toContain(long.runHash.slice(0, 16));
    expect(html).toContain('<td>Sharpe ratio</td>');
  });

  it('bolds the better run on a metric with a direction', () => {
    const better = long.metrics.finalEquity > short.metrics.finalEquity ? 0 : 1;
    const cells = [...html.matchAll(/<tr><td>Final equity<\/td>(<td[^>]*>[^<]*<\/td>)(<td[^>]*>[^<]*<\/td>)<\/tr>/g)][0]!;
    expect(cells[1 + better]).toContain('best');
    expect(cells[2 - better]).not.toContain('best');
  });

  it('draws normalized equity and drawdown charts with one line per run', () => {
    expect(html).toContain('data-chart="compare-equity"');
    expect(html).toContain('data-chart="compare-drawdown"');
    // The legend is one scrolling row (a wrapped one ran into itself with long labels), and the two charts zoom together.
    for (const name of ['compare-equity', 'compare-drawdown']) {
      const at = html.indexOf(`data-chart="${name}"`);
      expect(html.slice(at, html.indexOf('</div>', at))).toContain('data-group="compare"');
      const option = chartOption(html, name) as { legend: { type: string } };
      expect(option.legend.type).toBe('scroll');
    }
    expect(html).toContain('Equity of each run divided by its first value');
  });
});
