import { describe, expect, it } from 'vitest';
import { runJson, summarize } from '../../../../cli/actions/run.js';
import { accountReport, legacyReport } from '../../reports/account-fixture.js';

describe('tapedeck run: summary and --json of a ruined account', () => {
  it('prints `account ruined at <ISO time> (equity <x>)` right after the final equity line', () => {
    const lines = summarize(accountReport({ ruinAt: 200 }), '/out/report.json').split('\n');
    const i = lines.findIndex((l) => l.startsWith('final equity'));
    expect(lines[i + 1]).toBe('account ruined at 2023-07-21T00:00:00.000Z (equity -1234.50)');
  });

  it('prints no ruin line for a run that was never ruined, or a report written before accounts', () => {
    expect(summarize(accountReport(), '/out/report.json')).not.toContain('ruined');
    expect(summarize(legacyReport(), '/out/report.json')).not.toContain('ruined');
  });

  it('--json carries metrics.ruinedAt: the ISO time, or null', () => {
    expect(runJson(accountReport({ ruinAt: 200 }), '/out/report.json').metrics.ruinedAt).toBe('2023-07-21T00:00:00.000Z');
    expect(runJson(accountReport(), '/out/report.json').metrics.ruinedAt).toBeNull();
    const old = runJson(legacyReport(), '/out/report.json');
    expect(old.metrics.ruinedAt).toBeNull();
    expect(old.runHash).toBe('ab'.repeat(32));
    expect(old.report).toBe('/out/report.json');
  });

  it("says what the period replayed: the equity samples and the data rows behind them, not the samples called bars", () => {
    const report = accountReport();
    const line = (r: typeof report) => summarize(r, '/out/report.json').split('\n').find((l) => l.startsWith('period'))!;
    const three = { ...report, counts: { ...report.counts, bars: 3 * report.metrics.bars, quotes: 0, trades: 0 } };
    expect(line(three)).toMatch(new RegExp(`\\(${report.metrics.bars} equity samples of ${3 * report.metrics.bars} bars\\)$`));
    const ticks = { ...report, counts: { ...report.counts, bars: 0, quotes: 12, trades: 5 } };
    expect(line(ticks)).toMatch(/ equity samples of 12 quotes, 5 trade prints\)$/);
  });
});
