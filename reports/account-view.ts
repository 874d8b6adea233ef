import type { RunReport } from './run-report.js';

/**
 * The account side of a run report as the report page and the terminal show it: when the account was
 * ruined, and its buying power and margin in use over time. report.json has these from the accounts
 * change on (`metrics.ruinedAt`, `equity[i].marginInUse`, `equity[i].buyingPower`); an older report
 * without them reads as never ruined, with no account series.
 */

/** When a run's account was ruined (equity at or below zero at an equity sample; trading ended then). */
export interface ReportRuin {
  /** ISO-8601 time of the ruin, as report.json's `metrics.ruinedAt`. */
  readonly time: string;
  /** The equity at that sample; null when the report has no sample at that time. */
  readonly equity: number | null;
}

/** The report fields read here, typed so that a report written before they existed is also accepted. */
interface AccountFields {
  readonly metrics: { readonly ruinedAt?: string | null };
  readonly equity: readonly { readonly time: string; readonly equity: number; readonly marginInUse?: number; readonly buyingPower?: number }[];
}

/** Returns when the run's account was ruined, with the equity then, or null (never ruined, or an older report). */
export function reportRuin(report: Pick<RunReport, 'metrics' | 'equity'>): ReportRuin | null {
  const r = report as AccountFields;
  const time = r.metrics.ruinedAt;
  if (time === undefined || time === null) return null;
  const at = r.equity.find((p) => p.time === time);
  return { time, equity: at === undefined ? null : at.equity };
}

/** The summary line of a ruined run: `account ruined at <ISO time> (equity <x>)`. */
export function ruinLine(ruin: ReportRuin): string {
  return `account ruined at ${ruin.time}${ruin.equity === null ? '' : ` (equity ${ruin.equity.toFixed(2)})`}`;
}

/** Buying power and margin in use at each equity sample (`ts` in microseconds). */
export interface AccountSeries {
  readonly ts: readonly number[];
  readonly marginInUse: readonly number[];
  readonly buyingPower: readonly number[];
}

/**
 * Returns the account's buying power and margin in use over time, or null when the report does not
 * carry them on every equity sample (a report written before accounts).
 */
export function accountSeries(report: Pick<RunReport, 'equity'>): AccountSeries | null {
  const eq = report.equity as AccountFields['equity'] & readonly { readonly ts: number }[];
  if (eq.length === 0) return null;
  const ts: number[] = [];
  const marginInUse: number[] = [];
  const buyingPower: number[] = [];
  // Indexed, not for...of: a report's page runs this once, cold, where for...of makes a result object per sample.
  for (let i = 0; i < eq.length; i++) {
    const p = eq[i]!;
    if (p.marginInUse === undefined || p.buyingPower === undefined) return null;
    ts.push(p.ts);
    marginInUse.push(p.marginInUse);
    buyingPower.push(p.buyingPower);
  }
  return { ts, marginInUse, buyingPower };
}

/** The books of a run whose strategies trade their own accounts (report.json `accounts`), or none. */
export function reportAccounts(report: Pick<RunReport, 'accounts'>): NonNullable<RunReport['accounts']> {
  return report.accounts ?? [];
}

/** The summary line of a ruined book: `account <id> ruined at <ISO time> (equity <x>)`. */
export function bookRuinLine(a: NonNullable<RunReport['accounts']>[number]): string | null {
  return a.ruinedAt === null ? null : `account ${a.id} ruined at ${a.ruinedAt}${a.ruinEquity === null ? '' : ` (equity ${a.ruinEquity.toFixed(2)})`}`;
}
