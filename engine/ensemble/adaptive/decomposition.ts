/**
 * Performance decomposition (seed 002): closed shadow trades grouped by strategy, by symbol
 * (per strategy) and by the market regime classified when the trade closed.
 */
export interface AttributedTrade {
  readonly strategyId: string;
  readonly symbol: string;
  readonly regime: string;
  readonly pnl: number;
}

export interface GroupStats {
  readonly trades: number;
  readonly pnl: number;
  readonly winRate: number;
  /** Gross wins / gross losses; null with no loss. */
  readonly profitFactor: number | null;
  readonly expectancy: number;
}

export interface PerformanceDecomposition {
  readonly byStrategy: Readonly<Record<string, GroupStats>>;
  /** strategy -> symbol -> stats. */
  readonly bySymbol: Readonly<Record<string, Readonly<Record<string, GroupStats>>>>;
  /** regime -> strategy -> stats. */
  readonly byRegime: Readonly<Record<string, Readonly<Record<string, GroupStats>>>>;
}

function stats(pnls: readonly number[]): GroupStats {
  let win = 0;
  let loss = 0;
  let wins = 0;
  let sum = 0;
  for (const p of pnls) {
    sum += p;
    if (p > 0) {
      wins++;
      win += p;
    } else loss -= p;
  }
  return { trades: pnls.length, pnl: sum, winRate: wins / pnls.length, profitFactor: loss > 0 ? win / loss : null, expectancy: sum / pnls.length };
}

function group<K extends string>(trades: readonly AttributedTrade[], key: (t: AttributedTrade) => K): Map<K, AttributedTrade[]> {
  const m = new Map<K, AttributedTrade[]>();
  for (const t of trades) {
    const k = key(t);
    const list = m.get(k);
    if (list === undefined) m.set(k, [t]);
    else list.push(t);
  }
  return m;
}

/** Returns the decomposition of `trades` (groups in first-seen order). */
export function decomposePerformance(trades: readonly AttributedTrade[]): PerformanceDecomposition {
  const byStrategy: Record<string, GroupStats> = {};
  const bySymbol: Record<string, Record<string, GroupStats>> = {};
  const byRegime: Record<string, Record<string, GroupStats>> = {};
  for (const [s, ts] of group(trades, (t) => t.strategyId)) {
    byStrategy[s] = stats(ts.map((t) => t.pnl));
    const per: Record<string, GroupStats> = {};
    for (const [sym, xs] of group(ts, (t) => t.symbol)) per[sym] = stats(xs.map((t) => t.pnl));
    bySymbol[s] = per;
  }
  for (const [r, ts] of group(trades, (t) => t.regime)) {
    const per: Record<string, GroupStats> = {};
    for (const [s, xs] of group(ts, (t) => t.strategyId)) per[s] = stats(xs.map((t) => t.pnl));
    byRegime[r] = per;
  }
  return { byStrategy, bySymbol, byRegime };
}
