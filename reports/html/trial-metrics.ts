import { InvalidArgumentError } from '../../engine/core/index.js';
import type { SweepTrialRow } from '../research-schema.js';
import { formatCount, formatMoney, formatNumber, formatPercent } from './format.js';

/** A number a sweep or walk-forward page can show per trial: the fitness or one of the trial metrics. */
export interface TrialMetricColumn {
  readonly key: string;
  readonly label: string;
  readonly kind: 'pct' | 'ratio' | 'money' | 'count';
  /** Whether a larger value is better; absent when neither (trade count). */
  readonly better?: 'higher' | 'lower';
}

/** The per-trial numbers, in the order the trial table shows them; `fitness` first. */
export const TRIAL_METRIC_COLUMNS: readonly TrialMetricColumn[] = [
  { key: 'fitness', label: 'Fitness', kind: 'ratio', better: 'higher' },
  { key: 'sharpe', label: 'Sharpe', kind: 'ratio', better: 'higher' },
  { key: 'sortino', label: 'Sortino', kind: 'ratio', better: 'higher' },
  { key: 'totalReturn', label: 'Return', kind: 'pct', better: 'higher' },
  { key: 'cagr', label: 'CAGR', kind: 'pct', better: 'higher' },
  { key: 'maxDrawdown', label: 'Max DD', kind: 'pct', better: 'lower' },
  { key: 'tradeCount', label: 'Trades', kind: 'count' },
  { key: 'winRate', label: 'Win rate', kind: 'pct', better: 'higher' },
  { key: 'profitFactor', label: 'Profit factor', kind: 'ratio', better: 'higher' },
  { key: 'finalEquity', label: 'Final equity', kind: 'money', better: 'higher' },
  { key: 'periodSharpe', label: 'Sharpe / period', kind: 'ratio', better: 'higher' },
];

/** Names a heatmap or `--metric` may use: `fitness` and the trial metrics. */
export const TRIAL_METRIC_NAMES: readonly string[] = TRIAL_METRIC_COLUMNS.map((c) => c.key);

/** Returns the column of a metric name; throws naming the accepted names for an unknown one. */
export function trialMetricColumn(name: string, flag = 'metric'): TrialMetricColumn {
  const c = TRIAL_METRIC_COLUMNS.find((x) => x.key === name);
  if (!c) throw new InvalidArgumentError(`invalid '${flag}': expected one of ${TRIAL_METRIC_NAMES.join(', ')}, was ${JSON.stringify(name)}`);
  return c;
}

/** Returns a trial's value of a metric column (null for a failed trial or an undefined metric). */
export function trialMetricValue(trial: Pick<SweepTrialRow, 'fitness' | 'metrics'>, key: string): number | null {
  if (key === 'fitness') return trial.fitness;
  const m = trial.metrics as Readonly<Record<string, number | null>> | null;
  if (m === null) return null;
  const v = m[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Returns a metric value formatted for its column ("12.34%", "1.36", "116,024.44", "7"), or "n/a". */
export function formatTrialMetric(column: TrialMetricColumn, v: number | null): string {
  switch (column.kind) {
    case 'pct':
      return formatPercent(v);
    case 'ratio':
      return formatNumber(v, column.key === 'periodSharpe' ? 4 : 2);
    case 'money':
      return formatMoney(v);
    case 'count':
      return formatCount(v);
  }
}
