import { InvalidArgumentError, checkFinite, checkNonNegative, checkPositive } from '../../core/index.js';

/**
 * Cost-aware rebalancing. For each asset the drift is d_i = w*_i - w_i (target minus current weight,
 * fractions of equity E). Closing a drift costs c_i = |d_i| E k (k = cost rate, e.g. 0.001 for
 * 10 bps) and its expected benefit is the mean-variance utility the drift costs over the horizon,
 * b_i = (riskAversion / 2) (d_i sigma_i)^2 E h, where sigma_i is the asset's per-period volatility and
 * h the periods until the next rebalance: an off-target position adds d_i^2 sigma_i^2 of variance
 * the portfolio was not meant to carry. A trade is made when |d_i| >= threshold and b_i >= c_i
 * (with k = 0 every drift past the threshold trades); otherwise it is skipped and counted.
 */
export interface RebalancePolicy {
  /** Smallest drift, a fraction of equity, worth looking at (0 = any). */
  readonly threshold: number;
  /** Cost per unit of traded notional (fees plus slippage), e.g. 0.001. */
  readonly costRate: number;
  /** Risk aversion of the benefit term. */
  readonly riskAversion: number;
  /** Periods until the next rebalance (the horizon over which a drift is carried). */
  readonly horizon: number;
}

/** One asset's verdict. */
export interface RebalanceLine {
  readonly index: number;
  readonly drift: number;
  readonly cost: number;
  readonly benefit: number;
  readonly trade: boolean;
  /** Why a line is skipped: 'below_threshold' | 'cost_exceeds_benefit'; null when it trades. */
  readonly skipped: 'below_threshold' | 'cost_exceeds_benefit' | null;
}

/** Returns the per-asset verdicts of moving from `current` to `target` weights at equity `equity`. */
export function planRebalance(
  current: readonly number[],
  target: readonly number[],
  volatility: readonly number[],
  equity: number,
  policy: RebalancePolicy,
): RebalanceLine[] {
  if (current.length !== target.length || target.length !== volatility.length) {
    throw new InvalidArgumentError(`planRebalance: current (${current.length}), target (${target.length}) and volatility (${volatility.length}) differ in length`);
  }
  checkPositive(equity, 'equity');
  checkNonNegative(policy.threshold, 'threshold');
  checkNonNegative(policy.costRate, 'costRate');
  checkNonNegative(policy.riskAversion, 'riskAversion');
  checkNonNegative(policy.horizon, 'horizon');
  return target.map((t, i) => {
    const drift = checkFinite(t, `target[${i}]`) - checkFinite(current[i]!, `current[${i}]`);
    const sigma = checkNonNegative(volatility[i]!, `volatility[${i}]`);
    const cost = Math.abs(drift) * equity * policy.costRate;
    const benefit = 0.5 * policy.riskAversion * drift * drift * sigma * sigma * equity * policy.horizon;
    if (drift === 0 || Math.abs(drift) < policy.threshold) return { index: i, drift, cost, benefit, trade: false, skipped: 'below_threshold' as const };
    if (policy.costRate > 0 && benefit < cost) return { index: i, drift, cost, benefit, trade: false, skipped: 'cost_exceeds_benefit' as const };
    return { index: i, drift, cost, benefit, trade: true, skipped: null };
  });
}
