import type { OrderSide } from '../model/index.js';

/**
 * What the risk engine reads about the account when it checks an order. The execution engine
 * implements it over its portfolio and working orders; it must be cheap, because every order
 * calls it.
 */
export interface RiskAccount {
  /** Returns the signed position in `symbol`, units (0 when flat or unknown). */
  position(symbol: string): number;
  /**
   * Returns the units still to fill (leaves quantity, positive) of the working orders in `symbol`
   * on `side`. Working orders count at their worst case: they might all fill.
   */
  pendingQty(symbol: string, side: OrderSide): number;
  /**
   * Returns the number of symbols that have a non-zero position or, while flat, a working order
   * (which might fill and open a position).
   */
  readonly openPositionCount: number;
  /**
   * Returns the worst-case gross exposure in currency: the sum over symbols of
   * `worstCaseUnits(position, pendingBuy, pendingSell) x mark price`. With no working orders this is
   * the usual sum of |position| x price.
   */
  readonly grossExposure: number;
  /** Returns the account equity in currency: cash plus positions marked to the last price. */
  readonly equity: number;
  /**
   * Returns the net Greeks of the order's underlying before and after the order (working orders
   * counted as filled), or null when the symbol is neither an option nor the underlying of one.
   * Optional: accounts without options leave it out and Greek limits are then not checked.
   */
  greekImpact?(symbol: string, side: OrderSide, qty: number): GreekImpactView | null;
}

/** Net Greeks of one underlying before and after an order. */
export interface GreekImpactView {
  readonly underlying: string;
  readonly before: { readonly delta: number; readonly gamma: number; readonly vega: number };
  readonly after: { readonly delta: number; readonly gamma: number; readonly vega: number };
}

/**
 * Returns the largest |position| a symbol can reach if any subset of its working orders fills:
 * the position moves within [position - pendingSell, position + pendingBuy], so the extreme is at
 * one end of that interval.
 */
export function worstCaseUnits(position: number, pendingBuy: number, pendingSell: number): number {
  const up = Math.abs(position + pendingBuy);
  const down = Math.abs(position - pendingSell);
  return up > down ? up : down;
}
