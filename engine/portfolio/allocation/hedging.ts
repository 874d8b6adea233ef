import { checkInRange } from '../../core/index.js';

/**
 * Hedging triggers (seed 001): when the market's trend strength is low (ADX below `adxBelow`), its
 * volatility high (per-period volatility above `volatilityAbove`) or the account's drawdown deep
 * (above `drawdownAbove`, a fraction of the peak), a fraction `cashFraction` of the allocation moves
 * to cash. Absent triggers are not checked.
 */
export interface HedgingTriggers {
  readonly adxBelow?: number;
  readonly volatilityAbove?: number;
  readonly drawdownAbove?: number;
  /** Fraction of the allocation moved to cash while a trigger holds, in [0, 1]. */
  readonly cashFraction: number;
}

export interface MarketConditions {
  /** Mean ADX over the symbols (NaN while warming up: never triggers). */
  readonly adx: number;
  /** Mean per-period volatility over the symbols (NaN: never triggers). */
  readonly volatility: number;
  /** Account drawdown from its peak, a fraction. */
  readonly drawdown: number;
}

/** The triggers that fired and the fraction held in cash (0 when none fired). */
export interface HedgeDecision {
  readonly fired: readonly ('adx' | 'volatility' | 'drawdown')[];
  readonly cashFraction: number;
}

/** Returns which triggers fire under `conditions`. */
export function evaluateHedge(triggers: HedgingTriggers, conditions: MarketConditions): HedgeDecision {
  checkInRange(triggers.cashFraction, 0, 1, 'cashFraction');
  const fired: ('adx' | 'volatility' | 'drawdown')[] = [];
  if (triggers.adxBelow !== undefined && conditions.adx < triggers.adxBelow) fired.push('adx');
  if (triggers.volatilityAbove !== undefined && conditions.volatility > triggers.volatilityAbove) fired.push('volatility');
  if (triggers.drawdownAbove !== undefined && conditions.drawdown > triggers.drawdownAbove) fired.push('drawdown');
  return { fired, cashFraction: fired.length > 0 ? triggers.cashFraction : 0 };
}
