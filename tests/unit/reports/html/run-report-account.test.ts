import { describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import { accountReport, legacyReport } from '../account-fixture.js';
import { chartOption, charts, seriesNames } from './chart-options.js';

describe('report.html: buying power, margin and ruin', () => {
  it('draws no account pane and no banner for a report without the account columns', () => {
    const html = renderRunReportHtml(legacyReport());
    expect(charts(html)).not.toContain('account');
    expect(html).not.toContain('<section id="account">');
    expect(html).not.toContain('account ruined');
  });

  it('draws buying power and margin in use in a pane right below the equity chart, linked from the nav', () => {
    const html = renderRunReportHtml(accountReport());
    expect(charts(html)).toEqual(['equity-drawdown', 'account', 'price-0', 'price-1', 'exposure', 'yearly', 'distribution', 'rolling', 'attribution']);
    expect(html).toContain('<a href="#account">Buying power &amp; margin</a>');
    const pane = html.slice(html.indexOf('<section id="account">'), html.indexOf('<section id="prices">'));
    expect(seriesNames(chartOption(pane, 'account'))).toEqual(['Buying power', 'Margin in use']);
    // Last sample 299: 299 % 50 = 49, flat: buying power 50,000; margin peaks at 30,000.
    expect(pane).toContain('Final buying power 50,000; largest margin in use 30,000.');
    expect(html).not.toContain('account ruined');
  });

  it('shows a ruined run in a banner at the top, and marks the ruin in the account pane', () => {
    const html = renderRunReportHtml(accountReport({ ruinAt: 200 }));
    expect(html).toContain('<div class="alert" role="alert">account ruined at 2023-07-21T00:00:00.000Z (equity -1234.50): equity reached zero or below and trading ended</div>');
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('<section id="run">'));
    const pane = html.slice(html.indexOf('<section id="account">'), html.indexOf('<section id="prices">'));
    const power = (chartOption(pane, 'account').series as { markLine?: { label: { formatter: string }; data: { xAxis: number }[] } }[])[0]!;
    expect(power.markLine!.label.formatter).toBe('ruined');
    expect(power.markLine!.data).toEqual([{ xAxis: Date.parse('2023-07-21T00:00:00.000Z') }]);
    expect(pane).toContain('account ruined at 2023-07-21T00:00:00.000Z (equity -1234.50).');
  });

  it('gives the same bytes for the same report', () => {
    expect(renderRunReportHtml(accountReport({ ruinAt: 200 }))).toBe(renderRunReportHtml(accountReport({ ruinAt: 200 })));
  });
});
