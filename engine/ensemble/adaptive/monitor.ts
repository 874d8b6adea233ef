/**
 * Ensemble monitor (seed 000's EnsembleMonitor): alerts after each optimization.
 * - low Sharpe: the optimum's ex-ante Sharpe (per period, as the optimizer reports it) below `minSharpe`;
 * - high condition number of the covariance above `maxConditionNumber`;
 * - excessive turnover sum|w - w_prev| above `maxTurnover`;
 * - expected vs realized divergence: |expected per-period return of the previous weights - the
 *   mean per-period return realized since| above `maxDivergence`.
 */
export interface MonitorThresholds {
  readonly minSharpe: number;
  readonly maxConditionNumber: number;
  readonly maxTurnover: number;
  readonly maxDivergence: number;
}

export const MONITOR_DEFAULTS: MonitorThresholds = Object.freeze({ minSharpe: 0.02, maxConditionNumber: 1e6, maxTurnover: 0.3, maxDivergence: 0.01 });

export interface MonitorAlert {
  readonly level: 'info' | 'warning' | 'error';
  readonly kind: 'low_sharpe' | 'high_condition_number' | 'excessive_turnover' | 'return_divergence';
  readonly message: string;
  readonly value: number;
  readonly threshold: number;
}

export interface MonitorInput {
  readonly sharpe: number | null;
  readonly conditionNumber: number;
  readonly turnover: number;
  /** Expected per-period return of the weights held over the last interval (null at the first optimization). */
  readonly expectedReturn: number | null;
  /** Mean per-period return realized over the same interval (null when unknown). */
  readonly realizedReturn: number | null;
}

/** Returns the alerts `input` raises under `t`. */
export function checkEnsembleHealth(input: MonitorInput, t: MonitorThresholds = MONITOR_DEFAULTS): MonitorAlert[] {
  const alerts: MonitorAlert[] = [];
  if (input.sharpe !== null && input.sharpe < t.minSharpe) {
    alerts.push({ level: 'warning', kind: 'low_sharpe', message: `low ex-ante Sharpe ${input.sharpe.toFixed(4)} < ${t.minSharpe}`, value: input.sharpe, threshold: t.minSharpe });
  }
  if (!(input.conditionNumber <= t.maxConditionNumber)) {
    alerts.push({ level: 'error', kind: 'high_condition_number', message: `ill-conditioned covariance: condition number ${input.conditionNumber.toExponential(2)} > ${t.maxConditionNumber.toExponential(0)}`, value: input.conditionNumber, threshold: t.maxConditionNumber });
  }
  if (input.turnover > t.maxTurnover) {
    alerts.push({ level: 'warning', kind: 'excessive_turnover', message: `turnover ${(input.turnover * 100).toFixed(1)}% > ${(t.maxTurnover * 100).toFixed(1)}%`, value: input.turnover, threshold: t.maxTurnover });
  }
  if (input.expectedReturn !== null && input.realizedReturn !== null) {
    const d = Math.abs(input.expectedReturn - input.realizedReturn);
    if (d > t.maxDivergence) {
      alerts.push({ level: 'info', kind: 'return_divergence', message: `expected ${input.expectedReturn.toExponential(3)} vs realized ${input.realizedReturn.toExponential(3)} per period (divergence ${d.toExponential(3)})`, value: d, threshold: t.maxDivergence });
    }
  }
  return alerts;
}
