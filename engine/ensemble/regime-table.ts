import { type DurationUs, US_PER_DAY, assertNever, checkInRange, checkOneOf, durationUs } from '../core/index.js';

/**
 * The optimizer's parameter recommendations by market regime, from seed 000:
 *
 * | regime   | lambda  | eta       | w_max | rebalance |
 * |----------|---------|-----------|-------|-----------|
 * | trending | 50-100  | 0.08-0.12 | 30%   | weekly    |
 * | ranging  | 100-200 | 0.03-0.06 | 25%   | daily     |
 * | volatile | 200-400 | 0.10-0.20 | 20%   | hold      |
 * | mixed    | 100-150 | 0.05-0.08 | 25%   | 3-day     |
 *
 * 'hold' means no scheduled rebalance: the current weights are kept while the regime lasts.
 */

/** The regimes of the table, in table order. */
export const REGIME_NAMES = ['trending', 'ranging', 'volatile', 'mixed'] as const;
export type RegimeName = (typeof REGIME_NAMES)[number];

/** An inclusive range of a parameter. */
export interface ParameterRange {
  readonly min: number;
  readonly max: number;
}

/** How often weights are re-optimized in a regime. */
export type RebalanceCadence = { readonly kind: 'periodic'; readonly everyDays: number } | { readonly kind: 'hold' };

export interface RegimeRow {
  readonly lambda: ParameterRange;
  readonly eta: ParameterRange;
  readonly wMax: number;
  readonly rebalance: RebalanceCadence;
}

/** The seed-000 table. */
export const REGIME_TABLE = {
  trending: { lambda: { min: 50, max: 100 }, eta: { min: 0.08, max: 0.12 }, wMax: 0.3, rebalance: { kind: 'periodic', everyDays: 7 } },
  ranging: { lambda: { min: 100, max: 200 }, eta: { min: 0.03, max: 0.06 }, wMax: 0.25, rebalance: { kind: 'periodic', everyDays: 1 } },
  volatile: { lambda: { min: 200, max: 400 }, eta: { min: 0.1, max: 0.2 }, wMax: 0.2, rebalance: { kind: 'hold' } },
  mixed: { lambda: { min: 100, max: 150 }, eta: { min: 0.05, max: 0.08 }, wMax: 0.25, rebalance: { kind: 'periodic', everyDays: 3 } },
} as const satisfies Record<RegimeName, RegimeRow>;

/** Concrete optimizer parameters for one regime. */
export interface RegimeParameters {
  readonly regime: RegimeName;
  readonly lambda: number;
  readonly eta: number;
  readonly wMax: number;
  /** The rebalance interval, or null for 'hold' (no scheduled rebalance). */
  readonly rebalanceEveryUs: DurationUs | null;
}

/**
 * Returns the parameters of `regime`, with lambda and eta taken at `position` in [0, 1] along their
 * ranges (0 = lower end, 1 = upper end, 0.5 = midpoint, the default). Throws InvalidArgumentError
 * for an unknown regime name or a position outside [0, 1].
 */
export function regimeParameters(regime: string, position = 0.5): RegimeParameters {
  const name = checkOneOf(regime, REGIME_NAMES, 'regime');
  checkInRange(position, 0, 1, 'position');
  const row: RegimeRow = REGIME_TABLE[name];
  const at = (r: ParameterRange): number => r.min + position * (r.max - r.min);
  return {
    regime: name,
    lambda: at(row.lambda),
    eta: at(row.eta),
    wMax: row.wMax,
    rebalanceEveryUs: rebalanceInterval(row.rebalance),
  };
}

/** Returns the interval of a cadence, or null when it holds. */
export function rebalanceInterval(cadence: RebalanceCadence): DurationUs | null {
  switch (cadence.kind) {
    case 'periodic':
      return durationUs(cadence.everyDays * US_PER_DAY, 'rebalance');
    case 'hold':
      return null;
    default:
      return assertNever(cadence, 'rebalance cadence');
  }
}
