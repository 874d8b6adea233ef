import { describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../../../reports/html/run-report-html.js';
import type { RunReport } from '../../../../reports/run-report.js';
import { accountReport } from '../account-fixture.js';

/** The report with each equity sample's `ts` read through a counter; returns it and the counter. */
function counted(report: RunReport): { report: RunReport; reads: () => number } {
  let reads = 0;
  const equity = report.equity.map((p) => {
    const q = { ...p };
    const ts = p.ts;
    Object.defineProperty(q, 'ts', {
      enumerable: true,
      get: () => {
        reads++;
        return ts;
      },
    });
    return q;
  });
  return { report: { ...report, equity } as RunReport, reads: () => reads };
}

describe('report.html: the equity samples mapped once per page', () => {
  it('reads each sample time three times (the times in ms, shared by the equity, account, exposure and rolling charts; the account columns; the monthly figures), not once per chart', () => {
    const base = accountReport();
    const expected = renderRunReportHtml(base);
    const { report, reads } = counted(base);
    expect(renderRunReportHtml(report)).toBe(expected);
    expect(reads() / report.equity.length).toBeLessThan(3.5);
  });
});
