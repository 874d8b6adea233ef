import type { PerformanceMetrics } from '../metrics.js';
import { formatCount, formatDurationUs, formatMoney, formatNumber, formatPercent } from './format.js';

/** One row of a metrics table: its label and how a run's metrics read in it. */
export interface MetricRow {
  readonly key: string;
  readonly label: string;
  readonly format: (m: PerformanceMetrics) => string;
  /** The raw value for machine-readable output and sorting (null when undefined). */
  readonly value: (m: PerformanceMetrics) => number | null;
  /** Whether a larger value is better (for highlighting the best run); absent when neither. */
  readonly better?: 'higher' | 'lower';
}

function row(key: keyof PerformanceMetrics, label: string, kind: 'pct' | 'ratio' | 'money' | 'count' | 'duration', better?: 'higher' | 'lower'): MetricRow {
  const value = (m: PerformanceMetrics): number | null => {
    const v = m[key];
    return typeof v === 'number' ? v : null;
  };
  const format = (m: PerformanceMetrics): string => {
    const v = value(m);
    switch (kind) {
      case 'pct':
        return formatPercent(v);
      case 'ratio':
        return formatNumber(v);
      case 'money':
        return formatMoney(v);
      case 'count':
        return formatCount(v);
      case 'duration':
        return formatDurationUs(v);
    }
  };
  return better ? { key, label, format, value, better } : { key, label, format, value };
}

/** The metrics a report shows, in reading order (formulas in reports/METRICS.md). */
export const METRIC_ROWS: readonly MetricRow[] = [
  row('finalEquity', 'Final equity', 'money', 'higher'),
  row('totalReturn', 'Total return', 'pct', 'higher'),
  row('cagr', 'CAGR', 'pct', 'higher'),
  row('annualizedVolatility', 'Volatility (ann.)', 'pct', 'lower'),
  row('sharpe', 'Sharpe ratio', 'ratio', 'higher'),
  row('sortino', 'Sortino ratio', 'ratio', 'higher'),
  row('calmar', 'Calmar ratio', 'ratio', 'higher'),
  row('maxDrawdown', 'Max drawdown', 'pct', 'lower'),
  row('maxDrawdownDurationUs', 'Max drawdown duration', 'duration', 'lower'),
  row('averageDrawdown', 'Average drawdown', 'pct', 'lower'),
  row('drawdownEpisodes', 'Drawdown episodes', 'count'),
  row('exposureTime', 'Exposure time', 'pct'),
  row('tradeCount', 'Trades', 'count'),
  row('winRate', 'Win rate', 'pct', 'higher'),
  row('bestTrade', 'Best trade', 'pct'),
  row('worstTrade', 'Worst trade', 'pct'),
  row('averageTrade', 'Average trade', 'pct', 'higher'),
  row('averageWinningTrade', 'Average winner', 'money'),
  row('averageLosingTrade', 'Average loser', 'money'),
  row('profitFactor', 'Profit factor', 'ratio', 'higher'),
  row('expectancy', 'Expectancy (per trade)', 'money', 'higher'),
  row('sqn', 'SQN', 'ratio', 'higher'),
  row('kelly', 'Kelly criterion', 'pct'),
  row('tradedNotional', 'Traded notional', 'money'),
  row('turnover', 'Turnover (x avg equity)', 'ratio'),
  row('annualTurnover', 'Turnover per year', 'ratio'),
  row('totalCommissions', 'Commissions', 'money', 'lower'),
  row('buyAndHoldReturn', 'Buy & hold return', 'pct'),
];

/**
 * Returns the buy-and-hold CAGR for the run's period: (1 + buyAndHoldReturn)^(1 / years) - 1 with
 * years = (bars - 1) / periodsPerYear, the annualization of the run's own CAGR; null when either is unknown.
 */
export function buyAndHoldCagr(m: PerformanceMetrics): number | null {
  if (m.buyAndHoldReturn === null || m.periodsPerYear === null || m.bars < 2) return null;
  const years = (m.bars - 1) / m.periodsPerYear;
  if (1 + m.buyAndHoldReturn <= 0) return -1;
  return Math.pow(1 + m.buyAndHoldReturn, 1 / years) - 1;
}
