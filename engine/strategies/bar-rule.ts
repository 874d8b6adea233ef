import type { BarSeries, StrategyContext } from './context.js';
import type { StrategyWarmup } from './define-strategy.js';
import { positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import type { SymbolView } from './symbol-view.js';
import type { TradeMode } from './trade-mode.js';

/** The parameters a bar rule's positions are taken with (`mode`, `sizing`, `fractional`). */
export interface BarRuleSizing {
  readonly mode: TradeMode;
  readonly sizing: PositionSizing;
  readonly fractional: boolean;
}

/**
 * Moves the view `v` of a bar rule to `direction` on the close of `bars`' latest bar. In `long_only`
 * a short view (-1) means flat. Nothing happens when the view already holds that direction (a
 * position is sized once, when it is taken). Flat sets target 0 with strength 0; a long or short
 * position is `positionSize(...)` units (the sizing at the bar's close and the current equity) times
 * `scale` (>= 0; 1 leaves the sizing as it is), floored to whole units unless `fractional`, and the
 * signal's strength is `strength` clipped to [0, 1]; `confidence` goes with the signal (flat too).
 */
export function followView(
  ctx: StrategyContext,
  v: SymbolView,
  p: BarRuleSizing,
  direction: -1 | 0 | 1,
  bars: BarSeries,
  strength: number,
  reason: string,
  scale = 1,
  confidence = 1,
): void {
  const d = direction === -1 && p.mode === 'long_only' ? 0 : direction;
  if (d === v.direction) return;
  if (d === 0) {
    v.change(ctx, 0, 0, 0, reason, confidence);
    return;
  }
  const multiplier = ctx.instrument?.(bars.symbol)?.multiplier ?? 1;
  let size: number;
  if (scale === 1) {
    size = positionSize(p.sizing, p.fractional, ctx.equity(), bars.close(0), bars, Number.NaN, multiplier);
  } else {
    size = scale * positionSize(p.sizing, true, ctx.equity(), bars.close(0), bars, Number.NaN, multiplier);
    if (!p.fractional) size = Math.floor(size);
  }
  const s = strength > 0 ? (strength < 1 ? strength : 1) : 0;
  v.change(ctx, d, d * size, s, reason, confidence);
}

/**
 * The warm-up of a bar rule: `bars` (because `because`), or the bars its sizing needs when that is
 * more (`volatility_target`, `risk` with an ATR stop; see sizingWarmupBars).
 */
export function barRuleWarmup(bars: number, because: string, sizing: PositionSizing): StrategyWarmup {
  const forSizing = sizingWarmupBars(sizing);
  return forSizing > bars ? { bars: forSizing, because: `sizing.kind=${sizing.kind}` } : { bars, because };
}
