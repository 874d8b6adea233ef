import { describe, expect, it } from 'vitest';
import { accountSeries, reportRuin, ruinLine } from '../../../reports/account-view.js';
import { countArrayIterators } from '../../support/array-iterators.js';
import { accountReport, legacyReport } from './account-fixture.js';

describe('reportRuin', () => {
  it('reads a report written before accounts (no ruinedAt) as never ruined', () => {
    expect(reportRuin(legacyReport())).toBeNull();
  });

  it('reads ruinedAt null as never ruined', () => {
    expect(reportRuin(accountReport())).toBeNull();
  });

  it('returns the ruin time and the equity of the sample at that time', () => {
    // Sample 200 is 2023-01-02 + 200 days = 2023-07-21.
    expect(reportRuin(accountReport({ ruinAt: 200 }))).toEqual({ time: '2023-07-21T00:00:00.000Z', equity: -1234.5 });
  });

  it('says when the ruin time matches no sample', () => {
    const r = accountReport({ ruinAt: 200 });
    const moved = { ...r, metrics: { ...r.metrics, ruinedAt: '2023-07-21T12:00:00.000Z' } } as typeof r;
    expect(reportRuin(moved)).toEqual({ time: '2023-07-21T12:00:00.000Z', equity: null });
  });
});

describe('ruinLine', () => {
  it('names the time and the equity to the cent', () => {
    expect(ruinLine({ time: '2019-05-31T00:00:00.000Z', equity: -53621.256 })).toBe('account ruined at 2019-05-31T00:00:00.000Z (equity -53621.26)');
    expect(ruinLine({ time: '2019-05-31T00:00:00.000Z', equity: null })).toBe('account ruined at 2019-05-31T00:00:00.000Z');
  });
});

describe('accountSeries', () => {
  it('is null for a report without the account columns', () => {
    expect(accountSeries(legacyReport())).toBeNull();
  });

  it('is null when a sample lacks them (never a series with holes)', () => {
    const r = accountReport();
    const bare: Record<string, unknown> = { ...r.equity[7]! };
    delete bare.marginInUse;
    const holed = { ...r, equity: r.equity.map((p, i) => (i === 7 ? bare : p)) } as typeof r;
    expect(accountSeries(holed)).toBeNull();
  });

  it('returns buying power and margin in use per sample', () => {
    const a = accountSeries(accountReport())!;
    expect(a.ts.length).toBe(300);
    expect(a.marginInUse.slice(23, 27)).toEqual([30_000, 30_000, 0, 0]);
    expect(a.buyingPower.slice(23, 27)).toEqual([20_000, 20_000, 50_000, 50_000]);
  });

  it('reads the samples without an array iterator (a for...of makes a result object per sample while the page runs cold)', () => {
    const report = accountReport();
    const { result: a, made } = countArrayIterators(() => accountSeries(report));
    expect(made).toBe(0);
    expect(a!.ts.length).toBe(report.equity.length);
  });
});
