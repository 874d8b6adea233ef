import type { BarSeries, StrategyContext } from './context.js';
import { positionSize, type PositionSizing } from './position-sizing.js';
import type { SymbolView } from './symbol-view.js';

/** The sizing fields every bar rule strategy's parameters hold. */
export interface SizedRuleParams {
  readonly sizing: PositionSizing;
  readonly fractional: boolean;
}

/**
 * Moves `v` to `direction` on the bar that just closed: a position of `sizing` units (computed at
 * the close, see positionSize) in that direction, or flat for 0. Strength is clamped to [0, 1] and
 * is 0 when flat; `confidence` goes with the signal. Call it only when the direction changes: the
 * size is computed anew on each call.
 */
export function moveTo(
  ctx: StrategyContext,
  v: SymbolView,
  direction: -1 | 0 | 1,
  bars: BarSeries,
  p: SizedRuleParams,
  strength: number,
  reason: string,
  confidence = 1,
): void {
  if (direction === 0) {
    v.change(ctx, 0, 0, 0, reason, confidence);
    return;
  }
  const size = positionSize(p.sizing, p.fractional, ctx.equity(), bars.close(0), bars, Number.NaN, ctx.instrument?.(bars.symbol)?.multiplier ?? 1);
  v.change(ctx, direction, direction * size, strength > 1 ? 1 : strength > 0 ? strength : 0, reason, confidence);
}
