import { checkOneOf } from '../core/index.js';

/**
 * `long_short`: the strategy reverses between long and short positions (a reversal trades twice
 * the size). `long_only`: it is long or flat; a short view means flat.
 */
export type TradeMode = 'long_short' | 'long_only';

/** Every TradeMode, in the order messages list them. */
export const TRADE_MODES = ['long_short', 'long_only'] as const satisfies readonly TradeMode[];

/** Returns `value` after checking it is a TradeMode. */
export function checkTradeMode(value: unknown, name = 'mode'): TradeMode {
  return checkOneOf(value as string, TRADE_MODES, name);
}
