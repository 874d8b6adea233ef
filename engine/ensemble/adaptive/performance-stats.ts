/**
 * Performance statistics of one strategy's shadow ledger, the inputs of adaptive weighting,
 * retirement and dynamic voting weights. Per-period returns are simple returns between equity
 * samples; Sharpe is mean / standard deviation (n - 1) x sqrt(periodsPerYear), null with fewer than
 * two returns or zero deviation. Trade statistics are null without trades.
 */
export interface StrategyStats {
  readonly periods: number;
  readonly totalReturn: number;
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly winRate: number | null;
  /** Gross wins / gross losses; null without trades, Infinity with wins and no loss. */
  readonly profitFactor: number | null;
  /** Mean PnL per trade. */
  readonly expectancy: number | null;
  /** Mean |PnL| per trade (the scale expectancy is judged against). */
  readonly meanAbsTrade: number | null;
}

/** Returns the statistics of an equity series and the PnLs of its closed trades. */
export function strategyStats(equity: readonly number[], tradePnls: readonly number[], periodsPerYear = 252): StrategyStats {
  const n = equity.length;
  let mean = 0;
  let m2 = 0;
  let k = 0;
  let peak = Number.NEGATIVE_INFINITY;
  let maxDrawdown = 0;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - e) / peak);
    if (i > 0 && equity[i - 1]! > 0) {
      const r = e / equity[i - 1]! - 1;
      k++;
      const d = r - mean;
      mean += d / k;
      m2 += d * (r - mean);
    }
  }
  const sd = k > 1 ? Math.sqrt(m2 / (k - 1)) : 0;
  const sharpe = k > 1 && sd > 0 ? (mean / sd) * Math.sqrt(periodsPerYear) : null;
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let sum = 0;
  let sumAbs = 0;
  for (const p of tradePnls) {
    sum += p;
    sumAbs += Math.abs(p);
    if (p > 0) {
      wins++;
      grossWin += p;
    } else grossLoss -= p;
  }
  const t = tradePnls.length;
  return {
    periods: k,
    totalReturn: n > 1 && equity[0]! > 0 ? equity[n - 1]! / equity[0]! - 1 : 0,
    sharpe,
    maxDrawdown,
    tradeCount: t,
    winRate: t > 0 ? wins / t : null,
    profitFactor: t === 0 ? null : grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Number.POSITIVE_INFINITY : 0,
    expectancy: t > 0 ? sum / t : null,
    meanAbsTrade: t > 0 ? sumAbs / t : null,
  };
}
