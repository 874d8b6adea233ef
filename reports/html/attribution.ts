import { compareExitTime } from './page-records.js';
import type { ExitTimed } from './page-records.js';

/** A closed round trip as report.json lists it (the fields attribution needs). */
export interface AttributedTrade {
  readonly strategyId: string;
  readonly pnl: number;
  readonly commission: number;
  readonly exitTime: string;
}

/** Realized performance of one strategy over its closed round trips. */
export interface StrategyAttribution {
  readonly strategyId: string;
  readonly trades: number;
  /** Sum of round-trip PnL, net of commission (realized; open positions are not included). */
  readonly pnl: number;
  readonly commission: number;
  /** Winners / trades; null with no trades. */
  readonly winRate: number | null;
  /** Share of the sum of absolute strategy PnLs; null when every strategy's PnL is 0. */
  readonly shareOfAbsPnl: number | null;
}

/**
 * Returns realized PnL per strategy from the closed round trips, in the order `strategyIds` lists them
 * (strategies with no trade appear with zeros; trades of an unlisted strategy are appended in order of
 * first appearance). Sums run in trade order, so the result is bit-reproducible.
 */
export function strategyAttribution(trades: readonly Pick<AttributedTrade, 'strategyId' | 'pnl' | 'commission'>[], strategyIds: readonly string[] = []): StrategyAttribution[] {
  const acc = new Map<string, { trades: number; pnl: number; commission: number; wins: number }>();
  for (const id of strategyIds) acc.set(id, { trades: 0, pnl: 0, commission: 0, wins: 0 });
  for (const t of trades) {
    let a = acc.get(t.strategyId);
    if (!a) {
      a = { trades: 0, pnl: 0, commission: 0, wins: 0 };
      acc.set(t.strategyId, a);
    }
    a.trades++;
    a.pnl += t.pnl;
    a.commission += t.commission;
    if (t.pnl > 0) a.wins++;
  }
  let absTotal = 0;
  for (const a of acc.values()) absTotal += Math.abs(a.pnl);
  return [...acc].map(([strategyId, a]) => ({
    strategyId,
    trades: a.trades,
    pnl: a.pnl,
    commission: a.commission,
    winRate: a.trades > 0 ? a.wins / a.trades : null,
    shareOfAbsPnl: absTotal > 0 ? Math.abs(a.pnl) / absTotal : null,
  }));
}

/**
 * Returns each strategy's cumulative realized PnL as steps at the exit times of its trades (ISO time,
 * running sum), summed in exit-time order (ties keep the order given).
 */
export function cumulativePnlByStrategy(trades: readonly AttributedTrade[]): Map<string, [string, number][]> {
  const out = new Map<string, [string, number][]>();
  for (const [id, steps] of cumulativePnlSteps(trades)) out.set(id, steps.map(([t, s]) => [t.exitTime, s]));
  return out;
}

/**
 * {@link cumulativePnlByStrategy} over round trips as the page reads them (see page-records.ts), each step holding
 * its trade rather than its exit time as text: the page formats the times of the steps it draws only.
 */
export function cumulativePnlSteps<T extends Pick<AttributedTrade, 'strategyId' | 'pnl'> & ExitTimed>(trades: readonly T[]): Map<string, [T, number][]> {
  const out = new Map<string, [T, number][]>();
  const sums = new Map<string, number>();
  const byExit = [...trades].sort(compareExitTime);
  for (const t of byExit) {
    const s = (sums.get(t.strategyId) ?? 0) + t.pnl;
    sums.set(t.strategyId, s);
    let list = out.get(t.strategyId);
    if (!list) {
      list = [];
      out.set(t.strategyId, list);
    }
    list.push([t, s]);
  }
  return out;
}
