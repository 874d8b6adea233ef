import type { RunReport } from '../../../reports/run-report.js';
import { sampleReport } from './html/fixture.js';

/**
 * sampleReport() (300 daily samples from 2023-01-02) with the account columns report.json carries from
 * the accounts change on: margin in use 30,000 while a position is open (samples i % 50 < 25), else 0;
 * buying power = cash 50,000 - margin in use. With `ruinAt`, the equity at that sample is set to
 * -1234.5 and metrics.ruinedAt names its time. Built by hand so the report code is tested before (and
 * independently of) the run that records them.
 */
export function accountReport(opts: { ruinAt?: number } = {}): RunReport {
  const base = sampleReport();
  const equity = base.equity.map((p, i) => {
    const marginInUse = i % 50 < 25 ? 30_000 : 0;
    return { ...p, ...(i === opts.ruinAt ? { equity: -1234.5 } : {}), marginInUse, buyingPower: 50_000 - marginInUse };
  });
  const ruinedAt = opts.ruinAt === undefined ? null : base.equity[opts.ruinAt]!.time;
  return { ...base, equity, metrics: { ...base.metrics, ruinedAt } } as RunReport;
}

/** sampleReport() as report.json was written before accounts: no marginInUse/buyingPower columns, no metrics.ruinedAt. */
export function legacyReport(): RunReport {
  const base = sampleReport();
  const equity = base.equity.map((p) => {
    const q: Record<string, unknown> = { ...p };
    delete q.marginInUse;
    delete q.buyingPower;
    return q;
  });
  const metrics: Record<string, unknown> = { ...base.metrics };
  delete metrics.ruinedAt;
  return { ...base, equity, metrics } as unknown as RunReport;
}
